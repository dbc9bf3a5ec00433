//! The store's errors. Failures a person can act on (a full disk, a read-only database,
//! a lock held too long, a damaged file) are told apart from the engine's result codes
//! ([`Cause`]) and say what happened and what to do, whatever the store was doing.

use syndic_core::{PostId, SourceId};
use thiserror::Error;

use crate::engine;

/// Everything that can go wrong in the store, with what a reader needs to act on it.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot use database {url}: {hint}")]
    UnsupportedBackend { url: String, hint: String },

    #[error("cannot open database {url} ({hint})")]
    Open {
        url: String,
        /// What to check, for the engine at hand.
        hint: &'static str,
        #[source]
        source: sqlx::Error,
    },

    #[error("cannot apply schema migration {version} ({name})")]
    Migrate {
        version: i64,
        name: &'static str,
        #[source]
        source: sqlx::Error,
    },

    #[error(
        "database is at schema version {found}, newer than this syndic knows ({known}); upgrade syndic"
    )]
    SchemaTooNew { found: i64, known: i64 },

    #[error(
        "the store opened read-only is at schema version {found}, older than this syndic's \
         ({known}), and cannot be upgraded while it is read-only; run a command that writes \
         (such as `syndic fetch`) once where it is writable"
    )]
    SchemaOutdated { found: i64, known: i64 },

    /// The database refused for a reason a person can fix: see [`Cause`].
    #[error("{} while {during}; {}", cause.problem(), cause.fix())]
    Refused {
        cause: Cause,
        /// What the store was doing: opening it, a migration, or the query's action.
        during: String,
        #[source]
        source: sqlx::Error,
    },

    #[error("database error while {action}")]
    Query {
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },

    #[error("there is no source {id}")]
    UnknownSource { id: SourceId },

    /// Adding a source kept meeting rows other processes were adding at the same time.
    #[error(
        "could not add the source {url:?}: other processes kept adding sources with the same \
         address or name at the same time; run the command again"
    )]
    SourceRace { url: String },

    #[error("there is no post {id}")]
    UnknownPost { id: PostId },

    /// `syndic post split`: the source has no copy merged into the post.
    #[error(
        "source {source_id} carries no copy merged into post {post} (only the post's merged \
         copies can be split off: `syndic explain {post}` lists its sources)"
    )]
    NotMerged { post: PostId, source_id: SourceId },

    #[error("cannot move source {id} to {url}: source {owner} already reads that URL")]
    UrlTaken {
        id: SourceId,
        url: String,
        owner: SourceId,
    },

    #[error(
        "the lease of {owner} on source {id} ran out and another process claimed the source; \
         this fetch's outcome is left to it (if this repeats, make [fetch] lease longer than \
         the longest pause of this process)"
    )]
    LeaseLost { id: SourceId, owner: String },

    #[error("stored data is corrupt: {0}")]
    Corrupt(String),

    #[error(
        "stored data is corrupt: row {id} of corpus_pending is not a JSON object of stem \
         counts; delete it (`DELETE FROM corpus_pending WHERE id = {id}`) and run `syndic \
         retag` to count the corpus again"
    )]
    CorruptCounts {
        id: i64,
        #[source]
        source: serde_json::Error,
    },

    #[error("cannot copy the store")]
    Copy(#[from] crate::CopyError),
}

impl StoreError {
    /// Whether the database could not be reached at all (refused or lost connection, a
    /// server shutting down or starting up, no pooled connection in time, a closed pool)
    /// rather than refusing what was asked: worth trying again later, and what the web
    /// answers with `503` and the start-up waits out.
    pub fn is_unreachable(&self) -> bool {
        match self {
            StoreError::Open { source, .. }
            | StoreError::Query { source, .. }
            | StoreError::Migrate { source, .. } => is_connection_failure(source),
            _ => false,
        }
    }
}

