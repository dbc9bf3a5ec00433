//! The static site: every page the site map lists, rendered by the build's renderer, is
//! byte for byte what the router serves at its URL; every post and every listing page is
//! there exactly once, across chunk boundaries and publication-time ties.

mod common;

use std::collections::HashSet;

use axum::http::StatusCode;
use chrono::{Duration, TimeZone, Utc};
use common::{fixture, get, site};
use syndic_core::{FeedEntry, FeedMeta, TagAssignment, TagOrigin};
use syndic_store::testing::{TestDatabase, TestEngine};
use syndic_store::{IncomingPost, SourceSpec, Store};
use syndic_web::static_site::{Renderer, SiteMap};
use syndic_web::{AppState, router};

/// Renders every page of `state`'s site both ways and compares them; returns the URLs.
async fn assert_built_equals_served(state: &AppState) -> Vec<String> {
    let app = router(state.clone());
    let renderer = Renderer::new(state);
    let mut map = SiteMap::read(state).await.expect("site map");
    let expected = map.len();
    let mut urls = Vec::new();
    let mut seen = HashSet::new();
    while let Some(batch) = map.next_batch(state).await.expect("batch") {
        for page in batch {
            let url = page.path.url.clone();
            let built = renderer.render(&page).await.expect("rendered");
            let served = get(&app, &url).await;
            let status = if page.path.file == "404.html" {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            };
            assert_eq!(served.status, status, "{url}");
            assert!(
                built == served.body.as_bytes(),
                "{url} differs from the served page"
            );
            assert!(seen.insert(url.clone()), "{url} listed twice");
            urls.push(url);
        }
    }
    assert_eq!(
        urls.len() as u64,
        expected,
        "the map's length is its page count"
    );
    urls
}

#[tokio::test]
async fn every_built_page_of_the_fixture_site_is_the_served_page() {
    for per_page in [1, 2, 10] {
        let fx = fixture(per_page).await;
        let urls = assert_built_equals_served(&fx.state).await;
        let posts = urls.iter().filter(|url| url.starts_with("/post/")).count();
        assert_eq!(posts, 5, "every post has its page");
        assert!(
            urls.contains(&"/tag/travel/".to_owned()),
            "an empty tag has page 1"
        );
        let home_pages = urls.iter().filter(|url| url.starts_with("/page/")).count();
        assert_eq!(home_pages, 5_usize.div_ceil(per_page as usize) - 1);
    }
}

/// A store of `count` posts from two sources, in runs of five sharing one publication
/// time, every third tagged "map", with one title in another script.
async fn many_posts(store: Store, count: usize) -> Store {
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("a time");
    for source in 0..2 {
        let spec = SourceSpec {
            url: format!("https://blog{source}.example/feed.xml"),
            name: Some(format!("Blog {source}")),
        };
        let id = store.upsert_source(&spec, start).await.expect("source");
        let posts: Vec<IncomingPost> = (0..count)
            .filter(|n| n % 2 == source)
            .map(|n| post(n, start + Duration::hours((n / 5) as i64)))
            .collect();
        let meta = FeedMeta {
            title: Some(format!("Blog {source}")),
            site_url: None,
            description: None,
            deleted: Vec::new(),
        };
        let now = start + Duration::days(365);
        store.ingest(id, &meta, &posts, now).await.expect("ingest");
    }
    store
        .sync_tags(&["map".into(), "travel".into()], start)
        .await
        .expect("tags");
    store
}

fn post(n: usize, published: chrono::DateTime<Utc>) -> IncomingPost {
    let title = if n == 7 {
        "Über Karten und Pläne".to_owned()
    } else {
        format!("Post number {n}")
    };
    let tags = n
        .is_multiple_of(3)
        .then(|| TagAssignment {
            tag: "map".into(),
            origin: TagOrigin::Term,
            detail: "\"map\" in text".into(),
        })
        .into_iter()
        .collect();
    let entry = FeedEntry {
        guid: format!("post-{n}"),
        title,
        link: Some(format!("https://blog.example/{n}")),
        author: None,
        published: Some(published),
        updated: None,
        content_html: format!("<p>Text of post {n}.</p>"),
        content_text: format!("Text of post {n}."),
        categories: Vec::new(),
        language: None,
        origin: None,
        enclosures: Vec::new(),
        original_links: Vec::new(),
    };
    IncomingPost {
        entry,
        tags,
        stems: Vec::new(),
        admission: Default::default(),
    }
}

#[tokio::test]
async fn pages_across_chunks_and_tied_times_are_the_served_pages() {
    for engine in TestEngine::ALL {
        let test = "pages_across_chunks_and_tied_times_are_the_served_pages";
        let Some(db) = TestDatabase::new(engine, test) else {
            continue;
        };
        // 3 posts a page: chunks of 498 posts, so 1,100 posts make three chunks.
        let store = many_posts(db.open().await, 1_100).await;
        let state = AppState::new(store, site(3)).expect("built-in theme");
        let urls = assert_built_equals_served(&state).await;
        let posts = urls.iter().filter(|url| url.starts_with("/post/")).count();
        assert_eq!(posts, 1_100, "{engine:?}");
        assert!(
            urls.contains(&"/page/367/".to_owned()),
            "1,100 posts, 3 a page"
        );
        assert!(!urls.contains(&"/page/368/".to_owned()));
        assert!(
            urls.contains(&"/tag/map/page/123/".to_owned()),
            "367 map posts"
        );
    }
}
