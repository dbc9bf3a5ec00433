//! syndic-web: the public site and the archive exports.
//!
//! It serves, from the [`Store`], server-rendered HTML pages: the newest posts (`/`), one
//! tag's archive (`/tag/<slug>/`, `Tag Archives: <name>`, newest first, every post in full
//! under its title and the line `Post Syndicated from <name> original <link>`), one post
//! (`/post/<id>/`), plus `/static/style.css` and `/healthz`. Listings paginate with both
//! `/page/N/` and `?page=N`. Every response carries a strict Content-Security-Policy and
//! related headers; bad input of any kind is a 404 page, never a 500.
//!
//! [`export`] renders the same archive as text (the seeds' form) and as a standalone HTML
//! file, for the CLI.
//!
//! What it does not do: fetch, parse, sanitize or tag. Post content arrives sanitized from
//! the store and is embedded as is; everything else is escaped by the templates. No
//! JavaScript is served.
//!
//! Entry point: build an [`AppState`] with [`AppState::new`], then either [`serve`] it on a
//! bound listener or mount [`router`] yourself.

mod error;
pub mod export;
mod headers;
mod pages;
mod render;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use syndic_store::Store;
use tokio::net::TcpListener;

pub use error::WebError;

use crate::render::Templates;

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
    templates: Arc<Templates>,
}

impl AppState {
    /// State over `store` for `site`, with the built-in templates.
    pub fn new(store: Store, site: impl Into<Arc<Site>>) -> AppState {
        AppState {
            store,
            site: site.into(),
            templates: Templates::builtin(),
        }
    }

    pub(crate) fn templates(&self) -> &Templates {
        &self.templates
    }
}

/// The site's routes, with error pages and security headers on every response.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home::first))
        .route("/page/{page}/", get(pages::home::numbered))
        .route("/tag/{slug}/", get(pages::tag::show))
        .route("/tag/{slug}/page/{page}/", get(pages::tag::show))
        .route("/post/{id}/", get(pages::post::show))
        .route("/post/{id}/{*rest}", get(pages::post::show))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/healthz", get(pages::healthz))
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::error_pages,
        ))
        .layer(middleware::from_fn(headers::security_headers))
        .with_state(state)
}

/// Serves the site on `listener` until `shutdown` completes, then lets open requests
/// finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(server.address = %addr, "serving the site at http://{addr}/");
    }
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
