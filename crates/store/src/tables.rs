//! The one list of the store's tables: what `syndic store copy` moves (in this order, so
//! that every row's references exist before it) and what `syndic store check` counts and
//! checks for orphans. Columns are not listed: the copy reads them from each database's
//! catalog, so a column added by a migration is copied with no change here.
//!
//! **A table added by a migration gets one line here** (a test fails until it has one);
//! the search index's tables (`search_pending`, SQLite's FTS5 tables, PostgreSQL's
//! `search_documents`: `Engine::is_search_table`, rebuilt from the posts, never copied)
//! the migrations' bookkeeping and the [`TRANSIENT_TABLES`] do not.

/// One table of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Table {
    pub(crate) name: &'static str,
    /// The primary key's columns: the copy reads the table in this order, one batch after
    /// another.
    pub(crate) key: &'static [&'static str],
    /// Whether the key is an id the engine hands out (on PostgreSQL an identity whose
    /// sequence the copy sets past the copied ids).
    pub(crate) identity: bool,
    /// Columns naming another table's `id`: `(column, table)`. NULL names nothing.
    pub(crate) references: &'static [(&'static str, &'static str)],
    /// For a table every new store already has a row in: a query counting the rows that
    /// differ from that seed (what makes a copy's target not empty).
    pub(crate) changed_rows: Option<&'static str>,
    /// Rows the copy reads and writes at a time: [`crate::copy::BATCH_ROWS`], fewer for a
    /// table of large rows, so a batch stays small in memory.
    pub(crate) batch_rows: usize,
}

