//! The questions pages and exports ask: newest posts of a listing, one post, tags.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row;
use syndic_core::{Page, Post, PostId, SourceId, Tag, TagId, TagRef, slugify};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::rows::{post_columns, post_from_row};
use crate::sql::Sql;
use crate::tags::ensure_tag;
use crate::{Result, Store, clock};

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
    /// cost follows the tag's size, not the store's: the engine's ordered join keeps that
    /// order instead of walking every post newest-first and probing each for the tag.
    fn push_from(self, sql: &mut Sql, engine: Engine) {
        match self {
            PostFilter::All => {
                sql.push(" FROM posts p");
            }
            PostFilter::Tag(tag) => {
                sql.push(" FROM (SELECT DISTINCT post_id FROM post_tags WHERE tag_id = ")
                    .bind(tag.0)
                    .push(") t ")
                    .push(engine.ordered_join())
                    .push(" posts p ON p.id = t.post_id");
            }
            PostFilter::Source(source) => {
                sql.push(" FROM posts p WHERE p.source_id = ")
                    .bind(source.0);
            }
        }
    }

    /// A query counting the listing's posts from the narrowest index.
    fn count_query(self) -> Sql {
        match self {
            PostFilter::All => Sql::new("SELECT COUNT(*) FROM posts"),
            PostFilter::Tag(tag) => {
                let mut sql =
                    Sql::new("SELECT COUNT(DISTINCT post_id) FROM post_tags WHERE tag_id = ");
                sql.bind(tag.0);
                sql
            }
            PostFilter::Source(source) => {
                let mut sql = Sql::new("SELECT COUNT(*) FROM posts WHERE source_id = ");
                sql.bind(source.0);
                sql
            }
        }
    }
}

impl Store {
    /// One page of posts, newest first (ties broken by newest id), with their tags.
    pub async fn posts(&self, filter: PostFilter, page: Page) -> Result<Vec<Post>> {
        // The page is chosen from ids and dates alone, then only its posts are read whole:
        // sorting a listing never drags every post's content along.
        let mut q = Sql::new(concat!("SELECT ", post_columns!(), " FROM (SELECT p.id"));
        filter.push_from(&mut q, self.engine);
        q.push(" ORDER BY p.published_at DESC, p.id DESC LIMIT ")
            .bind(i64::try_from(page.limit()).unwrap_or(i64::MAX))
            .push(" OFFSET ")
            .bind(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .push(") page ")
            .push(self.engine.ordered_join())
            .push(
                " posts p ON p.id = page.id JOIN sources s ON s.id = p.source_id \
                 ORDER BY p.published_at DESC, p.id DESC",
            );
        let rows = q.fetch_all(&self.pool, "listing posts").await?;
        let mut posts = rows.iter().map(post_from_row).collect::<Result<Vec<_>>>()?;
        self.attach_tags(&mut posts).await?;
        Ok(posts)
    }

    /// How many posts a listing has.
    pub async fn count_posts(&self, filter: PostFilter) -> Result<u64> {
        filter
            .count_query()
            .fetch_count(&self.pool, "counting posts")
            .await
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
            created |= ensure_tag(&mut tx, self.engine, name, now).await?.1;
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
        // Grouped rather than DISTINCT: PostgreSQL sorts a DISTINCT result only by columns
        // it selects.
        let mut q = Sql::new(
            "SELECT pt.post_id, t.name, t.slug FROM post_tags pt
             JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id IN (",
        );
        q.push_list(posts.iter(), |sql, post| {
            sql.bind(post.id.0);
        });
        q.push(") GROUP BY pt.post_id, t.id ORDER BY lower(t.name), t.id");
        let rows = q.fetch_all(&self.pool, "reading post tags").await?;
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

fn tag_from_row(row: &sqlx::any::AnyRow) -> Result<Tag> {
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
