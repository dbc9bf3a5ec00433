//! The operator's decisions about posts: take one down (with a tombstone, so it never
//! comes back), restore it, approve or reject what review holds, and the lists of posts
//! that are not published. Every decision is one transaction that changes the post's
//! state, records an [`crate::AuditEntry`] and moves the change clock, so pages, feeds, the
//! page cache and the static build all see it at once.
//!
//! What a state change does to readers is the schema's business: listings, counts,
//! neighbours and search read only published posts, and a post's tag links leave the tag
//! index with it (`posts.state`, `post_tags.listed`, migration 14).

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use syndic_core::{Actor, DeletedEntry, PostId, PostState, SourceId};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store, StoreError, audit, clock, from_secs, to_secs, tombstones};

/// A post that is not published, as the review queue and the takedown list show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeratedPost {
    pub id: PostId,
    pub title: String,
    /// The original's URL, when the feed gave one.
    pub link: Option<String>,
    /// The source's name, else its feed's title, else its URL.
    pub source: String,
    pub state: PostState,
    /// The rule that filtered it, or why it was taken down; empty for a pending post.
    pub detail: String,
    pub published: DateTime<Utc>,
    /// When it entered this state (its first sight for a post held on arrival).
    pub since: DateTime<Utc>,
}

/// A stored post's state and what was kept with it (the rule, or the reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostStanding {
    pub state: PostState,
    pub detail: String,
}

/// The columns [`moderated_from_row`] reads.
const MODERATED: &str =
    "SELECT p.id, p.title, p.link, COALESCE(s.name, s.feed_title, s.url) AS source,
         p.state, p.state_detail, p.published_at, COALESCE(p.state_at, p.first_seen_at) AS since
     FROM posts p JOIN sources s ON s.id = p.source_id";

impl Store {
    /// The post `text` names: its number (any state), else the oldest post whose original
    /// is exactly that URL. `None` when there is no such post.
    pub async fn find_post(&self, text: &str) -> Result<Option<PostId>> {
        let text = text.trim();
        if let Ok(number) = text.parse::<i64>() {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE id = $1")
                .bind(number)
                .fetch_optional(&self.pool)
                .await
                .during("looking up a post")?;
            return Ok(found.map(PostId));
        }
        Ok(self.posts_by_link(text).await?.first().copied())
    }

