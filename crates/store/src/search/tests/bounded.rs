//! Search's bound (at most [`MAX_CANDIDATES`] candidates read), phrases checked in Rust
//! over an index without positions, and stores indexed before migration 19.

use syndic_core::Page;

use super::{post, text, titles};
use crate::tests::{at, meta, store_with_source};
use crate::{MAX_CANDIDATES, SearchQuery, Store};

async fn results(store: &Store, query: &SearchQuery) -> crate::SearchResults {
    let page = Page::new(1, 10).expect("page");
    store
        .search_results(query, page)
        .await
        .expect("search never fails")
}

pub(super) async fn a_common_word_reads_at_most_the_cap_and_says_so() {
    let (store, source, _dir) = store_with_source(None).await;
    let old = post(
        "old",
        "An ancient note",
        "Kelp, and an ancient word.",
        1,
        &[],
    );
    let newer: Vec<_> = (0..MAX_CANDIDATES)
        .map(|n| post(&format!("p{n}"), "Note", "Kelp again.", 2, &[]))
        .collect();
    store
        .ingest(source, &meta(), &[old], at(3))
        .await
        .expect("ingest");
    store
        .ingest(source, &meta(), &newer, at(3))
        .await
        .expect("ingest");
    store.index_search().await.expect("index");

    let kelp = results(&store, &text("kelp")).await;
    assert!(
        kelp.capped,
        "{} candidates hold the word",
        MAX_CANDIDATES + 1
    );
    assert_eq!(kelp.total, MAX_CANDIDATES as u64);
    assert_eq!(kelp.hits.len(), 10);
    assert!(
        kelp.hits.iter().all(|hit| hit.post.title == "Note"),
        "the oldest post is past the newest {MAX_CANDIDATES} candidates"
    );
    // A rarer word reaches it, with an exact count.
    let ancient = results(&store, &text("ancient kelp")).await;
    assert!(!ancient.capped);
    assert_eq!(ancient.total, 1);
    assert_eq!(ancient.hits[0].post.title, "An ancient note");
}

pub(super) async fn a_phrase_matches_only_its_words_side_by_side() {
    let (store, source, _dir) = store_with_source(None).await;
    let posts = vec![
        post("a", "Dawn", "We walked to the tide pools at dawn.", 1, &[]),
        post(
            "b",
            "Dusk",
            "The pools filled with the tide at dusk.",
            2,
            &[],
        ),
        post("c", "Tide pools", "Nothing else.", 3, &[]),
    ];
    store
        .ingest(source, &meta(), &posts, at(4))
        .await
        .expect("ingest");
    store.index_search().await.expect("index");
    let mut found = titles(&store, &text(r#""tide pools""#)).await;
    found.sort();
    assert_eq!(found, ["Dawn", "Tide pools"]);
    // As plain words, both orders match, and the title match ranks first.
    let words = titles(&store, &text("tide pools")).await;
    assert_eq!(words.len(), 3);
    assert_eq!(words[0], "Tide pools");
}

#[tokio::test]
async fn a_store_indexed_before_migration_19_is_indexed_again_and_searched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v18.db");
    let v18 = crate::tests::sqlite_at_version(&path, 18).await;
    let body = crate::body::encode("Kelp forests at dawn.", "<p>Kelp forests at dawn.</p>");
    sqlx::raw_sql(
        "INSERT INTO sources (id, url, slug, created_at) VALUES (1, 'feed.xml', 'feed', 0);",
    )
    .execute(&v18)
    .await
    .expect("a v18 source");
    sqlx::query(
        "INSERT INTO posts (id, source_id, guid, title, published_at, first_seen_at, body)
         VALUES (1, 1, 'old', 'An old post', 0, 0, $1)",
    )
    .bind(body)
    .execute(&v18)
    .await
    .expect("a v18 post");
    // Indexed the version-18 way: full detail.
    sqlx::raw_sql(
        "INSERT INTO posts_fts (rowid, title, content_text)
             VALUES (1, 'An old post', 'Kelp forests at dawn.');",
    )
    .execute(&v18)
    .await
    .expect("a v18 index entry");
    v18.close().await;

    let store = Store::open_sqlite_path(&path).await.expect("migrate");
    assert_eq!(titles(&store, &text("kelp")).await, ["An old post"]);
    assert_eq!(
        titles(&store, &text(r#""kelp forests""#)).await,
        ["An old post"]
    );
    assert!(titles(&store, &text(r#""forests kelp""#)).await.is_empty());
    assert!(store.search_index_in_step().await.expect("check"));
}
