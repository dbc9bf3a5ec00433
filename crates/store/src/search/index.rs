//! The search index, brought in step in large batches instead of post by post.
//!
//! An ingest only records, in its own transaction, which posts need their index entry
//! (re)written: `search_pending`, one row per post, cheap. The indexer then claims pending
//! posts [`BATCH`] at a time ([`DUE_BATCH`] in a pass between ingests), each batch in one
//! transaction: it reads their titles and
//! bodies, decompresses the texts and writes all their entries at once (SQLite: the
//! contentless FTS5 table, old entries removed first; PostgreSQL: `search_documents`, the
//! keys of each post's words, computed here: [`super::keys`]). Writing thousands of
//! entries at once lets FTS5 build one segment instead of flushing and merging at every
//! statement, and keeps index work out of ingest's statements.
//!
//! When it runs: [`Store::index_search`] at the end of every `syndic fetch` run, when a
//! scheduler round finishes, and when a store is opened (a crashed run's pending posts are
//! still listed, so the index catches up); [`Store::index_search_if_due`] after an ingest,
//! which indexes once [`DUE_AFTER_POSTS`] posts are pending or the oldest has waited about
//! [`DUE_AFTER`]. A deleted post leaves the index at once (SQLite: a trigger; PostgreSQL:
//! its document is deleted with it).
//!
//! Claims are safe with several indexers at once: SQLite serializes them by its write
//! lock; on PostgreSQL a claim skips rows another indexer holds (`FOR UPDATE SKIP LOCKED`),
//! and an ingest that marks a post pending again while it is being indexed waits for that
//! indexer and leaves the post pending for the next pass.

use std::time::{Duration, Instant};

use sqlx::{AnyConnection, Row};

use crate::engine::{Engine, SearchEntry};
use crate::error::QueryContext;
use crate::sql::{Sql, fixed_runs};
use crate::{Result, Store, body};

/// The list of posts waiting for the search index.
pub(crate) const PENDING_TABLE: &str = "search_pending";

/// Posts indexed per transaction.
pub(crate) const BATCH: i64 = 2_000;
/// Posts indexed per transaction by a pass that runs between ingests
/// ([`Store::index_search_if_due`]). On SQLite a batch holds the store's one write lock,
/// and every ingest waits for it: a 2,000-post batch held it about a second on the ingest
/// bench, while the parsing threads ran out of bodies to parse and stood idle. Smaller
/// batches let the ingests waiting for the lock in between (write turns are first come,
/// first served), so parsing goes on while the index catches up; FTS5 still writes a
/// segment per batch, not per post. 250 was as fast, but its extra segment merges left
/// about 7 MB of free pages in the bench's store (0.81x the feed bytes instead of 0.73x).
pub(crate) const DUE_BATCH: i64 = 500;
/// Pending posts that make an indexing pass due ([`Store::index_search_if_due`]).
pub const DUE_AFTER_POSTS: u64 = 2_000;
/// How long pending posts wait, at most, for an ingest's due check to index them.
pub const DUE_AFTER: Duration = Duration::from_secs(30);

/// This process's indexer: one pass at a time, and when the last one ended.
#[derive(Debug)]
pub(crate) struct Indexer {
    last_pass: tokio::sync::Mutex<Instant>,
}

impl Default for Indexer {
    fn default() -> Self {
        Indexer {
            last_pass: tokio::sync::Mutex::new(Instant::now()),
        }
    }
}

impl Store {
    /// Brings the search index in step with every post pending now, in batches of a few
    /// thousand posts, each in its own transaction, and adds up the pending corpus counts
    /// (`corpus_pending`), then sees to the bodies (`body/upkeep.rs`: trains the store's
    /// zstd dictionary when due, rewrites older bodies with it a bounded number at a time)
    /// and folds the listings' day counts (`listing/days.rs`).
    /// Returns how many posts it indexed.
    /// Waits for a pass already running in this process, then does the rest.
    pub async fn index_search(&self) -> Result<u64> {
        let mut last_pass = self.indexer.last_pass.lock().await;
        // New posts' document frequencies are added up at the same times.
        self.fold_corpus().await?;
        let indexed = self.index_all_pending().await?;
        self.body_upkeep(crate::body::upkeep::REWRITE_PER_PASS)
            .await?;
        self.fold_listing_days().await?;
        *last_pass = Instant::now();
        Ok(indexed)
    }

