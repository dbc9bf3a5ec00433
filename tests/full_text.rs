//! Full text (issue 16, point 3): with `[[source]] full_content = "readability"`, the real
//! `syndic fetch` reads each new post's page from a local site and takes its article when
//! it is clearly longer than the feed's summary (scripts removed, tags on the new text);
//! a page robots.txt disallows is never requested; a page without a longer article, a
//! redirect to a private address and a page over the size cap keep the feed's text and
//! are recorded; `syndic explain` says where each text came from; a later fetch of the
//! same items keeps the page texts; `syndic refetch-content` reads the pages again and
//! keeps the replaced text as a revision. `syndic worker` (the scheduler) does the same,
//! here with a CSS selector. Both run on SQLite and, when `SYNDIC_TEST_POSTGRES_URL` names
//! a server, on PostgreSQL (a fresh schema each); `syndic sources --format json` shows the
//! stored setting.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::origin::{Origin, Reply, Request};
use common::{
    Database, Server, on_both_engines, run, stderr, stdout, syndic, tag, write_config,
    write_config_on,
};

const SUMMARY: &str = "A short summary of the post, as the feed gives it.";

fn article(extra: &str) -> String {
    let paragraphs: String = (0..14)
        .map(|i| {
            format!(
                "<p>Paragraph {i} tells how compost turns kitchen scraps and fallen leaves into \
                 dark soil, and why a patient gardener turns the heap every week.</p>"
            )
        })
        .collect();
    format!(
        "<!doctype html><html><head><title>Compost</title><script>track()</script></head>\
         <body><nav><a href=\"/\">Home</a> <a href=\"/about\">About us</a></nav>\
         <article><h1>Compost</h1>{extra}{paragraphs}<script>steal(document.cookie)</script>\
         <p><img src=\"/img/heap.png\" alt=\"the heap\" onerror=\"steal()\"></p></article>\
         <footer>Footer text</footer></body></html>"
    )
}

fn feed(host: &str, fetches: usize) -> String {
    let item = |guid: &str, path: &str| {
        format!(
            "<item><guid>{guid}</guid><title>Post {guid}</title><link>http://{host}{path}</link>\
             <pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate><description>{SUMMARY}</description></item>"
        )
    };
    format!(
        "<?xml version=\"1.0\"?><!-- read {fetches} times --><rss version=\"2.0\"><channel>\
         <title>Summaries</title><link>http://{host}/</link>{}{}{}{}{}</channel></rss>",
        item("p1", "/posts/long"),
        item("p2", "/private/secret"),
        item("p3", "/posts/short"),
        item("p4", "/posts/moved"),
        item("p5", "/posts/huge"),
    )
}

/// The local site: its feed, robots.txt and the posts' pages; `revised` changes the long
/// page.
struct Site {
    origin: Origin,
    revised: Arc<AtomicUsize>,
}

fn site() -> Site {
    let revised = Arc::new(AtomicUsize::new(0));
    let revision = Arc::clone(&revised);
    let origin = Origin::start(|host| {
        let (host, mut fetches) = (host.to_owned(), 0);
        move |request: &Request| match request.path.as_str() {
            "/feed.xml" => {
                fetches += 1;
                Reply::ok(feed(&host, fetches))
            }
            "/robots.txt" => Reply::ok("User-agent: *\nDisallow: /private/\n"),
            "/posts/long" => {
                let extra = match revision.load(Ordering::SeqCst) {
                    0 => "",
                    _ => "<p>Revised: a new paragraph about worms and their work.</p>",
                };
                Reply::ok(article(extra)).typed("text/html")
            }
            "/posts/short" => {
                Reply::ok("<html><body><article><p>Only a teaser here.</p></article></body></html>")
                    .typed("text/html")
            }
            "/posts/moved" => Reply::status("302 Found", "")
                .header("Location", "http://169.254.169.254/latest/meta-data/"),
            "/posts/huge" => {
                Reply::ok(article(&"<p>filler</p>".repeat(400_000))).typed("text/html")
            }
            _ => Reply::not_found(),
        }
    });
    Site { origin, revised }
}

