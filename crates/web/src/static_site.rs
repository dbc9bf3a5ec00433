//! The whole site as files, for `syndic build`.
//!
//! Every URL a plain static web server can answer is rendered through the same [`router`]
//! that `syndic serve` runs, so the files and the live site cannot drift apart. URLs ending
//! in `/` become `…/index.html`; everything else (feeds, OPML, the stylesheet) keeps its
//! name; the 404 page is `404.html`. Search needs a server and is not exported.
//!
//! A [`SiteMap`] lists the URLs in batches (the indexes and listings first, then the posts
//! a chunk at a time), so a build can start rendering before the last post is listed and
//! never holds the whole site. A [`Renderer`] renders one URL; the caller decides how many
//! run at once. [`fingerprint`] digests what besides the store decides the bytes (the site's
//! settings and the theme), so a build can tell that nothing changed. The build renders
//! over an [`AppState`] of its own, which has no page cache: a build neither reads nor
//! fills the serving path's cache.
//!
//! [`router`]: crate::router()

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use sha2::{Digest, Sha256};
use syndic_core::{MAX_PAGE, Page};
use syndic_store::PostFilter;
use tower::ServiceExt;

use crate::{AppState, WebError};

/// Posts read per query while listing every post page.
const CHUNK: u32 = 500;

/// The formats every listing (site, tag, source) publishes a feed in.
const FEEDS: [&str; 3] = ["feed.atom", "feed.rss", "feed.json"];

/// A URL no page has, whose answer is the site's 404 page.
const MISSING_URL: &str = "/this-page-does-not-exist/";

/// One URL of the site and where it lives in the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePath {
    /// The URL path, as the server answers it (`/tag/map/page/2/`).
    pub url: String,
    /// The file it is written to, relative to the output folder (`tag/map/page/2/index.html`).
    pub file: String,
    /// The status the router answers with: `200`, or `404` for the 404 page.
    status: StatusCode,
}

impl SitePath {
    fn new(url: String) -> SitePath {
        // A static server decodes the URL before it looks for the file.
        let decoded = percent_encoding::percent_decode_str(&url)
            .decode_utf8_lossy()
            .into_owned();
        let relative = decoded.trim_start_matches('/');
        let file = if relative.is_empty() || relative.ends_with('/') {
            format!("{relative}index.html")
        } else {
            relative.to_owned()
        };
        SitePath {
            url,
            file,
            status: StatusCode::OK,
        }
    }

    /// The site's 404 page, as `404.html` (what static servers are told to answer a
    /// missing file with).
    pub fn not_found() -> SitePath {
        SitePath {
            url: MISSING_URL.to_owned(),
            file: "404.html".to_owned(),
            status: StatusCode::NOT_FOUND,
        }
    }
}

/// Why a page could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not list the site's pages")]
    List(#[from] WebError),
    #[error("{url} answered {status} instead of a page")]
    Status { url: String, status: StatusCode },
    #[error("could not render {url}: {reason}")]
    Render { url: String, reason: String },
}

impl From<syndic_store::StoreError> for ExportError {
    fn from(error: syndic_store::StoreError) -> ExportError {
        ExportError::List(WebError::Store(error))
    }
}

/// Every URL of the site that a static server can answer, listed in batches: first the
/// indexes, the listings with their pages and feeds, the stylesheet and the 404 page,
/// then the posts, [`CHUNK`] at a time.
#[derive(Debug)]
pub struct SiteMap {
    /// The first batch, until it is handed out.
    listings: Vec<SitePath>,
    /// How many post pages the store had when the map was made.
    post_count: u64,
    /// The number of the next chunk of posts; `None` once every post is listed.
    next_chunk: Option<u32>,
}

impl SiteMap {
    /// Lists the indexes and listings now (a few URLs per listing page); the posts are
    /// read as [`SiteMap::next_batch`] reaches them.
    pub async fn read(state: &AppState) -> Result<SiteMap, ExportError> {
        let store = &state.store;
        let per_page = state.site.per_page();
        let mut urls = vec![
            "/tags/".to_owned(),
            "/sources/".to_owned(),
            "/sources.opml".to_owned(),
            "/static/style.css".to_owned(),
        ];
        let post_count = store.count_posts(PostFilter::All).await?;
        listing(&mut urls, "/", post_count, per_page);
        for tag in store.tags().await? {
            let total = u64::try_from(tag.post_count).unwrap_or(0);
            listing(&mut urls, &format!("/tag/{}/", tag.slug), total, per_page);
        }
        for source in store.sources().await? {
            let total = u64::try_from(source.post_count).unwrap_or(0);
            let base = format!("/source/{}/", source.slug);
            listing(&mut urls, &base, total, per_page);
        }
        let mut listings: Vec<SitePath> = urls.into_iter().map(SitePath::new).collect();
        listings.push(SitePath::not_found());
        Ok(SiteMap {
            listings,
            post_count,
            next_chunk: Some(1),
        })
    }

