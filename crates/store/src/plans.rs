//! The plan of every query a page makes (and of the lookup each tag link written makes),
//! checked on a store of many posts on each engine:
//! listings, tag archives, source pages and post pages walk their indexes and never scan
//! or sort the posts table.
//!
//! The store has `SYNDIC_PLAN_POSTS` posts (20,000 by default; the figures reported in
//! ARCHITECTURE.md are for 1,000,000), 2 % of them sharing one publication time, 100
//! posts a source, 50 tags on one to three posts in four (some twice, for two reasons)
//! and one rare tag. PostgreSQL plans by statistics, so its store is vacuumed and analysed
//! first, as autovacuum leaves a real one; SQLite's are checked before and after `ANALYZE`.
//! Every plan is printed (`cargo test -p syndic-store plans -- --nocapture`).

use syndic_core::{PostId, SourceId, TagId};

use crate::engine::Engine;
use crate::listing::{ListingKey, PostFilter, Walk};
use crate::sql::Sql;
use crate::tests::{engine, fresh_store};
use crate::{Store, query, reasons, sources};

const POSTS_VAR: &str = "SYNDIC_PLAN_POSTS";

/// What one query's plan must and must not show.
struct Check {
    name: &'static str,
    /// Indexes the plan must use (all of them).
    uses: &'static [&'static str],
    kind: Kind,
}

/// How much a query may read: never the whole posts table, and only a count of the whole
/// store may read a whole index or `post_tags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Index seeks and walks in index order, no sort.
    Seek,
    /// Seeks, then a sort of the few rows of one page.
    Page,
    /// Counts over the whole store (the home page's, the tags and sources pages').
    Whole,
}

