//! Body dictionaries (migration 27, `body/dictionary.rs`, `body/upkeep.rs`): trained on
//! the store's own posts, used from `usable_from`, older bodies rewritten with the same
//! text and HTML, on both engines and for a store made before migration 27.

use std::time::Duration;

use syndic_core::{Page, PostId};

use super::{at, engine, entry, meta, on_both_engines, tagged};
use crate::body::upkeep::TRAIN_AFTER;
use crate::testing::{TestDatabase, body_formats, settle_bodies};
use crate::{SearchQuery, SourceSpec, Store, StoreOptions};

on_both_engines!(
    a_trained_dictionary_rewrites_bodies_and_changes_no_post,
    a_dictionary_is_not_used_before_its_grace_ends,
    posts_too_short_to_learn_from_make_no_dictionary_and_no_retries
);

const WORDS: &[&str] = &[
    "kelp", "tide", "anemone", "harbour", "current", "reef", "gull", "salt", "shore", "drift",
    "plankton", "estuary", "lagoon", "breaker", "pier", "spray", "otter", "urchin", "wrack",
];

/// A post of a few hundred pseudo-random words in some markup: unlike every other post,
/// so that merging keeps them apart and zstd has something to learn.
fn varied_entry(n: usize) -> syndic_core::FeedEntry {
    let mut state = n as u64 * 2_654_435_761 + 1;
    let mut words = Vec::new();
    for _ in 0..(150 + n % 200) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        words.push(WORDS[(state % WORDS.len() as u64) as usize]);
    }
    let text = words.join(" ");
    let mut post = entry(
        &format!("post-{n}"),
        &format!("Notes {n} on {}", words[0]),
        2,
    );
    post.content_html = format!("<p class=\"body\">{text}</p><p><a href=\"/n/{n}\">more</a></p>");
    post.content_text = format!("{text}\n\nmore");
    post
}

async fn store_with(options: &StoreOptions) -> (Store, TestDatabase) {
    let db = TestDatabase::new(engine(), "body dictionaries").expect("run checked the engine");
    let store = Store::open_with(db.url(), options).await.expect("open");
    (store, db)
}

const AT_ONCE: StoreOptions = StoreOptions {
    pool_size: None,
    statement_timeout: None,
    keep_revisions: None,
    dictionary_grace: Some(Duration::ZERO),
};

