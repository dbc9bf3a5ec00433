use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use sqlx::Row;
use syndic_core::{Actor, FeedEntry, Page, PostId, TagAssignment, TagOrigin};

use super::*;
use crate::tests::{at, entry, fresh_store, meta, tagged};
use crate::{IncomingPost, SourceSpec};

/// The span starting on day `day` of a listing of `total` posts, holding `posts` with
/// `newer` in newer spans.
fn day_at(day: i64, posts: u64, newer: u64, total: u64) -> DayAt {
    DayAt {
        day,
        posts,
        newer,
        total,
    }
}

fn page(number: u32) -> Page {
    Page::new(number, 10).expect("a page")
}

#[test]
fn a_page_starts_in_the_span_of_its_first_post() {
    // Newest first: 4 posts in the span of days 32..48, 25 in 16..32, 3 in 0..16.
    let first = locate(&day_at(32, 4, 0, 32), page(1));
    assert_eq!((first.from_oldest, first.skip, first.take), (false, 0, 10));
    assert_eq!((first.from, first.until), (None, Some(48 * DAY)));
    // Page 2 holds posts 10..20: the 7th to 16th of the span, within its first half.
    let second = locate(&day_at(16, 25, 4, 32), page(2));
    assert_eq!((second.from_oldest, second.skip), (false, 6));
    assert_eq!((second.from, second.until), (None, Some(32 * DAY)));
    // Page 4 holds the last 2 posts: in the first span, after its newest one.
    let last = locate(&day_at(0, 3, 29, 32), page(4));
    assert_eq!((last.skip, last.take, last.until), (1, 2, Some(16 * DAY)));
    assert_eq!(SPAN, 16 * DAY);
}

#[test]
fn a_page_deep_in_one_span_is_read_from_the_spans_oldest_post() {
    // 20,000 posts share the span from day 32 (an undated feed imported at once), 5 newer.
    let crowded = day_at(32, 20_000, 5, 20_010);
    let deep = locate(&crowded, Page::new(1_500, 10).expect("page"));
    // Posts 14,990..15,000: the 14,985th to 14,995th of the span, 5,005 before its oldest.
    assert!(deep.from_oldest);
    assert_eq!((deep.skip, deep.take), (5_005, 10));
    assert_eq!((deep.from, deep.until), (Some(32 * DAY), Some(48 * DAY)));
    // A page running past the span's oldest post is read newest first.
    let across = locate(&crowded, Page::new(2_001, 10).expect("page"));
    assert!(!across.from_oldest);
    assert_eq!((across.skip, across.until), (19_995, Some(48 * DAY)));
}

#[test]
fn spans_before_1970_are_whole_spans() {
    let walk = locate(&day_at(-SPAN_DAYS, 1, 0, 1), page(1));
    assert_eq!(walk.until, Some(0));
}

/// Every listing's posts per span, as the rows say: published posts, listed copies, and
/// listed links (each post once per tag and span).
async fn counted_by_hand(store: &Store) -> BTreeMap<(i64, i64, i64), u64> {
    let queries = [
        "SELECT 0 AS kind, 0 AS key, id AS post, published_at FROM posts \
         WHERE state = 'published'",
        "SELECT 2 AS kind, source_id AS key, post_id AS post, published_at FROM post_sources \
         WHERE listed = 1",
        "SELECT DISTINCT 1 AS kind, tag_id AS key, post_id AS post, published_at \
         FROM post_tags WHERE listed = 1",
    ];
    let mut counts = BTreeMap::new();
    for query in queries {
        let rows = sqlx::query(query)
            .fetch_all(&store.pool)
            .await
            .expect("rows");
        for row in rows {
            let kind: i64 = row.get("kind");
            let key: i64 = row.get("key");
            let published: i64 = row.get("published_at");
            *counts
                .entry((kind, key, published.div_euclid(SPAN) * SPAN_DAYS))
                .or_insert(0) += 1;
        }
    }
    counts
}

/// What `listing_days` says, days summing to nothing left out.
async fn counted_by_triggers(store: &Store) -> BTreeMap<(i64, i64, i64), u64> {
    let rows = sqlx::query(
        "SELECT kind, key, day, CAST(SUM(posts) AS BIGINT) AS posts FROM listing_days \
         GROUP BY kind, key, day",
    )
    .fetch_all(&store.pool)
    .await
    .expect("days");
    rows.iter()
        .map(|row| {
            let posts: i64 = row.get("posts");
            let key = (row.get("kind"), row.get("key"), row.get("day"));
            (key, u64::try_from(posts).expect("no day below zero"))
        })
        .filter(|(_, posts)| *posts > 0)
        .collect()
}

async fn assert_in_step(store: &Store, after: &str) {
    assert_eq!(
        counted_by_triggers(store).await,
        counted_by_hand(store).await,
        "after {after}"
    );
}

