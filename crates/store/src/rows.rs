//! Reading post rows into domain types.

use sqlx::Row;
use sqlx::any::AnyRow;
use syndic_core::{Post, PostId, SourceId};

use crate::error::QueryContext;
use crate::{Result, StoreError, body, from_secs};

/// The columns [`post_from_row`] reads; every post query selects exactly these.
macro_rules! post_columns {
    () => {
        "p.id, p.source_id, s.slug AS source_slug,
         COALESCE(s.name, s.feed_title, s.url) AS source_name, p.guid, p.title, p.link,
         COALESCE(NULLIF(p.author, ''), s.name, s.feed_title, s.url) AS attribution,
         p.published_at, p.updated_at, p.first_seen_at, p.body, p.categories,
         NULLIF(p.author, '') AS item_author, p.origin_title, s.credit_original,
         s.attribution AS attribution_template"
    };
}
pub(crate) use post_columns;

/// A post row without its tags (the caller fills them in one batch query).
pub(crate) fn post_from_row(row: &AnyRow) -> Result<Post> {
    let categories: String = row.try_get("categories").during("reading a post row")?;
    let categories: Vec<String> = serde_json::from_str(&categories).map_err(|e| {
        StoreError::Corrupt(format!("categories of a post are not a JSON list: {e}"))
    })?;
    let read = || -> Result<Post, sqlx::Error> {
        Ok(Post {
            id: PostId(row.try_get("id")?),
            source_id: SourceId(row.try_get("source_id")?),
            source_slug: row.try_get("source_slug")?,
            source_name: row.try_get("source_name")?,
            guid: row.try_get("guid")?,
            title: row.try_get("title")?,
            link: row.try_get("link")?,
            attribution: row.try_get("attribution")?,
            published: from_secs(row.try_get("published_at")?),
            updated: row.try_get::<Option<i64>, _>("updated_at")?.map(from_secs),
            first_seen: from_secs(row.try_get("first_seen_at")?),
            content_html: String::new(),
            content_text: String::new(),
            categories: Vec::new(),
            tags: Vec::new(),
            enclosures: Vec::new(),
            also_syndicated: Vec::new(),
            credited_source: row.try_get("source_name")?,
            attribution_template: row.try_get("attribution_template")?,
        })
    };
    let mut post = read().during("reading a post row")?;
    let blob: Vec<u8> = row.try_get("body").during("reading a post row")?;
    (post.content_text, post.content_html) = body::decode(&blob, post.id.0)?;
    post.categories = categories;
    let read_credit = || -> Result<Credit, sqlx::Error> {
        Ok(Credit {
            item_author: row.try_get("item_author")?,
            origin_title: row.try_get("origin_title")?,
            credit_original: row.try_get::<i64, _>("credit_original")? != 0,
        })
    };
    read_credit().during("reading a post row")?.apply(&mut post);
    Ok(post)
}

/// What decides whom a post is credited to, beyond its source's names.
struct Credit {
    item_author: Option<String>,
    /// The feed the item says it came from (RSS or Atom `<source>`).
    origin_title: Option<String>,
    /// The source's `credit_original`.
    credit_original: bool,
}

impl Credit {
    /// With `credit_original` and an item that names its origin, `{source}` is that
    /// origin, and so is `{author}` when the item names no author; otherwise the post
    /// keeps its source's names.
    fn apply(self, post: &mut Post) {
        let origin = self
            .origin_title
            .filter(|title| self.credit_original && !title.trim().is_empty());
        if let Some(origin) = origin {
            if self.item_author.is_none() {
                post.attribution.clone_from(&origin);
            }
            post.credited_source = origin;
        }
    }
}
