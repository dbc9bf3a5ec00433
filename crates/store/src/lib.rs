//! syndic-store: the only crate that knows SQL.
//!
//! It keeps sources, posts, tags and the post-tag links (with the reason for each link),
//! and answers the questions pages, exports and the CLI ask: newest posts overall, of a
//! tag, of a source; one post; every tag with its count; and full-text [`Store::search`]
//! over titles and texts (stemmed, ranked, with highlighted snippets), which reads only the
//! words of what a reader typed and never passes it on as query syntax.
//!
//! Entry point: [`Store::open`] with a database URL, which chooses the engine at run time:
//! SQLite (`sqlite://PATH` or a path: WAL journal, busy timeout, FTS5 search) or
//! PostgreSQL (`postgres://…`: search through word keys with a GIN index). Opening a writable
//! store also brings its search index in step ([`Store::index_search`]). Queries are written once
//! for both (sqlx's `Any` driver, `$n` parameters, integer UTC seconds for times); every
//! difference between the engines is a method of one closed enum, answered in one module
//! per engine (`engine/sqlite.rs`, `engine/postgres.rs`), and each engine has its own
//! migrations on one version scale. Nothing outside this crate sees an engine type.
//!
//! Decisions are made in plain functions, between a bulk read and a bulk write: which
//! stored post an incoming entry is and what changes (`ingest/plan.rs`), which tag links a
//! post gains or loses (`links.rs`, shared by ingest and retag). They are unit-tested
//! without a database; the SQL around them only reads rows and writes the outcome.
//!
//! Every write that can change what a page shows also moves one site-wide change clock in
//! the same transaction; [`Store::last_change`] reads it (the site's `Last-Modified`).
//!
//! It also keeps each source's fetch state ([`FetchState`]: validators, body hash, status,
//! next fetch, back-off) with one transaction per transition, so the scheduler picks up
//! after a restart exactly where it stopped ([`Store::due_sources`]), and the leases that
//! let many processes fetch from one store ([`Store::claim`]): no source fetched by two at
//! once, and the politeness limits held by all of them together.
//!
//! What it does not do: fetch, parse, sanitize or tag. Callers hand it finished posts with
//! their tag decisions ([`IncomingPost`]) and it stores them atomically per source.

mod audit;
mod body;
mod check;
mod clock;
mod configured;
mod copy;
mod corpus;
mod enclosures;
mod engine;
mod error;
mod fetch_state;
mod full_text;
mod host_turns;
mod ingest;
mod lease;
mod links;
mod listing;
mod manual;
mod media;
mod media_failures;
mod media_files;
mod merging;
mod migrate;
mod moderation;
mod neighbours;
mod options;
mod origins;
#[cfg(test)]
mod plans;
mod query;
mod reading;
mod reasons;
mod refilter;
mod retag;
mod revisions;
mod rows;
mod search;
mod source_settings;
mod sources;
mod sql;
mod tables;
mod tags;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod text;
mod tombstones;
mod websub;
mod writer;

use std::path::Path;
use std::sync::Arc;

use sqlx::AnyPool;

