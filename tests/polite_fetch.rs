//! `syndic fetch` against a misbehaving feed server on 127.0.0.1, through the real binary:
//! every scenario ends in the right state in `syndic sources --format json`, a second
//! fetch is conditional and leaves the 429 and 410 sources alone, nothing ever reaches the
//! metadata address, and without `allow_networks` the server receives no request at all.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::{run, stderr, stdout};

const FEED: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local</title>\
    <item><guid>one</guid><title>A local post</title><link>https://local.example/1</link></item></channel></rss>";

/// What the server saw: one (path, request head) per request.
type Log = Arc<Mutex<Vec<(String, String)>>>;

/// A feed server answering by path, for as long as the test runs.
fn server() -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let log: Log = Arc::default();
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
            if let Ok(mut log) = seen.lock() {
                log.push((path.clone(), head.clone()));
            }
            let conditional = head.to_ascii_lowercase().contains("if-none-match: \"v1\"");
            let (status, headers, body): (&str, String, String) = match path.as_str() {
                "/ok" if conditional => ("304 Not Modified", String::new(), String::new()),
                "/ok" => ("200 OK", "ETag: \"v1\"\r\n".into(), FEED.into()),
                "/gone" => ("410 Gone", String::new(), String::new()),
                "/busy" => ("429 Too Many Requests", "Retry-After: 3600\r\n".into(), String::new()),
                "/broken" => ("500 Internal Server Error", String::new(), "oops".into()),
                "/metadata" => ("302 Found", "Location: http://169.254.169.254/latest/meta-data/\r\n".into(), String::new()),
                "/to-file" => ("302 Found", "Location: file:///etc/passwd\r\n".into(), String::new()),
                "/old" => ("301 Moved Permanently", "Location: /new\r\n".into(), String::new()),
                "/new" => ("200 OK", String::new(), FEED.replace("one", "two")),
                "/page" => ("200 OK", "Content-Type: text/html\r\n".into(), "<!doctype html><html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/ok\"></head><body>hi</body></html>".into()),
                _ => ("404 Not Found", String::new(), String::new()),
            };
            let response = format!(
                "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (address, log)
}

const PATHS: [&str; 9] = [
    "/ok",
    "/gone",
    "/busy",
    "/broken",
    "/metadata",
    "/to-file",
    "/old",
    "/page",
    "/missing",
];

fn config(dir: &std::path::Path, address: &str, allow: bool) -> std::path::PathBuf {
    let sources: String = PATHS
        .iter()
        .map(|p| format!("[[source]]\nurl = \"http://{address}{p}\"\n\n"))
        .collect();
    let allow = if allow {
        "allow_networks = [\"127.0.0.1/32\"]\n"
    } else {
        ""
    };
    let fetch = format!("[fetch]\ntimeout = \"5s\"\n{allow}\n");
    common::write_config(dir, &format!("{fetch}{sources}"))
}

fn states(config: &std::path::Path) -> Vec<serde_json::Value> {
    let out = run(config, &["sources", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("sources --format json is JSON")
}

fn state_of<'a>(states: &'a [serde_json::Value], path: &str) -> &'a serde_json::Value {
    states
        .iter()
        .find(|s| s["url"].as_str().is_some_and(|u| u.ends_with(path)))
        .unwrap_or_else(|| panic!("a source for {path} in {states:#?}"))
}

#[test]
fn each_misbehaving_server_ends_in_the_right_state() {
    let (address, log) = server();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path(), &address, true);
    let first = run(&config, &["fetch"]);
    assert_eq!(first.status.code(), Some(1), "{}", stdout(&first));

    let all = states(&config);
    for source in &all {
        for key in [
            "url",
            "status",
            "last_error",
            "error_count",
            "next_fetch",
            "posts",
        ] {
            assert!(source.get(key).is_some(), "{key} in {source}");
        }
    }
    let status = |path: &str| {
        state_of(&all, path)["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(status("/ok"), "ok");
    assert_eq!(status("/gone"), "gone");
    assert_eq!(status("/busy"), "waiting");
    for failing in ["/broken", "/metadata", "/to-file", "/page", "/missing"] {
        assert_eq!(status(failing), "failing", "{failing}");
    }
    assert_eq!(state_of(&all, "/ok")["posts"], 1);
    assert!(
        state_of(&all, "/metadata")["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("169.254.169.254")
    );
    assert!(
        state_of(&all, "/new")["status"] == "ok",
        "the 301 moved the source to /new: {all:#?}"
    );

    let before = log.lock().map(|l| l.len()).unwrap_or(0);
    let second = run(&config, &["fetch"]);
    let report = stdout(&second);
    assert!(report.contains("/gone: gone"), "{report}");
    assert!(
        report.contains("/busy: the server asked to wait"),
        "{report}"
    );
    assert!(report.contains("/ok: not modified"), "{report}");
    let requests = log.lock().map(|l| l[before..].to_vec()).unwrap_or_default();
    assert!(
        !requests
            .iter()
            .any(|(path, _)| path == "/gone" || path == "/busy"),
        "{requests:#?}"
    );
    let ok = requests
        .iter()
        .find(|(path, _)| path == "/ok")
        .expect("/ok fetched again");
    assert!(
        ok.1.to_ascii_lowercase().contains("if-none-match: \"v1\""),
        "conditional: {}",
        ok.1
    );
    assert!(ok.1.contains("syndic/"), "our User-Agent: {}", ok.1);
}

#[test]
fn without_allow_networks_the_local_server_receives_nothing() {
    let (address, log) = server();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path(), &address, false);
    let out = run(&config, &["fetch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("allow_networks"),
        "the refusal says how to allow it: {}",
        stdout(&out)
    );
    assert_eq!(
        log.lock().map(|l| l.len()).unwrap_or(usize::MAX),
        0,
        "no request reached the server"
    );
}
