//! The post, source, tags and sources pages, and post addresses.
//!
//! Fixture order, newest first: 3 harbor (Mar 9), 5 tile cache (Mar 7), 2 kelp (Mar 5),
//! 4 vector maps (Mar 4), 1 tide pools (Mar 2).

mod common;

use axum::http::StatusCode;
use axum::http::header::LOCATION;
use common::{Item, assert_in_order, fixture, get};
use syndic_core::FeedMeta;

const HARBOR: &str = "map of the harbor";
const VECTOR: &str = "Rendering vector maps in Rust";
const TIDE: &str = "Mapping the tide pools of Point Lobos";
const KELP: &str = "Notes on kelp forests";
const CACHE: &str = "A faster tile cache";

#[tokio::test]
async fn post_addresses_without_or_with_a_wrong_slug_move_permanently_to_the_canonical_one() {
    let fx = fixture(10).await;
    for uri in [
        "/post/4/",
        "/post/4/old-title",
        "/post/4/rendering-vector-maps-in-rust/more/",
        "/post/4/RENDERING-vector-maps-in-rust",
    ] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::MOVED_PERMANENTLY, "{uri}");
        assert_eq!(
            reply.headers[LOCATION], "/post/4/rendering-vector-maps-in-rust/",
            "{uri}"
        );
        assert!(
            reply.headers.contains_key("content-security-policy"),
            "{uri}"
        );
    }
    for uri in [
        "/post/4/rendering-vector-maps-in-rust/?utm=x",
        "/post/4/rendering-vector-maps-in-rust",
    ] {
        assert_eq!(get(&fx.app, uri).await.status, StatusCode::OK, "{uri}");
    }
    for uri in [
        "/post/999/",
        "/post/999/anything",
        "/post/0/x",
        "/post/abc/x",
    ] {
        assert_eq!(
            get(&fx.app, uri).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
}

#[tokio::test]
async fn a_post_page_links_its_newer_and_older_neighbours() {
    let fx = fixture(10).await;
    let reply = get(&fx.app, "/post/2/notes-on-kelp-forests/").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = &reply.body;
    assert!(body.contains(r#"<link rel="prev" href="/post/5/a-faster-tile-cache/">"#));
    assert!(body.contains(r#"<link rel="next" href="/post/4/rendering-vector-maps-in-rust/">"#));
    assert!(body.contains(
        r#"<a class="newer" rel="prev" href="/post/5/a-faster-tile-cache/"><span>&larr; Newer</span> A faster tile cache</a>"#
    ));
    assert!(body.contains(
        r#"<a class="older" rel="next" href="/post/4/rendering-vector-maps-in-rust/"><span>Older &rarr;</span> Rendering vector maps in Rust</a>"#
    ));
    assert!(
        body.contains(r#"<link rel="canonical" href="https://tidepool.example/2026/03/kelp">"#)
    );
    assert!(body.contains("Post Syndicated from Tidepool Notes original"));
    assert!(body.contains(
        r#"<a href="/tag/ocean/" rel="tag" title="term — &quot;ocean&quot; in text">ocean</a>"#
    ));
    assert_in_order(
        body,
        &[
            "<article class=\"post\">",
            "<h1>Notes on kelp forests</h1>",
            "</article>",
        ],
    );

    let newest = get(&fx.app, "/post/3/a-new-map-of-the-harbor/").await;
    assert!(!newest.body.contains("class=\"newer\""));
    assert!(newest.body.contains("class=\"older\""));
    let oldest = get(&fx.app, "/post/1/mapping-the-tide-pools-of-point-lobos/").await;
    assert!(oldest.body.contains("class=\"newer\""));
    assert!(!oldest.body.contains("class=\"older\""));
}

#[tokio::test]
async fn titles_in_any_script_get_a_percent_encoded_slug() {
    let items = [Item {
        guid: "jp-1",
        title: "日本語のノート",
        link: Some("https://jp.example/1"),
        author: None,
        day: 3,
        html: "<p>本文</p>",
        text: "本文",
        tags: &[],
    }];
    let fx = common::build(10, &[("https://jp.example/feed", None, "JP", &items)]).await;
    let path = "/post/1/%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%81%AE%E3%83%8E%E3%83%BC%E3%83%88/";
    let home = get(&fx.app, "/").await;
    assert!(
        home.body.contains(&format!("<a href=\"{path}\">")),
        "{}",
        home.body
    );
    let moved = get(&fx.app, "/post/1/").await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.headers[LOCATION], path);
    assert_eq!(get(&fx.app, path).await.status, StatusCode::OK);
}

#[tokio::test]
async fn every_listing_links_post_titles_to_their_slugged_address() {
    let fx = fixture(10).await;
    let link = r#"<h2><a href="/post/5/a-faster-tile-cache/">A faster tile cache</a></h2>"#;
    for uri in ["/", "/tag/rust/", "/source/lamplight-example/"] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(reply.body.contains(link), "{uri}");
    }
}

#[tokio::test]
async fn a_source_page_lists_its_posts_under_its_name_and_links() {
    let fx = fixture(2).await;
    let source = fx
        .store()
        .source_by_slug("tidepool-notes")
        .await
        .expect("lookup")
        .expect("source");
    let meta = FeedMeta {
        title: None,
        site_url: Some("https://tidepool.example/".into()),
        description: None,
        deleted: Vec::new(),
    };
    fx.store()
        .ingest(source.id, &meta, &[], common::at(11))
        .await
        .expect("ingest");

    let first = get(&fx.app, "/source/tidepool-notes/").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first
            .body
            .contains("<title>Tidepool Notes – Syndic Test Hub</title>")
    );
    assert!(first.body.contains("<h1>Tidepool Notes</h1>"));
    assert!(first.body.contains(
        r#"Site: <a href="https://tidepool.example/" rel="nofollow noopener noreferrer">https://tidepool.example/</a>"#
    ));
    assert!(
        first
            .body
            .contains(r#"Feed: <a href="https://tidepool.example/feed.xml""#)
    );
    assert!(
        first.body.contains(
            r#"<link rel="canonical" href="https://hub.example/source/tidepool-notes/">"#
        )
    );
    assert_in_order(&first.body, &[HARBOR, KELP]);
    assert!(!first.body.contains(TIDE) && !first.body.contains(VECTOR));
    assert!(
        first
            .body
            .contains(r#"<a rel="next" href="/source/tidepool-notes/page/2/">"#)
    );

    for uri in [
        "/source/tidepool-notes/page/2/",
        "/source/tidepool-notes/?page=2",
    ] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(reply.body.contains(TIDE), "{uri}");
        assert!(!reply.body.contains(KELP), "{uri}");
        assert!(reply.body.contains("Page 2 of 2"), "{uri}");
    }
    for uri in [
        "/source/tidepool-notes/page/3/",
        "/source/tidepool-notes/?page=0",
        "/source/nope/",
        "/source/tidepool-notes",
    ] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.body.contains("Page not found"), "{uri}");
    }
}

#[tokio::test]
async fn the_tags_page_counts_posts_and_sorts_by_name_or_count() {
    let fx = fixture(10).await;
    let by_name = get(&fx.app, "/tags/").await;
    assert_eq!(by_name.status, StatusCode::OK);
    assert!(by_name.body.contains("<h1>Tags</h1>"));
    assert!(by_name.body.contains(
        r#"<li><a href="/tag/map/" rel="tag">map</a> <span class="count">3 posts</span></li>"#
    ));
    assert!(by_name.body.contains(
        r#"<li><a href="/tag/travel/" rel="tag">travel</a> <span class="count">0 posts</span></li>"#
    ));
    assert_in_order(&by_name.body, &[">map<", ">ocean<", ">rust<", ">travel<"]);
    assert!(
        by_name
            .body
            .contains(r#"<strong aria-current="page">name</strong>"#)
    );
    assert!(
        by_name
            .body
            .contains(r#"<a href="/tags/" aria-current="page">Tags</a>"#)
    );

    let by_count = get(&fx.app, "/tags/?sort=count").await;
    assert_eq!(by_count.status, StatusCode::OK);
    assert!(!by_count.body.contains(r#"<a href="/tags/?sort=count""#));
    assert!(
        by_count
            .body
            .contains(r#"<strong aria-current="page">number of posts</strong>"#)
    );
    assert!(
        by_count
            .body
            .contains(r#"<link rel="canonical" href="https://hub.example/tags/?sort=count">"#)
    );
    assert_in_order(&by_count.body, &[">map<", ">ocean<", ">rust<", ">travel<"]);
    assert_eq!(get(&fx.app, "/tags/?sort=name").await.body, by_name.body);

    let one_post = [Item {
        guid: "z",
        title: "Zebra crossings",
        link: None,
        author: None,
        day: 1,
        html: "<p>z</p>",
        text: "z",
        tags: &["zebra"],
    }];
    let many = [
        Item {
            guid: "a1",
            tags: &["xylophone"],
            ..one_post_item("a1")
        },
        Item {
            guid: "a2",
            tags: &["xylophone"],
            ..one_post_item("a2")
        },
    ];
    let fx = common::build(
        10,
        &[
            ("https://a/", None, "A", &one_post),
            ("https://b/", None, "B", &many),
        ],
    )
    .await;
    let by_count = get(&fx.app, "/tags/?sort=count").await;
    assert_in_order(&by_count.body, &[">xylophone<", ">zebra<", ">travel<"]);
    assert!(
        by_count
            .body
            .contains("<span class=\"count\">1 post</span>")
    );
    assert_eq!(
        get(&fx.app, "/tags/?sort=random").await.status,
        StatusCode::NOT_FOUND
    );
}

fn one_post_item(guid: &'static str) -> Item {
    Item {
        guid,
        title: "Xylophones",
        link: None,
        author: None,
        day: 2,
        html: "<p>x</p>",
        text: "x",
        tags: &[],
    }
}

#[tokio::test]
async fn the_sources_page_shows_counts_last_fetch_and_errors() {
    let fx = fixture(10).await;
    let lamplight = fx
        .store()
        .source_by_slug("lamplight-example")
        .await
        .expect("lookup")
        .expect("source");
    fx.store()
        .record_fetch_failure(
            lamplight.id,
            "HTTP 503 <Service Unavailable>",
            common::at(12),
        )
        .await
        .expect("record");
    let reply = get(&fx.app, "/sources/").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = &reply.body;
    assert!(body.contains("<h1>Sources</h1>"));
    assert!(body.contains(r#"<a href="/sources/" aria-current="page">Sources</a>"#));
    assert_in_order(body, &["Lamplight Engineering", "Tidepool Notes"]);
    assert!(
        body.contains(
            r#"<th scope="row"><a href="/source/tidepool-notes/">Tidepool Notes</a></th>"#
        )
    );
    assert!(body.contains(r#"<td class="number">3</td>"#));
    assert!(body.contains(r#"<td class="number">2</td>"#));
    assert!(body.contains(r#"<time datetime="2026-03-10T09:30:00Z">2026-03-10</time>"#));
    assert!(body.contains(
        r#"<span class="fetch-error">Failed: HTTP 503 &lt;Service Unavailable&gt;</span>"#
    ));
    assert!(body.contains("<td>OK</td>"));
    assert!(
        !body.contains(CACHE),
        "the sources page lists sources, not posts"
    );
}

#[tokio::test]
async fn every_page_has_the_site_nav_and_landmarks() {
    let fx = fixture(10).await;
    for uri in [
        "/",
        "/tag/map/",
        "/post/4/rendering-vector-maps-in-rust/",
        "/source/tidepool-notes/",
        "/tags/",
        "/sources/",
        "/nowhere",
    ] {
        let body = get(&fx.app, uri).await.body;
        assert_in_order(
            &body,
            &[
                r##"<a class="skip-link" href="#content">"##,
                "<header class=\"site-header\">",
                r#"<nav class="site-nav" aria-label="Site">"#,
                "<main id=\"content\">",
                "<footer class=\"site-footer\">",
            ],
        );
        for link in [
            r#"<a href="/""#,
            r#"<a href="/tags/""#,
            r#"<a href="/sources/""#,
        ] {
            assert!(body.contains(link), "{uri}: {link}");
        }
    }
    let home = get(&fx.app, "/").await.body;
    assert!(home.contains(r#"<a href="/" aria-current="page">Home</a>"#));
}

#[tokio::test]
async fn source_page_snapshot() {
    let fx = fixture(10).await;
    let page = get(&fx.app, "/source/lamplight-example/").await;
    assert_eq!(page.status, StatusCode::OK);
    insta::assert_snapshot!(
        "source_page",
        common::without_stylesheet_version(&page.body)
    );
}