/// A failure to reach the database, as opposed to an answer from it.
fn is_connection_failure(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // Class 08: connection exceptions; 57P01-57P03: the server is shutting down,
        // crashed, or not accepting connections yet.
        sqlx::Error::Database(e) => e.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

/// Why a database refused, when a person can do something about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The disk is full (SQLite `SQLITE_FULL`; PostgreSQL `disk_full`, 53100).
    DiskFull,
    /// Writing is not allowed (SQLite `SQLITE_READONLY*`; PostgreSQL
    /// `read_only_sql_transaction`, 25006, or `insufficient_privilege`, 42501).
    ReadOnly,
    /// Another process held a lock longer than the store waits (SQLite `SQLITE_BUSY` or
    /// `SQLITE_LOCKED` after the busy timeout; PostgreSQL `lock_not_available`, 55P03, or
    /// `deadlock_detected`, 40P01).
    Locked,
    /// The file is damaged or not a database (SQLite `SQLITE_CORRUPT*`, `SQLITE_NOTADB`;
    /// PostgreSQL `data_corrupted`, XX001, or `index_corrupted`, XX002).
    Corrupt,
}

impl Cause {
    /// The cause of `error`, when it is one of these; `None` for anything else.
    pub fn of(error: &sqlx::Error) -> Option<Cause> {
        let sqlx::Error::Database(database) = error else {
            return None;
        };
        if let Some(sqlite) = database.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
            use sqlx::error::DatabaseError;
            let code = sqlite.code()?.parse().ok()?;
            return engine::sqlite_cause(code);
        }
        let postgres = database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?;
        engine::postgres_cause(postgres.code())
    }

    /// What happened, in words.
    fn problem(self) -> &'static str {
        match self {
            Cause::DiskFull => {
                "the disk holding the database is full (no space left on device), so nothing \
                 was written"
            }
            Cause::ReadOnly => "the database is read-only to syndic",
            Cause::Locked => {
                "the database stayed locked by another process for longer than syndic waits"
            }
            Cause::Corrupt => "the database is damaged or is not a syndic database",
        }
    }

    /// What to do about it.
    fn fix(self) -> &'static str {
        match self {
            Cause::DiskFull => {
                "free space on that disk (or move the store to a larger one) and run the \
                 command again"
            }
            Cause::ReadOnly => {
                "let the user running syndic write the database (for SQLite, the file and its \
                 folder, where the -wal and -shm files go), or use a command that only reads \
                 (export, sources, serve --no-fetch)"
            }
            Cause::Locked => {
                "another syndic or a tool (sqlite3, psql) is holding a long transaction: let it \
                 finish or stop it, then run the command again"
            }
            Cause::Corrupt => {
                "check that the database URL names the right file; if it does, restore the \
                 store from a backup"
            }
        }
    }
}

impl StoreError {
    /// The error for `source`, met while `during`: its [`Cause`] when it has one, else
    /// what `otherwise` makes of it.
    pub(crate) fn caused(
        source: sqlx::Error,
        during: impl FnOnce() -> String,
        otherwise: impl FnOnce(sqlx::Error) -> StoreError,
    ) -> StoreError {
        match Cause::of(&source) {
            Some(cause) => StoreError::Refused {
                cause,
                during: during(),
                source,
            },
            None => otherwise(source),
        }
    }

    /// The [`Cause`] of this error, when it has one.
    pub fn cause(&self) -> Option<Cause> {
        match self {
            StoreError::Refused { cause, .. } => Some(*cause),
            _ => None,
        }
    }
}

/// Whether `error` is another process's lock, which waiting may resolve.
pub(crate) fn is_busy(error: &sqlx::Error) -> bool {
    Cause::of(error) == Some(Cause::Locked)
}

/// Attaches what the store was doing to a sqlx error.
pub(crate) trait QueryContext<T> {
    fn during(self, action: &'static str) -> Result<T, StoreError>;
}

impl<T> QueryContext<T> for Result<T, sqlx::Error> {
    fn during(self, action: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| {
            StoreError::caused(
                source,
                || action.to_owned(),
                |source| StoreError::Query { action, source },
            )
        })
    }
}
