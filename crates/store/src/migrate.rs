//! Schema migrations, embedded in the binary and applied in order on open.
//!
//! Each engine has its own list (`migrations/sqlite`, `migrations/postgres`), numbered on
//! one scale: a version means the same schema on both. PostgreSQL starts at 9, SQLite's
//! schema at the time PostgreSQL joined, built in one step; every later migration is
//! written for both engines under the same number.

use std::future::Future;
use std::pin::Pin;

use sqlx::{AnyConnection, AnyPool};

use crate::engine::Engine;
use crate::{Result, StoreError};

/// The Rust part of a migration, for rows SQL cannot rewrite (compressing post bodies):
/// it runs inside the migration's transaction, after its SQL and before its `after` SQL.
pub(crate) type Step =
    for<'c> fn(
        &'c mut AnyConnection,
    ) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 'c>>;

/// One step of an engine's schema.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
    /// A Rust step and the SQL that follows it.
    pub(crate) step: Option<(Step, &'static str)>,
}

impl Migration {
    pub(crate) const fn new(version: i64, name: &'static str, sql: &'static str) -> Migration {
        Migration {
            version,
            name,
            sql,
            step: None,
        }
    }

    /// This migration with `step` run after its SQL, then `after`.
    pub(crate) const fn then(self, step: Step, after: &'static str) -> Migration {
        Migration {
            step: Some((step, after)),
            ..self
        }
    }
}

/// The schema version this syndic writes: its last migration's (the same on every engine).
pub(crate) fn latest() -> i64 {
    Engine::Sqlite.migrations().last().map_or(0, |m| m.version)
}

pub(crate) async fn apply(pool: &AnyPool, engine: Engine) -> Result<()> {
    apply_up_to(pool, engine, i64::MAX).await
}

/// Applies the migrations after the database's version up to `target` (tests stop early
/// to build a database as an older syndic left it).
///
/// A store already at `target` is only read. Otherwise everything happens under the
/// engine's migration lock, in one transaction: the bookkeeping table, the version read
/// and every migration. Processes that start together on a new database take turns: the
/// first applies the schema, the others wait, then find it current and apply nothing.
pub(crate) async fn apply_up_to(pool: &AnyPool, engine: Engine, target: i64) -> Result<()> {
    if let Some(found) = version(pool, engine).await?
        && found >= target.min(latest())
    {
        return check_not_too_new(found);
    }
    let mut tx = lock(pool, engine).await?;
    if let Some(preamble) = engine.migration_preamble() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(preamble))
            .execute(&mut *tx)
            .await
            .map_err(fail(0, "bookkeeping"))?;
    }
    sqlx::query(engine.migrations_table())
        .execute(&mut *tx)
        .await
        .map_err(fail(0, "bookkeeping"))?;
    let current: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(&mut *tx)
            .await
            .map_err(fail(0, "bookkeeping"))?;
    check_not_too_new(current)?;
    let pending: Vec<&Migration> = engine
        .migrations()
        .iter()
        .filter(|m| m.version > current && m.version <= target)
        .collect();
    for migration in &pending {
        let on_err = fail(migration.version, migration.name);
        sqlx::raw_sql(sqlx::AssertSqlSafe(migration.sql))
            .execute(&mut *tx)
            .await
            .map_err(&on_err)?;
        if let Some((step, after)) = migration.step {
            step(&mut tx).await.map_err(&on_err)?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(after))
                .execute(&mut *tx)
                .await
                .map_err(&on_err)?;
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(chrono::Utc::now().timestamp())
        .execute(&mut *tx)
        .await
        .map_err(on_err)?;
    }
    let last = pending
        .last()
        .map_or((0, "bookkeeping"), |m| (m.version, m.name));
    tx.commit().await.map_err(fail(last.0, last.1))?;
    for migration in pending {
        tracing::info!(
            schema.version = migration.version,
            "applied migration {}",
            migration.name
        );
    }
    Ok(())
}

/// The database's schema version, read without writing: `None` before any migration (no
/// bookkeeping table yet).
pub(crate) async fn version(pool: &AnyPool, engine: Engine) -> Result<Option<i64>> {
    use crate::error::QueryContext;
    let tables: i64 = sqlx::query_scalar(engine.migrations_table_exists())
        .fetch_one(pool)
        .await
        .during("reading the schema version")?;
    if tables == 0 {
        return Ok(None);
    }
    let found: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        .fetch_one(pool)
        .await
        .during("reading the schema version")?;
    Ok(Some(found))
}

fn check_not_too_new(found: i64) -> Result<()> {
    let known = latest();
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    Ok(())
}

/// The error for a failed migration step: its cause when a person can act on it.
fn fail(version: i64, name: &'static str) -> impl Fn(sqlx::Error) -> StoreError + Copy {
    move |source| {
        StoreError::caused(
            source,
            || format!("applying schema migration {version} ({name})"),
            |source| StoreError::Migrate {
                version,
                name,
                source,
            },
        )
    }
}

/// How many times a SQLite migration waits out its busy timeout for another process's
/// migration before giving up: 60 times 10 s.
const LOCK_ATTEMPTS: u32 = 60;

/// A transaction holding the engine's migration lock: SQLite's write lock (`BEGIN
/// IMMEDIATE`, waited for while another process migrates), PostgreSQL's advisory lock for
/// this schema (released with the transaction).
async fn lock(pool: &AnyPool, engine: Engine) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    let fail = fail(0, "lock");
    let mut attempt = 1;
    let mut tx = loop {
        match pool.begin_with(engine.begin_write()).await {
            Ok(tx) => break tx,
            Err(error) if attempt < LOCK_ATTEMPTS && crate::error::is_busy(&error) => {
                if attempt == 1 {
                    tracing::info!("waiting for another process to finish migrating the store");
                }
                attempt += 1;
            }
            Err(error) => return Err(fail(error)),
        }
    };
    if let Some(lock) = engine.migration_lock() {
        sqlx::query(lock).execute(&mut *tx).await.map_err(fail)?;
    }
    Ok(tx)
}
