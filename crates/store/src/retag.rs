//! Re-applying the vocabulary to stored posts, a batch at a time, writing only what changed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use syndic_core::{PostId, SourceId, TagAssignment, slugify};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::links::{self, CurrentLinks, LinkWrites, Posts};
use crate::{Result, Store, body, clock, tags};

pub use syndic_core::PostForTagging;

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

/// What tagging reads of a post, with `$tail` (filter, order) appended.
macro_rules! select_for_tagging {
    ($tail:literal) => {
        concat!(
            "SELECT id, source_id, title, body, categories, language FROM posts",
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

    /// Up to `limit` posts with an id below `before`, highest id first (a retag learns from
    /// the newest).
    pub async fn posts_for_tagging_before(
        &self,
        before: PostId,
        limit: u32,
    ) -> Result<Vec<PostForTagging>> {
        let rows = sqlx::query(select_for_tagging!(
            " WHERE id < $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(before.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .during("reading posts to learn from")?;
        rows.iter().map(for_tagging_from_row).collect()
    }

    /// The posts with these ids, in id order (unknown ids are skipped).
    pub async fn posts_for_tagging_by_id(&self, ids: &[PostId]) -> Result<Vec<PostForTagging>> {
        let mut posts = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(self.engine.rows_per_statement(1)) {
            let mut select = crate::sql::Sql::new(select_for_tagging!(" WHERE id IN ("));
            select.push_list(chunk, |sql, id| {
                sql.bind(id.0);
            });
            select.push(") ORDER BY id");
            for row in select.fetch_all(&self.pool, "reading posts by id").await? {
                posts.push(for_tagging_from_row(&row)?);
            }
        }
        posts.sort_by_key(|p| p.id);
        Ok(posts)
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
            return diff_batch(&mut conn, self.engine, batch, cache, None)
                .await
                .map(|(diff, _)| diff);
        }
        let mut tx = self.write("starting a retag").await?;
        let (diff, writes) = diff_batch(&mut tx, self.engine, batch, cache, Some(now)).await?;
        writes.write(&mut tx, self.engine).await?;
        // Pages show a post's tags, not why it has them: only a changed set is a change.
        if !diff.changes.is_empty() {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("committing a retag")?;
        Ok(diff)
    }
}

/// A post as tagging reads it; only its text is decompressed, not its HTML.
fn for_tagging_from_row(row: &sqlx::any::AnyRow) -> Result<PostForTagging> {
    let read = || -> Result<(PostForTagging, Vec<u8>), sqlx::Error> {
        let categories: String = row.try_get("categories")?;
        let post = PostForTagging {
            id: PostId(row.try_get("id")?),
            source_id: SourceId(row.try_get("source_id")?),
            title: row.try_get("title")?,
            content_text: String::new(),
            categories: serde_json::from_str(&categories).unwrap_or_default(),
            language: row.try_get("language")?,
        };
        Ok((post, row.try_get("body")?))
    };
    let (mut post, blob) = read().during("reading posts to tag")?;
    post.content_text = body::decode_text(&blob, post.id.0)?;
    Ok(post)
}

/// Works out the batch's difference: the tag table (cached), the batch's links and vetoes
/// in one read each, then [`links::plan_post`] per post. With `create` (a time), tags not
/// stored yet are created (in one statement); otherwise they get stand-in ids.
async fn diff_batch(
    conn: &mut AnyConnection,
    engine: Engine,
    batch: &[(PostId, Vec<TagAssignment>)],
    cache: &mut TagCache,
    create: Option<DateTime<Utc>>,
) -> Result<(RetagBatch, LinkWrites)> {
    cache.load(conn).await?;
    cache.resolve(conn, engine, batch, create).await?;
    let low = batch.iter().map(|(p, _)| p.0).min().unwrap_or(0);
    let high = batch.iter().map(|(p, _)| p.0).max().unwrap_or(0);
    let current = links::read_current(conn, engine, Posts::Range(low, high)).await?;
    Ok(plan_batch(batch, cache, &current))
}

/// The pure half of a retag: what each post gains and loses, and the rows to write.
fn plan_batch(
    batch: &[(PostId, Vec<TagAssignment>)],
    cache: &TagCache,
    current: &HashMap<i64, CurrentLinks>,
) -> (RetagBatch, LinkWrites) {
    let empty = CurrentLinks::default();
    let mut diff = RetagBatch::default();
    let mut writes = LinkWrites::default();
    for (post, assignments) in batch {
        let links = current.get(&post.0).unwrap_or(&empty);
        let wanted = assignments.iter().filter_map(|a| {
            let id = cache.ids.get(&slugify(&a.tag))?;
            Some((*id, a.origin, a.detail.as_str()))
        });
        let plan = links::plan_post(links, wanted);
        writes.add(post.0, &plan);
        if !plan.gained.is_empty() || !plan.lost.is_empty() {
            let names = |ids: &[i64]| {
                let mut names: Vec<String> = ids.iter().map(|id| cache.name(*id)).collect();
                names.sort();
                names
            };
            diff.changes.push(PostTagChange {
                post: *post,
                gained: names(&plan.gained),
                lost: names(&plan.lost),
            });
        }
    }
    diff.rows_deleted = writes.delete.len() as u64;
    diff.rows_written = writes.upsert.len() as u64;
    (diff, writes)
}

impl TagCache {
    /// Reads the tag table, once per retag.
    async fn load(&mut self, conn: &mut AnyConnection) -> Result<()> {
        if self.loaded {
            return Ok(());
        }
        for row in sqlx::query("SELECT id, name, slug FROM tags")
            .fetch_all(&mut *conn)
            .await
            .during("reading the tags")?
        {
            let read = || -> Result<(i64, String, String), sqlx::Error> {
                Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
            };
            let (id, name, slug) = read().during("reading the tags")?;
            self.ids.insert(slug, id);
            self.names.insert(id, name);
        }
        self.loaded = true;
        Ok(())
    }

    /// Gives every tag the batch names an id: stored, created now (with `create`), or a
    /// stand-in (a dry run).
    async fn resolve(
        &mut self,
        conn: &mut AnyConnection,
        engine: Engine,
        batch: &[(PostId, Vec<TagAssignment>)],
        create: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let mut new: Vec<&str> = Vec::new();
        let mut seen = HashSet::new();
        for assignment in batch.iter().flat_map(|(_, tags)| tags) {
            let slug = slugify(&assignment.tag);
            if assignment.origin.is_automatic()
                && !self.ids.contains_key(&slug)
                && seen.insert(slug)
            {
                new.push(&assignment.tag);
            }
        }
        if new.is_empty() {
            return Ok(());
        }
        match create {
            Some(now) => {
                let created = tags::ensure_tags(conn, engine, &new, now).await?;
                for name in new {
                    let slug = slugify(name);
                    if let Some(&id) = created.get(&slug) {
                        self.ids.insert(slug, id);
                        self.names.insert(id, name.to_owned());
                    }
                }
            }
            None => {
                for name in new {
                    self.next_stand_in -= 1;
                    self.ids.insert(slugify(name), self.next_stand_in);
                    self.names.insert(self.next_stand_in, name.to_owned());
                }
            }
        }
        Ok(())
    }

    fn name(&self, id: i64) -> String {
        self.names.get(&id).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
#[path = "retag_tests.rs"]
mod tests;
