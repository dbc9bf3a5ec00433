//! The feed's own schedule hints (RSS `ttl`) outlive the body that brought them: a `304`
//! next time still honours them (HOSTILE-INPUTS C14).

mod server;

use std::sync::Arc;

use chrono::{Duration, Utc};
use server::{Reply, Request, Server, options};
use syndic_core::{FetchMetrics, ScheduleSettings};
use syndic_fetch::{Fetcher, Pipeline, SourceJob};
use syndic_store::{SourceSpec, Store};
use syndic_tag::Tagger;

const ETAG: &str = "\"v1\"";

/// An RSS feed with a three-hour `ttl` and a post every ten minutes: the posts alone
/// would have it fetched at the 15-minute minimum.
fn feed() -> String {
    let now = Utc::now();
    let items: String = (0..10)
        .map(|i| {
            let date = (now - Duration::minutes(10 * i)).to_rfc2822();
            format!(
                "<item><guid>urn:{i}</guid><title>Post {i}</title><pubDate>{date}</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Busy</title>\
         <ttl>180</ttl>{items}</channel></rss>"
    )
}

fn routes(request: &Request) -> Reply {
    if request.header("if-none-match") == Some(ETAG) {
        return Reply::ok("304 Not Modified", Vec::new());
    }
    Reply::ok(&format!("200 OK\r\nETag: {ETAG}"), feed())
}

#[tokio::test]
async fn a_304_still_honours_the_feeds_ttl() {
    let server = Server::start(routes).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite_path(&dir.path().join("hints.db"))
        .await
        .expect("store");
    let spec = SourceSpec {
        url: server.url("/feed"),
        name: None,
    };
    let id = store
        .upsert_source(&spec, Utc::now())
        .await
        .expect("source");
    let pipeline = Pipeline {
        fetcher: Fetcher::new(options()).expect("fetcher"),
        tagger: Arc::new(syndic_tag::SharedTagger::new(
            Tagger::new(&[]).expect("tagger"),
        )),
        store: store.clone(),
        schedule: ScheduleSettings::default(),
        metrics: Arc::new(FetchMetrics::default()),
        media: None,
        full_text: None,
        bodies: syndic_fetch::BodyGate::default(),
    };
    let job = SourceJob {
        id,
        location: server.location("/feed"),
        tags: Vec::new(),
        review: false,
        options: Default::default(),
    };

    let now = Utc::now();
    let first = pipeline.ingest_at(&job, now).await.expect("first fetch");
    assert!(!first.unchanged);
    assert!(first.next_fetch - now >= Duration::hours(3), "{first:?}");
    let state = store.fetch_state(id).await.expect("state");
    assert_eq!(state.hint, Some(Duration::hours(3)));

    let later = now + Duration::hours(3);
    let second = pipeline.ingest_at(&job, later).await.expect("second fetch");
    assert!(second.unchanged, "the server answered 304");
    assert!(
        second.next_fetch - later >= Duration::hours(3),
        "{second:?}"
    );
    let state = store.fetch_state(id).await.expect("state");
    assert_eq!(state.hint, Some(Duration::hours(3)), "a 304 keeps the hint");
}
