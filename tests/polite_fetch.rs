//! `syndic fetch` against a misbehaving feed server on 127.0.0.1, through the real binary:
//! every scenario ends in the right state in `syndic sources --format json`, a second
//! fetch is conditional and leaves the 429 and 410 sources alone, nothing ever reaches the
//! metadata address, and without `allow_networks` the server receives no request at all.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{run, stderr, stdout};

const FEED: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local</title>\
    <item><guid>one</guid><title>A local post</title><link>https://local.example/1</link></item></channel></rss>";

/// What the server saw: one (path, request head) per request.
type Log = Arc<Mutex<Vec<(String, String)>>>;

/// What the server does for one path.
enum Reply {
    /// A complete answer: status line, extra headers, body.
    Canned(&'static str, String, Vec<u8>),
    /// Headers at once, then one byte now and then, slower than the client's idle timeout.
    Drip,
    /// A body with no end, at full speed, until the client hangs up.
    Endless,
}

/// A file that an XXE entity names: its text must never reach a post.
const CANARY: &str = "CANARY-7f3e-SECRET";

/// Gzip of 8 MiB of spaces: a few KiB on the wire, far beyond the test's body cap inflated.
fn gzip_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![b' '; 64 * 1024];
    for _ in 0..128 {
        encoder.write_all(&block).expect("compress");
    }
    encoder.finish().expect("compress")
}

fn reply(path: &str, conditional: bool, canary: &std::path::Path, bomb: &[u8]) -> Reply {
    let canned = |status, headers: &str, body: &[u8]| {
        Reply::Canned(status, headers.to_owned(), body.to_vec())
    };
    let rss = "Content-Type: application/rss+xml\r\n";
    match path {
        "/ok" if conditional => canned("304 Not Modified", "", b""),
        "/ok" => canned("200 OK", "ETag: \"v1\"\r\n", FEED.as_bytes()),
        "/gone" => canned("410 Gone", "", b""),
        "/busy" => canned("429 Too Many Requests", "Retry-After: 3600\r\n", b""),
        "/broken" => canned("500 Internal Server Error", "", b"oops"),
        "/metadata" => canned(
            "302 Found",
            "Location: http://169.254.169.254/latest/meta-data/\r\n",
            b"",
        ),
        "/to-file" => canned("302 Found", "Location: file:///etc/passwd\r\n", b""),
        "/old" => canned("301 Moved Permanently", "Location: /new\r\n", b""),
        "/new" => canned("200 OK", "", FEED.replace("one", "two").as_bytes()),
        "/temporary" => canned("302 Found", "Location: /target\r\n", b""),
        "/target" => canned("200 OK", rss, FEED.replace("one", "three").as_bytes()),
        "/loop" => canned("302 Found", "Location: /loop-back\r\n", b""),
        "/loop-back" => canned("302 Found", "Location: /loop\r\n", b""),
        "/page" => canned(
            "200 OK",
            "Content-Type: text/html\r\n",
            b"<!doctype html><html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/ok\"></head><body>hi</body></html>",
        ),
        "/drip" => Reply::Drip,
        "/endless" => Reply::Endless,
        "/bomb" => Reply::Canned(
            "200 OK",
            format!("{rss}Content-Encoding: gzip\r\n"),
            bomb.to_vec(),
        ),
        "/xxe" => canned(
            "200 OK",
            rss,
            format!(
                "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://{}\">\
                 <!ENTITY pwd SYSTEM \"file:///etc/passwd\">]><rss version=\"2.0\"><channel>\
                 <title>XXE</title><item><guid>xxe</guid><title>Leak &xxe; &pwd; here</title>\
                 <link>https://local.example/xxe</link><description>Body &xxe;</description>\
                 </item></channel></rss>",
                canary.display()
            )
            .as_bytes(),
        ),
        "/laughs" => {
            let mut doctype = String::from("<!ENTITY lol0 \"lol\">");
            for level in 1..10 {
                let previous = format!("&lol{};", level - 1).repeat(10);
                doctype.push_str(&format!("<!ENTITY lol{level} \"{previous}\">"));
            }
            canned(
                "200 OK",
                rss,
                format!(
                    "<?xml version=\"1.0\"?><!DOCTYPE rss [{doctype}]><rss version=\"2.0\">\
                     <channel><title>Laughs</title><item><guid>laughs</guid>\
                     <title>Ha &lol9;</title><link>https://local.example/laughs</link>\
                     </item></channel></rss>"
                )
                .as_bytes(),
            )
        }
        "/hostile" => canned(
            "200 OK",
            rss,
            b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Hostile</title>\
              <item><guid>hostile</guid><title>Hostile markup</title>\
              <link>https://local.example/hostile</link><description><![CDATA[\
              <script>alert('x')</script><p onclick=\"evil()\">Harmless words \
              <a href=\"javascript:alert(1)\">click</a></p>\
              <iframe src=\"https://evil.example/\"></iframe>]]></description>\
              </item></channel></rss>",
        ),
        "/latin1" => canned(
            "200 OK",
            rss,
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>\
              <title>Caf\xe9</title><item><guid>latin</guid><title>Caf\xe9 cr\xe8me</title>\
              <link>https://local.example/latin</link></item></channel></rss>",
        ),
        "/garbage" => canned(
            "200 OK",
            "Content-Type: application/octet-stream\r\n",
            &(0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect::<Vec<u8>>(),
        ),
        _ => canned("404 Not Found", "", b""),
    }
}

/// A feed server answering by path, one thread per connection, for as long as the test
/// runs. `canary` is the file the XXE scenario's entity names.
fn server(canary: &std::path::Path) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let log: Log = Arc::default();
    let seen = Arc::clone(&log);
    let canary = canary.to_owned();
    let bomb: Arc<[u8]> = gzip_bomb().into();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let seen = Arc::clone(&seen);
            let canary = canary.clone();
            let bomb = Arc::clone(&bomb);
            std::thread::spawn(move || answer(stream, &seen, &canary, &bomb));
        }
    });
    (address, log)
}