pub use audit::AuditEntry;
pub use body::dictionary::GRACE as BODY_DICTIONARY_GRACE;
pub use check::{StoreCheck, StoreProblem, TableCount};
pub use clock::ChangeStamp;
pub use copy::{CopyError, CopyProgress, CopyReport};
pub use error::{Cause, StoreError};
pub use fetch_state::{FetchRecord, FetchState, Outcomes};
pub use full_text::{
    ContentOrigin, FullTextCandidate, FullTextOutcome, FullTextState, PageText, content_digest,
};
pub use host_turns::{HostTurn, TurnKind};
pub use ingest::{IncomingPost, IngestStats, PreparedPosts, StoredPosts};
pub use lease::{
    Claim, ClaimOutcome, ClaimRequest, Claimable, LeaseOwner, SlotLimits, SourceLease, host_of,
};
pub use listing::{Listing, ListingKey, PostFilter};
pub use manual::{ManualAdd, ManualRemove, TagDetails, VocabularyTag};
pub use media_files::{MappedMedia, MediaFile, MediaFileEntry};
pub use moderation::{ModeratedPost, PostStanding};
pub use neighbours::PostRef;
pub use options::{DEFAULT_KEEP_REVISIONS, DEFAULT_POOL_SIZE, StoreOptions};
pub use reasons::TagReason;
pub use refilter::{FilterMove, PostForFilter};
pub use retag::{PostForTagging, PostTagChange, RetagBatch, RetagStats, TagCache};
pub use revisions::PostVersion;
pub use search::{
    DUE_AFTER, DUE_AFTER_POSTS, MATCH_END, MATCH_START, MAX_CANDIDATES, MAX_QUERY_CHARS,
    MAX_QUERY_TERMS, SearchHit, SearchQuery, SearchResults, TITLE_WEIGHT, match_terms,
};
pub use source_settings::{SourceSettings, UpdatePolicy};
pub use sources::SourceSpec;
pub use websub::{Subscription, SubscriptionState};

use engine::Engine;

