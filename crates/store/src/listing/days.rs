//! Each listing's posts counted per span of days (`listing_days`, migrations 28 to 30),
//! and how a page is found from them.
//!
//! Counting a listing walked all of it: 20 ms for a tag of 226,515 posts at a million
//! posts, and a deep page then skipped half of it again. The triggers of migration 28 add
//! a row to `listing_days` whenever a post enters or leaves a listing (a change, `+1` or
//! `-1`); since migration 30 a row counts a span of [`SPAN_DAYS`] days (UTC), named by its
//! first day, where migration 28 counted single days. A span's count is the sum of its
//! rows, and a listing's size the sum over its spans: 23 rows a year at most, where a
//! listing of thirteen years had 4,862 days, and summing those to find a deep page took 3
//! ms. A page is found from the span holding its first post (the engine sums the spans
//! from the newest and stops there; [`locate`], a pure function, decides the walk) and read
//! from that span on, skipping only that span's posts before it, or from its oldest post
//! when the page lies in its older half, so a walk skips at most half a span.
//!
//! [`Store::fold_listing_days`] folds each span's rows into one, in every indexing pass, so
//! the rows stay about one per listing and span. On SQLite (one writer at a time) the
//! triggers of migration 29 add to a listing span's one row in place instead, and a fold
//! only drops the spans that came to nothing. (The names say "day": a row's `day` is its
//! span's first day.)

use syndic_core::Page;

use super::{PostFilter, Walk};
use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store};

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// Days in a span: a listing's posts are counted per span of this many UTC days
/// (migration 30), named by its first day, a multiple of it since 1970-01-01.
pub(crate) const SPAN_DAYS: i64 = 16;

/// Seconds in a span.
pub(crate) const SPAN: i64 = SPAN_DAYS * DAY;

/// The span of a listing that holds one of its posts, with the sums around it, as the
/// engine finds it ([`PostFilter::day_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DayAt {
    /// The span's first day, in days since 1970-01-01 (`floor(published_at / SPAN) *
    /// SPAN_DAYS`).
    pub(crate) day: i64,
    /// The listing's posts published in that span.
    pub(crate) posts: u64,
    /// The listing's posts published in newer spans.
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

    /// The listing's span holding its post number `offset` (0 the newest): that span's
    /// first day, its posts, the posts of the spans newer than it and the listing's size,
    /// in one row (none past the last post). The engine sums the spans from the newest and
    /// stops at the one that holds the post (the only row whose running sum passes
    /// `offset` while the sum before it does not), so page 1 reads a few rows; the size is
    /// a plain sum beside it.
    pub(crate) fn day_at(self, engine: Engine, offset: u64) -> Sql {
        let (kind, key) = self.days_key();
        let mut sql = Sql::new("");
        let (kind, key) = (sql.placeholder(kind), sql.placeholder(key));
        let offset = sql.placeholder(i64::try_from(offset).unwrap_or(i64::MAX));
        sql.push(&span_at(engine, &kind, &key, &offset));
        sql.prepared()
    }

    /// A query of the listing's size: the sum of its spans.
    pub(crate) fn count(self) -> Sql {
        let (kind, key) = self.days_key();
        let mut sql = Sql::new(
            "SELECT CAST(COALESCE(SUM(posts), 0) AS BIGINT) FROM listing_days WHERE kind = ",
        );
        sql.bind(kind).push(" AND key = ").bind(key);
        sql.prepared()
    }
}

/// The tag named by `slug` (the columns of `TAG_BY_SLUG_UNCOUNTED`) and, beside it, the
/// span of its archive holding post number `offset` as [`PostFilter::day_at`] reads it
/// (`NULL`s past the last post): a tag's page needs both, and one statement is one round
/// trip where two were.
pub(crate) fn tag_at(engine: Engine, slug: &str, offset: u64) -> Sql {
    let mut sql = Sql::new("");
    let slug = sql.placeholder(slug.to_owned());
    let kind = sql.placeholder(PostFilter::Tag(syndic_core::TagId(0)).days_key().0);
    let offset = sql.placeholder(i64::try_from(offset).unwrap_or(i64::MAX));
    let key = format!("(SELECT k.id FROM tags k WHERE k.slug = {slug})");
    let at = span_at(engine, &kind, &key, &offset);
    sql.push(&format!(
        "SELECT t.id, t.name, t.slug, t.description, CAST(0 AS BIGINT) AS post_count, \
         at.day, at.posts, at.newer, at.total, at.clock \
         FROM tags t LEFT JOIN ({at}) at ON TRUE WHERE t.slug = {slug}"
    ));
    sql.prepared()
}