async fn ingest_varied(store: &Store, posts: std::ops::Range<usize>) {
    let spec = SourceSpec {
        url: "https://blog.example/feed.xml".into(),
        name: None,
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    let batch: Vec<_> = posts.map(|n| tagged(varied_entry(n), &[])).collect();
    for chunk in batch.chunks(250) {
        store
            .ingest(source, &meta(), chunk, at(3))
            .await
            .expect("ingest");
    }
}

/// Every post's text and HTML, by id.
async fn contents(store: &Store) -> Vec<(i64, String, String)> {
    let mut out = Vec::new();
    for id in 1..=(TRAIN_AFTER + 10) {
        if let Some(post) = store.post(PostId(id)).await.expect("post") {
            out.push((id, post.content_text, post.content_html));
        }
    }
    out
}

async fn found(store: &Store, text: &str) -> (u64, Vec<i64>) {
    let query = SearchQuery {
        text: text.into(),
        ..Default::default()
    };
    let page = Page::new(1, 20).expect("a page");
    let results = store.search_results(&query, page).await.expect("search");
    let ids = results.hits.iter().map(|hit| hit.post.id.0).collect();
    (results.total, ids)
}

/// All `posts` bodies are there, nearly all made with the dictionary (a body is rewritten
/// only when that makes it smaller, which a few highly repetitive test posts are not).
async fn assert_mostly_rewritten(store: &Store, posts: u64) {
    let formats = body_formats(store).await.expect("formats");
    assert_eq!(
        formats.iter().map(|(_, n)| n).sum::<u64>(),
        posts,
        "{formats:?}"
    );
    let with_dictionary = formats.iter().find(|(f, _)| *f == 2).map_or(0, |(_, n)| *n);
    assert!(with_dictionary * 10 >= posts * 9, "{formats:?}");
    assert!(
        formats.iter().all(|(f, _)| [1, 2].contains(f)),
        "{formats:?}"
    );
}

async fn a_trained_dictionary_rewrites_bodies_and_changes_no_post() {
    let (store, db) = store_with(&AT_ONCE).await;
    let posts = usize::try_from(TRAIN_AFTER).expect("small");
    ingest_varied(&store, 0..posts).await;
    let before = contents(&store).await;
    assert_eq!(before.len(), posts);
    assert_eq!(
        body_formats(&store).await.expect("formats"),
        [(1, TRAIN_AFTER as u64)]
    );

    // The indexing pass trains the dictionary and rewrites every older body with it.
    store.index_search().await.expect("index");
    let search_before = found(&store, "kelp reef").await;
    assert_eq!(
        settle_bodies(&store).await.expect("settle"),
        0,
        "one pass did all"
    );
    assert_mostly_rewritten(&store, TRAIN_AFTER as u64).await;
    assert_eq!(contents(&store).await, before);
    assert_eq!(found(&store, "kelp reef").await, search_before);
    assert!(store.search_index_in_step().await.expect("check"));

    // New posts are made with it at ingest; another handle (another process) reads them.
    ingest_varied(&store, posts..posts + 5).await;
    assert_mostly_rewritten(&store, TRAIN_AFTER as u64 + 5).await;
    let all = contents(&store).await;
    let other = Store::open(db.url()).await.expect("another handle");
    assert_eq!(contents(&other).await, all);

    // A store of its own in the same process does not use this store's dictionary.
    let (fresh, _fresh_db) = store_with(&AT_ONCE).await;
    ingest_varied(&fresh, 0..3).await;
    assert_eq!(body_formats(&fresh).await.expect("formats"), [(1, 3)]);
}

async fn a_dictionary_is_not_used_before_its_grace_ends() {
    let (store, _db) = store_with(&StoreOptions::default()).await;
    let posts = usize::try_from(TRAIN_AFTER).expect("small");
    ingest_varied(&store, 0..posts).await;
    store.index_search().await.expect("index");
    let trained: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM body_dictionaries")
        .fetch_one(&store.pool)
        .await
        .expect("count");
    assert_eq!(trained, 1);
    ingest_varied(&store, posts..posts + 2).await;
    // Trained, but nothing encoded with it yet: other processes may not know it.
    assert_eq!(
        body_formats(&store).await.expect("formats"),
        [(1, TRAIN_AFTER as u64 + 2)]
    );
    assert!(store.dictionaries.current().is_none());
}

#[tokio::test]
async fn a_store_made_before_migration_27_gets_its_bodies_rewritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v26.db");
    let v26 = crate::tests::sqlite_at_version(&path, 26).await;
    sqlx::raw_sql(
        "INSERT INTO sources (id, url, slug, created_at) VALUES (1, 'feed.xml', 'feed', 0);",
    )
    .execute(&v26)
    .await
    .expect("a v26 source");
    let mut expected = Vec::new();
    for n in 0..usize::try_from(TRAIN_AFTER).expect("small") {
        let post = varied_entry(n);
        let body = crate::body::encode(&post.content_text, &post.content_html);
        sqlx::query(
            "INSERT INTO posts (id, source_id, guid, title, published_at, first_seen_at, body)
             VALUES ($1, 1, $2, $3, 0, 0, $4)",
        )
        .bind(n as i64 + 1)
        .bind(post.guid.clone())
        .bind(post.title.clone())
        .bind(body)
        .execute(&v26)
        .await
        .expect("a v26 post");
        expected.push((n as i64 + 1, post.content_text, post.content_html));
    }
    v26.close().await;

    // Opening migrates, and its indexing pass trains and rewrites.
    let store = Store::open_sqlite_path_with(&path, &AT_ONCE)
        .await
        .expect("migrate");
    assert_eq!(
        store.schema_version().await.expect("version"),
        crate::current_schema_version()
    );
    assert_mostly_rewritten(&store, TRAIN_AFTER as u64).await;
    assert_eq!(contents(&store).await, expected);
    store.close().await;
    let again = Store::open_sqlite_path(&path).await.expect("reopen");
    assert_eq!(contents(&again).await, expected);
}

async fn posts_too_short_to_learn_from_make_no_dictionary_and_no_retries() {
    let (store, _db) = store_with(&AT_ONCE).await;
    let spec = SourceSpec {
        url: "https://blog.example/feed.xml".into(),
        name: None,
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    let batch: Vec<_> = (0..TRAIN_AFTER)
        .map(|n| tagged(entry(&format!("t{n}"), &format!("Tide {n}"), 2), &[]))
        .collect();
    for chunk in batch.chunks(250) {
        store
            .ingest(source, &meta(), chunk, at(3))
            .await
            .expect("ingest");
    }
    store.index_search().await.expect("index");
    let trained: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM body_dictionaries")
        .fetch_one(&store.pool)
        .await
        .expect("count");
    assert_eq!(trained, 0);
    assert!(
        store
            .dictionaries
            .gave_up_training
            .load(std::sync::atomic::Ordering::Relaxed)
    );
    assert_eq!(
        body_formats(&store).await.expect("formats"),
        [(0, TRAIN_AFTER as u64)]
    );
}
