//! PostgreSQL: a server shared by many processes; search through documents of word keys
//! (`int4[]`, [`crate::search::keys`]) the batch indexer writes (`search_documents`) and
//! a GIN index.

use std::time::Duration;

use sqlx::{AnyConnection, Executor};

use super::{BUSY_TIMEOUT, Engine, Location, SearchEntry};
use crate::error::{Cause, QueryContext};
use crate::migrate::Migration;
use crate::search::keys::{self, KeyMaker};
use crate::sql::Sql;
use crate::{Result, StoreError, body, redact};

/// Writers need no lock up front: row locks and unique indexes order them.
pub(super) const BEGIN_WRITE: &str = "BEGIN";

/// One listing's spans (`Engine::listing_days`): concurrent writers add rows of change, so
/// a span is the sum of its rows.
pub(super) const LISTING_DAYS: &str = "SELECT day, CAST(SUM(posts) AS BIGINT) AS posts FROM listing_days \
     WHERE kind = {kind} AND key = {key} GROUP BY day";

/// Folds `listing_days` (`listing/days.rs`) in one statement: it deletes the rows of each
/// listing day with several rows (or summing to nothing) and writes back the sum of
/// exactly the rows it deleted. Rows other transactions add meanwhile are not in its
/// snapshot and stay; a row another fold deleted first is skipped.
pub(super) const FOLD_LISTING_DAYS: &[&str] = &["WITH gone AS ( \
         DELETE FROM listing_days d USING ( \
             SELECT kind, key, day FROM listing_days GROUP BY kind, key, day \
             HAVING COUNT(*) > 1 OR SUM(posts) = 0) folded \
         WHERE d.kind = folded.kind AND d.key = folded.key AND d.day = folded.day \
         RETURNING d.kind, d.key, d.day, d.posts) \
     INSERT INTO listing_days (kind, key, day, posts) \
     SELECT kind, key, day, SUM(posts) FROM gone GROUP BY kind, key, day \
     HAVING SUM(posts) <> 0"];

/// Every statement of a repeatable-read transaction sees the snapshot of its first.
pub(super) const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/// Rows a concurrent claim has locked are skipped, not waited for: each worker leases
/// sources no other is leasing at that moment.
pub(super) const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

/// Parameters per multi-row statement: the protocol counts them in 16 bits (65,535), and
/// PostgreSQL numbers them without a lookup, so one statement can carry the most.
pub(super) const PARAMETERS_PER_STATEMENT: usize = 65_535;

pub(super) const JSON_COUNTS: &str = "SELECT key, value::bigint FROM json_each_text($1::json)";

pub(super) const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
     version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

pub(super) const MIGRATIONS_TABLE_EXISTS: &str = "SELECT COUNT(*) FROM pg_catalog.pg_tables
     WHERE schemaname = current_schema() AND tablename = 'schema_migrations'";

/// Processes migrating one schema take turns on an advisory lock named after it, held
/// until the migrating transaction ends (DDL alone does not exclude a concurrent
/// `CREATE … IF NOT EXISTS`, which then fails on a duplicate catalog row). Counted rather
/// than selected: the lock function returns `void`, which the `Any` driver cannot read.
pub(super) const MIGRATION_LOCK: &str = "SELECT COUNT(*) FROM (
     SELECT pg_advisory_xact_lock(hashtext('syndic schema migrations in ' || current_schema()))
 ) AS locked";

