//! The two database engines behind [`Store`](crate::Store), and every way they differ.
//!
//! Queries are written once, against sqlx's `Any` driver, in the SQL both engines share:
//! `$n` parameters, integer UTC seconds for times, `RETURNING`, `ON CONFLICT`, row values.
//! What differs lives here, one method per difference, each answered by the engine's own
//! module ([`sqlite`], [`postgres`]): how to connect and what every new connection is told,
//! how a write transaction begins, how a claim skips rows other claims hold, the
//! two-argument maximum, how to keep a join's order, how many parameters one statement may
//! carry, the migrations, and full-text search (a contentless FTS5 table on SQLite,
//! documents of word keys with a GIN index on PostgreSQL). Query modules ask the engine for a fragment
//! instead of branching on it, so a third engine would be one more module and one more
//! variant, with the compiler pointing at every method it must answer.

mod catalog;
mod location;
mod postgres;
mod sqlite;

pub(crate) use location::{BUSY_TIMEOUT, Location};

use std::sync::Arc;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool};

use crate::body::dictionary::Dictionaries;
use crate::error::Cause;
use crate::migrate::Migration;
use crate::sql::Sql;
use crate::{Result, StoreError, StoreOptions, redact};

/// A database engine syndic can keep its store in: a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

/// How long a pooled connection may sit idle before it is checked (pinged) again before
/// use: sqlx checks each one as it comes back to the pool, so a connection used a moment
/// ago is known to work.
const PING_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

impl Engine {
    /// The engine a database URL names, and how to reach it: `sqlite://PATH`,
    /// `sqlite:PATH`, `sqlite::memory:` or a plain file path for SQLite;
    /// `postgres://…` or `postgresql://…` for PostgreSQL. Anything else is refused with a
    /// hint.
    pub(crate) fn locate(url: &str) -> Result<Location> {
        match scheme(url) {
            Some("sqlite") => sqlite::locate(url),
            Some("postgres" | "postgresql") => Ok(postgres::locate(url)),
            Some(other) if other.len() > 1 => Err(StoreError::UnsupportedBackend {
                url: redact(url),
                hint: format!(
                    "syndic stores posts in SQLite or PostgreSQL, not {other:?}; write \
                     sqlite://PATH or postgres://USER@HOST/DATABASE"
                ),
            }),
            // No scheme (or a one-letter drive name): a path to a SQLite file.
            _ => sqlite::locate_path(url),
        }
    }

    /// Opens a pool on `location` set up as `options` say, after one probe connection that
    /// fails fast (and with the real cause) when the database cannot be reached at all.
    pub(crate) async fn connect(
        location: &Location,
        url: &str,
        options: &StoreOptions,
    ) -> Result<AnyPool> {
        Self::connect_reading(location, url, options, None).await
    }

