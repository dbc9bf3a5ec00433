//! Browser checks in Debian's headless Chromium against the real server: the demo's pages
//! load with no console messages at desktop and phone widths, and a post whose content
//! tries every trick of HOSTILE-INPUTS section A runs no script.
//!
//! Chromium is driven by `common::browser` (console lines, DOM after load). Skipped, with
//! a printed reason, where `chromium` is not installed (CI installs it).

mod common;

use std::path::Path;

use common::browser::{chromium, load};
use common::{Server, run, sources, syndic, tag, write_config};

const WIDTHS: [(&str, &str); 2] = [("desktop", "1280,900"), ("phone", "390,844")];

/// Loads `path` from `server` at every width, asserts the console stayed silent, and hands
/// each DOM to `check`.
fn load_everywhere(
    browser: &str,
    server: &Server,
    path: &str,
    profiles: &Path,
    check: impl Fn(&str, &str),
) {
    for (width, size) in WIDTHS {
        let url = format!("http://{}{path}", server.address);
        let (dom, console) = load(
            browser,
            &url,
            size,
            &profiles.join(format!("profile-{width}")),
        );
        assert!(
            console.is_empty(),
            "{path} at {width} logged to the console:\n{}",
            console.join("\n")
        );
        check(width, &dom);
    }
}

/// The first link to a post page in `html`.
fn first_post_link(html: &str) -> String {
    let start = html.find("href=\"/post/").expect("a post link") + "href=\"".len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

#[test]
fn demo_pages_load_without_console_messages_at_desktop_and_phone_widths() {
    let Some(browser) = chromium() else {
        println!("skipping: chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = syndic();
    command
        .current_dir(dir.path())
        .args(["demo", "--listen", "127.0.0.1:0"]);
    let server = Server::start(command);
    let post = first_post_link(&server.get("/tag/map/").1);
    let pages = [
        ("home", "/".to_owned()),
        ("tag archive", "/tag/map/".to_owned()),
        ("post", post),
        ("search", "/search?q=map+tiles".to_owned()),
    ];
    for (name, path) in &pages {
        load_everywhere(browser, &server, path, dir.path(), |width, dom| {
            assert!(
                dom.contains("<main"),
                "{name} at {width}: no page rendered:\n{dom}"
            );
        });
    }
}

#[test]
fn hostile_content_runs_no_script() {
    let Some(browser) = chromium() else {
        println!("skipping: chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile-content.rss");
    std::fs::copy(&fixture, dir.path().join("hostile.rss")).expect("copy fixture");
    let config = write_config(
        dir.path(),
        &format!(
            "{}{}",
            sources(&["hostile.rss"]),
            tag("map", &["map"], "word")
        ),
    );
    assert!(run(&config, &["fetch"]).status.success());

    let mut command = syndic();
    command
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .args(["--listen", "127.0.0.1:0"]);
    let server = Server::start(command);
    let post = first_post_link(&server.get("/").1);
    for path in ["/", "/tag/map/", post.as_str()] {
        load_everywhere(browser, &server, path, dir.path(), |width, dom| {
            assert!(
                dom.contains("The map is not the territory."),
                "{path}: the post is shown:\n{dom}"
            );
            assert!(
                !dom.contains("data-pwned=\"xy\""),
                "{path} at {width}: a script ran:\n{dom}"
            );
        });
    }
}
