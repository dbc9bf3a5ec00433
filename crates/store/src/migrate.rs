//! Schema migrations, embedded in the binary and applied in order on open.
//!
//! Each engine has its own list (`migrations/sqlite`, `migrations/postgres`), numbered on
//! one scale: a version means the same schema on both. PostgreSQL starts at 9, SQLite's
//! schema at the time PostgreSQL joined, built in one step; every later migration is
//! written for both engines under the same number.

use sqlx::AnyPool;

use crate::engine::Engine;
use crate::{Result, StoreError};

/// One step of an engine's schema.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

impl Migration {
    pub(crate) const fn new(version: i64, name: &'static str, sql: &'static str) -> Migration {
        Migration { version, name, sql }
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
pub(crate) async fn apply_up_to(pool: &AnyPool, engine: Engine, target: i64) -> Result<()> {
    let fail = |version, name| {
        move |source| StoreError::Migrate {
            version,
            name,
            source,
        }
    };
    sqlx::query(engine.migrations_table())
        .execute(pool)
        .await
        .map_err(fail(0, "bookkeeping"))?;

    let current: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(pool)
            .await
            .map_err(fail(0, "bookkeeping"))?;
    let known = latest();
    if current > known {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known,
        });
    }

    for migration in engine
        .migrations()
        .iter()
        .filter(|m| m.version > current && m.version <= target)
    {
        let on_err = fail(migration.version, migration.name);
        let mut tx = pool
            .begin_with(engine.begin_write())
            .await
            .map_err(on_err)?;
        if let Some(preamble) = engine.migration_preamble() {
            sqlx::raw_sql(sqlx::AssertSqlSafe(preamble))
                .execute(&mut *tx)
                .await
                .map_err(on_err)?;
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(migration.sql))
            .execute(&mut *tx)
            .await
            .map_err(on_err)?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(chrono::Utc::now().timestamp())
        .execute(&mut *tx)
        .await
        .map_err(on_err)?;
        tx.commit().await.map_err(on_err)?;
        tracing::info!(
            schema.version = migration.version,
            "applied migration {}",
            migration.name
        );
    }
    Ok(())
}
