//! `/healthz` in each role, and a store that cannot be reached: `/healthz` says so with
//! `503`, and pages and feeds answer `503` with `Retry-After` and our page, never a stack,
//! SQL or a wait for the request deadline, with the page cache on or off.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use common::{fixture, get};
use syndic_web::{PageCache, RequestLimits, Role, router, serving_router};

fn health(store: &str, role: &str) -> String {
    format!(
        r#"{{"store":"{store}","schema_version":{},"role":"{role}"}}"#,
        syndic_store::current_schema_version()
    )
}

#[tokio::test]
async fn healthz_names_the_role_the_binary_gave() {
    let fx = fixture(2).await;
    for (role, name) in [
        (Role::Serve, "serve"),
        (Role::Web, "web"),
        (Role::Worker, "worker"),
    ] {
        let app = router(fx.state.clone().with_role(role));
        let reply = get(&app, "/healthz").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, health("ok", name));
        assert_eq!(reply.headers[CONTENT_TYPE], "application/json");
        assert_eq!(reply.headers["cache-control"], "no-store");
    }
}

#[tokio::test]
async fn an_unreachable_store_makes_healthz_503_and_pages_503_with_retry_after() {
    let fx = fixture(2).await;
    // Far longer than any answer below may take: they come from the store's failure,
    // not from the request deadline.
    let limits = RequestLimits {
        deadline: Duration::from_secs(600),
        ..RequestLimits::default()
    };
    let state = fx.state.clone().with_limits(limits).with_role(Role::Web);
    let cached = serving_router(state.clone().with_page_cache(PageCache::new(1 << 20)));
    let bare = router(state);
    assert_eq!(get(&cached, "/tag/map/").await.status, StatusCode::OK);
    // A closed pool fails at once, as a pool does once the server is gone.
    fx.store().close().await;
    let reply = get(&bare, "/healthz").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body, health("unreachable", "web"));
    let metrics = get(&bare, "/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK, "the process's own counters");
    assert!(
        metrics.body.contains("syndic_fetches_total"),
        "{}",
        metrics.body
    );
    for app in [&bare, &cached] {
        for path in [
            "/",
            "/tag/map/",
            "/tag/map/feed.atom",
            "/search?q=map",
            "/sources/",
        ] {
            let reply = get(app, path).await;
            assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
            assert_eq!(
                reply.headers.get(RETRY_AFTER).map(|v| v.as_bytes()),
                Some(&b"5"[..]),
                "{path}"
            );
            assert!(
                reply.body.contains("unavailable for a moment"),
                "{path}: {}",
                reply.body
            );
            let lower = reply.body.to_lowercase();
            for internal in ["sqlx", "pool", "select", "database", "panicked"] {
                assert!(
                    !lower.contains(internal),
                    "{path} shows {internal}: {lower}"
                );
            }
        }
    }
}
