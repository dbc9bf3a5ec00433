//! How a store's connections are set up (`[database] pool_size` and `statement_timeout`).

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
}

/// Connections in a store's pool unless [`StoreOptions::pool_size`] says otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 8;

impl StoreOptions {
    pub(crate) fn pool_size(&self) -> u32 {
        self.pool_size.map_or(DEFAULT_POOL_SIZE, NonZeroU32::get)
    }
}