fn check(name: &'static str, sql: Sql, uses: &'static [&'static str], kind: Kind) -> (Check, Sql) {
    (Check { name, uses, kind }, sql)
}

/// A statement with one value bound to `$1`.
fn with(
    text: &str,
    value: impl sqlx::Encode<'static, sqlx::Any> + sqlx::Type<sqlx::Any> + 'static,
) -> Sql {
    let mut sql = Sql::new(text);
    sql.placeholder(value);
    sql
}

fn walk(from_oldest: bool, skip: u64) -> Walk {
    Walk {
        from_oldest,
        ..Walk::newest(skip, 20)
    }
}

/// A walk as `listing/days.rs` finds a page: from the end of one span, newest first or
/// (deep in the span) from its oldest post.
fn walk_from_day(from_oldest: bool, skip: u64) -> Walk {
    use crate::listing::days::SPAN;
    let from = (BASE + 100_000_000).div_euclid(SPAN) * SPAN;
    Walk {
        from_oldest,
        skip,
        take: 20,
        from: from_oldest.then_some(from),
        until: Some(from + SPAN),
    }
}

fn keys(filter: PostFilter, walk: Walk, before: Option<ListingKey>) -> Sql {
    let mut sql = Sql::new("");
    filter.push_keys(&mut sql, walk, before);
    sql
}

/// Every query of every page, with the index each must use.
fn page_queries(engine: Engine, posts: i64) -> Vec<(Check, Sql)> {
    let (all, tag, rare, source) = (
        PostFilter::All,
        PostFilter::Tag(TagId(7)),
        PostFilter::Tag(TagId(51)),
        PostFilter::Source(SourceId(3)),
    );
    let deep = u64::try_from(posts / 3).unwrap_or(0);
    let middle = PostId(posts / 2);
    let key = ListingKey {
        published: crate::from_secs(BASE + 100_000_000),
        id: PostId(posts / 2),
    };
    let by_time = &["posts_by_published"];
    let by_tag = &["post_tags_by_tag_time"];
    let by_source = &["post_sources_by_source_time"];
    // SQLite's listing days are a table that is its own index (migration 29).
    let by_day: &[&str] = match engine {
        Engine::Sqlite => &["USING PRIMARY KEY (kind=?"],
        Engine::Postgres => &["listing_days_by_day"],
    };
    // SQLite sums its one row a day in the key's order and stops at the page's day;
    // PostgreSQL first groups its rows of change by day (a listing's days, a few
    // thousand at most), then sorts them.
    let day_at = match engine {
        Engine::Sqlite => Kind::Seek,
        Engine::Postgres => Kind::Page,
    };
    let mut queries = vec![
        check("home: count", all.count(), by_day, Kind::Seek),
        check(
            "home: the day of a page",
            all.day_at(engine, 500),
            by_day,
            day_at,
        ),
        check(
            "home: a page from its day, keys",
            keys(all, walk_from_day(false, 5), None),
            by_time,
            Kind::Seek,
        ),
        check(
            "home: page 2, keys",
            keys(all, walk(false, 20), None),
            by_time,
            Kind::Seek,
        ),
        check(
            "home: deep page, keys from the oldest",
            keys(all, walk(true, deep), None),
            by_time,
            Kind::Seek,
        ),
        check(
            "home: page 2",
            all.page(engine, walk(false, 20), None),
            by_time,
            Kind::Page,
        ),
        check(
            "tag archive: the tag",
            with(query::TAG_BY_SLUG, "tag-7".to_owned()),
            by_day,
            Kind::Seek,
        ),
        check(
            "tag archive: the tag and the span of its page",
            crate::listing::days::tag_at(engine, "tag-7", 500),
            by_day,
            day_at,
        ),
        check("tag archive: count", tag.count(), by_day, Kind::Seek),
        check(
            "tag archive: the day of a page",
            tag.day_at(engine, 500),
            by_day,
            day_at,
        ),
        check(
            "tag archive: a page from its day, keys",
            keys(tag, walk_from_day(false, 5), None),
            by_tag,
            Kind::Seek,
        ),
        check(
            "tag archive: a page deep in its day, keys",
            keys(tag, walk_from_day(true, 5), None),
            by_tag,
            Kind::Seek,
        ),
        check(
            "tag archive: page 2, keys",
            keys(tag, walk(false, 20), None),
            by_tag,
            Kind::Seek,
        ),
        check(
            "tag archive: deep page, keys from the oldest",
            keys(tag, walk(true, deep / 50), None),
            by_tag,
            Kind::Seek,
        ),
        check(
            "tag archive: page 2",
            tag.page(engine, walk(false, 20), None),
            by_tag,
            Kind::Page,
        ),
        check(
            "rare tag archive: page 1",
            rare.page(engine, walk(false, 0), None),
            by_tag,
            Kind::Page,
        ),
        check(
            "source page: the source",
            with(sources::SOURCE_BY_SLUG, "blog-3".to_owned()),
            by_day,
            Kind::Seek,
        ),
        check("source page: count", source.count(), by_day, Kind::Seek),
        check(
            "source page: a page from its day, keys",
            keys(source, walk_from_day(false, 5), None),
            by_source,
            Kind::Seek,
        ),
        check(
            "source page: page 2",
            source.page(engine, walk(false, 20), None),
            by_source,
            Kind::Page,
        ),
        check(
            "post page: the post",
            query::post_by_id(engine, middle, query::PUBLISHED_POST),
            &[],
            Kind::Seek,
        ),
        check(
            "post page: why it has them",
            with(reasons::TAG_REASONS, middle.0),
            &[],
            Kind::Page,
        ),
        check(
            "post page: neighbours",
            with(crate::neighbours::NEIGHBOURS, middle.0),
            by_time,
            Kind::Seek,
        ),
        check(
            "export: posts after a key",
            all.page(engine, walk(false, 0), Some(key)),
            by_time,
            Kind::Page,
        ),
        check(
            "export: tag posts after a key",
            tag.page(engine, walk(false, 0), Some(key)),
            by_tag,
            Kind::Page,
        ),
        check("tags page", Sql::new(query::TAGS), by_day, Kind::Whole),
        check(
            "sources page",
            Sql::new(sources::SOURCES),
            by_day,
            Kind::Whole,
        ),
    ];
    if engine == Engine::Sqlite {
        queries.push(check(
            "tagging: a post's other links to a tag on a day (the listing-days trigger)",
            Sql::new(&tag_days_lookup()),
            &["sqlite_autoindex_post_tags_1"],
            Kind::Seek,
        ));
    }
    queries
}

/// The lookup SQLite's `post_tags` triggers make for every link written (migrations 29
/// and 30): whether the post has another listed link to the tag in the same span, with the new
/// row's values filled in. It reads the post's own links (its primary key); read through
/// the tag's archive index instead, every link written reads the whole tag.
fn tag_days_lookup() -> String {
    const TRIGGERS: &str = include_str!("../migrations/sqlite/0030_listing_spans.sql");
    let start = TRIGGERS
        .find("NOT EXISTS (")
        .map(|at| at + "NOT EXISTS (".len())
        .expect("the trigger's lookup");
    let mut depth = 0;
    let end = TRIGGERS[start..]
        .char_indices()
        .find_map(|(at, c)| {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => return Some(start + at),
                ')' => depth -= 1,
                _ => {}
            }
            None
        })
        .expect("the lookup's end");
    TRIGGERS[start..end]
        .replace("new.post_id", &(1_000).to_string())
        .replace("new.tag_id", "7")
        .replace("new.origin", "'source'")
        .replace("new.published_at", &(BASE + 100_000_000).to_string())
}

