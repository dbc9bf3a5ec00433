//! Revision history: the earlier versions of a post an upstream edit replaced.
//!
//! An ingest that updates a post decides in its plan ([`edit::is_revision`], pure) whether
//! the edit changed what a reader reads; when it did, the version it replaces is written
//! here (title, and text and HTML in the body codec, [`crate::body`]) in the ingest's
//! transaction, numbered one past the post's newest, and the oldest beyond
//! `[site] keep_revisions` are deleted ([`edit::number`], pure). The current version is the
//! post row itself: [`Store::post_versions`] lists both, oldest first.

pub(crate) mod edit;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use syndic_core::PostId;

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::ingest::StoredPost;
use crate::sql::Sql;
use crate::{Result, Store, body, from_secs, to_secs};

/// One version of a post: an earlier one kept, or the current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostVersion {
    /// Counts the post's versions from 1; kept versions keep their number when older
    /// ones are dropped, and the current one is one past the newest kept.
    pub number: i64,
    pub title: String,
    pub content_text: String,
    pub content_html: String,
    /// Since when this version was the post's (its updated time, else its publication).
    pub at: DateTime<Utc>,
    /// Whether this is the post as it stands now.
    pub current: bool,
}

impl Store {
    /// Every version kept of post `id` (in any state), oldest first, the current one
    /// last; empty for an unknown post. Pages check the post's state first.
    pub async fn post_versions(&self, id: PostId) -> Result<Vec<PostVersion>> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .during("reading a post's versions")?;
        let current =
            sqlx::query("SELECT title, body, published_at, updated_at FROM posts WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await
                .during("reading a post's versions")?;
        let Some(current) = current else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT number, title, body, at FROM post_revisions WHERE post_id = $1
             ORDER BY number",
        )
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await
        .during("reading a post's versions")?;
        let mut versions = Vec::with_capacity(rows.len() + 1);
        for row in &rows {
            versions.push(version_from_row(row, id, false)?);
        }
        let number = versions.last().map_or(1, |v: &PostVersion| v.number + 1);
        let mut now = version_from_row(&current, id, true)?;
        now.number = number;
        versions.push(now);
        Ok(versions)
    }

    /// How many versions of post `id` are kept, the current one included: 1 for a post
    /// never edited, 0 for an unknown post.
    pub async fn version_count(&self, id: PostId) -> Result<u32> {
        let (posts, revisions): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM posts WHERE id = $1),
                    (SELECT COUNT(*) FROM post_revisions WHERE post_id = $1)",
        )
        .bind(id.0)
        .fetch_one(&self.pool)
        .await
        .during("counting a post's versions")?;
        Ok(u32::try_from(if posts == 0 { 0 } else { revisions + 1 }).unwrap_or(u32::MAX))
    }

    /// How many published posts have at least one earlier version kept.
    pub async fn count_revised_posts(&self) -> Result<u64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT r.post_id) FROM post_revisions r
             JOIN posts p ON p.id = r.post_id WHERE p.state = 'published'",
        )
        .fetch_one(&self.pool)
        .await
        .during("counting revised posts")?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Of `ids`, the posts with at least one earlier version kept.
    pub async fn posts_with_revisions(&self, ids: &[PostId]) -> Result<HashSet<PostId>> {
        let mut found = HashSet::new();
        for chunk in ids.chunks(self.engine.rows_per_statement(1)) {
            let mut select =
                Sql::new("SELECT DISTINCT post_id FROM post_revisions WHERE post_id IN (");
            select.push_list(chunk, |sql, id| {
                sql.bind(id.0);
            });
            select.push(")");
            for row in select
                .fetch_all(&self.pool, "finding revised posts")
                .await?
            {
                let id: i64 = row.try_get(0).during("finding revised posts")?;
                found.insert(PostId(id));
            }
        }
        Ok(found)
    }
}

