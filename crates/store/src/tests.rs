//! The store's tests, written once and run on both engines: each test body is a plain
//! `async fn` named in an [`on_both_engines!`] list, which makes it two tests, `NAME::sqlite`
//! (always) and `NAME::postgres` (when `SYNDIC_TEST_POSTGRES_URL` names a server; else it
//! prints one line and passes). Helpers such as [`store_with_source`] open a fresh database
//! on the engine the running test is for.

use std::future::Future;

use chrono::{DateTime, TimeZone, Utc};
use syndic_core::{FeedEntry, FeedMeta, Page, PostId, TagAssignment, TagOrigin};

use crate::testing::{TestDatabase, TestEngine};

mod bodies;
mod edges;
mod enclosures;
mod full_text;
mod media;
mod media_files;
mod merging;
mod opening;
mod prepared;
mod revisions;
mod size;
mod source_settings;
use crate::{IncomingPost, PostFilter, SourceSpec, Store};

tokio::task_local! {
    /// The engine the running test is for.
    static ENGINE: TestEngine;
}

/// Makes each named test body (an `async fn` without arguments, in scope) two tests:
/// `NAME::sqlite` and `NAME::postgres`.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let engine = crate::testing::TestEngine::Sqlite;
                crate::tests::run(engine, stringify!($name), super::$name()).await;
            }

            #[tokio::test]
            async fn postgres() {
                let engine = crate::testing::TestEngine::Postgres;
                crate::tests::run(engine, stringify!($name), super::$name()).await;
            }
        }
    )*};
}
pub(crate) use on_both_engines;

/// Runs a test body on `engine`, or says why it is skipped.
pub(crate) async fn run(engine: TestEngine, name: &str, body: impl Future<Output = ()>) {
    if engine == TestEngine::Postgres && crate::testing::postgres_url().is_none() {
        println!(
            "skipped {name} on PostgreSQL: {} is not set",
            crate::testing::POSTGRES_URL_VAR
        );
        return;
    }
    ENGINE.scope(engine, body).await;
}

/// The engine the running test is for (SQLite outside [`on_both_engines!`]).
pub(crate) fn engine() -> TestEngine {
    ENGINE
        .try_with(|engine| *engine)
        .unwrap_or(TestEngine::Sqlite)
}

/// A SQLite file at `path` with the schema an older syndic left: migrations up to `version`.
pub(crate) async fn sqlite_at_version(path: &std::path::Path, version: i64) -> sqlx::AnyPool {
    let location = crate::engine::Location::sqlite_file(path).expect("a SQLite path");
    let options = crate::StoreOptions::default();
    let pool = crate::engine::Engine::connect(&location, "an old database", &options)
        .await
        .expect("open an old database");
    crate::migrate::apply_up_to(&pool, crate::engine::Engine::Sqlite, version)
        .await
        .expect("an old schema");
    pool
}

/// A fresh, empty store on the running test's engine, with what keeps it alive.
pub(crate) async fn fresh_store() -> (Store, TestDatabase) {
    let db = TestDatabase::new(engine(), "a store test").expect("run checked the engine");
    let store = db.open().await;
    (store, db)
}

/// A database on the running test's engine with the schema only up to `version`, as an
/// older syndic left it, and a pool on it (opening a [`Store`] would upgrade it).
pub(crate) async fn database_at_version(
    label: &str,
    version: i64,
) -> (TestDatabase, sqlx::AnyPool) {
    let db = TestDatabase::new(engine(), label).expect("run checked the engine");
    let location = crate::engine::Engine::locate(db.url()).expect("url");
    let options = crate::StoreOptions::default();
    let pool = crate::engine::Engine::connect(&location, label, &options)
        .await
        .expect("connect");
    crate::migrate::apply_up_to(&pool, location.engine, version)
        .await
        .expect("the older schema");
    (db, pool)
}

pub(crate) fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0)
        .single()
        .expect("valid date")
}