/// One migration builds SQLite's version 9; later ones join both lists under one number.
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration::new(
        9,
        "schema",
        include_str!("../../migrations/postgres/0009_schema.sql"),
    ),
    Migration::new(
        10,
        "tag_archive_order",
        include_str!("../../migrations/postgres/0010_tag_archive_order.sql"),
    ),
    Migration::new(
        11,
        "leases",
        include_str!("../../migrations/postgres/0011_leases.sql"),
    ),
    Migration::new(
        12,
        "post_bodies",
        include_str!("../../migrations/postgres/0012_post_bodies.sql"),
    )
    .then(
        crate::body::convert::step,
        include_str!("../../migrations/postgres/0012_post_bodies.after.sql"),
    ),
    Migration::new(
        13,
        "tag_learning",
        include_str!("../../migrations/postgres/0013_tag_learning.sql"),
    ),
    Migration::new(
        14,
        "moderation",
        include_str!("../../migrations/postgres/0014_moderation.sql"),
    ),
    Migration::new(
        15,
        "source_settings",
        include_str!("../../migrations/postgres/0015_source_settings.sql"),
    ),
    Migration::new(
        16,
        "provenance",
        include_str!("../../migrations/postgres/0016_provenance.sql"),
    ),
    Migration::new(
        17,
        "merging",
        include_str!("../../migrations/postgres/0017_merging.sql"),
    )
    .then(
        crate::merging::backfill::step,
        include_str!("../../migrations/postgres/0017_merging.after.sql"),
    ),
    Migration::new(
        18,
        "enclosures",
        include_str!("../../migrations/postgres/0018_enclosures.sql"),
    ),
    Migration::new(
        19,
        "search_candidates",
        include_str!("../../migrations/postgres/0019_search_candidates.sql"),
    ),
    Migration::new(
        20,
        "full_text",
        include_str!("../../migrations/postgres/0020_full_text.sql"),
    ),
    Migration::new(
        21,
        "media failures",
        include_str!("../../migrations/postgres/0021_media_failures.sql"),
    ),
    Migration::new(
        22,
        "article_claims",
        include_str!("../../migrations/postgres/0022_article_claims.sql"),
    ),
    Migration::new(
        23,
        "media_files",
        include_str!("../../migrations/postgres/0023_media_files.sql"),
    ),
    Migration::new(
        24,
        "host_turns",
        include_str!("../../migrations/postgres/0024_host_turns.sql"),
    ),
    Migration::new(
        25,
        "search_keys",
        include_str!("../../migrations/postgres/0025_search_keys.sql"),
    ),
    Migration::new(
        26,
        "corpus_pending",
        include_str!("../../migrations/postgres/0026_corpus_pending.sql"),
    ),
    Migration::new(
        27,
        "body_dictionaries",
        include_str!("../../migrations/postgres/0027_body_dictionaries.sql"),
    ),
    Migration::new(
        28,
        "listing_days",
        include_str!("../../migrations/postgres/0028_listing_days.sql"),
    ),
    Migration::new(
        29,
        "listing_days_in_place",
        include_str!("../../migrations/postgres/0029_listing_days_in_place.sql"),
    ),
    Migration::new(
        30,
        "listing_spans",
        include_str!("../../migrations/postgres/0030_listing_spans.sql"),
    ),
];

/// The URL as given, with the server told to keep its notices ("relation already exists,
/// skipping") to itself: they are not problems, and sqlx would log each one.
pub(super) fn locate(url: &str) -> Location {
    Location {
        engine: Engine::Postgres,
        connect_url: with_options(url, &[("client_min_messages", "warning")]),
        in_memory: false,
        read_only: false,
        file: None,
        params: Vec::new(),
        busy_timeout: BUSY_TIMEOUT,
        pool_size: crate::DEFAULT_POOL_SIZE,
    }
}

/// `location` in sessions whose every transaction is read-only: a write fails with
/// `read_only_sql_transaction` (25006).
pub(super) fn read_only(location: &Location) -> Location {
    Location {
        connect_url: with_options(
            &location.connect_url,
            &[("default_transaction_read_only", "on")],
        ),
        read_only: true,
        ..location.clone()
    }
}

/// `location` without [`read_only`]'s setting.
pub(super) fn writable(location: &Location) -> Result<Location> {
    let mut parsed =
        url::Url::parse(&location.connect_url).map_err(|_| StoreError::UnsupportedBackend {
            url: redact(&location.connect_url),
            hint: "the PostgreSQL URL does not parse".into(),
        })?;
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(key, _)| key != "options[default_transaction_read_only]")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(kept);
    Ok(Location {
        connect_url: parsed.to_string(),
        read_only: false,
        ..location.clone()
    })
}

/// `url` with each `(name, value)` as a server setting (`options[name]=value`).
fn with_options(url: &str, settings: &[(&str, &str)]) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            for (name, value) in settings {
                parsed
                    .query_pairs_mut()
                    .append_pair(&format!("options[{name}]"), value);
            }
            parsed.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// The cause behind a SQLSTATE.
pub(super) fn cause(state: &str) -> Option<Cause> {
    match state {
        "53100" => Some(Cause::DiskFull),           // disk_full
        "25006" | "42501" => Some(Cause::ReadOnly), // read_only_sql_transaction, insufficient_privilege
        "55P03" | "40P01" => Some(Cause::Locked),   // lock_not_available, deadlock_detected
        "XX001" | "XX002" => Some(Cause::Corrupt),  // data_corrupted, index_corrupted
        _ => None,
    }
}

/// Every connection gets the configured statement timeout (none when unset).
pub(super) async fn prepare_connection(
    conn: &mut AnyConnection,
    statement_timeout: Option<Duration>,
) -> Result<(), sqlx::Error> {
    if let Some(timeout) = statement_timeout {
        let set = format!("SET statement_timeout = {}", timeout.as_millis());
        conn.execute(sqlx::AssertSqlSafe(set)).await?;
    }
    Ok(())
}

/// Migrations may rewrite every row: no statement timeout inside their transaction.
pub(super) const MIGRATION_PREAMBLE: &str = "SET LOCAL statement_timeout = 0";

/// One snapshot for the whole transaction, which only reads.
pub(super) const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/// The tables of the schema the connection works in (the first on its search path).
pub(super) const TABLES_QUERY: &str = "SELECT table_name::text AS name
     FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1";

pub(super) const COLUMNS_QUERY: &str = "SELECT column_name::text AS name, data_type::text AS type
     FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position";

/// The search index: one document (the keys of its words) per indexed post.
pub(super) const SEARCH_TABLE: &str = "search_documents";