    /// Where post `id` stands, in any state; `None` for an unknown post.
    pub async fn post_standing(&self, id: PostId) -> Result<Option<PostStanding>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT state, state_detail FROM posts WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .during("reading a post's state")?;
        row.map(|(state, detail)| {
            Ok(PostStanding {
                state: parse_state(&state)?,
                detail,
            })
        })
        .transpose()
    }

    /// Takes post `id` down everywhere at once, keeping `reason`, and leaves a tombstone
    /// (its source, guid and normalised link) so no later fetch of any source brings it
    /// back. `false` when it was already down. Recorded in the audit log; moves the change
    /// clock.
    pub async fn remove_post(
        &self,
        id: PostId,
        reason: &str,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let changed = self.take_down(&[id], reason, actor, "remove", at).await?;
        Ok(changed > 0)
    }

    /// Undoes a takedown: the post is published again and its tombstone goes. `false`
    /// when it was not taken down. Recorded in the audit log; moves the change clock.
    pub async fn restore_post(&self, id: PostId, actor: Actor, at: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.write("starting to restore a post").await?;
        let current = state_of(&mut tx, id).await?;
        if current != PostState::Removed {
            return Ok(false);
        }
        set_state(&mut tx, &[id], PostState::Published, "", at).await?;
        tombstones::forget(&mut tx, id).await?;
        audit::record(&mut tx, actor, "restore", &target(id), "", at).await?;
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing a restore")?;
        Ok(true)
    }

    /// Publishes the posts `ids` held for review (or hidden by a rule). Posts already
    /// published, or taken down, are left as they are; the count says how many changed.
    /// Fails without changing anything when an id is unknown. Each approval is recorded in
    /// the audit log; moves the change clock.
    pub async fn approve_posts(
        &self,
        ids: &[PostId],
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.write("starting to approve posts").await?;
        let mut approved = Vec::new();
        for &id in ids {
            let state = state_of(&mut tx, id).await?;
            if matches!(state, PostState::Pending | PostState::Filtered) && !approved.contains(&id)
            {
                approved.push(id);
            }
        }
        if approved.is_empty() {
            return Ok(0);
        }
        set_state(&mut tx, &approved, PostState::Published, "", at).await?;
        for &id in &approved {
            audit::record(&mut tx, actor, "approve", &target(id), "", at).await?;
        }
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing approvals")?;
        Ok(approved.len() as u64)
    }

    /// Rejects the posts `ids`: a takedown, with `reason` and a tombstone each, of every
    /// one not already down. Fails without changing anything when an id is unknown.
    /// Recorded in the audit log; moves the change clock.
    pub async fn reject_posts(
        &self,
        ids: &[PostId],
        reason: &str,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        self.take_down(ids, reason, actor, "reject", at).await
    }

    /// Takes down every post `source` gave (those not already down), each with `reason`
    /// and a tombstone: what `syndic remove URL --purge` does. One audit entry names the
    /// source and the count. Moves the change clock when anything changed.
    pub async fn remove_source_posts(
        &self,
        source: SourceId,
        reason: &str,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.write("starting to take a source's posts down").await?;
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM posts WHERE source_id = $1 AND state <> 'removed'")
                .bind(source.0)
                .fetch_all(&mut *tx)
                .await
                .during("reading a source's posts")?;
        let ids: Vec<PostId> = ids.into_iter().map(PostId).collect();
        for chunk in ids.chunks(self.engine.rows_per_statement(1)) {
            set_state(&mut tx, chunk, PostState::Removed, reason, at).await?;
            tombstones::bury(&mut tx, chunk, at).await?;
        }
        let what = format!("source {source} ({} posts)", ids.len());
        audit::record(&mut tx, actor, "purge", &what, reason, at).await?;
        if !ids.is_empty() {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("committing a source's takedown")?;
        Ok(ids.len() as u64)
    }

    /// Up to `limit` posts held for review, newest first.
    pub async fn pending_posts(&self, limit: u32) -> Result<Vec<ModeratedPost>> {
        self.posts_in_state(PostState::Pending, limit).await
    }

    /// Up to `limit` posts hidden by a keep/block rule (the rule in `detail`), newest first.
    pub async fn filtered_posts(&self, limit: u32) -> Result<Vec<ModeratedPost>> {
        self.posts_in_state(PostState::Filtered, limit).await
    }

    /// Up to `limit` posts taken down (the reason in `detail`), newest first.
    pub async fn removed_posts(&self, limit: u32) -> Result<Vec<ModeratedPost>> {
        self.posts_in_state(PostState::Removed, limit).await
    }

    async fn posts_in_state(&self, state: PostState, limit: u32) -> Result<Vec<ModeratedPost>> {
        // `state <> 'published'` is the condition of the index `posts_held`, written out
        // so that SQLite's planner sees it applies.
        let mut select = Sql::new(MODERATED);
        select
            .push(" WHERE p.state <> 'published' AND p.state = ")
            .bind(state.as_str())
            .push(" ORDER BY p.id DESC LIMIT ")
            .bind(i64::from(limit));
        let rows = select
            .fetch_all(&self.pool, "listing posts by state")
            .await?;
        rows.iter().map(moderated_from_row).collect()
    }

    /// The state change shared by removals and rejections.
    async fn take_down(
        &self,
        ids: &[PostId],
        reason: &str,
        actor: Actor,
        action: &str,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.write("starting a takedown").await?;
        let mut down = Vec::new();
        for &id in ids {
            let state = state_of(&mut tx, id).await?;
            if state != PostState::Removed && !down.contains(&id) {
                down.push(id);
            }
        }
        if down.is_empty() {
            return Ok(0);
        }
        take_down_in(&mut tx, &down, reason, actor, action, at).await?;
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing a takedown")?;
        Ok(down.len() as u64)
    }
}

