//! Each listing's posts counted per day (`listing_days`, migration 28), and how a page is
//! found from them.
//!
//! Counting a listing walked all of it: 20 ms for a tag of 226,515 posts at a million
//! posts, and a deep page then skipped half of it again. The triggers of migration 28 add
//! a row to `listing_days` whenever a post enters or leaves a listing (a change, `+1` or
//! `-1`, on the post's day, UTC); a day's count is the sum of its rows. A listing's size is
//! then the sum over its days (a few thousand rows at most, read from one index). A page is
//! found from the day holding its first post (the engine sums the days from the newest and
//! stops there; [`locate`], a pure function, decides the walk) and read from that day on,
//! skipping only that day's posts before it.
//!
//! [`Store::fold_listing_days`] folds each day's rows into one, in every indexing pass, so
//! the rows stay about one per listing and day. On SQLite (one writer at a time) the
//! triggers of migration 29 add to a listing day's one row in place instead, and a fold
//! only drops the days that came to nothing.

use syndic_core::Page;

use super::{PostFilter, Walk};
use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store};

/// Seconds in a day: a listing's posts are counted per UTC day.
pub(crate) const DAY: i64 = 86_400;

/// The day of a listing that holds one of its posts, with the sums around it, as the
/// engine finds it ([`PostFilter::day_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DayAt {
    /// Days since 1970-01-01 (`floor(published_at / 86400)`).
    pub(crate) day: i64,
    /// The listing's posts published on that day.
    pub(crate) posts: u64,
    /// The listing's posts published on newer days.
    pub(crate) newer: u64,
    /// The listing's size.
    pub(crate) total: u64,
}

impl PostFilter {
    /// `(kind, key)` of the listing's rows in `listing_days`.
    fn days_key(self) -> (i64, i64) {
        match self {
            PostFilter::All => (0, 0),
            PostFilter::Tag(tag) => (1, tag.0),
            PostFilter::Source(source) => (2, source.0),
        }
    }

    /// The listing's day holding its post number `offset` (0 the newest): that day, its
    /// posts, the posts of the days newer than it and the listing's size, in one row (none
    /// past the last post). The engine sums the days from the newest and stops at the one
    /// that holds the post (the only row whose running sum passes `offset` while the sum
    /// before it does not), so page 1 reads a few rows; the size is a plain sum beside it.
    pub(crate) fn day_at(self, engine: Engine, offset: u64) -> Sql {
        let (kind, key) = self.days_key();
        let mut sql = Sql::new("");
        let (kind, key) = (sql.placeholder(kind), sql.placeholder(key));
        let offset = sql.placeholder(i64::try_from(offset).unwrap_or(i64::MAX));
        let days = engine.listing_days(&kind, &key);
        sql.push(&format!(
            "SELECT day, posts, running - posts AS newer, \
             (SELECT CAST(COALESCE(SUM(t.posts), 0) AS BIGINT) FROM listing_days t \
              WHERE t.kind = {kind} AND t.key = {key}) AS total \
             FROM (SELECT day, posts, \
                   CAST(SUM(posts) OVER (ORDER BY day DESC ROWS UNBOUNDED PRECEDING) AS BIGINT) \
                   AS running FROM ({days}) days) summed \
             WHERE running > {offset} AND running - posts <= {offset} LIMIT 1"
        ));
        sql.prepared()
    }

    /// A query of the listing's size: the sum of its days.
    pub(crate) fn count(self) -> Sql {
        let (kind, key) = self.days_key();
        let mut sql = Sql::new(
            "SELECT CAST(COALESCE(SUM(posts), 0) AS BIGINT) FROM listing_days WHERE kind = ",
        );
        sql.bind(kind).push(" AND key = ").bind(key);
        sql.prepared()
    }
}

/// How to read `page`, whose first post is on `at`'s day: from that day's end, skipping
/// the day's posts before it; or, when the page lies within the day and starts past its
/// middle, from the day's oldest post, so no walk skips more than half a day.
pub(crate) fn locate(at: &DayAt, page: Page) -> Walk {
    let skip = page.offset().saturating_sub(at.newer);
    let take = page.limit().min(at.total.saturating_sub(page.offset()));
    let start = at.day.saturating_mul(DAY);
    let end = start.saturating_add(DAY);
    if skip + take <= at.posts && skip > at.posts / 2 {
        Walk {
            from_oldest: true,
            skip: at.posts - skip - take,
            take,
            from: Some(start),
            until: Some(end),
        }
    } else {
        Walk {
            from_oldest: false,
            skip,
            take,
            from: None,
            until: Some(end),
        }
    }
}