    /// [`Engine::connect`], and before a connection is handed out the store's body
    /// dictionaries are read again when due (`body/dictionary.rs`).
    pub(crate) async fn connect_reading(
        location: &Location,
        url: &str,
        options: &StoreOptions,
        dictionaries: Option<Arc<Dictionaries>>,
    ) -> Result<AnyPool> {
        sqlx::any::install_default_drivers();
        let open_error = |source| {
            StoreError::caused(
                source,
                || format!("opening {}", redact(url)),
                |source| StoreError::Open {
                    url: redact(url),
                    hint: location.engine.open_hint(),
                    source,
                },
            )
        };
        // sqlx warns of any statement slower than a second, with its whole text: an
        // indexing pass's multi-row writes (thousands of placeholders) take that long by
        // design. Such statements are logged at debug level (`-vv`) instead.
        let connect = location
            .connect_url
            .parse::<AnyConnectOptions>()
            .map_err(open_error)?
            .log_slow_statements(log::LevelFilter::Debug, std::time::Duration::from_secs(1));
        let mut probe = <AnyConnection as sqlx::Connection>::connect_with(&connect)
            .await
            .map_err(open_error)?;
        let engine = location.engine;
        let read_only = location.read_only;
        let statement_timeout = options.statement_timeout;
        // SQLite cannot cancel a running statement from here: a statement timeout bounds
        // the one wait it can, for another writer's lock.
        let busy_timeout = statement_timeout.unwrap_or(location.busy_timeout);
        // Prepared like every pooled connection: a file that is not a database fails here
        // with its own error, where the pool would retry until it timed out.
        engine
            .prepare_connection(&mut probe, read_only, busy_timeout, statement_timeout)
            .await
            .map_err(open_error)?;
        let mut pool = AnyPoolOptions::new()
            .max_connections(engine.max_connections(location, options))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    engine
                        .prepare_connection(conn, read_only, busy_timeout, statement_timeout)
                        .await
                })
            })
            // sqlx pings every connection it hands out, and again as it takes one back: a
            // round trip each on PostgreSQL (a hop to the connection's thread on SQLite),
            // two of a page's statements' worth. The ping after each use stays; the one
            // before is only for a connection that sat idle long enough for the server
            // to have gone away meanwhile.
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                let dictionaries = dictionaries.clone();
                Box::pin(async move {
                    if meta.idle_for >= PING_AFTER_IDLE
                        && sqlx::Connection::ping(&mut *conn).await.is_err()
                    {
                        // Gone: the pool closes it and hands out another.
                        return Ok(false);
                    }
                    if let Some(dictionaries) = dictionaries
                        && dictionaries.due()
                        && let Err(error) = dictionaries.read(conn).await
                    {
                        tracing::warn!(error = %error, "cannot read the body dictionaries again");
                    }
                    Ok(true)
                })
            });
        if location.in_memory {
            // The database lives as long as one of its connections: keep that one forever.
            pool = pool
                .idle_timeout(None)
                .max_lifetime(None)
                .min_connections(1);
        }
        let pool = pool.connect_with(connect).await.map_err(open_error);
        // Closed after the pool opened, so an in-memory database is never left without a
        // connection in between.
        let _ = sqlx::Connection::close(probe).await;
        pool
    }

    /// What to check when a store cannot be opened.
    fn open_hint(self) -> &'static str {
        match self {
            Engine::Sqlite => "check that the file's folder exists and syndic may write there",
            Engine::Postgres => {
                "check that the server runs and listens there, and that the database exists \
                 and lets this user in"
            }
        }
    }

    /// The pool's size: as configured (on SQLite, readers run beside the one writer in
    /// WAL mode), else the location's own (one connection for an in-memory database).
    fn max_connections(self, location: &Location, options: &StoreOptions) -> u32 {
        if location.in_memory {
            return 1;
        }
        options
            .pool_size
            .map_or(location.pool_size, std::num::NonZeroU32::get)
            .max(1)
    }

    /// What every new connection is told before use (SQLite's PRAGMAs, PostgreSQL's
    /// statement timeout).
    async fn prepare_connection(
        self,
        conn: &mut AnyConnection,
        read_only: bool,
        busy_timeout: Duration,
        statement_timeout: Option<Duration>,
    ) -> Result<(), sqlx::Error> {
        match self {
            Engine::Sqlite => sqlite::prepare_connection(conn, read_only, busy_timeout).await,
            Engine::Postgres => postgres::prepare_connection(conn, statement_timeout).await,
        }
    }

    /// What a migration's transaction runs first: no statement timeout for the schema's
    /// own changes, which may rewrite every row.
    pub(crate) fn migration_preamble(self) -> Option<&'static str> {
        match self {
            Engine::Sqlite => None,
            Engine::Postgres => Some(postgres::MIGRATION_PREAMBLE),
        }
    }

    /// The statement that begins a write transaction.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Engine::Sqlite => sqlite::BEGIN_WRITE,
            Engine::Postgres => postgres::BEGIN_WRITE,
        }
    }

    /// What settles the search index after an indexing pass wrote entries, if anything:
    /// on PostgreSQL, merging the GIN index's pending list (see `postgres::SETTLE_SEARCH`).
    pub(crate) fn settle_search(self) -> Option<&'static str> {
        match self {
            Engine::Sqlite => None,
            Engine::Postgres => Some(postgres::SETTLE_SEARCH),
        }
    }

    /// The statements that fold `listing_days` (`listing/days.rs`), in one write
    /// transaction.
    pub(crate) fn fold_listing_days(self) -> &'static [&'static str] {
        match self {
            Engine::Sqlite => sqlite::FOLD_LISTING_DAYS,
            Engine::Postgres => postgres::FOLD_LISTING_DAYS,
        }
    }

    /// A `SELECT` of one listing's spans as `(day, posts)` rows, one a span, the listing
    /// named by the placeholders `kind` and `key` (see `listing/days.rs`).
    pub(crate) fn listing_days(self, kind: &str, key: &str) -> String {
        let one_row_a_day = match self {
            Engine::Sqlite => sqlite::LISTING_DAYS,
            Engine::Postgres => postgres::LISTING_DAYS,
        };
        one_row_a_day.replace("{kind}", kind).replace("{key}", key)
    }

    /// A JSON array of the SQL values `items` (comma-separated).
    pub(crate) fn json_array(self, items: &str) -> String {
        match self {
            Engine::Sqlite => format!("json_array({items})"),
            Engine::Postgres => format!("json_build_array({items})"),
        }
    }

    /// An aggregate gathering each row's `value` (a JSON value) into one JSON array, as
    /// text, in no particular order; `NULL` over no rows on PostgreSQL, `[]` on SQLite, so
    /// callers wrap it in `COALESCE(…, '[]')`.
    pub(crate) fn json_array_agg(self, value: &str) -> String {
        match self {
            Engine::Sqlite => format!("json_group_array({value})"),
            Engine::Postgres => format!("CAST(json_agg({value}) AS TEXT)"),
        }
    }

    /// The statement that begins a read of several statements in one snapshot.
    pub(crate) fn begin_read(self) -> &'static str {
        match self {
            Engine::Sqlite => sqlite::BEGIN_READ,
            Engine::Postgres => postgres::BEGIN_READ,
        }
    }

    /// What ends the `SELECT` that picks the rows a claim takes (the sources a claim leases,
    /// see [`crate::lease`]; the posts an indexing pass takes, see [`crate::search`]):
    /// on PostgreSQL `FOR UPDATE SKIP LOCKED`, so that claims by many workers at once lock
    /// disjoint rows and never wait for one another; on SQLite nothing, as the claim's
    /// immediate write transaction ([`Engine::begin_write`]) already serializes claims.
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Engine::Sqlite => sqlite::SKIP_LOCKED,
            Engine::Postgres => postgres::SKIP_LOCKED,
        }
    }

    /// The larger of two values, as a function name: `NAME(a, b)`.
    pub(crate) fn greatest(self) -> &'static str {
        match self {
            Engine::Sqlite => "MAX",
            Engine::Postgres => "GREATEST",
        }
    }

    /// A join that the planner must drive from its left side, written `LEFT <this> RIGHT
    /// ON …`. SQLite keeps the order of a `CROSS JOIN`; PostgreSQL plans an inner join
    /// from its statistics (and accepts no `ON` after `CROSS JOIN`).
    pub(crate) fn ordered_join(self) -> &'static str {
        match self {
            Engine::Sqlite => "CROSS JOIN",
            Engine::Postgres => "JOIN",
        }
    }

    /// How many rows of `per_row` parameters one statement should carry: within the
    /// engine's limit (SQLite 32766, PostgreSQL 65535) and its cheapest size. One parameter
    /// is left for the statement's own (a source id).
    pub(crate) fn rows_per_statement(self, per_row: usize) -> usize {
        let budget = match self {
            Engine::Sqlite => sqlite::PARAMETERS_PER_STATEMENT,
            Engine::Postgres => postgres::PARAMETERS_PER_STATEMENT,
        };
        ((budget - 1) / per_row.max(1)).max(1)
    }

    /// The engine's migrations, in order.
    /// A `SELECT` of (key, value) rows from the JSON object in parameter `$1`, keys as text
    /// and values as integers: many counts written in one statement.
    pub(crate) fn json_counts(self) -> &'static str {
        match self {
            Engine::Sqlite => sqlite::JSON_COUNTS,
            Engine::Postgres => postgres::JSON_COUNTS,
        }
    }

    pub(crate) fn migrations(self) -> &'static [Migration] {
        match self {
            Engine::Sqlite => sqlite::MIGRATIONS,
            Engine::Postgres => postgres::MIGRATIONS,
        }
    }

    /// The table that records which migrations ran.
    pub(crate) fn migrations_table(self) -> &'static str {
        match self {
            Engine::Sqlite => sqlite::MIGRATIONS_TABLE,
            Engine::Postgres => postgres::MIGRATIONS_TABLE,
        }
    }

    /// A query counting the tables named `schema_migrations` in the store (0 or 1).
    pub(crate) fn migrations_table_exists(self) -> &'static str {
        match self {
            Engine::Sqlite => sqlite::MIGRATIONS_TABLE_EXISTS,
            Engine::Postgres => postgres::MIGRATIONS_TABLE_EXISTS,
        }
    }

    /// A statement that takes the migration lock inside a write transaction, when the
    /// write transaction alone does not exclude other migrating processes.
    pub(crate) fn migration_lock(self) -> Option<&'static str> {
        match self {
            Engine::Sqlite => None,
            Engine::Postgres => Some(postgres::MIGRATION_LOCK),
        }
    }

    /// `FROM … WHERE <match>` over the posts `p` whose index entry holds every word of
    /// the search: the candidates. SQLite's FTS5 reads `expression` (quoted words, see
    /// [`crate::search`]); PostgreSQL's documents are matched by the keys of `phrases`'
    /// words ([`crate::search::keys`]).
    pub(crate) fn push_search_candidates(
        self,
        sql: &mut Sql,
        expression: &str,
        phrases: &[Vec<String>],
    ) {
        match self {
            Engine::Sqlite => sqlite::push_search_candidates(sql, expression),
            Engine::Postgres => postgres::push_search_candidates(sql, phrases),
        }
    }

    /// `ORDER BY` for search candidates, newest stored (highest id) first, in the form the
    /// engine's index can follow and stop early.
    pub(crate) fn candidate_order(self) -> &'static str {
        match self {
            Engine::Sqlite => sqlite::CANDIDATE_ORDER,
            Engine::Postgres => postgres::CANDIDATE_ORDER,
        }
    }

    /// Writes the search entries of `entries`, replacing any the posts in `cleared` (every
    /// post being indexed, deleted ones included) had.
    pub(crate) async fn write_search_entries(
        self,
        conn: &mut AnyConnection,
        cleared: &[i64],
        entries: &[SearchEntry<'_>],
    ) -> Result<()> {
        match self {
            Engine::Sqlite => sqlite::write_search_entries(conn, cleared, entries).await,
            Engine::Postgres => postgres::write_search_entries(conn, entries).await,
        }
    }
}

