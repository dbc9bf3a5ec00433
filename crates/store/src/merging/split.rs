//! `syndic post split POST SOURCE`: undoing a wrong merge, and remembering it.
//!
//! The source's copy leaves the post (its `post_sources` row, links and fingerprint
//! bands), a veto keeps it from merging into that post again (`merge_vetoes`), and the
//! source's validators and body hash are cleared and its next fetch set to now, so that
//! its next fetch reads the feed whole and stores the copy as a post of its own (only
//! while the feed still carries the item: one that has left the feed's window does not
//! come back). When the split source is the one the post is credited to, the credit goes
//! to the remaining copy [`super::recredit`] picks (highest priority, the first seen on a
//! tie); the post keeps its text.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use syndic_core::{Actor, PostId, SourceId};

use crate::error::QueryContext;
use crate::{Result, Store, StoreError, audit, clock, moderation, to_secs};

impl Store {
    /// Splits `source`'s copy off post `id` (see the module's documentation), recorded in
    /// the audit log (`split` by `actor`, the source's URL as the reason) with the change
    /// clock moved, in one transaction. Fails with [`StoreError::UnknownPost`],
    /// [`StoreError::UnknownSource`] or [`StoreError::NotMerged`] (the source carries no
    /// copy of the post, or the only one) without changing anything.
    pub async fn split_post(
        &self,
        id: PostId,
        source: SourceId,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write("starting to split a post").await?;
        let credited: Option<i64> = sqlx::query_scalar("SELECT source_id FROM posts WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .during("reading a post to split")?;
        let credited = credited.ok_or(StoreError::UnknownPost { id })?;
        let url: Option<String> = sqlx::query_scalar("SELECT url FROM sources WHERE id = $1")
            .bind(source.0)
            .fetch_optional(&mut *tx)
            .await
            .during("reading a source to split off")?;
        let url = url.ok_or(StoreError::UnknownSource { id: source })?;
        let others = remaining_copies(&mut tx, id, source).await?;
        let not_merged = StoreError::NotMerged {
            post: id,
            source_id: source,
        };
        if !has_copy(&mut tx, id, source).await? {
            return Err(not_merged);
        }
        if others.is_empty() {
            return Err(not_merged);
        }
        for table in ["post_sources", "article_links", "fingerprint_bands"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE post_id = $1 AND source_id = $2"
            )))
            .bind(id.0)
            .bind(source.0)
            .execute(&mut *tx)
            .await
            .during("removing a split copy")?;
        }
        if credited == source.0 {
            super::recredit::credit_again(&mut tx, &[id.0]).await?;
        }
        sqlx::query(
            "INSERT INTO merge_vetoes (post_id, source_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (post_id, source_id) DO NOTHING",
        )
        .bind(id.0)
        .bind(source.0)
        .bind(to_secs(at))
        .execute(&mut *tx)
        .await
        .during("remembering a split")?;
        sqlx::query(
            "UPDATE sources SET etag = NULL, last_modified = NULL, body_hash = NULL,
                 next_fetch_at = $1 WHERE id = $2",
        )
        .bind(to_secs(at))
        .bind(source.0)
        .execute(&mut *tx)
        .await
        .during("making a split source read its feed again")?;
        let target = moderation::target(id);
        audit::record(
            &mut tx,
            actor,
            "split",
            &target,
            &format!("source {url}"),
            at,
        )
        .await?;
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing a split")?;
        Ok(())
    }
}

async fn has_copy(tx: &mut AnyConnection, id: PostId, source: SourceId) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT post_id FROM post_sources WHERE post_id = $1 AND source_id = $2",
    )
    .bind(id.0)
    .bind(source.0)
    .fetch_optional(&mut *tx)
    .await
    .during("reading a post's sources")?;
    Ok(found.is_some())
}

/// The sources of the post's other copies.
async fn remaining_copies(
    tx: &mut AnyConnection,
    id: PostId,
    source: SourceId,
) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT source_id FROM post_sources WHERE post_id = $1 AND source_id <> $2")
        .bind(id.0)
        .bind(source.0)
        .fetch_all(&mut *tx)
        .await
        .during("reading a post's sources")
}
