//! Full text on both engines: posts queued and due, a page text replacing the feed's
//! (a revision kept, search and tags following, the feed's digest remembered for the next
//! fetch), a failure recorded with its next try, a page text never demoted by a later
//! failure, and queued again once an upstream edit wrote the feed's text over it.

use syndic_core::{PostId, SourceId, TagAssignment, TagOrigin};

use crate::tests::{at, entry, meta, store_with_source, tagged};
use crate::{FullTextOutcome, FullTextState, SearchQuery, Store, content_digest};

const PAGE_TEXT: &str = "The whole article about compost heaps, turned every week.";

/// Stores posts "a" and "b" of `source` with a short summary; their ids.
async fn summaries(store: &Store, source: SourceId) -> Vec<PostId> {
    let posts: Vec<_> = ["a", "b"]
        .iter()
        .map(|guid| {
            let mut post = entry(guid, &format!("Post {guid}"), 2);
            post.content_text = "A summary.".into();
            post.content_html = "<p>A summary.</p>".into();
            tagged(post, &["garden"])
        })
        .collect();
    store
        .ingest(source, &meta(), &posts, at(2))
        .await
        .expect("ingest");
    store
        .post_ids_by_guid(source, &["a", "b"])
        .await
        .expect("ids")
}

fn page(post: PostId) -> FullTextOutcome {
    FullTextOutcome::Page {
        post,
        url: "https://blog.example/a".into(),
        html: format!("<p>{PAGE_TEXT}</p>"),
        text: PAGE_TEXT.into(),
        tags: vec![TagAssignment {
            tag: "compost".into(),
            origin: TagOrigin::Term,
            detail: "term compost".into(),
        }],
        feed_digest: content_digest("<p>A summary.</p>"),
        feed_words: 2,
    }
}

async fn queued_posts_are_due_once_and_a_failure_waits_for_its_next_try() {
    let (store, source, _db) = store_with_source(None).await;
    let ids = summaries(&store, source).await;
    store
        .queue_full_text(&ids, false, at(3))
        .await
        .expect("queue");
    assert_eq!(
        store.full_text_due(source, at(2), 10).await.expect("due"),
        []
    );
    assert_eq!(
        store.full_text_due(source, at(3), 10).await.expect("due"),
        ids
    );
    let failed = FullTextOutcome::Failed {
        post: ids[1],
        url: Some("https://blog.example/b".into()),
        reason: "the site's robots.txt disallows it".into(),
        retry_at: Some(at(5)),
    };
    store
        .record_full_text(&[page(ids[0]), failed], at(3))
        .await
        .expect("record");
    assert_eq!(
        store.full_text_due(source, at(4), 10).await.expect("due"),
        []
    );
    assert_eq!(
        store.full_text_due(source, at(5), 10).await.expect("due"),
        [ids[1]]
    );
    let origin = store
        .content_origin(ids[1])
        .await
        .expect("origin")
        .expect("recorded");
    assert_eq!(origin.state, FullTextState::Failed);
    assert_eq!(origin.failures, 1);
    assert!(origin.reason.contains("robots.txt"));
    // Queueing only unrecorded posts leaves the failure's wait alone.
    store
        .queue_full_text(&ids, true, at(4))
        .await
        .expect("queue");
    assert_eq!(
        store.full_text_due(source, at(4), 10).await.expect("due"),
        []
    );
}

