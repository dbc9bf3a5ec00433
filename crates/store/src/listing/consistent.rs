//! Reading a page's two statements as of one state of the store, without a transaction
//! when nothing changed in between.
//!
//! A listing's page is two statements: the span holding the page with the listing's size
//! (and, for a tag, the tag), then the page's posts. Both must see the same store, or the
//! page is found in one state and read in another. A read transaction gives that, at two
//! more round trips (`BEGIN`, `COMMIT`) on a page that is otherwise two. Every commit that
//! can change a page moves the change clock in the same transaction (the page cache
//! relies on it too), so each statement also reads the clock, and when both saw the same
//! value nothing that shows on a page changed between them: the read stands. When they
//! differ (a commit landed in between), or a statement had no row to carry the clock, the
//! page is read again inside a read transaction.

use sqlx::Row;
use sqlx::any::AnyRow;
use syndic_core::{Page, Tag};

use super::days::{self, DayAt};
use super::{Listing, PostFilter, attached};
use crate::error::QueryContext;
use crate::{Result, Store};

/// `, … AS clock`: the change clock's version as a column of a page's statements.
pub(crate) const CLOCK_COLUMN: &str = ", (SELECT version FROM site_state WHERE id = 1) AS clock";

/// A read of several statements, with the change clock its first and last statement saw.
struct Clocked<T> {
    value: T,
    first: Option<i64>,
    last: Option<i64>,
}

impl<T> Clocked<T> {
    /// Whether both statements saw the same store: both read the clock, and the same.
    fn consistent(&self) -> bool {
        self.first.is_some() && self.first == self.last
    }
}

fn clock_of(row: &AnyRow) -> Result<Option<i64>> {
    row.try_get("clock").during("reading the change clock")
}

impl Store {
    /// Page `page` of a listing and its size, as of one state of the store (see the
    /// module docs). Past the last page the posts are empty (and nothing but the count
    /// was read).
    pub async fn listing(&self, filter: PostFilter, page: Page) -> Result<Listing> {
        const DURING: &str = "reading a listing";
        let mut conn = self.pool.acquire().await.during(DURING)?;
        let read = self.listing_in(&mut conn, filter, page).await?;
        if read.consistent() {
            return Ok(read.value);
        }
        let mut tx = sqlx::Connection::begin_with(&mut *conn, self.engine.begin_read())
            .await
            .during(DURING)?;
        let read = self.listing_in(&mut tx, filter, page).await?;
        tx.commit().await.during(DURING)?;
        Ok(read.value)
    }

    /// A tag by its slug and page `page` of its archive, as of one state of the store;
    /// the tag's `post_count` is the archive's size. What a tag's page needs, with the
    /// tag's spans summed once (by the window that finds the page) instead of twice.
    pub async fn tag_listing(&self, slug: &str, page: Page) -> Result<Option<(Tag, Listing)>> {
        const DURING: &str = "reading a tag's archive";
        let mut conn = self.pool.acquire().await.during(DURING)?;
        let read = self.tag_listing_in(&mut conn, slug, page).await?;
        // No such tag is an answer of one statement: nothing to compare.
        if read.value.is_none() || read.consistent() {
            return Ok(read.value);
        }
        let mut tx = sqlx::Connection::begin_with(&mut *conn, self.engine.begin_read())
            .await
            .during(DURING)?;
        let read = self.tag_listing_in(&mut tx, slug, page).await?;
        tx.commit().await.during(DURING)?;
        Ok(read.value)
    }

