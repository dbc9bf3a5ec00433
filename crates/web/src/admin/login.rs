//! Signing in and out: `GET /admin/login` (the form), `POST /admin/login` (its field
//! `password` only), `POST /admin/logout`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use axum::Extension;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::guard::SignedIn;
use super::{Admin, SESSION_COOKIE, SESSION_LIFETIME, render};
use crate::AppState;

/// `GET /admin/login`: the form.
pub(crate) async fn form() -> Response {
    login_page(StatusCode::OK, None)
}

/// `POST /admin/login`: a right password answers `303` to `/admin/` with a new session's
/// cookie; a wrong one shows the form again (counted against the client's address); an
/// address with too many recent failures gets `429` without its password being checked.
pub(crate) async fn submit(State(state): State<AppState>, req: Request) -> Response {
    let Some(admin) = state.admin() else {
        return crate::WebError::NotFound.into_response();
    };
    let client = client_address(&req);
    if let Some(wait) = admin.limiter.wait(client, Instant::now()) {
        tracing::warn!(client.address = %client, "admin login refused: too many failures");
        let seconds = wait.as_secs().max(1);
        let mut response = login_page(
            StatusCode::TOO_MANY_REQUESTS,
            Some(format!(
                "Too many failed sign-ins from your address. Try again in {seconds} seconds."
            )),
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
        return response;
    }
    let Ok(body) = axum::body::to_bytes(req.into_body(), super::MAX_ADMIN_BODY_BYTES).await else {
        return crate::WebError::PayloadTooLarge.into_response();
    };
    let password = super::form_fields(&body)
        .remove("password")
        .unwrap_or_default();
    if !password_is_right(admin, password).await {
        admin.limiter.failed(client, Instant::now());
        tracing::warn!(client.address = %client, "admin login failed: wrong password");
        return login_page(StatusCode::OK, Some("Wrong password.".to_owned()));
    }
    admin.limiter.succeeded(client);
    match admin.sessions.start(Instant::now()) {
        Ok((id, _)) => {
            tracing::info!(client.address = %client, "admin signed in");
            let cookie = session_cookie(admin, &id, SESSION_LIFETIME.as_secs());
            (
                StatusCode::SEE_OTHER,
                [
                    (LOCATION, HeaderValue::from_static("/admin/")),
                    (SET_COOKIE, cookie),
                ],
            )
                .into_response()
        }
        Err(error) => render::failure(&error),
    }
}

/// `POST /admin/logout`: ends the session and clears its cookie.
pub(crate) async fn logout(
    State(state): State<AppState>,
    Extension(signed_in): Extension<SignedIn>,
) -> Response {
    let Some(admin) = state.admin() else {
        return crate::WebError::NotFound.into_response();
    };
    admin.sessions.end(&signed_in.id);
    (
        StatusCode::SEE_OTHER,
        [
            (LOCATION, HeaderValue::from_static("/admin/login")),
            (SET_COOKIE, session_cookie(admin, "", 0)),
        ],
    )
        .into_response()
}

/// Checks `password` off the async threads, at most a few at a time.
async fn password_is_right(admin: &Admin, password: String) -> bool {
    let Ok(_permit) = admin.password_checks.acquire().await else {
        return false;
    };
    let hash = admin.settings.password_hash.clone();
    tokio::task::spawn_blocking(move || hash.verify(&password))
        .await
        .unwrap_or(false)
}

/// The `Set-Cookie` value for session `id`, kept `max_age` seconds (0 clears it).
fn session_cookie(admin: &Admin, id: &str, max_age: u64) -> HeaderValue {
    let secure = if admin.secure_cookie { "; Secure" } else { "" };
    let text = format!(
        "{SESSION_COOKIE}={id}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    HeaderValue::try_from(text)
        .unwrap_or_else(|_| HeaderValue::from_static("syndic_admin=; Max-Age=0"))
}

/// The client's address as the connection gives it (unspecified where there is none, as in
/// tests that call the router directly).
fn client_address(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

fn login_page(status: StatusCode, error: Option<String>) -> Response {
    render::page(status, "login.html", context! { title => "Sign in", error })
}
