//! Listings: the newest-first posts of the site, of a tag, of a source, by page number or
//! after a known post.
//!
//! Every listing is ordered by `(published_at, id)`, newest first, and each has an index in
//! exactly that order: `posts_by_published`, `post_sources_by_source_time` (after the
//! source: every source that carries a post, merged copies included, has a row with the
//! post's time) and `post_tags_by_tag_time` (after the tag; each link carries its post's
//! time). A page is
//! read in two steps within one statement: the page's keys, walked on that index alone
//! (index-only: the keys are all the index holds), then only the page's posts, whole. So a
//! page never sorts, never reads a post it does not show, and ties cost nothing. Only
//! published posts are listed, and these indexes hold only them (partial indexes; a tag
//! link carries whether its post is listed), so hidden posts cost a listing nothing.
//!
//! A page by number is found from the listing's posts counted per day (`days.rs`): the
//! count is a sum over the listing's days, and the page's keys are read from the day it
//! starts on, skipping only that day's posts before it. [`Store::posts_after`] reads the
//! posts older than a known one with a row-value range instead, a seek at any depth, for
//! whoever reads a whole listing (exports, static builds).

use chrono::{DateTime, Utc};
use syndic_core::{Page, Post, PostId, SourceId, TagId};

use crate::engine::Engine;
use crate::rows::post_columns;
use crate::sql::Sql;
use crate::{Result, Store, to_secs};

/// The condition of `posts_by_published` and `posts_by_source`: a published post.
pub(crate) const PUBLISHED: &str = " AND p.state = 'published'";

/// The condition of `post_tags_by_tag_time`: a link of a published post.
pub(crate) const LISTED: &str = " AND pt.listed = 1";

/// The condition of `post_sources_by_source_time`: a copy of a published post.
pub(crate) const COPY_LISTED: &str = " AND ps.listed = 1";

/// Which posts a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostFilter {
    All,
    Tag(TagId),
    Source(SourceId),
}

/// One page of a listing and the listing's size.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// How many posts the whole listing has.
    pub total: u64,
    /// The page's posts, newest first; empty past the last page.
    pub posts: Vec<Post>,
}

/// A post's place in every listing: its publication time, then its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ListingKey {
    pub published: DateTime<Utc>,
    pub id: PostId,
}

impl ListingKey {
    /// The place of `post`.
    pub fn of(post: &Post) -> ListingKey {
        ListingKey {
            published: post.published,
            id: post.id,
        }
    }
}

/// How one page is read: which posts' keys (those published in `from..until` seconds,
/// either end open when `None`), from which end, skipping and taking how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Walk {
    pub(crate) from_oldest: bool,
    pub(crate) skip: u64,
    pub(crate) take: u64,
    pub(crate) from: Option<i64>,
    pub(crate) until: Option<i64>,
}

impl Walk {
    /// `take` posts after the newest `skip`, over the whole listing.
    pub(crate) fn newest(skip: u64, take: u64) -> Walk {
        Walk {
            from_oldest: false,
            skip,
            take,
            from: None,
            until: None,
        }
    }
}

