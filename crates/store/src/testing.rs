//! Test support (feature `testing`): a fresh, empty database for one test on either engine,
//! so that every test can run on SQLite and on PostgreSQL alike.
//!
//! SQLite databases are files in a temporary folder. PostgreSQL databases are schemas of
//! their own in the server named by [`POSTGRES_URL_VAR`], created for the test and reached
//! through a URL that puts the schema first on the search path; dropping the
//! [`TestDatabase`] drops the schema. Tests in parallel threads and processes never see
//! each other's rows. Schemas left by a killed run are removed by a later run once they
//! are a few hours old.

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::{AnyConnection, Connection, Executor, Row};

use crate::{Result, Store};

mod size;
pub use size::{IndexVariant, StoreSize, checkpoint, index_variant_bytes, store_size};

/// [`Store::search_results`] with at most `most` candidates instead of
/// [`crate::MAX_CANDIDATES`]: what the size bench times to choose the cap.
pub async fn search_results_among(
    store: &Store,
    query: &crate::SearchQuery,
    page: syndic_core::Page,
    most: usize,
) -> Result<crate::SearchResults> {
    store.search_results_among(query, page, most).await
}

/// The environment variable naming the PostgreSQL server tests may use
/// (`postgres://USER@HOST:PORT/DATABASE`); PostgreSQL tests skip when it is unset.
pub const POSTGRES_URL_VAR: &str = "SYNDIC_TEST_POSTGRES_URL";

/// Prefix of the schemas made for tests.
const SCHEMA_PREFIX: &str = "syndic_test_";

/// Schemas of killed runs are dropped once this old.
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// Which engine a test database is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestEngine {
    Sqlite,
    Postgres,
}

impl TestEngine {
    /// Both engines, SQLite first.
    pub const ALL: [TestEngine; 2] = [TestEngine::Sqlite, TestEngine::Postgres];
}

/// A fresh database for one test, removed when dropped.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    engine: TestEngine,
    dir: Option<tempfile::TempDir>,
    schema: Option<Schema>,
}

#[derive(Debug)]
struct Schema {
    base_url: String,
    name: String,
}

impl TestDatabase {
    /// A fresh database on `engine`; `None` (after printing one line saying why `test` is
    /// skipped) when that is PostgreSQL and [`POSTGRES_URL_VAR`] is unset.
    ///
    /// # Panics
    /// When the database cannot be made: a test cannot run without it.
    pub fn new(engine: TestEngine, test: &str) -> Option<TestDatabase> {
        match engine {
            TestEngine::Sqlite => Some(TestDatabase::sqlite()),
            TestEngine::Postgres => TestDatabase::postgres(test),
        }
    }

    /// A SQLite file in a new temporary folder.
    ///
    /// # Panics
    /// When no temporary folder can be made.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary folder for a test database");
        let path = dir.path().join("test.db");
        TestDatabase {
            url: format!("sqlite://{}", path.display()),
            engine: TestEngine::Sqlite,
            dir: Some(dir),
            schema: None,
        }
    }

    /// A new schema in the server [`POSTGRES_URL_VAR`] names, or `None` (after printing one
    /// line) when it is unset.
    ///
    /// # Panics
    /// When the server cannot be reached or refuses the schema.
    pub fn postgres(test: &str) -> Option<TestDatabase> {
        TestDatabase::try_postgres(test)
            .unwrap_or_else(|e| panic!("cannot make a test schema in {POSTGRES_URL_VAR}: {e}"))
    }

    /// [`TestDatabase::postgres`] without the panic, for benchmarks that go on without
    /// PostgreSQL: `Err` says why the schema could not be made (the server is down, refuses
    /// the user, ...).
    pub fn try_postgres(test: &str) -> Result<Option<TestDatabase>, String> {
        let Some(base_url) = postgres_url() else {
            println!("skipped {test} on PostgreSQL: {POSTGRES_URL_VAR} is not set");
            return Ok(None);
        };
        let name = schema_name();
        let url = schema_url(&base_url, &name);
        let (create_base, create_name) = (base_url.clone(), name.clone());
        blocking(async move { create_schema(&create_base, &create_name).await })?;
        Ok(Some(TestDatabase {
            url,
            engine: TestEngine::Postgres,
            dir: None,
            schema: Some(Schema { base_url, name }),
        }))
    }

    /// The database's URL, for [`Store::open`] or a configuration file.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn engine(&self) -> TestEngine {
        self.engine
    }

    /// The temporary folder of a SQLite database (`None` on PostgreSQL).
    pub fn folder(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.path().to_path_buf())
    }

    /// Opens the store, applying the migrations.
    ///
    /// # Panics
    /// When it cannot be opened.
    pub async fn open(&self) -> Store {
        Store::open(&self.url)
            .await
            .unwrap_or_else(|e| panic!("cannot open the test database {}: {e}", self.url))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(schema) = self.schema.take() {
            let Schema { base_url, name } = schema;
            let _ = blocking(async move { drop_schema(&base_url, &name).await });
        }
    }
}

