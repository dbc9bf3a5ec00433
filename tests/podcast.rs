//! A podcast followed through syndic stays a podcast (issue 16): a podcast RSS feed read by
//! the real `syndic fetch`, then the site's feeds (served and built) read back by feed-rs
//! carry every episode's enclosure with its address, type and length, and the episode
//! pages play them. A hostile episode's `javascript:` and `data:` files are never stored.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Database, Server, on_both_engines, quoted, run, stderr, syndic, write_config_on};

/// (guid, title, file, type, length, duration) of each episode, newest first.
const EPISODES: [(&str, &str, &str, &str, u64, &str); 3] = [
    (
        "ep3",
        "Episode three",
        "https://cdn.pod.example/ep3.m4a",
        "audio/x-m4a",
        31_000_000,
        "52:10",
    ),
    (
        "ep2",
        "Episode two",
        "https://cdn.pod.example/ep2.mp4",
        "video/mp4",
        480_000_000,
        "1:02:03",
    ),
    (
        "ep1",
        "Episode one",
        "https://cdn.pod.example/ep1.mp3",
        "audio/mpeg",
        24_000_000,
        "1800",
    ),
];

fn podcast_feed() -> String {
    let mut items = String::new();
    for (day, (guid, title, url, mime, length, duration)) in EPISODES.iter().enumerate() {
        items.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title>\
             <link>https://pod.example/{guid}</link>\
             <pubDate>Sun, 0{} Mar 2026 10:00:00 GMT</pubDate>\
             <description>Show notes of {title}.</description>\
             <enclosure url=\"{url}\" type=\"{mime}\" length=\"{length}\"/>\
             <itunes:duration>{duration}</itunes:duration>{image}</item>",
            8 - day,
            image = if *guid == "ep3" {
                "<itunes:image href=\"https://pod.example/ep3.jpg\"/>"
            } else {
                ""
            }
        ));
    }
    // A hostile episode: its files must never reach the store.
    items.push_str(
        "<item><guid>bad</guid><title>Hostile</title><link>https://pod.example/bad</link>\
         <pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate>\
         <enclosure url=\"javascript:alert(1)\" type=\"audio/mpeg\" length=\"1\"/>\
         <enclosure url=\"data:audio/mpeg;base64,AAAA\" type=\"audio/mpeg\" length=\"1\"/>\
         </item>",
    );
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" \
         xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>\
         <title>Tide Talk</title><link>https://pod.example/</link>\
         <description>A podcast</description>{items}</channel></rss>"
    )
}

/// (url, type, length) of every enclosure feed-rs reads in `body`, entry by entry.
fn enclosures(body: &str) -> Vec<Vec<(String, String, Option<u64>)>> {
    let feed = feed_rs::parser::parse(body.as_bytes())
        .unwrap_or_else(|err| panic!("feed-rs cannot read it: {err}\n{body}"));
    feed.entries
        .iter()
        .map(|entry| {
            // RSS enclosures are media objects; Atom's are links; JSON Feed's attachments
            // are links without a rel.
            let links = entry.links.iter().filter(|link| match link.rel.as_deref() {
                Some(rel) => rel == "enclosure",
                None => link.media_type.is_some(),
            });
            let links = links.map(|link| {
                let mime = link.media_type.clone().unwrap_or_default();
                (link.href.clone(), mime, link.length)
            });
            let media = entry.media.iter().flat_map(|media| &media.content);
            let media = media.filter_map(|content| {
                let mime = content.content_type.as_ref().map(|m| m.to_string());
                Some((content.url.as_ref()?.to_string(), mime?, content.size))
            });
            links.chain(media).collect()
        })
        .collect()
}

fn expected() -> Vec<Vec<(String, String, Option<u64>)>> {
    let mut expected: Vec<_> = EPISODES
        .iter()
        .map(|(_, _, url, mime, length, _)| {
            vec![((*url).to_owned(), (*mime).to_owned(), Some(*length))]
        })
        .collect();
    expected.push(Vec::new());
    expected
}

fn serve(config: &Path) -> Server {
    let mut command: Command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(config);
    Server::start(command)
}

fn round_trip(database: &Database) {
    let dir = tempfile::tempdir().expect("tempdir");
    let feed = dir.path().join("tide-talk.xml");
    std::fs::write(&feed, podcast_feed()).expect("write feed");
    let body = format!(
        "[[source]]\nurl = {}\nname = \"Tide Talk\"\n",
        quoted(&feed.display().to_string())
    );
    let config = write_config_on(dir.path(), &body, database);
    let fetched = run(&config, &["fetch"]);
    assert!(fetched.status.success(), "{}", stderr(&fetched));

    let server = serve(&config);
    for listing in ["/", "/source/tide-talk/"] {
        for file in ["feed.rss", "feed.atom", "feed.json"] {
            let (status, body) = server.get(&format!("{listing}{file}"));
            assert_eq!(status, 200, "{listing}{file}: {body}");
            assert_eq!(enclosures(&body), expected(), "{listing}{file}");
        }
    }
    let (_, rss) = server.get("/feed.rss");
    for podcast_app_reads in [
        "xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"",
        "<itunes:duration>0:52:10</itunes:duration>",
        "<itunes:image href=\"https://pod.example/ep3.jpg\"/>",
        "<itunes:duration>1:02:03</itunes:duration>",
        "<itunes:duration>0:30:00</itunes:duration>",
    ] {
        assert!(
            rss.contains(podcast_app_reads),
            "{podcast_app_reads}: {rss}"
        );
    }
    let (status, page) = server.get("/post/1/episode-three/");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("<audio controls preload=\"none\"><source src=\"https://cdn.pod.example/ep3.m4a\" type=\"audio/x-m4a\"></audio>"),
        "{page}"
    );
    assert!(page.contains("(audio/x-m4a, 31.0 MB, 52:10)"), "{page}");
    assert!(
        page.contains("<img class=\"cover\" src=\"https://pod.example/ep3.jpg\""),
        "without a media cache the cover comes from its origin: {page}"
    );
    let (_, page) = server.get("/post/2/episode-two/");
    assert!(page.contains("<video controls preload=\"none\">"), "{page}");
    let (_, hostile) = server.get("/post/4/hostile/");
    assert!(!hostile.contains("class=\"enclosures\""), "{hostile}");
    assert!(!hostile.contains("javascript:"), "{hostile}");
    drop(server);

    let out = dir.path().join("site");
    let built = run(&config, &["build", out.to_str().expect("utf-8 path")]);
    assert!(built.status.success(), "{}", stderr(&built));
    for file in ["feed.rss", "feed.atom", "feed.json"] {
        let body = std::fs::read_to_string(out.join(file)).expect("built feed");
        assert_eq!(enclosures(&body), expected(), "built {file}");
    }
    let page = std::fs::read_to_string(out.join("post/1/episode-three/index.html"))
        .expect("built post page");
    assert!(page.contains("<audio controls preload=\"none\">"), "{page}");
}

#[test]
fn a_podcast_round_trips_through_the_site_s_feeds_with_every_enclosure() {
    on_both_engines("podcast_round_trip", round_trip);
}
