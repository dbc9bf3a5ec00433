//! SQLite's search index: the contentless FTS5 table `posts_fts`, how a query reads it,
//! how the batch indexer writes it, and the check that compares it with the posts.

use std::collections::HashSet;

use sqlx::{AnyConnection, Executor};

use super::PARAMETERS_PER_STATEMENT;
use crate::Result;
use crate::engine::SearchEntry;
use crate::error::QueryContext;
use crate::sql::Sql;

/// Search reads the FTS5 table `posts_fts` (contentless, `detail = none`: which posts
/// hold a word, nothing more) as the candidate filter, newest stored first, so that
/// `LIMIT` stops it early; phrases, ranking and snippets are Rust's ([`crate::search`]).
pub(in crate::engine) fn push_search_candidates(sql: &mut Sql, expression: &str) {
    sql.push(" FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid WHERE posts_fts MATCH ")
        .bind(expression.to_owned());
}

/// The order of candidates: the index's own (post ids, newest stored first).
pub(in crate::engine) const CANDIDATE_ORDER: &str = " ORDER BY posts_fts.rowid DESC";

/// The FTS5 table; its shadow tables share the prefix (`posts_fts_data`, …).
pub(in crate::engine) const SEARCH_TABLE: &str = "posts_fts";

/// Empties the search index: FTS5's `delete-all`, which a contentless table takes.
pub(in crate::engine) async fn clear_search_index(conn: &mut AnyConnection) -> Result<()> {
    conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('delete-all')")
        .await
        .during("clearing the search index")?;
    Ok(())
}

/// The options of `posts_fts` (migration 19) after its columns, for the check's copy.
const OPTIONS: &str = "detail = none, tokenize = 'porter unicode61 remove_diacritics 2'";

/// Removes the entries of `cleared` (a post never indexed has none: nothing to do for
/// it), then inserts `entries` in a few multi-row statements, ids ascending, so FTS5
/// gathers the batch in memory and writes it as one segment.
pub(in crate::engine) async fn write_search_entries(
    conn: &mut AnyConnection,
    cleared: &[i64],
    entries: &[SearchEntry<'_>],
) -> Result<()> {
    for chunk in cleared.chunks(PARAMETERS_PER_STATEMENT) {
        let mut delete = Sql::new("DELETE FROM posts_fts WHERE rowid IN (");
        delete.push_list(chunk, |sql, id| {
            sql.bind(*id);
        });
        delete.push(")");
        delete
            .execute(&mut *conn, "removing old search index entries")
            .await?;
    }
    insert_entries(conn, "posts_fts", entries, "writing the search index").await
}

/// Inserts `entries` into `table`, each text as its [`distinct_pieces`]: the index keeps
/// which posts hold a word and nothing more (`detail = none`), so each word's first
/// occurrence gives the same index as all of them, and FTS5 tokenizes, stems and hashes
/// a fraction of the words (a post repeats most of its words several times).
async fn insert_entries(
    conn: &mut AnyConnection,
    table: &str,
    entries: &[SearchEntry<'_>],
    action: &'static str,
) -> Result<()> {
    for chunk in entries.chunks(PARAMETERS_PER_STATEMENT / 3) {
        let mut insert = Sql::new("INSERT INTO ");
        insert
            .push(table)
            .push(" (rowid, title, content_text) VALUES ");
        insert.push_list(chunk, |sql, entry| {
            sql.push("(")
                .bind(entry.id)
                .push(", ")
                .bind(entry.title.to_owned())
                .push(", ")
                .bind(distinct_pieces(entry.text))
                .push(")");
        });
        insert.execute(&mut *conn, action).await?;
    }
    Ok(())
}

/// The pieces of `text` between whitespace and ASCII punctuation, each once, in order of
/// first appearance, joined by spaces. FTS5's `unicode61` tokenizer separates words at
/// every such character too (they are neither letters, digits nor private use), so the
/// words FTS5 reads in the result are exactly the set it reads in `text`.
fn distinct_pieces(text: &str) -> String {
    let mut seen: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
    let mut pieces = String::with_capacity(text.len() / 2);
    let separator = |c: char| c.is_whitespace() || (c.is_ascii() && !c.is_ascii_alphanumeric());
    for piece in text.split(separator).filter(|p| !p.is_empty()) {
        if seen.insert(piece) {
            if !pieces.is_empty() {
                pieces.push(' ');
            }
            pieces.push_str(piece);
        }
    }
    pieces
}

/// The check indexes every post again into a temporary FTS5 table with the same
/// tokenizer, private to the connection (SQLite's temporary schema is writable on a
/// read-only or immutable connection too), and compares the two at the end.
pub(in crate::engine) async fn begin_search_check(conn: &mut AnyConnection) -> Result<()> {
    let create = format!(
        "DROP TABLE IF EXISTS temp.search_check_index; \
         DROP TABLE IF EXISTS temp.search_check_terms; \
         DROP TABLE IF EXISTS temp.search_check; \
         CREATE VIRTUAL TABLE temp.search_check USING fts5 \
             (title, content_text, content = '', {OPTIONS})"
    );
    conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(create)))
        .await
        .during("checking the search index")?;
    Ok(())
}

/// Indexes `entries` into the check's own index; none is found differing before the end.
pub(in crate::engine) async fn check_search_entries(
    conn: &mut AnyConnection,
    entries: &[SearchEntry<'_>],
) -> Result<u64> {
    insert_entries(
        conn,
        "temp.search_check",
        entries,
        "checking the search index",
    )
    .await?;
    Ok(0)
}

/// Every (term, post, column, position) of one index and not the other, counted by post
/// (posts pending leave the comparison: the next pass writes them); `fts5vocab` lists
/// them. Drops the check's tables.
pub(in crate::engine) async fn finish_search_check(conn: &mut AnyConnection) -> Result<u64> {
    conn.execute(
        "CREATE VIRTUAL TABLE temp.search_check_index USING fts5vocab(main, posts_fts, instance);
         CREATE VIRTUAL TABLE temp.search_check_terms USING fts5vocab(temp, search_check, instance);",
    )
    .await
    .during("checking the search index")?;
    let differing: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT doc) FROM (
             SELECT * FROM (SELECT term, doc, col, [offset] FROM temp.search_check_index
                 EXCEPT SELECT term, doc, col, [offset] FROM temp.search_check_terms)
             UNION ALL
             SELECT * FROM (SELECT term, doc, col, [offset] FROM temp.search_check_terms
                 EXCEPT SELECT term, doc, col, [offset] FROM temp.search_check_index))
         WHERE doc NOT IN (SELECT post_id FROM main.search_pending)",
    )
    .fetch_one(&mut *conn)
    .await;
    let dropped = conn
        .execute(
            "DROP TABLE temp.search_check_index; DROP TABLE temp.search_check_terms;
             DROP TABLE temp.search_check;",
        )
        .await;
    let differing = differing.during("checking the search index")?;
    dropped.during("checking the search index")?;
    Ok(u64::try_from(differing).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::distinct_pieces;

    #[test]
    fn distinct_pieces_keep_each_word_once_in_order() {
        assert_eq!(
            distinct_pieces("The cat, the cat's hat!\n\tThe  café—café (hat)"),
            "The cat the s hat café—café"
        );
        assert_eq!(distinct_pieces(" \n,.;"), "");
        assert_eq!(distinct_pieces("naïve naïve x_y x-y"), "naïve x y");
    }
}
