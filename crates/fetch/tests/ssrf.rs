//! The SSRF guard end to end: refused addresses are never connected to, whether they come as
//! the source's URL, a numeric trick, a host name, a redirect hop or through a proxy. Every
//! target here is on this machine's loopback range, and each test counts the connections
//! its servers accepted.

mod server;

use server::{Reply, Request, Server, header, location, options};
use syndic_fetch::{Body, FetchError, Fetcher, FetcherOptions, Validators};

const FEED: &str =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local</title></channel></rss>";

fn feed(_: &Request) -> Reply {
    Reply::ok("200 OK", FEED)
}

fn guarded(allow: &[&str]) -> Fetcher {
    Fetcher::new(FetcherOptions {
        allow_networks: allow.iter().map(|n| n.parse().expect("network")).collect(),
        ..options()
    })
    .expect("client")
}

async fn refused(fetcher: &Fetcher, url: &str) -> String {
    let err = fetcher
        .fetch(&location(url), &Validators::default())
        .await
        .expect_err(url);
    assert!(matches!(err, FetchError::Refused { .. }), "{url}: {err}");
    assert!(err.to_string().contains("allow_networks"), "{err}");
    err.to_string()
}

#[tokio::test]
async fn loopback_is_refused_before_any_connection_by_default() {
    let server = Server::start(feed).await;
    let port = server.address.port();
    let fetcher = guarded(&[]);
    let message = refused(&fetcher, &server.url("/feed")).await;
    assert!(
        message.contains("127.0.0.1 (loopback address;"),
        "{message}"
    );
    for trick in [
        "2130706433",
        "0x7f.1",
        "017700000001",
        "127.1",
        "0x7f000001",
    ] {
        refused(&fetcher, &format!("http://{trick}:{port}/feed")).await;
    }
    assert_eq!(server.accepts(), 0);
}

#[tokio::test]
async fn names_are_checked_on_the_addresses_they_resolve_to() {
    let server = Server::start(feed).await;
    let url = format!("http://localhost:{}/feed", server.address.port());
    let message = refused(&guarded(&[]), &url).await;
    assert!(
        message.contains("refused to connect to localhost ("),
        "{message}"
    );
    assert_eq!(server.accepts(), 0);
    let fetched = guarded(&["127.0.0.1/32"])
        .fetch(&location(&url), &Validators::default())
        .await
        .expect("localhost allowed through 127.0.0.1/32");
    assert!(matches!(fetched.body, Body::Changed { .. }));
}

#[tokio::test]
async fn allow_networks_let_the_operators_range_through() {
    let server = Server::start(feed).await;
    let port = server.address.port();
    let fetcher = guarded(&["127.0.0.1/32"]);
    for url in [
        server.url("/feed"),
        format!("http://2130706433:{port}/feed"),
    ] {
        let fetched = fetcher
            .fetch(&location(&url), &Validators::default())
            .await
            .expect(&url);
        assert!(matches!(fetched.body, Body::Changed { .. }));
    }
    assert_eq!(server.accepts(), 2);
    // Only the listed range: the rest of 127/8 and ::1 stay refused.
    refused(&fetcher, &format!("http://127.0.0.2:{port}/feed")).await;
    refused(&fetcher, &format!("http://[::1]:{port}/feed")).await;
}

#[tokio::test]
async fn every_redirect_hop_meets_the_guard_before_connecting() {
    let elsewhere = Server::start_on("127.0.0.2", feed).await;
    let other = elsewhere.address;
    let server = Server::start(move |request: &Request| match request.path.as_str() {
        "/metadata" => Reply::redirect("302 Found", "http://169.254.169.254/latest/meta-data/"),
        "/ipv6-loopback" => Reply::redirect("301 Moved Permanently", "http://[::1]:8080/admin"),
        "/mapped" => Reply::redirect("302 Found", "http://[::ffff:169.254.169.254]/"),
        "/elsewhere" => Reply::redirect("301 Moved Permanently", &format!("http://{other}/feed")),
        _ => Reply::ok("404 Not Found", Vec::new()),
    })
    .await;
    let fetcher = guarded(&["127.0.0.1/32"]);
    let message = refused(&fetcher, &server.url("/metadata")).await;
    assert!(
        message.contains(
            "refused to connect to 169.254.169.254 (link-local address; \
             allow it with [fetch] allow_networks)"
        ),
        "{message}"
    );
    assert!(message.contains("/latest/meta-data/"), "{message}");
    refused(&fetcher, &server.url("/ipv6-loopback")).await;
    let message = refused(&fetcher, &server.url("/mapped")).await;
    assert!(message.contains("IPv4-mapped"), "{message}");
    refused(&fetcher, &server.url("/elsewhere")).await;
    assert_eq!(elsewhere.accepts(), 0, "the refused hop was never dialled");
    assert_eq!(server.accepts(), 4);
}

/// A forward proxy on loopback that answers every request with the feed.
async fn proxy() -> Server {
    Server::start(feed).await
}

fn through(proxy: &Server, allow: &[&str]) -> Fetcher {
    Fetcher::new(FetcherOptions {
        allow_networks: allow.iter().map(|n| n.parse().expect("network")).collect(),
        proxy: Some(proxy.url("/").parse().expect("proxy URL")),
        ..options()
    })
    .expect("client")
}

#[tokio::test]
async fn a_configured_proxy_carries_requests_but_not_past_the_guard() {
    let proxy = proxy().await;
    // Port 1 on 127.0.0.3: nothing listens there, so only the proxy can answer.
    let fetched = through(&proxy, &["127.0.0.3/32"])
        .fetch(&location("http://127.0.0.3:1/feed"), &Validators::default())
        .await
        .expect("through the proxy");
    assert!(matches!(fetched.body, Body::Changed { .. }));
    let sent = proxy.requests();
    assert!(
        sent[0].starts_with("GET http://127.0.0.3:1/feed HTTP/1.1"),
        "{}",
        sent[0]
    );
    assert!(header(&sent[0], "user-agent").is_some());

    let guarded = through(&proxy, &[]);
    refused(&guarded, "http://127.0.0.3:1/feed").await;
    let message = refused(&guarded, "http://localhost:1/feed").await;
    assert!(message.contains("localhost"), "{message}");
    assert_eq!(proxy.accepts(), 1, "refused targets never reach the proxy");
}
