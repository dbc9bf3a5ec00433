//! Re-applying the vocabulary to stored posts, a batch at a time, writing only what changed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use syndic_core::{PostId, SourceId, TagAssignment, TagId, TagOrigin, slugify};

use crate::error::QueryContext;
use crate::{Result, Store, StoreError, clock};

/// What tagging needs to know of a stored post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostForTagging {
    pub id: PostId,
    pub source_id: SourceId,
    pub title: String,
    pub content_text: String,
    pub categories: Vec<String>,
    /// The language the item or its feed declared, as stored.
    pub language: Option<String>,
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

/// How one post's set of tags changes (by tag name, each tag once whatever its origins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTagChange {
    pub post: PostId,
    pub gained: Vec<String>,
    pub lost: Vec<String>,
}

/// What [`Store::retag_batch`] found (and, unless a dry run, wrote) for one batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetagBatch {
    /// The posts whose set of tags changes, in the batch's order.
    pub changes: Vec<PostTagChange>,
    /// Link rows deleted (or that would be).
    pub rows_deleted: u64,
    /// Link rows inserted or whose detail changed (or that would be).
    pub rows_written: u64,
}

/// The tag table as a retag sees it (slug → id, id → name), read once and kept across the
/// batches of one retag. Tags a dry run would create get stand-in (negative) ids. Drop it
/// after an error: it may hold ids of tags whose creation was rolled back.
#[derive(Debug, Default)]
pub struct TagCache {
    loaded: bool,
    ids: HashMap<String, i64>,
    names: HashMap<i64, String>,
    next_stand_in: i64,
}

/// Rows per multi-row statement: 4 parameters each stays far below SQLite's limit.
const ROWS_PER_STATEMENT: usize = 2000;

/// What tagging reads of a post, with `$tail` (filter, order) appended.
macro_rules! select_for_tagging {
    ($tail:literal) => {
        concat!(
            "SELECT id, source_id, title, content_text, categories, language FROM posts",
            $tail
        )
    };
}

impl Store {
    /// Up to `limit` posts with an id above `after`, in id order: page through every post
    /// with `after` set to the last id seen.
    pub async fn posts_for_tagging(
        &self,
        after: PostId,
        limit: u32,
    ) -> Result<Vec<PostForTagging>> {
        let rows = sqlx::query(select_for_tagging!(" WHERE id > $1 ORDER BY id LIMIT $2"))
            .bind(after.0)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .during("reading posts to tag")?;
        rows.iter().map(for_tagging_from_row).collect()
    }

