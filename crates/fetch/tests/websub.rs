//! `Pipeline::ingest_pushed` stores what a WebSub hub pushed like a fetched body, and
//! leaves the fetch state (validators, body hash, next poll) alone.

use std::sync::Arc;

use syndic_core::{FetchMetrics, ScheduleSettings};
use syndic_fetch::{Fetcher, FetcherOptions, Location, Pipeline, SourceJob};
use syndic_store::{SourceSpec, Store};
use syndic_tag::Tagger;

const PUSHED: &str = r#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Pushed</title><id>urn:pushed</id>
<updated>2026-03-02T10:00:00Z</updated>
<entry><id>urn:a</id><title>Fresh from the hub</title><updated>2026-03-02T10:00:00Z</updated>
<link href="/posts/a"/><content type="html">&lt;p&gt;Hello&lt;/p&gt;</content></entry>
</feed>"#;

#[tokio::test]
async fn a_pushed_body_is_stored_and_the_fetch_state_is_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite_path(&dir.path().join("push.db"))
        .await
        .expect("store");
    let url = "https://blog.example/feed.atom";
    let spec = SourceSpec {
        url: url.into(),
        name: None,
    };
    let id = store
        .upsert_source(&spec, chrono::Utc::now())
        .await
        .expect("source");
    let metrics = Arc::new(FetchMetrics::default());
    let pipeline = Pipeline {
        fetcher: Fetcher::new(FetcherOptions::default()).expect("fetcher"),
        tagger: Arc::new(syndic_tag::SharedTagger::new(
            Tagger::new(&[]).expect("tagger"),
        )),
        store: store.clone(),
        schedule: ScheduleSettings::default(),
        metrics: Arc::clone(&metrics),
        media: None,
        full_text: None,
        bodies: syndic_fetch::BodyGate::default(),
    };
    let job = SourceJob {
        id,
        location: Location::Http(url.parse().expect("url")),
        tags: vec!["pushed".into()],
        review: false,
        options: Default::default(),
    };
    let before = store.fetch_state(id).await.expect("state");

    let stats = pipeline
        .ingest_pushed(&job, PUSHED.as_bytes().to_vec())
        .await
        .expect("ingest");
    assert_eq!(stats.new, 1);
    let again = pipeline
        .ingest_pushed(&job, PUSHED.as_bytes().to_vec())
        .await
        .expect("ingest again");
    assert_eq!((again.new, again.updated), (0, 0));

    let posts = store
        .posts(
            syndic_store::PostFilter::Source(id),
            syndic_core::Page::new(1, 10).expect("page"),
        )
        .await
        .expect("posts");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].title, "Fresh from the hub");
    assert_eq!(
        posts[0].link.as_deref(),
        Some("https://blog.example/posts/a")
    );
    // A push is a success of the source (last success), but no poll: validators, body
    // hash and the next fetch stay as they were.
    let after = store.fetch_state(id).await.expect("state");
    assert!(after.last_success.is_some());
    assert_eq!(
        syndic_store::FetchState {
            last_success: before.last_success,
            ..after
        },
        before
    );
    assert!(metrics.render(&[]).contains("syndic_posts_new_total 1"));
}

#[tokio::test]
async fn a_pushed_body_that_is_no_feed_is_an_error_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite_path(&dir.path().join("push.db"))
        .await
        .expect("store");
    let spec = SourceSpec {
        url: "https://blog.example/feed.atom".into(),
        name: None,
    };
    let id = store
        .upsert_source(&spec, chrono::Utc::now())
        .await
        .expect("source");
    let pipeline = Pipeline {
        fetcher: Fetcher::new(FetcherOptions::default()).expect("fetcher"),
        tagger: Arc::new(syndic_tag::SharedTagger::new(
            Tagger::new(&[]).expect("tagger"),
        )),
        store: store.clone(),
        schedule: ScheduleSettings::default(),
        metrics: Arc::default(),
        media: None,
        full_text: None,
        bodies: syndic_fetch::BodyGate::default(),
    };
    let job = SourceJob {
        id,
        location: Location::Http("https://blog.example/feed.atom".parse().expect("url")),
        tags: Vec::new(),
        review: false,
        options: Default::default(),
    };
    let before = store.fetch_state(id).await.expect("state");
    assert!(
        pipeline
            .ingest_pushed(&job, b"not a feed".to_vec())
            .await
            .is_err()
    );
    assert_eq!(store.fetch_state(id).await.expect("state"), before);
}
