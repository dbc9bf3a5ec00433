//! `syndic parse`: the fixed JSON shape, files, standard input, URLs, errors, and hostile
//! XML that must neither read files nor expand entities.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use common::{stderr, stdout, syndic};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/parse")
        .join(name)
}

fn parse(args: &[&str]) -> Output {
    syndic()
        .arg("parse")
        .args(args)
        .output()
        .expect("run syndic")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        stderr(out)
    );
    serde_json::from_str(&stdout(out)).expect("JSON on stdout")
}

#[test]
fn rss_with_a_base_url_prints_the_fixed_shape() {
    let path = fixture("river-notes.rss");
    let out = parse(&[
        path.to_str().expect("utf-8 path"),
        "--base",
        "https://river.example/feed.xml",
        "--format",
        "json",
    ]);
    let doc = json(&out);
    assert_eq!(doc["format"], "rss2.0");
    assert_eq!(doc["title"], "River Notes");
    assert_eq!(doc["link"], "https://river.example/");
    assert_eq!(doc["description"], "Field notes from a slow river");
    assert_eq!(doc["language"], "en-gb");
    assert_eq!(doc["updated"], "2026-03-03T08:30:00Z");
    assert_eq!(doc["encoding"], "utf-8");
    assert!(doc["warnings"].is_array());
    let entries = doc["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    let first = &entries[0];
    assert_eq!(first["id"], "river-notes-17");
    assert_eq!(first["title"], "Otters at the weir");
    assert_eq!(first["link"], "https://river.example/2026/03/otters");
    assert_eq!(first["authors"], serde_json::json!(["Ada Brook"]));
    assert_eq!(first["published"], "2026-03-02T18:00:00Z");
    assert_eq!(
        first["categories"],
        serde_json::json!(["wildlife", "otters"])
    );
    let content = first["content"].as_str().expect("content");
    assert!(content.contains("https://river.example/weir"), "{content}");
    assert!(!content.contains("script"), "sanitized: {content}");
    assert!(
        first["summary"]
            .as_str()
            .expect("summary")
            .contains("otters")
    );
    assert_eq!(
        first["enclosures"],
        serde_json::json!([{"url": "https://river.example/audio/otters.mp3",
                            "type": "audio/mpeg", "length": 123456}])
    );
    let second = &entries[1];
    assert_eq!(second["published"], "2026-02-01T12:15:00Z");
    assert_eq!(second["content"], Value::Null);
    let summary = second["summary"].as_str().expect("summary");
    assert!(summary.contains("été"), "HTML entity decoded: {summary}");
    assert!(summary.contains("&amp; winter"), "stray & kept: {summary}");
    // The repairs are reported, and the feed still counts as read.
    assert!(!doc["warnings"].as_array().expect("warnings").is_empty());
}

#[test]
fn latin1_atom_with_xhtml_content_is_read_without_mojibake() {
    let out = parse(&[
        fixture("cafe-latin1.atom").to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    let doc = json(&out);
    assert_eq!(doc["format"], "atom1.0");
    assert_eq!(doc["encoding"], "iso-8859-1");
    assert_eq!(doc["title"], "Café du matin");
    assert_eq!(doc["language"], "fr");
    let entry = &doc["entries"][0];
    assert_eq!(entry["title"], "Crème & café");
    assert_eq!(entry["updated"], "2026-01-05T07:00:00Z");
    let content = entry["content"].as_str().expect("content");
    assert!(content.contains("Déjà vu"), "{content}");
}

#[test]
fn standard_input_and_the_text_summary() {
    let mut child = syndic()
        .args(["parse", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let feed = std::fs::read(fixture("river-notes.rss")).expect("fixture");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&feed)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("format:      rss2.0"), "{text}");
    assert!(text.contains("entries:     2"), "{text}");
    assert!(text.contains("Otters at the weir"), "{text}");
}

#[test]
fn nothing_usable_exits_1_with_a_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        "<!doctype html><html><body><p>hello</p></body></html>",
    )
    .expect("w");
    let out = parse(&[page.to_str().expect("utf-8"), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("no feed found"), "{}", stderr(&out));

    let missing = dir.path().join("missing.xml");
    let out = parse(&[missing.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot open"), "{}", stderr(&out));

    let empty = dir.path().join("empty.xml");
    std::fs::write(&empty, "").expect("w");
    let out = parse(&[empty.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn declared_entities_are_never_expanded_and_files_never_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let canary = dir.path().join("canary.txt");
    std::fs::write(&canary, "CANARY-SECRET-7f3a").expect("canary");
    let template = std::fs::read_to_string(fixture("xxe.rss")).expect("fixture");
    let feed = dir.path().join("xxe.rss");
    std::fs::write(
        &feed,
        template.replace("CANARY_PATH", canary.to_str().expect("utf-8")),
    )
    .expect("w");
    let out = parse(&[feed.to_str().expect("utf-8"), "--format", "json"]);
    let text = stdout(&out);
    assert!(
        !text.contains("CANARY-SECRET"),
        "file content leaked: {text}"
    );
    assert!(!text.contains("lollol"), "entity expanded: {text}");
    let doc = json(&out);
    assert_eq!(doc["entries"].as_array().map(Vec::len), Some(1));
}

/// Serves `body` once with `content_type`, returns the URL.
fn serve_once(body: Vec<u8>, content_type: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{address}/feeds/river.xml")
}

#[test]
fn a_typed_local_url_is_read_with_its_charset_and_base() {
    // windows-1251 bytes, declared only by the HTTP charset.
    let (title, _, _) = encoding_rs::WINDOWS_1251.encode("Речные заметки");
    let mut body = b"<rss version=\"2.0\"><channel><title>".to_vec();
    body.extend_from_slice(&title);
    body.extend_from_slice(
        b"</title><link>http://river.example/</link><item><title>One</title>\
          <link>../posts/1</link></item></channel></rss>",
    );
    let url = serve_once(body, "application/rss+xml; charset=windows-1251");
    let doc = json(&parse(&[&url, "--format", "json"]));
    assert_eq!(doc["encoding"], "windows-1251");
    assert_eq!(doc["title"], "Речные заметки");
    let link = doc["entries"][0]["link"].as_str().expect("link");
    assert!(
        link.ends_with("/posts/1") && link.starts_with("http://127.0.0.1:"),
        "{link}"
    );
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let path = fixture("river-notes.rss");
    let mut child = syndic()
        .args([
            "parse",
            path.to_str().expect("utf-8 path"),
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run syndic");
    // Close the read end before syndic writes, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for syndic");
    assert!(out.status.success(), "exit {:?}", out.status);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
