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

    #[error(
        "the lease of {owner} on source {id} ran out and another process claimed the source; \
         this fetch's outcome is left to it (if this repeats, make [fetch] lease longer than \
         the longest pause of this process)"
    )]
    LeaseLost { id: SourceId, owner: String },

    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
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
