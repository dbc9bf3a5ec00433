//! Where a store lives and how it is opened: read once from a URL, then varied for
//! reading or writing without reading the URL again.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Engine, postgres, sqlite};
use crate::Result;

/// How long SQLite waits for another process's lock before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a store lives, as [`Engine::locate`] read it from a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    pub(crate) engine: Engine,
    /// The URL handed to sqlx: normalised for SQLite (absolute path, create if missing).
    pub(crate) connect_url: String,
    /// An in-memory SQLite database: one connection, never recycled.
    pub(crate) in_memory: bool,
    /// Opened read-only (SQLite `mode=ro` or `immutable`; PostgreSQL sessions whose
    /// transactions are read-only): no per-connection writes such as the journal mode.
    pub(crate) read_only: bool,
    /// The SQLite file, when the store is one.
    pub(crate) file: Option<PathBuf>,
    /// The query parameters the URL gave (SQLite) beside those the store sets.
    pub(crate) params: Vec<(String, String)>,
    /// How long a SQLite connection waits for another's lock.
    pub(crate) busy_timeout: Duration,
    /// Connections in the pool.
    pub(crate) pool_size: u32,
}

impl Location {
    /// A SQLite file at `path`, taken as a path whatever characters it holds.
    pub(crate) fn sqlite_file(path: &Path) -> Result<Location> {
        sqlite::locate_file(path)
    }

    /// Where the store lives, for people and for a copy's record of its source: a SQLite
    /// file's path, a server's URL as given (`url`), neither with a password.
    pub(crate) fn origin(&self, url: &str) -> String {
        match &self.file {
            Some(file) => file.display().to_string(),
            None if self.engine == Engine::Postgres => crate::redact(url),
            None => self.connect_url.clone(),
        }
    }

    /// The same store opened so that nothing can be written: SQLite `mode=ro`,
    /// PostgreSQL sessions with `default_transaction_read_only`.
    pub(crate) fn for_reading(&self) -> Result<Location> {
        match self.engine {
            Engine::Sqlite if self.in_memory => Ok(self.clone()),
            Engine::Sqlite => sqlite::with_mode(self, "ro", false),
            Engine::Postgres => Ok(postgres::read_only(self)),
        }
    }

    /// The same store opened for writing (created if missing), whatever the URL asked.
    pub(crate) fn for_writing(&self) -> Result<Location> {
        match self.engine {
            Engine::Sqlite if self.in_memory => Ok(self.clone()),
            Engine::Sqlite => sqlite::with_mode(self, "rwc", false),
            Engine::Postgres => postgres::writable(self),
        }
    }

    /// The same SQLite file read as a file that cannot change (`immutable=1`: no locks,
    /// no -shm or -wal file), for a file whose folder syndic may not write either; `None`
    /// on other stores.
    pub(crate) fn immutable(&self) -> Option<Location> {
        match self.engine {
            Engine::Sqlite if !self.in_memory => sqlite::with_mode(self, "ro", true).ok(),
            _ => None,
        }
    }

    /// Whether the store can be opened for reading as it is: not a SQLite file that does
    /// not exist yet.
    pub(crate) fn exists(&self) -> bool {
        self.file.as_deref().is_none_or(Path::exists)
    }
}
