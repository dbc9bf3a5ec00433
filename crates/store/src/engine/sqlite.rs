//! SQLite: one file (or memory), WAL journal, search in a contentless FTS5 table written by
//! the batch indexer.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sqlx::{AnyConnection, Executor};

use super::{BUSY_TIMEOUT, Engine, Location};
use crate::error::{Cause, QueryContext};
use crate::migrate::Migration;
use crate::{Result, StoreError, redact};

mod search;
pub(super) use search::*;

/// `BEGIN IMMEDIATE` takes SQLite's write lock up front, so a transaction that reads
/// before it writes waits its turn (busy timeout) instead of failing with "database is
/// locked" when another writer committed in between, as concurrent ingests would otherwise.
pub(super) const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// Folds `listing_days` (`listing/days.rs`): SQLite keeps one row per listing day, which
/// its triggers add to in place (migration 29), so a fold only drops the days that came
/// to nothing (found by their partial index).
pub(super) const FOLD_LISTING_DAYS: &[&str] = &["DELETE FROM listing_days WHERE posts = 0"];

/// One listing's spans (`Engine::listing_days`): the triggers keep one row a listing and
/// span (migrations 29 and 30), read in the primary key's order.
pub(super) const LISTING_DAYS: &str =
    "SELECT day, posts FROM listing_days WHERE kind = {kind} AND key = {key}";

/// A deferred transaction reads one snapshot of the WAL from its first read on.
pub(super) const BEGIN_READ: &str = "BEGIN";

/// No row locks: the claim runs in an immediate write transaction, which no other writer
/// (another worker's claim included) can run beside.
pub(super) const SKIP_LOCKED: &str = "";

/// Parameters per multi-row statement. SQLite allows 32766, but it looks each `$n` up by
/// name in a list while parsing, so a statement's parse time grows with the square of its
/// parameters: 3,100 posts in statements of 32,000 parameters took 5.7 s to insert, in
/// statements of 250 about 0.1 s.
pub(super) const PARAMETERS_PER_STATEMENT: usize = 250;

pub(super) const JSON_COUNTS: &str = "SELECT key, value FROM json_each($1)";

pub(super) const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
     version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

pub(super) const MIGRATIONS_TABLE_EXISTS: &str =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";

