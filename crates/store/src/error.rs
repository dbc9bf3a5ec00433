use syndic_core::{PostId, SourceId};
use thiserror::Error;

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

    #[error("database error while {action}")]
    Query {
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },

    #[error("there is no source {id}")]
    UnknownSource { id: SourceId },

    #[error("there is no post {id}")]
    UnknownPost { id: PostId },

    #[error("cannot move source {id} to {url}: source {owner} already reads that URL")]
    UrlTaken {
        id: SourceId,
        url: String,
        owner: SourceId,
    },

    #[error("stored data is corrupt: {0}")]
    Corrupt(String),

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

/// Attaches what the store was doing to a sqlx error.
pub(crate) trait QueryContext<T> {
    fn during(self, action: &'static str) -> Result<T, StoreError>;
}

impl<T> QueryContext<T> for Result<T, sqlx::Error> {
    fn during(self, action: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Query { action, source })
    }
}
