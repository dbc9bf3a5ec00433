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

/// Both neighbours in one statement: the smallest `(published_at, id)` above the post's
/// own (`newer`, 1) and the largest below it (`older`, 0). Each side is a row-value range
/// on `posts_by_published`, so the database seeks straight to the neighbour: posts sharing
/// the publication time (an undated feed imported at once gives thousands) cost nothing,
/// where a range on the time alone walked every tie.
pub(crate) const NEIGHBOURS: &str = "SELECT newer, id, title FROM (
         SELECT CAST(1 AS BIGINT) AS newer, p.id, p.title FROM posts p
         WHERE (p.published_at, p.id) > (SELECT c.published_at, c.id FROM posts c WHERE c.id = $1)
         ORDER BY p.published_at ASC, p.id ASC LIMIT 1) n
     UNION ALL
     SELECT newer, id, title FROM (
         SELECT CAST(0 AS BIGINT) AS newer, p.id, p.title FROM posts p
         WHERE (p.published_at, p.id) < (SELECT c.published_at, c.id FROM posts c WHERE c.id = $1)
         ORDER BY p.published_at DESC, p.id DESC LIMIT 1) o";

impl Store {
    /// The posts just before and just after `id` in the home listing's order (newest
    /// first, ties broken by newest id): `(newer, older)`. Both are `None` for an unknown
    /// post.
    pub async fn neighbours(&self, id: PostId) -> Result<(Option<PostRef>, Option<PostRef>)> {
        let rows = sqlx::query(NEIGHBOURS)
            .bind(id.0)
            .fetch_all(&self.pool)
            .await
            .during("finding a post's neighbours")?;
        let (mut newer, mut older) = (None, None);
        for row in &rows {
            let read = || -> Result<(i64, PostRef), sqlx::Error> {
                let side: i64 = row.try_get(0)?;
                let post = PostRef {
                    id: PostId(row.try_get(1)?),
                    title: row.try_get(2)?,
                };
                Ok((side, post))
            };
            match read().during("reading a post's neighbours")? {
                (1, post) => newer = Some(post),
                (_, post) => older = Some(post),
            }
        }
        Ok((newer, older))
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

    async fn walking_neighbours_through_ties_visits_every_post_once_in_listing_order() {
        let (store, _db) = crate::tests::fresh_store().await;
        let spec = SourceSpec {
            url: "https://undated.example/feed".into(),
            name: None,
        };
        let source = store.upsert_source(&spec, at(1)).await.expect("source");
        // 30 posts sharing one time (an undated feed imported at once) between two others.
        let mut posts = vec![post("first", 2)];
        posts.extend((0..30).map(|n| post(&format!("tie-{n}"), 5)));
        posts.push(post("last", 9));
        store
            .ingest(source, &FeedMeta::default(), &posts, at(20))
            .await
            .expect("ingest");
        let listing = store
            .posts(crate::PostFilter::All, syndic_core::Page::new(1, 50).expect("page"))
            .await
            .expect("listing");
        let order: Vec<i64> = listing.iter().map(|p| p.id.0).collect();
        let mut walked = vec![order[0]];
        while let (_, Some(older)) = store
            .neighbours(PostId(*walked.last().expect("a post")))
            .await
            .expect("neighbours")
        {
            walked.push(older.id.0);
        }
        assert_eq!(walked, order);
        let mut back = vec![*order.last().expect("a post")];
        while let (Some(newer), _) = store
            .neighbours(PostId(*back.last().expect("a post")))
            .await
            .expect("neighbours")
        {
            back.push(newer.id.0);
        }
        back.reverse();
        assert_eq!(back, order);
    }

    crate::tests::on_both_engines!(
        neighbours_follow_the_newest_first_order_with_ties_by_id,
        walking_neighbours_through_ties_visits_every_post_once_in_listing_order,
    );
}