impl PostFilter {
    /// `SELECT published_at, id … ORDER BY … LIMIT … OFFSET …`: the keys of one page, read
    /// from the listing's own index alone; only posts older than `before` when given.
    pub(crate) fn push_keys(self, sql: &mut Sql, walk: Walk, before: Option<ListingKey>) {
        let (table, time, id) = match self {
            PostFilter::Tag(_) => ("post_tags pt", "pt.published_at", "pt.post_id"),
            PostFilter::Source(_) => ("post_sources ps", "ps.published_at", "ps.post_id"),
            PostFilter::All => ("posts p", "p.published_at", "p.id"),
        };
        // A post tagged for several reasons has several links: DISTINCT keeps one key each
        // (its duplicates are neighbours in the index, so this never sorts).
        let distinct = if matches!(self, PostFilter::Tag(_)) {
            "DISTINCT "
        } else {
            ""
        };
        sql.push(&format!(
            "SELECT {distinct}{time} AS published_at, {id} AS id FROM {table} WHERE TRUE"
        ));
        // Only published posts are listed: the conditions of the partial indexes, written
        // out as they are there, so that each engine's planner sees the index applies.
        match self {
            PostFilter::All => {
                sql.push(PUBLISHED);
            }
            PostFilter::Tag(tag) => {
                sql.push(" AND pt.tag_id = ").bind(tag.0).push(LISTED);
            }
            PostFilter::Source(source) => {
                sql.push(" AND ps.source_id = ")
                    .bind(source.0)
                    .push(COPY_LISTED);
            }
        }
        if let Some(from) = walk.from {
            sql.push(&format!(" AND {time} >= ")).bind(from);
        }
        if let Some(until) = walk.until {
            sql.push(&format!(" AND {time} < ")).bind(until);
        }
        if let Some(key) = before {
            sql.push(&format!(" AND ({time}, {id}) < ("))
                .bind(to_secs(key.published))
                .push(", ")
                .bind(key.id.0)
                .push(")");
        }
        let order = if walk.from_oldest { "ASC" } else { "DESC" };
        sql.push(&format!(
            " ORDER BY published_at {order}, id {order} LIMIT "
        ))
        .bind(i64::try_from(walk.take).unwrap_or(i64::MAX))
        .push(" OFFSET ")
        .bind(i64::try_from(walk.skip).unwrap_or(i64::MAX));
    }

    /// The posts whose keys [`PostFilter::push_keys`] reads, whole (with their tags and
    /// enclosures, `attached.rs`), newest first.
    pub(crate) fn page(self, engine: Engine, walk: Walk, before: Option<ListingKey>) -> Sql {
        let mut sql = Sql::new(concat!("SELECT ", post_columns!()));
        sql.push(&attached::lists_columns(engine))
            .push(consistent::CLOCK_COLUMN)
            .push(" FROM (");
        self.push_keys(&mut sql, walk, before);
        sql.push(") page ").push(engine.ordered_join()).push(
            " posts p ON p.id = page.id JOIN sources s ON s.id = p.source_id \
                 ORDER BY p.published_at DESC, p.id DESC",
        );
        sql.prepared()
    }
}

impl Store {
    /// One page of posts, newest first (ties broken by newest id), with their tags. Walks
    /// from the newest post; [`Store::listing`] also counts, and so starts on the page's
    /// day.
    pub async fn posts(&self, filter: PostFilter, page: Page) -> Result<Vec<Post>> {
        let walk = Walk::newest(page.offset(), page.limit());
        self.read_page(filter.page(self.engine, walk, None)).await
    }

    /// Up to `limit` posts older than `before` (from the newest when `None`), newest first,
    /// with their tags: a seek at any depth, for reading a whole listing in chunks.
    pub async fn posts_after(
        &self,
        filter: PostFilter,
        before: Option<ListingKey>,
        limit: u32,
    ) -> Result<Vec<Post>> {
        let walk = Walk::newest(0, u64::from(limit));
        self.read_page(filter.page(self.engine, walk, before)).await
    }

    /// How many posts a listing has.
    pub async fn count_posts(&self, filter: PostFilter) -> Result<u64> {
        filter
            .count()
            .fetch_count(&self.pool, "counting posts")
            .await
    }

    async fn read_page(&self, page: Sql) -> Result<Vec<Post>> {
        let rows = page.fetch_all(&self.pool, "listing posts").await?;
        let mut posts = rows
            .iter()
            .map(attached::post_with_lists)
            .collect::<Result<Vec<_>>>()?;
        self.attach_copies(&mut posts).await?;
        Ok(posts)
    }
}

pub(crate) mod attached;
mod consistent;
pub(crate) mod days;

#[cfg(test)]
mod tests;
