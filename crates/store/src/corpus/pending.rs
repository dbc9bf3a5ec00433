//! Document frequencies added in batches: an ingest records what its new posts add as one
//! row of `corpus_pending` (the posts counted and a JSON object of stem counts: one cheap
//! insert, whatever the number of stems), and [`fold`] adds the pending rows to
//! `corpus_stems` many ingests at a time, alongside the search index's passes. Upserting
//! thousands of stems in every ingest's transaction took most of an ingest's statement
//! time, and on PostgreSQL concurrent ingests waited on each other's locked stem rows.
//!
//! Readers never see the difference: [`read`] gives the pending rows, and
//! [`with_pending`] (pure) adds them to the folded counts, so `corpus_stats` is exact
//! before and after a fold. Claims are safe with several folders at once (SQLite's write
//! lock; PostgreSQL skips rows another folder holds), and the stems are upserted in sorted
//! order so two folders never lock rows in opposite orders.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use sqlx::{AnyConnection, Row};
use syndic_core::CorpusStats;

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, StoreError};

/// Pending rows folded per transaction (each one ingest's new posts).
pub(crate) const ROWS_PER_FOLD: usize = 1_000;

/// What some ingests' new posts add to the document frequencies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pending {
    /// Posts counted.
    pub(crate) posts: u64,
    /// In how many of them each stem occurs.
    pub(crate) stems: HashMap<String, u64, foldhash::fast::RandomState>,
}

impl Pending {
    /// Adds one pending row (its posts and its JSON object of counts).
    fn add_row(&mut self, posts: u64, json: &str, id: i64) -> Result<()> {
        // Borrowed where the JSON holds a stem as it is, owned where it escapes something.
        let counts: HashMap<Cow<'_, str>, u64, foldhash::fast::RandomState> =
            serde_json::from_str(json)
                .map_err(|source| StoreError::CorruptCounts { id, source })?;
        self.posts += posts;
        for (stem, n) in counts {
            match self.stems.get_mut(stem.as_ref()) {
                Some(sum) => *sum += n,
                None => {
                    self.stems.insert(stem.into_owned(), n);
                }
            }
        }
        Ok(())
    }
}

/// The counts of `posts` (each a post's distinct stems; a post without any is not
/// counted): how many posts, and in how many of them each stem occurs.
pub(crate) fn count<'a>(posts: impl Iterator<Item = &'a [String]>) -> (u64, Counts<'a>) {
    let mut counts = Counts::default();
    let mut counted = 0u64;
    for stems in posts.filter(|stems| !stems.is_empty()) {
        counted += 1;
        for stem in stems {
            *counts.entry(stem.as_str()).or_insert(0) += 1;
        }
    }
    (counted, counts)
}

/// In how many posts each stem occurs, hashed by a fast hasher seeded per process.
pub(crate) type Counts<'a> = HashMap<&'a str, u64, foldhash::fast::RandomState>;

/// Records new posts' counts as one pending row, inside the ingest's transaction.
pub(crate) async fn record(tx: &mut AnyConnection, posts: u64, counts: &Counts<'_>) -> Result<()> {
    if posts == 0 {
        return Ok(());
    }
    // A map of strings to integers always serializes.
    let json = serde_json::to_string(counts).unwrap_or_else(|_| "{}".into());
    sqlx::query("INSERT INTO corpus_pending (posts, stems) VALUES ($1, $2)")
        .bind(i64::try_from(posts).unwrap_or(i64::MAX))
        .bind(json)
        .execute(&mut *tx)
        .await
        .during("recording new posts' stems")?;
    Ok(())
}

/// Whether any count is pending (a read, so nothing is locked when nothing is).
pub(crate) async fn any(pool: &sqlx::AnyPool) -> Result<bool> {
    let any: Option<i64> = sqlx::query_scalar("SELECT id FROM corpus_pending LIMIT 1")
        .fetch_optional(pool)
        .await
        .during("looking for pending corpus counts")?;
    Ok(any.is_some())
}

/// Every pending row, added up (for readers: nothing is claimed).
pub(crate) async fn read(conn: &mut AnyConnection) -> Result<Pending> {
    let rows = sqlx::query("SELECT id, posts, stems FROM corpus_pending ORDER BY id")
        .fetch_all(&mut *conn)
        .await
        .during("reading the pending corpus counts")?;
    add_rows(&rows)
}

