//! Ingests with posts prepared beforehand (`ingest/prepare.rs`): the same store as an
//! ingest that computes everything under the write lock, and only the source's new guids
//! prepared.

use syndic_core::{FeedEntry, Page, PostId};

use super::{at, entry, meta, on_both_engines, store_with_source, tagged};
use crate::fetch_state::tests::record;
use crate::{IncomingPost, PostFilter, PreparedPosts, Store};

on_both_engines!(
    a_prepared_ingest_stores_what_an_unprepared_one_does,
    only_guids_the_source_lacks_are_prepared
);

fn long_entry(guid: &str, title: &str, day: u32) -> FeedEntry {
    let mut post = entry(guid, title, day);
    let words = format!("{title} reef tide kelp harbour gull {guid} ").repeat(12);
    post.content_text = format!("{words}\n\nmore");
    post.content_html = format!("<p>{words}</p><p>more</p>");
    post
}

/// Every post's title, link, text and HTML, as the home listing and the post page read
/// them, oldest first.
async fn contents(store: &Store) -> Vec<(String, Option<String>, String, String)> {
    let page = Page::new(1, 50).expect("page");
    let mut ids: Vec<PostId> = store
        .posts(PostFilter::All, page)
        .await
        .expect("posts")
        .iter()
        .map(|post| post.id)
        .collect();
    ids.sort();
    let mut found = Vec::new();
    for id in ids {
        let post = store.post(id).await.expect("post").expect("stored");
        found.push((post.title, post.link, post.content_text, post.content_html));
    }
    found
}

async fn ingest_both_ways(posts: &[IncomingPost], again: &[IncomingPost]) {
    let (plain, plain_source, _plain_db) = store_with_source(None).await;
    let (prepared, prepared_source, _prepared_db) = store_with_source(None).await;
    for (round, batch) in [posts, again].into_iter().enumerate() {
        let now = at(10 + round as u32);
        let rec = record(None, None, &format!("h{round}"), at(20));
        let expected = plain
            .outcomes(plain_source)
            .ingest_fetch_changes(&meta(), batch, &rec, now)
            .await
            .expect("plain ingest");
        let guids = batch.iter().map(|post| post.entry.guid.as_str());
        let stored = prepared
            .stored_guids(prepared_source, guids)
            .await
            .expect("stored guids");
        let ready = prepared.prepare_posts(batch, &stored);
        let got = prepared
            .outcomes(prepared_source)
            .ingest_fetch_prepared(&meta(), batch, ready, &rec, now)
            .await
            .expect("prepared ingest");
        assert_eq!(got, expected, "round {round}");
    }
    assert_eq!(contents(&prepared).await, contents(&plain).await);
    assert_eq!(
        prepared.search_index_in_step().await.expect("check"),
        plain.search_index_in_step().await.expect("check")
    );
}

async fn a_prepared_ingest_stores_what_an_unprepared_one_does() {
    let first: Vec<IncomingPost> = (0..5)
        .map(|n| {
            tagged(
                long_entry(&format!("p{n}"), &format!("Post {n}"), 2),
                &["map"],
            )
        })
        .collect();
    // Then: one edited, one new, one repeated (an entry repeating a guid of the batch).
    let mut second = first.clone();
    second[1].entry.content_text = "edited reef tide text".into();
    second[1].entry.content_html = "<p>edited reef tide text</p>".into();
    second.push(tagged(long_entry("p9", "Post nine", 3), &[]));
    second.push(tagged(long_entry("p9", "Post nine again", 3), &[]));
    ingest_both_ways(&first, &second).await;
}

async fn only_guids_the_source_lacks_are_prepared() {
    let (store, source, _db) = store_with_source(None).await;
    let first = vec![tagged(long_entry("a", "Alpha", 2), &[])];
    store
        .ingest(source, &meta(), &first, at(10))
        .await
        .expect("ingest");
    let batch = vec![
        tagged(long_entry("a", "Alpha", 2), &[]),
        tagged(long_entry("b\0", "Beta", 3), &[]),
    ];
    let guids = batch.iter().map(|post| post.entry.guid.as_str());
    let stored = store.stored_guids(source, guids).await.expect("guids");
    assert_eq!(stored, ["a".to_owned()].into_iter().collect());
    let prepared = store.prepare_posts(&batch, &stored);
    assert_eq!(prepared.len(), 1, "only b, new");
    assert!(PreparedPosts::none().is_empty());
}
