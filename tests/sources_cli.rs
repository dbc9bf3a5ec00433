//! `syndic add`, `remove` and `import`, and a moved feed updating the configuration,
//! through the real binary against a feed server on 127.0.0.1. Every edit keeps the
//! configuration file's comments.

mod common;

use std::path::{Path, PathBuf};

use common::origin::{Origin, Reply, Request};
use common::{run, stderr, stdout};

const RSS: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local RSS</title>\
    <item><guid>one</guid><title>A local post</title><link>https://local.example/1</link></item></channel></rss>";
const ATOM: &str = "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Local Atom</title>\
    <id>urn:local</id><updated>2024-01-01T00:00:00Z</updated></feed>";
const ONE_LINK: &str = "<!doctype html><html><head><title>Blog</title>\
    <link rel=\"alternate\" type=\"application/rss+xml\" href=\"feed.xml\"></head><body>hi</body></html>";
const TWO_LINKS: &str = "<!doctype html><html><head>\
    <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">\
    <link rel=\"alternate\" type=\"application/atom+xml\" href=\"/atom.xml\"></head></html>";

fn server() -> Origin {
    Origin::start(|_| {
        |request: &Request| match request.path.as_str() {
            "/feed.xml" | "/blog/feed.xml" => Reply::ok(RSS),
            "/atom.xml" => Reply::ok(ATOM),
            "/blog/" | "/page" => Reply::ok(ONE_LINK).typed("text/html"),
            "/two" => Reply::ok(TWO_LINKS).typed("text/html"),
            "/old" => Reply::status("301 Moved Permanently", "").header("Location", "/feed.xml"),
            _ => Reply::status("404 Not Found", ""),
        }
    })
}

const COMMENT: &str = "# Keep this comment.\n";

fn config(dir: &Path, allow: bool, sources: &str) -> PathBuf {
    let allow = if allow {
        "allow_networks = [\"127.0.0.1/32\"]  # the test server\n"
    } else {
        ""
    };
    common::write_config(
        dir,
        &format!("{COMMENT}[fetch]\ntimeout = \"5s\"\n{allow}\n{sources}"),
    )
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read config")
}

#[test]
fn add_a_feed_url_then_refuse_it_again() {
    let address = server().host;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path(), true, "");
    let before = text(&config);
    let url = format!("http://{address}/feed.xml");
    let out = run(&config, &["add", &url, "--name", "Mine", "--tag", "maps"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Local RSS (rss2.0, 1 entries)"),
        "{}",
        stdout(&out)
    );
    let after = text(&config);
    assert!(after.starts_with(&before), "{after}");
    assert!(
        after.ends_with(&format!(
            "\n[[source]]\nurl = \"{url}\"\nname = \"Mine\"\ntags = [\"maps\"]\n"
        )),
        "{after}"
    );

    let same = format!("HTTP://{address}/feed.xml#again");
    let again = run(&config, &["add", &same]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("already a source"),
        "{}",
        stderr(&again)
    );
    assert_eq!(text(&config), after);
}

#[test]
fn add_a_page_discovers_its_feed() {
    let address = server().host;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path(), true, "");
    let out = run(&config, &["add", &format!("http://{address}/blog/")]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        text(&config).contains(&format!("url = \"http://{address}/blog/feed.xml\"")),
        "{}",
        text(&config)
    );
}

#[test]
fn a_page_with_two_feeds_lists_them_and_adds_nothing_without_yes() {
    let address = server().host;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path(), true, "");
    let before = text(&config);
    let page = format!("http://{address}/two");
    let out = run(&config, &["add", &page]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let listed = stdout(&out);
    assert!(
        listed.contains(&format!(
            "1. Local RSS (rss2.0, 1 entries)\n   http://{address}/feed.xml"
        )),
        "{listed}"
    );
    assert!(
        listed.contains(&format!(
            "2. Local Atom (atom1.0, 0 entries)\n   http://{address}/atom.xml"
        )),
        "{listed}"
    );
    assert!(stderr(&out).contains("2 feeds found"), "{}", stderr(&out));
    assert_eq!(text(&config), before);

    let yes = run(&config, &["add", &page, "--yes"]);
    assert!(yes.status.success(), "{}", stderr(&yes));
    assert!(text(&config).contains(&format!("http://{address}/feed.xml")));
    assert!(!text(&config).contains("atom.xml"));
}