/// What a takedown writes, inside the caller's transaction: the posts `down` (none of
/// them down yet) removed with `reason`, their tombstones, one audit entry each.
async fn take_down_in(
    tx: &mut AnyConnection,
    down: &[PostId],
    reason: &str,
    actor: Actor,
    action: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    set_state(tx, down, PostState::Removed, reason, at).await?;
    tombstones::bury(tx, down, at).await?;
    for &id in down {
        audit::record(tx, actor, action, &target(id), reason, at).await?;
    }
    Ok(())
}

/// Why a post its feed deleted is down.
pub(crate) const DELETED_UPSTREAM: &str = "deleted upstream";

/// Takes down, inside an ingest's transaction, the posts of `source` whose guids its
/// feed lists as deleted (RFC 6721 tombstones), those not already down: the operator's
/// takedown, reason [`DELETED_UPSTREAM`], actor `cli` (the configuration's
/// `honor_deletions` decided it). Returns how many went down.
pub(crate) async fn take_down_deleted(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    deleted: &[DeletedEntry],
    at: DateTime<Utc>,
) -> Result<u32> {
    let mut down = Vec::new();
    for chunk in deleted.chunks(engine.rows_per_statement(1)) {
        let mut select = Sql::new("SELECT id FROM posts WHERE state <> 'removed' AND source_id = ");
        select.bind(source.0).push(" AND guid IN (");
        select.push_list(chunk, |sql, entry| {
            sql.bind(crate::text::clean(&entry.id).into_owned());
        });
        select.push(") ORDER BY id");
        for row in select
            .fetch_all(&mut *tx, "finding posts deleted upstream")
            .await?
        {
            let id: i64 = row.try_get(0).during("finding posts deleted upstream")?;
            down.push(PostId(id));
        }
    }
    if !down.is_empty() {
        take_down_in(tx, &down, DELETED_UPSTREAM, Actor::Cli, "remove", at).await?;
    }
    Ok(u32::try_from(down.len()).unwrap_or(u32::MAX))
}

/// How the audit log names a post.
pub(crate) fn target(id: PostId) -> String {
    format!("post {id}")
}

/// The state of post `id`; an unknown post is an error.
async fn state_of(tx: &mut AnyConnection, id: PostId) -> Result<PostState> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM posts WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .during("reading a post's state")?;
    parse_state(&state.ok_or(StoreError::UnknownPost { id })?)
}

/// Puts the posts `ids` in `state` with `detail`, as of `at` (their tag links follow, by
/// the schema's trigger).
pub(crate) async fn set_state(
    tx: &mut AnyConnection,
    ids: &[PostId],
    state: PostState,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let mut update = Sql::new("UPDATE posts SET state = ");
    update
        .bind(state.as_str())
        .push(", state_detail = ")
        .bind(crate::text::clean(detail).into_owned())
        .push(", state_at = ")
        .bind(to_secs(at))
        .push(" WHERE id IN (");
    update.push_list(ids, |sql, id| {
        sql.bind(id.0);
    });
    update.push(")");
    update.execute(tx, "changing posts' state").await?;
    Ok(())
}

pub(crate) fn parse_state(name: &str) -> Result<PostState> {
    PostState::parse(name)
        .ok_or_else(|| StoreError::Corrupt(format!("a post has the unknown state {name:?}")))
}

fn moderated_from_row(row: &sqlx::any::AnyRow) -> Result<ModeratedPost> {
    let read = || -> Result<_, sqlx::Error> {
        Ok((
            row.try_get::<i64, _>("id")?,
            row.try_get::<String, _>("title")?,
            row.try_get::<Option<String>, _>("link")?,
            row.try_get::<String, _>("source")?,
            row.try_get::<String, _>("state")?,
            row.try_get::<String, _>("state_detail")?,
            row.try_get::<i64, _>("published_at")?,
            row.try_get::<i64, _>("since")?,
        ))
    };
    let (id, title, link, source, state, detail, published, since) =
        read().during("reading a post's state")?;
    Ok(ModeratedPost {
        id: PostId(id),
        title,
        link,
        source,
        state: parse_state(&state)?,
        detail,
        published: from_secs(published),
        since: from_secs(since),
    })
}

#[cfg(test)]
mod tests;
