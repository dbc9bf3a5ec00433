//! The page cache: rendered pages and feeds kept in memory, so that a repeated request
//! for an unchanged page costs one read of the store's change stamp and no render.
//!
//! **Key.** The URL (path and query) and the representation (identity, gzip, brotli; see
//! `representation`); each entry also carries the change stamp
//! ([`Store::change_stamp`](syndic_store::Store::change_stamp)) read before it was
//! rendered. **Freshness.** Every request reads the stamp anew, through a read that
//! started after it arrived (shared by the requests waiting together; see `stamp`), and
//! an entry answers only a request that read exactly its stamp. Requests that miss
//! together under one stamp share one render (`renders`). The stamp's version moves
//! with every committed change, by any process, even two in one second, so nothing
//! rendered before a change is served after it. A newer stamp empties the table at once.
//! [`PageCache::clear`] (the vocabulary reload) drops everything too. **Bound.**
//! `[server] page_cache` bytes, least recently used out first; one entry at most a
//! quarter of it.
//!
//! What is cached: `200` answers to `GET` of the site's pages, feeds and stylesheet whose
//! `Cache-Control` allows it. Not: `HEAD`, errors, redirects, `no-store` or `private`
//! answers, `/healthz`, `/metrics`, `/websub/`, anything under `/admin/`. Conditional
//! requests are answered here, against the cached representation's validators, exactly as
//! the `http` layers answer them.
//!
//! It is a layer that [`serving_router`](crate::serving_router) adds around the
//! [`router`](crate::router()); `syndic build` renders through the bare router (and the
//! handlers' html functions), never through the cache.

mod entries;
mod renders;
mod representation;
mod stamp;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use syndic_store::Store;

use self::stamp::{StampFailure, StampReader};

use self::entries::{Entries, Entry};
use self::renders::{Renders, Turn};
use self::representation::Representation;
use crate::http::{
    Conditions, StoreUnreachable, base_tag, http_date, not_modified, settled, store_backed,
};

/// The default bound of the page cache: 16 MiB.
pub const DEFAULT_PAGE_CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// A handle on the page cache (cheap to clone: every clone is the same cache). A cache of
/// zero bytes is off.
#[derive(Debug, Clone)]
pub struct PageCache {
    shared: Option<Arc<Shared>>,
}

#[derive(Debug)]
struct Shared {
    entries: Mutex<Entries>,
    hits: AtomicU64,
    misses: AtomicU64,
    /// Renders under way, shared by the requests that miss together.
    renders: Arc<Renders>,
    /// The reader of the store's change stamp, made by the first
    /// [`serving_router`](crate::serving_router) over this cache.
    stamps: OnceLock<Arc<StampReader>>,
}

impl PageCache {
    /// A cache holding at most `bytes` of pages; 0 turns caching off.
    pub fn new(bytes: u64) -> PageCache {
        PageCache {
            shared: (bytes > 0).then(|| {
                Arc::new(Shared {
                    entries: Mutex::new(Entries::new(bytes)),
                    hits: AtomicU64::new(0),
                    misses: AtomicU64::new(0),
                    renders: Arc::new(Renders::default()),
                    stamps: OnceLock::new(),
                })
            }),
        }
    }

    /// Whether pages are cached at all.
    pub fn is_on(&self) -> bool {
        self.shared.is_some()
    }

    /// Drops every cached page (and any render under way), as after a vocabulary reload.
    pub fn clear(&self) {
        self.with(Entries::clear);
    }

    /// How many pages are cached and the bytes they take.
    pub fn usage(&self) -> (usize, u64) {
        self.with(|entries| (entries.len(), entries.bytes()))
            .unwrap_or_default()
    }

