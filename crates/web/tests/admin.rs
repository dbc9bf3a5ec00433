//! The admin through the router: off unless configured, the login, the session cookie, the
//! CSRF token on every form, the login limiter, the bearer token on every API call,
//! `no-store` everywhere, and its pages.

mod common;

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use syndic_core::{Actor, Admission, FeedEntry, FeedMeta, PostId};
use syndic_store::{IncomingPost, SourceSpec};
use syndic_web::{AdminSettings, ApiToken, PasswordHash, hash_password, router};
use tower::ServiceExt;

use common::{Fixture, at, fixture};

const PASSWORD: &str = "tide pools at dawn";
const TOKEN: &str = "api-token-0123456789";

/// Every form the admin posts to, with fields that would do something.
const FORMS: &[(&str, &str)] = &[
    ("/admin/review/approve", "post=6"),
    ("/admin/review/reject", "post=6&reason=spam"),
    ("/admin/takedowns/remove", "post=2&reason=asked"),
    ("/admin/takedowns/restore", "post=2"),
    ("/admin/sources/pause", "source=1"),
    ("/admin/sources/resume", "source=1"),
    ("/admin/sources/fetch", "source=1"),
    ("/admin/logout", ""),
];

/// Every API call, with a body that would do something.
const API_CALLS: &[(&str, &str, &str)] = &[
    ("GET", "/admin/api/review", ""),
    ("GET", "/admin/api/audit", ""),
    (
        "POST",
        "/admin/api/posts/2/remove",
        r#"{"reason": "asked"}"#,
    ),
    ("POST", "/admin/api/posts/2/restore", ""),
    ("POST", "/admin/api/posts/6/approve", ""),
    ("POST", "/admin/api/posts/6/reject", ""),
    ("GET", "/admin/api/sources", ""),
    ("POST", "/admin/api/sources/1/pause", ""),
    ("POST", "/admin/api/sources/1/resume", ""),
    ("POST", "/admin/api/sources/1/fetch", ""),
];

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or("", |value| value.to_str().expect("ascii header"))
    }
}

async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::from(body.to_owned())).expect("request");
    let client: SocketAddr = "192.0.2.10:5000".parse().expect("address");
    request.extensions_mut().insert(ConnectInfo(client));
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("utf-8"),
    }
}

fn settings() -> AdminSettings {
    let hash = hash_password(PASSWORD).expect("hashed");
    AdminSettings {
        password_hash: PasswordHash::parse(&hash).expect("valid"),
        api_token: ApiToken::new(TOKEN),
    }
}

/// The fixture's store with a post held for review (id 6), behind a router with the admin.
async fn with_admin() -> (Fixture, Router) {
    let fx = fixture(10).await;
    hold_for_review(&fx).await;
    let app = router(fx.state.clone().with_admin(settings()));
    (fx, app)
}