pub(crate) fn entry(guid: &str, title: &str, day: u32) -> FeedEntry {
    FeedEntry {
        guid: guid.into(),
        title: title.into(),
        link: Some(format!("https://blog.example/{guid}")),
        author: None,
        published: Some(at(day)),
        updated: None,
        content_html: format!("<p>{title} body</p>"),
        content_text: format!("{title} body"),
        categories: vec!["notes".into()],
        language: None,
        origin: None,
        enclosures: Vec::new(),
        original_links: Vec::new(),
    }
}

pub(crate) fn tagged(entry: FeedEntry, tags: &[&str]) -> IncomingPost {
    let tags = tags
        .iter()
        .map(|t| TagAssignment {
            tag: (*t).into(),
            origin: TagOrigin::Term,
            detail: format!("\"{t}\" in title"),
        })
        .collect();
    IncomingPost {
        entry,
        tags,
        stems: Vec::new(),
        admission: Default::default(),
    }
}

pub(crate) async fn store_with_source(
    name: Option<&str>,
) -> (Store, syndic_core::SourceId, TestDatabase) {
    let (store, dir) = fresh_store().await;
    let spec = SourceSpec {
        url: "https://blog.example/feed.xml".into(),
        name: name.map(Into::into),
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    (store, source, dir)
}

/// One field of every post on the first page of the home listing, newest first.
async fn first_page(store: &Store, field: impl Fn(syndic_core::Post) -> String) -> Vec<String> {
    let page = Page::new(1, 10).expect("page");
    store
        .posts(PostFilter::All, page)
        .await
        .expect("posts")
        .into_iter()
        .map(field)
        .collect()
}

pub(crate) fn meta() -> FeedMeta {
    FeedMeta {
        title: Some("Example Blog".into()),
        site_url: Some("https://blog.example/".into()),
        description: None,
        deleted: Vec::new(),
    }
}

async fn refetching_the_same_feed_creates_nothing_new() {
    let (store, source, _dir) = store_with_source(None).await;
    let posts = vec![
        tagged(entry("a", "First", 2), &["map"]),
        tagged(entry("b", "Second", 3), &[]),
    ];
    let first = store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    assert_eq!((first.new, first.updated, first.unchanged), (2, 0, 0));
    let again = store
        .ingest(source, &meta(), &posts, at(11))
        .await
        .expect("ingest");
    assert_eq!((again.new, again.updated, again.unchanged), (0, 0, 2));
    assert_eq!(store.count_posts(PostFilter::All).await.expect("count"), 2);
}

async fn a_guid_that_changes_every_fetch_with_a_stable_link_and_title_does_not_duplicate() {
    let (store, source, _dir) = store_with_source(None).await;
    for poll in 0..5u32 {
        let mut rotating = entry(&format!("urn:uuid:poll-{poll}"), "Steady", 2);
        rotating.link = Some("https://blog.example/steady".into());
        let posts = vec![tagged(rotating, &[]), tagged(entry("b", "Other", 3), &[])];
        let stats = store
            .ingest(source, &meta(), &posts, at(10 + poll))
            .await
            .expect("ingest");
        let expected_new = if poll == 0 { 2 } else { 0 };
        assert_eq!(stats.new, expected_new, "poll {poll}: {stats:?}");
    }
    assert_eq!(store.count_posts(PostFilter::All).await.expect("count"), 2);
}

async fn items_sharing_a_link_but_not_a_title_stay_apart() {
    let (store, source, _dir) = store_with_source(None).await;
    let mut posts = Vec::new();
    for (guid, title) in [("g1", "Monday"), ("g2", "Tuesday")] {
        let mut item = entry(guid, title, 2);
        item.link = Some("https://blog.example/".into());
        posts.push(tagged(item, &[]));
    }
    store
        .ingest(source, &meta(), &posts[..1], at(10))
        .await
        .expect("ingest");
    let stats = store
        .ingest(source, &meta(), &posts, at(11))
        .await
        .expect("ingest");
    assert_eq!(stats.new, 1, "{stats:?}");
    assert_eq!(store.count_posts(PostFilter::All).await.expect("count"), 2);
}

async fn a_post_dated_years_ahead_is_clamped_to_a_day_ahead_and_stays_put() {
    let (store, source, _dir) = store_with_source(None).await;
    let mut future = entry("f", "From the future", 2);
    future.published = Some(at(2) + chrono::TimeDelta::days(3650));
    let posts = vec![tagged(future, &[]), tagged(entry("b", "Today", 10), &[])];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let again = store
        .ingest(source, &meta(), &posts, at(12))
        .await
        .expect("ingest");
    assert_eq!((again.new, again.updated), (0, 0), "{again:?}");
    let dates = first_page(&store, |p| p.published.to_rfc3339()).await;
    assert_eq!(
        dates[0],
        (at(10) + chrono::TimeDelta::days(1)).to_rfc3339(),
        "{dates:?}"
    );
}

async fn a_changed_item_updates_in_place_keeping_first_seen() {
    let (store, source, _dir) = store_with_source(None).await;
    store
        .ingest(
            source,
            &meta(),
            &[tagged(entry("a", "First", 2), &[])],
            at(10),
        )
        .await
        .expect("ingest");
    let mut changed = entry("a", "First, revised", 2);
    changed.content_html = "<p>new words</p>".into();
    let stats = store
        .ingest(source, &meta(), &[tagged(changed, &[])], at(12))
        .await
        .expect("ingest");
    assert_eq!(stats.updated, 1);
    let page = Page::new(1, 10).expect("page");
    let posts = store.posts(PostFilter::All, page).await.expect("posts");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].title, "First, revised");
    assert_eq!(posts[0].content_html, "<p>new words</p>");
    assert_eq!(posts[0].first_seen, at(10));
    assert_eq!(posts[0].updated, Some(at(12)));
}