    /// The cache's counters in the Prometheus text format (nothing when it is off):
    /// answers from memory and renders, reads of the change stamp, entries and bytes.
    pub fn render_metrics(&self) -> String {
        let Some(shared) = &self.shared else {
            return String::new();
        };
        let (entries, bytes) = self.usage();
        let reads = shared.stamps.get().map_or(0, |stamps| stamps.store_reads());
        let counters = [
            (
                "hits_total",
                "counter",
                "Answers served from the page cache.",
                shared.hits.load(Ordering::Relaxed),
            ),
            (
                "misses_total",
                "counter",
                "Pages rendered for the page cache.",
                shared.misses.load(Ordering::Relaxed),
            ),
            (
                "stamp_reads_total",
                "counter",
                "Reads of the store's change stamp.",
                reads,
            ),
            (
                "entries",
                "gauge",
                "Pages in the page cache.",
                entries as u64,
            ),
            ("bytes", "gauge", "Bytes the page cache holds.", bytes),
        ];
        let mut text = String::new();
        for (name, kind, help, value) in counters {
            let _ = write!(
                text,
                "# HELP syndic_page_cache_{name} {help}\n# TYPE syndic_page_cache_{name} {kind}\nsyndic_page_cache_{name} {value}\n"
            );
        }
        text
    }

    /// The layer over `store` for [`serving_router`](crate::serving_router), reading the
    /// change stamp within `deadline`; `None` when the cache is off.
    pub(crate) fn layer(&self, store: &Store, deadline: Duration) -> Option<CacheLayer> {
        let shared = self.shared.as_ref()?;
        let stamps = shared
            .stamps
            .get_or_init(|| StampReader::new(store.clone(), deadline));
        Some(CacheLayer {
            cache: self.clone(),
            stamps: Arc::clone(stamps),
        })
    }

    fn with<T>(&self, action: impl FnOnce(&mut Entries) -> T) -> Option<T> {
        let shared = self.shared.as_ref()?;
        let mut entries = shared
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Some(action(&mut entries))
    }

    fn renders(&self) -> Option<&Arc<Renders>> {
        self.shared.as_ref().map(|shared| &shared.renders)
    }

    fn count(&self, hit: bool) {
        if let Some(shared) = &self.shared {
            let counter = if hit { &shared.hits } else { &shared.misses };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What the cache layer needs.
#[derive(Clone)]
pub(crate) struct CacheLayer {
    cache: PageCache,
    stamps: Arc<StampReader>,
}

/// Middleware: answers from the cache, or renders through the router and keeps the
/// answer; see the module docs.
pub(crate) async fn cached(
    State(layer): State<CacheLayer>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if req.method() != Method::GET || !cacheable_path(path) {
        return next.run(req).await;
    }
    let dated = store_backed(path);
    let conditions = Conditions::of(req.headers());
    let representation = Representation::negotiate(req.headers());
    let target = req
        .uri()
        .path_and_query()
        .map_or(path, |target| target.as_str());
    let key = representation.key(target);
    let reading = match layer.stamps.read().await {
        Ok(reading) => reading,
        Err(StampFailure::Unreachable) => {
            // The router answers 503 without asking the store again.
            req.extensions_mut().insert(StoreUnreachable);
            return next.run(req).await;
        }
        Err(StampFailure::Failed) => return next.run(req).await,
    };
    let stamp = reading.stamp;
    if reading.went_back {
        layer.cache.with(|entries| entries.restart(stamp));
    }
    let rendering = match layer.find(&key, stamp).await {
        Ok(entry) => return answer(&entry, &conditions),
        Err(rendering) => rendering,
    };
    let epoch = layer.cache.with(|entries| entries.epoch()).unwrap_or(0);
    let response = next.run(unconditional(req, representation)).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let keep = storable(response.headers());
    let entry = match Entry::from_response(response, stamp, dated).await {
        Ok(entry) => Arc::new(entry),
        Err(response) => return response,
    };
    if keep {
        layer
            .cache
            .with(|entries| entries.insert(key, Arc::clone(&entry), epoch));
    }
    if let Some(rendering) = rendering {
        rendering.finish(keep.then(|| Arc::clone(&entry)));
    }
    answer(&entry, &conditions)
}

impl CacheLayer {
    /// The entry of `key` under `stamp`, cached or rendered by another request meanwhile;
    /// otherwise the turn to render it (`None` when there is no one to share it with).
    async fn find(
        &self,
        key: &str,
        stamp: syndic_store::ChangeStamp,
    ) -> Result<Arc<Entry>, Option<renders::Rendering>> {
        let cached = self.cache.with(|entries| entries.get(key, stamp)).flatten();
        let found = match cached {
            Some(entry) => Ok(entry),
            None => match self.cache.renders().map(|renders| renders.turn(key, stamp)) {
                Some(Turn::Wait(done)) => renders::wait(done).await.ok_or(None),
                Some(Turn::Render(rendering)) => Err(Some(rendering)),
                None => Err(None),
            },
        };
        self.cache.count(found.is_ok());
        found
    }
}

/// Whether answers at `path` may be cached at all.
fn cacheable_path(path: &str) -> bool {
    !crate::admin::is_admin_path(path) && (store_backed(path) || path.starts_with("/static/"))
}

/// Whether the answer's own `Cache-Control` lets it be kept.
fn storable(headers: &HeaderMap) -> bool {
    !headers.get_all(CACHE_CONTROL).iter().any(|value| {
        value.to_str().map_or(true, |text| {
            text.split(',').any(|directive| {
                let directive = directive.trim();
                directive.eq_ignore_ascii_case("no-store")
                    || directive.eq_ignore_ascii_case("private")
            })
        })
    })
}

/// The request as the router must see it to render the full representation the cache
/// keeps: without preconditions (answered here), accepting only `representation`.
fn unconditional(mut req: Request, representation: Representation) -> Request {
    let headers = req.headers_mut();
    headers.remove(IF_NONE_MATCH);
    headers.remove(IF_MODIFIED_SINCE);
    headers.insert(ACCEPT_ENCODING, representation.accept_encoding());
    req
}

impl Entry {
    /// The entry for a `200` rendered under `stamp`; a body that cannot be read is a `500`.
    async fn from_response(
        response: Response,
        stamp: syndic_store::ChangeStamp,
        dated: bool,
    ) -> Result<Entry, Response> {
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "cannot read a response body");
                let mut failed = StatusCode::INTERNAL_SERVER_ERROR.into_response();
                crate::headers::secure(failed.headers_mut());
                failed
                    .headers_mut()
                    .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                failed
            })?;
        let mut headers = parts.headers;
        headers.remove(CONTENT_LENGTH);
        if dated {
            headers.remove(LAST_MODIFIED);
        }
        let base_etag = headers
            .get(ETAG)
            .map(|tag| base_tag(tag, headers.get(CONTENT_ENCODING)));
        Ok(Entry {
            stamp,
            headers,
            body,
            base_etag,
            dated,
        })
    }
}

