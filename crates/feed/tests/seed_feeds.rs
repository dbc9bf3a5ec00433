//! The twelve real feeds in `../shared/fixtures/seed-feeds/` against the posts their
//! `expected.json` lists: each expected post is found by its link, with the expected title,
//! publication time and attribution (the item's author, else the feed's title). Skipped
//! when the folder is absent. The files are test data only and are never copied here.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use syndic_feed::Parsed;

#[derive(Deserialize)]
struct Expected {
    file: String,
    feed_title: String,
    title: String,
    url: String,
    syndicated_from: String,
    published: DateTime<Utc>,
}

#[path = "../../../tests/common/shared_folder.rs"]
mod shared_folder;

#[test]
fn seed_feeds_yield_the_expected_posts() {
    let Some(dir) = shared_folder::shared_path("fixtures/seed-feeds") else {
        println!("{}", shared_folder::skip_reason("the seed feeds"));
        return;
    };
    let expected = std::fs::read(dir.join("expected.json")).expect("seed-feeds/expected.json");
    let expected: Vec<Expected> = serde_json::from_slice(&expected).expect("expected.json");
    assert!(!expected.is_empty());

    let mut parsed: HashMap<String, Parsed> = HashMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seed dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n != "expected.json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 12, "twelve seed feeds");
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(path).expect("readable");
        let feed = syndic_feed::parse(&bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!feed.entries.is_empty(), "{name}: no entries");
        for entry in &feed.entries {
            assert!(!entry.content_text.contains("\n\n\n"), "{name}: 3 newlines");
            assert!(
                !entry.content_html.contains("<script"),
                "{name}: script kept"
            );
        }
        parsed.insert(name, feed);
    }

    for post in &expected {
        let feed = parsed
            .get(&post.file)
            .unwrap_or_else(|| panic!("{} not parsed", post.file));
        assert_eq!(
            feed.meta.title.as_deref(),
            Some(post.feed_title.as_str()),
            "{}",
            post.file
        );
        let entry = feed
            .entries
            .iter()
            .find(|e| e.link.as_deref() == Some(post.url.as_str()))
            .unwrap_or_else(|| panic!("{}: no entry links to {}", post.file, post.url));
        assert_eq!(entry.title, post.title, "{}", post.url);
        assert_eq!(entry.published, Some(post.published), "{}", post.url);
        let attribution = entry.author.as_deref().or(feed.meta.title.as_deref());
        assert_eq!(
            attribution,
            Some(post.syndicated_from.as_str()),
            "{}",
            post.url
        );
    }
    println!(
        "seed feeds: {} files, {} expected posts found",
        files.len(),
        expected.len()
    );
}