async fn listings_are_newest_first_and_filter_by_tag() {
    let (store, source, _dir) = store_with_source(None).await;
    let posts = vec![
        tagged(entry("old", "Old map", 2), &["map"]),
        tagged(entry("new", "New map", 9), &["map", "rust"]),
        tagged(entry("mid", "Middle", 5), &["rust"]),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let page = Page::new(1, 10).expect("page");
    let all = first_page(&store, |p| p.title).await;
    assert_eq!(all, ["New map", "Middle", "Old map"]);

    let map = store
        .tag_by_name("Map")
        .await
        .expect("lookup")
        .expect("map tag exists");
    assert_eq!((map.slug.as_str(), map.post_count), ("map", 2));
    let archive = store
        .posts(PostFilter::Tag(map.id), page)
        .await
        .expect("archive");
    let titles: Vec<_> = archive.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["New map", "Old map"]);
    let tag_names: Vec<_> = archive[0].tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tag_names, ["map", "rust"]);
    assert_eq!(
        store
            .count_posts(PostFilter::Tag(map.id))
            .await
            .expect("count"),
        2
    );

    let second = Page::new(2, 2).expect("page");
    let rest = store.posts(PostFilter::All, second).await.expect("page 2");
    assert_eq!(rest.len(), 1);
}

async fn attribution_falls_back_from_author_to_name_to_feed_title() {
    let (store, source, _dir) = store_with_source(None).await;
    let mut with_author = entry("a", "By someone", 2);
    with_author.author = Some("Ada".into());
    let posts = vec![
        tagged(with_author, &[]),
        tagged(entry("b", "Anonymous", 3), &[]),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let names = first_page(&store, |p| p.attribution).await;
    assert_eq!(names, ["Example Blog", "Ada"]);

    let spec = SourceSpec {
        url: "https://blog.example/feed.xml".into(),
        name: Some("Operator's Name".into()),
    };
    assert_eq!(
        store.upsert_source(&spec, at(11)).await.expect("rename"),
        source
    );
    let names = first_page(&store, |p| p.attribution).await;
    assert_eq!(names, ["Operator's Name", "Ada"]);
}

async fn a_failed_fetch_is_recorded_and_posts_stay() {
    let (store, source, _dir) = store_with_source(Some("Blog")).await;
    store
        .ingest(
            source,
            &meta(),
            &[tagged(entry("a", "Kept", 2), &[])],
            at(10),
        )
        .await
        .expect("ingest");
    store
        .record_fetch_failure(source, "not a feed", at(11))
        .await
        .expect("record");
    let sources = store.sources().await.expect("sources");
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].last_error.as_deref(), Some("not a feed"));
    assert_eq!(sources[0].post_count, 1);
    assert_eq!(sources[0].last_success, Some(at(10)));
}

