//! Input that tests the edges of an engine: text PostgreSQL refuses, batches larger than one
//! statement may carry, posts too long for a search document, a server that is down.

use syndic_core::{FeedMeta, Page, PostId};

use super::{at, entry, meta, store_with_source, tagged};
use crate::{IncomingPost, PostFilter, Store};

async fn text_postgresql_refuses_is_cleaned_and_the_fetch_still_stores() {
    let (store, source, _db) = store_with_source(None).await;
    let mut dirty = entry("g\0uid", "A \0title", 2);
    dirty.link = Some("https://blog.example/\0a".into());
    dirty.author = Some("A\0da".into());
    dirty.content_html = "<p>body\0</p>".into();
    dirty.content_text = "body\0 text".into();
    dirty.categories = vec!["no\0tes".into()];
    dirty.language = Some("e\0n".into());
    let mut post = tagged(dirty, &["ma\0p"]);
    post.tags[0].detail = "\"ma\0p\" in title".into();
    let meta = FeedMeta {
        title: Some("Blog\0".into()),
        site_url: None,
        description: Some("\0".into()),
        deleted: Vec::new(),
    };
    let first = store
        .ingest(source, &meta, std::slice::from_ref(&post), at(10))
        .await
        .expect("stored, NULs dropped");
    assert_eq!(first.new, 1);
    let again = store
        .ingest(source, &meta, &[post], at(11))
        .await
        .expect("stored again");
    assert_eq!((again.new, again.updated, again.unchanged), (0, 0, 1));
    let stored = store.post(PostId(1)).await.expect("read").expect("post");
    assert_eq!(stored.guid, "guid");
    assert_eq!(stored.title, "A title");
    assert_eq!(stored.link.as_deref(), Some("https://blog.example/a"));
    assert_eq!(stored.attribution, "Ada");
    assert_eq!(stored.content_text, "body text");
    assert_eq!(stored.categories, ["notes"]);
    assert_eq!(stored.tags[0].slug, "map");
    let reasons = store.tag_reasons(PostId(1)).await.expect("reasons");
    assert_eq!(reasons[0].detail, "\"map\" in title");
    store
        .record_fetch_failure(source, "bad\0 byte", at(12))
        .await
        .expect("a failure with a NUL is recorded");
    let sources = store.sources().await.expect("sources");
    assert_eq!(sources[0].last_error.as_deref(), Some("bad byte"));
    assert_eq!(sources[0].name, "Blog");
}

async fn a_batch_larger_than_one_statement_is_stored_whole() {
    let (store, source, _db) = store_with_source(None).await;
    // More rows than one multi-row statement carries on either engine (11 values a post).
    let count = 6_000;
    for engine in [
        crate::engine::Engine::Sqlite,
        crate::engine::Engine::Postgres,
    ] {
        assert!(engine.rows_per_statement(11) < count as usize);
    }
    let mut posts: Vec<IncomingPost> = (0..count)
        .map(|n| {
            tagged(
                entry(&format!("p{n}"), &format!("Post {n}"), 2),
                &["map", "rust"],
            )
        })
        .collect();
    let stats = store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    assert_eq!(stats.new, count);
    for post in &mut posts {
        post.entry.content_html.push_str("<p>revised</p>");
        post.tags.truncate(1);
    }
    let stats = store
        .ingest(source, &meta(), &posts, at(11))
        .await
        .expect("ingest");
    assert_eq!((stats.new, stats.updated), (0, count));
    assert_eq!(
        store.count_posts(PostFilter::All).await.expect("count"),
        u64::from(count)
    );
    let rust = store.tag_by_slug("rust").await.expect("tag").expect("rust");
    let map = store.tag_by_slug("map").await.expect("tag").expect("map");
    assert_eq!((map.post_count, rust.post_count), (i64::from(count), 0));
    // Ids follow the feed's order.
    let last = store
        .post(PostId(i64::from(count)))
        .await
        .expect("read")
        .expect("post");
    assert_eq!(last.guid, format!("p{}", count - 1));
}

async fn a_post_too_long_for_a_search_document_is_stored_and_found() {
    let (store, source, _db) = store_with_source(None).await;
    // About 3 MB of distinct words: far more than a PostgreSQL tsvector holds (1 MB).
    let words: Vec<String> = (0..300_000).map(|n| format!("w{n:x}q")).collect();
    let mut long = entry("long", "A very long kelp post", 2);
    long.content_text = words.join(" ");
    long.content_html = format!("<p>{}</p>", long.content_text);
    store
        .ingest(source, &meta(), &[tagged(long, &[])], at(10))
        .await
        .expect("a long post is stored");
    store.index_search().await.expect("a long post is indexed");
    let query = crate::SearchQuery {
        text: "kelp".into(),
        ..crate::SearchQuery::default()
    };
    let page = Page::new(1, 10).expect("page");
    let (hits, total) = store.search(&query, page).await.expect("search");
    assert_eq!((total, hits.len()), (1, 1));
    assert!(store.search_index_in_step().await.expect("check"));
}

