//! A post's neighbours in the newest-first order of every post: what a post page links to
//! as the newer and the older post.

use sqlx::Row;
use syndic_core::PostId;

use crate::error::QueryContext;
use crate::{Result, Store};

/// A post named by id and title, enough for a link to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRef {
    pub id: PostId,
    pub title: String,
}

// The first conjunct of each query is a plain range on `posts_by_published`, so finding a
// neighbour is an index seek, not a scan; the second breaks ties by id.

/// The next newer post: the smallest `(published_at, id)` above the post's own.
const NEWER: &str = "WITH cur AS (SELECT published_at, id FROM posts WHERE id = $1)
     SELECT p.id, p.title FROM posts p, cur
     WHERE p.published_at >= cur.published_at
       AND (p.published_at > cur.published_at OR p.id > cur.id)
     ORDER BY p.published_at ASC, p.id ASC LIMIT 1";

/// The next older post: the largest `(published_at, id)` below the post's own.
const OLDER: &str = "WITH cur AS (SELECT published_at, id FROM posts WHERE id = $1)
     SELECT p.id, p.title FROM posts p, cur
     WHERE p.published_at <= cur.published_at
       AND (p.published_at < cur.published_at OR p.id < cur.id)
     ORDER BY p.published_at DESC, p.id DESC LIMIT 1";

impl Store {
    /// The posts just before and just after `id` in the home listing's order (newest
    /// first, ties broken by newest id): `(newer, older)`. Both are `None` for an unknown
    /// post.
    pub async fn neighbours(&self, id: PostId) -> Result<(Option<PostRef>, Option<PostRef>)> {
        let newer = self.neighbour(NEWER, id).await?;
        let older = self.neighbour(OLDER, id).await?;
        Ok((newer, older))
    }

    async fn neighbour(&self, sql: &'static str, id: PostId) -> Result<Option<PostRef>> {
        let row = sqlx::query(sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .during("finding a post's neighbour")?;
        let Some(row) = row else { return Ok(None) };
        let read = || -> Result<PostRef, sqlx::Error> {
            Ok(PostRef {
                id: PostId(row.try_get(0)?),
                title: row.try_get(1)?,
            })
        };
        read().during("reading a post's neighbour").map(Some)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};
    use syndic_core::{FeedEntry, FeedMeta};

    use super::*;
    use crate::{IncomingPost, SourceSpec};

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0)
            .single()
            .expect("valid date")
    }

    fn post(guid: &str, day: u32) -> IncomingPost {
        IncomingPost {
            stems: Vec::new(),
            entry: FeedEntry {
                guid: guid.into(),
                title: format!("Post {guid}"),
                link: None,
                author: None,
                published: Some(at(day)),
                updated: None,
                content_html: String::new(),
                content_text: String::new(),
                categories: Vec::new(),
                language: None,
            },
            tags: Vec::new(),
        }
    }

    fn ids(pair: (Option<PostRef>, Option<PostRef>)) -> (Option<i64>, Option<i64>) {
        (pair.0.map(|p| p.id.0), pair.1.map(|p| p.id.0))
    }

    async fn neighbours_follow_the_newest_first_order_with_ties_by_id() {
        let (store, _db) = crate::tests::fresh_store().await;
        let spec = SourceSpec {
            url: "https://blog.example/feed".into(),
            name: None,
        };
        let source = store.upsert_source(&spec, at(1)).await.expect("source");
        // Ids 1..=4; ids 2 and 3 share a date. Newest first: 4, 3, 2, 1.
        let posts = [post("a", 2), post("b", 5), post("c", 5), post("d", 9)];
        store
            .ingest(source, &FeedMeta::default(), &posts, at(20))
            .await
            .expect("ingest");
        assert_eq!(
            ids(store.neighbours(PostId(4)).await.expect("n")),
            (None, Some(3))
        );
        assert_eq!(
            ids(store.neighbours(PostId(3)).await.expect("n")),
            (Some(4), Some(2))
        );
        assert_eq!(
            ids(store.neighbours(PostId(2)).await.expect("n")),
            (Some(3), Some(1))
        );
        let (newer, older) = store.neighbours(PostId(1)).await.expect("n");
        assert_eq!(newer.map(|p| p.title).as_deref(), Some("Post b"));
        assert_eq!(older, None);
        assert_eq!(
            ids(store.neighbours(PostId(99)).await.expect("n")),
            (None, None)
        );
    }

    crate::tests::on_both_engines!(neighbours_follow_the_newest_first_order_with_ties_by_id,);
}