/// Runs the bodies' upkeep (`body/upkeep.rs`) until nothing is left to rewrite: what
/// a store's indexing passes reach over time, at once. Returns the bodies read.
pub async fn settle_bodies(store: &Store) -> Result<u64> {
    let mut read = 0;
    loop {
        let pass = store.body_upkeep(u64::MAX).await?;
        if pass == 0 {
            return Ok(read);
        }
        read += pass;
    }
}

/// Gives the store a body dictionary of `bytes` (any bytes make a raw-content zstd
/// dictionary), usable at once, and rewrites every body it makes smaller: bodies of format
/// 2 without a thousand posts to train on, for tests of other processes reading them.
pub async fn use_dictionary(store: &Store, bytes: &[u8]) -> Result<u64> {
    use crate::error::QueryContext;
    sqlx::query("INSERT INTO body_dictionaries (id, dictionary, usable_from) VALUES ($1, $2, 0)")
        .bind(crate::body::dictionary::id_of(bytes))
        .bind(bytes.to_vec())
        .execute(&store.pool)
        .await
        .during("adding a body dictionary")?;
    store.read_dictionaries().await?;
    settle_bodies(store).await
}

/// How many posts' bodies are of each format (0 plain, 1 zstd, 2 zstd with a dictionary).
pub async fn body_formats(store: &Store) -> Result<Vec<(u8, u64)>> {
    use crate::error::QueryContext;
    let first_byte = match store.engine {
        crate::engine::Engine::Sqlite => "hex(substr(body, 1, 1))",
        crate::engine::Engine::Postgres => "encode(substring(body from 1 for 1), 'hex')",
    };
    let sql = format!(
        "SELECT {first_byte} AS format, COUNT(*) AS posts FROM posts GROUP BY {first_byte} ORDER BY 1"
    );
    let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&store.pool)
        .await
        .during("counting the bodies' formats")?;
    Ok(rows
        .into_iter()
        .map(|(format, posts)| {
            let format = u8::from_str_radix(&format, 16).unwrap_or(u8::MAX);
            (format, u64::try_from(posts).unwrap_or(0))
        })
        .collect())
}

/// The PostgreSQL server tests may use, from [`POSTGRES_URL_VAR`].
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Runs raw SQL (one or more statements) on the store: for fixtures a test cannot make
/// through the store's API (an old schema, a damaged row). Returns the rows affected.
pub async fn execute(store: &Store, sql: &str) -> Result<u64> {
    use crate::error::QueryContext;
    let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&store.pool)
        .await
        .during("running a test's SQL")?;
    Ok(done.rows_affected())
}

fn schema_name() -> String {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{SCHEMA_PREFIX}{secs}_{}_{}_{nanos}",
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    )
}

fn schema_url(base_url: &str, schema: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(mut url) => {
            // The schema also names the connections, so that dropping it can end those a
            // test left behind (one idle in a transaction would hold the drop forever).
            url.query_pairs_mut()
                .append_pair("options[search_path]", schema)
                .append_pair("application_name", schema);
            url.to_string()
        }
        Err(_) => base_url.to_owned(),
    }
}

async fn create_schema(base_url: &str, name: &str) -> Result<(), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(base_url).await?;
    drop_stale_schemas(&mut conn).await?;
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{name}\"")))
        .await?;
    conn.close().await
}

async fn drop_schema(base_url: &str, name: &str) -> Result<(), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(base_url).await?;
    let ended = sqlx::query(
        "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity
         WHERE application_name = $1 AND pid <> pg_backend_pid()",
    )
    .bind(name)
    .fetch_all(&mut conn)
    .await?;
    if !ended.is_empty() {
        // Give the ended sessions a moment to release their locks.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    conn.execute(sqlx::AssertSqlSafe(format!(
        "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS \"{name}\" CASCADE"
    )))
    .await?;
    conn.close().await
}

/// Drops test schemas older than [`STALE_AFTER`] (by the time in their name).
async fn drop_stale_schemas(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let rows = conn
        .fetch_all("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'syndic\\_test\\_%'")
        .await?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for row in rows {
        let name: String = row.try_get(0)?;
        let born: Option<u64> = name
            .strip_prefix(SCHEMA_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse().ok());
        if born.is_some_and(|born| now.saturating_sub(born) > STALE_AFTER.as_secs()) {
            conn.execute(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS \"{name}\" CASCADE"
            )))
            .await?;
        }
    }
    Ok(())
}

