//! Politeness across the fleet (issue 12 point 3, issue 16 point 3): two `syndic worker
//! --once` processes on one store, each following a summary-only feed of the same local
//! site with `full_content`, read their posts' pages one host turn at a time between
//! them: no two page or robots.txt requests reach the site closer than the page delay
//! (1 s, less a tolerance for the trip), although each process alone would go at once.
//! Runs on SQLite (one file, two processes) and on PostgreSQL when a server is given.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::origin::{Origin, Reply, Request};
use common::{Database, on_both_engines, quoted, stderr, syndic};

/// Posts per feed.
const POSTS: usize = 3;
/// Full text's least time between two requests to one host.
const PAGE_DELAY: Duration = Duration::from_secs(1);
/// What a request's trip may take off the spacing the site sees.
const TOLERANCE: Duration = Duration::from_millis(250);

fn page() -> String {
    let paragraphs: String = (0..12)
        .map(|i| {
            format!(
                "<p>Paragraph {i} says how a hedge shelters birds in winter and why it is \
                 cut only after the nesting season ends.</p>"
            )
        })
        .collect();
    format!("<html><body><article><h1>Hedges</h1>{paragraphs}</article></body></html>")
}

fn feed(host: &str, name: &str) -> String {
    let items: String = (1..=POSTS)
        .map(|i| {
            format!(
                "<item><guid>{name}{i}</guid><title>Post {name}{i}</title>\
                 <link>http://{host}/posts/{name}{i}</link>\
                 <description>A summary.</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name}</title>\
         <link>http://{host}/</link>{items}</channel></rss>"
    )
}

/// A local site serving feeds `/a.xml` and `/b.xml`, robots.txt and the posts' pages,
/// noting each request as it arrives.
fn site() -> Origin {
    Origin::start(|host| {
        let host = host.to_owned();
        move |request: &Request| {
            let body = match request.path.as_str() {
                "/a.xml" => feed(&host, "a"),
                "/b.xml" => feed(&host, "b"),
                "/robots.txt" => "User-agent: *\nAllow: /\n".to_owned(),
                _ => page(),
            };
            Reply::ok(body).typed("text/html")
        }
    })
}

/// A configuration in `dir` following `feed` of `host`, on `database` (one store for
/// every configuration written with it).
fn config(dir: &Path, host: &str, feed: &str, database: &str) -> PathBuf {
    let path = dir.join(format!("{feed}.toml"));
    let text = format!(
        "[site]\ntitle = \"Fleet\"\n\n[database]\nurl = {}\n\n\
         [fetch]\nallow_networks = [\"127.0.0.1/32\"]\nconcurrency = 4\nper_host = 4\n\n\
         [[source]]\nurl = \"http://{host}/{feed}.xml\"\nfull_content = \"article\"\n",
        quoted(database)
    );
    std::fs::write(&path, text).expect("write config");
    path
}

#[test]
fn two_workers_on_one_store_space_their_page_reads_to_one_host_between_them() {
    on_both_engines(
        "two_workers_on_one_store_space_their_page_reads_to_one_host_between_them",
        two_workers_take_turns,
    );
}

fn two_workers_take_turns(database: &Database) {
    let site = site();
    let host = site.host.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = match database.url.strip_prefix("sqlite://") {
        // Both configurations name one file.
        Some(_) => format!("sqlite://{}", dir.path().join("fleet.db").display()),
        None => database.url.clone(),
    };
    let configs = ["a", "b"].map(|feed| config(dir.path(), &host, feed, &url));
    let workers = configs.map(|config| {
        syndic()
            .args(["worker", "--once", "--config"])
            .arg(config)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start a worker")
    });
    for worker in workers {
        let output = worker.wait_with_output().expect("a worker's end");
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let log = site.timed();
    let turns: Vec<(String, Instant)> = log
        .into_iter()
        .filter(|(path, _)| path.starts_with("/posts/") || path == "/robots.txt")
        .collect();
    let pages = turns
        .iter()
        .filter(|(p, _)| p.starts_with("/posts/"))
        .count();
    assert_eq!(pages, 2 * POSTS, "every post's page was read: {turns:?}");
    for pair in turns.windows(2) {
        let gap = pair[1].1.duration_since(pair[0].1);
        assert!(
            gap + TOLERANCE >= PAGE_DELAY,
            "{} and {} reached the site {} ms apart",
            pair[0].0,
            pair[1].0,
            gap.as_millis()
        );
    }
}
