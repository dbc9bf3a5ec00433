//! `syndic serve` with its page cache and its bounds, as a user runs it: a change made by
//! another process (the CLI) is served at the next request, `[server]` bounds are in force.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::{Server, run, sources, syndic, tag, write_config};

fn rss_item(guid: &str, title: &str, date: &str) -> String {
    format!(
        "<item><guid>{guid}</guid><title>{title}</title><link>https://blog.example/{guid}</link>\
         <pubDate>{date}</pubDate><description>A post about {title}.</description></item>"
    )
}

/// A fetched store (a map post and a kelp post) served by `syndic serve` with `server`
/// as its `[server]` section.
fn served(dir: &std::path::Path, server: &str) -> Server {
    let items = [
        rss_item("one", "Harbor map", "Mon, 02 Mar 2026 10:00:00 +0000"),
        rss_item("two", "Kelp notes", "Tue, 03 Mar 2026 10:00:00 +0000"),
    ]
    .concat();
    let feed = format!("<rss version=\"2.0\"><channel><title>Blog</title>{items}</channel></rss>");
    std::fs::write(dir.join("blog.rss"), feed).expect("write");
    let config = write_config(
        dir,
        &format!(
            "[server]\n{server}\n\n{}{}",
            sources(&["blog.rss"]),
            tag("map", &["map"], "word")
        ),
    );
    assert!(run(&config, &["fetch"]).status.success());
    let mut command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config);
    Server::start(command)
}

#[test]
fn a_change_made_by_the_cli_is_served_at_the_next_request_even_two_in_one_second() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = served(dir.path(), "");
    let config = dir.path().join("syndic.toml");
    let archive = || server.get("/tag/map/").1;
    assert!(!archive().contains("Kelp notes"));
    assert!(!archive().contains("Kelp notes"), "from the cache");
    // Two changes back to back, each seen by the request after it.
    for round in 0..2 {
        let added = run(&config, &["tag", "add", "2", "map"]);
        assert!(added.status.success(), "{}", common::stderr(&added));
        assert!(archive().contains("Kelp notes"), "added, round {round}");
        let removed = run(&config, &["tag", "remove", "2", "map"]);
        assert!(removed.status.success(), "{}", common::stderr(&removed));
        assert!(!archive().contains("Kelp notes"), "removed, round {round}");
    }
}

#[test]
fn server_bounds_from_the_configuration_are_in_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = served(
        dir.path(),
        "header_read_timeout = \"300ms\"\npage_cache = \"0\"",
    );
    assert_eq!(server.get("/tag/map/").0, 200);

    let mut half_sent = std::net::TcpStream::connect(&server.address).expect("connect");
    half_sent
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    half_sent.write_all(b"GET / HTTP/1.1\r\nHo").expect("send");
    let mut rest = Vec::new();
    let closed = match half_sent.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(err) => err.kind() == std::io::ErrorKind::ConnectionReset,
    };
    assert!(closed, "the half-sent request is closed after 300 ms");

    let mut no_host = std::net::TcpStream::connect(&server.address).expect("connect");
    no_host
        .write_all(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut reply = String::new();
    no_host.read_to_string(&mut reply).expect("reply");
    assert!(reply.starts_with("HTTP/1.1 400 Bad Request"), "{reply}");
    assert!(reply.contains("Host header"), "{reply}");
}