    /// [`Store::index_search`] when it is due: [`DUE_AFTER_POSTS`] or more posts are
    /// pending, or some are and this process's last pass ended [`DUE_AFTER`] ago or more.
    /// Does nothing (and returns 0) while a pass is running in this process.
    pub async fn index_search_if_due(&self) -> Result<u64> {
        let Ok(mut last_pass) = self.indexer.last_pass.try_lock() else {
            return Ok(0);
        };
        let pending = self.search_pending().await?;
        let due = pending >= DUE_AFTER_POSTS || (pending > 0 && last_pass.elapsed() >= DUE_AFTER);
        if !due {
            return Ok(0);
        }
        self.fold_corpus().await?;
        let indexed = self.index_pending_in_batches_of(DUE_BATCH).await?;
        self.body_upkeep(crate::body::upkeep::REWRITE_PER_PASS)
            .await?;
        self.fold_listing_days().await?;
        *last_pass = Instant::now();
        Ok(indexed)
    }

    /// How many posts wait for their search index entry.
    pub async fn search_pending(&self) -> Result<u64> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_pending")
            .fetch_one(&self.pool)
            .await
            .during("counting posts waiting for the search index")?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Indexes every pending post; does not fold the corpus counts (a copy verifies that
    /// its target holds the rows it copied, pending counts included).
    pub(crate) async fn index_all_pending(&self) -> Result<u64> {
        self.index_pending_in_batches_of(BATCH).await
    }

    /// Indexes every pending post, `batch` posts a transaction.
    async fn index_pending_in_batches_of(&self, batch: i64) -> Result<u64> {
        let mut indexed = 0;
        if self.search_pending().await? == 0 {
            return Ok(0);
        }
        let started = Instant::now();
        loop {
            let mut tx = self.write("indexing posts for search").await?;
            let (claimed, written) = index_batch(&mut tx, self.engine, batch).await?;
            tx.commit()
                .await
                .during("committing a batch of the search index")?;
            indexed += written;
            if (claimed as i64) < batch {
                break;
            }
        }
        if indexed > 0
            && let Some(settle) = self.engine.settle_search()
            && let Err(error) = sqlx::query(settle).execute(&self.pool).await
        {
            // Only searches' speed is at stake (a store user that may not do it, say).
            tracing::debug!(%error, "cannot merge the search index's pending entries");
        }
        if indexed > 0 {
            tracing::debug!(
                posts = indexed,
                duration_ms = started.elapsed().as_millis(),
                "search index in step"
            );
        }
        Ok(indexed)
    }
}

/// Claims up to `batch` pending posts and writes their entries; how many were claimed
/// and how many of those still exist (and were indexed).
async fn index_batch(conn: &mut AnyConnection, engine: Engine, batch: i64) -> Result<(usize, u64)> {
    let mut claim = Sql::new(
        "DELETE FROM search_pending WHERE post_id IN \
         (SELECT post_id FROM search_pending ORDER BY post_id LIMIT ",
    );
    claim
        .bind(batch)
        .push(engine.skip_locked())
        .push(") RETURNING post_id");
    let mut claimed: Vec<i64> = Vec::new();
    for row in claim
        .fetch_all(&mut *conn, "claiming posts to index")
        .await?
    {
        claimed.push(row.try_get(0).during("claiming posts to index")?);
    }
    if claimed.is_empty() {
        return Ok((0, 0));
    }
    claimed.sort_unstable();
    let posts = read_texts(conn, engine, &claimed).await?;
    let entries = SearchEntry::all(&posts);
    engine
        .write_search_entries(&mut *conn, &claimed, &entries)
        .await?;
    Ok((claimed.len(), entries.len() as u64))
}

/// The title and text of each post in `ids` that still exists, in id order.
pub(crate) async fn read_texts(
    conn: &mut AnyConnection,
    engine: Engine,
    ids: &[i64],
) -> Result<Vec<(i64, String, String)>> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(engine.rows_per_statement(1)) {
        let mut select = Sql::new("SELECT id, title, body FROM posts WHERE id IN (");
        select.push_list(chunk, |sql, id| {
            sql.bind(*id);
        });
        select.push(") ORDER BY id");
        for row in select
            .fetch_all(&mut *conn, "reading posts to index")
            .await?
        {
            let read = || -> Result<(i64, String, Vec<u8>), sqlx::Error> {
                Ok((
                    row.try_get("id")?,
                    row.try_get("title")?,
                    row.try_get("body")?,
                ))
            };
            rows.push(read().during("reading posts to index")?);
        }
    }
    body::off_async(|| {
        rows.into_iter()
            .map(|(id, title, blob)| Ok((id, title, body::decode_text(&blob, id)?)))
            .collect()
    })
}

