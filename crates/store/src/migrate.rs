//! Schema migrations, embedded in the binary and applied in order on open.

use sqlx::SqlitePool;

use crate::{Result, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "search",
        sql: include_str!("../migrations/sqlite/0002_search.sql"),
    },
    Migration {
        version: 3,
        name: "change_clock",
        sql: include_str!("../migrations/sqlite/0003_change_clock.sql"),
    },
    Migration {
        version: 4,
        name: "fetch_state",
        sql: include_str!("../migrations/sqlite/0004_fetch_state.sql"),
    },
    Migration {
        version: 5,
        name: "websub",
        sql: include_str!("../migrations/sqlite/0005_websub.sql"),
    },
    Migration {
        version: 6,
        name: "websub_state_since",
        sql: include_str!("../migrations/sqlite/0006_websub_state_since.sql"),
    },
    Migration {
        version: 7,
        name: "fetch_hint",
        sql: include_str!("../migrations/sqlite/0007_fetch_hint.sql"),
    },
    Migration {
        version: 8,
        name: "tagging",
        sql: include_str!("../migrations/sqlite/0008_tagging.sql"),
    },
    Migration {
        version: 9,
        name: "change_version",
        sql: include_str!("../migrations/sqlite/0009_change_version.sql"),
    },
];

/// The schema version this syndic writes: its last migration's.
pub(crate) fn latest() -> i64 {
    SQLITE.last().map_or(0, |m| m.version)
}

pub(crate) async fn apply(pool: &SqlitePool) -> Result<()> {
    apply_up_to(pool, i64::MAX).await
}

/// Applies the migrations after the database's version up to `target` (tests stop early
/// to build a database as an older syndic left it).
pub(crate) async fn apply_up_to(pool: &SqlitePool, target: i64) -> Result<()> {
    let fail = |version, name| {
        move |source| StoreError::Migrate {
            version,
            name,
            source,
        }
    };
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )
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

    for migration in SQLITE
        .iter()
        .filter(|m| m.version > current && m.version <= target)
    {
        let on_err = fail(migration.version, migration.name);
        let mut tx = pool.begin_with(crate::BEGIN_WRITE).await.map_err(on_err)?;
        sqlx::raw_sql(migration.sql)
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