/// What the search index holds of one post: its title and text, by id.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SearchEntry<'a> {
    pub(crate) id: i64,
    pub(crate) title: &'a str,
    pub(crate) text: &'a str,
}

impl<'a> SearchEntry<'a> {
    /// The entries of posts read as `(id, title, text)`.
    pub(crate) fn all(posts: &'a [(i64, String, String)]) -> Vec<SearchEntry<'a>> {
        posts
            .iter()
            .map(|(id, title, text)| SearchEntry {
                id: *id,
                title,
                text,
            })
            .collect()
    }
}

/// Reading query plans, for the test that checks every page's queries use their indexes.
#[cfg(test)]
impl Engine {
    /// What turns a statement into its plan.
    pub(crate) fn explain(self) -> &'static str {
        match self {
            Engine::Sqlite => "EXPLAIN QUERY PLAN ",
            Engine::Postgres => "EXPLAIN ",
        }
    }

    /// The column of a plan row that describes the step.
    pub(crate) fn plan_column(self) -> usize {
        match self {
            Engine::Sqlite => 3,
            Engine::Postgres => 0,
        }
    }
}

/// Whether opening a SQLite file read-only failed in a way only `immutable` gets past.
pub(crate) fn needs_immutable(error: &StoreError) -> bool {
    use std::error::Error;
    error
        .source()
        .and_then(|source| source.downcast_ref::<sqlx::Error>())
        .is_some_and(sqlite::needs_immutable)
}

