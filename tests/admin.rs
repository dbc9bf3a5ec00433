//! The admin through the real binary: `syndic admin hash-password`, `[admin]` at load,
//! `/admin/` off unless configured, the login over real connections (cookie flags,
//! `no-store`, the limiter counting by client address), the API's bearer token, and the
//! whole flow in headless Chromium (log in, approve a held post, take a post down, log
//! out) with nothing on the console.

mod common;
#[path = "admin/devtools.rs"]
mod devtools;
#[path = "admin/http.rs"]
mod http;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use chrono::{TimeZone, Utc};
use syndic_core::{Admission, FeedEntry, FeedMeta};
use syndic_store::{IncomingPost, SourceSpec, Store};

use common::{Server, quoted, run, sources, stderr, syndic, write_config};

const PASSWORD: &str = "a long admin password";
const TOKEN_VARIABLE: &str = "SYNDIC_TEST_ADMIN_TOKEN";
const TOKEN: &str = "0f4c2a-test-token-for-the-api";

const FEED: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbor Notes</title><link>https://harbor.example/</link>
<item><title>Low tide at the harbor</title><link>https://harbor.example/low-tide</link>
<guid>low-tide</guid><pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate>
<description>&lt;p&gt;The water went out further than anyone remembered.&lt;/p&gt;</description></item>
<item><title>A new pier</title><link>https://harbor.example/new-pier</link>
<guid>new-pier</guid><pubDate>Tue, 03 Mar 2026 09:00:00 GMT</pubDate>
<description>&lt;p&gt;Concrete, mostly.&lt;/p&gt;</description></item>
</channel></rss>"#;

/// `syndic admin hash-password` fed `input`.
fn hash_password(input: &str) -> std::process::Output {
    let mut child = syndic()
        .args(["admin", "hash-password"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run syndic");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write the password");
    child.wait_with_output().expect("wait")
}

/// A site in `dir` with two fetched posts of one source and a third held for review
/// (`[admin]` added when `admin` is true); returns the configuration's path.
async fn site(dir: &Path, admin: bool) -> std::path::PathBuf {
    std::fs::write(dir.join("harbor.rss"), FEED).expect("write feed");
    let config = write_config(dir, &sources(&["harbor.rss"]));
    let fetched = run(&config, &["fetch"]);
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    hold_for_review(&dir.join("test.db")).await;
    if admin {
        let output = hash_password(&format!("{PASSWORD}\n"));
        let hash = String::from_utf8(output.stdout).expect("utf-8");
        let section = format!(
            "\n[admin]\npassword_hash = {}\ntoken_env = {}\n",
            quoted(hash.trim()),
            quoted(TOKEN_VARIABLE)
        );
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&config)
            .expect("config");
        file.write_all(section.as_bytes()).expect("append [admin]");
    }
    config
}

/// Stores a post of the harbor source held for review, as a source with `review = true`
/// would.
async fn hold_for_review(database: &Path) {
    let store = Store::open_sqlite_path(database).await.expect("open store");
    let spec = SourceSpec {
        url: "harbor.rss".into(),
        name: None,
    };
    let at = Utc
        .with_ymd_and_hms(2026, 3, 4, 9, 0, 0)
        .single()
        .expect("time");
    let source = store.upsert_source(&spec, at).await.expect("source");
    let post = IncomingPost {
        entry: FeedEntry {
            guid: "held".into(),
            title: "Held for review".into(),
            link: Some("https://harbor.example/held".into()),
            author: None,
            published: Some(at),
            updated: None,
            content_html: "<p>Waiting.</p>".into(),
            content_text: "Waiting.".into(),
            categories: Vec::new(),
            language: None,
            origin: None,
            enclosures: Vec::new(),
            original_links: Vec::new(),
        },
        tags: Vec::new(),
        admission: Admission::Review,
        stems: Vec::new(),
    };
    store
        .ingest(source, &FeedMeta::default(), &[post], at)
        .await
        .expect("ingest");
    store.close().await;
}

