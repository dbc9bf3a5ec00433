//! Issue 16's "done when", in a real browser: with `[media] cache = true`, a reader's
//! browser loading the home page, a tag archive and a photo-and-podcast post makes no
//! request to the blog's host. The images it shows come from the site's `/media/`; the
//! image the cache could not fetch keeps its remote address, which the page's
//! `img-src 'self'` policy stops; the video and audio wait for play (`preload="none"`).
//! The control: with the cache off, the same post page does reach the blog's host, so the
//! check can fail.
//!
//! The blog's host is a loopback server that notes every request; the site sits behind a
//! loopback relay that notes every request the browser makes to it. Skipped, with a
//! printed reason, where `chromium` is not installed (CI installs it).

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::browser::{chromium, load};
use common::origin::{Origin, Reply, Request, escaped, path_of, png, read_head};
use common::{Server, run, stderr, syndic, tag, write_config};

/// A photo blog's podcast feed: a photo with a `srcset`, a photo that is gone (404), a
/// video with a poster frame and an audio enclosure.
fn feed(host: &str) -> String {
    let html = format!(
        "<p>Photos from the coast</p><img src=\"http://{host}/coast.png\" \
         srcset=\"http://{host}/coast.png 1x, http://{host}/coast-2x.png 2x\" alt=\"coast\">\
         <img src=\"http://{host}/gone.png\" alt=\"gone\">"
    );
    let escaped = escaped(&html);
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\">\
         <channel><title>Coast show</title><link>http://{host}/</link>\
         <item><guid>e1</guid><title>Photos from the coast</title><link>http://{host}/e1</link>\
         <pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate><description>{escaped}</description>\
         <enclosure url=\"http://{host}/e1.mp3\" type=\"audio/mpeg\" length=\"1000\"/>\
         <media:content url=\"http://{host}/e1.mp4\" type=\"video/mp4\" duration=\"95\">\
         <media:thumbnail url=\"http://{host}/poster.png\"/></media:content>\
         </item></channel></rss>"
    )
}

/// The paths the relay was asked for, in order.
type Relayed = Arc<Mutex<Vec<String>>>;

fn relayed(log: &Relayed) -> Vec<String> {
    log.lock().map(|log| log.clone()).unwrap_or_default()
}

/// The blog's host: serves the feed and the images on loopback, noting every request.
fn origin() -> Origin {
    Origin::start(|host| {
        let feed = feed(host);
        move |request: &Request| match request.path.as_str() {
            "/feed.xml" => Reply::ok(feed.clone()),
            "/coast.png" => Reply::ok(png("coast")),
            "/coast-2x.png" => Reply::ok(png("coast at 2x")),
            "/poster.png" => Reply::ok(png("poster")),
            _ => Reply::not_found(),
        }
    })
}

/// A loopback relay in front of the site that notes the path of every request through it.
fn relay(site: String) -> (String, Relayed) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let log = Relayed::default();
    let noted = Arc::clone(&log);
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let (Ok(client), Ok(upstream)) = (client, TcpStream::connect(&site)) else {
                continue;
            };
            let noted = Arc::clone(&noted);
            std::thread::spawn(move || relay_connection(client, upstream, &noted));
        }
    });
    (address, log)
}

fn relay_connection(mut client: TcpStream, mut upstream: TcpStream, noted: &Relayed) {
    let (Ok(mut back_to_client), Ok(mut from_upstream)) =
        (client.try_clone(), upstream.try_clone())
    else {
        return;
    };
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_upstream, &mut back_to_client);
        let _ = back_to_client.shutdown(std::net::Shutdown::Both);
    });
    while let Some(head) = read_head(&mut client) {
        if let Ok(mut noted) = noted.lock() {
            noted.push(path_of(&String::from_utf8_lossy(&head)));
        }
        if upstream.write_all(&head).is_err() {
            break;
        }
    }
    let _ = upstream.shutdown(std::net::Shutdown::Write);
}

