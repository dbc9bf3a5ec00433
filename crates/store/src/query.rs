//! The questions pages and exports ask besides listings: one post, tags.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row;
use syndic_core::{Post, PostId, Tag, TagId, TagRef, slugify};

use crate::error::QueryContext;
use crate::rows::{post_columns, post_from_row};
use crate::sql::Sql;
use crate::tags::ensure_tag;
use crate::{Result, Store, clock};

/// One published post by id, whole.
pub(crate) const POST: &str = concat!(
    "SELECT ",
    post_columns!(),
    " FROM posts p JOIN sources s ON s.id = p.source_id WHERE p.id = $1 AND p.state = 'published'"
);

/// One post by id, whole, in any state.
const POST_IN_ANY_STATE: &str = concat!(
    "SELECT ",
    post_columns!(),
    " FROM posts p JOIN sources s ON s.id = p.source_id WHERE p.id = $1"
);

/// Every tag with its post count: the sum of each tag's listing days (`listing/days.rs`),
/// each post counted once however many reasons link it.
pub(crate) const TAGS: &str =
    "SELECT t.id, t.name, t.slug, t.description, COALESCE(c.post_count, 0) AS post_count
     FROM tags t LEFT JOIN (
         SELECT key AS tag_id, CAST(SUM(posts) AS BIGINT) AS post_count
         FROM listing_days WHERE kind = 1 GROUP BY key
     ) c ON c.tag_id = t.id
     ORDER BY lower(t.name), t.id";

/// One tag by slug, with its post count from the tag's listing days.
pub(crate) const TAG_BY_SLUG: &str = "SELECT t.id, t.name, t.slug, t.description,
         (SELECT CAST(COALESCE(SUM(d.posts), 0) AS BIGINT) FROM listing_days d
          WHERE d.kind = 1 AND d.key = t.id) AS post_count
     FROM tags t WHERE t.slug = $1";

impl Store {
    /// One published post with its tags: what readers may see (`None` for a post held
    /// for review, filtered or taken down; [`Store::post_standing`] says which).
    pub async fn post(&self, id: PostId) -> Result<Option<Post>> {
        self.read_post(POST, id).await
    }

    /// One post with its tags whatever its state, for the operator's commands.
    pub async fn post_in_any_state(&self, id: PostId) -> Result<Option<Post>> {
        self.read_post(POST_IN_ANY_STATE, id).await
    }

    async fn read_post(&self, sql: &'static str, id: PostId) -> Result<Option<Post>> {
        let row = sqlx::query(sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .during("reading a post")?;
        let Some(row) = row else { return Ok(None) };
        let mut posts = vec![post_from_row(&row)?];
        self.attach_tags(&mut posts).await?;
        self.attach_enclosures(&mut posts).await?;
        self.attach_copies(&mut posts).await?;
        Ok(posts.pop())
    }

    /// Every tag with its post count, by name.
    pub async fn tags(&self) -> Result<Vec<Tag>> {
        let rows = sqlx::query(TAGS)
            .fetch_all(&self.pool)
            .await
            .during("listing tags")?;
        rows.iter().map(tag_from_row).collect()
    }

    /// A tag by its slug.
    pub async fn tag_by_slug(&self, slug: &str) -> Result<Option<Tag>> {
        let row = sqlx::query(TAG_BY_SLUG)
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
        self.attach_tags_in(&self.pool, posts).await
    }

    /// [`Store::attach_tags`] on `executor` (a transaction's connection, say).
    pub(crate) async fn attach_tags_in<'c, E>(&self, executor: E, posts: &mut [Post]) -> Result<()>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        if posts.is_empty() {
            return Ok(());
        }
        let rows = tags_of_posts(posts.iter().map(|post| post.id))
            .fetch_all(executor, "reading post tags")
            .await?;
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

/// The tags of the posts `ids`, each once, by name.
pub(crate) fn tags_of_posts(ids: impl IntoIterator<Item = PostId>) -> Sql {
    let mut q = Sql::new(
        "SELECT pt.post_id, t.name, t.slug FROM post_tags pt
         JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id IN (",
    );
    q.push_list(ids, |sql, id| {
        sql.bind(id.0);
    });
    // Grouped rather than DISTINCT: PostgreSQL sorts a DISTINCT result only by columns it
    // selects.
    q.push(") GROUP BY pt.post_id, t.id ORDER BY lower(t.name), t.id");
    // A page's posts: one shape per page size.
    q.prepared()
}

pub(crate) fn tag_from_row(row: &sqlx::any::AnyRow) -> Result<Tag> {
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
