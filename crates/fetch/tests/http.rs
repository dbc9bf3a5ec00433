//! The fetcher against a real local HTTP server: conditional GET, status codes as outcomes,
//! redirects followed by hand.

mod server;

use std::time::Duration;

use server::{Reply, Request, Server, header, location, options};
use syndic_fetch::{Body, FetchError, Fetched, Fetcher, FetcherOptions, Validators};

const FEED: &str =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local</title></channel></rss>";
const ETAG: &str = "W/\"abc-1\"";
const LAST_MODIFIED: &str = "Sun, 06 Nov 1994 08:49:37 GMT";

fn routes(request: &Request) -> Reply {
    let path = request.path.as_str();
    if let Some(n) = path
        .strip_prefix("/hop/")
        .and_then(|n| n.parse::<u32>().ok())
    {
        return match n {
            0 => Reply::ok("200 OK", FEED),
            n => Reply::redirect("301 Moved Permanently", &format!("/hop/{}", n - 1)),
        };
    }
    match path {
        "/feed" => Reply::ok(
            &format!(
                "200 OK\r\nContent-Type: application/rss+xml\r\nETag: {ETAG}\r\n\
                 Last-Modified: {LAST_MODIFIED}\r\nCache-Control: public, max-age=600"
            ),
            FEED,
        ),
        "/conditional" if request.header("if-none-match") == Some(ETAG) => {
            Reply::ok("304 Not Modified\r\nExpires: 0", Vec::new())
        }
        "/conditional-new" => Reply::ok("304 Not Modified\r\nETag: \"v2\"", Vec::new()),
        "/permanent" => Reply::redirect("301 Moved Permanently", "/permanent-2"),
        "/permanent-2" => Reply::redirect("308 Permanent Redirect", "/feed#fragment"),
        "/temporary" => Reply::redirect("302 Found", "/feed"),
        "/mixed" => Reply::redirect("301 Moved Permanently", "/mixed-2"),
        "/mixed-2" => Reply::redirect("302 Found", "/feed"),
        "/loop" => Reply::redirect("302 Found", "/loop-2"),
        "/loop-2" => Reply::redirect("307 Temporary Redirect", "/loop"),
        "/self" => Reply::redirect("301 Moved Permanently", "/self"),
        "/to-file" => Reply::redirect("302 Found", "file:///etc/passwd"),
        "/to-gopher" => Reply::redirect("301 Moved Permanently", "gopher://127.0.0.1:70/"),
        "/no-location" => Reply::ok("302 Found", Vec::new()),
        "/gone" => Reply::ok("410 Gone", Vec::new()),
        "/busy-seconds" => Reply::ok("429 Too Many Requests\r\nRetry-After: 120", Vec::new()),
        "/busy-date" => Reply::ok(
            "429 Too Many Requests\r\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT",
            Vec::new(),
        ),
        "/busy-garbage" => Reply::ok("429 Too Many Requests\r\nRetry-After: abc", Vec::new()),
        "/unavailable" => Reply::ok("503 Service Unavailable", Vec::new()),
        "/broken" => Reply::ok("500 Internal Server Error", "oops"),
        _ => Reply::ok("404 Not Found", "nope"),
    }
}

fn fetcher() -> Fetcher {
    Fetcher::new(options()).expect("client")
}

async fn fetch(server: &Server, path: &str) -> Result<Fetched, FetchError> {
    fetcher()
        .fetch(&server.location(path), &Validators::default())
        .await
}

#[tokio::test]
async fn a_200_brings_the_body_its_validators_and_its_freshness() {
    let server = Server::start(routes).await;
    let fetched = fetch(&server, "/feed").await.expect("fetch");
    assert_eq!(
        fetched.body,
        Body::Changed {
            bytes: FEED.into(),
            content_type: Some("application/rss+xml".into())
        }
    );
    assert_eq!(fetched.validators.etag.as_deref(), Some(ETAG));
    assert_eq!(
        fetched.validators.last_modified.as_deref(),
        Some(LAST_MODIFIED)
    );
    assert_eq!(fetched.max_age, Some(Duration::from_secs(600)));
    assert_eq!(fetched.moved_to, None);
    assert_eq!(
        fetched.base_url.map(String::from),
        Some(server.url("/feed"))
    );
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(header(&sent[0], "if-none-match"), None);
    assert_eq!(header(&sent[0], "if-modified-since"), None);
}

#[tokio::test]
async fn the_callers_user_agent_and_the_decoders_are_announced() {
    let server = Server::start(routes).await;
    let fetcher = Fetcher::new(FetcherOptions {
        user_agent: "syndic/9.9 (+https://hub.example/)".into(),
        ..options()
    })
    .expect("client");
    fetcher
        .fetch(&server.location("/feed"), &Validators::default())
        .await
        .expect("fetch");
    let sent = server.requests();
    assert_eq!(
        header(&sent[0], "user-agent"),
        Some("syndic/9.9 (+https://hub.example/)")
    );
    let encodings = header(&sent[0], "accept-encoding").unwrap_or_default();
    for coding in ["gzip", "br", "deflate"] {
        assert!(encodings.contains(coding), "{encodings}");
    }
}

