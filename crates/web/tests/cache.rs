//! The page cache, through the router as `syndic serve` runs it (`serving_router`): never a
//! page older than a committed change, every representation fresh, conditional requests as
//! without it, and only what may be kept is kept.

mod common;

use std::io::Read;

use axum::Router;
use axum::http::StatusCode;
use chrono::Utc;
use common::{RawReply, at, fixture, next_second, send};
use syndic_core::{FeedEntry, FeedMeta, TagAssignment, TagOrigin};
use syndic_store::{IncomingPost, SourceSpec, Store};
use syndic_web::{PageCache, serving_router};

/// The fixture's site behind the page cache, and the cache's handle.
async fn cached() -> (common::Fixture, Router, PageCache) {
    let fx = fixture(10).await;
    let cache = PageCache::new(4 << 20);
    let app = serving_router(fx.state.clone().with_page_cache(cache.clone()));
    (fx, app, cache)
}

/// Stores a new post titled `title`, tagged map and newer than every other, through
/// `store` (a handle of its own, as another process would have).
async fn publish(store: &Store, title: &str) {
    let spec = SourceSpec {
        url: "https://fresh.example/feed.xml".into(),
        name: Some("Fresh".into()),
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    let entry = FeedEntry {
        guid: title.into(),
        title: title.into(),
        link: None,
        author: None,
        published: Some(Utc::now()),
        updated: None,
        content_html: format!("<p>{title}</p>"),
        content_text: title.into(),
        categories: Vec::new(),
        language: None,
        origin: None,
        enclosures: Vec::new(),
        original_links: Vec::new(),
    };
    let post = IncomingPost {
        stems: Vec::new(),
        admission: Default::default(),
        entry,
        tags: vec![TagAssignment {
            tag: "map".into(),
            origin: TagOrigin::Term,
            detail: String::new(),
        }],
    };
    let meta = FeedMeta {
        title: Some("Fresh".into()),
        site_url: None,
        description: None,
        deleted: Vec::new(),
    };
    store
        .ingest(source, &meta, &[post], Utc::now())
        .await
        .expect("ingest");
    store.index_search().await.expect("index for search");
}

fn text(reply: &RawReply) -> String {
    let mut body = Vec::new();
    match reply.header("content-encoding") {
        Some("gzip") => {
            flate2::read::GzDecoder::new(&reply.body[..])
                .read_to_end(&mut body)
                .expect("gzip");
        }
        Some("br") => {
            brotli_decompressor::Decompressor::new(&reply.body[..], 4096)
                .read_to_end(&mut body)
                .expect("brotli");
        }
        _ => body.clone_from(&reply.body),
    }
    String::from_utf8(body).expect("utf-8")
}

/// The page cache's counter `name` (`hits_total`, `misses_total`, `stamp_reads_total`).
fn counter(cache: &PageCache, name: &str) -> u64 {
    let metrics = cache.render_metrics();
    let sample = format!("syndic_page_cache_{name} ");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&sample))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {metrics}"))
}

#[tokio::test]
async fn a_cached_page_never_outlives_a_committed_change_even_two_in_one_second() {
    let (fx, app, _cache) = cached().await;
    let other = Store::open_sqlite_path(&fx.db_path())
        .await
        .expect("second handle");
    for path in ["/tag/map/", "/", "/tag/map/feed.atom"] {
        let first = send(&app, "GET", path, &[]).await;
        assert_eq!(first.status, StatusCode::OK);
        // Changes back to back, most within one second: each is seen by the next request.
        for n in 1..=4 {
            let title = format!("Fresh map {n} for {path}");
            publish(&other, &title).await;
            let reply = send(&app, "GET", path, &[]).await;
            assert_eq!(reply.status, StatusCode::OK);
            assert!(text(&reply).contains(&title), "{path} after change {n}");
            let again = send(&app, "GET", path, &[]).await;
            assert!(text(&again).contains(&title), "{path} from the cache");
        }
    }
}

#[tokio::test]
async fn identity_gzip_and_brotli_are_each_fresh_right_after_a_change() {
    let (fx, app, _cache) = cached().await;
    let encodings = ["identity", "gzip", "br"];
    for encoding in encodings {
        let reply = send(&app, "GET", "/tag/map/", &[("accept-encoding", encoding)]).await;
        assert!(!text(&reply).contains("Brand new chart"));
    }
    publish(fx.store(), "Brand new chart").await;
    for encoding in encodings {
        let reply = send(&app, "GET", "/tag/map/", &[("accept-encoding", encoding)]).await;
        assert_eq!(reply.status, StatusCode::OK);
        let expected = (encoding != "identity").then_some(encoding);
        assert_eq!(reply.header("content-encoding"), expected, "{encoding}");
        assert!(text(&reply).contains("Brand new chart"), "{encoding}");
    }
}