fn version_from_row(row: &sqlx::any::AnyRow, id: PostId, current: bool) -> Result<PostVersion> {
    let read = || -> Result<_, sqlx::Error> {
        let (number, at) = if current {
            let published: i64 = row.try_get("published_at")?;
            let updated: Option<i64> = row.try_get("updated_at")?;
            (0, updated.unwrap_or(published))
        } else {
            (row.try_get("number")?, row.try_get("at")?)
        };
        Ok((
            number,
            at,
            row.try_get("title")?,
            row.try_get::<Vec<u8>, _>("body")?,
        ))
    };
    let (number, at, title, blob) = read().during("reading a post's versions")?;
    let (content_text, content_html) = body::decode(&blob, id.0)?;
    Ok(PostVersion {
        number,
        title,
        content_text,
        content_html,
        at: from_secs(at),
        current,
    })
}

/// Keeps `replaced` (the stored versions an ingest's updates replace) as revisions of
/// their posts, at most `keep` per post, inside the ingest's transaction.
pub(crate) async fn record(
    tx: &mut AnyConnection,
    store: &Store,
    replaced: &[&StoredPost],
    now: DateTime<Utc>,
) -> Result<()> {
    let (engine, keep) = (store.engine, store.keep_revisions);
    let dictionary = store.dictionaries.current();
    if replaced.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = replaced.iter().map(|p| p.id).collect();
    let stored = stored_numbers(tx, engine, &ids).await?;
    let mut new_rows: Vec<(&StoredPost, i64)> = Vec::new();
    let mut dropped: Vec<(i64, i64)> = Vec::new();
    for post in replaced {
        let numbers = stored.get(&post.id).map(Vec::as_slice).unwrap_or_default();
        let plan = edit::number(numbers, 1, keep);
        new_rows.extend(plan.added.iter().map(|n| (*post, *n)));
        dropped.extend(plan.dropped.iter().map(|n| (post.id, *n)));
    }
    let bodies: Vec<Vec<u8>> = body::off_async(|| {
        new_rows
            .iter()
            .map(|(post, _)| body::encode_with(&post.content_text, &post.content_html, dictionary))
            .collect()
    });
    let mut bodies = bodies.into_iter();
    for chunk in new_rows.chunks(engine.rows_per_statement(6)) {
        let mut insert = Sql::new(
            "INSERT INTO post_revisions (post_id, number, title, body, at, replaced_at) VALUES ",
        );
        insert.push_list(
            chunk.iter().zip(bodies.by_ref()),
            |sql, ((post, number), blob)| {
                sql.push("(")
                    .bind(post.id)
                    .push(", ")
                    .bind(*number)
                    .push(", ");
                sql.bind(post.title.clone())
                    .push(", ")
                    .bind(blob)
                    .push(", ");
                sql.bind(post.updated_at.unwrap_or(post.published_at))
                    .push(", ")
                    .bind(to_secs(now))
                    .push(")");
            },
        );
        insert
            .execute(tx, "keeping earlier versions of posts")
            .await?;
    }
    for chunk in dropped.chunks(engine.rows_per_statement(2)) {
        let mut delete = Sql::new("DELETE FROM post_revisions WHERE (post_id, number) IN (");
        delete.push_list(chunk, |sql, (post, number)| {
            sql.push("(").bind(*post).push(", ").bind(*number).push(")");
        });
        delete.push(")");
        delete
            .execute(tx, "dropping the oldest versions of posts")
            .await?;
    }
    Ok(())
}

/// The revision numbers stored for each of `posts`, ascending.
async fn stored_numbers(
    tx: &mut AnyConnection,
    engine: Engine,
    posts: &[i64],
) -> Result<HashMap<i64, Vec<i64>>> {
    let mut found: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in posts.chunks(engine.rows_per_statement(1)) {
        let mut select = Sql::new("SELECT post_id, number FROM post_revisions WHERE post_id IN (");
        select.push_list(chunk, |sql, id| {
            sql.bind(*id);
        });
        select.push(") ORDER BY post_id, number");
        for row in select
            .fetch_all(&mut *tx, "reading posts' revisions")
            .await?
        {
            let read =
                || -> Result<(i64, i64), sqlx::Error> { Ok((row.try_get(0)?, row.try_get(1)?)) };
            let (post, number) = read().during("reading posts' revisions")?;
            found.entry(post).or_default().push(number);
        }
    }
    Ok(found)
}
