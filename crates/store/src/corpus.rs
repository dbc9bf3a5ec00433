//! What tagging learns from and what it learned: the corpus's document frequencies (ingest
//! adds each new post's stems; a retag replaces them all), each tag's saved model (profile
//! and learned weights, as JSON the store does not read), people's decisions and the posts
//! they reviewed.
//!
//! An ingest records what its new posts add in `corpus_pending` ([`pending`], migration
//! 25), folded into `corpus_stems` many ingests at a time by the indexing passes; reads add
//! what is not folded yet. Counts are written from a JSON object in one statement
//! ([`Engine::json_counts`]), however many stems there are. Tables: `corpus_stems`,
//! `corpus_state`, `tag_models`, `tag_reviews` (migration 13), `corpus_pending`.

pub(crate) mod pending;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use syndic_core::{CorpusStats, PostId, TagDecisions, TagOrigin};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store, to_secs};

/// Stems written per statement when the frequencies are replaced.
const STEMS_PER_STATEMENT: usize = 50_000;

/// Records what new posts add to the document frequencies, inside the ingest's
/// transaction (one pending row, folded in later: [`pending`]).
pub(crate) async fn count_new_posts<'a>(
    tx: &mut AnyConnection,
    posts: impl Iterator<Item = &'a [String]>,
) -> Result<()> {
    let (counted, counts) = pending::count(posts);
    pending::record(tx, counted, &counts).await
}

/// Adds `counts` to `corpus_stems`, creating stems not seen before.
async fn add_counts(
    tx: &mut AnyConnection,
    engine: Engine,
    counts: &BTreeMap<&str, u64>,
) -> Result<()> {
    let entries: Vec<(&&str, &u64)> = counts.iter().collect();
    for chunk in entries.chunks(STEMS_PER_STATEMENT) {
        // Serialized from the borrowed pairs: no string or JSON value made per stem. A map
        // of strings to integers always serializes.
        let object: BTreeMap<&str, u64> = chunk.iter().map(|(stem, n)| (**stem, **n)).collect();
        let json = serde_json::to_string(&object).unwrap_or_else(|_| "{}".into());
        let sql = format!(
            "INSERT INTO corpus_stems (stem, posts) {} WHERE true
             ON CONFLICT (stem) DO UPDATE SET posts = corpus_stems.posts + excluded.posts",
            engine.json_counts()
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(json)
            .execute(&mut *tx)
            .await
            .during("counting stems")?;
    }
    Ok(())
}

/// Records that a person reviewed `post` (a manual decision or a label).
pub(crate) async fn review(tx: &mut AnyConnection, post: PostId, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "INSERT INTO tag_reviews (post_id, reviewed_at) VALUES ($1, $2)
         ON CONFLICT (post_id) DO UPDATE SET reviewed_at = excluded.reviewed_at",
    )
    .bind(post.0)
    .bind(to_secs(now))
    .execute(&mut *tx)
    .await
    .during("recording a review")?;
    Ok(())
}

impl Store {
    /// The stored document frequencies, with what ingests added since the last fold: the
    /// posts counted, and the `limit` most frequent stems.
    pub async fn corpus_stats(&self, limit: usize) -> Result<CorpusStats> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .during("reading the corpus counts")?;
        let pending = pending::read(&mut conn).await?;
        let posts: i64 = sqlx::query_scalar("SELECT posts FROM corpus_state WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await
            .during("reading the corpus counts")?
            .unwrap_or(0);
        // With counts pending, any stem may rise into the first `limit`: read them all.
        let read_limit = if pending.posts == 0 {
            limit
        } else {
            usize::MAX
        };
        let rows =
            sqlx::query("SELECT stem, posts FROM corpus_stems ORDER BY posts DESC, stem LIMIT $1")
                .bind(i64::try_from(read_limit).unwrap_or(i64::MAX))
                .fetch_all(&mut *conn)
                .await
                .during("reading the corpus counts")?;
        let mut stems = Vec::with_capacity(rows.len());
        for row in rows {
            let stem: String = row.try_get(0).during("reading the corpus counts")?;
            let n: i64 = row.try_get(1).during("reading the corpus counts")?;
            stems.push((stem, u64::try_from(n).unwrap_or(0)));
        }
        let posts = u64::try_from(posts).unwrap_or(0);
        Ok(pending::with_pending(posts, stems, pending, limit))
    }

    /// Adds every pending count to the document frequencies, each batch in its own
    /// transaction; how many ingests' counts it folded. Runs with the search index's
    /// passes ([`Store::index_search`]).
    pub(crate) async fn fold_corpus(&self) -> Result<usize> {
        let mut folded = 0;
        if !pending::any(&self.pool).await? {
            return Ok(0);
        }
        loop {
            let mut tx = self.write("adding up the corpus counts").await?;
            let rows = pending::fold(&mut tx, self.engine).await?;
            tx.commit().await.during("committing the corpus counts")?;
            folded += rows;
            if rows < pending::ROWS_PER_FOLD {
                return Ok(folded);
            }
        }
    }

