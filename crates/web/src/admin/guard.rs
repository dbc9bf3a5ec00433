//! What stands before the admin's handlers: a live session (and, on every POST, its CSRF
//! token) for the pages, a bearer token for the API.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::sessions::Session;
use super::{MAX_ADMIN_BODY_BYTES, SESSION_COOKIE, api, render};
use crate::AppState;

/// The session a request was made in, for the handlers behind [`signed_in`].
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    /// The session's id, as the cookie carries it (to end it).
    pub(crate) id: String,
    pub(crate) session: Session,
}

/// Middleware for the pages: a request without a live session is sent to the login form
/// (GET) or refused with `403` (anything else); a POST whose form does not carry the
/// session's CSRF token (`csrf`) is refused with `403` before its handler runs.
pub(crate) async fn signed_in(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(admin) = state.admin() else {
        return crate::WebError::NotFound.into_response();
    };
    let found = session_id(req.headers()).and_then(|id| {
        let session = admin.sessions.find(&id, Instant::now())?;
        Some(SignedIn { id, session })
    });
    let reading = matches!(*req.method(), Method::GET | Method::HEAD);
    let Some(signed_in) = found else {
        if reading {
            return Redirect::to("/admin/login").into_response();
        }
        return render::message(
            StatusCode::FORBIDDEN,
            "You are not signed in (or your session ended). Sign in again, then repeat what \
             you did.",
        );
    };
    let req = if reading {
        req
    } else {
        match with_checked_csrf(req, &signed_in.session).await {
            Ok(req) => req,
            Err(response) => return response,
        }
    };
    let mut req = req;
    req.extensions_mut().insert(signed_in);
    next.run(req).await
}

/// `req` again, once its urlencoded body's `csrf` field is `session`'s token; otherwise
/// the `403` (or `413` for a body over [`MAX_ADMIN_BODY_BYTES`]) to answer.
async fn with_checked_csrf(req: Request, session: &Session) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ADMIN_BODY_BYTES).await else {
        return Err(crate::WebError::PayloadTooLarge.into_response());
    };
    let sent = url::form_urlencoded::parse(&bytes)
        .find(|(key, _)| key == "csrf")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    if !session.csrf_matches(&sent) {
        tracing::warn!("admin form refused: its CSRF token is missing or wrong");
        return Err(render::message(
            StatusCode::FORBIDDEN,
            "This form did not come from your admin session (its token is missing or \
             wrong). Reload the page and try again.",
        ));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Middleware for the API: `401` unless `Authorization: Bearer <token>` names the token
/// of `[admin] token_env` (constant-time comparison).
pub(crate) async fn bearer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(admin) = state.admin() else {
        return crate::WebError::NotFound.into_response();
    };
    let sent = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let allowed = match (&admin.settings.api_token, sent) {
        (Some(token), Some(sent)) => token.matches(sent),
        _ => false,
    };
    if !allowed {
        let why = if admin.settings.api_token.is_none() {
            "the API is off: set [admin] token_env to a variable holding a token"
        } else {
            "send Authorization: Bearer <token> with the token of [admin] token_env"
        };
        let mut response = api::failure(StatusCode::UNAUTHORIZED, why);
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"syndic admin\""),
        );
        return response;
    }
    next.run(req).await
}

/// The session id the request's `Cookie` headers carry, if any.
pub(crate) fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_id_is_read_from_any_cookie_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(session_id(&headers), None);
        headers.append(COOKIE, HeaderValue::from_static("a=1; other=2"));
        headers.append(
            COOKIE,
            HeaderValue::from_static("x=y;syndic_admin=abc ; z=1"),
        );
        assert_eq!(session_id(&headers).as_deref(), Some("abc"));
        let mut empty = HeaderMap::new();
        empty.append(COOKIE, HeaderValue::from_static("syndic_admin="));
        assert_eq!(session_id(&empty), None);
    }
}
