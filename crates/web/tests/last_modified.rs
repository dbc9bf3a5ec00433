//! `Last-Modified` from the store's change clock on every page and feed, and
//! `If-Modified-Since` answered with it: `304` until a write changes the site.

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use common::{Fixture, RawReply, fixture, next_second, send};
use syndic_core::{FeedEntry, FeedMeta, PostId, TagAssignment, TagOrigin};
use syndic_store::IncomingPost;

/// Every store-backed route that answers `200` over the fixture.
const STORE_PAGES: &[&str] = &[
    "/",
    "/page/2/",
    "/?page=2",
    "/tag/map/",
    "/tag/map/page/2/",
    "/tag/travel/",
    "/post/4/rendering-vector-maps-in-rust/",
    "/source/tidepool-notes/",
    "/tags/",
    "/tags/?sort=count",
    "/sources/",
    "/search",
    "/search?q=map",
    "/feed.atom",
    "/feed.rss",
    "/feed.json",
    "/tag/map/feed.rss",
    "/source/tidepool-notes/feed.json",
    "/sources.opml",
];

fn http_date(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn parse_http_date(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc2822(text)
        .expect("an HTTP date")
        .with_timezone(&Utc)
}

fn last_modified(reply: &RawReply, what: &str) -> String {
    reply
        .header("last-modified")
        .unwrap_or_else(|| panic!("{what}: no Last-Modified"))
        .to_owned()
}

/// Waits until the store's last change is a second old, and returns it as an HTTP date.
async fn settled(fx: &Fixture) -> String {
    next_second().await;
    http_date(fx.store().last_change().await.expect("last change"))
}

async fn since(fx: &Fixture, uri: &str, date: &str) -> RawReply {
    send(&fx.app, "GET", uri, &[("if-modified-since", date)]).await
}

/// A new post for the tidepool source, tagged map, stamped long ago: the clock still moves
/// to the time the ingest commits.
async fn ingest_a_new_post(fx: &Fixture) {
    let source = fx
        .store()
        .source_by_slug("tidepool-notes")
        .await
        .expect("lookup")
        .expect("source");
    let post = IncomingPost {
        stems: Vec::new(),
        admission: Default::default(),
        entry: FeedEntry {
            guid: "tp-4".into(),
            title: "Sea stars return to the cove".into(),
            link: Some("https://tidepool.example/2026/03/sea-stars".into()),
            author: None,
            published: Some(common::at(12)),
            updated: None,
            content_html: "<p>Three of them, on the north rocks.</p>".into(),
            content_text: "Three of them, on the north rocks.".into(),
            categories: Vec::new(),
            language: None,
            origin: None,
            enclosures: Vec::new(),
            original_links: Vec::new(),
        },
        tags: vec![TagAssignment {
            tag: "map".into(),
            origin: TagOrigin::Term,
            detail: "\"map\" in text".into(),
        }],
    };
    let meta = FeedMeta {
        title: Some("Tidepool Notes (feed)".into()),
        site_url: None,
        description: None,
        deleted: Vec::new(),
    };
    fx.store()
        .ingest(source.id, &meta, &[post], common::at(12))
        .await
        .expect("ingest");
}

#[tokio::test]
async fn every_page_and_feed_carries_the_stores_last_change() {
    let fx = fixture(2).await;
    let expected = settled(&fx).await;
    for uri in STORE_PAGES {
        for method in ["GET", "HEAD"] {
            let reply = send(&fx.app, method, uri, &[]).await;
            assert_eq!(reply.status, StatusCode::OK, "{method} {uri}");
            assert_eq!(last_modified(&reply, uri), expected, "{method} {uri}");
        }
    }
    for uri in ["/healthz", "/nowhere", "/tag/nope/", "/post/4/"] {
        let reply = send(&fx.app, "GET", uri, &[]).await;
        assert!(reply.header("last-modified").is_none(), "{uri}");
    }
    // The stylesheet keeps its own date (the theme's load), whatever the store does.
    let css = send(&fx.app, "GET", "/static/style.css", &[]).await;
    assert!(css.header("last-modified").is_some());
}

#[tokio::test]
async fn if_modified_since_answers_304_until_an_ingest() {
    let fx = fixture(2).await;
    let before = settled(&fx).await;
    let uris = ["/", "/tag/map/", "/sources/", "/feed.atom", "/sources.opml"];
    for uri in uris {
        let cached = since(&fx, uri, &before).await;
        assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(cached.body.is_empty(), "{uri}");
        assert_eq!(last_modified(&cached, uri), before, "{uri}");
        let older = since(&fx, uri, "Sat, 01 Jan 2000 00:00:00 GMT").await;
        assert_eq!(older.status, StatusCode::OK, "{uri}");
    }

    ingest_a_new_post(&fx).await;
    // At once: the same date no longer matches (the change is too fresh to be dated yet).
    for uri in uris {
        let fresh = since(&fx, uri, &before).await;
        assert_eq!(fresh.status, StatusCode::OK, "{uri}");
        if let Some(date) = fresh.header("last-modified") {
            assert!(parse_http_date(date) > parse_http_date(&before), "{uri}");
        }
    }
    let home = since(&fx, "/", &before).await;
    let body = String::from_utf8(home.body).expect("utf-8");
    assert!(body.contains("Sea stars return to the cove"), "{body}");

    // A second later the change is dated, newer than before, and answers 304 in turn.
    let after = settled(&fx).await;
    assert!(parse_http_date(&after) > parse_http_date(&before));
    for uri in uris {
        let changed = since(&fx, uri, &before).await;
        assert_eq!(changed.status, StatusCode::OK, "{uri}");
        assert_eq!(last_modified(&changed, uri), after, "{uri}");
        let cached = since(&fx, uri, &after).await;
        assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "{uri}");
    }
}

