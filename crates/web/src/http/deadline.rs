//! The request deadline: no request waits on the store longer than
//! [`RequestLimits::deadline`](crate::RequestLimits::deadline).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::{AppState, WebError};

/// Middleware: runs the layers within it (the read of the change clock for
/// `Last-Modified`, the handler and every store query it makes) under the request's
/// deadline; a request still waiting then (for a pooled connection, or on a slow query)
/// is dropped and answered with the `503` page and `Retry-After`.
pub(crate) async fn deadline(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.limits().deadline;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => crate::error::rendered(
            &state,
            WebError::Busy("the store did not answer within the request deadline"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::http::header::RETRY_AFTER;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;
    use crate::RequestLimits;

    #[tokio::test]
    async fn a_request_past_its_deadline_gets_the_busy_page_with_retry_after() {
        let dir = tempfile::tempdir().expect("dir");
        let store = syndic_store::Store::open_sqlite_path(&dir.path().join("d.db"))
            .await
            .expect("store");
        let site = crate::Site {
            title: "Deadline".into(),
            base_url: "https://hub.example/".parse().expect("url"),
            posts_per_page: 10,
            theme_dir: None,
            hubs: Vec::new(),
            local_media: false,
        };
        let state = AppState::new(store, site)
            .expect("state")
            .with_limits(RequestLimits {
                deadline: Duration::from_millis(50),
                ..RequestLimits::default()
            });
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            "never"
        };
        let app = Router::new()
            .route("/slow", get(slow))
            .route("/quick", get(|| async { "quick" }))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                deadline,
            ))
            .with_state(state);
        let ask = |path: &'static str| {
            let app = app.clone();
            async move {
                let request = Request::get(path).body(Body::empty()).expect("request");
                app.oneshot(request).await.expect("infallible")
            }
        };
        let busy = ask("/slow").await;
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            busy.headers().get(RETRY_AFTER).map(|v| v.as_bytes()),
            Some(&b"5"[..])
        );
        let page = axum::body::to_bytes(busy.into_body(), 1 << 20)
            .await
            .expect("body");
        let page = String::from_utf8_lossy(&page);
        assert!(
            page.contains("<h1>Busy</h1>") && page.contains("Deadline"),
            "{page}"
        );
        assert_eq!(ask("/quick").await.status(), StatusCode::OK);
    }
}
