//! PostgreSQL: a server shared by many processes; search through `tsvector` documents the
//! batch indexer writes (`search_documents`), a GIN index and `websearch_to_tsquery`.

use sqlx::{AnyConnection, Executor};

use super::{Engine, Location, SearchEntry};
use crate::Result;
use crate::error::QueryContext;
use crate::migrate::Migration;
use crate::sql::Sql;

/// Writers need no lock up front: row locks and unique indexes order them.
pub(super) const BEGIN_WRITE: &str = "BEGIN";

/// Parameters per multi-row statement: the protocol counts them in 16 bits (65,535), and
/// PostgreSQL numbers them without a lookup, so one statement can carry the most.
pub(super) const PARAMETERS_PER_STATEMENT: usize = 65_535;

pub(super) const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
     version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/// One migration builds SQLite's version 9; later ones join both lists under one number.
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration::new(
        9,
        "schema",
        include_str!("../../migrations/postgres/0009_schema.sql"),
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
];

/// The URL as given, with the server told to keep its notices ("relation already exists,
/// skipping") to itself: they are not problems, and sqlx would log each one.
pub(super) fn locate(url: &str) -> Location {
    let connect_url = match url::Url::parse(url) {
        Ok(mut parsed) => {
            parsed
                .query_pairs_mut()
                .append_pair("options[client_min_messages]", "warning");
            parsed.to_string()
        }
        Err(_) => url.to_owned(),
    };
    Location {
        engine: Engine::Postgres,
        connect_url,
        in_memory: false,
        read_only: false,
    }
}

/// The reader's words become a `websearch_to_tsquery` over the same folding as the
/// documents; the expression only ever holds quoted words (see [`crate::search`]), so
/// `or`, `-` and the like reach PostgreSQL as words, never as operators.
pub(super) fn push_search_from(sql: &mut Sql, expression: &str, with_source: bool) {
    sql.push(" FROM (SELECT websearch_to_tsquery('syndic_search', syndic_fold(")
        .bind(expression.to_owned())
        .push(")) AS query) q JOIN search_documents d ON d.document @@ q.query")
        .push(" JOIN posts p ON p.id = d.post_id");
    if with_source {
        sql.push(" JOIN sources s ON s.id = p.source_id");
    }
    sql.push(" WHERE TRUE");
}

/// Ranked with titles weighted five times the text (weights D, C, B, A), as SQLite's bm25
/// weights them. The snippet is cut in Rust ([`crate::search`]), the same on both engines.
pub(super) const SEARCH_COLUMNS: &str =
    "ts_rank('{0.04, 0.08, 0.2, 1.0}', d.document, q.query)::float8 AS score";

/// Rows per statement when the server computes documents: each carries a post's text.
const ENTRIES_PER_STATEMENT: usize = 500;

/// The documents of `entries`, computed by the server (`syndic_search_document`: title
/// weight A, text B, diacritics folded), replacing the posts' old ones. A deleted post's
/// document went with it (`ON DELETE CASCADE`).
pub(super) async fn write_search_entries(
    conn: &mut AnyConnection,
    entries: &[SearchEntry<'_>],
) -> Result<()> {
    insert_documents(
        conn,
        "search_documents",
        " ON CONFLICT (post_id) DO UPDATE SET document = excluded.document",
        entries,
        "writing the search index",
    )
    .await
}

async fn insert_documents(
    conn: &mut AnyConnection,
    table: &str,
    tail: &str,
    entries: &[SearchEntry<'_>],
    action: &'static str,
) -> Result<()> {
    for chunk in entries.chunks(ENTRIES_PER_STATEMENT) {
        let mut insert = Sql::new("INSERT INTO ");
        insert.push(table).push(
            " (post_id, document) SELECT v.column1, syndic_search_document(v.column2, v.column3) \
             FROM (VALUES ",
        );
        insert.push_list(chunk, |sql, entry| {
            sql.push("(")
                .bind(entry.id)
                .push(", ")
                .bind(entry.title.to_owned())
                .push(", ")
                .bind(entry.text.to_owned())
                .push(")");
        });
        insert.push(") AS v").push(tail);
        insert.execute(&mut *conn, action).await?;
    }
    Ok(())
}

/// The check computes every post's document again into a temporary table.
pub(super) async fn check_search_begin(conn: &mut AnyConnection) -> Result<()> {
    conn.execute(
        "DROP TABLE IF EXISTS pg_temp.search_check;
         CREATE TEMP TABLE search_check (post_id BIGINT PRIMARY KEY, document TSVECTOR NOT NULL);",
    )
    .await
    .during("checking the search index")?;
    Ok(())
}

pub(super) async fn check_search_add(
    conn: &mut AnyConnection,
    entries: &[SearchEntry<'_>],
) -> Result<()> {
    insert_documents(
        conn,
        "pg_temp.search_check",
        "",
        entries,
        "checking the search index",
    )
    .await
}

/// Posts whose stored document is missing, stale or left over.
pub(super) async fn check_search_differences(conn: &mut AnyConnection) -> Result<u64> {
    let differing: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_temp.search_check c
         FULL JOIN search_documents d ON d.post_id = c.post_id
         WHERE c.document IS DISTINCT FROM d.document",
    )
    .fetch_one(&mut *conn)
    .await;
    let dropped = conn.execute("DROP TABLE pg_temp.search_check").await;
    let differing = differing.during("checking the search index")?;
    dropped.during("checking the search index")?;
    Ok(u64::try_from(differing).unwrap_or(0))
}
