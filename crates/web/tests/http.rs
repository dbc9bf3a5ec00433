//! HTTP behaviour of every route: entity tags and `304`, compression, HEAD, caching
//! headers, the query-string limit, and security headers on all of it.

mod common;

use std::io::Read;

use axum::http::StatusCode;
use common::{RawReply, fixture, get, send};

/// One address of every page and feed route that answers `200` over the fixture.
const PAGES: &[&str] = &[
    "/",
    "/page/2/",
    "/?page=2",
    "/tag/map/",
    "/tag/map/page/2/",
    "/post/4/rendering-vector-maps-in-rust/",
    "/source/tidepool-notes/",
    "/tags/",
    "/tags/?sort=count",
    "/sources/",
    "/static/style.css",
    "/feed.atom",
    "/feed.rss",
    "/feed.json",
    "/tag/map/feed.atom",
    "/source/tidepool-notes/feed.atom",
    "/sources.opml",
];

fn assert_security_headers(reply: &RawReply, what: &str) {
    assert!(reply.header("content-security-policy").is_some(), "{what}");
    assert_eq!(
        reply.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert!(reply.header("referrer-policy").is_some(), "{what}");
}

fn is_strong_sha_tag(tag: &str) -> bool {
    tag.len() == 34
        && tag.starts_with('"')
        && tag.ends_with('"')
        && tag[1..33].bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn every_page_and_feed_has_a_strong_etag_and_answers_if_none_match_with_304() {
    let fx = fixture(2).await;
    for uri in PAGES {
        let first = send(&fx.app, "GET", uri, &[]).await;
        assert_eq!(first.status, StatusCode::OK, "{uri}");
        let etag = first.header("etag").expect("etag").to_owned();
        assert!(is_strong_sha_tag(&etag), "{uri}: {etag}");
        assert!(first.header("cache-control").is_some(), "{uri}");

        let again = send(&fx.app, "GET", uri, &[]).await;
        assert_eq!(again.header("etag"), Some(etag.as_str()), "{uri}: stable");

        let weak = format!("W/{etag}");
        let list = format!("\"nope\", {etag}");
        for condition in [etag.as_str(), weak.as_str(), list.as_str(), "*"] {
            let cached = send(&fx.app, "GET", uri, &[("if-none-match", condition)]).await;
            assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "{uri} {condition}");
            assert!(cached.body.is_empty(), "{uri}");
            assert_eq!(cached.header("etag"), Some(etag.as_str()), "{uri}");
            assert_eq!(
                cached.header("cache-control"),
                first.header("cache-control"),
                "{uri}"
            );
            assert!(cached.header("content-type").is_none(), "{uri}");
            assert_security_headers(&cached, uri);
        }
        let stale = send(&fx.app, "GET", uri, &[("if-none-match", "\"0123\"")]).await;
        assert_eq!(stale.status, StatusCode::OK, "{uri}");
        assert_eq!(stale.body, first.body, "{uri}");
    }
}

#[tokio::test]
async fn the_etag_changes_with_the_page() {
    let fx = fixture(10).await;
    let before = send(&fx.app, "GET", "/sources/", &[]).await;
    let etag = before.header("etag").expect("etag").to_owned();
    let source = fx
        .store()
        .source_by_slug("tidepool-notes")
        .await
        .expect("lookup")
        .expect("source");
    fx.store()
        .record_fetch_failure(source.id, "timed out", common::at(12))
        .await
        .expect("record");
    let after = send(&fx.app, "GET", "/sources/", &[("if-none-match", &etag)]).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_ne!(after.header("etag"), Some(etag.as_str()));
}

#[tokio::test]
async fn pages_are_cached_for_a_minute_errors_never_and_redirects_briefly() {
    let fx = fixture(2).await;
    for uri in ["/", "/tag/map/", "/tags/", "/sources/", "/feed.atom"] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(
            reply.headers["cache-control"], "public, max-age=60",
            "{uri}"
        );
        assert_eq!(reply.headers["vary"], "accept-encoding", "{uri}");
    }
    for uri in ["/nowhere", "/tag/nope/", "/post/99/x", "/tags/?sort=size"] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(reply.headers["cache-control"], "no-store", "{uri}");
        assert!(!reply.headers.contains_key("etag"), "{uri}");
    }
    let moved = get(&fx.app, "/post/4/").await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.headers["cache-control"], "public, max-age=300");
    assert_eq!(
        get(&fx.app, "/healthz").await.headers["cache-control"],
        "no-store"
    );
}