fn with_source_rule(mut post: IncomingPost, tag: &str) -> IncomingPost {
    post.tags.push(TagAssignment {
        tag: tag.into(),
        origin: TagOrigin::Source,
        detail: String::new(),
    });
    post
}

/// Post `guid`, published in span number `span` of 2026 (span 0 holds January 1st; each
/// such time is 16 days after the last, all before the ingest times of `at`).
fn in_span(guid: &str, span: i64) -> FeedEntry {
    let mut post = entry(guid, "Post", 1);
    let first = Utc
        .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
        .single()
        .expect("date");
    let day = first.timestamp().div_euclid(SPAN) * SPAN + span * SPAN;
    post.published = Some(crate::from_secs(day + 43_200));
    post
}

async fn day_counts_follow_every_change_to_a_listing() {
    let (store, _db) = fresh_store().await;
    let mut sources = Vec::new();
    for n in 0..2 {
        let spec = SourceSpec {
            url: format!("https://blog{n}.example/feed"),
            name: None,
        };
        sources.push(store.upsert_source(&spec, at(1)).await.expect("source"));
    }
    // Six posts in three spans; `map` for two reasons on some; one article in both feeds.
    let posts: Vec<IncomingPost> = (0..6)
        .map(|i| {
            let post = tagged(in_span(&format!("p{i}"), 2 + i % 3), &["map"]);
            if i % 2 == 0 {
                with_source_rule(post, "map")
            } else {
                post
            }
        })
        .collect();
    store
        .ingest(sources[0], &meta(), &posts, at(10))
        .await
        .expect("ingest");
    assert_in_step(&store, "a first ingest").await;
    let copy = [with_source_rule(tagged(in_span("p0", 2), &[]), "rare")];
    store
        .ingest(sources[1], &meta(), &copy, at(11))
        .await
        .expect("ingest");
    assert_in_step(&store, "a merged copy").await;

    // Redated: the post and its links move to another span.
    let redated = [with_source_rule(tagged(in_span("p2", 1), &["map"]), "map")];
    store
        .ingest(sources[0], &meta(), &redated, at(12))
        .await
        .expect("redate");
    assert_in_step(&store, "a redated post").await;

    let removed = PostId(3);
    assert!(
        store
            .remove_post(removed, "asked", Actor::Cli, at(13))
            .await
            .expect("remove")
    );
    assert_in_step(&store, "a takedown").await;
    store
        .add_manual_tag(removed, "map", at(13))
        .await
        .expect("tag a hidden post");
    assert_in_step(&store, "a hidden post tagged by hand").await;
    assert!(
        store
            .restore_post(removed, Actor::Cli, at(14))
            .await
            .expect("restore")
    );
    assert_in_step(&store, "a restore").await;

    let map = store.tag_by_name("map").await.expect("tag").expect("map");
    store
        .remove_tag(PostId(1), map.id, at(15))
        .await
        .expect("untag");
    assert_in_step(&store, "a post untagged by hand").await;
    store
        .add_manual_tag(PostId(2), "map", at(15))
        .await
        .expect("tag by hand");
    assert_in_step(&store, "a third reason").await;

    store
        .split_post(PostId(1), sources[1], Actor::Cli, at(16))
        .await
        .expect("split");
    assert_in_step(&store, "a split").await;
    // Post 6 was the last in its span once post 3 moved away: taken down, its span sums to
    // nothing until a fold, and pages pass over it. Five posts, one a page.
    assert!(
        store
            .remove_post(PostId(6), "asked", Actor::Cli, at(16))
            .await
            .expect("remove")
    );
    assert_in_step(&store, "the last post of a span taken down").await;
    let zero_days: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT day FROM listing_days WHERE kind = 0 \
         GROUP BY day HAVING SUM(posts) = 0) zero",
    )
    .fetch_one(&store.pool)
    .await
    .expect("zero days");
    assert!(zero_days > 0, "a span summing to nothing before the fold");
    let mut seen = Vec::new();
    for number in 1..=6 {
        let listing = store
            .listing(PostFilter::All, Page::new(number, 1).expect("page"))
            .await
            .expect("listing");
        assert_eq!(listing.total, 5);
        seen.extend(listing.posts.iter().map(|post| post.id.0));
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert!(!seen.contains(&6));

    store.fold_listing_days().await.expect("fold");
    assert_in_step(&store, "a fold").await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM listing_days")
        .fetch_one(&store.pool)
        .await
        .expect("rows");
    let days = counted_by_triggers(&store).await.len();
    assert_eq!(usize::try_from(rows).expect("rows"), days, "one row a span");
}

