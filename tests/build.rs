//! `syndic build`: the static site matches the served one and rebuilds touch only changes.

mod common;

use common::{Server, run, sources, stderr, stdout, syndic, tag, write_config};

fn feed(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title)| {
            format!(
                "<item><guid>{guid}</guid><title>{title}</title><link>https://blog.example/{guid}</link>\
                 <pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate><description>About a map.</description></item>"
            )
        })
        .collect();
    format!(
        "<rss version=\"2.0\"><channel><title>Blog</title><link>https://blog.example/</link>{items}</channel></rss>"
    )
}

#[test]
fn the_static_site_matches_the_served_one_and_rebuilds_only_what_changed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let feed_path = dir.path().join("blog.rss");
    std::fs::write(&feed_path, feed(&[("a", "First map"), ("b", "Second map")])).expect("write");
    let config = write_config(
        dir.path(),
        &format!("{}{}", sources(&["blog.rss"]), tag("map", &["map"], "word")),
    );
    assert!(run(&config, &["fetch"]).status.success());

    let out = dir.path().join("site");
    let built = run(&config, &["build", out.to_str().expect("utf-8 path")]);
    assert!(built.status.success(), "{}", stderr(&built));
    for file in [
        "index.html",
        "tag/map/index.html",
        "tag/map/feed.atom",
        "feed.json",
        "sources.opml",
        "static/style.css",
        "404.html",
    ] {
        assert!(
            out.join(file).is_file(),
            "{file} missing; built:\n{}",
            stdout(&built)
        );
    }

    let mut command = syndic();
    command
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .args(["--listen", "127.0.0.1:0"]);
    let server = Server::start(command);
    let (status, served) = server.get("/tag/map/");
    assert_eq!(status, 200);
    let file = std::fs::read_to_string(out.join("tag/map/index.html")).expect("archive file");
    assert_eq!(file, served, "the built archive is the served archive");
    drop(server);

    let again = run(&config, &["build", out.to_str().expect("utf-8 path")]);
    assert!(stdout(&again).contains(" 0 written"), "{}", stdout(&again));

    std::fs::write(
        &feed_path,
        feed(&[("a", "First map, revised"), ("b", "Second map")]),
    )
    .expect("write");
    assert!(run(&config, &["fetch"]).status.success());
    let changed = run(&config, &["build", out.to_str().expect("utf-8 path")]);
    let report = stdout(&changed);
    assert!(!report.contains(" 0 written"), "{report}");
    assert!(
        report.contains("1 removed"),
        "the old post URL is gone: {report}"
    );
    let archive = std::fs::read_to_string(out.join("tag/map/index.html")).expect("archive file");
    assert!(archive.contains("First map, revised"), "{archive}");
}