fn explain(config: &std::path::Path, post: &str) -> serde_json::Value {
    let output = run(config, &["explain", post, "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("explain's JSON")
}

/// The `full_content` that `syndic sources --format json` shows for the only source.
fn listed_full_content(config: &std::path::Path) -> serde_json::Value {
    let output = run(config, &["sources", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let sources: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    sources[0]["full_content"].clone()
}

#[test]
fn a_summary_only_feed_gets_its_posts_full_text_from_their_pages_politely_and_safely() {
    on_both_engines(
        "a_summary_only_feed_gets_its_posts_full_text_from_their_pages_politely_and_safely",
        summary_only_feed_gets_full_text,
    );
}

fn summary_only_feed_gets_full_text(database: &Database) {
    let site = site();
    let host = &site.origin.host;
    let dir = tempfile::tempdir().expect("tempdir");
    let body = format!(
        "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\n\n{}[[source]]\nurl = \"http://{host}/feed.xml\"\n\
         name = \"Summaries\"\nfull_content = \"readability\"\n",
        tag("Compost", &["compost"], "word")
    );
    let config = write_config_on(dir.path(), &body, database);
    let fetched = run(&config, &["fetch"]);
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    let log = stderr(&fetched);
    assert_eq!(listed_full_content(&config), "readability");

    // The long page's article replaced the summary, sanitized, and tags follow it.
    let long = explain(&config, "1");
    assert_eq!(long["content_origin"]["from"], "page", "{long:#}");
    assert_eq!(
        long["content_origin"]["page_url"],
        format!("http://{host}/posts/long")
    );
    assert_eq!(long["revisions"], 2, "the summary is kept as a revision");
    let tags: Vec<&str> = long["stored"]
        .as_array()
        .expect("stored tags")
        .iter()
        .filter_map(|t| t["tag"].as_str())
        .collect();
    assert!(
        tags.contains(&"Compost"),
        "tagged on the page's text: {tags:?}"
    );

    // robots.txt was read first, and the disallowed page never requested.
    let requests = site.origin.paths();
    let first_page = requests.iter().position(|p| p.starts_with("/posts/"));
    let robots = requests.iter().position(|p| p == "/robots.txt");
    assert!(robots.is_some() && robots < first_page, "{requests:?}");
    assert!(
        !requests.iter().any(|p| p.starts_with("/private/")),
        "{requests:?}"
    );
    let disallowed = explain(&config, "2");
    assert_eq!(disallowed["content_origin"]["from"], "feed");
    assert_eq!(disallowed["content_origin"]["page_state"], "failed");
    let reason = disallowed["content_origin"]["reason"]
        .as_str()
        .unwrap_or("");
    assert!(reason.contains("robots.txt disallows"), "{reason}");

    // No longer article: the feed's text stays, and why is recorded.
    let short = explain(&config, "3");
    assert_eq!(short["content_origin"]["from"], "feed", "{short:#}");
    assert_eq!(short["revisions"], 1);
    // A redirect to a private address is refused like a feed's; a huge page is capped.
    let moved = explain(&config, "4");
    assert_eq!(moved["content_origin"]["page_state"], "failed");
    let reason = moved["content_origin"]["reason"].as_str().unwrap_or("");
    assert!(reason.contains("169.254.169.254"), "{reason}");
    let huge = explain(&config, "5");
    assert_eq!(huge["content_origin"]["page_state"], "failed");
    let reason = huge["content_origin"]["reason"].as_str().unwrap_or("");
    assert!(reason.contains("limit"), "{reason}");
    assert!(
        log.contains("its page was not used"),
        "failures are logged: {log}"
    );

    // `explain` says it in words too.
    let said = run(&config, &["explain", "1"]);
    assert!(
        stdout(&said).contains(&format!("text:     from its page http://{host}/posts/long")),
        "{}",
        stdout(&said)
    );

    // The site shows the article, without the page's scripts or navigation.
    let mut command: Command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config);
    {
        let server = Server::start(command);
        let (status, page) = server.get("/post/1/post-p1/");
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Paragraph 13 tells how compost"), "{page}");
        assert!(
            !page.contains("steal(") && !page.contains("track()"),
            "{page}"
        );
        assert!(!page.contains("About us"), "{page}");
        assert!(
            page.contains(&format!("http://{host}/img/heap.png")),
            "{page}"
        );
        let (_, summary) = server.get("/post/3/post-p3/");
        assert!(summary.contains(SUMMARY), "{summary}");
    }

    // The feed read again (changed bytes, same items) keeps the page text: no new version.
    let again = run(&config, &["fetch"]);
    assert!(again.status.success(), "{}", stderr(&again));
    let long = explain(&config, "1");
    assert_eq!(long["content_origin"]["from"], "page");
    assert_eq!(long["revisions"], 2, "re-reading the feed is not an edit");

    // refetch-content reads the pages again; the changed article is a new version.
    site.revised.store(1, Ordering::SeqCst);
    let refetched = run(
        &config,
        &[
            "refetch-content",
            "--source",
            &format!("http://{host}/feed.xml"),
        ],
    );
    assert!(refetched.status.success(), "{}", stderr(&refetched));
    let summary = stdout(&refetched);
    assert!(
        summary.contains("refetch-content: 5 posts read: 1 now from their page"),
        "{summary}"
    );
    let long = explain(&config, "1");
    assert_eq!(long["revisions"], 3, "{long:#}");
    let export = run(&config, &["export", "--tag", "compost"]);
    assert!(
        stdout(&export).contains("Revised: a new paragraph"),
        "{}",
        stdout(&export)
    );
}

#[test]
fn a_worker_reads_the_pages_of_the_new_posts_it_fetches() {
    on_both_engines(
        "a_worker_reads_the_pages_of_the_new_posts_it_fetches",
        worker_reads_pages,
    );
}

fn worker_reads_pages(database: &Database) {
    let site = site();
    let host = &site.origin.host;
    let dir = tempfile::tempdir().expect("tempdir");
    let body = format!(
        "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\n\n[[source]]\n\
         url = \"http://{host}/feed.xml\"\nfull_content = \"article\"\n"
    );
    let config = write_config_on(dir.path(), &body, database);
    let worked = run(&config, &["worker", "--once"]);
    assert!(worked.status.success(), "{}", stderr(&worked));
    let long = explain(&config, "1");
    assert_eq!(long["content_origin"]["from"], "page", "{long:#}");
    let short = explain(&config, "3");
    assert_eq!(short["content_origin"]["page_state"], "feed", "{short:#}");
    let reason = short["content_origin"]["reason"].as_str().unwrap_or("");
    assert!(reason.contains("not clearly longer"), "{reason}");
    assert_eq!(listed_full_content(&config), "article");
}

#[test]
fn a_bad_full_content_selector_is_refused_at_load_with_its_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(
        dir.path(),
        "[[source]]\nurl = \"https://blog.example/feed.xml\"\nfull_content = \"div[\"\n",
    );
    let output = run(&config, &["sources"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let error = stderr(&output);
    assert!(error.contains("source[1].full_content"), "{error}");
    assert!(
        error.contains("readability"),
        "the fix names the choices: {error}"
    );
}
