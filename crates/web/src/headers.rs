//! Security headers on every response, error pages included; the admin's stricter ones
//! under `/admin`.

use axum::extract::{Request, State};

use crate::AppState;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// No scripts, no frames, styles only from our own stylesheet; images, audio and video
/// from anywhere on the web, since republished posts embed their authors' images and
/// carry their podcasts' and video blogs' files (played where they are hosted).
pub(crate) const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; img-src http: https:; \
media-src http: https:; style-src 'self'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// The policy with `[media] cache = true`: images from this site only (the posts' images
/// are served from `/media/`), so a reader's browser asks no third party for them.
pub(crate) const LOCAL_IMAGES_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; img-src 'self'; \
media-src http: https:; style-src 'self'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// The admin's policy: its own stylesheet and forms, nothing else at all (no script, no
/// images, no frames).
pub(crate) const ADMIN_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Middleware: sets the security headers, replacing any a handler set. Everything under
/// `/admin` gets the admin's stricter policy and `Cache-Control: no-store`.
/// With `[media] cache = true` images may come from this site only.
pub(crate) async fn security_headers(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let policy = if state.media().is_some() {
        LOCAL_IMAGES_CONTENT_SECURITY_POLICY
    } else {
        CONTENT_SECURITY_POLICY_VALUE
    };
    let admin = crate::admin::is_admin_path(req.uri().path());
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    secure(headers);
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    if admin {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(ADMIN_CONTENT_SECURITY_POLICY),
        );
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
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
