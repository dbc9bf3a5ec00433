//! The fetcher against the hostile servers of HOSTILE-INPUTS section C not covered
//! elsewhere: an endless chunked body (C3), lying `Content-Length`s (C3), header bombs
//! (C5), feeds under the wrong `Content-Type` (C9) and a 403 (C11). Each ends in an answer
//! or a clean error well inside the deadlines: never a hang.

mod server;

use std::time::{Duration, Instant};

use server::{Reply, Request, Server, options};
use syndic_fetch::{Body, FetchError, Fetched, Fetcher, FetcherOptions, Validators};

const FEED: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local</title>\
                    <item><title>One</title><link>http://example.com/1</link></item>\
                    </channel></rss>";
/// The cap these tests run with.
const CAP: u64 = 64 * 1024;
/// Well under the test fetcher's 5 s total deadline: an answer, not a timeout.
const QUICK: Duration = Duration::from_secs(3);

/// A raw response: `status_line`, `headers` (each ending in CRLF), a blank line, `body`.
fn raw(status_line: &str, headers: &str, body: &[u8]) -> Reply {
    let mut bytes = format!("{status_line}\r\n{headers}Connection: close\r\n\r\n").into_bytes();
    bytes.extend_from_slice(body);
    Reply::Raw(bytes)
}

fn routes(request: &Request) -> Reply {
    match request.path.as_str() {
        "/chunked-endless" => Reply::EndlessChunked {
            head: "200 OK".into(),
        },
        // Declares 100 bytes and sends 10 MB.
        "/length-short" => raw(
            "HTTP/1.1 200 OK",
            "Content-Length: 100\r\n",
            &vec![b'x'; 10 * 1024 * 1024],
        ),
        // Declares 10 MB and sends 100 bytes, then closes.
        "/length-long" => raw(
            "HTTP/1.1 200 OK",
            &format!("Content-Length: {}\r\n", 10 * 1024 * 1024),
            &[b'x'; 100],
        ),
        "/many-headers" => {
            let headers: String = (0..200).map(|i| format!("X-Bomb-{i}: {i}\r\n")).collect();
            raw("HTTP/1.1 200 OK", &headers, FEED.as_bytes())
        }
        "/huge-header" => raw(
            "HTTP/1.1 200 OK",
            &format!("X-Bomb: {}\r\n", "a".repeat(1024 * 1024)),
            FEED.as_bytes(),
        ),
        "/huge-status" => raw(
            &format!("HTTP/1.1 200 {}", "O".repeat(1024 * 1024)),
            "",
            FEED.as_bytes(),
        ),
        "/as-html" => Reply::ok("200 OK\r\nContent-Type: text/html; charset=utf-8", FEED),
        "/as-octets" => Reply::ok("200 OK\r\nContent-Type: application/octet-stream", FEED),
        "/as-png" => Reply::ok("200 OK\r\nContent-Type: image/png", FEED),
        "/forbidden" => Reply::ok("403 Forbidden", "no"),
        _ => Reply::ok("404 Not Found", "nope"),
    }
}

fn fetcher(tweak: impl FnOnce(&mut FetcherOptions)) -> Fetcher {
    let mut options = FetcherOptions {
        max_body: CAP,
        ..options()
    };
    tweak(&mut options);
    Fetcher::new(options).expect("client")
}

/// Fetches `path`, failing the test if the answer takes longer than [`QUICK`].
async fn fetch(fetcher: &Fetcher, server: &Server, path: &str) -> Result<Fetched, FetchError> {
    let started = Instant::now();
    let answer = fetcher
        .fetch(&server.location(path), &Validators::default())
        .await;
    assert!(
        started.elapsed() < QUICK,
        "{path} took {:?}",
        started.elapsed()
    );
    answer
}

fn bytes(fetched: Fetched) -> Vec<u8> {
    match fetched.body {
        Body::Changed { bytes, .. } => bytes,
        Body::NotModified => panic!("unexpected 304"),
    }
}

#[tokio::test]
async fn an_endless_chunked_body_stops_at_the_cap() {
    let server = Server::start(routes).await;
    let err = fetch(&fetcher(|_| {}), &server, "/chunked-endless")
        .await
        .expect_err("endless chunked");
    assert!(
        matches!(err, FetchError::BodyTooLarge { limit: CAP, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_content_length_shorter_than_the_body_reads_only_what_it_declares() {
    let server = Server::start(routes).await;
    let fetched = fetch(&fetcher(|_| {}), &server, "/length-short")
        .await
        .expect("declared 100");
    assert_eq!(bytes(fetched), vec![b'x'; 100]);
}

#[tokio::test]
async fn a_content_length_longer_than_the_body_is_refused_or_truncated() {
    let server = Server::start(routes).await;
    // Over the cap: refused on the declaration alone.
    let err = fetch(&fetcher(|_| {}), &server, "/length-long")
        .await
        .expect_err("declared 10 MB over a 64 KiB cap");
    assert!(
        matches!(err, FetchError::BodyTooLarge { limit: CAP, .. }),
        "{err}"
    );
    // Under the cap: the early close is a truncated body, an error, not a short success.
    let err = fetch(&fetcher(|o| o.max_body = 16 << 20), &server, "/length-long")
        .await
        .expect_err("declared 10 MB, sent 100");
    assert!(matches!(err, FetchError::Http { .. }), "{err}");
}

#[tokio::test]
async fn header_bombs_are_clean_errors() {
    let server = Server::start(routes).await;
    let fetcher = fetcher(|_| {});
    for path in ["/many-headers", "/huge-header", "/huge-status"] {
        let err = fetch(&fetcher, &server, path).await.expect_err(path);
        assert!(matches!(err, FetchError::Http { .. }), "{path}: {err}");
    }
}

#[tokio::test]
async fn a_feed_under_the_wrong_content_type_is_still_read_and_parses() {
    let server = Server::start(routes).await;
    let fetcher = fetcher(|_| {});
    for (path, content_type) in [
        ("/as-html", "text/html; charset=utf-8"),
        ("/as-octets", "application/octet-stream"),
        ("/as-png", "image/png"),
    ] {
        let fetched = fetch(&fetcher, &server, path).await.expect(path);
        let base = fetched.base_url.clone();
        let Body::Changed {
            bytes,
            content_type: got,
        } = fetched.body
        else {
            panic!("{path}: unexpected 304");
        };
        assert_eq!(got.as_deref(), Some(content_type), "{path}");
        assert_eq!(bytes, FEED.as_bytes(), "{path}");
        let parsed = syndic_feed::parse(&bytes, base.as_ref()).expect(path);
        assert_eq!(parsed.entries.len(), 1, "{path}");
    }
}

#[tokio::test]
async fn a_403_is_a_status_error() {
    let server = Server::start(routes).await;
    let err = fetch(&fetcher(|_| {}), &server, "/forbidden")
        .await
        .expect_err("403");
    assert!(
        matches!(err, FetchError::Status { status: 403, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("/forbidden"), "{err}");
}