fn answer(mut stream: TcpStream, seen: &Log, canary: &std::path::Path, bomb: &[u8]) {
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
    match reply(&path, conditional, canary, bomb) {
        Reply::Canned(status, headers, body) => {
            let mut response = format!(
                "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            response.extend_from_slice(&body);
            let _ = stream.write_all(&response);
        }
        Reply::Drip => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\
                  Content-Length: 100000\r\nConnection: close\r\n\r\n<?xml",
            );
            // Slower than the 1 s idle timeout; gives up on its own after half a minute.
            for _ in 0..20 {
                std::thread::sleep(Duration::from_millis(1500));
                if stream.write_all(b" ").is_err() {
                    break;
                }
            }
        }
        Reply::Endless => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\
                  Connection: close\r\n\r\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>",
            );
            let chunk = "<item><title>more</title></item>".repeat(512);
            // Until the client hangs up (capped at 1 GiB so a broken client cannot hang us).
            for _ in 0..(1 << 30) / chunk.len() {
                if stream.write_all(chunk.as_bytes()).is_err() {
                    break;
                }
            }
        }
    }
}

const PATHS: [&str; 19] = [
    "/ok",
    "/gone",
    "/busy",
    "/broken",
    "/metadata",
    "/to-file",
    "/old",
    "/page",
    "/missing",
    "/temporary",
    "/loop",
    "/drip",
    "/endless",
    "/bomb",
    "/xxe",
    "/laughs",
    "/hostile",
    "/latin1",
    "/garbage",
];

