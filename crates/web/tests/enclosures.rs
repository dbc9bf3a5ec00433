//! A post's files on its page (native players, download links, escaped) and in every
//! output feed (RSS: the first; Atom and JSON Feed: all), read back with feed-rs.

mod common;

use axum::http::StatusCode;
use common::{Fixture, at, build, get};
use syndic_core::{Enclosure, FeedEntry, FeedMeta, PostId, TagAssignment, TagOrigin};
use syndic_store::{IncomingPost, SourceSpec};

fn files() -> Vec<Enclosure> {
    vec![
        Enclosure {
            url: "https://cdn.example/show/episode-7.mp3".into(),
            mime_type: "audio/mpeg".into(),
            length: Some(38_200_000),
            title: Some("Episode 7: <b>tides</b> & \"currents\"".into()),
            thumbnail: Some("https://cdn.example/show/7.jpg".into()),
            duration: Some(3723),
        },
        Enclosure {
            url: "https://cdn.example/show/episode-7.webm".into(),
            mime_type: String::new(),
            length: None,
            title: None,
            thumbnail: Some("https://cdn.example/show/7-poster.jpg".into()),
            duration: None,
        },
        Enclosure {
            url: "https://cdn.example/show/notes%207.pdf?dl=1&x=\"2\"".into(),
            mime_type: "application/pdf".into(),
            length: Some(1_500),
            title: None,
            thumbnail: None,
            duration: None,
        },
    ]
}

/// The fixture's store plus a podcast source with one episode carrying [`files`].
async fn podcast() -> (Fixture, PostId) {
    let fx = build(10, &[]).await;
    let store = fx.store();
    let spec = SourceSpec {
        url: "https://pod.example/feed.xml".into(),
        name: Some("Tide Talk".into()),
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    let meta = FeedMeta {
        title: Some("Tide Talk".into()),
        site_url: None,
        description: None,
        deleted: Vec::new(),
    };
    let entry = FeedEntry {
        guid: "ep7".into(),
        title: "Episode 7".into(),
        link: Some("https://pod.example/7".into()),
        author: None,
        published: Some(at(5)),
        updated: None,
        content_html: "<p>Tides and currents.</p>".into(),
        content_text: "Tides and currents.".into(),
        categories: Vec::new(),
        language: None,
        origin: None,
        enclosures: files(),
        original_links: Vec::new(),
    };
    let post = IncomingPost {
        entry,
        tags: vec![TagAssignment {
            tag: "tides".into(),
            origin: TagOrigin::Term,
            detail: "\"tides\" in text".into(),
        }],
        stems: Vec::new(),
        admission: Default::default(),
    };
    store
        .ingest(source, &meta, &[post], at(10))
        .await
        .expect("ingest");
    let id = store
        .find_post("https://pod.example/7")
        .await
        .expect("find")
        .expect("stored");
    (fx, id)
}

#[tokio::test]
async fn the_post_page_plays_audio_and_video_and_links_every_file() {
    let (fx, id) = podcast().await;
    let page = get(&fx.app, &format!("/post/{id}/episode-7/")).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(
        body.contains(r#"<audio controls preload="none"><source src="https://cdn.example/show/episode-7.mp3" type="audio/mpeg"></audio>"#),
        "{body}"
    );
    assert!(
        body.contains("<video controls preload=\"none\" poster="),
        "{body}"
    );
    assert!(!body.contains("<b>tides</b>"), "titles are escaped: {body}");
    assert!(body.contains("(audio/mpeg, 38.2 MB, 1:02:03)"), "{body}");
    assert!(body.contains("(application/pdf, 1.5 kB)"), "{body}");
    assert_eq!(body.matches("<audio").count(), 1);
    assert_eq!(body.matches("<video").count(), 1, "the PDF has no player");
    insta::assert_snapshot!(
        "post_page_with_enclosures",
        common::without_stylesheet_version(body)
    );
}

#[tokio::test]
async fn archives_link_the_files_without_players() {
    let (fx, _) = podcast().await;
    let archive = get(&fx.app, "/tag/tides/").await;
    assert_eq!(archive.status, StatusCode::OK);
    assert!(
        archive.body.contains("class=\"enclosures\""),
        "{}",
        archive.body
    );
    assert!(!archive.body.contains("<audio"), "{}", archive.body);
    assert!(!archive.body.contains("<video"), "{}", archive.body);
}

/// The enclosures feed-rs reads in `body`'s only entry: (url, type, length).
fn read_back(body: &str) -> Vec<(String, String, Option<u64>)> {
    let feed = feed_rs::parser::parse(body.as_bytes())
        .unwrap_or_else(|err| panic!("feed-rs cannot read it: {err}\n{body}"));
    assert_eq!(feed.entries.len(), 1);
    let entry = &feed.entries[0];
    let from_links = entry
        .links
        .iter()
        // Atom's enclosure links; JSON Feed's attachments are links without a rel.
        .filter(|link| match link.rel.as_deref() {
            Some(rel) => rel == "enclosure",
            None => link.media_type.is_some(),
        })
        .map(|link| {
            let mime = link.media_type.clone().unwrap_or_default();
            (link.href.clone(), mime, link.length)
        });
    let from_media = entry.media.iter().flat_map(|media| {
        media.content.iter().filter_map(|content| {
            let url = content.url.as_ref()?.to_string();
            let mime = content
                .content_type
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_default();
            Some((url, mime, content.size))
        })
    });
    from_links.chain(from_media).collect()
}

#[tokio::test]
async fn every_feed_carries_the_files_and_rss_the_first() {
    let (fx, _) = podcast().await;
    let pdf = "https://cdn.example/show/notes%207.pdf?dl=1&x=%222%22".to_owned();
    let mp3 = "https://cdn.example/show/episode-7.mp3".to_owned();
    let webm = "https://cdn.example/show/episode-7.webm".to_owned();
    let all = vec![
        (mp3.clone(), "audio/mpeg".to_owned(), Some(38_200_000)),
        (webm, "video/webm".to_owned(), None),
        (pdf, "application/pdf".to_owned(), Some(1_500)),
    ];
    for listing in ["/", "/tag/tides/", "/source/tide-talk/"] {
        let atom = get(&fx.app, &format!("{listing}feed.atom")).await.body;
        assert_eq!(read_back(&atom), all, "{listing}feed.atom");
        let rss = get(&fx.app, &format!("{listing}feed.rss")).await.body;
        let first = vec![(mp3.clone(), "audio/mpeg".to_owned(), Some(38_200_000))];
        assert_eq!(read_back(&rss), first, "{listing}feed.rss");
        let json = get(&fx.app, &format!("{listing}feed.json")).await.body;
        assert_eq!(read_back(&json), all, "{listing}feed.json");
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        let attachments = &parsed["items"][0]["attachments"];
        assert_eq!(attachments.as_array().map(Vec::len), Some(3), "{json}");
        assert_eq!(attachments[0]["duration_in_seconds"], 3723);
        assert_eq!(
            attachments[0]["title"],
            "Episode 7: <b>tides</b> & \"currents\""
        );
        assert_eq!(attachments[1]["mime_type"], "video/webm", "guessed");
        assert_eq!(attachments[1].get("size_in_bytes"), None, "unknown");
    }
    let source = "/source/tide-talk/";
    for (name, file) in [
        ("podcast_feed_rss", "feed.rss"),
        ("podcast_feed_atom", "feed.atom"),
        ("podcast_feed_json", "feed.json"),
    ] {
        let body = get(&fx.app, &format!("{source}{file}")).await.body;
        insta::assert_snapshot!(name, body);
    }
}