#[tokio::test]
async fn a_304_answers_the_validators_we_sent_byte_for_byte() {
    let server = Server::start(routes).await;
    let sent = Validators {
        etag: Some(ETAG.into()),
        last_modified: Some(LAST_MODIFIED.into()),
    };
    let fetched = fetcher()
        .fetch(&server.location("/conditional"), &sent)
        .await
        .expect("fetch");
    assert_eq!(fetched.body, Body::NotModified);
    assert_eq!(
        fetched.validators, sent,
        "a 304 without validators keeps ours"
    );
    assert_eq!(fetched.max_age, Some(Duration::ZERO), "Expires: 0 is stale");
    let request = &server.requests()[0];
    assert_eq!(header(request, "if-none-match"), Some(ETAG));
    assert_eq!(header(request, "if-modified-since"), Some(LAST_MODIFIED));
}

#[tokio::test]
async fn a_304_with_a_new_etag_replaces_the_old_one() {
    let server = Server::start(routes).await;
    let sent = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some(LAST_MODIFIED.into()),
    };
    let fetched = fetcher()
        .fetch(&server.location("/conditional-new"), &sent)
        .await
        .expect("fetch");
    assert_eq!(fetched.body, Body::NotModified);
    assert_eq!(fetched.validators.etag.as_deref(), Some("\"v2\""));
    assert_eq!(
        fetched.validators.last_modified.as_deref(),
        Some(LAST_MODIFIED)
    );
}

#[tokio::test]
async fn a_chain_of_301_and_308_is_a_permanent_move() {
    let server = Server::start(routes).await;
    let fetched = fetch(&server, "/permanent").await.expect("fetch");
    assert_eq!(
        fetched.moved_to.map(String::from),
        Some(server.url("/feed"))
    );
    assert_eq!(
        fetched.base_url.map(String::from),
        Some(server.url("/feed"))
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_302_or_any_temporary_hop_is_no_move() {
    let server = Server::start(routes).await;
    for path in ["/temporary", "/mixed"] {
        let fetched = fetch(&server, path).await.expect(path);
        assert_eq!(fetched.moved_to, None, "{path}");
        assert_eq!(
            fetched.base_url.map(String::from),
            Some(server.url("/feed"))
        );
        assert!(matches!(fetched.body, Body::Changed { .. }));
    }
}

#[tokio::test]
async fn five_redirects_are_followed_and_a_sixth_is_refused() {
    let server = Server::start(routes).await;
    let fetched = fetch(&server, "/hop/5").await.expect("five hops");
    assert_eq!(
        fetched.moved_to.map(String::from),
        Some(server.url("/hop/0"))
    );
    let err = fetch(&server, "/hop/6").await.expect_err("six hops");
    assert!(matches!(err, FetchError::TooManyRedirects { .. }), "{err}");
    assert!(err.to_string().contains("/hop/6"), "{err}");
}

#[tokio::test]
async fn redirect_loops_are_caught_on_the_first_repeat() {
    let server = Server::start(routes).await;
    for (path, requests) in [("/loop", 2), ("/self", 1)] {
        let before = server.requests().len();
        let err = fetch(&server, path).await.expect_err(path);
        assert!(matches!(err, FetchError::RedirectLoop { .. }), "{err}");
        assert_eq!(server.requests().len() - before, requests, "{path}");
    }
}

#[tokio::test]
async fn redirects_off_http_are_refused() {
    let server = Server::start(routes).await;
    for path in ["/to-file", "/to-gopher", "/no-location"] {
        let err = fetch(&server, path).await.expect_err(path);
        assert!(matches!(err, FetchError::BadRedirect { .. }), "{err}");
    }
    let err = fetch(&server, "/to-file").await.expect_err("file");
    assert!(err.to_string().contains("file:///etc/passwd"), "{err}");
    assert!(err.to_string().contains("only http and https"), "{err}");
}

#[tokio::test]
async fn statuses_become_outcomes_naming_the_url() {
    let server = Server::start(routes).await;
    let err = fetch(&server, "/gone").await.expect_err("410");
    assert!(matches!(err, FetchError::Gone { .. }), "{err}");
    assert!(err.to_string().contains("/gone"), "{err}");
    let err = fetch(&server, "/broken").await.expect_err("500");
    assert!(
        matches!(err, FetchError::Status { status: 500, .. }),
        "{err}"
    );
    let err = fetch(&server, "/missing").await.expect_err("404");
    assert!(
        matches!(err, FetchError::Status { status: 404, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("/missing"), "{err}");
    assert_eq!(err.retry_after(), None);
}

#[tokio::test]
async fn retry_later_carries_the_raw_retry_after() {
    let server = Server::start(routes).await;
    for (path, status, raw) in [
        ("/busy-seconds", 429, Some("120")),
        ("/busy-date", 429, Some("Wed, 21 Oct 2015 07:28:00 GMT")),
        ("/busy-garbage", 429, Some("abc")),
        ("/unavailable", 503, None),
    ] {
        let err = fetch(&server, path).await.expect_err(path);
        assert!(
            matches!(&err, FetchError::RetryLater { status: s, .. } if *s == status),
            "{err}"
        );
        assert_eq!(err.retry_after(), raw, "{path}");
    }
}

#[tokio::test]
async fn files_are_always_changed_and_carry_no_validators() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("feed.xml"), FEED).expect("write");
    let file = location(&format!("file://{}/feed.xml", dir.path().display()));
    let sent = Validators {
        etag: Some(ETAG.into()),
        last_modified: None,
    };
    let fetched = fetcher().fetch(&file, &sent).await.expect("file");
    assert_eq!(
        fetched.body,
        Body::Changed {
            bytes: FEED.into(),
            content_type: None
        }
    );
    assert_eq!(fetched.validators, Validators::default());
    assert_eq!(fetched.moved_to, None);
}