fn config(dir: &std::path::Path, address: &str, allow: bool) -> std::path::PathBuf {
    let sources: String = PATHS
        .iter()
        .map(|p| format!("[[source]]\nurl = \"http://{address}{p}\"\ntags = [\"probe\"]\n\n"))
        .collect();
    let allow = if allow {
        "allow_networks = [\"127.0.0.1/32\"]\n"
    } else {
        ""
    };
    let fetch = format!(
        "[fetch]\ntimeout = \"3s\"\nidle_timeout = \"1s\"\nmax_body = \"256KiB\"\n{allow}\n"
    );
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
    let dir = tempfile::tempdir().expect("temp dir");
    let canary = dir.path().join("canary.txt");
    std::fs::write(&canary, CANARY).expect("write canary");
    let (address, log) = server(&canary);
    let config = config(dir.path(), &address, true);
    let started = Instant::now();
    let first = run(&config, &["fetch"]);
    let took = started.elapsed();
    assert_eq!(first.status.code(), Some(1), "{}", stdout(&first));
    // Deadlines, not performance: the drip is cut by the 1 s idle timeout, the endless
    // body and the gzip bomb by the 256 KiB cap; nothing waits for the drip's 30 s.
    assert!(
        took < Duration::from_secs(20),
        "one fetch of every hostile server took {took:?}"
    );

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
    for ok in ["/temporary", "/xxe", "/laughs", "/hostile", "/latin1"] {
        assert_eq!(status(ok), "ok", "{ok}: {all:#?}");
        assert_eq!(state_of(&all, ok)["posts"], 1, "{ok}");
    }
    for failing in [
        "/broken",
        "/metadata",
        "/to-file",
        "/page",
        "/missing",
        "/loop",
        "/drip",
        "/endless",
        "/bomb",
        "/garbage",
    ] {
        assert_eq!(status(failing), "failing", "{failing}");
        assert_eq!(state_of(&all, failing)["posts"], 0, "{failing}");
    }
    let error = |path: &str| {
        state_of(&all, path)["last_error"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        error("/loop").contains("redirect loop"),
        "{}",
        error("/loop")
    );
    assert!(error("/drip").contains("timed out"), "{}", error("/drip"));
    for capped in ["/endless", "/bomb"] {
        assert!(
            error(capped).contains("262144-byte limit"),
            "{}",
            error(capped)
        );
    }
    assert!(
        error("/to-file").contains("only http and https"),
        "{}",
        error("/to-file")
    );
    assert!(
        error("/garbage").contains("not a feed"),
        "{}",
        error("/garbage")
    );
    // A web page that links to its feed says which URL to use instead.
    assert!(
        error("/page").contains(&format!("links to the feed http://{address}/ok"))
            && error("/page").contains("syndic add"),
        "{}",
        error("/page")
    );
    // A 302 is followed, but the source keeps its URL (only 301/308 move it).
    assert_eq!(
        state_of(&all, "/temporary")["url"],
        format!("http://{address}/temporary")
    );
    // Latin-1 bytes, declared in the XML, come out as UTF-8.
    assert_eq!(state_of(&all, "/latin1")["name"], "Café");

    let text = run(&config, &["export", "--tag", "probe"]);
    assert!(text.status.success(), "{}", stderr(&text));
    let text = stdout(&text);
    let html = run(&config, &["export", "--tag", "probe", "--format", "html"]);
    assert!(html.status.success(), "{}", stderr(&html));
    let html = stdout(&html);
    assert!(text.contains("Café crème"), "{text}");
    // XXE: the external entities are not expanded, nothing of the files they name is read.
    assert!(text.contains("Leak &xxe; &pwd; here"), "{text}");
    // Billion laughs: not expanded either, and no blow-up.
    assert!(text.contains("Ha &lol9;"), "{text}");
    for output in [&text, &html] {
        assert!(
            !output.contains(CANARY) && !output.contains("root:"),
            "{output}"
        );
        assert!(!output.contains("lollollol"), "entities expanded");
        assert!(output.len() < 200_000, "{} bytes", output.len());
    }
    // Hostile markup is stored sanitized: the words stay, the active parts go.
    assert!(html.contains("Harmless words"), "{html}");
    for active in [
        "<script",
        "alert(",
        "onclick",
        "javascript:",
        "<iframe",
        "evil.example",
    ] {
        assert!(!html.contains(active), "{active} in {html}");
        assert!(!text.contains(active), "{active} in {text}");
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
    let dir = tempfile::tempdir().expect("temp dir");
    let (address, log) = server(&dir.path().join("canary.txt"));
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