#[tokio::test]
async fn a_repeated_request_costs_one_stamp_read_and_no_render() {
    let (_fx, app, cache) = cached().await;
    send(&app, "GET", "/tag/map/", &[]).await;
    let (reads, renders) = (
        counter(&cache, "stamp_reads_total"),
        counter(&cache, "misses_total"),
    );
    for _ in 0..5 {
        let reply = send(&app, "GET", "/tag/map/", &[]).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    assert_eq!(counter(&cache, "misses_total"), renders, "no render");
    assert_eq!(counter(&cache, "hits_total"), 5);
    assert_eq!(counter(&cache, "stamp_reads_total"), reads + 5);
}

/// What a client can see of an answer: status, validators, coding, caching and body.
async fn seen(app: &Router, path: &str, headers: &[(&str, &str)]) -> Vec<String> {
    let reply = send(app, "GET", path, headers).await;
    let mut seen = vec![reply.status.to_string()];
    for name in [
        "etag",
        "last-modified",
        "content-encoding",
        "content-type",
        "cache-control",
        "vary",
        "content-security-policy",
    ] {
        seen.push(format!("{name}: {:?}", reply.header(name)));
    }
    seen.push(text(&reply));
    seen
}

#[tokio::test]
async fn conditional_requests_are_answered_as_without_the_cache() {
    let (fx, cached_app, _cache) = cached().await;
    next_second().await;
    let plain = send(&fx.app, "GET", "/tag/map/", &[]).await;
    let tag = plain.header("etag").expect("etag").to_owned();
    let date = plain.header("last-modified").expect("settled").to_owned();
    let inner = tag.trim_matches('"');
    let (br_tag, gzip_tag) = (format!("\"{inner}-br\""), format!("\"{inner}-gzip\""));
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("accept-encoding", "gzip")],
        vec![("accept-encoding", "br, gzip")],
        vec![("if-none-match", &tag)],
        vec![("if-none-match", &tag), ("accept-encoding", "br")],
        vec![("if-none-match", &br_tag), ("accept-encoding", "br")],
        vec![("if-none-match", &gzip_tag), ("accept-encoding", "br")],
        vec![("if-none-match", "\"other\", W/\"x\"")],
        vec![("if-none-match", "*"), ("accept-encoding", "gzip")],
        vec![("if-modified-since", &date)],
        vec![("if-modified-since", "Mon, 02 Mar 2026 10:00:00 GMT")],
        vec![("if-modified-since", &date), ("if-none-match", "\"other\"")],
    ];
    for path in [
        "/tag/map/",
        "/feed.rss",
        "/static/style.css",
        "/search?q=map",
    ] {
        for headers in &cases {
            // Twice through the cache: the render that fills it, then the cached answer.
            let expected = seen(&fx.app, path, headers).await;
            assert_eq!(
                seen(&cached_app, path, headers).await,
                expected,
                "{path} {headers:?}"
            );
            assert_eq!(
                seen(&cached_app, path, headers).await,
                expected,
                "{path} {headers:?}"
            );
        }
    }
}

#[tokio::test]
async fn errors_redirects_and_uncacheable_routes_are_not_kept() {
    let (_fx, app, cache) = cached().await;
    for path in [
        "/tag/no-such-tag/",
        "/post/1/",
        "/websub/1?hub.mode=subscribe",
        "/search?q=map&page=999",
    ] {
        let reply = send(&app, "GET", path, &[]).await;
        assert_ne!(reply.status, StatusCode::OK, "{path}");
        let again = send(&app, "GET", path, &[]).await;
        assert_eq!(again.status, reply.status, "{path}");
    }
    for path in ["/healthz", "/metrics"] {
        let reply = send(&app, "GET", path, &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
    }
    let head = send(&app, "HEAD", "/tag/map/", &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(cache.usage().0, 0, "nothing kept");
    send(&app, "GET", "/tag/map/", &[]).await;
    assert_eq!(cache.usage().0, 1);
}

#[tokio::test]
async fn a_clear_drops_every_cached_page() {
    let (_fx, app, cache) = cached().await;
    for path in ["/", "/tag/map/", "/tags/"] {
        send(&app, "GET", path, &[]).await;
    }
    assert_eq!(cache.usage().0, 3);
    cache.clear();
    assert_eq!(cache.usage(), (0, 0));
    send(&app, "GET", "/", &[]).await;
    assert_eq!(cache.usage().0, 1);
}

#[tokio::test]
async fn the_cache_stays_within_its_bound() {
    let fx = fixture(1).await;
    let bound = 24 * 1024;
    let cache = PageCache::new(bound);
    let app = serving_router(fx.state.clone().with_page_cache(cache.clone()));
    for path in [
        "/",
        "/page/2/",
        "/page/3/",
        "/page/4/",
        "/page/5/",
        "/tag/map/",
        "/tags/",
        "/sources/",
        "/feed.atom",
        "/feed.rss",
        "/feed.json",
    ] {
        for encoding in ["identity", "gzip", "br"] {
            let reply = send(&app, "GET", path, &[("accept-encoding", encoding)]).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}");
            assert!(cache.usage().1 <= bound, "{:?} after {path}", cache.usage());
        }
    }
    assert!(cache.usage().0 > 1, "{:?}", cache.usage());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_requests_at_once_for_an_uncached_page_render_it_once() {
    let (_fx, app, cache) = cached().await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let app = app.clone();
        requests.spawn(async move { send(&app, "GET", "/tag/map/", &[]).await });
    }
    while let Some(reply) = requests.join_next().await {
        let reply = reply.expect("join");
        assert_eq!(reply.status, StatusCode::OK);
        assert!(text(&reply).contains("Tag Archives: map"));
    }
    assert_eq!(counter(&cache, "misses_total"), 1, "one render");
    assert_eq!(counter(&cache, "hits_total"), 15);
}