/// Result alias for store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the database. Cheap to clone; every clone shares one connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    /// This process's search indexer (one pass at a time), shared by every clone.
    indexer: Arc<search::index::Indexer>,
    read_only: bool,
    /// Where the store lives, without any password: what a copy records as its source.
    origin: Arc<str>,
    /// Earlier versions an ingest keeps per post ([`StoreOptions::keep_revisions`]).
    keep_revisions: u32,
    /// The store's body dictionaries as this process knows them (`body/dictionary.rs`).
    dictionaries: Arc<body::dictionary::Dictionaries>,
    /// [`StoreOptions::dictionary_grace`].
    dictionary_grace: std::time::Duration,
    /// SQLite: this process's writers take turns (`writer.rs`); `None` on PostgreSQL and
    /// for a read-only handle.
    turns: Option<writer::Turns>,
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    ///
    /// Accepted: `sqlite://PATH`, `sqlite:PATH`, `sqlite::memory:` or a plain path for
    /// SQLite; `postgres://USER@HOST[:PORT]/DATABASE` (or `postgresql://`) for PostgreSQL.
    /// Relative SQLite paths are taken from the working directory; callers resolve them
    /// first if they mean another folder (the binary resolves them against the config
    /// file's). A server that cannot be reached fails at once, naming the URL without its
    /// password ([`StoreError::is_unreachable`] tells that case apart).
    pub async fn open(url: &str) -> Result<Store> {
        Self::open_with(url, &StoreOptions::default()).await
    }

    /// [`Store::open`] with the pool size and statement timeout of `options`.
    pub async fn open_with(url: &str, options: &StoreOptions) -> Result<Store> {
        Self::open_at(&Engine::locate(url)?, url, options).await
    }

    /// Opens a SQLite database file at `path` (created if missing).
    pub async fn open_sqlite_path(path: &Path) -> Result<Store> {
        Self::open_sqlite_path_with(path, &StoreOptions::default()).await
    }

    /// Opens the store at `url` for reading only: nothing done through this handle can
    /// write (SQLite `mode=ro`; PostgreSQL sessions whose transactions are read-only), so
    /// it works on a database syndic may not write. A SQLite file whose folder is not
    /// writable either is read as `immutable` (a note says so: changes made meanwhile by
    /// another process are not seen). A store that does not exist yet or has an older
    /// schema is first created or upgraded as [`Store::open`] would, when it can be.
    pub async fn open_read_only(url: &str) -> Result<Store> {
        Self::open_read_only_with(url, &StoreOptions::default()).await
    }

    /// [`Store::open_read_only`] with the pool size and statement timeout of `options`.
    pub async fn open_read_only_with(url: &str, options: &StoreOptions) -> Result<Store> {
        reading::open(&Engine::locate(url)?, url, options).await
    }

    /// [`Store::open_read_only`] for a SQLite file at `path`.
    pub async fn open_sqlite_path_read_only(path: &Path) -> Result<Store> {
        Self::open_sqlite_path_read_only_with(path, &StoreOptions::default()).await
    }

    /// [`Store::open_sqlite_path_read_only`] with the settings of `options`.
    pub async fn open_sqlite_path_read_only_with(
        path: &Path,
        options: &StoreOptions,
    ) -> Result<Store> {
        let text = path.display().to_string();
        reading::open(&engine::Location::sqlite_file(path)?, &text, options).await
    }

    /// [`Store::open_sqlite_path`] with the settings of `options`.
    pub async fn open_sqlite_path_with(path: &Path, options: &StoreOptions) -> Result<Store> {
        let text = path.display().to_string();
        Self::open_at(&engine::Location::sqlite_file(path)?, &text, options).await
    }

    async fn open_at(
        location: &engine::Location,
        url: &str,
        options: &StoreOptions,
    ) -> Result<Store> {
        let dictionaries = Arc::<body::dictionary::Dictionaries>::default();
        let pool = Engine::connect_reading(location, url, options, Some(Arc::clone(&dictionaries)))
            .await?;
        let engine = location.engine;
        if let Err(error) = migrate::apply(&pool, engine).await {
            pool.close().await;
            return Err(error);
        }
        let store = Store {
            pool,
            engine,
            read_only: location.read_only,
            indexer: Arc::default(),
            origin: location.origin(url).into(),
            keep_revisions: options.keep_revisions(),
            dictionaries,
            dictionary_grace: options.dictionary_grace(),
            turns: (engine == Engine::Sqlite && !location.read_only)
                .then(|| writer::Turns::new(location.busy_timeout)),
        };
        store.read_dictionaries().await?;
        if !location.read_only {
            // Posts a crashed run (or migration 12) left waiting for the search index.
            let indexed = store.index_search().await?;
            if indexed > 0 {
                tracing::info!(posts = indexed, "search index caught up");
            }
        }
        Ok(store)
    }

    /// Reads the store's body dictionaries (the schema must have them: version 27).
    pub(crate) async fn read_dictionaries(&self) -> Result<()> {
        use crate::error::QueryContext;
        let mut conn = self
            .pool
            .acquire()
            .await
            .during("reading the body dictionaries")?;
        self.dictionaries.read(&mut conn).await
    }

    /// Whether this handle was opened read-only ([`Store::open_read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The schema version the store is at (the last migration applied), read from the
    /// store: also a cheap check that it answers.
    pub async fn schema_version(&self) -> Result<i64> {
        use crate::error::QueryContext;
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(&self.pool)
            .await
            .during("reading the schema version")
    }

    /// The name of the engine holding the store (`sqlite` or `postgres`), for logs.
    pub fn engine_name(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }

    /// Whether the engine lets one writer in at a time (SQLite): writers in this process
    /// queue for it, so work meant for the store waits in line rather than in parallel.
    pub fn one_writer(&self) -> bool {
        matches!(self.engine, Engine::Sqlite)
    }

    /// A write transaction, begun as the engine begins writes; `action` names it in errors.
    pub(crate) async fn write(&self, action: &'static str) -> Result<writer::WriteTx> {
        use crate::error::QueryContext;
        let turn = match &self.turns {
            Some(turns) => turns.take().await,
            None => None,
        };
        let tx = self
            .pool
            .begin_with(self.engine.begin_write())
            .await
            .during(action)?;
        Ok(writer::WriteTx::new(tx, turn))
    }

    /// Closes every connection (on SQLite, checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The schema version this syndic brings every store to (its last migration's).
pub fn current_schema_version() -> i64 {
    migrate::latest()
}

/// A database URL fit for logs and error messages: any password (in the authority or as a
/// `password=` parameter) is replaced.
pub fn redact(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let in_query = parsed.query_pairs().any(|(key, _)| key == "password");
    if parsed.password().is_none() && !in_query {
        return url.to_owned();
    }
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    if in_query {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(key, value)| {
                let value = if key == "password" {
                    "***".into()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
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

/// The SHA-256 of `bytes` in lowercase hex: the store's keys of image addresses and page
/// texts, and (through syndic-fetch) body hashes and the media cache's file names.
pub fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
