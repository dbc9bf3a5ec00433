//! Re-applying keep/block rules to stored posts (`syndic refilter`): read a page of posts
//! that are published or filtered, let the caller decide (syndic-tag's pure decision), and
//! move the ones whose verdict changed, each move recorded in the audit log. Pending and
//! removed posts are people's business and never read or moved here.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row;
use syndic_core::{Actor, PostId, PostState, SourceId, TagOrigin};

use crate::error::QueryContext;
use crate::moderation::{parse_state, target};
use crate::sql::Sql;
use crate::{Result, Store, audit, body, clock, to_secs};

/// A stored post as the rules read it, with where it stands and the tags it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostForFilter {
    pub id: PostId,
    pub source_id: SourceId,
    /// [`PostState::Published`] or [`PostState::Filtered`].
    pub state: PostState,
    /// The rule that filtered it (empty when published).
    pub detail: String,
    pub title: String,
    pub content_text: String,
    pub author: Option<String>,
    pub categories: Vec<String>,
    pub link: Option<String>,
    pub language: Option<String>,
    /// Its tags, by name, with how each was given.
    pub tags: Vec<(String, TagOrigin)>,
}

/// One post to move: to `state` (published, pending or filtered), with the rule that
/// filtered it (empty otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterMove {
    pub post: PostId,
    pub state: PostState,
    pub rule: String,
}

impl Store {
    /// Up to `limit` published or filtered posts with an id above `after`, in id order:
    /// page through them with `after` set to the last id seen.
    pub async fn posts_for_filter(&self, after: PostId, limit: u32) -> Result<Vec<PostForFilter>> {
        let rows = sqlx::query(
            "SELECT id, source_id, state, state_detail, title, author, link, body, categories,
                    language
             FROM posts WHERE id > $1 AND state IN ('published', 'filtered')
             ORDER BY id LIMIT $2",
        )
        .bind(after.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .during("reading posts to filter")?;
        let mut posts = rows
            .iter()
            .map(for_filter_from_row)
            .collect::<Result<Vec<_>>>()?;
        let (Some(first), Some(last)) = (posts.first(), posts.last()) else {
            return Ok(posts);
        };
        let links: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT pt.post_id, t.name, pt.origin FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
             WHERE pt.post_id BETWEEN $1 AND $2",
        )
        .bind(first.id.0)
        .bind(last.id.0)
        .fetch_all(&self.pool)
        .await
        .during("reading the tags of posts to filter")?;
        let mut tags: HashMap<i64, Vec<(String, TagOrigin)>> = HashMap::new();
        for (post, name, origin) in links {
            if let Ok(origin) = origin.parse::<TagOrigin>() {
                tags.entry(post).or_default().push((name, origin));
            }
        }
        for post in &mut posts {
            post.tags = tags.remove(&post.id.0).unwrap_or_default();
        }
        Ok(posts)
    }

    /// Moves each post as `moves` says, if it is still published or filtered (a person may
    /// have decided meanwhile), in one transaction: its state, an audit entry per post moved
    /// (`filter` with the rule, or `unfilter`) by `actor`, and the change clock when anything
    /// moved. Returns how many moved.
    pub async fn move_filtered(
        &self,
        moves: &[FilterMove],
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.write("starting to refilter posts").await?;
        let mut moved = 0;
        for change in moves {
            let mut update = Sql::new("UPDATE posts SET state = ");
            update
                .bind(change.state.as_str())
                .push(", state_detail = ")
                .bind(crate::text::clean(&change.rule).into_owned())
                .push(", state_at = ")
                .bind(to_secs(at))
                .push(" WHERE id = ")
                .bind(change.post.0)
                .push(" AND state IN ('published', 'filtered') AND state <> ")
                .bind(change.state.as_str());
            let done = update
                .execute(&mut tx, "moving a post by the rules")
                .await?;
            if done.rows_affected() == 0 {
                continue;
            }
            moved += 1;
            let action = match change.state {
                PostState::Filtered => "filter",
                _ => "unfilter",
            };
            let what = target(change.post);
            audit::record(&mut tx, actor, action, &what, &change.rule, at).await?;
        }
        if moved > 0 {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("committing a refilter")?;
        Ok(moved)
    }
}

fn for_filter_from_row(row: &sqlx::any::AnyRow) -> Result<PostForFilter> {
    let read = || -> Result<(PostForFilter, String, Vec<u8>), sqlx::Error> {
        let categories: String = row.try_get("categories")?;
        let post = PostForFilter {
            id: PostId(row.try_get("id")?),
            source_id: SourceId(row.try_get("source_id")?),
            state: PostState::Published,
            detail: row.try_get("state_detail")?,
            title: row.try_get("title")?,
            content_text: String::new(),
            author: row.try_get("author")?,
            categories: serde_json::from_str(&categories).unwrap_or_default(),
            link: row.try_get("link")?,
            language: row.try_get("language")?,
            tags: Vec::new(),
        };
        Ok((post, row.try_get("state")?, row.try_get("body")?))
    };
    let (mut post, state, blob) = read().during("reading posts to filter")?;
    post.state = parse_state(&state)?;
    post.content_text = body::decode_text(&blob, post.id.0)?;
    Ok(post)
}

#[cfg(test)]
#[path = "refilter_tests.rs"]
mod tests;
