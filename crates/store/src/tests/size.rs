//! The size benchmark's measures (`testing::store_size`, `testing::index_variant_bytes`).

use super::{at, entry, meta, on_both_engines, store_with_source, tagged};
use crate::testing::{IndexVariant, TestEngine, index_variant_bytes, store_size};

on_both_engines!(
    a_store_is_measured_object_by_object,
    an_index_variant_is_measured_and_dropped
);

async fn a_store_is_measured_object_by_object() {
    let (store, source, _db) = store_with_source(None).await;
    let mut long = entry("long", "Kelp forests", 2);
    long.content_text = "kelp grows half a metre a day ".repeat(300);
    long.content_html = format!("<p>{}</p>", long.content_text);
    let posts = [
        tagged(long, &["kelp"]),
        tagged(entry("short", "Tides", 3), &[]),
    ];
    store
        .ingest(source, &meta(), &posts, at(4))
        .await
        .expect("ingest");
    store.index_search().await.expect("index");
    crate::testing::checkpoint(&store)
        .await
        .expect("checkpoint");
    let size = store_size(&store).await.expect("size");
    assert_eq!(size.posts, 2);
    // The long body is compressed: far fewer bytes than its text alone.
    assert!(
        size.body_bytes > 0 && size.body_bytes < 9_000 / 4,
        "{size:?}"
    );
    let names: Vec<&str> = size.objects.iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.contains(&"posts"), "{names:?}");
    let index = match crate::tests::engine() {
        TestEngine::Sqlite => "posts_fts_data",
        TestEngine::Postgres => "search_documents",
    };
    assert!(names.contains(&index), "{names:?}");
    assert_eq!(
        size.total(),
        size.objects.iter().map(|(_, b)| b).sum::<u64>()
    );
}

async fn an_index_variant_is_measured_and_dropped() {
    let (store, _source, _db) = store_with_source(None).await;
    let text = "tide pools hold anemones and crabs ".repeat(50);
    let posts: Vec<(i64, String, String)> = (1..=20)
        .map(|id| (id, format!("Tide pool {id}"), text.clone()))
        .collect();
    let (full, smaller) = match crate::tests::engine() {
        TestEngine::Sqlite => (
            IndexVariant::Fts5(""),
            IndexVariant::Fts5(", detail = none"),
        ),
        TestEngine::Postgres => (
            IndexVariant::Tsvector("to_tsvector('english', title || ' ' || body)"),
            IndexVariant::Tsvector("strip(to_tsvector('english', title || ' ' || body))"),
        ),
    };
    let full_bytes = index_variant_bytes(&store, full, &posts)
        .await
        .expect("full");
    // The table went: building a second one under the same name works.
    let smaller_bytes = index_variant_bytes(&store, smaller, &posts)
        .await
        .expect("smaller");
    assert!(full_bytes > 0 && smaller_bytes > 0);
    let names: Vec<String> = store_size(&store)
        .await
        .expect("size")
        .objects
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(!names.iter().any(|n| n.starts_with("lever_")), "{names:?}");
}