/// Records `posts` (ids, in any order) as waiting for the search index, inside an ingest's
/// transaction.
pub(crate) async fn record_pending(
    conn: &mut AnyConnection,
    engine: Engine,
    posts: &mut [i64],
) -> Result<()> {
    posts.sort_unstable();
    for chunk in fixed_runs(engine, posts, 1) {
        let mut insert = Sql::new("INSERT INTO search_pending (post_id) VALUES ");
        insert.push_list(chunk, |sql, id| {
            sql.push("(").bind(*id).push(")");
        });
        insert.push(" ON CONFLICT DO NOTHING");
        insert
            .prepared_on(engine)
            .execute(&mut *conn, "recording posts for the search index")
            .await?;
    }
    Ok(())
}

impl Store {
    /// Whether the search index is in step with every post: nothing pending, and the
    /// index holds exactly what indexing every post's title and text afresh gives (built
    /// beside it and compared: SQLite's FTS5 terms and positions, PostgreSQL's documents).
    /// Reads and indexes every post again: for checks, not for pages.
    pub async fn search_index_in_step(&self) -> Result<bool> {
        Ok(self.search_entries_out_of_step().await? == 0)
    }

    /// How many posts are pending or have an index entry that differs from their own.
    pub async fn search_entries_out_of_step(&self) -> Result<u64> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .during("checking the search index")?;
        let compared = compare_with_posts(&mut conn, self.engine).await?;
        Ok(compared.pending + compared.differing)
    }
}

/// The search index compared with the posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IndexComparison {
    /// Posts waiting for the next indexing pass (their entries are not compared).
    pub(crate) pending: u64,
    /// Posts not pending whose entry differs from what indexing their title and text
    /// afresh gives (a missing or stale entry), and entries of posts that are gone.
    pub(crate) differing: u64,
}

/// Compares the index on `conn` with every post not pending (the engine compares: see
/// [`Engine::check_search_entries`]). Reads only, apart from SQLite's private temporary
/// index, so it runs on any connection `syndic store check` or a read-only store has.
pub(crate) async fn compare_with_posts(
    conn: &mut AnyConnection,
    engine: Engine,
) -> Result<IndexComparison> {
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_pending")
        .fetch_one(&mut *conn)
        .await
        .during("counting posts waiting for the search index")?;
    let mut differing = 0;
    engine.begin_search_check(conn).await?;
    let mut after = 0_i64;
    loop {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM posts p WHERE id > $1 \
             AND NOT EXISTS (SELECT 1 FROM search_pending s WHERE s.post_id = p.id) \
             ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(&mut *conn)
        .await
        .during("checking the search index")?;
        let Some(&last) = ids.last() else { break };
        after = last;
        let posts = read_texts(conn, engine, &ids).await?;
        let entries = SearchEntry::all(&posts);
        differing += engine.check_search_entries(conn, &entries).await?;
    }
    differing += engine.finish_search_check(conn).await?;
    Ok(IndexComparison {
        pending: u64::try_from(pending).unwrap_or(0),
        differing,
    })
}

/// Empties the search index and lists every post as waiting for it, inside the caller's
/// transaction; after it commits, [`Store::index_search`] writes the index again.
pub(crate) async fn clear_and_mark_every_post(
    conn: &mut AnyConnection,
    engine: Engine,
) -> Result<()> {
    engine.clear_search_index(conn).await?;
    // `WHERE TRUE`: SQLite would read `ON` after a bare `FROM posts` as a join's.
    sqlx::query(
        "INSERT INTO search_pending (post_id) SELECT id FROM posts WHERE TRUE \
         ON CONFLICT DO NOTHING",
    )
    .execute(&mut *conn)
    .await
    .during("listing every post for the search index")?;
    Ok(())
}

#[cfg(test)]
mod tests;
