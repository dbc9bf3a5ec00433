//! The web layer's one error type, and the middleware that turns it into an error page.

use std::fmt::Write as _;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{self, CACHE_CONTROL, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use syndic_store::StoreError;

use crate::AppState;
use crate::render::SiteView;

/// What a `503` asks the client to wait before trying again, in seconds.
pub const RETRY_AFTER_SECS: u32 = 5;

/// The reader's message when the store cannot be reached.
const UNREACHABLE_MESSAGE: &str =
    "The site is unavailable for a moment. Please try again in a few seconds.";

/// Why a request did not get the page it asked for.
///
/// As a response it is an HTML error page with the matching status (400, 404, 405, 410,
/// 413, 414, 431, 500 or 503). The page never shows internals; server-side causes are logged
/// with `tracing::error!`.
#[derive(thiserror::Error, Debug)]
pub enum WebError {
    /// The request asks for something the site will not answer as asked; the message,
    /// written for the reader, is shown on the error page.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// No such page: unknown route, tag or post, or a page number that does not exist.
    #[error("not found")]
    NotFound,
    /// A post that was taken down (`410 Gone`): the page says so, with nothing of the post.
    #[error("gone")]
    Gone,
    /// The address (its path or query string) is longer than the site accepts.
    #[error("address too long")]
    UriTooLong,
    /// The request's body is larger than the site accepts.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The request's header fields are larger (or more) than the site accepts.
    #[error("request header fields too large")]
    HeadersTooLarge,
    /// The route exists but not for this HTTP method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The site is saturated (the search budget is spent, or the store did not answer
    /// within the request's deadline): `503` with `Retry-After`.
    #[error("busy: {0}")]
    Busy(&'static str),
    /// The store failed. When it could not be reached at all
    /// ([`StoreError::is_unreachable`]) the answer is `503` with `Retry-After`: the
    /// request may succeed once the database is back.
    #[error("storage failed")]
    Store(#[from] StoreError),
    /// The store did not answer the request's first read within
    /// [`RequestLimits::store_wait`](crate::RequestLimits::store_wait), or could not be
    /// reached: `503` with `Retry-After`, at once.
    #[error("the store is unreachable")]
    StoreUnreachable,
    /// A template failed to render.
    #[error("template rendering failed")]
    Template(#[from] minijinja::Error),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Gone => StatusCode::GONE,
            WebError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            WebError::UriTooLong => StatusCode::URI_TOO_LONG,
            WebError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            WebError::Busy(_) | WebError::StoreUnreachable => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Store(error) if error.is_unreachable() => StatusCode::SERVICE_UNAVAILABLE,
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
            WebError::StoreUnreachable => Some(UNREACHABLE_MESSAGE),
            WebError::Store(ref error) if error.is_unreachable() => Some(UNREACHABLE_MESSAGE),
            _ => None,
        };
        match &self {
            WebError::Busy(why) => tracing::warn!(http.status = 503, "answered busy: {why}"),
            WebError::StoreUnreachable => {
                tracing::warn!(
                    http.status = 503,
                    "answered unavailable: the store is unreachable"
                );
            }
            WebError::Store(error) if error.is_unreachable() => {
                tracing::warn!(http.status = 503, error = %chain(error), "answered unavailable: the store is unreachable");
            }
            _ if status.is_server_error() => {
                tracing::error!(error = %chain(&self), "request failed");
            }
            _ => {}
        }
        let mut response = (status, Html(FALLBACK_PAGE)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        response
            .extensions_mut()
            .insert(PendingErrorPage(status, message));
        response
    }
}

/// Middleware: replaces the body of every [`WebError`] response with the rendered
/// `error.html`, keeping status and headers. A `413` from a body limit (axum's own plain
/// text) gets the page too.
pub(crate) async fn error_pages(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let response = next.run(req).await;
    let pending = response.extensions().get().copied().or_else(|| {
        (response.status() == StatusCode::PAYLOAD_TOO_LARGE)
            .then_some(PendingErrorPage(StatusCode::PAYLOAD_TOO_LARGE, None))
    });
    let Some(PendingErrorPage(status, message)) = pending else {
        return response;
    };
    match error_page(&state, status, message) {
        Ok(html) => {
            let (mut parts, _) = response.into_parts();
            parts.extensions.remove::<PendingErrorPage>();
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            Response::from_parts(parts, Body::from(html))
        }
        Err(err) => {
            tracing::error!(error = %chain(&err), "cannot render the error page");
            response
        }
    }
}

/// The error page for `error` rendered at once, for a layer outside
/// [`error_pages`]; the outer layers still add the security headers and `no-store`.
pub(crate) fn rendered(state: &AppState, error: WebError) -> Response {
    let response = error.into_response();
    let status = response.status();
    let (mut parts, body) = response.into_parts();
    let message = parts
        .extensions
        .remove::<PendingErrorPage>()
        .and_then(|PendingErrorPage(_, message)| message);
    let body = match error_page(state, status, message) {
        Ok(html) => Body::from(html),
        Err(err) => {
            tracing::error!(error = %chain(&err), "cannot render the error page");
            body
        }
    };
    Response::from_parts(parts, body)
}

/// The finished error page for `error`, outside the router (a request refused before it
/// is routed): the rendered template, the security headers, and `no-store`.
pub(crate) fn refusal(state: &AppState, error: WebError) -> Response {
    let mut response = rendered(state, error);
    let headers = response.headers_mut();
    crate::headers::secure(headers);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The error page for `status`; `message` (when given) replaces the status's usual text.
fn error_page(
    state: &AppState,
    status: StatusCode,
    message: Option<&str>,
) -> Result<String, WebError> {
    let (heading, usual) = headline(status);
    let site = &state.site;
    state.templates().render(
        "error.html",
        context! {
            site => SiteView::new(site),
            page_title => format!("{heading} – {}", site.title),
            heading => heading,
            message => message.unwrap_or(usual),
        },
    )
}

/// The heading and the usual text of the error page for `status`.
fn headline(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => (
            "Bad request",
            "This address asks for something the site cannot answer.",
        ),
        StatusCode::NOT_FOUND => (
            "Page not found",
            "There is no page at this address. The link may be mistyped, or the page may be gone.",
        ),
        StatusCode::GONE => ("Post removed", "This post has been removed from this site."),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Method not allowed",
            "This address cannot be used that way.",
        ),
        StatusCode::URI_TOO_LONG => (
            "Address too long",
            "The address of this page is longer than the site accepts. Shorten it and try again.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Request too large",
            "The request carries more data than the site accepts.",
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            "Request headers too large",
            "The request's headers are larger than the site accepts. Clearing this site's \
             cookies or shortening the request may help.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            "Busy",
            "The site is busy right now. Please try again in a few seconds.",
        ),
        _ => (
            "Something went wrong",
            "This page cannot be shown right now. Please try again later.",
        ),
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