/// The day holding post number `offset` (0 the newest) of `filter`'s listing, read within
/// `conn`'s snapshot; `None` past the last post.
pub(crate) async fn read_day_at(
    engine: Engine,
    filter: PostFilter,
    offset: u64,
    conn: &mut sqlx::AnyConnection,
) -> Result<Option<DayAt>> {
    use sqlx::Row;
    const DURING: &str = "reading a listing's days";
    let rows = filter
        .day_at(engine, offset)
        .fetch_all(&mut *conn, DURING)
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let count = |column: &str| -> Result<u64> {
        let value: i64 = row.try_get(column).during(DURING)?;
        Ok(u64::try_from(value).unwrap_or(0))
    };
    Ok(Some(DayAt {
        day: row.try_get("day").during(DURING)?,
        posts: count("posts")?,
        newer: count("newer")?,
        total: count("total")?,
    }))
}

impl Store {
    /// Folds each listing day's change rows into one row and drops days that sum to
    /// nothing (on SQLite, whose triggers keep one row a day, only the latter). Run by
    /// every indexing pass; safe beside writers on either engine (see the engines'
    /// `FOLD_LISTING_DAYS`).
    pub(crate) async fn fold_listing_days(&self) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        const DURING: &str = "folding the listings' day counts";
        let mut tx = self.write(DURING).await?;
        for statement in self.engine.fold_listing_days() {
            sqlx::query(*statement)
                .execute(&mut *tx)
                .await
                .during(DURING)?;
        }
        tx.commit().await.during(DURING)
    }
}

/// `floor(published_at / 86400)` in SQL both engines run (integer `%` keeps the sign of
/// its left side on both, so the remainder is lifted into `0..86400` first).
macro_rules! day_of {
    ($column:literal) => {
        concat!(
            "((",
            $column,
            " - ((",
            $column,
            " % 86400) + 86400) % 86400) / 86400)"
        )
    };
}

/// Each listing's posts per day, counted from the rows themselves: `kind, key, day,
/// posts`, as migration 28 first wrote them.
const COUNTED: &str = concat!(
    "SELECT 0 AS kind, 0 AS key, ",
    day_of!("published_at"),
    " AS day, COUNT(*) AS posts FROM posts \
     WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 3 \
     UNION ALL SELECT 2, source_id, ",
    day_of!("published_at"),
    ", COUNT(*) FROM post_sources WHERE listed = 1 AND published_at IS NOT NULL GROUP BY 2, 3 \
     UNION ALL SELECT 1, tag_id, day, COUNT(*) FROM (SELECT DISTINCT tag_id, post_id, ",
    day_of!("published_at"),
    " AS day FROM post_tags WHERE listed = 1 AND published_at IS NOT NULL) links \
     GROUP BY tag_id, day"
);

/// How many listing days `listing_days` counts differently from the rows.
pub(crate) async fn days_out_of_step(conn: &mut sqlx::AnyConnection) -> Result<u64> {
    // The counted rows negated beside the kept ones: a day that differs sums to something.
    let query = format!(
        "SELECT COUNT(*) FROM (SELECT kind, key, day FROM (\
         SELECT kind, key, day, posts FROM listing_days \
         UNION ALL SELECT kind, key, day, -posts FROM ({COUNTED}) counted) both_sides \
         GROUP BY kind, key, day HAVING SUM(posts) <> 0) differing"
    );
    let differing: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(query))
        .fetch_one(conn)
        .await
        .during("comparing the listings' day counts with the posts")?;
    Ok(u64::try_from(differing).unwrap_or(0))
}

/// Counts every listing's days anew from the rows, within the caller's transaction.
pub(crate) async fn recount(conn: &mut sqlx::AnyConnection) -> Result<()> {
    const DURING: &str = "counting the listings' days anew";
    sqlx::query("DELETE FROM listing_days")
        .execute(&mut *conn)
        .await
        .during(DURING)?;
    let insert = format!(
        "INSERT INTO listing_days (kind, key, day, posts) \
         SELECT kind, key, day, posts FROM ({COUNTED}) counted"
    );
    sqlx::query(sqlx::AssertSqlSafe(insert))
        .execute(conn)
        .await
        .during(DURING)?;
    Ok(())
}

#[cfg(test)]
mod tests;
