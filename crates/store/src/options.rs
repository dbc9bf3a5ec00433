//! How a store is set up: its connections (`[database] pool_size` and
//! `statement_timeout`) and what its ingests keep (`[site] keep_revisions`).

use std::num::NonZeroU32;
use std::time::Duration;

/// Connection settings for [`Store::open_with`](crate::Store::open_with). The default is
/// what [`Store::open`](crate::Store::open) uses: eight connections, no statement timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreOptions {
    /// Connections in the pool ([`DEFAULT_POOL_SIZE`] when `None`). An in-memory SQLite
    /// database always has exactly one.
    pub pool_size: Option<NonZeroU32>,
    /// The longest one statement may run before the engine cancels it; `None` for no
    /// limit. PostgreSQL enforces it (`statement_timeout`, set on every connection and
    /// lifted for migrations). SQLite cannot interrupt a running statement through the
    /// store's driver, so there it bounds what it can: the wait for another writer's lock
    /// (`busy_timeout`, otherwise 10 s).
    pub statement_timeout: Option<Duration>,
    /// Earlier versions kept per post when an upstream edit changes its title or text
    /// ([`DEFAULT_KEEP_REVISIONS`] when `None`; 0 keeps none and drops those kept).
    pub keep_revisions: Option<u32>,
    /// How long after it is trained a body dictionary may be encoded with
    /// ([`crate::BODY_DICTIONARY_GRACE`] when `None`): every other process of the store
    /// reads it within that time. Zero suits a store only this process opens (tests,
    /// benchmarks).
    pub dictionary_grace: Option<Duration>,
}

impl StoreOptions {
    /// [`StoreOptions::keep_revisions`], its default filled in.
    pub fn keep_revisions(&self) -> u32 {
        self.keep_revisions.unwrap_or(DEFAULT_KEEP_REVISIONS)
    }

    /// [`StoreOptions::dictionary_grace`], its default filled in.
    pub fn dictionary_grace(&self) -> Duration {
        self.dictionary_grace
            .unwrap_or(crate::BODY_DICTIONARY_GRACE)
    }
}

/// Connections in a store's pool unless [`StoreOptions::pool_size`] says otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 8;

/// Earlier versions kept per post unless [`StoreOptions::keep_revisions`] says otherwise.
pub const DEFAULT_KEEP_REVISIONS: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestEngine, execute};
    use crate::tests::{engine, on_both_engines};
    use crate::{Store, StoreError, testing::TestDatabase};

    async fn open_with(options: StoreOptions) -> (Store, TestDatabase) {
        let db = TestDatabase::new(engine(), "options").expect("run checked the engine");
        let store = Store::open_with(db.url(), &options)
            .await
            .expect("open with options");
        (store, db)
    }

    async fn the_pool_has_the_configured_size() {
        let options = StoreOptions {
            pool_size: NonZeroU32::new(3),
            ..StoreOptions::default()
        };
        let (store, _db) = open_with(options).await;
        assert_eq!(store.pool.options().get_max_connections(), 3);
        let (default, _db) = open_with(StoreOptions::default()).await;
        assert_eq!(
            default.pool.options().get_max_connections(),
            DEFAULT_POOL_SIZE
        );
    }

    async fn a_statement_timeout_bounds_what_the_engine_can_bound() {
        let options = StoreOptions {
            statement_timeout: Some(Duration::from_millis(1500)),
            ..StoreOptions::default()
        };
        let (store, _db) = open_with(options).await;
        match engine() {
            TestEngine::Sqlite => {
                let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
                    .fetch_one(&store.pool)
                    .await
                    .expect("busy timeout");
                assert_eq!(busy, 1500);
            }
            TestEngine::Postgres => {
                let cancelled = execute(&store, "SELECT pg_sleep(5)")
                    .await
                    .expect_err("cancelled after 1.5 s");
                let shown = format!("{:?}", cancelled);
                assert!(shown.contains("57014"), "{shown}");
                assert!(!cancelled.is_unreachable(), "{shown}");
            }
        }
    }

    async fn a_closed_store_is_unreachable_and_a_refusal_is_not() {
        let (store, _db) = open_with(StoreOptions::default()).await;
        let refused = execute(&store, "SELECT * FROM no_such_table")
            .await
            .expect_err("no such table");
        assert!(!refused.is_unreachable(), "{refused:?}");
        store.close().await;
        let closed = store.schema_version().await.expect_err("closed");
        assert!(closed.is_unreachable(), "{closed:?}");
        assert!(!StoreError::Corrupt("x".into()).is_unreachable());
    }

    on_both_engines!(
        the_pool_has_the_configured_size,
        a_statement_timeout_bounds_what_the_engine_can_bound,
        a_closed_store_is_unreachable_and_a_refusal_is_not,
    );

    #[tokio::test]
    async fn a_server_that_refuses_connections_is_unreachable() {
        let error = Store::open("postgres://syndic@127.0.0.1:1/planet")
            .await
            .expect_err("nothing listens on port 1");
        assert!(error.is_unreachable(), "{error:?}");
    }
}
