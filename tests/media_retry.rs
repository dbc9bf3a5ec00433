//! Local media beyond `<img src>` (issue 16, point 2): with `[media] cache = true` the real
//! `syndic fetch` caches a video's poster and a `srcset` candidate, shows no poster,
//! cover or candidate it could not cache, records each failure in the store (so a second
//! process does not ask again before the wait is over), lists them in `syndic media
//! status` and `syndic explain`, and once a failure is due, re-reads the unchanged feed
//! and caches the image into the stored post without making a revision of it.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::origin::{Origin as Site, Reply, Request, escaped, png};
use common::{Server, run, stderr, stdout, syndic, write_config};

fn feed(host: &str) -> String {
    let html = format!(
        "<p>An episode</p><img src=\"http://{host}/photo.png\" \
         srcset=\"http://{host}/photo.png 1x, http://{host}/late.png 2x\" alt=\"photo\">"
    );
    let escaped = escaped(&html);
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\" \
         xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><title>Show</title>\
         <link>http://{host}/</link><item><guid>e1</guid><title>Episode one</title>\
         <link>http://{host}/e1</link><pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate>\
         <description>{escaped}</description>\
         <media:content url=\"http://{host}/e1.mp4\" type=\"video/mp4\" duration=\"95\">\
         <media:thumbnail url=\"http://{host}/poster.png\"/></media:content>\
         <media:content url=\"http://{host}/e1.mp3\" type=\"audio/mpeg\">\
         <media:thumbnail url=\"http://{host}/late.png\"/></media:content>\
         </item></channel></rss>"
    )
}

/// The origin: `late.png` is a 404 until `ready` is set; counts requests for it.
struct Origin {
    host: String,
    ready: Arc<AtomicBool>,
    late_requests: Arc<AtomicUsize>,
}

fn origin() -> Origin {
    let ready = Arc::new(AtomicBool::new(false));
    let late_requests = Arc::new(AtomicUsize::new(0));
    let (is_ready, late) = (Arc::clone(&ready), Arc::clone(&late_requests));
    let site = Site::start(|host| {
        let feed = feed(host);
        move |request: &Request| match request.path.as_str() {
            "/feed.xml" => Reply::ok(feed.clone()),
            "/photo.png" => Reply::ok(png("photo")),
            "/poster.png" => Reply::ok(png("poster")),
            "/late.png" => {
                late.fetch_add(1, Ordering::SeqCst);
                if is_ready.load(Ordering::SeqCst) {
                    Reply::ok(png("late"))
                } else {
                    Reply::status("404 Not Found", "not yet")
                }
            }
            _ => Reply::not_found(),
        }
    });
    Origin {
        host: site.host,
        ready,
        late_requests,
    }
}

fn serve(config: &std::path::Path) -> Server {
    let mut command: Command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(config);
    Server::start(command)
}

/// Whether `page` has a `srcset` candidate `/media/<hash> <descriptor>`: a cached image,
/// at exactly its address.
fn has_media_candidate(page: &str, descriptor: &str) -> bool {
    page.match_indices("/media/").any(|(at, prefix)| {
        let rest = &page[at + prefix.len()..];
        rest.get(..64)
            .is_some_and(|hash| hash.bytes().all(|b| b.is_ascii_hexdigit()))
            && rest[64..].starts_with(&format!(" {descriptor}"))
    })
}

/// Makes every recorded image failure due now, as if its wait were over.
fn make_failures_due(db: &std::path::Path) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let url = format!("sqlite://{}", db.display());
        let store = syndic_store::Store::open(&url).await.expect("store");
        let (_, failures) = store.media_failure_summary(100).await.expect("failures");
        for mut failure in failures {
            failure.next_try_at = chrono::Utc::now() - chrono::Duration::seconds(1);
            store.record_media_failure(&failure).await.expect("record");
        }
        store.close().await;
    });
}

#[test]
fn posters_and_srcset_go_through_the_cache_and_failed_images_are_retried_from_the_store() {
    let origin = origin();
    let host = &origin.host;
    let dir = tempfile::tempdir().expect("tempdir");
    let body = format!(
        "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\n\n[media]\ncache = true\nhost_delay = \"0s\"\n\n\
         [[source]]\nurl = \"http://{host}/feed.xml\"\nname = \"Show\"\n"
    );
    let config = write_config(dir.path(), &body);
    let fetched = run(&config, &["fetch"]);
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    assert_eq!(origin.late_requests.load(Ordering::SeqCst), 1, "asked once");

    let server = serve(&config);
    let (status, page) = server.get("/post/1/episode-one/");
    assert_eq!(status, 200, "{page}");
    assert!(
        !page.contains(&format!("http://{host}/photo.png")),
        "{page}"
    );
    assert!(
        page.contains("srcset=\"/media/") && has_media_candidate(&page, "1x\""),
        "the cached candidate only: {page}"
    );
    assert!(
        page.contains("poster=\"/media/"),
        "the video's poster: {page}"
    );
    assert!(
        !page.contains("late.png"),
        "no uncached cover or candidate: {page}"
    );
    assert!(!page.contains("class=\"cover\""), "{page}");
    let images: Vec<&str> = page
        .match_indices("src=\"")
        .map(|(at, _)| &page[at..])
        .collect();
    assert!(
        images
            .iter()
            .all(|src| !src.starts_with("src=\"http://127.")
                || src.starts_with(&format!("src=\"http://{host}/e1."))),
        "no image of the page comes from the origin: {page}"
    );
    drop(server);

    // The failure is in the store: a second process does not ask again before its wait.
    let again = run(&config, &["fetch"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        origin.late_requests.load(Ordering::SeqCst),
        1,
        "not asked again yet"
    );
    let status = run(&config, &["media", "status"]);
    let said = stdout(&status);
    assert!(said.contains("files: 2,"), "{said}");
    assert!(said.contains("images not cached: 1"), "{said}");
    assert!(said.contains(&format!("http://{host}/late.png")), "{said}");
    assert!(said.contains("404"), "{said}");
    let explained = run(&config, &["explain", "1"]);
    let said = stdout(&explained);
    assert!(
        said.contains(&format!("http://{host}/e1.mp4 (video/mp4, 95 s)")),
        "{said}"
    );
    assert!(
        said.contains(&format!("failed http://{host}/late.png")),
        "{said}"
    );
    assert!(said.contains("cached /media/"), "{said}");

    // Once the image exists and its wait is over, the next fetch reads the unchanged feed
    // whole and caches it into the stored post, without an upstream revision.
    origin.ready.store(true, Ordering::SeqCst);
    make_failures_due(&dir.path().join("test.db"));
    let retried = run(&config, &["fetch"]);
    assert!(retried.status.success(), "{}", stderr(&retried));
    assert_eq!(
        origin.late_requests.load(Ordering::SeqCst),
        2,
        "asked once more"
    );
    let server = serve(&config);
    let (_, page) = server.get("/post/1/episode-one/");
    assert!(
        has_media_candidate(&page, "2x\""),
        "the late candidate is cached now: {page}"
    );
    assert!(
        page.contains("class=\"cover\" src=\"/media/"),
        "and the cover: {page}"
    );
    drop(server);
    let explained = stdout(&run(&config, &["explain", "1"]));
    assert!(
        explained.contains("versions: 1 (never edited upstream)"),
        "{explained}"
    );
    assert!(!explained.contains("failed http"), "{explained}");
    let status = stdout(&run(&config, &["media", "status"]));
    assert!(status.contains("images not cached: 0"), "{status}");
}
