//! Bounded work per request, through the router: deep searches refused before any query,
//! and a saturated search budget answered `503` with `Retry-After` at once.

mod common;

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use chrono::Utc;
use common::{fixture, get, send};
use syndic_core::{FeedEntry, FeedMeta};
use syndic_store::{IncomingPost, SourceSpec};
use syndic_web::{MAX_SEARCH_PAGE, RequestLimits, router};

#[tokio::test]
async fn a_deep_search_is_refused_before_any_query() {
    let fx = fixture(10).await;
    // Without its search index the store fails every search (and answers everything
    // else): an answer other than 500 made no search query.
    syndic_store::testing::execute(fx.store(), "DROP TABLE posts_fts")
        .await
        .expect("no search index");
    for page in [MAX_SEARCH_PAGE + 1, 100_000] {
        let reply = get(&fx.app, &format!("/search?q=the&page={page}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "page {page}");
        assert!(
            reply
                .body
                .contains(&format!("as far as page {MAX_SEARCH_PAGE}")),
            "{}",
            reply.body
        );
    }
    let queried = get(&fx.app, &format!("/search?q=the&page={MAX_SEARCH_PAGE}")).await;
    assert_eq!(
        queried.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "this one queries"
    );
}

/// A store of `n` posts that all match "harbour", many times each, so that a search
/// reads and ranks them all.
async fn many_matches(n: usize) -> common::Fixture {
    let fx = fixture(10).await;
    let text = "The harbour pilot read the harbour charts by the harbour light. ".repeat(40);
    for chunk in 0..n / 250 {
        let spec = SourceSpec {
            url: format!("https://harbour{chunk}.example/feed.xml"),
            name: None,
        };
        let source = fx
            .store()
            .upsert_source(&spec, Utc::now())
            .await
            .expect("source");
        let posts: Vec<IncomingPost> = (0..250)
            .map(|i| IncomingPost {
                stems: Vec::new(),
                admission: Default::default(),
                entry: FeedEntry {
                    guid: format!("h-{chunk}-{i}"),
                    title: format!("Harbour log {chunk}-{i}"),
                    link: None,
                    author: None,
                    published: Some(Utc::now()),
                    updated: None,
                    content_html: format!("<p>{text}</p>"),
                    content_text: text.clone(),
                    categories: Vec::new(),
                    language: None,
                    origin: None,
                    enclosures: Vec::new(),
                    original_links: Vec::new(),
                },
                tags: Vec::new(),
            })
            .collect();
        let meta = FeedMeta {
            title: None,
            site_url: None,
            description: None,
            deleted: Vec::new(),
        };
        fx.store()
            .ingest(source, &meta, &posts, Utc::now())
            .await
            .expect("ingest");
    }
    fx.store().index_search().await.expect("index for search");
    fx
}

/// Eight searches at once through `app`; their statuses and `Retry-After` values.
async fn eight_searches(app: &Router) -> Vec<(StatusCode, Option<String>)> {
    let searches: Vec<_> = (0..8)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let path = format!("/search?q=harbour+pilot&page={}", 1 + i % 3);
                let reply = send(&app, "GET", &path, &[]).await;
                (reply.status, reply.header("retry-after").map(str::to_owned))
            })
        })
        .collect();
    let mut answers = Vec::new();
    for search in searches {
        answers.push(search.await.expect("join"));
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_beyond_the_budget_are_answered_503_with_retry_after() {
    let fx = many_matches(2000).await;
    let limits = RequestLimits {
        search_concurrency: 1,
        search_wait: Duration::ZERO,
        ..RequestLimits::default()
    };
    let app = router(fx.state.clone().with_limits(limits));
    // Eight searches at once against a budget of one: some wait for none and are turned
    // away (several rounds, in case a machine runs them one after another).
    let mut answers = Vec::new();
    for _ in 0..10 {
        answers.extend(eight_searches(&app).await);
        if answers.iter().any(|(status, _)| *status != StatusCode::OK) {
            break;
        }
    }
    for (status, retry_after) in &answers {
        match *status {
            StatusCode::OK => {}
            StatusCode::SERVICE_UNAVAILABLE => assert_eq!(retry_after.as_deref(), Some("5")),
            other => panic!("a search answered {other}"),
        }
    }
    let busy = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert!(busy > 0, "no search was turned away: {answers:?}");
    assert!(busy < answers.len(), "some searches ran: {answers:?}");
    // Pages keep their connections meanwhile, and the budget frees up afterwards.
    assert_eq!(get(&app, "/tag/map/").await.status, StatusCode::OK);
    assert_eq!(get(&app, "/search?q=harbour").await.status, StatusCode::OK);
}