/// Empties the search index (every post's document goes; the indexer writes them again).
pub(super) async fn clear_search_index(conn: &mut AnyConnection) -> Result<()> {
    conn.execute("DELETE FROM search_documents")
        .await
        .during("clearing the search index")?;
    Ok(())
}

/// Sets the identity sequence of `table.column` past its largest value, so that the next
/// row the store adds gets a new id. Names come from the store's own table list.
pub(super) async fn reset_identity(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
) -> Result<()> {
    let reset = format!(
        "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                       (SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}), false)::text"
    );
    conn.execute(sqlx::AssertSqlSafe(reset))
        .await
        .during("setting an identity past the copied ids")?;
    Ok(())
}

/// The reader's words become their keys ([`crate::search::keys`], the same folding and
/// stemming as the documents'), and a candidate's document must hold them all (`@>`,
/// through the GIN index). Only keys reach the server, bound as one array literal: this
/// is the candidate filter, and phrases, ranking and snippets are Rust's.
pub(super) fn push_search_candidates(sql: &mut Sql, phrases: &[Vec<String>]) {
    let keys = KeyMaker::default().query(phrases);
    sql.push(" FROM search_documents d JOIN posts p ON p.id = d.post_id WHERE d.document @> ")
        .bind(keys::array_literal(&keys))
        .push("::int4[]");
}

/// Merges the GIN index's pending list into the index proper. The index takes new entries
/// into that list (`fastupdate`, cheap to write) until it holds 4 MB, and every search
/// reads the whole list: a search for a word found once went from 0.03 to 1.2 ms with
/// 2,000 documents pending (100,000 posts). Autovacuum merges it too, but only now and
/// then; the indexing pass that filled it empties it at once.
pub(super) const SETTLE_SEARCH: &str =
    "SELECT gin_clean_pending_list('search_documents_by_word'::regclass)";

/// Candidates newest stored first.
pub(super) const CANDIDATE_ORDER: &str = " ORDER BY p.id DESC";

/// Documents per statement: each carries a post's keys (a few thousand characters).
const ENTRIES_PER_STATEMENT: usize = 500;

/// The documents of `entries` (their keys, computed here), replacing the posts' old ones.
/// A deleted post's document went with it (`ON DELETE CASCADE`).
pub(super) async fn write_search_entries(
    conn: &mut AnyConnection,
    entries: &[SearchEntry<'_>],
) -> Result<()> {
    for chunk in documents(entries) {
        let mut insert = Sql::new(
            "INSERT INTO search_documents (post_id, document) \
             SELECT v.column1, v.column2::int4[]",
        );
        push_documents(&mut insert, chunk);
        insert.push(" ON CONFLICT (post_id) DO UPDATE SET document = excluded.document");
        insert
            .execute(&mut *conn, "writing the search index")
            .await?;
    }
    Ok(())
}

/// Each entry's id and keys as an array literal, [`ENTRIES_PER_STATEMENT`] to a
/// statement: CPU work, done off the async workers.
fn documents(entries: &[SearchEntry<'_>]) -> Vec<Vec<(i64, String)>> {
    body::off_async(|| {
        let mut keys = KeyMaker::default();
        entries
            .chunks(ENTRIES_PER_STATEMENT)
            .map(|chunk| {
                chunk
                    .iter()
                    .map(|entry| {
                        let document = keys.document(entry.title, entry.text);
                        (entry.id, keys::array_literal(&document))
                    })
                    .collect()
            })
            .collect()
    })
}

/// ` FROM (VALUES (id, keys), …) AS v`.
fn push_documents(sql: &mut Sql, documents: Vec<(i64, String)>) {
    sql.push(" FROM (VALUES ");
    sql.push_list(documents, |sql, (id, keys)| {
        sql.push("(").bind(id).push(", ").bind(keys).push(")");
    });
    sql.push(") AS v");
}

/// How many of `entries` have no stored document or one that differs from their keys
/// now. Plain `SELECT`s: the check needs no temporary table, so it runs in a read-only
/// transaction or on a standby too.
pub(super) async fn search_entries_differing(
    conn: &mut AnyConnection,
    entries: &[SearchEntry<'_>],
) -> Result<u64> {
    let mut differing = 0;
    for chunk in documents(entries) {
        let mut select = Sql::new("SELECT COUNT(*)");
        push_documents(&mut select, chunk);
        select.push(
            " LEFT JOIN search_documents d ON d.post_id = v.column1 \
             WHERE d.document IS DISTINCT FROM v.column2::int4[]",
        );
        differing += select
            .fetch_count(&mut *conn, "checking the search index")
            .await?;
    }
    Ok(differing)
}

/// Documents of posts that are gone (the foreign key should make these impossible).
pub(super) async fn search_entries_left_over(conn: &mut AnyConnection) -> Result<u64> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM search_documents d \
         WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = d.post_id)",
    )
    .fetch_one(conn)
    .await
    .during("checking the search index")?;
    Ok(u64::try_from(count).unwrap_or(0))
}