fn add_rows(rows: &[sqlx::any::AnyRow]) -> Result<Pending> {
    let mut pending = Pending::default();
    for row in rows {
        let read = || -> Result<(i64, i64, String), sqlx::Error> {
            Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
        };
        let (id, posts, json) = read().during("reading the pending corpus counts")?;
        pending.add_row(u64::try_from(posts).unwrap_or(0), &json, id)?;
    }
    Ok(pending)
}

/// Claims up to [`ROWS_PER_FOLD`] pending rows inside the caller's transaction and adds
/// them to `corpus_stems` and `corpus_state`; how many rows it folded.
pub(crate) async fn fold(tx: &mut AnyConnection, engine: Engine) -> Result<usize> {
    let mut claim = Sql::new(
        "DELETE FROM corpus_pending WHERE id IN (SELECT id FROM corpus_pending ORDER BY id LIMIT ",
    );
    claim
        .bind(ROWS_PER_FOLD as i64)
        .push(engine.skip_locked())
        .push(") RETURNING id, posts, stems");
    let rows = claim
        .fetch_all(&mut *tx, "claiming the pending corpus counts")
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let pending = add_rows(&rows)?;
    let sorted: BTreeMap<&str, u64> = pending
        .stems
        .iter()
        .map(|(stem, n)| (stem.as_str(), *n))
        .collect();
    super::add_counts(tx, engine, &sorted).await?;
    sqlx::query("UPDATE corpus_state SET posts = posts + $1 WHERE id = 1")
        .bind(i64::try_from(pending.posts).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await
        .during("counting new posts")?;
    Ok(rows.len())
}

/// The folded frequencies (`posts` counted, every stem's count) with the pending ones
/// added, as `corpus_stats` gives them: the `limit` most frequent stems, most frequent
/// first, ties by stem.
pub(crate) fn with_pending(
    posts: u64,
    folded: Vec<(String, u64)>,
    pending: Pending,
    limit: usize,
) -> CorpusStats {
    let mut stems = pending.stems;
    for (stem, n) in folded {
        *stems.entry(stem).or_insert(0) += n;
    }
    let mut stems: Vec<(String, u64)> = stems.into_iter().collect();
    stems.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    stems.truncate(limit);
    CorpusStats {
        posts: posts + pending.posts,
        stems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(posts: u64, stems: &[(&str, u64)]) -> Pending {
        Pending {
            posts,
            stems: stems.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect(),
        }
    }

    #[test]
    fn pending_counts_add_to_the_folded_ones_and_reorder_them() {
        let folded = vec![("map".to_owned(), 3), ("sea".to_owned(), 2)];
        let stats = with_pending(5, folded, pending(2, &[("sea", 2), ("ship", 1)]), 10);
        assert_eq!(stats.posts, 7);
        assert_eq!(
            stats.stems,
            [
                ("sea".to_owned(), 4),
                ("map".to_owned(), 3),
                ("ship".to_owned(), 1)
            ]
        );
    }

    #[test]
    fn the_limit_applies_after_the_pending_counts_are_added() {
        let folded = vec![("map".to_owned(), 3), ("sea".to_owned(), 2)];
        let stats = with_pending(5, folded, pending(1, &[("ship", 4)]), 1);
        assert_eq!(stats.stems, [("ship".to_owned(), 4)]);
    }

    #[test]
    fn posts_without_stems_are_not_counted() {
        let posts = [
            vec!["map".to_owned(), "sea".to_owned()],
            vec![],
            vec!["map".to_owned()],
        ];
        let (counted, counts) = count(posts.iter().map(Vec::as_slice));
        assert_eq!(counted, 2);
        assert_eq!(counts.get("map"), Some(&2));
        assert_eq!(counts.get("sea"), Some(&1));
    }

    #[test]
    fn a_row_that_is_not_a_json_object_of_counts_names_its_id() {
        let mut sum = Pending::default();
        let error = sum.add_row(1, "[1, 2]", 42).expect_err("not counts");
        assert!(error.to_string().contains("42"), "{error}");
    }
}