/// The `SELECT` of [`PostFilter::day_at`] over the listing `kind, key` (SQL expressions):
/// `day, posts, newer, total` of the span holding post number `offset`.
fn span_at(engine: Engine, kind: &str, key: &str, offset: &str) -> String {
    let days = engine.listing_days(kind, key);
    let clock = super::consistent::CLOCK_COLUMN;
    format!(
        "SELECT day, posts, running - posts AS newer, \
         (SELECT CAST(COALESCE(SUM(t.posts), 0) AS BIGINT) FROM listing_days t \
          WHERE t.kind = {kind} AND t.key = {key}) AS total{clock} \
         FROM (SELECT day, posts, \
               CAST(SUM(posts) OVER (ORDER BY day DESC ROWS UNBOUNDED PRECEDING) AS BIGINT) \
               AS running FROM ({days}) days) summed \
         WHERE running > {offset} AND running - posts <= {offset} LIMIT 1"
    )
}

/// How to read `page`, whose first post is in `at`'s span: from that span's end, skipping
/// the span's posts before it; or, when the page lies within the span and starts past its
/// middle, from the span's oldest post, so no walk skips more than half a span.
pub(crate) fn locate(at: &DayAt, page: Page) -> Walk {
    let skip = page.offset().saturating_sub(at.newer);
    let take = page.limit().min(at.total.saturating_sub(page.offset()));
    let start = at.day.saturating_mul(DAY);
    let end = start.saturating_add(SPAN);
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

const DURING: &str = "reading a listing's days";

/// The `day, posts, newer, total` columns of a row of [`PostFilter::day_at`] or
/// [`tag_at`]; `None` when they are `NULL` (past the last post).
pub(crate) fn day_at_from_row(row: &sqlx::any::AnyRow) -> Result<Option<DayAt>> {
    use sqlx::Row;
    let Some(day) = row.try_get::<Option<i64>, _>("day").during(DURING)? else {
        return Ok(None);
    };
    let count = |column: &str| -> Result<u64> {
        let value: Option<i64> = row.try_get(column).during(DURING)?;
        Ok(value.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
    };
    Ok(Some(DayAt {
        day,
        posts: count("posts")?,
        newer: count("newer")?,
        total: count("total")?,
    }))
}

impl Store {
    /// Folds each listing span's change rows into one row and drops spans that sum to
    /// nothing (on SQLite, whose triggers keep one row a span, only the latter). Run by
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

/// The first day of the span holding `published_at` (`floor(published_at / SPAN) *
/// SPAN_DAYS`, as the triggers of migration 30 write it) in SQL both engines run: integer
/// `%` keeps the sign of its left side on both, so the remainder is lifted into
/// `0..SPAN` first.
macro_rules! span_day_of {
    ($column:literal) => {
        concat!(
            "((",
            $column,
            " - ((",
            $column,
            " % 1382400) + 1382400) % 1382400) / 86400)"
        )
    };
}

// The SQL above, the migrations' triggers and `SPAN` name one span.
const _: () = assert!(SPAN == 1_382_400 && DAY == 86_400);

/// Each listing's posts per span, counted from the rows themselves: `kind, key, day,
/// posts`, as the triggers of migration 30 write them.
const COUNTED: &str = concat!(
    "SELECT 0 AS kind, 0 AS key, ",
    span_day_of!("published_at"),
    " AS day, COUNT(*) AS posts FROM posts \
     WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 3 \
     UNION ALL SELECT 2, source_id, ",
    span_day_of!("published_at"),
    ", COUNT(*) FROM post_sources WHERE listed = 1 AND published_at IS NOT NULL GROUP BY 2, 3 \
     UNION ALL SELECT 1, tag_id, day, COUNT(*) FROM (SELECT DISTINCT tag_id, post_id, ",
    span_day_of!("published_at"),
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
