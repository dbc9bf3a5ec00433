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

/// The candidates for both neighbours, in one statement of four index seeks on
/// `posts_by_published`, each `LIMIT 1`: the next post of the same time (`tie`), else the
/// first of a later time, for the newer side; the same downwards for the older side.
///
/// Together they are the row-value comparison `(published_at, id) > (time, id)`, written
/// as two exact ranges: SQLite seeks a row value on this index by its time alone (its `id`
/// is the rowid) and then walks every post sharing that time, which is what made post
/// pages of an undated feed imported at once 14 times slower. Each range here is an
/// equality and a bound, so ties cost nothing on either engine. Only published posts are
/// neighbours (the index holds only those).
pub(crate) const NEIGHBOURS: &str = "
     SELECT side, id, title FROM (
         SELECT 'newer tie' AS side, p.id, p.title FROM posts p
         WHERE p.published_at = (SELECT c.published_at FROM posts c WHERE c.id = $1)
           AND p.id > $1 AND p.state = 'published'
         ORDER BY p.published_at ASC, p.id ASC LIMIT 1) a
     UNION ALL SELECT side, id, title FROM (
         SELECT 'newer' AS side, p.id, p.title FROM posts p
         WHERE p.published_at > (SELECT c.published_at FROM posts c WHERE c.id = $1)
           AND p.state = 'published'
         ORDER BY p.published_at ASC, p.id ASC LIMIT 1) b
     UNION ALL SELECT side, id, title FROM (
         SELECT 'older tie' AS side, p.id, p.title FROM posts p
         WHERE p.published_at = (SELECT c.published_at FROM posts c WHERE c.id = $1)
           AND p.id < $1 AND p.state = 'published'
         ORDER BY p.published_at DESC, p.id DESC LIMIT 1) c
     UNION ALL SELECT side, id, title FROM (
         SELECT 'older' AS side, p.id, p.title FROM posts p
         WHERE p.published_at < (SELECT c.published_at FROM posts c WHERE c.id = $1)
           AND p.state = 'published'
         ORDER BY p.published_at DESC, p.id DESC LIMIT 1) d";

/// The neighbours among the candidates [`NEIGHBOURS`] found: on each side a post of the
/// same time comes before one of another time.
fn choose(candidates: Vec<(String, PostRef)>) -> (Option<PostRef>, Option<PostRef>) {
    let (mut newer, mut older) = (None, None);
    let (mut newer_tie, mut older_tie) = (None, None);
    for (side, post) in candidates {
        match side.as_str() {
            "newer tie" => newer_tie = Some(post),
            "newer" => newer = Some(post),
            "older tie" => older_tie = Some(post),
            _ => older = Some(post),
        }
    }
    (newer_tie.or(newer), older_tie.or(older))
}

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
        let candidates = rows
            .iter()
            .map(|row| {
                let read = || -> Result<(String, PostRef), sqlx::Error> {
                    let post = PostRef {
                        id: PostId(row.try_get(1)?),
                        title: row.try_get(2)?,
                    };
                    Ok((row.try_get(0)?, post))
                };
                read().during("reading a post's neighbours")
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(choose(candidates))
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
            admission: Default::default(),
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
                origin: None,
                enclosures: Vec::new(),
                original_links: Vec::new(),
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
            .posts(
                crate::PostFilter::All,
                syndic_core::Page::new(1, 50).expect("page"),
            )
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

    #[test]
    fn a_post_of_the_same_time_is_the_nearer_neighbour() {
        let post = |id| PostRef {
            id: PostId(id),
            title: String::new(),
        };
        let all = vec![
            ("newer tie".to_owned(), post(5)),
            ("newer".to_owned(), post(9)),
            ("older".to_owned(), post(1)),
        ];
        let (newer, older) = choose(all);
        assert_eq!(
            (newer.map(|p| p.id.0), older.map(|p| p.id.0)),
            (Some(5), Some(1))
        );
        let (newer, older) = choose(vec![("older tie".to_owned(), post(3))]);
        assert_eq!((newer, older.map(|p| p.id.0)), (None, Some(3)));
    }

    crate::tests::on_both_engines!(
        neighbours_follow_the_newest_first_order_with_ties_by_id,
        walking_neighbours_through_ties_visits_every_post_once_in_listing_order,
    );
}