/// The [`Cause`] a SQLite extended result code names, if any.
pub(crate) fn sqlite_cause(code: i32) -> Option<Cause> {
    sqlite::cause(code)
}

/// The [`Cause`] a PostgreSQL SQLSTATE names, if any.
pub(crate) fn postgres_cause(state: &str) -> Option<Cause> {
    postgres::cause(state)
}

/// The URL's scheme, lower-cased, when it has one.
fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let valid = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_engine() {
        let engine = |url: &str| Engine::locate(url).map(|l| l.engine).ok();
        assert_eq!(engine("sqlite://syndic.db"), Some(Engine::Sqlite));
        assert_eq!(engine("sqlite:syndic.db"), Some(Engine::Sqlite));
        assert_eq!(engine("sqlite::memory:"), Some(Engine::Sqlite));
        assert_eq!(engine("data/syndic.db"), Some(Engine::Sqlite));
        assert_eq!(engine("/var/lib/syndic.db"), Some(Engine::Sqlite));
        assert_eq!(engine("postgres://u@h/db"), Some(Engine::Postgres));
        assert_eq!(engine("postgresql://u@h/db"), Some(Engine::Postgres));
        assert_eq!(engine("mysql://localhost/x"), None);
    }

    #[test]
    fn both_engines_end_at_the_same_schema_version() {
        let last = |engine: Engine| engine.migrations().last().map(|m| m.version);
        assert_eq!(last(Engine::Sqlite), last(Engine::Postgres));
        assert_eq!(last(Engine::Sqlite), Some(crate::migrate::latest()));
    }

    #[test]
    fn statements_stay_under_each_engines_parameter_limit() {
        for engine in [Engine::Sqlite, Engine::Postgres] {
            for per_row in [1, 4, 11, 40_000, 70_000] {
                let rows = engine.rows_per_statement(per_row);
                assert!(rows >= 1);
                assert!(
                    rows == 1 || rows * per_row <= 65_535,
                    "{engine:?} {per_row}"
                );
            }
        }
        assert!(Engine::Sqlite.rows_per_statement(11) * 11 < 32_766);
        assert!(Engine::Postgres.rows_per_statement(11) * 11 < 65_535);
    }
}
