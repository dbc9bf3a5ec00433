//! `syndic serve` keeps the sources fresh on its own: a source never fetched gets its first
//! fetch within `min(min_interval, 5 min)` of start-up, its posts then show on the site and
//! in `/metrics`; with `--no-fetch` the same configuration is served but never fetched.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{Server, sources, syndic, tag, write_config};

const TITLE: &str = "Scheduled map post";

/// A configuration with one local feed nobody has fetched yet, and a 1 s minimum interval
/// so that the scheduler's first fetch comes within about a second.
fn unfetched_config(dir: &Path) -> PathBuf {
    let feed = format!(
        "<rss version=\"2.0\"><channel><title>Blog</title><item><guid>sched</guid>\
         <title>{TITLE}</title><link>https://blog.example/sched</link>\
         <pubDate>Tue, 03 Mar 2026 10:00:00 +0000</pubDate>\
         <description>A post about a map.</description></item></channel></rss>"
    );
    std::fs::write(dir.join("blog.rss"), feed).expect("write feed");
    write_config(
        dir,
        &format!(
            "[fetch]\nmin_interval = \"1s\"\n\n{}{}",
            sources(&["blog.rss"]),
            tag("map", &["map"], "word")
        ),
    )
}

fn serve(config: &Path, extra: &[&str]) -> Server {
    let mut command = syndic();
    command
        .arg("serve")
        .arg("--config")
        .arg(config)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra);
    Server::start(command)
}

/// The value of `syndic_fetches_total{outcome="ok"}` in `/metrics` (0 when absent).
fn ok_fetches(server: &Server) -> f64 {
    let (status, metrics) = server.get("/metrics");
    assert_eq!(status, 200, "{metrics}");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("syndic_fetches_total{outcome=\"ok\"} "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0.0)
}

#[test]
fn serve_fetches_a_new_source_on_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = unfetched_config(dir.path());
    let server = serve(&config, &[]);

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, page) = server.get("/tag/map/");
        if status == 200 && page.contains(TITLE) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no scheduled fetch within 20 s: /tag/map/ answered {status}: {page}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains(TITLE), "{home}");
    assert!(ok_fetches(&server) >= 1.0, "{}", server.get("/metrics").1);
}

#[test]
fn serve_no_fetch_serves_without_fetching() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = unfetched_config(dir.path());
    let server = serve(&config, &["--no-fetch"]);

    // Long past the 1 s first-fetch spread the scheduler would use.
    std::thread::sleep(Duration::from_secs(3));
    let (status, home) = server.get("/");
    assert_eq!(status, 200, "{home}");
    assert!(!home.contains(TITLE), "--no-fetch fetched: {home}");
    assert_eq!(ok_fetches(&server), 0.0, "{}", server.get("/metrics").1);
}
