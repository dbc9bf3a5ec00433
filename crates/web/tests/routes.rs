//! The router, request by request, over a small invented store.

mod common;

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use common::{Item, assert_in_order, fixture, get};

const HARBOR: &str = "map of the harbor";
const VECTOR: &str = "Rendering vector maps in Rust";
const TIDE: &str = "Mapping the tide pools of Point Lobos";
const KELP: &str = "Notes on kelp forests";
const CACHE: &str = "A faster tile cache";

#[tokio::test]
async fn home_lists_every_post_newest_first() {
    let fx = fixture(10).await;
    let reply = get(&fx.app, "/").await;
    assert_eq!(reply.status, StatusCode::OK);
    let content_type = reply.headers[CONTENT_TYPE].to_str().expect("ascii");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert_in_order(&reply.body, &[HARBOR, CACHE, KELP, VECTOR, TIDE]);
    assert!(reply.body.contains("<title>Syndic Test Hub</title>"));
    assert!(!reply.body.contains("rel=\"next\""));
}

#[tokio::test]
async fn home_paginates_by_path_and_query() {
    let fx = fixture(2).await;
    let by_path = get(&fx.app, "/page/2/").await;
    let by_query = get(&fx.app, "/?page=2").await;
    assert_eq!(by_path.status, StatusCode::OK);
    assert_eq!(by_query.status, StatusCode::OK);
    assert_in_order(&by_path.body, &[KELP, VECTOR]);
    assert!(!by_path.body.contains(HARBOR));
    assert!(by_path.body.contains(r#"<a rel="prev" href="/">"#));
    assert!(by_path.body.contains(r#"<a rel="next" href="/page/3/">"#));
    assert!(by_query.body.contains(KELP) && !by_query.body.contains(TIDE));
    assert_eq!(get(&fx.app, "/page/3/").await.status, StatusCode::OK);
    assert_eq!(get(&fx.app, "/page/4/").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tag_archive_shows_heading_posts_in_order_and_attribution() {
    let fx = fixture(10).await;
    let reply = get(&fx.app, "/tag/map/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("<h1>Tag Archives: map</h1>"));
    assert_in_order(&reply.body, &[HARBOR, VECTOR, TIDE]);
    assert!(!reply.body.contains(KELP) && !reply.body.contains(CACHE));
    assert!(reply.body.contains(
        "<p class=\"attribution\">Post Syndicated from Lamplight Engineering original \
         <a href=\"https://lamplight.example/posts/vector-maps\" rel=\"nofollow noopener noreferrer\">\
         https://lamplight.example/posts/vector-maps</a></p>"
    ));
    assert!(
        reply
            .body
            .contains("Post Syndicated from Marisol Vega original")
    );
    assert!(
        reply
            .body
            .contains(r#"<h2><a href="/post/4/rendering-vector-maps-in-rust/">Rendering vector maps in Rust</a></h2>"#)
    );
    assert!(
        reply
            .body
            .contains(r#"<a href="/tag/rust/" rel="tag">rust</a>"#)
    );
    assert!(
        reply
            .body
            .contains(r#"<time datetime="2026-03-04T09:30:00Z">2026-03-04</time>"#)
    );
    assert!(
        reply
            .body
            .contains(r#"<link rel="canonical" href="https://hub.example/tag/map/">"#)
    );
}

#[tokio::test]
async fn tag_archive_paginates_and_refuses_pages_that_do_not_exist() {
    let fx = fixture(2).await;
    let first = get(&fx.app, "/tag/map/").await;
    assert_in_order(&first.body, &[HARBOR, VECTOR]);
    assert!(!first.body.contains(TIDE));
    assert!(
        first
            .body
            .contains(r#"<link rel="next" href="/tag/map/page/2/">"#)
    );
    assert!(
        first
            .body
            .contains(r#"<a rel="next" href="/tag/map/page/2/">"#)
    );

    for uri in ["/tag/map/page/2/", "/tag/map/?page=2"] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(reply.body.contains(TIDE), "{uri}");
        assert!(!reply.body.contains(HARBOR), "{uri}");
        assert!(
            reply.body.contains(r#"<a rel="prev" href="/tag/map/">"#),
            "{uri}"
        );
        assert!(reply.body.contains("Page 2 of 2"), "{uri}");
    }
    assert_eq!(
        get(&fx.app, "/tag/map/page/1/").await.status,
        StatusCode::OK
    );
    for uri in [
        "/tag/map/page/3/",
        "/tag/map/?page=3",
        "/tag/map/page/0/",
        "/tag/map/?page=0",
        "/tag/map/?page=abc",
        "/tag/map/?page=",
        "/tag/map/?page=-1",
        "/tag/map/page/abc/",
        "/tag/map/page/99999999999999/",
        "/tag/map/?page=100001",
        "/?page=abc",
        "/page/0/",
    ] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.body.contains("Page not found"), "{uri}");
    }
}

#[tokio::test]
async fn a_known_tag_without_posts_has_an_empty_archive() {
    let fx = fixture(2).await;
    let reply = get(&fx.app, "/tag/travel/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("<h1>Tag Archives: travel</h1>"));
    assert!(reply.body.contains("No posts yet."));
    assert_eq!(
        get(&fx.app, "/tag/travel/page/2/").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn post_page_shows_one_post_with_canonical_original() {
    let fx = fixture(2).await;
    for uri in ["/post/4/rendering-vector-maps-in-rust/"] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(reply.body.contains(
            r#"<link rel="canonical" href="https://lamplight.example/posts/vector-maps">"#
        ));
        assert!(
            reply
                .body
                .contains("<h1>Rendering vector maps in Rust</h1>")
        );
        assert!(
            reply
                .body
                .contains("<pre><code>let tile = cache.get(z, x, y)?;</code></pre>")
        );
        assert!(reply.body.contains(
            r#"<a href="/tag/map/" rel="tag" title="term — &quot;map&quot; in text">map</a>"#
        ));
        assert!(!reply.body.contains(HARBOR));
    }
    // Without an original, the post's own page is both canonical and the named original.
    let reply = get(&fx.app, "/post/5/a-faster-tile-cache/").await;
    assert!(reply.body.contains(
        r#"<link rel="canonical" href="https://hub.example/post/5/a-faster-tile-cache/">"#
    ));
    assert!(reply.body.contains("Post Syndicated from Lamplight Engineering original <a href=\"https://hub.example/post/5/a-faster-tile-cache/\""));
}

#[tokio::test]
async fn missing_and_malformed_addresses_are_not_found() {
    let fx = fixture(2).await;
    for uri in [
        "/post/999999/",
        "/post/abc/",
        "/post/0/",
        "/post/-1/",
        "/post/99999999999999999999999/",
        "/post/4",
        "/tag/nope/",
        "/tag/%FF/",
        "/tag/map",
        "/nothing/here",
        "/static/missing.css",
    ] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.body.contains("<h1>Page not found</h1>"), "{uri}");
        assert!(reply.body.contains("Syndic Test Hub"), "{uri}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let fx = fixture(2).await;
    for (uri, status) in [
        ("/", StatusCode::OK),
        ("/tag/map/", StatusCode::OK),
        ("/static/style.css", StatusCode::OK),
        ("/healthz", StatusCode::OK),
        ("/tag/nope/", StatusCode::NOT_FOUND),
        ("/no/such/page", StatusCode::NOT_FOUND),
    ] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, status, "{uri}");
        let header = |name: &str| reply.headers.get(name).map(|v| v.to_str().expect("ascii"));
        assert_eq!(
            header("content-security-policy"),
            Some(
                "default-src 'none'; img-src http: https:; media-src http: https:; \
                 style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            ),
            "{uri}"
        );
        assert_eq!(header("x-content-type-options"), Some("nosniff"), "{uri}");
        assert_eq!(
            header("referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn other_methods_get_an_error_page_too() {
    let fx = fixture(2).await;
    let request = axum::http::Request::post("/tag/map/")
        .body(axum::body::Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(fx.app.clone(), request)
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(response.headers().contains_key("content-security-policy"));
}

#[tokio::test]
async fn stylesheet_and_health_check() {
    let fx = fixture(2).await;
    let css = get(&fx.app, "/static/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers[CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(css.body.contains("prefers-color-scheme: dark"));
    let health = get(&fx.app, "/healthz").await;
    let expected = format!(
        r#"{{"store":"ok","schema_version":{},"role":"serve"}}"#,
        syndic_store::current_schema_version()
    );
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, &*expected)
    );
    assert_eq!(health.headers[CONTENT_TYPE], "application/json");
}

#[tokio::test]
async fn content_html_is_embedded_but_everything_else_is_escaped() {
    let items = [Item {
        guid: "x-1",
        title: "<script>alert('title')</script> & more",
        link: Some("https://evil.example/?a=1&b=\"2\""),
        author: Some("<script>alert('author')</script>"),
        day: 3,
        html: "<p>Safe <em>markup</em> stays.</p>",
        text: "Safe markup stays.",
        tags: &["<b>bold</b>"],
    }];
    let fx = common::build(10, &[("https://evil.example/feed", None, "Evil", &items)]).await;
    for uri in [
        "/",
        "/post/1/script-alert-title-script-more/",
        "/tag/b-bold-b/",
    ] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(
            reply.body.contains("<p>Safe <em>markup</em> stays.</p>"),
            "{uri}"
        );
        assert!(!reply.body.contains("<script"), "{uri}");
        assert!(!reply.body.contains("<b>"), "{uri}");
        assert!(
            reply
                .body
                .contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &amp; more"),
            "{uri}"
        );
        assert!(
            reply.body.contains(
                "Post Syndicated from &lt;script&gt;alert(&#39;author&#39;)&lt;/script&gt; original"
            ),
            "{uri}"
        );
        assert!(
            reply
                .body
                .contains("https://evil.example/?a=1&amp;b=&quot;2&quot;"),
            "{uri}"
        );
    }
    let tag = get(&fx.app, "/tag/b-bold-b/").await;
    assert!(
        tag.body
            .contains("<h1>Tag Archives: &lt;b&gt;bold&lt;/b&gt;</h1>")
    );

    let posts = fx.tag_posts("<b>bold</b>").await;
    let html =
        syndic_web::export::archive_html(&fx.state.site, "<b>bold</b>", &posts).expect("export");
    assert!(html.contains("<p>Safe <em>markup</em> stays.</p>"));
    assert!(!html.contains("<script") && !html.contains("<b>"));
}

#[tokio::test]
async fn page_snapshots() {
    let fx = fixture(10).await;
    let archive = get(&fx.app, "/tag/map/").await;
    assert_eq!(archive.status, StatusCode::OK);
    insta::assert_snapshot!(
        "tag_archive_page",
        common::without_stylesheet_version(&archive.body)
    );
    let post = get(&fx.app, "/post/3/a-new-map-of-the-harbor/").await;
    assert_eq!(post.status, StatusCode::OK);
    insta::assert_snapshot!("post_page", common::without_stylesheet_version(&post.body));
}

#[tokio::test]
async fn serve_answers_until_shut_down() {
    use std::io::{Read, Write};

    let fx = fixture(2).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(syndic_web::serve(
        listener,
        fx.state.clone(),
        syndic_web::ConnectionLimits::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let reply = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            .expect("write");
        let mut reply = String::new();
        stream.read_to_string(&mut reply).expect("read");
        reply
    })
    .await
    .expect("client");
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    assert!(reply.ends_with(r#""role":"serve"}"#), "{reply}");
    stop.send(()).expect("server listening");
    server.await.expect("join").expect("served");
}

#[tokio::test]
async fn a_failing_store_gives_a_plain_500_page() {
    let fx = fixture(2).await;
    // A store that answers with an error (an unreachable one is a 503: tests/health.rs).
    syndic_store::testing::execute(fx.store(), "DROP TABLE post_tags")
        .await
        .expect("a damaged store");
    let reply = get(&fx.app, "/tag/map/").await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.body.contains("<h1>Something went wrong</h1>"));
    assert!(
        !reply.body.to_lowercase().contains("database"),
        "{}",
        reply.body
    );
    assert!(reply.headers.contains_key("content-security-policy"));
}
