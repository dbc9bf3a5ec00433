//! The fetcher against hostile bodies from a local server: deadlines, the decompressed-body
//! cap, compression bombs, and the three encodings it must decode.

mod server;

use std::io::Write;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use server::{Reply, Request, Server, location, options};
use syndic_fetch::{Body, FetchError, Fetched, Fetcher, FetcherOptions, TimeoutPhase, Validators};

const FEED: &str =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local</title></channel></rss>";
const GZIPPED_FIXTURE: &[u8] = include_bytes!("feed.xml.gz");
/// The cap these tests run with.
const CAP: u64 = 64 * 1024;
/// What the bombs inflate to: 128 times the cap.
const BOMB: usize = 8 * 1024 * 1024;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("deflate");
    encoder.finish().expect("deflate")
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        encoder.write_all(bytes).expect("brotli");
    }
    out
}

static GZIP_BOMB: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(&vec![0; BOMB]));
static BROTLI_BOMB: LazyLock<Vec<u8>> = LazyLock::new(|| brotli(&vec![0; BOMB]));

fn routes(request: &Request) -> Reply {
    let encoded = |coding: &str, body: Vec<u8>| {
        Reply::ok(&format!("200 OK\r\nContent-Encoding: {coding}"), body)
    };
    match request.path.as_str() {
        "/gzip" => encoded("gzip", gzip(FEED.as_bytes())),
        "/gzip-fixture" => encoded("gzip", GZIPPED_FIXTURE.to_vec()),
        "/deflate" => encoded("deflate", zlib(FEED.as_bytes())),
        "/br" => encoded("br", brotli(FEED.as_bytes())),
        "/gzip-bomb" => encoded("gzip", GZIP_BOMB.clone()),
        "/br-bomb" => encoded("br", BROTLI_BOMB.clone()),
        "/not-gzip" => encoded("gzip", FEED.into()),
        "/at-cap" => Reply::ok("200 OK", vec![b'x'; CAP as usize]),
        "/over-cap" => Reply::ok("200 OK", vec![b'x'; CAP as usize + 1]),
        "/endless" => Reply::Endless {
            head: "200 OK".into(),
        },
        "/drip-slow" => Reply::Drip {
            head: "200 OK".into(),
            every: Duration::from_millis(1500),
        },
        "/drip-steady" => Reply::Drip {
            head: "200 OK".into(),
            every: Duration::from_millis(50),
        },
        "/silent" => Reply::Silent,
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

async fn fetch(fetcher: &Fetcher, server: &Server, path: &str) -> Result<Fetched, FetchError> {
    fetcher
        .fetch(&server.location(path), &Validators::default())
        .await
}

fn bytes(fetched: Fetched) -> Vec<u8> {
    match fetched.body {
        Body::Changed { bytes, .. } => bytes,
        Body::NotModified => panic!("unexpected 304"),
    }
}

#[tokio::test]
async fn gzip_brotli_and_deflate_bodies_are_decoded() {
    let server = Server::start(routes).await;
    let fetcher = fetcher(|_| {});
    for path in ["/gzip", "/deflate", "/br"] {
        let fetched = fetch(&fetcher, &server, path).await.expect(path);
        assert_eq!(bytes(fetched), FEED.as_bytes(), "{path}");
    }
    let fixture = bytes(
        fetch(&fetcher, &server, "/gzip-fixture")
            .await
            .expect("fixture"),
    );
    assert!(String::from_utf8_lossy(&fixture).contains("Compressed hello"));
}

#[tokio::test]
async fn a_body_that_is_not_what_it_claims_is_a_clean_error() {
    let server = Server::start(routes).await;
    let err = fetch(&fetcher(|_| {}), &server, "/not-gzip")
        .await
        .expect_err("plain text labelled gzip");
    assert!(matches!(err, FetchError::Http { .. }), "{err}");
}

#[tokio::test]
async fn the_cap_admits_its_size_and_refuses_one_byte_more() {
    let server = Server::start(routes).await;
    let fetcher = fetcher(|_| {});
    let fetched = fetch(&fetcher, &server, "/at-cap").await.expect("at cap");
    assert_eq!(bytes(fetched).len() as u64, CAP);
    let err = fetch(&fetcher, &server, "/over-cap")
        .await
        .expect_err("over");
    assert!(
        matches!(err, FetchError::BodyTooLarge { limit: CAP, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap() {
    let server = Server::start(routes).await;
    let err = fetch(&fetcher(|_| {}), &server, "/endless")
        .await
        .expect_err("endless");
    assert!(
        matches!(err, FetchError::BodyTooLarge { limit: CAP, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn compression_bombs_stop_at_the_decompressed_cap() {
    assert!(GZIP_BOMB.len() < CAP as usize, "the gzip bomb is small");
    assert!(BROTLI_BOMB.len() < CAP as usize, "the brotli bomb is small");
    let server = Server::start(routes).await;
    let fetcher = fetcher(|_| {});
    for path in ["/gzip-bomb", "/br-bomb"] {
        let err = fetch(&fetcher, &server, path).await.expect_err(path);
        assert!(
            matches!(err, FetchError::BodyTooLarge { limit: CAP, .. }),
            "{path}: {err}"
        );
    }
}

#[tokio::test]
async fn a_body_trickled_slower_than_the_idle_deadline_times_out() {
    let server = Server::start(routes).await;
    let fetcher = fetcher(|o| o.idle_timeout = Duration::from_millis(300));
    let started = Instant::now();
    let err = fetch(&fetcher, &server, "/drip-slow")
        .await
        .expect_err("drip");
    assert!(
        matches!(
            err,
            FetchError::Timeout {
                phase: TimeoutPhase::Idle,
                ..
            }
        ),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_steady_trickle_is_cut_at_the_total_deadline() {
    let server = Server::start(routes).await;
    let fetcher = fetcher(|o| o.timeout = Duration::from_millis(400));
    let err = fetch(&fetcher, &server, "/drip-steady")
        .await
        .expect_err("trickle");
    assert!(
        matches!(
            err,
            FetchError::Timeout {
                phase: TimeoutPhase::Total,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("/drip-steady"), "{err}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = Server::start(routes).await;
    let fetcher = fetcher(|o| o.idle_timeout = Duration::from_millis(300));
    let err = fetch(&fetcher, &server, "/silent")
        .await
        .expect_err("silent");
    assert!(
        matches!(
            err,
            FetchError::Timeout {
                phase: TimeoutPhase::Idle,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn missing_and_oversized_files_are_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fetcher = fetcher(|o| o.max_body = 10);
    let missing = location(&format!("file://{}/missing.xml", dir.path().display()));
    let err = fetcher
        .fetch(&missing, &Validators::default())
        .await
        .expect_err("missing");
    assert!(err.to_string().contains("missing.xml"), "{err}");
    std::fs::write(dir.path().join("big.xml"), [b'x'; 64]).expect("write");
    let big = location(&format!("file://{}/big.xml", dir.path().display()));
    let err = fetcher
        .fetch(&big, &Validators::default())
        .await
        .expect_err("big");
    assert!(
        matches!(err, FetchError::FileTooLarge { limit: 10, .. }),
        "{err}"
    );
}