fn serve(config: &Path) -> Server {
    let mut command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .env(TOKEN_VARIABLE, TOKEN);
    Server::start(command)
}

fn login(server: &Server, password: &str) -> http::Answer {
    let body = format!("password={}", password.replace(' ', "+"));
    http::post_form(&server.address, "/admin/login", None, &body)
}

#[test]
fn hash_password_prints_one_argon2id_line_that_verifies() {
    let output = hash_password("correct horse battery\n");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(text.lines().count(), 1, "{text:?}");
    assert!(text.ends_with('\n'));
    let hash = syndic_web::PasswordHash::parse(text.trim_end()).expect("an Argon2id PHC string");
    assert!(text.starts_with("$argon2id$"));
    assert!(hash.verify("correct horse battery"));
    assert!(!hash.verify("correct horse battery\n"));

    let empty = hash_password("");
    assert!(!empty.status.success());
    assert!(empty.stdout.is_empty());
    assert!(stderr(&empty).contains("no password"), "{}", stderr(&empty));
}

#[tokio::test]
async fn the_admin_is_not_found_unless_a_password_hash_is_configured() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = site(dir.path(), false).await;
    let server = serve(&config);
    for path in ["/admin", "/admin/", "/admin/login", "/admin/api/review"] {
        assert_eq!(server.get(path).0, 404, "{path}");
    }
    let api = http::request(
        &server.address,
        "POST",
        "/admin/api/posts/1/remove",
        &[("Authorization", &format!("Bearer {TOKEN}"))],
        r#"{"reason": "x"}"#,
    );
    assert_eq!(api.status, 404);
    assert_eq!(server.get("/").0, 200);
}

#[tokio::test]
async fn a_token_variable_that_is_not_set_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = site(dir.path(), true).await;
    let output = syndic()
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .env_remove(TOKEN_VARIABLE)
        .output()
        .expect("run syndic");
    assert_eq!(output.status.code(), Some(2));
    let error = stderr(&output);
    assert!(error.contains("admin.token_env"), "{error}");
    assert!(error.contains(TOKEN_VARIABLE), "{error}");
}

#[tokio::test]
async fn logging_in_over_a_real_connection_sets_a_strict_cookie_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = site(dir.path(), true).await;
    let server = serve(&config);

    let form = server.get_with_head("/admin/login");
    assert_eq!(form.0, 200);
    assert!(
        form.1
            .to_ascii_lowercase()
            .contains("cache-control: no-store")
    );

    let wrong = login(&server, "not it");
    assert_eq!(wrong.status, 200);
    assert_eq!(wrong.header("Location"), "");
    assert_eq!(wrong.header("Set-Cookie"), "");
    assert!(wrong.body.contains("Wrong password."));

    let right = login(&server, PASSWORD);
    assert_eq!(right.status, 303);
    assert_eq!(right.header("Location"), "/admin/");
    assert_eq!(right.header("Cache-Control"), "no-store");
    let cookie = right.header("Set-Cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http site: {cookie}");
    let session = cookie.split(';').next().expect("pair");
    let page = http::request(
        &server.address,
        "GET",
        "/admin/",
        &[("Cookie", session)],
        "",
    );
    assert_eq!(page.status, 200);
    assert_eq!(page.header("Cache-Control"), "no-store");
    assert!(page.body.contains("Held for review"));
    assert!(!page.head.contains("Last-Modified"));
}

#[tokio::test]
async fn the_eleventh_failed_login_within_a_minute_is_refused_with_429() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = site(dir.path(), true).await;
    let server = serve(&config);
    for attempt in 1..=10 {
        assert_eq!(login(&server, "guess").status, 200, "attempt {attempt}");
    }
    let refused = login(&server, PASSWORD);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("Set-Cookie"), "");
    assert!(!refused.header("Retry-After").is_empty());
}