/// 2020-01-01: the first publication time.
const BASE: i64 = 1_577_836_800;

async fn fill(store: &Store, posts: i64) {
    let series = |n: i64| {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL \
             SELECT i + 1 FROM n WHERE i < {n}) "
        )
    };
    let sources = (posts / 100).max(1);
    let statements = [
        format!(
            "INSERT INTO sources (id, url, slug, created_at) {} \
             SELECT i, 'https://blog' || i || '.example/feed', 'blog-' || i, 0 FROM n",
            series(sources)
        ),
        format!(
            "INSERT INTO tags (id, name, slug, created_at) {} \
             SELECT i, 'tag-' || i, 'tag-' || i, 0 FROM n",
            series(51)
        ),
        // One post in fifty shares the tie time; the rest spread over ten years.
        format!(
            "INSERT INTO posts (id, source_id, guid, title, link, published_at, first_seen_at, \
                 body) {} \
             SELECT i, 1 + i % {sources}, 'guid-' || i, 'Post ' || i, \
                 'https://blog.example/' || i, \
                 CASE WHEN i % 50 = 0 THEN {BASE} ELSE {BASE} + (i * 7919) % 315360000 END, \
                 0, $1 \
             FROM n",
            series(posts)
        ),
        "INSERT INTO post_tags (post_id, tag_id, origin, detail, published_at) \
         SELECT id, 1 + (id * 13) % 50, 'term', '', published_at FROM posts"
            .to_owned(),
        "INSERT INTO post_sources (post_id, source_id, guid, link, seen_at, why, published_at, \
             listed) \
         SELECT id, source_id, guid, link, 0, 'own', published_at, 1 FROM posts"
            .to_owned(),
        "INSERT INTO post_tags (post_id, tag_id, origin, detail, published_at) \
         SELECT id, 1 + (id * 31 + 7) % 50, 'term', '', published_at FROM posts \
         WHERE id % 2 = 0 ON CONFLICT DO NOTHING"
            .to_owned(),
        "INSERT INTO post_tags (post_id, tag_id, origin, detail, published_at) \
         SELECT id, 1 + (id * 13) % 50, 'source', '', published_at FROM posts WHERE id % 3 = 0"
            .to_owned(),
        "INSERT INTO post_tags (post_id, tag_id, origin, detail, published_at) \
         SELECT id, 51, 'term', '', published_at FROM posts WHERE id % 5000 = 1"
            .to_owned(),
    ];
    let text = "word ".repeat(40);
    let body = crate::body::encode(&text, &text);
    for statement in statements {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement.clone()));
        if statement.contains("$1") {
            query = query.bind(body.clone());
        }
        query
            .execute(&store.pool)
            .await
            .unwrap_or_else(|e| panic!("filling the plan store: {e}\n{statement}"));
    }
}

/// The plan of `sql`, one step a line.
/// The plan of `sql`. A count of the whole store on PostgreSQL is planned with sequential
/// scans priced out: it reads every published post's entry whichever way it goes, and on a
/// test-sized table the planner rightly prefers the few heap pages to the partial index
/// (at a million posts with their bodies it is the other way round). What the check asks
/// is that an index can answer it, so that a big store is never counted from its heap.
async fn plan(store: &Store, check: &Check, sql: Sql) -> Vec<String> {
    use sqlx::Row;
    let name = check.name;
    let engine = store.engine;
    let mut tx = store.pool.begin().await.expect("a transaction");
    if engine == Engine::Postgres && check.kind == Kind::Whole {
        sqlx::query("SET LOCAL enable_seqscan = off")
            .execute(&mut *tx)
            .await
            .expect("pricing out sequential scans");
    }
    let rows = sql
        .prefixed(engine.explain())
        .fetch_all(&mut *tx, "explaining a query")
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    rows.iter()
        .map(|row| {
            row.try_get::<String, _>(engine.plan_column())
                .expect("a plan line")
        })
        .collect()
}

