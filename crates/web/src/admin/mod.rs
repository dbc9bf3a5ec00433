//! The admin, off unless `[admin] password_hash` is set: `/admin/` pages for the review
//! queue, takedowns, sources, filtered posts and the audit log, and the same actions as a
//! JSON API under `/admin/api/` for a bearer token.
//!
//! Security model (ARCHITECTURE.md says it in full):
//! - Without [`AdminSettings`] no `/admin` route exists: every path answers the site's
//!   `404`, the API included. `syndic build` never renders the admin.
//! - A login form posts only `password` (`POST /admin/login`); it is checked against the
//!   Argon2id hash ([`PasswordHash`]), at most two checks at a time. A right one answers
//!   `303` to `/admin/` with the session cookie (`HttpOnly`, `SameSite=Strict`,
//!   `Path=/admin`, `Secure` when `site.base_url` is https); a wrong one shows the form
//!   again. Failures are limited per client address (`limiter`: `429` once ten failed
//!   within a minute).
//! - Sessions live in this process's memory (`sessions`): one web node serves the admin.
//! - Every POST after login carries the session's CSRF token, checked (constant time)
//!   before any handler runs (`guard`); a missing cookie or a wrong token is `403`.
//! - The API wants `Authorization: Bearer <token>` (`[admin] token_env`), compared in
//!   constant time; anything else is `401`.
//! - Everything under `/admin` is `Cache-Control: no-store`, kept out of the page cache,
//!   and served with a CSP allowing no script at all (`headers`); the pages are plain
//!   forms, every value escaped by the templates.

mod api;
mod guard;
mod login;
mod moderation;
mod pages;
mod password;
mod render;
mod sessions;

pub(crate) mod limiter;

use std::fmt;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};
use syndic_store::StoreError;
use tokio::sync::Semaphore;

pub use limiter::{MAX_FAILURES, WINDOW};
pub use password::{PasswordHash, hash_password};
pub use sessions::SESSION_LIFETIME;

use crate::AppState;

/// The largest request body any admin route reads (forms and JSON are a few hundred bytes).
pub const MAX_ADMIN_BODY_BYTES: usize = 16 * 1024;
/// The cookie that carries the session id.
pub(crate) const SESSION_COOKIE: &str = "syndic_admin";
/// How many password checks may run at once (each Argon2id check takes ~19 MiB and tens of
/// milliseconds of one core, on purpose).
const CONCURRENT_PASSWORD_CHECKS: usize = 2;

/// What turns the admin on (`[admin]`).
#[derive(Debug, Clone)]
pub struct AdminSettings {
    /// `[admin] password_hash`.
    pub password_hash: PasswordHash,
    /// The API's bearer token, read from the variable `[admin] token_env` names; without
    /// one every API call is refused.
    pub api_token: Option<ApiToken>,
}

/// A bearer token for the API. `Debug` does not show it.
#[derive(Clone)]
pub struct ApiToken(String);

impl ApiToken {
    /// `text` as a token; `None` when it is empty (or only white space).
    pub fn new(text: &str) -> Option<ApiToken> {
        let text = text.trim();
        (!text.is_empty()).then(|| ApiToken(text.to_owned()))
    }

    /// Whether `sent` is this token (constant-time comparison).
    pub(crate) fn matches(&self, sent: &str) -> bool {
        subtle::ConstantTimeEq::ct_eq(self.0.as_bytes(), sent.as_bytes()).into()
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// Why the admin could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// `[admin] password_hash` is not an Argon2id PHC string.
    #[error("not an Argon2id password hash (PHC string): {0}")]
    InvalidPasswordHash(String),
    /// Hashing a password failed.
    #[error("cannot hash the password: {0}")]
    Hashing(String),
    /// The operating system gave no random bytes.
    #[error("cannot read random bytes from the operating system: {0}")]
    Random(getrandom::Error),
    /// No post has this id or original URL.
    #[error("no post is {0:?}")]
    UnknownPost(String),
    /// The post is not in a state the decision applies to.
    #[error("{0}")]
    NoChange(String),
    /// No source has this id.
    #[error("no source has the id {0}")]
    UnknownSource(i64),
    /// The store failed.
    #[error("the store failed")]
    Store(#[from] StoreError),
    /// An admin template failed to render.
    #[error("an admin template failed to render")]
    Template(#[from] minijinja::Error),
}

/// The admin's state: its settings, sessions and login limiter.
pub(crate) struct Admin {
    settings: AdminSettings,
    /// Whether the session cookie is `Secure` (the site is served over https).
    secure_cookie: bool,
    sessions: sessions::Sessions,
    limiter: limiter::LoginLimiter,
    password_checks: Semaphore,
}

impl Admin {
    pub(crate) fn new(settings: AdminSettings, site: &crate::Site) -> Admin {
        Admin {
            settings,
            secure_cookie: site.base_url.scheme() == "https",
            sessions: sessions::Sessions::new(),
            limiter: limiter::LoginLimiter::new(),
            password_checks: Semaphore::new(CONCURRENT_PASSWORD_CHECKS),
        }
    }
}

/// The admin's routes, when `state` has [`AdminSettings`]; `None` otherwise.
pub(crate) fn routes(state: &AppState) -> Option<Router<AppState>> {
    state.admin()?;
    let signed_in = Router::new()
        .route("/admin/", get(pages::review))
        .route("/admin/takedowns", get(pages::takedowns))
        .route("/admin/sources", get(pages::sources))
        .route("/admin/filtered", get(pages::filtered))
        .route("/admin/audit", get(pages::audit))
        .route("/admin/review/approve", post(pages::approve))
        .route("/admin/review/reject", post(pages::reject))
        .route("/admin/takedowns/remove", post(pages::remove))
        .route("/admin/takedowns/restore", post(pages::restore))
        .route("/admin/sources/pause", post(pages::pause))
        .route("/admin/sources/resume", post(pages::resume))
        .route("/admin/sources/fetch", post(pages::fetch_now))
        .route("/admin/logout", post(login::logout))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            guard::signed_in,
        ));
    let api = Router::new()
        .route("/admin/api/review", get(api::review))
        .route("/admin/api/audit", get(api::audit))
        .route("/admin/api/posts/{id}/{action}", post(api::act))
        .route("/admin/api/sources", get(api::sources))
        .route("/admin/api/sources/{id}/{action}", post(api::act_on_source))
        .route_layer(middleware::from_fn_with_state(state.clone(), guard::bearer));
    let open = Router::new()
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/login", get(login::form).post(login::submit))
        .route("/admin/admin.css", get(render::stylesheet));
    Some(
        open.merge(signed_in)
            .merge(api)
            .layer(DefaultBodyLimit::max(MAX_ADMIN_BODY_BYTES)),
    )
}

/// The fields of an urlencoded form body, by name (the last of a repeated name wins).
pub(crate) fn form_fields(body: &[u8]) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Whether `path` is the admin's (`/admin` or under `/admin/`).
pub(crate) fn is_admin_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}