    async fn listing_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        filter: PostFilter,
        page: Page,
    ) -> Result<Clocked<Listing>> {
        let rows = filter
            .day_at(self.engine, page.offset())
            .fetch_all(&mut *conn, "reading a listing's days")
            .await?;
        let (at, first) = match rows.first() {
            Some(row) => (days::day_at_from_row(row)?, clock_of(row)?),
            None => (None, None),
        };
        self.listing_from(conn, filter, page, at, first).await
    }

    async fn tag_listing_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        slug: &str,
        page: Page,
    ) -> Result<Clocked<Option<(Tag, Listing)>>> {
        let rows = days::tag_at(self.engine, slug, page.offset())
            .fetch_all(&mut *conn, "looking up a tag")
            .await?;
        let Some(row) = rows.first() else {
            return Ok(Clocked {
                value: None,
                first: None,
                last: None,
            });
        };
        let mut tag = crate::query::tag_from_row(row)?;
        let at = days::day_at_from_row(row)?;
        let read = self
            .listing_from(conn, PostFilter::Tag(tag.id), page, at, clock_of(row)?)
            .await?;
        tag.post_count = i64::try_from(read.value.total).unwrap_or(i64::MAX);
        Ok(Clocked {
            value: Some((tag, read.value)),
            first: read.first,
            last: read.last,
        })
    }

    /// Page `page` of `filter`'s listing, whose first post is in the span `at` (`None`:
    /// past the last post, where only the size is read), after a statement that saw the
    /// clock at `first`.
    async fn listing_from(
        &self,
        conn: &mut sqlx::AnyConnection,
        filter: PostFilter,
        page: Page,
        at: Option<DayAt>,
        first: Option<i64>,
    ) -> Result<Clocked<Listing>> {
        let Some(at) = at else {
            let total = filter
                .count()
                .fetch_count(&mut *conn, "counting a listing")
                .await?;
            let value = Listing {
                total,
                posts: Vec::new(),
            };
            // The count carries no clock: only a transaction vouches for it.
            return Ok(Clocked {
                value,
                first,
                last: None,
            });
        };
        let rows = filter
            .page(self.engine, days::locate(&at, page), None)
            .fetch_all(&mut *conn, "listing posts")
            .await?;
        let last = match rows.first() {
            Some(row) => clock_of(row)?,
            None => None,
        };
        let posts = rows
            .iter()
            .map(attached::post_with_lists)
            .collect::<Result<Vec<_>>>()?;
        let value = Listing {
            total: at.total,
            posts,
        };
        Ok(Clocked { value, first, last })
    }
}

#[cfg(test)]
mod tests {
    use syndic_core::Page;

    use super::*;
    use crate::tests::{at, entry, fresh_store, meta, on_both_engines, tagged};
    use crate::{IncomingPost, SourceSpec};

    on_both_engines!(a_commit_between_a_page_s_two_statements_is_seen);

    async fn a_commit_between_a_page_s_two_statements_is_seen() {
        let (store, _db) = fresh_store().await;
        let spec = SourceSpec {
            url: "https://blog.example/feed".into(),
            name: None,
        };
        let source = store.upsert_source(&spec, at(1)).await.expect("source");
        let posts: Vec<IncomingPost> = (0..5)
            .map(|i| tagged(entry(&format!("p{i}"), "A map", 2 + i), &["map"]))
            .collect();
        store
            .ingest(source, &meta(), &posts, at(20))
            .await
            .expect("ingest");
        let page = Page::new(1, 10).expect("page");
        let mut conn = store.pool.acquire().await.expect("connection");
        let read = store
            .tag_listing_in(&mut conn, "map", page)
            .await
            .expect("read");
        assert!(read.consistent(), "nothing happened in between");

        // The first statement, then a commit (a newer post of the tag), then the second.
        let rows = days::tag_at(store.engine, "map", 0)
            .fetch_all(&mut *conn, "the first statement")
            .await
            .expect("first");
        let row = rows.first().expect("the tag");
        let tag = crate::query::tag_from_row(row).expect("tag");
        let span = days::day_at_from_row(row).expect("span");
        let first = clock_of(row).expect("clock");
        let newer = tagged(entry("p9", "A newer map", 9), &["map"]);
        store
            .ingest(source, &meta(), &[newer], at(21))
            .await
            .expect("ingest");
        let read = store
            .listing_from(&mut conn, PostFilter::Tag(tag.id), page, span, first)
            .await
            .expect("second");
        assert!(!read.consistent(), "the commit in between is seen");
        assert_eq!(read.value.total, 5, "found in the old state");

        let (_, listing) = store
            .tag_listing("map", page)
            .await
            .expect("read")
            .expect("tag");
        assert_eq!(listing.total, 6);
        assert_eq!(listing.posts.len(), 6);
        assert_eq!(listing.posts[0].title, "A newer map");
    }

    fn read(first: Option<i64>, last: Option<i64>) -> Clocked<()> {
        Clocked {
            value: (),
            first,
            last,
        }
    }

    #[test]
    fn a_read_stands_only_when_both_statements_saw_the_same_clock() {
        assert!(read(Some(7), Some(7)).consistent());
        assert!(!read(Some(7), Some(8)).consistent(), "a commit in between");
        assert!(!read(Some(7), None).consistent(), "the page had no row");
        assert!(!read(None, None).consistent(), "nothing vouches for it");
    }
}