pub(super) const MIGRATIONS: &[Migration] = &[
    Migration::new(
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    Migration::new(
        2,
        "search",
        include_str!("../../migrations/sqlite/0002_search.sql"),
    ),
    Migration::new(
        3,
        "change_clock",
        include_str!("../../migrations/sqlite/0003_change_clock.sql"),
    ),
    Migration::new(
        4,
        "fetch_state",
        include_str!("../../migrations/sqlite/0004_fetch_state.sql"),
    ),
    Migration::new(
        5,
        "websub",
        include_str!("../../migrations/sqlite/0005_websub.sql"),
    ),
    Migration::new(
        6,
        "websub_state_since",
        include_str!("../../migrations/sqlite/0006_websub_state_since.sql"),
    ),
    Migration::new(
        7,
        "fetch_hint",
        include_str!("../../migrations/sqlite/0007_fetch_hint.sql"),
    ),
    Migration::new(
        8,
        "tagging",
        include_str!("../../migrations/sqlite/0008_tagging.sql"),
    ),
    Migration::new(
        9,
        "change_version",
        include_str!("../../migrations/sqlite/0009_change_version.sql"),
    ),
    Migration::new(
        10,
        "tag_archive_order",
        include_str!("../../migrations/sqlite/0010_tag_archive_order.sql"),
    ),
    Migration::new(
        11,
        "leases",
        include_str!("../../migrations/sqlite/0011_leases.sql"),
    ),
    Migration::new(
        12,
        "post_bodies",
        include_str!("../../migrations/sqlite/0012_post_bodies.sql"),
    )
    .then(
        crate::body::convert::step,
        include_str!("../../migrations/sqlite/0012_post_bodies.after.sql"),
    ),
    Migration::new(
        13,
        "tag_learning",
        include_str!("../../migrations/sqlite/0013_tag_learning.sql"),
    ),
    Migration::new(
        14,
        "moderation",
        include_str!("../../migrations/sqlite/0014_moderation.sql"),
    ),
    Migration::new(
        15,
        "source_settings",
        include_str!("../../migrations/sqlite/0015_source_settings.sql"),
    ),
    Migration::new(
        16,
        "provenance",
        include_str!("../../migrations/sqlite/0016_provenance.sql"),
    ),
    Migration::new(
        17,
        "merging",
        include_str!("../../migrations/sqlite/0017_merging.sql"),
    )
    .then(
        crate::merging::backfill::step,
        include_str!("../../migrations/sqlite/0017_merging.after.sql"),
    ),
    Migration::new(
        18,
        "enclosures",
        include_str!("../../migrations/sqlite/0018_enclosures.sql"),
    ),
    Migration::new(
        19,
        "search_candidates",
        include_str!("../../migrations/sqlite/0019_search_candidates.sql"),
    ),
    Migration::new(
        20,
        "full_text",
        include_str!("../../migrations/sqlite/0020_full_text.sql"),
    ),
    Migration::new(
        21,
        "media failures",
        include_str!("../../migrations/sqlite/0021_media_failures.sql"),
    ),
    Migration::new(
        22,
        "article_claims",
        include_str!("../../migrations/sqlite/0022_article_claims.sql"),
    ),
    Migration::new(
        23,
        "media_files",
        include_str!("../../migrations/sqlite/0023_media_files.sql"),
    ),
    Migration::new(
        24,
        "host_turns",
        include_str!("../../migrations/sqlite/0024_host_turns.sql"),
    ),
    Migration::new(
        25,
        "search_keys",
        include_str!("../../migrations/sqlite/0025_search_keys.sql"),
    ),
    Migration::new(
        26,
        "corpus_pending",
        include_str!("../../migrations/sqlite/0026_corpus_pending.sql"),
    ),
    Migration::new(
        27,
        "body_dictionaries",
        include_str!("../../migrations/sqlite/0027_body_dictionaries.sql"),
    ),
    Migration::new(
        28,
        "listing_days",
        include_str!("../../migrations/sqlite/0028_listing_days.sql"),
    ),
    Migration::new(
        29,
        "listing_days_in_place",
        include_str!("../../migrations/sqlite/0029_listing_days_in_place.sql"),
    ),
    Migration::new(
        30,
        "listing_spans",
        include_str!("../../migrations/sqlite/0030_listing_spans.sql"),
    ),
];

/// Characters of a file path written as themselves in the URL handed to sqlx; the rest
/// are percent-encoded (and decoded again by sqlx).
const PATH_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~');

/// Tells in-memory databases of one process apart.
static MEMORY_DATABASES: AtomicU64 = AtomicU64::new(0);

/// Reads `sqlite://PATH`, `sqlite:PATH` or `sqlite::memory:` (with `?mode=…` and the other
/// query parameters sqlx knows).
pub(super) fn locate(url: &str) -> Result<Location> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, params) = rest.split_once('?').unwrap_or((rest, ""));
    let params: Vec<(String, String)> = url::form_urlencoded::parse(params.as_bytes())
        .into_owned()
        .collect();
    let mode = params
        .iter()
        .find(|(key, _)| key == "mode")
        .map(|(_, value)| value.as_str());
    if path == ":memory:" || mode == Some("memory") {
        return Ok(memory());
    }
    if path.is_empty() {
        return Err(StoreError::UnsupportedBackend {
            url: redact(url),
            hint: "the SQLite URL names no file; write sqlite://PATH".into(),
        });
    }
    let path =
        percent_decode_str(path)
            .decode_utf8()
            .map_err(|_| StoreError::UnsupportedBackend {
                url: redact(url),
                hint: "the SQLite path is not valid UTF-8 once decoded".into(),
            })?;
    file(Path::new(path.as_ref()), &params)
}

