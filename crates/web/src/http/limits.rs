//! Bounds on what a request may ask for.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::WebError;

/// The longest query string answered; longer ones get the `414` page. No page of the site
/// needs more than a page number, a sort order or a search of a few words.
pub(crate) const MAX_QUERY_BYTES: usize = 4096;

/// Middleware: refuses a query string longer than [`MAX_QUERY_BYTES`] before any handler
/// reads it.
pub(crate) async fn query_limit(req: Request, next: Next) -> Response {
    if req
        .uri()
        .query()
        .is_some_and(|query| query.len() > MAX_QUERY_BYTES)
    {
        return WebError::UriTooLong.into_response();
    }
    next.run(req).await
}
