//! A source's own User-Agent, headers and basic credentials against a local server that
//! demands all three: read with them, refused (with a hint) without, and never carried
//! to another origin by a redirect.

mod server;

use std::sync::Arc;

use server::{Reply, Request, Server, options};
use syndic_fetch::{BasicAuth, Body, FetchError, Fetcher, SourceHeader, SourceRequest, Validators};

const FEED: &str =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Private</title></channel></rss>";
/// `ada:swordfish`, as HTTP basic sends it.
const CREDENTIALS: &str = "Basic YWRhOnN3b3JkZmlzaA==";

fn demanding(request: &Request) -> Reply {
    if request.header("user-agent") != Some("PlanetBot/2.0") {
        return Reply::ok("403 Forbidden", "who are you?");
    }
    if request.header("x-token") != Some("t0ken") {
        return Reply::ok("403 Forbidden", "no token");
    }
    if request.header("authorization") != Some(CREDENTIALS) {
        return Reply::ok(
            "401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"feeds\"",
            "",
        );
    }
    Reply::ok("200 OK\r\nContent-Type: application/rss+xml", FEED)
}

fn request_for(server: &Server) -> SourceRequest {
    SourceRequest {
        user_agent: Some("PlanetBot/2.0".into()),
        headers: vec![SourceHeader::new("X-Token", "t0ken").expect("header")],
        basic_auth: Some(BasicAuth {
            username: "ada".into(),
            password: "swordfish".into(),
        }),
        ..SourceRequest::default()
    }
    .scoped_to(&server.url("/feed").parse().expect("url"))
}

#[tokio::test]
async fn a_feed_that_wants_an_agent_a_header_and_a_password_is_read_with_them() {
    let server = Server::start(demanding).await;
    let fetcher = Fetcher::new(options()).expect("fetcher");
    let fetched = fetcher
        .fetch_as(
            &server.location("/feed"),
            &Validators::default(),
            &request_for(&server),
        )
        .await
        .expect("read with the source's settings");
    assert!(matches!(fetched.body, Body::Changed { ref bytes, .. } if bytes == FEED.as_bytes()));
}

#[tokio::test]
async fn without_them_the_refusal_says_what_to_set() {
    let server = Server::start(demanding).await;
    let fetcher = Fetcher::new(options()).expect("fetcher");
    let error = fetcher
        .fetch(&server.location("/feed"), &Validators::default())
        .await
        .expect_err("refused without the settings");
    assert!(
        matches!(error, FetchError::Status { status: 403, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("user_agent"), "{error}");

    let mut no_password = request_for(&server);
    no_password.basic_auth = None;
    let error = fetcher
        .fetch_as(
            &server.location("/feed"),
            &Validators::default(),
            &no_password,
        )
        .await
        .expect_err("refused without the password");
    assert!(
        matches!(error, FetchError::Status { status: 401, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("password_env"), "{error}");
    assert!(!error.to_string().contains("t0ken"), "{error}");
}

#[tokio::test]
async fn headers_and_credentials_never_follow_a_redirect_to_another_origin() {
    let elsewhere = Arc::new(Server::start(|_: &Request| Reply::ok("200 OK", FEED)).await);
    let target = elsewhere.url("/copied");
    let server = Server::start(move |request: &Request| match request.path.as_str() {
        "/moved" => Reply::redirect("302 Found", &target),
        _ => demanding(request),
    })
    .await;
    let fetcher = Fetcher::new(options()).expect("fetcher");
    let scoped = request_for(&server);
    fetcher
        .fetch_as(&server.location("/moved"), &Validators::default(), &scoped)
        .await
        .expect("the other origin answers");
    let heads = elsewhere.requests();
    assert_eq!(heads.len(), 1);
    let head = heads[0].to_ascii_lowercase();
    assert!(head.contains("user-agent: planetbot/2.0"), "{head}");
    assert!(
        !head.contains("x-token") && !head.contains("authorization"),
        "{head}"
    );
    let first = server.requests()[0].to_ascii_lowercase();
    assert!(
        first.contains("x-token: t0ken") && first.contains("authorization: basic"),
        "{first}"
    );
}