/// A plain path to a SQLite file.
pub(super) fn locate_path(path: &str) -> Result<Location> {
    if path.is_empty() {
        return Err(StoreError::UnsupportedBackend {
            url: String::new(),
            hint: "no database given; write sqlite://PATH or postgres://USER@HOST/DATABASE".into(),
        });
    }
    file(Path::new(path), &[])
}

fn memory() -> Location {
    let n = MEMORY_DATABASES.fetch_add(1, Ordering::Relaxed);
    Location {
        engine: Engine::Sqlite,
        connect_url: format!(
            "sqlite:file:syndic-memory-{}-{n}?mode=memory&cache=shared",
            std::process::id()
        ),
        in_memory: true,
        read_only: false,
        file: None,
        params: Vec::new(),
        busy_timeout: BUSY_TIMEOUT,
        pool_size: 1,
    }
}

/// A path to a SQLite file, whatever characters it holds.
pub(super) fn locate_file(path: &Path) -> Result<Location> {
    file(path, &[])
}

fn file(path: &Path, params: &[(String, String)]) -> Result<Location> {
    // Relative paths are taken from the working directory once, here: the URL sqlx reads
    // would otherwise take a first folder for a host name.
    let absolute: PathBuf = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut location = Location {
        engine: Engine::Sqlite,
        connect_url: String::new(),
        in_memory: false,
        read_only: false,
        file: Some(absolute),
        params: params.to_vec(),
        busy_timeout: BUSY_TIMEOUT,
        pool_size: crate::DEFAULT_POOL_SIZE,
    };
    location.connect_url = connect_url(&location)?;
    location.read_only = is_read_only(&location.params);
    Ok(location)
}

/// `location` with `mode` (and `immutable=1` when `immutable`) in place of what the URL
/// asked.
pub(super) fn with_mode(location: &Location, mode: &str, immutable: bool) -> Result<Location> {
    let mut changed = location.clone();
    // A reader keeps an `immutable` the URL gave; a writer never has one.
    let replace_immutable = mode != "ro" || immutable;
    changed
        .params
        .retain(|(key, _)| key != "mode" && !(replace_immutable && key == "immutable"));
    changed.params.push(("mode".into(), mode.into()));
    if immutable {
        changed.params.push(("immutable".into(), "1".into()));
    }
    changed.read_only = is_read_only(&changed.params);
    changed.connect_url = connect_url(&changed)?;
    Ok(changed)
}

/// Whether the parameters open the file read-only.
fn is_read_only(params: &[(String, String)]) -> bool {
    params.iter().any(|(key, value)| {
        (key == "mode" && value == "ro")
            || (key == "immutable" && matches!(value.as_str(), "1" | "true"))
    })
}

/// The URL sqlx reads for a file location: its absolute path, percent-encoded, and its
/// parameters, `mode=rwc` (create if missing) unless they name a mode or `immutable`.
fn connect_url(location: &Location) -> Result<String> {
    let path = location.file.as_deref().unwrap_or(Path::new(""));
    let text = path
        .to_str()
        .ok_or_else(|| StoreError::UnsupportedBackend {
            url: path.display().to_string(),
            hint: "SQLite needs a file path that is valid UTF-8".into(),
        })?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in &location.params {
        query.append_pair(key, value);
    }
    if !location.params.iter().any(|(key, _)| key == "mode") {
        // An immutable file is never written: nothing would tell other readers.
        let mode = if is_read_only(&location.params) {
            "ro"
        } else {
            "rwc"
        };
        query.append_pair("mode", mode);
    }
    Ok(format!(
        "sqlite://{}?{}",
        utf8_percent_encode(text, PATH_SAFE),
        query.finish()
    ))
}

