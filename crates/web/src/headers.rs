//! Security headers on every response, error pages included.

use axum::extract::Request;
use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// No scripts, no frames, styles only from our own stylesheet; images from anywhere on the
/// web, since republished posts embed their authors' images.
pub(crate) const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; img-src http: https:; \
style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Middleware: sets the security headers, replacing any a handler set.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    secure(response.headers_mut());
    response
}

/// Sets the security headers in `headers`, replacing any already there.
pub(crate) fn secure(headers: &mut HeaderMap) {
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
}
