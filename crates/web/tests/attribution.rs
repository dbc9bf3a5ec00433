//! A source's attribution template on its post pages and in the output feeds, escaped,
//! beside a source on the default line.

mod common;

use axum::http::StatusCode;
use common::{fixture, get};
use syndic_store::SourceSettings;

/// The `<p class="attribution">` paragraph of a page.
fn attribution_paragraph(body: &str) -> &str {
    let start = body
        .find("<p class=\"attribution\">")
        .expect("an attribution line");
    let end = body[start..].find("</p>").expect("closed") + start + "</p>".len();
    &body[start..end]
}

#[tokio::test]
async fn a_sources_attribution_template_shows_on_its_post_pages_and_in_feeds() {
    let fx = fixture(10).await;
    let sources = fx.store().sources().await.expect("sources");
    let lamplight = sources
        .iter()
        .find(|s| s.url.contains("lamplight"))
        .expect("lamplight");
    let settings = SourceSettings {
        attribution: Some("\u{201c}{title}\u{201d} by {author} <via {source}> at {link}".into()),
        ..SourceSettings::default()
    };
    fx.store()
        .sync_source_settings(lamplight.id, &settings)
        .await
        .expect("settings");

    let page = get(&fx.app, "/post/4/rendering-vector-maps-in-rust/").await;
    assert_eq!(page.status, StatusCode::OK);
    insta::assert_snapshot!(
        "templated_post_page_attribution",
        attribution_paragraph(&page.body)
    );
    // The other source keeps the default line.
    let home = get(&fx.app, "/").await.body;
    assert!(
        home.contains("Post Syndicated from Marisol Vega original"),
        "{home}"
    );
    assert!(
        home.contains("by Lamplight Engineering &lt;via Lamplight Engineering&gt; at"),
        "{home}"
    );
    insta::assert_snapshot!(
        "templated_map_feed_atom",
        get(&fx.app, "/tag/map/feed.atom").await.body
    );
}
