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
