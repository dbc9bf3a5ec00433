//! The questions pages and exports ask: newest posts of a listing, one post, tags.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use syndic_core::{Page, Post, PostId, SourceId, Tag, TagId, TagRef, slugify};

use crate::error::QueryContext;
use crate::rows::{post_columns, post_from_row};
use crate::{Result, Store, clock, to_secs};

/// Which posts a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostFilter {
    All,
    Tag(TagId),
    Source(SourceId),
}

impl PostFilter {
    /// `FROM … [WHERE …]` over the listing's posts `p`, reading only what ordering needs.
    ///
    /// A tag's listing is driven from `post_tags` (its `(tag_id, post_id)` index), so its
    /// cost follows the tag's size, not the store's: the `CROSS JOIN` tells SQLite to keep
    /// that order instead of walking every post newest-first and probing each for the tag.
    fn push_from(self, q: &mut QueryBuilder<Sqlite>) {
        match self {
            PostFilter::All => {
                q.push(" FROM posts p");
            }
            PostFilter::Tag(tag) => {
                q.push(" FROM (SELECT DISTINCT post_id FROM post_tags WHERE tag_id = ");
                q.push_bind(tag.0);
                q.push(") t CROSS JOIN posts p ON p.id = t.post_id");
            }
            PostFilter::Source(source) => {
                q.push(" FROM posts p WHERE p.source_id = ");
                q.push_bind(source.0);
            }
        }
    }

    /// A query counting the listing's posts from the narrowest index.
    fn count_query(self) -> QueryBuilder<Sqlite> {
        let mut q = QueryBuilder::new("");
        match self {
            PostFilter::All => {
                q.push("SELECT COUNT(*) FROM posts");
            }
            PostFilter::Tag(tag) => {
                q.push("SELECT COUNT(DISTINCT post_id) FROM post_tags WHERE tag_id = ");
                q.push_bind(tag.0);
            }
            PostFilter::Source(source) => {
                q.push("SELECT COUNT(*) FROM posts WHERE source_id = ");
                q.push_bind(source.0);
            }
        }
        q
    }
}

impl Store {
    /// One page of posts, newest first (ties broken by newest id), with their tags.
    pub async fn posts(&self, filter: PostFilter, page: Page) -> Result<Vec<Post>> {
        // The page is chosen from ids and dates alone, then only its posts are read whole:
        // sorting a listing never drags every post's content along.
        let mut q = QueryBuilder::new("SELECT ");
        q.push(post_columns!());
        q.push(" FROM (SELECT p.id");
        filter.push_from(&mut q);
        q.push(" ORDER BY p.published_at DESC, p.id DESC LIMIT ");
        q.push_bind(i64::try_from(page.limit()).unwrap_or(i64::MAX));
        q.push(" OFFSET ");
        q.push_bind(i64::try_from(page.offset()).unwrap_or(i64::MAX));
        q.push(
            ") page CROSS JOIN posts p ON p.id = page.id JOIN sources s ON s.id = p.source_id \
             ORDER BY p.published_at DESC, p.id DESC",
        );
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .during("listing posts")?;
        let mut posts = rows.iter().map(post_from_row).collect::<Result<Vec<_>>>()?;
        self.attach_tags(&mut posts).await?;
        Ok(posts)
    }

    /// How many posts a listing has.
    pub async fn count_posts(&self, filter: PostFilter) -> Result<u64> {
        let mut q = filter.count_query();
        let count: i64 = q
            .build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .during("counting posts")?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// One post with its tags.
    pub async fn post(&self, id: PostId) -> Result<Option<Post>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM posts p JOIN sources s ON s.id = p.source_id WHERE p.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .during("reading a post")?;
        let Some(row) = row else { return Ok(None) };
        let mut posts = vec![post_from_row(&row)?];
        self.attach_tags(&mut posts).await?;
        Ok(posts.pop())
    }