/// What is wrong with a plan, if anything. `whole_posts_read` allows a count of the whole
/// store to read the posts table itself (see [`posts_all_visible`]).
fn faults(engine: Engine, check: &Check, lines: &[String], whole_posts_read: bool) -> Vec<String> {
    let text = lines.join("\n");
    let mut faults = Vec::new();
    for index in check.uses {
        if !text.contains(index) {
            faults.push(format!("does not use {index}"));
        }
    }
    for line in lines {
        let step = line.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
        let scanned = match engine {
            Engine::Sqlite => {
                let table = step.strip_prefix("SCAN ").unwrap_or_default();
                let table = table.split(' ').next().unwrap_or_default();
                (!step.contains("INDEX")).then_some(table)
            }
            Engine::Postgres => step
                .strip_prefix("Seq Scan on ")
                .or_else(|| step.strip_prefix("Parallel Seq Scan on "))
                .and_then(|rest| rest.split(' ').next()),
        };
        let forbidden: &[&str] = match check.kind {
            Kind::Whole if whole_posts_read => &[],
            Kind::Whole => &["p", "posts"],
            Kind::Seek | Kind::Page => &["p", "posts", "pt", "post_tags"],
        };
        if scanned.is_some_and(|table| forbidden.contains(&table)) {
            faults.push(format!("scans a whole table: {step}"));
        }
        let sort = match engine {
            Engine::Sqlite => step.starts_with("USE TEMP B-TREE"),
            Engine::Postgres => step.starts_with("Sort ") || step.starts_with("Incremental Sort"),
        };
        if sort && check.kind == Kind::Seek {
            faults.push(format!("sorts: {step}"));
        }
    }
    faults
}

/// Whether PostgreSQL's visibility map covers every page of `posts`. A `VACUUM` cannot
/// mark the pages of rows newer than the oldest snapshot open in the database (another
/// test's, on a shared server); then an index-only scan must visit the table too, and a
/// count of every post rightly reads the table instead.
async fn posts_all_visible(store: &Store) -> bool {
    sqlx::query_scalar(
        "SELECT relallvisible >= relpages FROM pg_class WHERE oid = 'posts'::regclass",
    )
    .fetch_one(&store.pool)
    .await
    .expect("the visibility map's coverage")
}

async fn check_every_page_query(store: &Store, posts: i64, when: &str) {
    let engine = store.engine;
    let whole_posts_read = engine == Engine::Postgres && !posts_all_visible(store).await;
    if whole_posts_read {
        println!(
            "posts is not all-visible after VACUUM (an older snapshot is open): counts of \
             the whole store may read the table"
        );
    }
    let mut all_faults = Vec::new();
    for (check, sql) in page_queries(engine, posts) {
        let lines = plan(store, &check, sql).await;
        println!("-- {} ({engine:?}, {posts} posts{when})", check.name);
        for line in &lines {
            println!("   {line}");
        }
        for fault in faults(engine, &check, &lines, whole_posts_read) {
            all_faults.push(format!("{}: {fault}", check.name));
        }
    }
    assert!(all_faults.is_empty(), "{}", all_faults.join("\n"));
}

async fn every_page_query_walks_an_index_and_never_scans_the_posts() {
    let posts = std::env::var(POSTS_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000_i64);
    let (store, _db) = fresh_store().await;
    fill(&store, posts).await;
    // As the indexing passes leave it: one row per listing and day.
    store.fold_listing_days().await.expect("fold");
    match engine() {
        crate::testing::TestEngine::Sqlite => {
            check_every_page_query(&store, posts, "").await;
            sqlx::query("ANALYZE")
                .execute(&store.pool)
                .await
                .expect("analyze");
            check_every_page_query(&store, posts, ", analysed").await;
        }
        crate::testing::TestEngine::Postgres => {
            sqlx::raw_sql("VACUUM ANALYZE")
                .execute(&store.pool)
                .await
                .expect("vacuum");
            check_every_page_query(&store, posts, ", vacuumed").await;
        }
    }
}

crate::tests::on_both_engines!(every_page_query_walks_an_index_and_never_scans_the_posts,);