async fn pages_found_from_the_days_read_every_post_once_in_order() {
    let (store, _db) = fresh_store().await;
    let spec = SourceSpec {
        url: "https://blog.example/feed".into(),
        name: None,
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    // 40 posts: 25 on one day (ties), the rest on days of their own.
    let posts: Vec<IncomingPost> = (0..40)
        .map(|i| {
            let day = if i < 25 { 5 } else { 6 + i % 15 };
            tagged(entry(&format!("p{i}"), "Post", day), &["map"])
        })
        .collect();
    store
        .ingest(source, &meta(), &posts, at(25))
        .await
        .expect("ingest");
    let map = store.tag_by_name("map").await.expect("tag").expect("map");
    for filter in [
        PostFilter::All,
        PostFilter::Tag(map.id),
        PostFilter::Source(source),
    ] {
        let mut want = Vec::new();
        let mut after = None;
        loop {
            let chunk = store.posts_after(filter, after, 7).await.expect("chunk");
            after = chunk.last().map(super::super::ListingKey::of);
            want.extend(chunk.iter().map(|post| post.id));
            if chunk.len() < 7 {
                break;
            }
        }
        assert_eq!(want.len(), 40);
        for per_page in [3, 7, 10, 40] {
            let mut got = Vec::new();
            for number in 1..=(40 / per_page + 2) {
                let page = Page::new(number, per_page).expect("page");
                let listing = store.listing(filter, page).await.expect("listing");
                assert_eq!(listing.total, 40, "{filter:?}");
                got.extend(listing.posts.iter().map(|post| post.id));
            }
            assert_eq!(got, want, "{filter:?}, {per_page} a page");
        }
    }
}

/// A store at version 28 (a row of change per post entering a listing, not yet folded)
/// keeps its counts through migration 29, which on SQLite sums each day into one row that
/// its triggers then add to in place, and migration 30, which sums the days of each span.
async fn a_version_28_store_keeps_its_counts_in_spans() {
    let (db, pool) = crate::tests::database_at_version("a version 28 store", 28).await;
    // Two posts on day 3, one on day 4 (both in the span of days 0..16) and one on day 20
    // (the span of days 16..32), each tagged twice over (a term and a category): the
    // triggers write a row of change for each. (The posts take their ids from the engine,
    // as a later ingest does.)
    sqlx::raw_sql(
        "INSERT INTO sources (id, url, slug, created_at) VALUES (1, 'feed.xml', 'feed', 0);
         INSERT INTO tags (id, name, slug, created_at) VALUES (1, 'kelp', 'kelp', 0);
         INSERT INTO posts (source_id, guid, title, published_at, first_seen_at)
         VALUES (1, 'a', 'A', 260000, 0), (1, 'b', 'B', 261000, 0),
                (1, 'c', 'C', 350000, 0), (1, 'd', 'D', 1733000, 0);
         INSERT INTO post_sources (post_id, source_id, guid, seen_at, why)
         SELECT id, 1, guid, 0, 'own' FROM posts;
         INSERT INTO post_tags (post_id, tag_id, origin)
         SELECT id, 1, 'term' FROM posts;
         INSERT INTO post_tags (post_id, tag_id, origin)
         SELECT id, 1, 'category' FROM posts;",
    )
    .execute(&pool)
    .await
    .expect("version 28's rows");
    pool.close().await;

    let store = db.open().await;
    assert_eq!(
        store.schema_version().await.expect("version"),
        crate::migrate::latest()
    );
    assert_in_step(&store, "the upgrade").await;
    let want: BTreeMap<_, _> = [
        ((0, 0, 0), 3),
        ((0, 0, 16), 1),
        ((1, 1, 0), 3),
        ((1, 1, 16), 1),
        ((2, 1, 0), 3),
        ((2, 1, 16), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(counted_by_triggers(&store).await, want);
    if store.engine == crate::engine::Engine::Sqlite {
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM listing_days")
            .fetch_one(&store.pool)
            .await
            .expect("rows");
        assert_eq!(rows, 6, "one row a listing span");
    }
    // A fifth post on day 20 adds to its spans' rows.
    let spec = SourceSpec {
        url: "feed.xml".into(),
        name: None,
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    let mut fifth = entry("e", "E", 1);
    fifth.published = Some(crate::from_secs(1_734_000));
    store
        .ingest(source, &meta(), &[tagged(fifth, &["kelp"])], at(2))
        .await
        .expect("ingest");
    assert_in_step(&store, "an ingest after the upgrade").await;
    let tag = store
        .listing(PostFilter::Tag(syndic_core::TagId(1)), page(1))
        .await
        .expect("tag listing");
    assert_eq!(tag.total, 5);
    store
        .index_search()
        .await
        .expect("an indexing pass, with its fold");
    assert_in_step(&store, "a fold").await;
    // (Rows written by hand skip the search index's queue: only the counts are asked.)
    let check = Store::check(db.url()).await.expect("check");
    assert!(
        !check
            .problems
            .iter()
            .any(|p| p.what.contains("listing_days")),
        "{:#?}",
        check.problems
    );
}

crate::tests::on_both_engines!(
    day_counts_follow_every_change_to_a_listing,
    pages_found_from_the_days_read_every_post_once_in_order,
    a_version_28_store_keeps_its_counts_in_spans,
);