/// Fetches the feed into a new site in `dir` with the media cache `on` or off, and starts
/// `syndic serve` on it.
fn fetched_site(dir: &Path, host: &str, on: bool) -> Server {
    let body = format!(
        "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\n\n[media]\ncache = {on}\nhost_delay = \"0s\"\n\n\
         [[source]]\nurl = \"http://{host}/feed.xml\"\nname = \"Coast show\"\n\n{}",
        tag("coast", &["coast"], "word")
    );
    let config = write_config(dir, &body);
    let fetched = run(&config, &["fetch"]);
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    let mut command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config);
    Server::start(command)
}

/// The first link to a post page in `html`.
fn first_post_link(html: &str) -> String {
    let start = html.find("href=\"/post/").expect("a post link") + "href=\"".len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

/// The `/media/<hash>` values of `attribute` in `dom`.
fn media_values<'a>(dom: &'a str, attribute: &str) -> Vec<&'a str> {
    let prefix = format!("{attribute}=\"/media/");
    dom.match_indices(&prefix)
        .map(|(at, _)| {
            let value = &dom[at + prefix.len() - "/media/".len()..];
            &value[..value.find('"').unwrap_or(value.len())]
        })
        .collect()
}

#[test]
fn with_media_cached_a_readers_browser_asks_the_blogs_host_for_nothing() {
    let Some(browser) = chromium() else {
        println!("skipping: chromium is not installed (apt-get install chromium)");
        return;
    };
    let origin = origin();
    let host = origin.host.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let cached = dir.path().join("cached");
    std::fs::create_dir(&cached).expect("site dir");
    let server = fetched_site(&cached, &host, true);
    let fetched = origin.paths();
    for image in ["/coast.png", "/poster.png", "/gone.png"] {
        assert!(
            fetched.iter().any(|path| path == image),
            "the fetch asked for {image}: {fetched:?}"
        );
    }
    let post = first_post_link(&server.get("/").1);
    let (site, site_log) = relay(server.address.clone());

    let mut post_dom = String::new();
    for path in ["/", "/tag/coast/", post.as_str()] {
        let url = format!("http://{site}{path}");
        let (dom, _) = load(browser, &url, "1280,900", &dir.path().join("profile"));
        assert!(dom.contains("Photos from the coast"), "{path}: {dom}");
        if path == post {
            post_dom = dom;
        }
    }
    origin.settle();
    assert_eq!(
        origin.paths()[fetched.len()..],
        ["/settled"],
        "the browser asked the blog's host for nothing"
    );
    assert!(
        post_dom.contains(&format!("src=\"http://{host}/gone.png\"")),
        "the image that could not be cached keeps its address, stopped by the policy: {post_dom}"
    );
    assert!(
        post_dom.contains(&format!("src=\"http://{host}/e1.mp4\""))
            && post_dom.contains("preload=\"none\""),
        "the video waits for play: {post_dom}"
    );
    let shown: Vec<&str> = [
        media_values(&post_dom, "src"),
        media_values(&post_dom, "poster"),
    ]
    .concat();
    assert_eq!(
        shown.len(),
        2,
        "the photo and the poster are local: {post_dom}"
    );
    let served = relayed(&site_log);
    for image in &shown {
        assert!(
            served.iter().any(|path| path == image),
            "the browser loaded {image} from the site: {served:?}"
        );
    }
    drop(server);

    // The control: without the cache the same page sends the reader to the blog's host.
    let hotlinked = dir.path().join("hotlinked");
    std::fs::create_dir(&hotlinked).expect("site dir");
    let server = fetched_site(&hotlinked, &host, false);
    let before = origin.paths().len();
    let url = format!("http://{}{post}", server.address);
    let (dom, _) = load(
        browser,
        &url,
        "1280,900",
        &dir.path().join("profile-hotlinked"),
    );
    assert!(
        dom.contains(&format!("src=\"http://{host}/coast.png\"")),
        "{dom}"
    );
    let asked = origin.paths()[before..].to_vec();
    assert!(
        asked.iter().any(|path| path == "/coast.png"),
        "without the cache the browser asks the blog's host: {asked:?}"
    );
}