#[tokio::test]
async fn the_api_answers_only_the_configured_bearer_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = site(dir.path(), true).await;
    let server = serve(&config);
    let bearer = format!("Bearer {TOKEN}");
    for (method, path) in [
        ("GET", "/admin/api/review"),
        ("GET", "/admin/api/audit"),
        ("POST", "/admin/api/posts/1/remove"),
        ("POST", "/admin/api/posts/1/restore"),
        ("POST", "/admin/api/posts/3/approve"),
        ("POST", "/admin/api/posts/3/reject"),
    ] {
        let none = http::request(&server.address, method, path, &[], "");
        assert_eq!(none.status, 401, "{method} {path}");
        let wrong = [("Authorization", "Bearer nope")];
        let wrong = http::request(&server.address, method, path, &wrong, "");
        assert_eq!(wrong.status, 401, "{method} {path}");
    }
    let review = http::request(
        &server.address,
        "GET",
        "/admin/api/review",
        &[("Authorization", &bearer)],
        "",
    );
    assert_eq!(review.status, 200);
    let body = review.body.trim();
    let json = &body[body.find('[').expect("a JSON array")..=body.rfind(']').expect("end")];
    let pending: serde_json::Value = serde_json::from_str(json).expect("JSON");
    assert_eq!(pending[0]["title"], "Held for review");
    assert_eq!(pending[0]["link"], "https://harbor.example/held");
    assert_eq!(pending[0]["source"], "Harbor Notes");
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[tokio::test]
async fn in_chromium_an_operator_logs_in_approves_takes_down_and_logs_out_without_console_messages()
{
    let Some(binary) = chromium() else {
        println!("skipping: chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let config = site(dir.path(), true).await;
    let server = serve(&config);
    let base = format!("http://{}", server.address);
    let mut browser = devtools::Browser::start(binary, &dir.path().join("profile"));

    browser.navigate(&format!("{base}/admin/"));
    assert_eq!(browser.evaluate("location.pathname"), "/admin/login");
    browser.fill("#password", PASSWORD);
    browser.click_and_wait("form.login button");
    assert_eq!(browser.evaluate("location.pathname"), "/admin/");
    let held = browser.evaluate("document.querySelector('tbody tr').id");
    let held = held.as_str().expect("a held post's row").to_owned();
    assert_eq!(browser.evaluate("document.cookie"), "", "HttpOnly");

    browser.click_and_wait(&format!(
        "#{held} form[action='/admin/review/approve'] button"
    ));
    assert_eq!(browser.evaluate("location.pathname"), "/admin/");
    assert_eq!(
        browser.evaluate("document.querySelectorAll('tbody tr').length"),
        0
    );
    let id = held.trim_start_matches("post-");
    assert_eq!(server.get(&format!("/post/{id}/")).0, 301, "published");

    browser.navigate(&format!("{base}/admin/takedowns"));
    browser.fill("#takedown-post", "https://harbor.example/low-tide");
    browser.fill("#takedown-reason", "the author asked");
    browser.click_and_wait("form.takedown button");
    assert_eq!(browser.evaluate("location.pathname"), "/admin/takedowns");
    let listed = browser.evaluate("document.querySelector('tbody').textContent");
    let listed = listed.as_str().expect("the takedowns table");
    assert!(listed.contains("Low tide at the harbor"), "{listed}");
    assert!(listed.contains("the author asked"), "{listed}");
    assert!(!server.get("/").1.contains("Low tide at the harbor"));

    browser.navigate(&format!("{base}/admin/audit"));
    let audit = browser.evaluate("document.querySelector('tbody').textContent");
    assert!(
        audit
            .as_str()
            .is_some_and(|text| text.contains("approve") && text.contains("remove"))
    );

    browser.click_and_wait("form.logout button");
    assert_eq!(browser.evaluate("location.pathname"), "/admin/login");
    browser.navigate(&format!("{base}/admin/"));
    assert_eq!(
        browser.evaluate("location.pathname"),
        "/admin/login",
        "signed out"
    );

    assert!(
        browser.console.is_empty(),
        "the console showed:\n{}",
        browser.console.join("\n")
    );
}
