//! PostgreSQL: a server shared by many processes; search through a `tsvector` column the
//! store writes with each post, a GIN index, `websearch_to_tsquery` and `ts_headline`.

use sqlx::AnyConnection;

use super::{Engine, Location};
use crate::error::QueryContext;
use crate::migrate::Migration;
use crate::sql::Sql;
use crate::{MATCH_END, MATCH_START, Result};

/// Writers need no lock up front: row locks and unique indexes order them.
pub(super) const BEGIN_WRITE: &str = "BEGIN";

/// Parameters per multi-row statement: the protocol counts them in 16 bits (65,535), and
/// PostgreSQL numbers them without a lookup, so one statement can carry the most.
pub(super) const PARAMETERS_PER_STATEMENT: usize = 65_535;

pub(super) const JSON_COUNTS: &str = "SELECT key, value::bigint FROM json_each_text($1::json)";

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
        13,
        "tag_learning",
        include_str!("../../migrations/postgres/0013_tag_learning.sql"),
    ),
];

pub(super) const SEARCH_COLUMN: &str = "search_vector";

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

/// The search document of a post (`syndic_search_document`, defined by the migration:
/// title weighted A, text B, diacritics folded).
pub(super) fn search_document(title: &str, text: &str) -> String {
    format!("syndic_search_document({title}, {text})")
}

/// The reader's words become a `websearch_to_tsquery` over the same folding as the
/// documents; the expression only ever holds quoted words (see [`crate::search`]), so
/// `or`, `-` and the like reach PostgreSQL as words, never as operators.
pub(super) fn push_search_from(sql: &mut Sql, expression: &str, with_source: bool) {
    sql.push(" FROM (SELECT websearch_to_tsquery('syndic_search', syndic_fold(")
        .bind(expression.to_owned())
        .push(")) AS query) q JOIN posts p ON p.search_vector @@ q.query");
    if with_source {
        sql.push(" JOIN sources s ON s.id = p.source_id");
    }
    sql.push(" WHERE TRUE");
}

/// Ranked with titles weighted five times the text (weights D, C, B, A), as SQLite's bm25
/// weights them; the snippet is about 24 words of the text around the best match, or its
/// start when only the title matched.
pub(super) const SEARCH_COLUMNS: &str = concat!(
    "ts_headline('syndic_search', left(p.content_text, 200000), q.query, ",
    "'StartSel=\"\u{1}\", StopSel=\"\u{2}\", MaxWords=24, MinWords=12, ShortWord=0') AS snippet, ",
    "ts_rank('{0.04, 0.08, 0.2, 1.0}', p.search_vector, q.query)::float8 AS score"
);

/// Posts whose stored search document differs from the one their title and text give.
pub(super) async fn search_entries_out_of_step(conn: &mut AnyConnection) -> Result<u64> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM posts
         WHERE search_vector <> syndic_search_document(title, content_text)",
    )
    .fetch_one(conn)
    .await
    .during("checking the search index")?;
    Ok(u64::try_from(count).unwrap_or(0))
}

// The markers are written into the SQL above as characters; keep them in step.
const _: () = assert!(MATCH_START as u32 == 1 && MATCH_END as u32 == 2);