/// The answer `entry` gives a request with `conditions`: the page, or `304` when the
/// client's copy is current (the validators compared are those of the uncompressed body,
/// as in the `http` layers).
fn answer(entry: &Entry, conditions: &Conditions) -> Response {
    let mut headers = entry.headers.clone();
    let changed_at = entry.stamp.changed_at;
    if entry.dated && settled(changed_at, conditions.asked_at()) {
        headers.insert(LAST_MODIFIED, http_date(changed_at));
    }
    if conditions.any() {
        let mut validators = HeaderMap::new();
        if let Some(tag) = &entry.base_etag {
            validators.insert(ETAG, tag.clone());
        }
        if let Some(date) = headers.get(LAST_MODIFIED) {
            validators.insert(LAST_MODIFIED, date.clone());
        }
        if let Some(matched) = conditions.matches(&validators) {
            headers.remove(CONTENT_ENCODING);
            if let Some(tag) = &entry.base_etag {
                headers.insert(ETAG, tag.clone());
            }
            let (mut parts, ()) = Response::new(()).into_parts();
            parts.headers = headers;
            return not_modified(parts, matched);
        }
    }
    let mut response = Response::new(Body::from(entry.body.clone()));
    *response.headers_mut() = headers;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_feeds_and_the_stylesheet_are_cacheable_and_nothing_else() {
        for path in [
            "/",
            "/tag/map/page/2/",
            "/search",
            "/feed.atom",
            "/static/style.css",
        ] {
            assert!(cacheable_path(path), "{path}");
        }
        for path in [
            "/healthz",
            "/metrics",
            "/websub/1",
            "/admin/",
            "/admin/sources",
        ] {
            assert!(!cacheable_path(path), "{path}");
        }
    }

    #[test]
    fn no_store_and_private_answers_are_not_kept() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CACHE_CONTROL, axum::http::HeaderValue::from_static(value));
            storable(&headers)
        };
        assert!(with("public, max-age=60"));
        assert!(!with("no-store"));
        assert!(!with("private, max-age=60"));
        assert!(!with("public, NO-STORE"));
        assert!(storable(&HeaderMap::new()));
    }
}