/// The PRAGMAs every connection gets: a busy timeout instead of "database is locked"
/// (first, so that everything after waits its turn too), WAL (readers never wait for the
/// writer), foreign keys enforced, `synchronous = NORMAL` (durable at every checkpoint,
/// safe against corruption, far fewer fsyncs), and for a writer [`CHECKPOINTS`].
pub(super) async fn prepare_connection(
    conn: &mut AnyConnection,
    read_only: bool,
    busy_timeout: Duration,
) -> Result<(), sqlx::Error> {
    let busy = format!("PRAGMA busy_timeout = {}", busy_timeout.as_millis());
    conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(busy)))
        .await?;
    if !read_only {
        switch_to_wal(conn).await?;
    }
    conn.execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
        .await?;
    if !read_only {
        conn.execute(CHECKPOINTS).await?;
    }
    Ok(())
}

/// When a writer's commit copies the WAL back into the database (`wal_autocheckpoint`, in
/// pages of 4 KB), and the size the WAL file is cut back to once it has been copied
/// (`journal_size_limit`, in bytes). SQLite's default checkpoints every 1,000 pages (4 MB):
/// an ingest rewrote the same index and trigger-maintained pages into the database again
/// and again, and the checkpoints (their `pwrite`, `pread` and `fsync`) were 16 % of a
/// bulk ingest's profile. On the engines bench (100,000 posts) the ingest took about 0.7
/// times the wall time at the same CPU time; its WAL stayed at about 67 MB, reaching 81 MB
/// within a transaction. A reader finds a page's latest frame in the WAL through the
/// `-shm` hash index (one more hash table per 4,096 frames), so a longer WAL should cost
/// it little (not measured under load). Without a size limit a WAL that once grew (a
/// checkpoint held back by a long read) would keep its size on disk for good.
const CHECKPOINTS: &str = "PRAGMA wal_autocheckpoint = 16000; PRAGMA journal_size_limit = 67108864";

/// Puts the database in WAL mode, tolerating another process doing the same at the same
/// moment: the switch needs the database to itself, so a busy database is asked again,
/// and a database another process already switched is left as it is. One still in its
/// old mode after every try works anyway, only with writers blocking readers.
async fn switch_to_wal(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for attempt in 1..=WAL_ATTEMPTS {
        match sqlx::query_scalar::<_, String>("PRAGMA journal_mode = WAL")
            .fetch_one(&mut *conn)
            .await
        {
            // `memory` for an in-memory database: nothing to switch.
            Ok(mode) if mode == "wal" || mode == "memory" => return Ok(()),
            Ok(_) => {}
            Err(error) if crate::error::is_busy(&error) => {}
            Err(error) => return Err(error),
        }
        tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
    }
    tracing::warn!("the database stayed busy: it keeps its journal mode for now, not WAL");
    Ok(())
}

/// Whether a read-only open failed for want of the -shm file beside a WAL database, which
/// a reader creates when it may write in the file's folder: then only `immutable` reads it.
pub(super) fn needs_immutable(error: &sqlx::Error) -> bool {
    use sqlx::error::DatabaseError;
    let sqlx::Error::Database(database) = error else {
        return false;
    };
    let code: Option<i32> = database
        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .and_then(|e| e.code()?.parse().ok());
    // SQLITE_READONLY (and SQLITE_READONLY_CANTINIT), SQLITE_CANTOPEN.
    code.is_some_and(|code| matches!(code & 0xff, 8 | 14))
}

/// How many times [`switch_to_wal`] asks.
const WAL_ATTEMPTS: u32 = 10;

/// The cause behind an extended result code: its primary code is the low byte.
pub(super) fn cause(code: i32) -> Option<Cause> {
    match code & 0xff {
        13 => Some(Cause::DiskFull),     // SQLITE_FULL
        8 => Some(Cause::ReadOnly),      // SQLITE_READONLY and its extended codes
        5 | 6 => Some(Cause::Locked),    // SQLITE_BUSY, SQLITE_LOCKED
        11 | 26 => Some(Cause::Corrupt), // SQLITE_CORRUPT, SQLITE_NOTADB
        _ => None,
    }
}