#[test]
fn remove_takes_the_source_out_and_says_posts_stay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sources = "[[source]]\nurl = \"https://a.example/feed\"\n\n# B is good.\n[[source]]\nurl = \"https://b.example/feed\"\n";
    let config = config(dir.path(), false, sources);
    let out = run(&config, &["remove", "https://a.example/feed"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("stored posts are kept"),
        "{}",
        stdout(&out)
    );
    let after = text(&config);
    assert!(!after.contains("a.example"), "{after}");
    assert!(
        after.contains(COMMENT)
            && after.contains("# B is good.\n[[source]]\nurl = \"https://b.example/feed\"\n"),
        "{after}"
    );

    let again = run(&config, &["remove", "https://a.example/feed"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("is not a source"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn import_adds_every_new_feed_of_an_opml_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(
        dir.path(),
        false,
        "[[source]]\nurl = \"https://already.example/rss\"\n",
    );
    let opml = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/opml/subscriptions.opml");
    let out = run(&config, &["import", opml.to_str().expect("utf-8 path")]);
    // Two refused (a private address, an ftp URL): exit 1, the rest imported.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported 2 new sources")
            && stdout(&out).contains("1 already there, 2 refused"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("192.168.1.1"), "{}", stderr(&out));
    let after = text(&config);
    assert!(after.contains(COMMENT));
    assert!(after.contains("url = \"https://maps.example/feed.xml\"\nname = \"Cartography weekly\"\ntags = [\"maps\"]\n"), "{after}");
    assert!(
        after.contains("url = \"https://atlas.example/atom.xml\"\nname = \"Atlas notes\"\n"),
        "{after}"
    );
    assert!(
        !after.contains("192.168") && !after.contains("ftp:"),
        "{after}"
    );

    let again = run(&config, &["import", opml.to_str().expect("utf-8 path")]);
    assert!(
        stdout(&again).contains("imported 0 new sources"),
        "{}",
        stdout(&again)
    );
    assert_eq!(text(&config), after);
}

#[test]
fn a_feed_that_moved_permanently_moves_in_the_config_too() {
    let address = server().host;
    let dir = tempfile::tempdir().expect("temp dir");
    let old = format!("http://{address}/old");
    let sources = format!("# Moved?\n[[source]]\nurl = \"{old}\"  # was here\nname = \"Mover\"\n");
    let config = config(dir.path(), true, &sources);
    let out = run(&config, &["fetch"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let new = format!("http://{address}/feed.xml");
    assert!(
        stdout(&out).contains(&format!("{old} is now {new}")),
        "{}",
        stdout(&out)
    );
    let after = text(&config);
    assert!(
        after.contains(&format!(
            "# Moved?\n[[source]]\nurl = \"{new}\"  # was here\nname = \"Mover\"\n"
        )),
        "{after}"
    );
    // The next fetch reads the new address and finds the same source.
    let second = run(&config, &["fetch"]);
    assert!(second.status.success(), "{}", stderr(&second));
    let sources = run(&config, &["sources", "--format", "json"]);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&sources.stdout).expect("json");
    assert_eq!(list.len(), 1, "{list:#?}");
}

#[test]
fn without_allow_networks_add_refuses_a_local_address_before_any_request() {
    let server = server();
    let address = &server.host;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path(), false, "");
    let before = text(&config);
    let out = run(&config, &["add", &format!("http://{address}/feed.xml")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("loopback"), "{}", stderr(&out));
    assert_eq!(text(&config), before);
    assert!(server.paths().is_empty(), "the server was asked");
}
