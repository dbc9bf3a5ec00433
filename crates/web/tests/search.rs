//! `/search`: full-text search pages over the small invented store.

mod common;

use axum::http::StatusCode;
use common::{Item, assert_in_order, build, fixture, get};

// Hits link to the posts' pages (`/post/<id>/…`).
const HARBOR: &str = r#"<h2><a href="/post/3/"#;
const VECTOR: &str = r#"<h2><a href="/post/4/"#;
const TIDE: &str = r#"<h2><a href="/post/1/"#;

#[tokio::test]
async fn finds_a_post_by_a_word_of_its_text_and_marks_it() {
    let fx = fixture(10).await;
    let reply = get(&fx.app, "/search?q=notebook").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = &reply.body;
    assert!(body.contains("<h1>Search</h1>"));
    assert!(body.contains(r#"<input type="search" id="search-q" name="q" value="notebook""#));
    assert!(body.contains("1 post matches “notebook”."), "{body}");
    assert!(body.contains(TIDE));
    assert!(body.contains(">Mapping the tide pools of Point Lobos</a></h2>"));
    assert!(body.contains("Post Syndicated from Marisol Vega original"));
    assert!(
        body.contains("with a GPS and a <mark>notebook</mark>."),
        "{body}"
    );
    assert!(body.contains(r#"<a href="/tag/map/" rel="tag">map</a>"#));
    assert!(body.contains(r#"<meta name="robots" content="noindex">"#));
}

#[tokio::test]
async fn words_are_stemmed_and_title_matches_rank_first() {
    let fx = fixture(10).await;
    // "maps" finds "map", "maps" and "Mapping"; all three only in titles.
    let reply = get(&fx.app, "/search?q=maps").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.contains("3 posts match “maps”."),
        "{}",
        reply.body
    );
    for title in [HARBOR, VECTOR, TIDE] {
        assert!(reply.body.contains(title), "{title}");
    }
    let reply = get(&fx.app, "/search?q=harbor").await;
    assert!(reply.body.contains("1 post matches “harbor”."));
    assert!(
        reply
            .body
            .contains("The <mark>harbor</mark> survey is done.")
    );
}

#[tokio::test]
async fn filters_by_tag_and_source_and_keeps_them_in_the_form() {
    let fx = fixture(10).await;
    let reply = get(&fx.app, "/search?q=map&tag=ocean").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.contains("1 post matches “map”."),
        "{}",
        reply.body
    );
    assert!(reply.body.contains(HARBOR));
    assert!(
        reply
            .body
            .contains(r#"<input type="hidden" name="tag" value="ocean">"#)
    );
    assert!(
        reply
            .body
            .contains(r#"<a href="/search?q=map">Search all posts</a>"#)
    );

    let reply = get(&fx.app, "/search?q=map&source=tidepool-notes").await;
    assert!(
        reply.body.contains("2 posts match “map”."),
        "{}",
        reply.body
    );
    assert!(!reply.body.contains(VECTOR));
    assert!(
        reply
            .body
            .contains(r#"<input type="hidden" name="source" value="tidepool-notes">"#)
    );

    let both = get(&fx.app, "/search?q=map&tag=rust&source=tidepool-notes").await;
    assert!(both.body.contains("No posts match “map”."), "{}", both.body);

    for unknown in [
        "/search?q=map&tag=nope",
        "/search?q=map&source=nope",
        "/search?tag=nope",
    ] {
        assert_eq!(
            get(&fx.app, unknown).await.status,
            StatusCode::NOT_FOUND,
            "{unknown}"
        );
    }
}

#[tokio::test]
async fn query_syntax_and_sql_are_answered_with_a_page() {
    let fx = fixture(10).await;
    let attempts = [
        "%22",
        "%22kelp",
        "*",
        "kelp*",
        "NEAR(kelp",
        "title%3Akelp",
        "-kelp",
        "kelp+OR+harbor",
        ")",
        "%27%3B+DROP+TABLE+posts%3B+--",
        "%00%01%02",
        "%FF%FE",
        "%",
    ];
    for attempt in attempts {
        let reply = get(&fx.app, &format!("/search?q={attempt}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{attempt}");
        assert!(!reply.body.contains("Something went wrong"), "{attempt}");
    }
    let reply = get(&fx.app, "/search?q=%22kelp").await;
    assert!(
        reply.body.contains("1 post matches “&quot;kelp”."),
        "{}",
        reply.body
    );
    assert_eq!(
        get(&fx.app, "/").await.status,
        StatusCode::OK,
        "posts still there"
    );
}

#[tokio::test]
async fn markup_in_the_search_or_the_post_is_escaped() {
    let fx = build(
        10,
        &[(
            "https://odd.example/feed.xml",
            Some("Odd <b>Blog</b>"),
            "Odd",
            &[Item {
                guid: "odd-1",
                title: "Escaping <em>titles</em>",
                link: Some("https://odd.example/1"),
                author: None,
                day: 3,
                html: "<p>Text about kelp.</p>",
                text: "<script>alert(1)</script> kelp & tide <mark> \u{2}stray\u{1}",
                tags: &[],
            }],
        )],
    )
    .await;
    let reply = get(
        &fx.app,
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+kelp",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = &reply.body;
    assert!(!body.contains("<script>"), "{body}");
    assert!(!body.contains("<em>") && !body.contains("<b>"), "{body}");
    assert!(body.contains(r#"value="&lt;script&gt;alert(1)&lt;/script&gt; kelp""#));
    assert!(
        body.contains(
            // Markup in the search makes it one literal phrase, highlighted as one span.
            "&lt;<mark>script&gt;alert(1)&lt;/script&gt; kelp</mark> &amp; tide &lt;mark&gt; stray"
        ),
        "{body}"
    );
    assert_eq!(
        body.matches("<mark>").count(),
        body.matches("</mark>").count()
    );
}

#[tokio::test]
async fn results_paginate_with_prev_and_next_links() {
    let fx = fixture(1).await;
    let first = get(&fx.app, "/search?q=map").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("3 posts match “map”."));
    assert!(
        first
            .body
            .contains(r#"<link rel="next" href="/search?q=map&amp;page=2">"#)
    );
    assert!(!first.body.contains(r#"rel="prev""#));
    assert!(first.body.contains("Page 1 of 3"));

    let second = get(&fx.app, "/search?q=map&page=2").await;
    assert!(
        second
            .body
            .contains(r#"<a rel="prev" href="/search?q=map">"#),
        "{}",
        second.body
    );
    assert!(
        second
            .body
            .contains(r#"<a rel="next" href="/search?q=map&amp;page=3">"#)
    );

    let filtered = get(&fx.app, "/search?q=map&tag=map&page=2").await;
    assert!(
        filtered
            .body
            .contains(r#"<a rel="next" href="/search?q=map&amp;tag=map&amp;page=3">"#)
    );

    let mut shown = Vec::new();
    for page in 1..=3 {
        let reply = get(&fx.app, &format!("/search?q=map&page={page}")).await;
        shown.extend(
            [HARBOR, VECTOR, TIDE]
                .into_iter()
                .filter(|t| reply.body.contains(t)),
        );
    }
    shown.sort_unstable();
    shown.dedup();
    assert_eq!(shown.len(), 3, "every hit on exactly one page");

    for bad in ["4", "0", "abc", "-1"] {
        let reply = get(&fx.app, &format!("/search?q=map&page={bad}")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "page {bad}");
    }
    assert_eq!(
        get(&fx.app, "/search?page=2").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_empty_search_shows_only_the_form() {
    let fx = fixture(10).await;
    for uri in ["/search", "/search?q=", "/search?q=++"] {
        let reply = get(&fx.app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(reply.body.contains(r#"<form class="search" role="search""#));
        assert!(!reply.body.contains("match"), "{uri}: {}", reply.body);
        assert!(!reply.body.contains("<article"), "{uri}");
    }
    let reply = get(&fx.app, "/search?q=%2A%2A").await;
    assert!(
        reply.body.contains("No posts match “**”."),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn an_over_long_search_is_a_bad_request_with_a_reason() {
    let fx = fixture(10).await;
    assert_eq!(
        syndic_store::MAX_QUERY_CHARS,
        256,
        "the page's message names the limit"
    );
    let longest = "a".repeat(256);
    assert_eq!(
        get(&fx.app, &format!("/search?q={longest}")).await.status,
        StatusCode::OK
    );
    let reply = get(&fx.app, &format!("/search?q={longest}b")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body.contains("<h1>Bad request</h1>"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("at most 256 characters"));
    // Characters, not bytes: 256 two-byte letters are fine.
    let accented = "%C3%A9".repeat(256);
    assert_eq!(
        get(&fx.app, &format!("/search?q={accented}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn every_page_has_a_search_form_in_its_header() {
    let fx = fixture(10).await;
    for uri in ["/", "/tag/map/", "/search?q=kelp", "/nope"] {
        let reply = get(&fx.app, uri).await;
        assert_in_order(
            &reply.body,
            &[
                r#"<header class="site-header">"#,
                r#"<form class="site-search" role="search" method="get" action="/search">"#,
                r#"<label for="site-search-q">Search</label>"#,
                r#"<input type="search" id="site-search-q" name="q">"#,
                "</header>",
            ],
        );
    }
}

#[tokio::test]
async fn search_results_page() {
    // Page 2 of "tile" within rust: a text match with its mark, the filter, a prev link.
    let fx = fixture(1).await;
    let reply = get(&fx.app, "/search?q=tile&tag=rust&page=2").await;
    assert_eq!(reply.status, StatusCode::OK);
    insta::assert_snapshot!(reply.body);
}