    /// How many URLs the map holds in all (posts counted when it was made).
    pub fn len(&self) -> u64 {
        self.listings.len() as u64 + self.post_count
    }

    /// Whether the map holds no URL at all (never: the indexes are always there).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next batch of URLs, or `None` when every URL was handed out.
    pub async fn next_batch(
        &mut self,
        state: &AppState,
    ) -> Result<Option<Vec<SitePath>>, ExportError> {
        if !self.listings.is_empty() {
            return Ok(Some(std::mem::take(&mut self.listings)));
        }
        let Some(page) = self.next_chunk.and_then(|n| Page::new(n, CHUNK)) else {
            self.next_chunk = None;
            return Ok(None);
        };
        let posts = state.store.posts(PostFilter::All, page).await?;
        self.next_chunk =
            (posts.len() == CHUNK as usize && page.number < MAX_PAGE).then_some(page.number + 1);
        if posts.is_empty() {
            return Ok(None);
        }
        let paths = posts.iter().map(crate::render::post_path);
        Ok(Some(paths.map(SitePath::new).collect()))
    }
}

/// Every URL of the site that a static server can answer, in a stable order: the
/// [`SiteMap`]'s batches in one list.
pub async fn paths(state: &AppState) -> Result<Vec<SitePath>, ExportError> {
    let mut map = SiteMap::read(state).await?;
    let mut paths = Vec::new();
    while let Some(batch) = map.next_batch(state).await? {
        paths.extend(batch);
    }
    Ok(paths)
}

/// A listing at `base` (ending in `/`): its pages (as many as the router answers) and its
/// feeds.
fn listing(urls: &mut Vec<String>, base: &str, total: u64, per_page: u32) {
    urls.push(base.to_owned());
    for number in 2..=Page::count_for(total, per_page).min(MAX_PAGE) {
        urls.push(format!("{base}page/{number}/"));
    }
    urls.extend(FEEDS.iter().map(|feed| format!("{base}{feed}")));
}

/// A digest (hex) of everything besides the store that decides the bytes of the site: the
/// site's settings and the theme's templates and stylesheet. Builds with equal
/// fingerprints over an unchanged store write equal files.
pub fn fingerprint(state: &AppState) -> String {
    let mut hasher = Sha256::new();
    let mut part = |bytes: &[u8]| {
        // Each part is length-prefixed, so no two sets of parts hash alike.
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part(format!("{:?}", state.site).as_bytes());
    part(state.stylesheet().text.as_bytes());
    for (name, source) in state.templates().sources() {
        part(name.as_bytes());
        part(source.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Renders pages through the site's [`crate::router`] over a state of the build's own, as
/// a browser's request would be served. Cheap to clone; clones render concurrently.
#[derive(Clone)]
pub struct Renderer {
    site: axum::Router,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").finish_non_exhaustive()
    }
}

impl Renderer {
    /// A renderer over `state` (the same state [`SiteMap::read`] lists).
    pub fn new(state: &AppState) -> Renderer {
        Renderer {
            site: crate::router(state.clone()),
        }
    }

    /// The bytes of the page at `path`; any status but the page's own (`200`, `404` for
    /// the 404 page) is an error.
    pub async fn render(&self, path: &SitePath) -> Result<Bytes, ExportError> {
        let failed = |reason: String| ExportError::Render {
            url: path.url.clone(),
            reason,
        };
        let request = Request::get(&path.url)
            .body(Body::empty())
            .map_err(|e| failed(e.to_string()))?;
        let response = self
            .site
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        if status != path.status {
            return Err(ExportError::Status {
                url: path.url.clone(),
                status,
            });
        }
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(|e| failed(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::SitePath;

    #[test]
    fn folders_become_index_files_and_feeds_keep_their_names() {
        let file = |url: &str| SitePath::new(url.to_owned()).file;
        assert_eq!(file("/"), "index.html");
        assert_eq!(file("/tag/map/page/2/"), "tag/map/page/2/index.html");
        assert_eq!(file("/tag/map/feed.atom"), "tag/map/feed.atom");
        assert_eq!(file("/static/style.css"), "static/style.css");
        assert_eq!(
            file("/post/7/%C3%BCber-maps/"),
            "post/7/über-maps/index.html"
        );
    }

    #[test]
    fn the_not_found_page_is_404_html() {
        assert_eq!(SitePath::not_found().file, "404.html");
    }
}
