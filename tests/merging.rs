//! Merging through the real binary, on both engines: the same article in a blog's RSS
//! feed, its Atom feed and an aggregator's feed (campaign parameters on the link) is one
//! post; its page, served and built, says "Also syndicated from" with each copy's own
//! link; `syndic explain --format json` lists three sources; `syndic post split` parts one
//! and the next fetch stores it as a post of its own.

mod common;

use std::path::Path;
use std::process::Command;

use common::{
    Database, Server, on_both_engines, quoted, run, stderr, stdout, syndic, write_config_on,
};

const TEXT: &str = "Kelp forests grow along cold coasts, where the water is rich in nutrients. \
    A single frond can add half a metre in a day, and the canopy shelters fish, urchins and \
    sea otters.";

fn rss(title: &str, guid: &str, link: &str, extra: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title>\
         <link>https://{title}.example/</link><item><guid isPermaLink=\"false\">{guid}</guid>\
         <title>Kelp forests</title><link>{link}</link>\
         <pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate>\
         <description>&lt;p&gt;{TEXT}&lt;/p&gt;</description>{extra}</item></channel></rss>"
    )
}

fn atom() -> String {
    format!(
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Blog</title>\
         <id>urn:blog</id><updated>2026-03-02T10:00:00Z</updated>\
         <entry><id>tag:blog.example,2026:kelp</id><title>Kelp forests</title>\
         <link href=\"http://blog.example/2026/kelp\"/>\
         <published>2026-03-02T10:00:00Z</published><updated>2026-03-02T10:00:00Z</updated>\
         <content type=\"html\">&lt;p&gt;{TEXT}&lt;/p&gt;</content></entry></feed>"
    )
}

const PLANET_LINK: &str =
    "https://www.blog.example/2026/kelp?utm_source=planet&amp;utm_medium=rss&amp;fbclid=x";

fn fetch(config: &Path) {
    let fetched = run(config, &["fetch"]);
    assert!(fetched.status.success(), "{}", stderr(&fetched));
}

fn explain(config: &Path, post: &str) -> serde_json::Value {
    let json = stdout(&run(config, &["explain", post, "--format", "json"]));
    serde_json::from_str(&json).expect("json")
}

fn one_article_in_three_feeds(database: &Database) {
    let dir = tempfile::tempdir().expect("tempdir");
    let blog_rss = dir.path().join("blog.rss");
    let blog_atom = dir.path().join("blog.atom");
    let planet = dir.path().join("planet.rss");
    std::fs::write(
        &blog_rss,
        rss("blog", "rss-1", "https://blog.example/2026/kelp/", ""),
    )
    .expect("write");
    std::fs::write(&blog_atom, atom()).expect("write");
    let via = "<source url=\"https://blog.example/rss.xml\">Blog</source>";
    std::fs::write(&planet, rss("planet", "planet-77", PLANET_LINK, via)).expect("write");
    // One more source at a time, so the order they are seen in is the feeds' order.
    let mut body = String::new();
    let mut config = dir.path().join("syndic.toml");
    for (path, name) in [
        (&blog_rss, "Blog RSS"),
        (&blog_atom, "Blog Atom"),
        (&planet, "Planet <Feeds>"),
    ] {
        body.push_str(&format!(
            "[[source]]\nurl = {}\nname = \"{name}\"\n\n",
            quoted(&path.display().to_string())
        ));
        config = write_config_on(dir.path(), &body, database);
        fetch(&config);
    }

    let report = explain(&config, "1");
    let sources = report["sources"].as_array().expect("sources");
    let urls: Vec<&str> = sources.iter().filter_map(|s| s["url"].as_str()).collect();
    let paths = [&blog_rss, &blog_atom, &planet].map(|p| p.display().to_string());
    assert_eq!(urls, paths.iter().map(String::as_str).collect::<Vec<_>>());
    let links: Vec<&str> = sources.iter().filter_map(|s| s["link"].as_str()).collect();
    assert_eq!(
        links,
        [
            "https://blog.example/2026/kelp/",
            "http://blog.example/2026/kelp",
            "https://www.blog.example/2026/kelp?utm_source=planet&utm_medium=rss&fbclid=x"
        ]
    );
    let why: Vec<&str> = sources.iter().filter_map(|s| s["why"].as_str()).collect();
    assert_eq!(why, ["own", "link", "link"]);
    let text = stdout(&run(&config, &["explain", "1"]));
    assert!(text.contains("same link"), "{text}");

    let mut command: Command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config);
    let server = Server::start(command);
    let (status, page) = server.get("/post/1/kelp-forests/");
    assert_eq!(status, 200, "{page}");
    let line = page
        .lines()
        .find(|l| l.contains("Also syndicated from"))
        .unwrap_or_else(|| panic!("no line in {page}"));
    insta::assert_snapshot!("also_syndicated_line", line);
    let (_, home) = server.get("/");
    assert_eq!(home.matches("/post/1/kelp-forests/").count(), 1, "{home}");
    assert!(!home.contains("/post/2/"), "{home}");
    drop(server);

    let out = dir.path().join("site");
    let built = run(&config, &["build", out.to_str().expect("utf-8 path")]);
    assert!(built.status.success(), "{}", stderr(&built));
    let written = std::fs::read_to_string(out.join("post/1/kelp-forests/index.html"))
        .expect("the build writes the post page");
    assert_eq!(written, page);

    // A wrong merge undone: split by name, refetched, two posts, and it stays apart.
    let split = run(&config, &["post", "split", "1", "Planet <Feeds>"]);
    assert!(split.status.success(), "{}", stderr(&split));
    assert_eq!(
        explain(&config, "1")["sources"].as_array().map(Vec::len),
        Some(2)
    );
    fetch(&config);
    fetch(&config);
    let second = explain(&config, "2");
    assert_eq!(second["sources"][0]["url"], paths[2]);
    assert!(!stdout(&run(&config, &["explain", "3"])).contains("post 3"));
    let audit = stdout(&run(&config, &["audit"]));
    assert!(audit.contains("split"), "{audit}");
    let again = run(&config, &["post", "split", "1", "Planet <Feeds>"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("carries no copy"),
        "{}",
        stderr(&again)
    );
    let unknown = run(&config, &["post", "split", "1", "Nobody"]);
    assert!(
        stderr(&unknown).contains("no source \"Nobody\""),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn one_article_in_three_feeds_is_one_post_with_three_sources() {
    on_both_engines("one_article_in_three_feeds", one_article_in_three_feeds);
}