/// Runs `work` to completion on a runtime of its own, in a thread of its own: callable
/// from synchronous tests, from async ones and from `Drop`.
fn blocking<T, F>(work: F) -> Result<T, String>
where
    T: Send + 'static,
    F: Future<Output = Result<T, sqlx::Error>> + Send + 'static,
{
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(work).map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the database thread panicked".to_owned())?
}

/// For the ingest benchmark: the bare insert it compares `syndic fetch` with, a plain
/// table with a post's columns (text and HTML as they are, no search index, no tags), filled
/// one transaction per feed with the statements ingest uses (multi-row, about 250
/// parameters each).
pub mod bare {
    use sqlx::{Connection, Executor};
    use syndic_core::FeedEntry;

    use crate::error::QueryContext;
    use crate::sql::Sql;
    use crate::{Result, Store};

    /// Creates the table (empty).
    pub async fn create(store: &Store) -> Result<()> {
        store
            .pool
            .execute(
                "DROP TABLE IF EXISTS bare_posts;
                 CREATE TABLE bare_posts (
                     id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL, guid TEXT NOT NULL,
                     title TEXT NOT NULL, link TEXT, author TEXT, published_at INTEGER NOT NULL,
                     updated_at INTEGER, first_seen_at INTEGER NOT NULL,
                     content_html TEXT NOT NULL, content_text TEXT NOT NULL,
                     categories TEXT NOT NULL, language TEXT,
                     UNIQUE (source_id, guid))",
            )
            .await
            .during("creating the bare table")?;
        Ok(())
    }

    /// Inserts one feed's entries in one transaction.
    pub async fn insert_feed(store: &Store, source: i64, entries: &[FeedEntry]) -> Result<()> {
        let mut conn = store.pool.acquire().await.during("bare insert")?;
        let mut tx = conn.begin().await.during("bare insert")?;
        for chunk in entries.chunks(store.engine.rows_per_statement(12)) {
            let mut insert = Sql::new(
                "INSERT INTO bare_posts (source_id, guid, title, link, author, published_at,
                     updated_at, first_seen_at, content_html, content_text, categories,
                     language) VALUES ",
            );
            insert.push_list(chunk, |sql, entry| {
                let published = entry.published.map_or(0, |d| d.timestamp());
                sql.push("(")
                    .bind(source)
                    .push(", ")
                    .bind(entry.guid.clone())
                    .push(", ")
                    .bind(entry.title.clone())
                    .push(", ")
                    .bind(entry.link.clone())
                    .push(", ")
                    .bind(entry.author.clone())
                    .push(", ")
                    .bind(published)
                    .push(", NULL, ")
                    .bind(published)
                    .push(", ")
                    .bind(entry.content_html.clone())
                    .push(", ")
                    .bind(entry.content_text.clone())
                    .push(", ")
                    .bind(serde_json::to_string(&entry.categories).unwrap_or_default())
                    .push(", ")
                    .bind(entry.language.clone())
                    .push(")");
            });
            insert.execute(&mut tx, "bare insert").await?;
        }
        tx.commit().await.during("bare insert")?;
        Ok(())
    }
}

/// The bytes a PostgreSQL store takes on disk: every table of its schema with its indexes
/// and out-of-line values (`pg_total_relation_size`). `None` on SQLite: measure its files.
pub async fn postgres_bytes(store: &Store) -> Result<Option<u64>> {
    use crate::error::QueryContext;
    if store.engine == crate::engine::Engine::Sqlite {
        return Ok(None);
    }
    let bytes: Option<i64> = sqlx::query_scalar(
        "SELECT SUM(pg_total_relation_size(c.oid))::bigint FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r'",
    )
    .fetch_one(&store.pool)
    .await
    .during("measuring the store")?;
    Ok(bytes.and_then(|b| u64::try_from(b).ok()))
}

/// The process ids of the PostgreSQL server processes serving the other sessions of this
/// store's database: those whose application name is this store's (a [`TestDatabase`]'s
/// URL names every connection after its schema). For benchmarks that set the server's CPU
/// beside syndic's. Empty on SQLite.
pub async fn server_pids(store: &Store) -> Result<Vec<u32>> {
    use crate::error::QueryContext;
    if store.engine == crate::engine::Engine::Sqlite {
        return Ok(Vec::new());
    }
    let pids: Vec<i64> = sqlx::query_scalar(
        "SELECT pid::bigint FROM pg_stat_activity
         WHERE application_name = current_setting('application_name')
           AND pid <> pg_backend_pid()",
    )
    .fetch_all(&store.pool)
    .await
    .during("listing the server's sessions")?;
    Ok(pids
        .into_iter()
        .filter_map(|pid| u32::try_from(pid).ok())
        .collect())
}
