//! syndic-store: the only crate that knows SQL.
//!
//! It keeps sources, posts, tags and the post-tag links (with the reason for each link),
//! and answers the questions pages, exports and the CLI ask: newest posts overall, of a
//! tag, of a source; one post; every tag with its count; and full-text [`Store::search`]
//! over titles and texts (SQLite FTS5, stemmed, ranked, with highlighted snippets), which
//! reads only the words of what a reader typed and never passes it on as query syntax.
//!
//! Entry point: [`Store::open`] with a database URL. Today that is SQLite (`sqlite://path`,
//! WAL journal, busy timeout, migrations applied on open). The schema and the SQL are kept
//! portable (positional `$n` parameters, integer UTC seconds for times, no SQLite-only
//! functions in queries) so that a PostgreSQL backend can join as a second variant of the
//! backend enum; [`Store::open`] already chooses by URL scheme.
//!
//! Every write that can change what a page shows also moves one site-wide change clock in
//! the same transaction; [`Store::last_change`] reads it (the site's `Last-Modified`).
//!
//! It also keeps each source's fetch state ([`FetchState`]: validators, body hash, status,
//! next fetch, back-off) with one transaction per transition, so the scheduler picks up
//! after a restart exactly where it stopped ([`Store::due_sources`]).
//!
//! What it does not do: fetch, parse, sanitize or tag. Callers hand it finished posts with
//! their tag decisions ([`IncomingPost`]) and it stores them atomically per source.

mod clock;
mod error;
mod fetch_state;
mod ingest;
mod manual;
mod migrate;
mod neighbours;
mod query;
mod reasons;
mod retag;
mod rows;
mod search;
mod sources;
mod websub;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use clock::ChangeStamp;
pub use error::StoreError;
pub use fetch_state::{FetchRecord, FetchState};
pub use ingest::{IncomingPost, IngestStats};
pub use manual::{ManualAdd, ManualRemove, TagDetails, VocabularyTag};
pub use neighbours::PostRef;
pub use query::PostFilter;
pub use reasons::TagReason;
pub use retag::{PostForTagging, PostTagChange, RetagBatch, RetagStats, TagCache};
pub use search::{
    MATCH_END, MATCH_START, MAX_QUERY_CHARS, MAX_QUERY_TERMS, SearchHit, SearchQuery, match_terms,
};
pub use sources::SourceSpec;
pub use websub::{Subscription, SubscriptionState};

/// How every write transaction starts. `BEGIN IMMEDIATE` takes SQLite's write lock up
/// front, so a transaction that reads before it writes waits its turn (busy timeout)
/// instead of failing with "database is locked" when another writer committed in between,
/// as concurrent ingests would otherwise do.
pub(crate) const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// Result alias for store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the database. Cheap to clone; every clone shares one connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    ///
    /// Accepted: `sqlite://PATH`, `sqlite:PATH` and `sqlite::memory:`. Relative paths are
    /// taken as given; callers resolve them (the binary resolves them against the config
    /// file's folder).
    pub async fn open(url: &str) -> Result<Store> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Self::open_sqlite(url).await,
            "postgres" | "postgresql" => Err(StoreError::UnsupportedBackend {
                url: redact(url),
                hint: "PostgreSQL support is not built yet; use sqlite://PATH".into(),
            }),
            _ => Err(StoreError::UnsupportedBackend {
                url: redact(url),
                hint: "database.url must start with sqlite://".into(),
            }),
        }
    }

    /// Opens a SQLite database file at `path`.
    pub async fn open_sqlite_path(path: &Path) -> Result<Store> {
        let options = SqliteConnectOptions::new().filename(path);
        Self::connect(options, &path.display().to_string()).await
    }

    async fn open_sqlite(url: &str) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(url).map_err(|source| StoreError::Open {
            url: redact(url),
            source,
        })?;
        Self::connect(options, url).await
    }

    async fn connect(options: SqliteConnectOptions, url: &str) -> Result<Store> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let in_memory = url.contains(":memory:");
        let pool = SqlitePoolOptions::new()
            // An in-memory database lives in one connection; a file can have several readers.
            .max_connections(if in_memory { 1 } else { 8 })
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                url: redact(url),
                source,
            })?;
        migrate::apply(&pool).await?;
        Ok(Store { pool })
    }

    /// A write transaction, begun with [`BEGIN_WRITE`]; `action` names it in errors.
    pub(crate) async fn write(
        &self,
        action: &'static str,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        use crate::error::QueryContext;
        self.pool.begin_with(BEGIN_WRITE).await.during(action)
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A database URL fit for logs and error messages: any password is replaced.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Seconds since the epoch, as stored.
fn to_secs(time: chrono::DateTime<chrono::Utc>) -> i64 {
    time.timestamp()
}

fn from_secs(secs: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests;