impl Table {
    const fn new(name: &'static str, key: &'static [&'static str]) -> Table {
        Table {
            name,
            key,
            identity: false,
            references: &[],
            changed_rows: None,
            batch_rows: crate::copy::BATCH_ROWS,
        }
    }

    /// A table of one row that every new store already has; `changed_rows` counts the
    /// rows that are no longer as the migration seeded them.
    const fn seeded(name: &'static str, changed_rows: &'static str) -> Table {
        Table {
            changed_rows: Some(changed_rows),
            ..Table::new(name, &["id"])
        }
    }

    /// A table keyed by an `id` the engine hands out.
    const fn with_id(name: &'static str) -> Table {
        Table {
            identity: true,
            ..Table::new(name, &["id"])
        }
    }

    const fn referring(self, references: &'static [(&'static str, &'static str)]) -> Table {
        Table { references, ..self }
    }

    /// A table whose rows are large: the copy moves `batch_rows` of them at a time.
    const fn in_batches_of(self, batch_rows: usize) -> Table {
        Table { batch_rows, ..self }
    }
}

/// Every table of the store, referenced tables before the tables referring to them.
pub(crate) const TABLES: &[Table] = &[
    Table::with_id("sources"),
    Table::with_id("source_urls").referring(&[("source_id", "sources")]),
    // The zstd dictionaries bodies of format 2 name (migration 27): before the posts.
    Table::new("body_dictionaries", &["id"]).in_batches_of(DICTIONARIES_PER_BATCH),
    Table::with_id("posts").referring(&[("source_id", "sources")]),
    Table::with_id("tags"),
    Table::new("post_tags", &["post_id", "tag_id", "origin"])
        .referring(&[("post_id", "posts"), ("tag_id", "tags")]),
    Table::new("tag_aliases", &["slug"]).referring(&[("tag_id", "tags")]),
    Table::new("tag_vetoes", &["post_id", "tag_id"])
        .referring(&[("post_id", "posts"), ("tag_id", "tags")]),
    Table::new("websub_subscriptions", &["source_id"]).referring(&[("source_id", "sources")]),
    Table::new("tombstones", &["post_id"])
        .referring(&[("post_id", "posts"), ("source_id", "sources")]),
    Table::with_id("audit_log"),
    // The change clock: one row, which every new store already has.
    Table::seeded(
        "site_state",
        "SELECT COUNT(*) FROM site_state WHERE version > 0",
    ),
    // Fetch slots are leases that run out by themselves: a copy carries the running ones,
    // which expire on the target as they would have on the source.
    Table::new("fetch_slots", &["scope", "slot"]),
    // What the tagger learned from the corpus and the editor's decisions (migration 13).
    Table::new("corpus_stems", &["stem"]),
    // What ingests added to corpus_stems since the last fold (migration 26).
    Table::with_id("corpus_pending"),
    Table::seeded(
        "corpus_state",
        "SELECT COUNT(*) FROM corpus_state WHERE posts > 0 OR model_version > 0",
    ),
    Table::new("tag_models", &["tag_id"]).referring(&[("tag_id", "tags")]),
    Table::new("tag_reviews", &["post_id"]).referring(&[("post_id", "posts")]),
    // Earlier versions of posts (migration 16).
    Table::new("post_revisions", &["post_id", "number"]).referring(&[("post_id", "posts")]),
    // The files posts carry (migration 18).
    Table::new("post_enclosures", &["post_id", "position"]).referring(&[("post_id", "posts")]),
    // Where a post's text came from, for sources with full_content (migration 20).
    Table::new("post_full_text", &["post_id"]).referring(&[("post_id", "posts")]),
    // One post however many feeds carry it (migration 17).
    Table::new("post_sources", &["post_id", "source_id"])
        .referring(&[("post_id", "posts"), ("source_id", "sources")]),
    Table::new("article_links", &["link_hash", "post_id", "source_id"])
        .referring(&[("post_id", "posts"), ("source_id", "sources")]),
    Table::new(
        "fingerprint_bands",
        &["band", "published_at", "post_id", "source_id"],
    )
    .referring(&[("post_id", "posts"), ("source_id", "sources")]),
    Table::new("merge_vetoes", &["post_id", "source_id"])
        .referring(&[("post_id", "posts"), ("source_id", "sources")]),
    // The images the media cache could not keep, and when to try each again (migration 21).
    Table::new("media_failures", &["url_key"]).referring(&[("source_id", "sources")]),
    // Cached images kept in the store, and which address became which (migration 23). An
    // image is up to `[media] max_file` (10 MiB by default): a few at a time.
    Table::new("media_files", &["hash"]).in_batches_of(MEDIA_FILES_PER_BATCH),
    Table::new("media_urls", &["url_key"]),
];

/// Body dictionaries a copy holds in memory at a time (about 110 KB each).
const DICTIONARIES_PER_BATCH: usize = 16;

/// Cached images a copy holds in memory at a time: 40 MiB at the default `max_file`.
const MEDIA_FILES_PER_BATCH: usize = 4;

/// Tables with nothing to copy or check: an ingest's claims on new articles, which hold
/// no data between transactions (migration 22, `merging/claims.rs`), and the fleet's
/// turns per host, times that are past a few seconds later (migration 24,
/// `host_turns.rs`).
///
/// `listing_days` (migration 28, `listing/days.rs`) is not copied either: its triggers
/// write it again as a copy writes the posts, their copies and their tags.
pub(crate) const TRANSIENT_TABLES: &[&str] = &["article_claims", "host_turns", "listing_days"];

/// The table that records which migrations ran: each store keeps its own.
pub(crate) const MIGRATIONS_TABLE: &str = "schema_migrations";

/// The change clock's table, which holds exactly one row (id 1).
pub(crate) const CLOCK_TABLE: &str = "site_state";

/// "1 row", "12 rows".
pub(crate) fn rows(count: u64) -> String {
    if count == 1 {
        "1 row".to_owned()
    } else {
        format!("{count} rows")
    }
}

/// The rows of `table` (a name from [`TABLES`] or another constant of the store).
pub(crate) async fn count_rows(conn: &mut sqlx::AnyConnection, table: &str) -> crate::Result<u64> {
    use crate::error::QueryContext;
    let count: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(conn)
            .await
            .during("counting a table's rows")?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// The names of the tables the database holds (the search index's and the transient
/// tables left out).
pub(crate) async fn present(
    conn: &mut sqlx::AnyConnection,
    engine: crate::engine::Engine,
) -> crate::Result<Vec<String>> {
    use crate::error::QueryContext;
    let names: Vec<String> = sqlx::query_scalar(engine.tables_query())
        .fetch_all(conn)
        .await
        .during("listing the tables")?;
    Ok(names
        .into_iter()
        .filter(|name| !engine.is_search_table(name) && !TRANSIENT_TABLES.contains(&name.as_str()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_comes_after_the_tables_it_refers_to() {
        for (at, table) in TABLES.iter().enumerate() {
            for (column, parent) in table.references {
                let parent_at = TABLES.iter().position(|t| t.name == *parent);
                assert!(
                    parent_at.is_some_and(|p| p < at),
                    "{}.{column} refers to {parent}, which must come first",
                    table.name
                );
            }
            assert!(!table.key.is_empty(), "{} has a key", table.name);
        }
    }
}
