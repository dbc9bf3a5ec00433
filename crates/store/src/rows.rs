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
         p.published_at, p.updated_at, p.first_seen_at, p.body, p.categories"
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
        })
    };
    let mut post = read().during("reading a post row")?;
    let blob: Vec<u8> = row.try_get("body").during("reading a post row")?;
    (post.content_text, post.content_html) = body::decode(&blob, post.id.0)?;
    post.categories = categories;
    Ok(post)
}