#[tokio::test]
async fn a_retag_dates_the_archives_anew() {
    let fx = fixture(2).await;
    let before = settled(&fx).await;
    for uri in ["/tag/rust/", "/tag/ocean/feed.atom", "/tags/"] {
        let cached = since(&fx, uri, &before).await;
        assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "{uri}");
    }
    // "A faster tile cache" (post 5) moves from rust to ocean; no post changes.
    let decision = vec![TagAssignment {
        tag: "ocean".into(),
        origin: TagOrigin::Term,
        detail: String::new(),
    }];
    let stats = fx
        .store()
        .apply_tags(&[(PostId(5), decision)], common::at(13))
        .await
        .expect("retag");
    assert_eq!((stats.added, stats.removed), (1, 1));

    let after = settled(&fx).await;
    assert!(parse_http_date(&after) > parse_http_date(&before));
    for uri in ["/tag/rust/", "/tag/ocean/feed.atom", "/tags/"] {
        let changed = since(&fx, uri, &before).await;
        assert_eq!(changed.status, StatusCode::OK, "{uri}");
        assert_eq!(last_modified(&changed, uri), after, "{uri}");
    }
}

#[tokio::test]
async fn if_none_match_decides_over_if_modified_since() {
    let fx = fixture(2).await;
    let date = settled(&fx).await;
    for uri in ["/", "/tag/map/", "/feed.rss"] {
        let first = send(&fx.app, "GET", uri, &[]).await;
        let etag = first.header("etag").expect("etag").to_owned();

        let other_tag = send(
            &fx.app,
            "GET",
            uri,
            &[("if-none-match", "\"nope\""), ("if-modified-since", &date)],
        )
        .await;
        assert_eq!(other_tag.status, StatusCode::OK, "{uri}");
        assert_eq!(other_tag.body, first.body, "{uri}");

        let same_tag = send(
            &fx.app,
            "GET",
            uri,
            &[
                ("if-none-match", &etag),
                ("if-modified-since", "Sat, 01 Jan 2000 00:00:00 GMT"),
            ],
        )
        .await;
        assert_eq!(same_tag.status, StatusCode::NOT_MODIFIED, "{uri}");
    }
}

#[tokio::test]
async fn a_change_in_the_current_second_is_not_dated_yet() {
    let fx = fixture(2).await;
    let source = fx
        .store()
        .source_by_slug("tidepool-notes")
        .await
        .expect("lookup")
        .expect("source");
    // Start at the beginning of a second, so that the change and the request share it.
    for _ in 0..5 {
        next_second().await;
        fx.store()
            .record_fetch_failure(source.id, "timed out", common::at(14))
            .await
            .expect("record");
        let changed = fx.store().last_change().await.expect("last change");
        let asked = Utc::now();
        let reply = send(&fx.app, "GET", "/sources/", &[]).await;
        assert_eq!(reply.status, StatusCode::OK);
        if asked.timestamp() == changed.timestamp() {
            assert!(reply.header("last-modified").is_none());
            let body = String::from_utf8(reply.body).expect("utf-8");
            assert!(body.contains("timed out"), "{body}");
            return;
        }
    }
    panic!("never asked within the second of a change");
}