async fn retag_replaces_automatic_tags_and_counts_changes() {
    let (store, source, _dir) = store_with_source(None).await;
    store
        .ingest(
            source,
            &meta(),
            &[tagged(entry("a", "Post", 2), &["map"])],
            at(10),
        )
        .await
        .expect("ingest");
    let batch = store
        .posts_for_tagging(PostId(0), 100)
        .await
        .expect("batch");
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].categories, ["notes"]);
    let new_tags = vec![TagAssignment {
        tag: "rust".into(),
        origin: TagOrigin::Term,
        detail: String::new(),
    }];
    let stats = store
        .apply_tags(&[(batch[0].id, new_tags)], at(11))
        .await
        .expect("apply");
    assert_eq!((stats.posts, stats.added, stats.removed), (1, 1, 1));
    let post = store
        .post(batch[0].id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        post.tags
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["rust"]
    );
}

async fn reopening_applies_no_migration_twice_and_keeps_data() {
    let (store, db) = fresh_store().await;
    store.sync_tags(&["map".into()], at(1)).await.expect("sync");
    store.close().await;
    let store = Store::open(db.url()).await.expect("reopen");
    assert_eq!(store.tags().await.expect("tags").len(), 1);
}

#[test]
fn passwords_never_reach_a_message() {
    assert_eq!(
        crate::redact("postgres://u:s3cret@db.example/planet"),
        "postgres://u:***@db.example/planet"
    );
    assert_eq!(
        crate::redact("postgres://db.example/planet?user=u&password=s3cret&sslmode=disable"),
        "postgres://db.example/planet?user=u&password=***&sslmode=disable"
    );
    assert_eq!(crate::redact("sqlite:///srv/a.db"), "sqlite:///srv/a.db");
}

#[tokio::test]
async fn unknown_database_schemes_are_refused_with_a_hint() {
    let err = Store::open("mysql://localhost/x")
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("sqlite://"), "{err}");
}

async fn concurrent_ingests_never_fail_with_database_is_locked() {
    let (store, _db) = fresh_store().await;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..8 {
        let store = store.clone();
        tasks.spawn(async move {
            let spec = SourceSpec {
                url: format!("https://blog{n}.example/feed"),
                name: None,
            };
            let source = store.upsert_source(&spec, at(1)).await?;
            for round in 0..5 {
                // Each blog's own links: the same link in two feeds would be one post.
                let posts: Vec<_> = (0..10)
                    .map(|i| {
                        let mut post = entry(&format!("{round}-{i}"), "A map", 2);
                        post.link = Some(format!("https://blog{n}.example/{round}-{i}"));
                        tagged(post, &["map"])
                    })
                    .collect();
                store.ingest(source, &meta(), &posts, at(10)).await?;
                // Reads before it writes: the case that failed while transactions began
                // deferred and another writer committed in between.
                let moved = format!("https://blog{n}.example/feed-{round}");
                store.record_moved(source, &moved, at(10)).await?;
            }
            Ok::<_, crate::StoreError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task")
            .expect("every concurrent ingest succeeds");
    }
    assert_eq!(
        store.count_posts(PostFilter::All).await.expect("count"),
        400
    );
}

crate::tests::on_both_engines!(
    refetching_the_same_feed_creates_nothing_new,
    a_guid_that_changes_every_fetch_with_a_stable_link_and_title_does_not_duplicate,
    items_sharing_a_link_but_not_a_title_stay_apart,
    a_post_dated_years_ahead_is_clamped_to_a_day_ahead_and_stays_put,
    a_changed_item_updates_in_place_keeping_first_seen,
    listings_are_newest_first_and_filter_by_tag,
    attribution_falls_back_from_author_to_name_to_feed_title,
    a_failed_fetch_is_recorded_and_posts_stay,
    retag_replaces_automatic_tags_and_counts_changes,
    reopening_applies_no_migration_twice_and_keeps_data,
    concurrent_ingests_never_fail_with_database_is_locked,
);