    /// One post as tagging reads it.
    pub async fn post_for_tagging(&self, id: PostId) -> Result<Option<PostForTagging>> {
        let row = sqlx::query(select_for_tagging!(" WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .during("reading a post to tag")?;
        row.as_ref().map(for_tagging_from_row).transpose()
    }

    /// Replaces the automatic tags of each post in one transaction; manual tags and vetoes
    /// stay. Moves the change clock ([`Store::last_change`]) when a post gained or lost a
    /// tag. The same as [`Store::retag_batch`] applied, counted.
    pub async fn apply_tags(
        &self,
        batch: &[(PostId, Vec<TagAssignment>)],
        now: DateTime<Utc>,
    ) -> Result<RetagStats> {
        let diff = self
            .retag_batch(batch, false, &mut TagCache::default(), now)
            .await?;
        let count =
            |f: fn(&PostTagChange) -> usize| diff.changes.iter().map(|c| f(c) as u64).sum::<u64>();
        Ok(RetagStats {
            posts: batch.len() as u64,
            added: count(|c| c.gained.len()),
            removed: count(|c| c.lost.len()),
        })
    }

    /// Compares the automatic tags each post of `batch` has with the ones given, and unless
    /// `dry_run` writes the difference in one transaction: one read of the batch's current
    /// links and vetoes, then a few multi-row deletes and upserts. Manual links are never
    /// touched, and a vetoed pair ([`Store::remove_tag`]) is never linked automatically.
    /// Tags named for the first time (feed categories under `categories = "all"`) are
    /// created, except in a dry run. Moves the change clock when a post's set of tags
    /// changed.
    ///
    /// Reads are by id range, so a batch should be consecutive posts as
    /// [`Store::posts_for_tagging`] returns them (any set of posts works, only slower).
    pub async fn retag_batch(
        &self,
        batch: &[(PostId, Vec<TagAssignment>)],
        dry_run: bool,
        cache: &mut TagCache,
        now: DateTime<Utc>,
    ) -> Result<RetagBatch> {
        if batch.is_empty() {
            return Ok(RetagBatch::default());
        }
        if dry_run {
            let mut conn = self
                .pool
                .acquire()
                .await
                .during("starting a retag dry run")?;
            return diff_batch(&mut conn, batch, cache, None)
                .await
                .map(|(diff, _)| diff);
        }
        let mut tx = self.write("starting a retag").await?;
        let (diff, plan) = diff_batch(&mut tx, batch, cache, Some(now)).await?;
        write_plan(&mut tx, &plan).await?;
        // Pages show a post's tags, not why it has them: only a changed set is a change.
        if !diff.changes.is_empty() {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("committing a retag")?;
        Ok(diff)
    }
}

fn for_tagging_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<PostForTagging> {
    let read = || -> Result<PostForTagging, sqlx::Error> {
        let categories: String = row.try_get("categories")?;
        Ok(PostForTagging {
            id: PostId(row.try_get("id")?),
            source_id: SourceId(row.try_get("source_id")?),
            title: row.try_get("title")?,
            content_text: row.try_get("content_text")?,
            categories: serde_json::from_str(&categories).unwrap_or_default(),
            language: row.try_get("language")?,
        })
    };
    read().during("reading posts to tag")
}

/// Link rows to delete and to upsert: (post, tag, origin[, detail]).
#[derive(Default)]
struct Plan {
    delete: Vec<(i64, i64, &'static str)>,
    upsert: Vec<(i64, i64, &'static str, String)>,
}

/// The current links of one post.
#[derive(Default)]
struct Current {
    /// Automatic links: (tag, origin) → detail.
    automatic: HashMap<(i64, &'static str), String>,
    /// Every tag the post carries, any origin.
    tags: HashSet<i64>,
    /// Tags it carries by a manual decision.
    manual: HashSet<i64>,
    vetoed: HashSet<i64>,
}

/// Reads the batch's links, vetoes and the tag table, and works out the difference. With
/// `create` (a time), tags not yet stored are created; otherwise they get stand-in ids.
async fn diff_batch(
    conn: &mut SqliteConnection,
    batch: &[(PostId, Vec<TagAssignment>)],
    cache: &mut TagCache,
    create: Option<DateTime<Utc>>,
) -> Result<(RetagBatch, Plan)> {
    let in_batch: HashSet<i64> = batch.iter().map(|(p, _)| p.0).collect();
    let low = batch.iter().map(|(p, _)| p.0).min().unwrap_or(0);
    let high = batch.iter().map(|(p, _)| p.0).max().unwrap_or(0);

    if !cache.loaded {
        for row in sqlx::query("SELECT id, name, slug FROM tags")
            .fetch_all(&mut *conn)
            .await
            .during("reading the tags")?
        {
            let (id, name, slug): (i64, String, String) =
                (|| Ok::<_, sqlx::Error>((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))()
                    .during("reading the tags")?;
            cache.ids.insert(slug, id);
            cache.names.insert(id, name);
        }
        cache.loaded = true;
    }
    let TagCache {
        ids: tags,
        names,
        next_stand_in,
        ..
    } = cache;

    let mut current: HashMap<i64, Current> = HashMap::with_capacity(batch.len());
    let rows = sqlx::query(
        "SELECT post_id, tag_id, origin, detail FROM post_tags WHERE post_id BETWEEN $1 AND $2",
    )
    .bind(low)
    .bind(high)
    .fetch_all(&mut *conn)
    .await
    .during("reading the batch's tags")?;
    for row in &rows {
        let (post, tag, origin, detail): (i64, i64, String, String) = (|| {
            Ok::<_, sqlx::Error>((
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
            ))
        })()
        .during("reading the batch's tags")?;
        if !in_batch.contains(&post) {
            continue;
        }
        let origin: TagOrigin = origin
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("post_tags row: {e}")))?;
        let links = current.entry(post).or_default();
        links.tags.insert(tag);
        if origin.is_automatic() {
            links.automatic.insert((tag, origin.as_str()), detail);
        } else {
            links.manual.insert(tag);
        }
    }
    let vetoes: Vec<(i64, i64)> =
        sqlx::query_as("SELECT post_id, tag_id FROM tag_vetoes WHERE post_id BETWEEN $1 AND $2")
            .bind(low)
            .bind(high)
            .fetch_all(&mut *conn)
            .await
            .during("reading the batch's vetoes")?;
    for (post, tag) in vetoes {
        if in_batch.contains(&post) {
            current.entry(post).or_default().vetoed.insert(tag);
        }
    }

    let mut diff = RetagBatch::default();
    let mut plan = Plan::default();
    let empty = Current::default();
    for (post, assignments) in batch {
        let links = current.get(&post.0).unwrap_or(&empty);
        let mut wanted: HashMap<(i64, &'static str), &str> = HashMap::new();
        let mut order: Vec<(i64, &'static str)> = Vec::new();
        for assignment in assignments.iter().filter(|a| a.origin.is_automatic()) {
            let slug = slugify(&assignment.tag);
            if slug.is_empty() {
                continue;
            }
            let tag = match tags.get(&slug) {
                Some(&id) => id,
                None => {
                    let id = match create {
                        Some(now) => {
                            crate::query::ensure_tag(conn, &assignment.tag, now)
                                .await?
                                .0
                                .0
                        }
                        None => {
                            *next_stand_in -= 1;
                            *next_stand_in
                        }
                    };
                    tags.insert(slug, id);
                    names.insert(id, assignment.tag.clone());
                    id
                }
            };
            if links.vetoed.contains(&tag) {
                continue;
            }
            let key = (tag, assignment.origin.as_str());
            if let std::collections::hash_map::Entry::Vacant(slot) = wanted.entry(key) {
                slot.insert(&assignment.detail);
                order.push(key);
            }
        }
        for (key, _) in links.automatic.iter() {
            if !wanted.contains_key(key) {
                plan.delete.push((post.0, key.0, key.1));
            }
        }
        for key in &order {
            let detail = wanted[key];
            if links.automatic.get(key).map(String::as_str) != Some(detail) {
                plan.upsert.push((post.0, key.0, key.1, detail.to_owned()));
            }
        }
        let after: HashSet<i64> = links
            .manual
            .iter()
            .copied()
            .chain(order.iter().map(|k| k.0))
            .collect();
        let name = |id: &i64| names.get(id).cloned().unwrap_or_default();
        let mut gained: Vec<String> = after.difference(&links.tags).map(name).collect();
        let mut lost: Vec<String> = links.tags.difference(&after).map(name).collect();
        if !gained.is_empty() || !lost.is_empty() {
            gained.sort();
            lost.sort();
            diff.changes.push(PostTagChange {
                post: *post,
                gained,
                lost,
            });
        }
    }
    diff.rows_deleted = plan.delete.len() as u64;
    diff.rows_written = plan.upsert.len() as u64;
    Ok((diff, plan))
}

/// A few multi-row statements for the whole plan.
async fn write_plan(conn: &mut SqliteConnection, plan: &Plan) -> Result<()> {
    for chunk in plan.delete.chunks(ROWS_PER_STATEMENT) {
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("DELETE FROM post_tags WHERE (post_id, tag_id, origin) IN (");
        let mut rows = q.separated(", ");
        for (post, tag, origin) in chunk {
            rows.push("(");
            rows.push_bind_unseparated(*post);
            rows.push_unseparated(", ");
            rows.push_bind_unseparated(*tag);
            rows.push_unseparated(", ");
            rows.push_bind_unseparated(*origin);
            rows.push_unseparated(")");
        }
        q.push(")");
        q.build()
            .execute(&mut *conn)
            .await
            .during("removing tags a retag drops")?;
    }
    for chunk in plan.upsert.chunks(ROWS_PER_STATEMENT) {
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO post_tags (post_id, tag_id, origin, detail) ");
        q.push_values(chunk, |mut row, (post, tag, origin, detail)| {
            row.push_bind(*post)
                .push_bind(*tag)
                .push_bind(*origin)
                .push_bind(detail.as_str());
        });
        q.push(" ON CONFLICT (post_id, tag_id, origin) DO UPDATE SET detail = excluded.detail");
        q.build()
            .execute(&mut *conn)
            .await
            .during("storing tags a retag gives")?;
    }
    Ok(())
}

/// The tag ids vetoed for `post`.
pub(crate) async fn vetoed_tags(conn: &mut SqliteConnection, post: PostId) -> Result<Vec<TagId>> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT tag_id FROM tag_vetoes WHERE post_id = $1")
        .bind(post.0)
        .fetch_all(&mut *conn)
        .await
        .during("reading a post's vetoes")?;
    Ok(ids.into_iter().map(TagId).collect())
}

#[cfg(test)]
#[path = "retag_tests.rs"]
mod tests;
