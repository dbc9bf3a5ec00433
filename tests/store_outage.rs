//! A PostgreSQL server that is not up yet, or goes away under a running `syndic serve`:
//! start-up waits for it, `/healthz` and pages answer `503` (pages with `Retry-After`)
//! while it is gone, and serving and fetching carry on once it is back. Each test runs a
//! cluster of its own (`.ci/postgres.sh`) and skips, saying why, when there is none.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::private_postgres::PrivateCluster;
use common::{Server, quoted, sources, syndic, tag};

fn feed(dir: &Path, titles: &[&str]) {
    let items: String = titles
        .iter()
        .enumerate()
        .map(|(n, title)| {
            format!(
                "<item><guid>outage-{n}</guid><title>{title}</title>\
                 <link>https://blog.example/{n}</link>\
                 <pubDate>Tue, 03 Mar 2026 1{n}:00:00 +0000</pubDate>\
                 <description>A post about a map.</description></item>"
            )
        })
        .collect();
    let rss = format!("<rss version=\"2.0\"><channel><title>Blog</title>{items}</channel></rss>");
    std::fs::write(dir.join("blog.rss"), rss).expect("write feed");
}

/// A configuration on `url` fetching one local feed every second or two, whose requests
/// may wait a minute (so a quick `503` cannot come from the request deadline).
fn config(dir: &Path, url: &str) -> PathBuf {
    let path = dir.join("syndic.toml");
    let text = format!(
        "[database]\nurl = {}\n\n[server]\nrequest_timeout = \"60s\"\n\n\
         [fetch]\nmin_interval = \"1s\"\nmax_interval = \"2s\"\n\n{}{}",
        quoted(url),
        sources(&["blog.rss"]),
        tag("map", &["map"], "word")
    );
    std::fs::write(&path, text).expect("write config");
    path
}

fn serve(config: &Path) -> Server {
    let mut command = syndic();
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(config);
    Server::start_logged(command)
}

/// Asks `path` until `done` holds for the answer, for at most `within`.
fn wait_for(server: &Server, path: &str, within: Duration, done: impl Fn(u16, &str) -> bool) {
    let until = Instant::now() + within;
    loop {
        let (status, body) = server.get(path);
        if done(status, &body) {
            return;
        }
        assert!(
            Instant::now() < until,
            "{path} still answers {status} after {within:?}: {body}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn serve_waits_for_a_database_that_is_not_up_yet() {
    let Some(cluster) = PrivateCluster::start("serve_waits_for_a_database_that_is_not_up_yet")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    feed(dir.path(), &["A map before start-up"]);
    let config = config(dir.path(), &cluster.url);
    cluster.stop();
    let server = std::thread::scope(|scope| {
        scope.spawn(|| {
            // Long enough for a few attempts to fail first.
            std::thread::sleep(Duration::from_secs(3));
            cluster.resume();
        });
        serve(&config)
    });
    let log = server.log();
    assert!(
        log.contains("the store cannot be reached yet") && log.contains("trying again in"),
        "{log}"
    );
    let (status, health) = server.get("/healthz");
    assert_eq!(status, 200, "{health}");
    assert!(
        health.contains(r#""store":"ok""#) && health.contains(r#""role":"serve""#),
        "{health}"
    );
}

#[test]
fn a_database_gone_under_serve_gives_503_at_once_and_everything_carries_on_once_back() {
    let test = "a_database_gone_under_serve_gives_503_at_once_and_everything_carries_on_once_back";
    let Some(cluster) = PrivateCluster::start(test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    feed(dir.path(), &["A map before the outage"]);
    let server = serve(&config(dir.path(), &cluster.url));
    wait_for(
        &server,
        "/tag/map/",
        Duration::from_secs(30),
        |status, page| status == 200 && page.contains("A map before the outage"),
    );

    cluster.stop();
    let asked = Instant::now();
    let (status, health) = server.get("/healthz");
    let health_took = asked.elapsed();
    assert_eq!(status, 503, "{health}");
    assert!(health.contains(r#""store":"unreachable""#), "{health}");
    let asked = Instant::now();
    let (status, head, page) = server.get_with_head("/tag/map/");
    let page_took = asked.elapsed();
    assert_eq!(status, 503, "{head}\n{page}");
    assert!(head.to_lowercase().contains("\r\nretry-after: 5"), "{head}");
    assert!(page.contains("unavailable for a moment"), "{page}");
    println!(
        "store down: /healthz answered in {} ms, /tag/map/ in {} ms",
        health_took.as_millis(),
        page_took.as_millis()
    );

    cluster.resume();
    wait_for(&server, "/healthz", Duration::from_secs(60), |status, _| {
        status == 200
    });
    // The scheduler lived through the outage: a new post is fetched and shown.
    feed(
        dir.path(),
        &["A map before the outage", "A map after the outage"],
    );
    wait_for(
        &server,
        "/tag/map/",
        Duration::from_secs(120),
        |status, page| status == 200 && page.contains("A map after the outage"),
    );
}
