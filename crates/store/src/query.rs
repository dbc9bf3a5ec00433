//! The questions pages and exports ask besides listings: one post, tags.

use chrono::{DateTime, Utc};
use sqlx::Row;
use syndic_core::{Post, PostId, Tag, TagId, slugify};

use crate::error::QueryContext;
use crate::rows::post_columns;
use crate::sql::Sql;
use crate::tags::ensure_tag;
use crate::{Result, Store, clock};

/// The condition on a post read by id that readers may see: published.
pub(crate) const PUBLISHED_POST: &str = " AND p.state = 'published'";

/// One post by id (`$1`), whole, with its tags and enclosures, when it meets `condition`
/// (`PUBLISHED_POST` or none).
pub(crate) fn post_by_id(engine: crate::engine::Engine, id: PostId, condition: &str) -> Sql {
    let mut sql = Sql::new(concat!("SELECT ", post_columns!()));
    sql.push(&crate::listing::attached::lists_columns(engine))
        .push(" FROM posts p JOIN sources s ON s.id = p.source_id WHERE p.id = ")
        .bind(id.0)
        .push(condition);
    sql.prepared()
}

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
        self.read_post(id, PUBLISHED_POST).await
    }

    /// One post with its tags whatever its state, for the operator's commands.
    pub async fn post_in_any_state(&self, id: PostId) -> Result<Option<Post>> {
        self.read_post(id, "").await
    }

    async fn read_post(&self, id: PostId, condition: &str) -> Result<Option<Post>> {
        let rows = post_by_id(self.engine, id, condition)
            .fetch_all(&self.pool, "reading a post")
            .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let mut posts = vec![crate::listing::attached::post_with_lists(row)?];
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
