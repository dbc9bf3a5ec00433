//! The archive exports: the seeds' text form and the standalone HTML page.

mod common;

use common::{fixture, site};
use syndic_web::export::{archive_html, archive_text, archive_text_for};

#[tokio::test]
async fn text_export_has_the_seeds_exact_form() {
    let fx = fixture(10).await;
    let posts = fx.tag_posts("map").await;
    let text = archive_text("map", &posts);
    let expected = "Tag Archives: map\n\n\
        A\u{a0}new map of the harbor\n\n\
        Post Syndicated from Marisol Vega original https://tidepool.example/?p=5&lang=en\n\n\
        The harbor survey is done.\n\n\
        Rendering vector maps in Rust\n\n\
        Post Syndicated from Lamplight Engineering original https://lamplight.example/posts/vector-maps\n\n\
        Tiles are drawn on demand:\n\n    let tile = cache.get(z, x, y)?;\n\n\
        Mapping the tide pools of Point Lobos\n\n\
        Post Syndicated from Marisol Vega original https://tidepool.example/2026/03/mapping-tide-pools\n\n\
        We walked the low-tide line with a GPS and a notebook.\n\n- 42 pools\n- 3 octopuses\n\n";
    assert_eq!(text, expected);
    insta::assert_snapshot!("archive_text_map", text);
}

#[tokio::test]
async fn text_export_of_posts_without_a_link() {
    let fx = fixture(10).await;
    let posts = fx.tag_posts("rust").await;
    let bare = archive_text("rust", &posts);
    assert!(bare.contains(
        "A faster tile cache\n\nPost Syndicated from Lamplight Engineering original \n\n"
    ));
    let linked = archive_text_for(&site(10), "rust", &posts);
    assert!(linked.contains(
        "A faster tile cache\n\nPost Syndicated from Lamplight Engineering original https://hub.example/post/5/a-faster-tile-cache/\n\n"
    ));
    assert_eq!(archive_text("travel", &[]), "Tag Archives: travel\n\n");
}

#[tokio::test]
async fn html_export_is_a_standalone_page() {
    let fx = fixture(10).await;
    let posts = fx.tag_posts("map").await;
    let html = archive_html(&site(10), "map", &posts).expect("export");
    assert!(html.contains("<h1>Tag Archives: map</h1>"));
    assert!(html.contains("<style>"));
    assert!(!html.contains("/static/style.css"));
    assert!(
        html.contains(r#"<a href="https://hub.example/post/4/rendering-vector-maps-in-rust/">"#)
    );
    assert!(html.contains(r#"<a href="https://hub.example/tag/rust/" rel="tag">"#));
    insta::assert_snapshot!("archive_html_map", html);
}
