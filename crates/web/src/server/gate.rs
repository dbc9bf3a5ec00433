//! What every request passes before it is routed: a `Host`, a head of bounded size, a
//! body of bounded size. A request that fails gets the site's own error page (`400`,
//! `414`, `431`, `413`) with the security headers, and its connection is closed.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::header::{CONNECTION, CONTENT_LENGTH, HOST};
use axum::http::{HeaderValue, Request, Version};
use axum::response::Response;
use hyper::body::Incoming;
use tower::ServiceExt;

use super::watch::Phases;
use crate::{AppState, MAX_PUSH_BYTES, WebError};

/// The longest request target (path and query) accepted; longer ones get our `414`.
pub const MAX_TARGET_BYTES: usize = 8 * 1024;
/// The most bytes of header fields accepted (names, values and their separators); more
/// gets our `431`. Well below hyper's own buffer (about 400 KiB), so ours answers first.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The most header fields accepted; more gets our `431`. Hyper is set to parse twice as
/// many, so ours answers first.
pub const MAX_HEADER_FIELDS: usize = 100;
/// The most header fields hyper parses before it answers a bare `431` itself.
pub(super) const HYPER_MAX_HEADERS: usize = 2 * MAX_HEADER_FIELDS;

/// The site as hyper calls it for each request of one connection.
#[derive(Clone)]
pub(super) struct Gate {
    pub(super) app: Router,
    pub(super) state: AppState,
    pub(super) phases: Arc<Phases>,
    /// The client's address, handed to handlers as axum's `ConnectInfo` (the admin's login
    /// limiter counts failures by it).
    pub(super) peer: std::net::SocketAddr,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for Gate {
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, req: Request<Incoming>) -> Answer {
        self.phases.busy();
        let phases = Arc::clone(&self.phases);
        if let Some(refused) = refusal(&req) {
            let mut response = crate::error::refusal(&self.state, refused);
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            phases.idle();
            return Box::pin(std::future::ready(Ok(response)));
        }
        let app = self.app.clone();
        let mut req = req.map(Body::new);
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(self.peer));
        Box::pin(async move {
            let response = match app.oneshot(req).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            phases.idle();
            Ok(response)
        })
    }
}

/// Why `req` is refused before routing, if it is.
fn refusal<B>(req: &Request<B>) -> Option<WebError> {
    if req.version() == Version::HTTP_11 && !req.headers().contains_key(HOST) {
        return Some(WebError::BadRequest(
            "An HTTP/1.1 request must name the site in a Host header.",
        ));
    }
    let target = req
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > MAX_TARGET_BYTES {
        return Some(WebError::UriTooLong);
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES || req.headers().len() > MAX_HEADER_FIELDS {
        return Some(WebError::HeadersTooLarge);
    }
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_PUSH_BYTES as u64) {
        return Some(WebError::PayloadTooLarge);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(version: Version, headers: &[(&str, String)], target: &str) -> Request<()> {
        let mut builder = Request::get(target).version(version);
        for (name, value) in headers {
            builder = builder.header(*name, value.as_str());
        }
        builder.body(()).expect("request")
    }

    fn status(req: &Request<()>) -> Option<u16> {
        refusal(req).map(|err| err.status().as_u16())
    }

    #[test]
    fn requests_without_host_long_targets_big_heads_and_big_bodies_are_refused() {
        let host = ("host", "hub.example".to_owned());
        let ok = request(Version::HTTP_11, std::slice::from_ref(&host), "/tag/map/");
        assert_eq!(status(&ok), None);
        assert_eq!(status(&request(Version::HTTP_11, &[], "/")), Some(400));
        assert_eq!(
            status(&request(Version::HTTP_10, &[], "/")),
            None,
            "HTTP/1.0"
        );
        let long = format!("/search?q={}", "a".repeat(MAX_TARGET_BYTES));
        assert_eq!(
            status(&request(
                Version::HTTP_11,
                std::slice::from_ref(&host),
                &long
            )),
            Some(414)
        );
        let many: Vec<(&str, String)> = std::iter::repeat_n(("x-many", "1".to_owned()), 101)
            .chain([host.clone()])
            .collect();
        assert_eq!(status(&request(Version::HTTP_11, &many, "/")), Some(431));
        let cookie = ("cookie", "c".repeat(MAX_HEADER_BYTES));
        assert_eq!(
            status(&request(Version::HTTP_11, &[host.clone(), cookie], "/")),
            Some(431)
        );
        let body = ("content-length", (MAX_PUSH_BYTES + 1).to_string());
        assert_eq!(
            status(&request(
                Version::HTTP_11,
                &[host.clone(), body],
                "/websub/1"
            )),
            Some(413)
        );
        let small = ("content-length", "10".to_owned());
        assert_eq!(
            status(&request(Version::HTTP_11, &[host, small], "/websub/1")),
            None
        );
    }
}