    /// Every tag with its post count, by name.
    pub async fn tags(&self) -> Result<Vec<Tag>> {
        let rows = sqlx::query(
            "SELECT t.id, t.name, t.slug, t.description, COUNT(DISTINCT pt.post_id) AS post_count
             FROM tags t LEFT JOIN post_tags pt ON pt.tag_id = t.id
             GROUP BY t.id ORDER BY lower(t.name), t.id",
        )
        .fetch_all(&self.pool)
        .await
        .during("listing tags")?;
        rows.iter().map(tag_from_row).collect()
    }

    /// A tag by its slug.
    pub async fn tag_by_slug(&self, slug: &str) -> Result<Option<Tag>> {
        let row = sqlx::query(
            "SELECT t.id, t.name, t.slug, t.description,
                 (SELECT COUNT(DISTINCT pt.post_id) FROM post_tags pt WHERE pt.tag_id = t.id) AS post_count
             FROM tags t WHERE t.slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await
        .during("looking up a tag")?;
        row.as_ref().map(tag_from_row).transpose()
    }

    /// A tag by its name in any case, or by its slug (names that differ only in case share one).
    pub async fn tag_by_name(&self, name: &str) -> Result<Option<Tag>> {
        self.tag_by_slug(&slugify(name)).await
    }

    /// Makes sure every named tag has a row, so an archive exists even before its first post.
    /// Moves the change clock ([`Store::last_change`]) when it created one.
    pub async fn sync_tags(&self, names: &[String], now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.write("starting a tag sync").await?;
        let mut created = false;
        for name in names {
            created |= ensure_tag(&mut tx, name, now).await?.1;
        }
        if created {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("committing a tag sync")?;
        Ok(())
    }

    /// Fills in the tags of `posts` with one query.
    pub(crate) async fn attach_tags(&self, posts: &mut [Post]) -> Result<()> {
        if posts.is_empty() {
            return Ok(());
        }
        let mut q = QueryBuilder::new(
            "SELECT DISTINCT pt.post_id, t.name, t.slug FROM post_tags pt
             JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id IN (",
        );
        let mut ids = q.separated(", ");
        for post in posts.iter() {
            ids.push_bind(post.id.0);
        }
        q.push(") ORDER BY lower(t.name)");
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .during("reading post tags")?;
        let mut by_post: HashMap<i64, Vec<TagRef>> = HashMap::new();
        for row in &rows {
            let read = || -> Result<_, sqlx::Error> {
                Ok((
                    row.try_get::<i64, _>(0)?,
                    row.try_get::<String, _>(1)?,
                    row.try_get::<String, _>(2)?,
                ))
            };
            let (post, name, slug) = read().during("reading post tags")?;
            by_post.entry(post).or_default().push(TagRef { name, slug });
        }
        for post in posts {
            post.tags = by_post.remove(&post.id.0).unwrap_or_default();
        }
        Ok(())
    }
}

/// The id of the tag called `name` (same name ignoring case, or same slug), created if new;
/// `true` when it was created.
pub(crate) async fn ensure_tag(
    tx: &mut SqliteConnection,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(TagId, bool)> {
    let slug = slugify(name);
    // Names that differ only in case share a slug, so the slug (a unique index) finds both.
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM tags WHERE slug = $1")
        .bind(&slug)
        .fetch_optional(&mut *tx)
        .await
        .during("looking up a tag")?;
    if let Some(id) = existing {
        return Ok((TagId(id), false));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tags (name, slug, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(&slug)
    .bind(to_secs(now))
    .fetch_one(&mut *tx)
    .await
    .during("adding a tag")?;
    Ok((TagId(id), true))
}

fn tag_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Tag> {
    let read = || -> Result<Tag, sqlx::Error> {
        Ok(Tag {
            id: TagId(row.try_get("id")?),
            name: row.try_get("name")?,
            slug: row.try_get("slug")?,
            post_count: row.try_get("post_count")?,
            description: row.try_get("description")?,
        })
    };
    read().during("reading a tag row")
}