#[tokio::test]
async fn the_versioned_stylesheet_is_immutable_and_knows_its_date() {
    let fx = fixture(2).await;
    let home = get(&fx.app, "/").await.body;
    let start = home.find("/static/style.css?v=").expect("stylesheet link");
    let end = start + home[start..].find('"').expect("end of link");
    let versioned = &home[start..end];
    assert_eq!(
        versioned.len(),
        "/static/style.css?v=".len() + 16,
        "{versioned}"
    );

    let css = send(&fx.app, "GET", versioned, &[]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(
        css.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    for other in ["/static/style.css", "/static/style.css?v=0000"] {
        let reply = send(&fx.app, "GET", other, &[]).await;
        assert_eq!(
            reply.header("cache-control"),
            Some("public, max-age=3600"),
            "{other}"
        );
        assert_eq!(reply.body, css.body, "{other}");
    }
    let modified = css
        .header("last-modified")
        .expect("last-modified")
        .to_owned();
    assert!(modified.ends_with(" GMT"), "{modified}");
    // The stylesheet dates from the state's start; a 304 needs that second to be over.
    common::next_second().await;
    let cached = send(
        &fx.app,
        "GET",
        versioned,
        &[("if-modified-since", &modified)],
    )
    .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    let old = send(
        &fx.app,
        "GET",
        versioned,
        &[("if-modified-since", "Sat, 01 Jan 2000 00:00:00 GMT")],
    )
    .await;
    assert_eq!(old.status, StatusCode::OK);
    // If-None-Match decides alone when both are sent.
    let both = send(
        &fx.app,
        "GET",
        versioned,
        &[
            ("if-none-match", "\"other\""),
            ("if-modified-since", &modified),
        ],
    )
    .await;
    assert_eq!(both.status, StatusCode::OK);
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip body");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("brotli body");
    out
}

#[tokio::test]
async fn responses_are_compressed_as_the_client_accepts() {
    let fx = fixture(10).await;
    for uri in [
        "/",
        "/tag/map/",
        "/static/style.css",
        "/feed.atom",
        "/nowhere",
    ] {
        let plain = send(&fx.app, "GET", uri, &[]).await;
        assert!(plain.header("content-encoding").is_none(), "{uri}");
        let identity = send(&fx.app, "GET", uri, &[("accept-encoding", "identity")]).await;
        assert!(identity.header("content-encoding").is_none(), "{uri}");
        assert_eq!(identity.body, plain.body, "{uri}");

        let br = send(&fx.app, "GET", uri, &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(br.status, plain.status, "{uri}");
        assert_eq!(br.header("content-encoding"), Some("br"), "{uri}");
        assert_eq!(unbrotli(&br.body), plain.body, "{uri}");
        assert!(br.body.len() < plain.body.len(), "{uri}");
        assert_security_headers(&br, uri);

        let gzip = send(&fx.app, "GET", uri, &[("accept-encoding", "gzip")]).await;
        assert_eq!(gzip.header("content-encoding"), Some("gzip"), "{uri}");
        assert_eq!(gunzip(&gzip.body), plain.body, "{uri}");
        assert!(
            gzip.header("vary")
                .is_some_and(|v| v.contains("accept-encoding")),
            "{uri}"
        );

        if plain.status == StatusCode::OK {
            // Each representation has its own strong tag, made from the same body.
            let tag = plain.header("etag").expect("etag");
            let base = tag.trim_end_matches('"');
            assert_eq!(
                br.header("etag"),
                Some(format!("{base}-br\"").as_str()),
                "{uri}"
            );
            assert_eq!(
                gzip.header("etag"),
                Some(format!("{base}-gzip\"").as_str()),
                "{uri}"
            );
            let etag = br.header("etag").expect("etag");
            let cached = send(
                &fx.app,
                "GET",
                uri,
                &[("accept-encoding", "br"), ("if-none-match", etag)],
            )
            .await;
            assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "{uri}");
            assert_eq!(cached.header("etag"), Some(etag), "{uri}");
            assert!(cached.body.is_empty(), "{uri}");
        }
    }
}

#[tokio::test]
async fn head_answers_every_get_route_without_a_body() {
    let fx = fixture(2).await;
    for uri in PAGES.iter().copied().chain(["/healthz"]) {
        let get = send(&fx.app, "GET", uri, &[]).await;
        let head = send(&fx.app, "HEAD", uri, &[]).await;
        assert_eq!(head.status, StatusCode::OK, "{uri}");
        assert!(head.body.is_empty(), "{uri}");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "{uri}"
        );
        assert_eq!(head.header("etag"), get.header("etag"), "{uri}");
        assert_security_headers(&head, uri);
    }
    let missing = send(&fx.app, "HEAD", "/tag/nope/", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.is_empty());
    let moved = send(&fx.app, "HEAD", "/post/4/", &[]).await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
}

#[tokio::test]
async fn an_overlong_query_string_gets_the_414_page() {
    let fx = fixture(2).await;
    let long = format!("/?q={}", "a".repeat(4100));
    let ok = format!("/?q={}", "a".repeat(4000));
    for uri in [
        long.as_str(),
        &format!("/tag/map/?page=1&x={}", "b".repeat(5000)),
    ] {
        let reply = send(&fx.app, "GET", uri, &[]).await;
        assert_eq!(reply.status, StatusCode::URI_TOO_LONG);
        let body = String::from_utf8(reply.body.clone()).expect("utf-8");
        assert!(body.contains("<h1>Address too long</h1>"), "{body}");
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_security_headers(&reply, "414");
    }
    assert_eq!(send(&fx.app, "GET", &ok, &[]).await.status, StatusCode::OK);
}
