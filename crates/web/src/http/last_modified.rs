//! `Last-Modified` for every page and feed: the store's change clock.
//!
//! Everything but `/healthz` and `/static/` is rendered from the store alone, so one
//! site-wide time, [`Store::last_change`](syndic_store::Store::last_change), moved by every
//! write that can change a page (ingest, retag, new tag, new or renamed source, failed
//! fetch), is a correct `Last-Modified` for all of them. [`conditional`](super::conditional)
//! runs outside this layer and answers `If-Modified-Since` with it.

use axum::extract::{Request, State};
use axum::http::header::LAST_MODIFIED;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;

use super::conditional::{http_date, settled};
use crate::error::{chain, rendered};
use crate::{AppState, WebError};

/// A request extension: the store was found unreachable on the way in (by the page
/// cache's read of the change stamp), so the request is answered `503` without asking
/// again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoreUnreachable;

/// Middleware: gives a `200` answer to GET or HEAD of a store-backed page or feed that has
/// no `Last-Modified` of its own the store's last change.
///
/// The clock is read *before* the handler runs, so a change that commits while the page
/// renders can only make the page newer than its stamp, never older. A change within the
/// current second gets no `Last-Modified` (the `ETag` still validates): a second change in
/// that same second would carry the same HTTP date, and a client holding the first would be
/// told nothing changed.
///
/// This read is the request's first touch of the store, so it also tells whether the
/// store is there: when it cannot be reached, or does not answer within
/// [`RequestLimits::store_wait`](crate::RequestLimits::store_wait), the request is
/// answered `503` with `Retry-After` at once (as it is when the page cache's read of the
/// change stamp found the same, [`StoreUnreachable`]). Any other store error here leaves
/// the header out and is logged; it never fails the request.
pub(crate) async fn last_modified(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let readable = matches!(*req.method(), Method::GET | Method::HEAD);
    if !readable || !store_backed(req.uri().path()) {
        return next.run(req).await;
    }
    if req.extensions().get::<StoreUnreachable>().is_some() {
        return rendered(&state, WebError::StoreUnreachable);
    }
    let asked_at = Utc::now();
    let read = tokio::time::timeout(state.limits().store_wait, state.store.last_change()).await;
    let changed = match read {
        Ok(Ok(changed)) => Some(changed),
        Ok(Err(err)) if err.is_unreachable() => {
            return rendered(&state, WebError::Store(err));
        }
        Ok(Err(err)) => {
            tracing::warn!(
                error = %chain(&err),
                "cannot read the store's last change; answering without Last-Modified"
            );
            None
        }
        Err(_) => return rendered(&state, WebError::StoreUnreachable),
    };
    let mut response = next.run(req).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(LAST_MODIFIED) {
        return response;
    }
    if let Some(changed) = changed.filter(|changed| settled(*changed, asked_at)) {
        response
            .headers_mut()
            .insert(LAST_MODIFIED, http_date(changed));
    }
    response
}

/// Whether the page at `path` is rendered from the store alone (every route but the health
/// check, the metrics, the built-in static files, the WebSub callback and the admin).
pub(crate) fn store_backed(path: &str) -> bool {
    !matches!(path, "/healthz" | "/metrics")
        && !path.starts_with("/static/")
        && !path.starts_with("/websub/")
        && !path.starts_with("/media/")
        && !crate::admin::is_admin_path(path)
}

#[cfg(test)]
mod tests {
    use super::store_backed;

    #[test]
    fn pages_feeds_and_search_are_store_backed() {
        for path in [
            "/",
            "/tag/map/page/2/",
            "/post/1/a-title/",
            "/tags/",
            "/sources/",
            "/search",
            "/feed.atom",
            "/source/x/feed.json",
            "/sources.opml",
        ] {
            assert!(store_backed(path), "{path}");
        }
        for path in [
            "/healthz",
            "/metrics",
            "/static/style.css",
            "/websub/1",
            "/media/0123",
            "/admin",
            "/admin/",
            "/admin/api/review",
        ] {
            assert!(!store_backed(path), "{path}");
        }
    }
}
