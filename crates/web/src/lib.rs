//! syndic-web: the public site and the archive exports.
//!
//! It serves, from the [`Store`], server-rendered HTML pages: the newest posts (`/`), one
//! tag's archive (`/tag/<slug>/`, `Tag Archives: <name>`, newest first, every post in full
//! under its title and the attribution line, by default `Post Syndicated from <name> original <link>`), one post
//! (`/post/<id>/<title-slug>`, with its neighbours), one source's posts (`/source/<slug>/`),
//! every tag (`/tags/`) and every source (`/sources/`), plus `/static/style.css` and
//! `/healthz`, and the Prometheus text of `/metrics` (fetch counters from the registry
//! given to [`AppState::with_metrics`], zeros without one; sources by status from the
//! store). Listings paginate with both `/page/N/` and `?page=N`. The site, each tag and
//! each source also have output feeds beside their listing (`feed.atom`, `feed.rss`,
//! `feed.json`: module `feeds`), and `/sources.opml` lists the sources. Every response
//! carries a strict Content-Security-Policy and related headers; bad input of any kind is a
//! 404 page, never a 500. Pages and feeds carry a strong `ETag` and a `Last-Modified` (the
//! store's site-wide change clock), answer `If-None-Match` and `If-Modified-Since` with
//! `304`, and are compressed (gzip, brotli) as the client accepts (module `http`).
//! Templates and the stylesheet are built in; `Site::theme_dir` names a folder that
//! overrides them (module `theme`).
//!
//! `/websub/<source id>` is the WebSub subscriber callback: it confirms the hub's
//! verification for the stored topic and hands pushed content whose `X-Hub-Signature`
//! checks out to the [`PushSink`] given to [`AppState::with_push_sink`] (module `push`).
//!
//! [`export`] renders the same archive as text (the seeds' form) and as a standalone HTML
//! file, for the CLI.
//!
//! What it does not do: fetch, parse, sanitize or tag. Post content arrives sanitized from
//! the store and is embedded as is; everything else is escaped by the templates. No
//! JavaScript is served.
//!
//! With [`AppState::with_admin`] it also serves the admin under `/admin/` (module
//! [`admin`]: login, review queue, takedowns, sources, filtered posts, audit log, and a JSON
//! API for a bearer token); without it every `/admin` path is the 404 page.
//!
//! Served, pages and feeds come from memory while the store has not changed ([`PageCache`],
//! module `cache`), and no request can stall the site: every request's store work has a
//! deadline, searches have a budget of their own and a page limit ([`RequestLimits`],
//! module `limits`), and connections have header-read and idle deadlines and a cap
//! ([`ConnectionLimits`], module `server`).
//!
//! Entry point: build an [`AppState`] with [`AppState::new`], then either [`serve`] it on a
//! bound listener or mount [`router`] (the bare site, as `syndic build` renders it) or
//! [`serving_router`] (with the page cache) yourself.

pub mod admin;
mod cache;
mod diff;
mod error;
pub mod export;
mod feeds;
mod headers;
mod http;
mod limits;
mod pages;
mod push;
mod render;
mod server;
pub mod static_site;
mod theme;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::get;
use chrono::{DateTime, Utc};
use syndic_core::FetchMetrics;
use syndic_store::Store;
use tower_http::compression::CompressionLayer;

pub use admin::{AdminError, AdminSettings, ApiToken, PasswordHash, hash_password};
pub use cache::{DEFAULT_PAGE_CACHE_BYTES, PageCache};
pub use error::{RETRY_AFTER_SECS, WebError};
pub use limits::{MAX_SEARCH_PAGE, RequestLimits, SEARCH_QUEUE_WAIT, STORE_WAIT};
pub use pages::health::Role;
pub use push::{MAX_PUSH_BYTES, PushSink, signature_matches};
pub use server::{
    ConnectionLimits, MAX_HEADER_BYTES, MAX_HEADER_FIELDS, MAX_TARGET_BYTES, SHUTDOWN_GRACE, serve,
};
pub use theme::ThemeError;

use crate::render::Templates;
use crate::theme::{Stylesheet, Theme};