    /// Replaces, in one transaction, the document frequencies (stems of fewer than
    /// `min_posts` posts left out) and every tag's saved model (`models`: tag name and the
    /// model's JSON; names without a tag row are skipped), and moves the model version.
    pub async fn save_tag_learning(
        &self,
        stats: &CorpusStats,
        min_posts: u64,
        models: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write("starting to save what tagging learned").await?;
        for table in ["DELETE FROM corpus_stems", "DELETE FROM corpus_pending"] {
            sqlx::query(table)
                .execute(&mut *tx)
                .await
                .during("clearing the corpus counts")?;
        }
        let counts: BTreeMap<&str, u64> = stats
            .stems
            .iter()
            .filter(|(_, n)| *n >= min_posts)
            .map(|(stem, n)| (stem.as_str(), *n))
            .collect();
        add_counts(&mut tx, self.engine, &counts).await?;
        sqlx::query(
            "UPDATE corpus_state SET posts = $1, model_version = model_version + 1,
                 model_saved_at = $2 WHERE id = 1",
        )
        .bind(i64::try_from(stats.posts).unwrap_or(i64::MAX))
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await
        .during("saving the corpus counts")?;
        sqlx::query("DELETE FROM tag_models")
            .execute(&mut *tx)
            .await
            .during("clearing the tag models")?;
        let ids: HashMap<String, i64> = sqlx::query_as("SELECT name, id FROM tags")
            .fetch_all(&mut *tx)
            .await
            .during("reading the tags")?
            .into_iter()
            .collect();
        let rows: Vec<(i64, &str)> = models
            .iter()
            .filter_map(|(name, json)| Some((*ids.get(name)?, json.as_str())))
            .collect();
        for chunk in rows.chunks(self.engine.rows_per_statement(2)) {
            let mut insert = Sql::new("INSERT INTO tag_models (tag_id, model) VALUES ");
            insert.push_list(chunk, |sql, (id, json)| {
                sql.push("(")
                    .bind(*id)
                    .push(", ")
                    .bind((*json).to_owned())
                    .push(")");
            });
            insert.execute(&mut tx, "saving the tag models").await?;
        }
        tx.commit()
            .await
            .during("committing what tagging learned")?;
        Ok(())
    }

    /// Every tag's saved model: (tag name, JSON).
    pub async fn tag_models(&self) -> Result<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT t.name, m.model FROM tag_models m JOIN tags t ON t.id = m.tag_id ORDER BY t.name",
        )
        .fetch_all(&self.pool)
        .await
        .during("reading the tag models")
    }

    /// The version of the saved tag models (moves with every save), for a server to know
    /// when to reload them.
    pub async fn tag_model_version(&self) -> Result<i64> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT model_version FROM corpus_state WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
                .during("reading the tag model version")?;
        Ok(version.unwrap_or(0))
    }

    /// People's decisions: manual tags, vetoes, the posts reviewed and every tag those
    /// posts carry.
    pub async fn tag_decisions(&self) -> Result<TagDecisions> {
        let pairs = |sql: &'static str| {
            let pool = &self.pool;
            async move {
                let rows: Vec<(i64, String)> = sqlx::query_as(sql)
                    .fetch_all(pool)
                    .await
                    .during("reading people's tag decisions")?;
                Ok::<_, crate::StoreError>(
                    rows.into_iter()
                        .map(|(post, tag)| (PostId(post), tag))
                        .collect::<Vec<_>>(),
                )
            }
        };
        let added = pairs(
            "SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
             WHERE pt.origin = 'manual' ORDER BY pt.post_id, t.name",
        )
        .await?;
        let removed = pairs(
            "SELECT v.post_id, t.name FROM tag_vetoes v JOIN tags t ON t.id = v.tag_id
             ORDER BY v.post_id, t.name",
        )
        .await?;
        let reviewed: Vec<i64> =
            sqlx::query_scalar("SELECT post_id FROM tag_reviews ORDER BY post_id")
                .fetch_all(&self.pool)
                .await
                .during("reading people's tag decisions")?;
        let mut carried = pairs(
            "SELECT DISTINCT pt.post_id, t.name FROM post_tags pt
             JOIN tag_reviews r ON r.post_id = pt.post_id JOIN tags t ON t.id = pt.tag_id
             ORDER BY pt.post_id, t.name",
        )
        .await?;
        carried.dedup();
        debug_assert!(TagOrigin::Manual.as_str() == "manual");
        Ok(TagDecisions {
            added,
            removed,
            reviewed: reviewed.into_iter().map(PostId).collect(),
            carried,
        })
    }

    /// Posts with no tag at all (for `/metrics`).
    pub async fn untagged_post_count(&self) -> Result<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM posts p WHERE NOT EXISTS
                 (SELECT 1 FROM post_tags pt WHERE pt.post_id = p.id)",
        )
        .fetch_one(&self.pool)
        .await
        .during("counting untagged posts")
    }
}

#[cfg(test)]
#[path = "corpus_tests.rs"]
mod tests;
