//! Re-applying the vocabulary to stored posts.

use chrono::{DateTime, Utc};
use sqlx::Row;
use syndic_core::{PostId, SourceId, TagAssignment};

use crate::error::QueryContext;
use crate::ingest::replace_automatic_tags;
use crate::{Result, Store, clock};

/// What tagging needs to know of a stored post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostForTagging {
    pub id: PostId,
    pub source_id: SourceId,
    pub title: String,
    pub content_text: String,
    pub categories: Vec<String>,
}

/// What a retag changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetagStats {
    pub posts: u64,
    /// Post-tag links that exist now and did not before (counting each tag once per post).
    pub added: u64,
    /// Post-tag links that existed before and do not now.
    pub removed: u64,
}

impl Store {
    /// Up to `limit` posts with an id above `after`, in id order: page through every post
    /// with `after` set to the last id seen.
    pub async fn posts_for_tagging(
        &self,
        after: PostId,
        limit: u32,
    ) -> Result<Vec<PostForTagging>> {
        let rows = sqlx::query(
            "SELECT id, source_id, title, content_text, categories FROM posts
             WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .during("reading posts to tag")?;
        rows.iter()
            .map(|row| {
                let categories: String = row.try_get("categories")?;
                Ok(PostForTagging {
                    id: PostId(row.try_get("id")?),
                    source_id: SourceId(row.try_get("source_id")?),
                    title: row.try_get("title")?,
                    content_text: row.try_get("content_text")?,
                    categories: serde_json::from_str(&categories).unwrap_or_default(),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .during("reading posts to tag")
    }

    /// Replaces the automatic tags of each post in one transaction; manual tags stay. Moves
    /// the change clock ([`Store::last_change`]) when a post gained or lost a tag.
    pub async fn apply_tags(
        &self,
        batch: &[(PostId, Vec<TagAssignment>)],
        now: DateTime<Utc>,
    ) -> Result<RetagStats> {
        let mut tx = self.write("starting a retag").await?;
        let mut stats = RetagStats::default();
        for (post, tags) in batch {
            let before = tag_names(&mut tx, *post).await?;
            replace_automatic_tags(&mut tx, *post, tags, now).await?;
            let after = tag_names(&mut tx, *post).await?;
            stats.posts += 1;
            stats.added += after.iter().filter(|t| !before.contains(t)).count() as u64;
            stats.removed += before.iter().filter(|t| !after.contains(t)).count() as u64;
        }
        // Pages show a post's tags, not why it has them: only a changed set is a change.
        if stats.added + stats.removed > 0 {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("committing a retag")?;
        Ok(stats)
    }
}

async fn tag_names(tx: &mut sqlx::SqliteConnection, post: PostId) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT DISTINCT tag_id FROM post_tags WHERE post_id = $1")
        .bind(post.0)
        .fetch_all(&mut *tx)
        .await
        .during("reading a post's tags")
}