/// What the site says about itself.
#[derive(Debug, Clone)]
pub struct Site {
    /// Shown in the header of every page and in page titles.
    pub title: String,
    /// Where the site is reachable; absolute URLs (canonical links, export fallbacks) start
    /// here. A path without a trailing slash is treated as a folder.
    pub base_url: url::Url,
    /// Posts per listing page (0 is taken as 1).
    pub posts_per_page: u32,
    /// A theme folder whose `templates/<name>.html` and `style.css` replace the built-in
    /// ones; read once, by [`AppState::new`].
    pub theme_dir: Option<PathBuf>,
    /// WebSub hubs (`[websub] hubs`) our Atom and RSS feeds advertise (`rel="hub"`) and
    /// that are pinged when they change; none by default.
    pub hubs: Vec<url::Url>,
    /// `[media] cache = true`: pages show only local images beside the content, so an
    /// enclosure's poster or cover is shown only once it is a cached copy
    /// (`/media/<hash>`), never from its origin (which the CSP would block anyway).
    pub local_media: bool,
}

impl Site {
    /// The absolute URL of `path` (root-relative or relative) under [`Site::base_url`].
    pub fn url(&self, path: &str) -> String {
        let mut base = self.base_url.clone();
        if !base.path().ends_with('/') {
            let folder = format!("{}/", base.path());
            base.set_path(&folder);
        }
        let relative = path.trim_start_matches('/');
        base.join(relative)
            .map_or_else(|_| format!("{base}{relative}"), |url| url.to_string())
    }

    pub(crate) fn per_page(&self) -> u32 {
        self.posts_per_page.max(1)
    }
}

/// Everything a request handler needs. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub site: Arc<Site>,
    theme: Arc<Theme>,
    /// When this state (and so its theme) was made, to the second: the stylesheet's
    /// `Last-Modified`.
    started: DateTime<Utc>,
    /// The fetch counters `/metrics` shows; without them it shows zeros.
    metrics: Option<Arc<FetchMetrics>>,
    /// Where verified WebSub pushes go; without one they are acknowledged and dropped.
    push: Option<Arc<dyn PushSink>>,
    /// The request deadline and the search budget.
    budget: Arc<limits::Budget>,
    /// Rendered pages kept by [`serving_router`]; off unless given.
    page_cache: PageCache,
    /// What this process does, for `/healthz`.
    role: Role,
    /// The store's schema version as `/healthz` last read it.
    schema_version: Arc<pages::health::LastSchemaVersion>,
    /// The admin, when `[admin]` turns it on (module `admin`).
    admin: Option<Arc<admin::Admin>>,
    /// Where the images `/media/<hash>` serves are kept (`[media] cache = true`): the media
    /// folder or the store; `None` serves nothing there and lets images come from anywhere.
    media: Option<Arc<syndic_core::media::MediaStorage>>,
}

impl AppState {
    /// State over `store` for `site`: the built-in templates and stylesheet, with the
    /// overrides of [`Site::theme_dir`] when it is set. Fails when the theme folder cannot be
    /// read or one of its templates does not parse.
    pub fn new(store: Store, site: impl Into<Arc<Site>>) -> Result<AppState, ThemeError> {
        let site = site.into();
        let theme = match &site.theme_dir {
            Some(dir) => Theme::load(dir)?,
            None => Theme::builtin(),
        };
        let now = Utc::now();
        let started = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
        Ok(AppState {
            store,
            site,
            theme,
            started,
            metrics: None,
            push: None,
            budget: Arc::new(limits::Budget::new(RequestLimits::default())),
            page_cache: PageCache::new(0),
            role: Role::default(),
            schema_version: Arc::default(),
            admin: None,
            media: None,
        })
    }

    /// This state serving the admin under `/admin/` with `settings` (without it, every
    /// `/admin` path is the 404 page). Sessions and the login limiter start empty.
    pub fn with_admin(mut self, settings: AdminSettings) -> AppState {
        self.admin = Some(Arc::new(admin::Admin::new(settings, &self.site)));
        self
    }

    pub(crate) fn admin(&self) -> Option<&admin::Admin> {
        self.admin.as_deref()
    }

    /// This state reporting `role` on `/healthz` ([`Role::Serve`] otherwise).
    pub fn with_role(mut self, role: Role) -> AppState {
        self.role = role;
        self
    }

    pub(crate) fn role(&self) -> Role {
        self.role
    }

    pub(crate) fn last_schema_version(&self) -> &pages::health::LastSchemaVersion {
        &self.schema_version
    }

