//! What readers see of posts the operator took down or holds back.

mod common;

use axum::http::StatusCode;
use syndic_core::{Actor, Admission, FeedEntry, FeedMeta, PostId};
use syndic_store::{IncomingPost, SourceSpec};

use common::{at, fixture, get};

const KELP: &str = "Notes on kelp forests";
const KELP_PAGE: &str = "/post/2/notes-on-kelp-forests/";

#[tokio::test]
async fn a_removed_post_answers_410_with_a_notice_and_leaves_every_listing_and_feed() {
    let fx = fixture(10).await;
    assert_eq!(get(&fx.app, KELP_PAGE).await.status, StatusCode::OK);
    fx.store()
        .remove_post(PostId(2), "the author asked", Actor::Cli, at(12))
        .await
        .expect("remove");
    let gone = get(&fx.app, KELP_PAGE).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(!gone.body.contains(KELP), "no content of the post");
    assert!(!gone.body.contains("half a metre"));
    assert!(
        !gone.body.contains("the author asked"),
        "the reason is not shown"
    );
    insta::assert_snapshot!(
        "removed_post_page",
        common::without_stylesheet_version(&gone.body)
    );
    for uri in [
        "/",
        "/feed.atom",
        "/feed.rss",
        "/feed.json",
        "/tag/ocean/",
        "/tag/ocean/feed.atom",
        "/source/tidepool-notes/",
        "/search?q=kelp",
    ] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(!reply.body.contains(KELP), "{uri} still shows the post");
    }
    let tags = get(&fx.app, "/tags/").await.body;
    assert!(tags.contains("ocean"));

    fx.store()
        .restore_post(PostId(2), Actor::Cli, at(13))
        .await
        .expect("restore");
    assert_eq!(get(&fx.app, KELP_PAGE).await.status, StatusCode::OK);
    assert!(get(&fx.app, "/feed.atom").await.body.contains(KELP));
}

#[tokio::test]
async fn a_post_held_for_review_is_not_found_until_approved() {
    let fx = fixture(10).await;
    let spec = SourceSpec {
        url: "https://held.example/feed".into(),
        name: Some("Held".into()),
    };
    let source = fx
        .store()
        .upsert_source(&spec, at(1))
        .await
        .expect("source");
    let entry = FeedEntry {
        guid: "held-1".into(),
        title: "Waiting for review".into(),
        link: Some("https://held.example/1".into()),
        author: None,
        published: Some(at(11)),
        updated: None,
        content_html: "<p>Held back.</p>".into(),
        content_text: "Held back.".into(),
        categories: Vec::new(),
        language: None,
        origin: None,
        enclosures: Vec::new(),
        original_links: Vec::new(),
    };
    let post = IncomingPost {
        entry,
        tags: Vec::new(),
        admission: Admission::Review,
        stems: Vec::new(),
    };
    fx.store()
        .ingest(source, &FeedMeta::default(), &[post], at(11))
        .await
        .expect("ingest");
    let held = fx.store().pending_posts(10).await.expect("pending");
    let id = held[0].id;
    let page = format!("/post/{id}/waiting-for-review/");
    assert_eq!(get(&fx.app, &page).await.status, StatusCode::NOT_FOUND);
    assert!(!get(&fx.app, "/").await.body.contains("Waiting for review"));
    let sources = fx.store().sources().await.expect("sources");
    let counted = sources
        .iter()
        .find(|s| s.name == "Held")
        .map(|s| s.post_count);
    assert_eq!(counted, Some(0), "a pending post is not counted");
    fx.store()
        .approve_posts(&[id], Actor::Admin, at(13))
        .await
        .expect("approve");
    assert_eq!(get(&fx.app, &page).await.status, StatusCode::OK);
    assert!(get(&fx.app, "/").await.body.contains("Waiting for review"));
}