#[tokio::test]
async fn an_unreachable_server_fails_at_once_naming_it_without_its_password() {
    let error = Store::open("postgres://syndic:s3cret@127.0.0.1:1/planet")
        .await
        .expect_err("nothing listens on port 1");
    let shown = format!("{error}: {:?}", std::error::Error::source(&error));
    assert!(matches!(error, crate::StoreError::Open { .. }), "{shown}");
    assert!(shown.contains("127.0.0.1:1/planet"), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");
}

/// Workers starting together add the same new sources at once: each gets the one row.
async fn sources_added_at_once_by_several_processes_are_one_row_each() {
    let (store, _db) = super::fresh_store().await;
    let mut adding = tokio::task::JoinSet::new();
    for attempt in 0..16 {
        let store = store.clone();
        adding.spawn(async move {
            let spec = crate::SourceSpec {
                url: format!("https://race.example/{}.xml", attempt % 2),
                name: Some("Race".into()),
            };
            (attempt % 2, store.upsert_source(&spec, at(1)).await)
        });
    }
    let mut ids = [Vec::new(), Vec::new()];
    while let Some(joined) = adding.join_next().await {
        let (url, added) = joined.expect("the task ran");
        ids[url].push(added.expect("every add succeeds").0);
    }
    for same_url in &ids {
        assert_eq!(same_url.len(), 8);
        assert!(same_url.iter().all(|id| *id == same_url[0]), "{ids:?}");
    }
    assert_ne!(ids[0][0], ids[1][0]);
    let sources = store.sources().await.expect("sources");
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert_ne!(sources[0].slug, sources[1].slug, "one name, two slugs");
}

crate::tests::on_both_engines!(
    sources_added_at_once_by_several_processes_are_one_row_each,
    text_postgresql_refuses_is_cleaned_and_the_fetch_still_stores,
    a_batch_larger_than_one_statement_is_stored_whole,
    a_post_too_long_for_a_search_document_is_stored_and_found,
);

/// The schema version a store written by syndic 9 is at (before tag archive order, leases,
/// compressed bodies and tag learning: migrations 10 to 13).
const SYNDIC_9: i64 = 9;

/// A database as syndic 9 left it, on the running test's engine: two posts with their text
/// and HTML in plain columns (and, on PostgreSQL, their search documents), one tagged by
/// hand, the other with a tag removed by hand.
async fn a_store_written_by_syndic_9() -> crate::testing::TestDatabase {
    let (db, pool) = crate::tests::database_at_version("a syndic 9 store", SYNDIC_9).await;
    sqlx::raw_sql(
        "INSERT INTO sources (id, url, slug, created_at) VALUES (1, 'feed.xml', 'feed', 0);
         INSERT INTO posts (id, source_id, guid, title, published_at, first_seen_at,
             content_html, content_text)
         VALUES (1, 1, 'kelp', 'Kelp notes', 10, 10, '<p>Kelp grows <em>fast</em>.</p>',
                 'Kelp grows fast.'),
                (2, 1, 'tide', 'Tide notes', 20, 20, '', '');
         INSERT INTO tags (id, name, slug, created_at) VALUES (1, 'kelp', 'kelp', 0);
         INSERT INTO post_tags (post_id, tag_id, origin) VALUES (1, 1, 'manual');
         INSERT INTO tag_vetoes (post_id, tag_id, created_at) VALUES (2, 1, 30);",
    )
    .execute(&pool)
    .await
    .expect("syndic 9's rows");
    if crate::tests::engine() == crate::testing::TestEngine::Postgres {
        sqlx::raw_sql(
            "UPDATE posts SET search_vector = syndic_search_document(title, content_text)",
        )
        .execute(&pool)
        .await
        .expect("plain text search documents");
    }
    pool.close().await;
    db
}

async fn a_syndic_9_store_upgrades_through_compressed_bodies_and_tag_learning() {
    let db = a_store_written_by_syndic_9().await;
    let store = db.open().await;
    assert_eq!(
        store.schema_version().await.expect("version"),
        crate::migrate::latest()
    );
    let kelp = store.post(PostId(1)).await.expect("read").expect("post 1");
    assert_eq!(kelp.content_html, "<p>Kelp grows <em>fast</em>.</p>");
    assert_eq!(kelp.content_text, "Kelp grows fast.");
    let tide = store.post(PostId(2)).await.expect("read").expect("post 2");
    assert_eq!(
        (tide.content_html.as_str(), tide.content_text.as_str()),
        ("", "")
    );
    let query = crate::SearchQuery {
        text: "grow".into(),
        ..crate::SearchQuery::default()
    };
    let page = Page::new(1, 10).expect("page");
    let (hits, total) = store.search(&query, page).await.expect("search");
    assert_eq!(total, 1);
    assert_eq!(hits[0].snippet, "Kelp \u{1}grows\u{2} fast.");
    assert!(store.search_index_in_step().await.expect("check"));
    // Migration 13 takes both hand-made decisions as reviews.
    let reviewed: Vec<(i64, i64)> =
        sqlx::query_as("SELECT post_id, reviewed_at FROM tag_reviews ORDER BY post_id")
            .fetch_all(&store.pool)
            .await
            .expect("reviews");
    assert_eq!(reviewed, [(1, 0), (2, 30)]);
    let check = Store::check(db.url()).await.expect("check");
    assert!(check.is_healthy(), "{:#?}", check.problems);
}

crate::tests::on_both_engines!(
    a_syndic_9_store_upgrades_through_compressed_bodies_and_tag_learning
);