/// A deferred transaction: in WAL mode its first read fixes the snapshot every later read
/// sees, and writers carry on beside it.
pub(super) const BEGIN_SNAPSHOT: &str = "BEGIN";

pub(super) const TABLES_QUERY: &str = "SELECT name FROM sqlite_master
     WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name";

pub(super) const COLUMNS_QUERY: &str = "SELECT name, type FROM pragma_table_info($1) ORDER BY cid";

/// SQLite's own check of the file's structure (pages, indexes), without reading every
/// row's index entries; one line per problem.
pub(super) async fn integrity_problems(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let lines: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_all(conn)
        .await
        .during("checking the database file")?;
    Ok(lines.into_iter().filter(|line| line != "ok").collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_become_absolute_created_if_missing() {
        let here = std::env::current_dir().expect("cwd");
        let located = locate("sqlite://data/Syndic db.db").expect("url");
        let expected = here.join("data/Syndic db.db");
        let encoded = utf8_percent_encode(expected.to_str().expect("utf-8"), PATH_SAFE);
        assert_eq!(located.connect_url, format!("sqlite://{encoded}?mode=rwc"));
        assert!(!located.in_memory && !located.read_only);

        let plain = locate_path("/srv/syndic/100%.db").expect("path");
        assert_eq!(plain.connect_url, "sqlite:///srv/syndic/100%25.db?mode=rwc");
        let ro = locate("sqlite:///srv/s.db?mode=ro").expect("url");
        assert_eq!(ro.connect_url, "sqlite:///srv/s.db?mode=ro");
        assert!(ro.read_only);
        assert!(locate("sqlite://").is_err());
    }

    #[test]
    fn every_in_memory_database_is_its_own() {
        let (a, b) = (memory(), memory());
        assert!(a.in_memory && b.in_memory);
        assert_ne!(a.connect_url, b.connect_url);
        assert!(locate("sqlite::memory:").expect("memory").in_memory);
        assert!(locate("sqlite://?mode=memory").expect("memory").in_memory);
    }

    /// A writer's connection checkpoints every 16,000 pages and cuts the WAL back to
    /// 64 MB; a read-only store's connections are left at SQLite's defaults.
    #[tokio::test]
    async fn writers_checkpoint_in_large_steps_and_keep_the_wal_bounded() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("checkpoints.db");
        let pragmas = |store: &crate::Store| {
            let pool = store.pool.clone();
            async move {
                let pages: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
                    .fetch_one(&pool)
                    .await
                    .expect("wal_autocheckpoint");
                let limit: i64 = sqlx::query_scalar("PRAGMA journal_size_limit")
                    .fetch_one(&pool)
                    .await
                    .expect("journal_size_limit");
                (pages, limit)
            }
        };
        let store = crate::Store::open_sqlite_path(&path).await.expect("open");
        assert_eq!(pragmas(&store).await, (16_000, 64 << 20));
        store.close().await;
        let reader = crate::Store::open_sqlite_path_read_only(&path)
            .await
            .expect("read-only");
        assert_eq!(pragmas(&reader).await, (1000, -1), "SQLite's defaults");
        reader.close().await;
    }

    /// `.cargo/config.toml` builds the bundled SQLite with the query planner stability
    /// guarantee, so a page's statements are not prepared again whenever a LIMIT or OFFSET
    /// is bound (see there). Fails when a build loses the flag.
    #[tokio::test]
    async fn plans_never_depend_on_bound_values() {
        let store = crate::Store::open("sqlite::memory:").await.expect("store");
        let on: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_QPSG'",
        )
        .fetch_one(&store.pool)
        .await
        .expect("compile options");
        assert_eq!(on, 1, "SQLite is built without SQLITE_ENABLE_QPSG");
    }
}
