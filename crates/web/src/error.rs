//! The web layer's one error type, and the middleware that turns it into an error page.

use std::fmt::Write as _;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use syndic_store::StoreError;

use crate::AppState;

/// Why a request did not get the page it asked for.
///
/// As a response it is an HTML error page with the matching status (400, 404, 405, 414 or 500).
/// The page never shows internals; server-side causes are logged with `tracing::error!`.
#[derive(thiserror::Error, Debug)]
pub enum WebError {
    /// The request asks for something the site will not answer as asked; the message,
    /// written for the reader, is shown on the error page.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// No such page: unknown route, tag or post, or a page number that does not exist.
    #[error("not found")]
    NotFound,
    /// The address (its query string) is longer than the site accepts.
    #[error("address too long")]
    UriTooLong,
    /// The route exists but not for this HTTP method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The store failed.
    #[error("storage failed")]
    Store(#[from] StoreError),
    /// A template failed to render.
    #[error("template rendering failed")]
    Template(#[from] minijinja::Error),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            WebError::UriTooLong => StatusCode::URI_TOO_LONG,
            WebError::Store(_) | WebError::Template(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Marks a response as an error page still to be rendered with the site's templates, with
/// the reader's message when the error has one.
#[derive(Debug, Clone, Copy)]
struct PendingErrorPage(StatusCode, Option<&'static str>);

/// Served when the error template itself cannot be rendered.
const FALLBACK_PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Error</title>\
</head><body><h1>Error</h1><p>This page cannot be shown.</p><p><a href=\"/\">Front page</a></p>\
</body></html>\n";

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match self {
            WebError::BadRequest(message) => Some(message),
            _ => None,
        };
        if status.is_server_error() {
            tracing::error!(error = %chain(&self), "request failed");
        }
        let mut response = (status, Html(FALLBACK_PAGE)).into_response();
        response
            .extensions_mut()
            .insert(PendingErrorPage(status, message));
        response
    }
}

/// Middleware: replaces the body of every [`WebError`] response with the rendered
/// `error.html`, keeping status and headers.
pub(crate) async fn error_pages(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let response = next.run(req).await;
    let Some(PendingErrorPage(status, message)) = response.extensions().get().copied() else {
        return response;
    };
    match crate::render::error_page(&state, status, message) {
        Ok(html) => {
            let (mut parts, _) = response.into_parts();
            parts.extensions.remove::<PendingErrorPage>();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(html))
        }
        Err(err) => {
            tracing::error!(error = %chain(&err), "cannot render the error page");
            response
        }
    }
}

/// An error and its sources, `outer: inner: innermost`.
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}