async fn a_page_text_replaces_the_feed_text_like_an_edit() {
    let (store, source, _db) = store_with_source(None).await;
    let ids = summaries(&store, source).await;
    store
        .record_full_text(&[page(ids[0])], at(3))
        .await
        .expect("record");
    let versions = store.post_versions(ids[0]).await.expect("versions");
    assert_eq!(versions.len(), 2, "the summary is kept as a revision");
    assert_eq!(versions[0].content_text, "A summary.");
    assert_eq!(versions[1].content_text, PAGE_TEXT);
    let origin = store.content_origin(ids[0]).await.expect("origin");
    let origin = origin.expect("recorded");
    assert_eq!(origin.state, FullTextState::Page);
    assert_eq!(origin.page_url.as_deref(), Some("https://blog.example/a"));
    assert_eq!(origin.checked_at, Some(at(3)));
    // The next fetch finds the page text under the feed's digest.
    let kept = store.page_texts(source, &["a", "b"]).await.expect("pages");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].guid, "a");
    assert_eq!(kept[0].feed_digest, content_digest("<p>A summary.</p>"));
    assert_eq!(kept[0].text, PAGE_TEXT);
    // Tags and search follow the new text.
    let tags = store.tag_reasons(ids[0]).await.expect("tags");
    assert!(tags.iter().any(|t| t.tag.name == "compost"), "{tags:?}");
    store.index_search().await.expect("index");
    let query = SearchQuery {
        text: "heaps".into(),
        ..SearchQuery::default()
    };
    let (hits, _) = store
        .search(&query, syndic_core::Page::new(1, 10).expect("page"))
        .await
        .expect("search");
    assert_eq!(hits.len(), 1);
    // The same page text again changes nothing: no new version.
    store
        .record_full_text(&[page(ids[0])], at(4))
        .await
        .expect("record");
    assert_eq!(store.version_count(ids[0]).await.expect("count"), 2);
}

async fn a_later_failure_never_demotes_a_page_text() {
    let (store, source, _db) = store_with_source(None).await;
    let ids = summaries(&store, source).await;
    store
        .record_full_text(&[page(ids[0])], at(3))
        .await
        .expect("record");
    let failed = FullTextOutcome::Failed {
        post: ids[0],
        url: Some("https://blog.example/a".into()),
        reason: "the server answered HTTP 500".into(),
        retry_at: Some(at(5)),
    };
    store
        .record_full_text(&[failed], at(4))
        .await
        .expect("record");
    let origin = store.content_origin(ids[0]).await.expect("origin");
    assert_eq!(origin.expect("recorded").state, FullTextState::Page);
    assert_eq!(
        store.full_text_due(source, at(9), 10).await.expect("due"),
        []
    );
    assert_eq!(store.content_origin(ids[1]).await.expect("origin"), None);
    // An edit upstream wrote the feed's text over it: queued again, no page text kept.
    store
        .queue_full_text(&ids[..1], false, at(5))
        .await
        .expect("queue");
    let origin = store.content_origin(ids[0]).await.expect("origin");
    assert_eq!(origin.expect("recorded").state, FullTextState::Pending);
    assert_eq!(store.page_texts(source, &["a"]).await.expect("pages"), []);
}

/// One call records a page, a kept text and failures together; a post named twice ends
/// as its last outcome says, and a failure after a failure counts two.
async fn one_call_records_every_kind_of_outcome_and_a_post_s_last_one_wins() {
    let (store, source, _db) = store_with_source(None).await;
    let ids = summaries(&store, source).await;
    let failed = |post| FullTextOutcome::Failed {
        post,
        url: None,
        reason: "the page did not answer".into(),
        retry_at: Some(at(5)),
    };
    store
        .record_full_text(&[failed(ids[1])], at(3))
        .await
        .expect("record");
    let kept = FullTextOutcome::Kept {
        post: ids[0],
        url: "https://blog.example/a".into(),
        reason: "not clearly longer".into(),
    };
    store
        .record_full_text(&[kept, failed(ids[1]), page(ids[0])], at(4))
        .await
        .expect("record");
    let first = store.content_origin(ids[0]).await.expect("origin");
    assert_eq!(first.map(|o| o.state), Some(FullTextState::Page));
    let second = store
        .content_origin(ids[1])
        .await
        .expect("origin")
        .expect("recorded");
    assert_eq!((second.state, second.failures), (FullTextState::Failed, 2));
}

crate::tests::on_both_engines!(
    one_call_records_every_kind_of_outcome_and_a_post_s_last_one_wins,
    queued_posts_are_due_once_and_a_failure_waits_for_its_next_try,
    a_page_text_replaces_the_feed_text_like_an_edit,
    a_later_failure_never_demotes_a_page_text,
);
