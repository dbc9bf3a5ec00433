//! The fetcher against a real local HTTP server: status codes, redirects, size caps, gzip.

use std::time::Duration;

use syndic_fetch::{FetchError, Fetcher, FetcherOptions, Location};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const FEED: &str =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local</title></channel></rss>";
const GZIPPED: &[u8] = include_bytes!("feed.xml.gz");

/// Answers each request by its path, until the test ends.
async fn server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request);
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (head, body): (String, Vec<u8>) = match path.as_str() {
                    "/feed" => (
                        "200 OK\r\nContent-Type: application/rss+xml".into(),
                        FEED.into(),
                    ),
                    "/gzip" => ("200 OK\r\nContent-Encoding: gzip".into(), GZIPPED.to_vec()),
                    "/big" => ("200 OK".into(), vec![b'x'; 4096]),
                    "/moved" => (
                        "301 Moved Permanently\r\nLocation: /feed".into(),
                        Vec::new(),
                    ),
                    "/loop" => ("302 Found\r\nLocation: /loop".into(), Vec::new()),
                    "/slow" => {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        ("200 OK".into(), FEED.into())
                    }
                    _ => ("404 Not Found".into(), b"nope".to_vec()),
                };
                let response = format!(
                    "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.write_all(&body).await;
            });
        }
    });
    address
}

fn location(address: &str, path: &str) -> Location {
    Location::parse(
        &format!("http://{address}{path}"),
        std::path::Path::new("/"),
    )
    .expect("valid URL")
}

fn fetcher(max_body: u64, timeout: Duration) -> Fetcher {
    Fetcher::new(FetcherOptions {
        max_body,
        timeout,
        ..FetcherOptions::default()
    })
    .expect("client")
}

#[tokio::test]
async fn a_feed_is_read_and_its_final_url_kept() {
    let address = server().await;
    let fetched = fetcher(1 << 20, Duration::from_secs(10))
        .fetch(&location(&address, "/moved"))
        .await
        .expect("fetch");
    assert_eq!(fetched.bytes, FEED.as_bytes());
    assert_eq!(
        fetched.base_url.map(|u| u.path().to_owned()).as_deref(),
        Some("/feed")
    );
}

#[tokio::test]
async fn gzip_bodies_are_decompressed() {
    let address = server().await;
    let fetched = fetcher(1 << 20, Duration::from_secs(10))
        .fetch(&location(&address, "/gzip"))
        .await
        .expect("fetch");
    assert!(String::from_utf8_lossy(&fetched.bytes).contains("Compressed hello"));
}

#[tokio::test]
async fn error_statuses_are_reported_with_the_url() {
    let address = server().await;
    let err = fetcher(1 << 20, Duration::from_secs(10))
        .fetch(&location(&address, "/gone"))
        .await
        .expect_err("404");
    assert!(
        matches!(err, FetchError::Status { status: 404, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("/gone"), "{err}");
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused() {
    let address = server().await;
    let err = fetcher(1000, Duration::from_secs(10))
        .fetch(&location(&address, "/big"))
        .await
        .expect_err("too big");
    assert!(
        matches!(err, FetchError::BodyTooLarge { limit: 1000, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn redirect_loops_stop_after_five_hops() {
    let address = server().await;
    let err = fetcher(1 << 20, Duration::from_secs(10))
        .fetch(&location(&address, "/loop"))
        .await
        .expect_err("loop");
    assert!(err.to_string().contains("too many redirects"), "{err}");
}

#[tokio::test]
async fn slow_servers_time_out() {
    let address = server().await;
    let err = fetcher(1 << 20, Duration::from_millis(300))
        .fetch(&location(&address, "/slow"))
        .await
        .expect_err("slow");
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[tokio::test]
async fn missing_and_oversized_files_are_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = Location::parse("missing.xml", dir.path()).expect("path");
    let err = fetcher(10, Duration::from_secs(1))
        .fetch(&missing)
        .await
        .expect_err("missing");
    assert!(err.to_string().contains("missing.xml"), "{err}");
    std::fs::write(dir.path().join("big.xml"), [b'x'; 64]).expect("write");
    let big = Location::parse("big.xml", dir.path()).expect("path");
    let err = fetcher(10, Duration::from_secs(1))
        .fetch(&big)
        .await
        .expect_err("big");
    assert!(
        matches!(err, FetchError::FileTooLarge { limit: 10, .. }),
        "{err}"
    );
}