async fn hold_for_review(fx: &Fixture) {
    let spec = SourceSpec {
        url: "https://held.example/feed".into(),
        name: Some("Held <Source>".into()),
    };
    let source = fx
        .store()
        .upsert_source(&spec, at(1))
        .await
        .expect("source");
    // Its pages are read for their article: the sources page says with what.
    let settings = syndic_store::SourceSettings {
        full_content: Some("article > .entry-content".into()),
        ..Default::default()
    };
    fx.store()
        .sync_source_settings(source, &settings)
        .await
        .expect("settings");
    let post = IncomingPost {
        entry: FeedEntry {
            guid: "held-1".into(),
            title: "Waiting <b>for</b> review".into(),
            link: Some("https://held.example/1?a=1&b=2".into()),
            author: None,
            published: Some(at(11)),
            updated: None,
            content_html: "<p>Held back.</p>".into(),
            content_text: "Held back.".into(),
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
    fx.store()
        .ingest(source, &FeedMeta::default(), &[post], at(11))
        .await
        .expect("ingest");
}

async fn login(app: &Router, password: &str) -> Reply {
    let body = format!("password={}", password.replace(' ', "+"));
    let form = [("content-type", "application/x-www-form-urlencoded")];
    send(app, "POST", "/admin/login", &form, &body).await
}

/// Signs in; returns the `Cookie` header to send and the session's CSRF token.
async fn signed_in(app: &Router) -> (String, String) {
    let reply = login(app, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let cookie = reply
        .header("set-cookie")
        .split(';')
        .next()
        .expect("cookie")
        .to_owned();
    let page = send(app, "GET", "/admin/", &[("cookie", &cookie)], "").await;
    (cookie, csrf_of(&page.body))
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..start + 64].to_owned()
}

/// `html` with the 64-hex-digit CSRF tokens written as `CSRF`.
fn without_tokens(html: &str, csrf: &str) -> String {
    html.replace(csrf, "CSRF")
}

async fn post_form(app: &Router, uri: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    if let Some(cookie) = cookie {
        headers.push(("cookie", cookie));
    }
    send(app, "POST", uri, &headers, body).await
}

#[tokio::test]
async fn every_admin_path_is_not_found_when_no_password_hash_is_configured() {
    let fx = fixture(10).await;
    for (method, uri) in [
        ("GET", "/admin"),
        ("GET", "/admin/"),
        ("GET", "/admin/login"),
        ("POST", "/admin/login"),
        ("GET", "/admin/takedowns"),
        ("GET", "/admin/admin.css"),
        ("GET", "/admin/api/review"),
        ("GET", "/admin/api/audit"),
        ("POST", "/admin/api/posts/1/remove"),
    ] {
        let reply = send(&fx.app, method, uri, &[("authorization", "Bearer x")], "").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {uri}");
        assert_eq!(reply.header("cache-control"), "no-store", "{uri}");
    }
}

#[tokio::test]
async fn the_right_password_answers_303_to_the_admin_with_a_strict_session_cookie() {
    let (_fx, app) = with_admin().await;
    let reply = login(&app, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header("location"), "/admin/");
    let cookie = reply.header("set-cookie");
    assert!(cookie.starts_with("syndic_admin="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/admin", "Secure"] {
        assert!(
            cookie.split("; ").any(|part| part == flag),
            "{flag} in {cookie}"
        );
    }
    let id = &cookie["syndic_admin=".len()..cookie.find(';').expect("attributes")];
    assert_eq!(id.len(), 64, "256 bits in hex");
}

#[tokio::test]
async fn the_session_cookie_is_not_secure_when_the_site_is_plain_http() {
    let fx = fixture(10).await;
    let mut site = (*fx.state.site).clone();
    site.base_url = "http://127.0.0.1:8080/".parse().expect("url");
    let state = syndic_web::AppState::new(fx.store().clone(), site)
        .expect("state")
        .with_admin(settings());
    let reply = login(&router(state), PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let cookie = reply.header("set-cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_and_never_redirects() {
    let (_fx, app) = with_admin().await;
    for wrong in ["", "tide pools", "TIDE POOLS AT DAWN"] {
        let reply = login(&app, wrong).await;
        assert_eq!(reply.status, StatusCode::OK, "{wrong:?}");
        assert!(reply.header("location").is_empty());
        assert!(reply.header("set-cookie").is_empty());
        assert!(reply.body.contains("Wrong password."));
        assert!(reply.body.contains("name=\"password\""));
    }
    let reply = send(&app, "GET", "/admin/", &[], "").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "not signed in");
    assert_eq!(reply.header("location"), "/admin/login");
}

#[tokio::test]
async fn failed_logins_are_refused_with_429_after_ten_in_a_minute() {
    let (_fx, app) = with_admin().await;
    for attempt in 1..=10 {
        let reply = login(&app, "guess").await;
        assert_eq!(reply.status, StatusCode::OK, "attempt {attempt}");
    }
    let refused = login(&app, PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.header("set-cookie").is_empty(),
        "even the right password"
    );
    let wait: u64 = refused.header("retry-after").parse().expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(refused.body.contains("Too many failed sign-ins"));
}

#[tokio::test]
async fn every_form_refuses_a_missing_cookie_a_missing_token_and_a_wrong_token() {
    let (fx, app) = with_admin().await;
    let (cookie, csrf) = signed_in(&app).await;
    let wrong = "0".repeat(64);
    for (uri, fields) in FORMS {
        let with = |token: &str| {
            if fields.is_empty() {
                format!("csrf={token}")
            } else {
                format!("{fields}&csrf={token}")
            }
        };
        let cases = [
            ("no cookie", None, with(&csrf)),
            ("no token", Some(cookie.as_str()), (*fields).to_owned()),
            ("wrong token", Some(cookie.as_str()), with(&wrong)),
            ("another token", Some(cookie.as_str()), with(&csrf[..63])),
        ];
        for (case, cookie, body) in cases {
            let reply = post_form(&app, uri, cookie, &body).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}: {case}");
            assert_eq!(reply.header("cache-control"), "no-store", "{uri}");
        }
    }
    // Nothing happened: the held post still waits, the post is still up, the session lives.
    assert_eq!(
        fx.store().pending_posts(10).await.expect("pending").len(),
        1
    );
    assert!(
        fx.store()
            .removed_posts(10)
            .await
            .expect("removed")
            .is_empty()
    );
    assert!(
        fx.store()
            .audit_log(None, 10)
            .await
            .expect("audit")
            .is_empty()
    );
    let page = send(&app, "GET", "/admin/", &[("cookie", &cookie)], "").await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn every_api_call_refuses_a_missing_or_wrong_bearer_token() {
    let (fx, app) = with_admin().await;
    let (cookie, _) = signed_in(&app).await;
    for (method, uri, body) in API_CALLS {
        for (case, headers) in [
            ("none", vec![]),
            ("wrong", vec![("authorization", "Bearer wrong-token")]),
            (
                "prefix",
                vec![("authorization", "Bearer api-token-012345678")],
            ),
            ("basic", vec![("authorization", "Basic YWRtaW46YWRtaW4=")]),
            ("session cookie", vec![("cookie", cookie.as_str())]),
        ] {
            let reply = send(&app, method, uri, &headers, body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri}: {case}"
            );
            assert!(reply.body.contains("\"error\""), "{uri}: JSON error");
            assert_eq!(reply.header("cache-control"), "no-store");
        }
    }
    assert_eq!(
        fx.store().pending_posts(10).await.expect("pending").len(),
        1
    );
    assert!(
        fx.store()
            .removed_posts(10)
            .await
            .expect("removed")
            .is_empty()
    );
}

#[tokio::test]
async fn the_api_lists_decides_and_records_each_decision_as_api() {
    let (fx, app) = with_admin().await;
    let auth = [("authorization", "Bearer api-token-0123456789")];
    let review = send(&app, "GET", "/admin/api/review", &auth, "").await;
    assert_eq!(review.status, StatusCode::OK);
    assert_eq!(review.header("content-type"), "application/json");
    let pending: serde_json::Value = serde_json::from_str(&review.body).expect("JSON");
    assert_eq!(
        pending,
        serde_json::json!([{
            "id": 6,
            "title": "Waiting <b>for</b> review",
            "link": "https://held.example/1?a=1&b=2",
            "source": "Held <Source>",
        }])
    );
    let approve = send(&app, "POST", "/admin/api/posts/6/approve", &auth, "").await;
    assert_eq!(approve.status, StatusCode::OK, "{}", approve.body);
    let again = send(&app, "POST", "/admin/api/posts/6/approve", &auth, "").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let no_reason = send(&app, "POST", "/admin/api/posts/2/remove", &auth, "{}").await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let body = r#"{"reason": "the author asked"}"#;
    let remove = send(&app, "POST", "/admin/api/posts/2/remove", &auth, body).await;
    assert_eq!(remove.status, StatusCode::OK, "{}", remove.body);
    let unknown = send(&app, "POST", "/admin/api/posts/999/restore", &auth, "").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = send(&app, "POST", "/admin/api/posts/2/delete", &auth, "").await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    assert_eq!(
        fx.store().removed_posts(10).await.expect("removed")[0].id,
        PostId(2)
    );

    let audit = send(&app, "GET", "/admin/api/audit", &auth, "").await;
    let entries: Vec<serde_json::Value> = serde_json::from_str(&audit.body).expect("JSON");
    let summary: Vec<(String, String, String, serde_json::Value)> = entries
        .iter()
        .map(|entry| {
            assert!(entry["time"].as_str().is_some_and(|t| t.ends_with('Z')));
            (
                entry["actor"].as_str().expect("actor").to_owned(),
                entry["action"].as_str().expect("action").to_owned(),
                entry["target"].as_str().expect("target").to_owned(),
                entry["reason"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "api".into(),
                "remove".into(),
                "post 2".into(),
                "the author asked".into()
            ),
            (
                "api".into(),
                "approve".into(),
                "post 6".into(),
                serde_json::Value::Null
            ),
        ]
    );
    let since = send(
        &app,
        "GET",
        "/admin/api/audit?since=2999-01-01T00:00:00Z",
        &auth,
        "",
    )
    .await;
    assert_eq!(since.body, "[]");
}

#[tokio::test]
async fn the_forms_approve_take_down_restore_and_sign_out() {
    let (fx, app) = with_admin().await;
    let (session, csrf) = signed_in(&app).await;
    let cookie = Some(session.as_str());
    let approve = post_form(
        &app,
        "/admin/review/approve",
        cookie,
        &format!("post=6&csrf={csrf}"),
    )
    .await;
    assert_eq!(approve.status, StatusCode::SEE_OTHER, "{}", approve.body);
    assert_eq!(approve.header("location"), "/admin/");
    assert!(
        fx.store()
            .pending_posts(10)
            .await
            .expect("pending")
            .is_empty()
    );

    let no_reason = post_form(
        &app,
        "/admin/takedowns/remove",
        cookie,
        &format!("post=2&reason=&csrf={csrf}"),
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let by_url = format!(
        "post={}&reason=asked+by+the+author&csrf={csrf}",
        "https%3A%2F%2Ftidepool.example%2F2026%2F03%2Fkelp"
    );
    let remove = post_form(&app, "/admin/takedowns/remove", cookie, &by_url).await;
    assert_eq!(remove.status, StatusCode::SEE_OTHER, "{}", remove.body);
    let removed = fx.store().removed_posts(10).await.expect("removed");
    assert_eq!(removed.len(), 1);
    let id = removed[0].id;
    let listed = send(
        &app,
        "GET",
        "/admin/takedowns",
        &[("cookie", session.as_str())],
        "",
    )
    .await;
    assert!(listed.body.contains("asked by the author"));

    let restore = post_form(
        &app,
        "/admin/takedowns/restore",
        cookie,
        &format!("post={id}&csrf={csrf}"),
    )
    .await;
    assert_eq!(restore.status, StatusCode::SEE_OTHER);
    assert!(
        fx.store()
            .removed_posts(10)
            .await
            .expect("removed")
            .is_empty()
    );
    let actors: Vec<Actor> = fx
        .store()
        .audit_log(None, 10)
        .await
        .expect("audit")
        .into_iter()
        .map(|entry| entry.actor)
        .collect();
    assert_eq!(actors, [Actor::Admin; 3]);

    let logout = post_form(&app, "/admin/logout", cookie, &format!("csrf={csrf}")).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert!(logout.header("set-cookie").contains("Max-Age=0"));
    let after = send(&app, "GET", "/admin/", &[("cookie", session.as_str())], "").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the session ended");
}

async fn source_one_paused(fx: &Fixture) -> bool {
    let sources = fx.store().sources().await.expect("sources");
    sources
        .iter()
        .find(|source| source.id.0 == 1)
        .expect("source 1")
        .paused
}

#[tokio::test]
async fn the_sources_page_pauses_resumes_and_fetches_now_each_recorded() {
    let (fx, app) = with_admin().await;
    let (session, csrf) = signed_in(&app).await;
    let cookie = Some(session.as_str());
    let form = |source: &str| format!("source={source}&csrf={csrf}");
    let pause = post_form(&app, "/admin/sources/pause", cookie, &form("1")).await;
    assert_eq!(pause.status, StatusCode::SEE_OTHER, "{}", pause.body);
    assert_eq!(pause.header("location"), "/admin/sources");
    assert!(source_one_paused(&fx).await);
    let page = send(
        &app,
        "GET",
        "/admin/sources",
        &[("cookie", session.as_str())],
        "",
    )
    .await;
    assert!(page.body.contains("action=\"/admin/sources/resume\""));

    let again = post_form(&app, "/admin/sources/pause", cookie, &form("1")).await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "pausing twice changes nothing"
    );
    let paused_fetch = post_form(&app, "/admin/sources/fetch", cookie, &form("1")).await;
    assert_eq!(
        paused_fetch.status,
        StatusCode::CONFLICT,
        "a paused source is not fetched"
    );
    let unknown = post_form(&app, "/admin/sources/pause", cookie, &form("999")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let garbage = post_form(&app, "/admin/sources/pause", cookie, &form("1;DROP")).await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);

    let resume = post_form(&app, "/admin/sources/resume", cookie, &form("1")).await;
    assert_eq!(resume.status, StatusCode::SEE_OTHER, "{}", resume.body);
    assert!(!source_one_paused(&fx).await);

    let auth = [("authorization", "Bearer api-token-0123456789")];
    let fetch = send(&app, "POST", "/admin/api/sources/1/fetch", &auth, "").await;
    assert_eq!(fetch.status, StatusCode::OK, "{}", fetch.body);
    let listed = send(&app, "GET", "/admin/api/sources", &auth, "").await;
    let listed: serde_json::Value = serde_json::from_str(&listed.body).expect("JSON");
    let one = listed
        .as_array()
        .and_then(|all| all.iter().find(|source| source["id"] == 1))
        .expect("source 1 listed");
    assert_eq!(one["paused"], serde_json::json!(false), "{listed}");
    assert_eq!(one["full_content"], serde_json::Value::Null, "{listed}");
    let held = listed
        .as_array()
        .and_then(|all| all.iter().find(|s| s["url"] == "https://held.example/feed"))
        .expect("the held source listed");
    assert_eq!(held["full_content"], "article > .entry-content", "{listed}");
    let bad = send(&app, "POST", "/admin/api/sources/1/delete", &auth, "").await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);

    let decisions: Vec<(Actor, String)> = fx
        .store()
        .audit_log(None, 10)
        .await
        .expect("audit")
        .into_iter()
        .map(|entry| (entry.actor, entry.action))
        .collect();
    assert_eq!(
        decisions,
        [
            (Actor::Api, "fetch now".to_owned()),
            (Actor::Admin, "resume".to_owned()),
            (Actor::Admin, "pause".to_owned()),
        ]
    );
}

#[tokio::test]
async fn every_admin_answer_is_no_store_with_a_script_free_policy() {
    let (_fx, app) = with_admin().await;
    let (cookie, csrf) = signed_in(&app).await;
    let auth = ("authorization", "Bearer api-token-0123456789");
    let mut replies = Vec::new();
    for uri in [
        "/admin",
        "/admin/",
        "/admin/login",
        "/admin/takedowns",
        "/admin/sources",
        "/admin/filtered",
        "/admin/audit",
        "/admin/admin.css",
        "/admin/nothing-here",
    ] {
        replies.push((
            uri,
            send(&app, "GET", uri, &[("cookie", &cookie)], "").await,
        ));
        replies.push((uri, send(&app, "GET", uri, &[], "").await));
    }
    replies.push(("login", login(&app, "wrong").await));
    replies.push((
        "api",
        send(&app, "GET", "/admin/api/review", &[auth], "").await,
    ));
    replies.push((
        "form",
        post_form(
            &app,
            "/admin/review/approve",
            Some(&cookie),
            &format!("post=6&csrf={csrf}"),
        )
        .await,
    ));
    replies.push(("login ok", login(&app, PASSWORD).await));
    for (what, reply) in &replies {
        assert_eq!(
            reply.header("cache-control"),
            "no-store",
            "{what}: {}",
            reply.status
        );
        let policy = reply.header("content-security-policy");
        assert!(policy.starts_with("default-src 'none'"), "{what}: {policy}");
        assert!(!policy.contains("script-src"), "{what}: {policy}");
        assert!(reply.header("last-modified").is_empty(), "{what}");
    }
}

#[tokio::test]
async fn admin_pages_escape_what_they_show() {
    let (fx, app) = with_admin().await;
    fx.store()
        .remove_post(PostId(2), "<script>alert(1)</script>", Actor::Cli, at(12))
        .await
        .expect("remove");
    let (cookie, csrf) = signed_in(&app).await;
    let cookie = [("cookie", cookie.as_str())];
    for (name, uri) in [
        ("admin_review", "/admin/"),
        ("admin_takedowns", "/admin/takedowns"),
        ("admin_filtered", "/admin/filtered"),
        ("admin_audit", "/admin/audit"),
        ("admin_sources", "/admin/sources"),
    ] {
        let page = send(&app, "GET", uri, &cookie, "").await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert!(!page.body.contains("<script"), "{uri}");
        assert!(!page.body.contains("<b>for"), "{uri}");
        insta::assert_snapshot!(name, without_tokens(&page.body, &csrf));
    }
    let login_page = send(&app, "GET", "/admin/login", &[], "").await;
    insta::assert_snapshot!("admin_login", login_page.body);
}