    /// This state with `limits` on every request's store work (the default otherwise).
    pub fn with_limits(mut self, limits: RequestLimits) -> AppState {
        self.budget = Arc::new(limits::Budget::new(limits));
        self
    }

    /// This state with `cache` keeping the pages [`serving_router`] renders. Keep a clone
    /// of the handle to [`PageCache::clear`] it.
    pub fn with_page_cache(mut self, cache: PageCache) -> AppState {
        self.page_cache = cache;
        self
    }

    pub(crate) fn page_cache(&self) -> &PageCache {
        &self.page_cache
    }

    pub(crate) fn limits(&self) -> &RequestLimits {
        &self.budget.limits
    }

    pub(crate) fn budget(&self) -> &limits::Budget {
        &self.budget
    }

    /// This state with `metrics` (the registry the fetching pipelines count in) behind
    /// `/metrics`.
    pub fn with_metrics(mut self, metrics: Arc<FetchMetrics>) -> AppState {
        self.metrics = Some(metrics);
        self
    }

    /// This state serving the cached images kept in `storage` at `/media/<hash>`, with a
    /// Content-Security-Policy that lets images come from this site only.
    pub fn with_media(mut self, storage: syndic_core::media::MediaStorage) -> AppState {
        self.media = Some(Arc::new(storage));
        self
    }

    pub(crate) fn media(&self) -> Option<&syndic_core::media::MediaStorage> {
        self.media.as_deref()
    }

    /// This state with `sink` receiving the content WebSub hubs push (signature verified)
    /// to `/websub/<source id>`.
    pub fn with_push_sink(mut self, sink: Arc<dyn PushSink>) -> AppState {
        self.push = Some(sink);
        self
    }

    pub(crate) fn push_sink(&self) -> Option<&dyn PushSink> {
        self.push.as_deref()
    }

    pub(crate) fn metrics(&self) -> Option<&FetchMetrics> {
        self.metrics.as_deref()
    }

    pub(crate) fn templates(&self) -> &Templates {
        &self.theme.templates
    }

    pub(crate) fn stylesheet(&self) -> &Stylesheet {
        &self.theme.stylesheet
    }

    pub(crate) fn started(&self) -> DateTime<Utc> {
        self.started
    }
}

/// The site's routes, with error pages and security headers on every response.
///
/// Layers, outermost first: security headers → the ETag of the encoded representation →
/// gzip/brotli compression → conditional requests, ETag and `Cache-Control` → the request
/// deadline → `Last-Modified` from the store's change clock → error pages → the
/// query-string limit → the handler (module `http`).
pub fn router(state: AppState) -> Router {
    let mut routes = Router::new();
    if let Some(admin) = admin::routes(&state) {
        routes = routes.merge(admin);
    }
    routes
        .route("/", get(pages::home::first))
        .route("/page/{page}/", get(pages::home::numbered))
        .route("/tag/{slug}/", get(pages::tag::show))
        .route("/tag/{slug}/page/{page}/", get(pages::tag::show))
        .route("/post/{id}/", get(pages::post::show))
        .route("/post/{id}/{*rest}", get(pages::post::show))
        .route("/source/{slug}/", get(pages::source::show))
        .route("/source/{slug}/page/{page}/", get(pages::source::show))
        .route("/tags/", get(pages::tags::show))
        .route("/sources/", get(pages::sources::show))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/media/{name}", get(pages::media::show))
        .route("/healthz", get(pages::health::healthz))
        .route("/metrics", get(pages::metrics))
        .route("/search", get(pages::search::show))
        .route(
            "/websub/{source}",
            get(pages::websub::verify)
                .post(pages::websub::receive)
                .layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)),
        )
        .merge(feeds::routes())
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(middleware::from_fn(http::query_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::error_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::last_modified,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::deadline,
        ))
        .layer(middleware::from_fn(http::conditional))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(http::encoded_etag))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .with_state(state)
}

/// The site as [`serve`] runs it: the [`router`] inside the page cache of `state` (when it
/// has one that is on). `syndic build` renders through the bare [`router`] instead.
pub fn serving_router(state: AppState) -> Router {
    match state
        .page_cache
        .layer(&state.store, state.limits().store_wait)
    {
        Some(layer) => router(state).layer(middleware::from_fn_with_state(layer, cache::cached)),
        None => router(state),
    }
}
