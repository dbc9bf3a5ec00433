//! The whole site as files, for `syndic build`.
//!
//! Every URL a plain static web server can answer is rendered through the same [`router`]
//! that `syndic serve` runs, so the files and the live site cannot drift apart. URLs ending
//! in `/` become `…/index.html`; everything else (feeds, OPML, the stylesheet) keeps its
//! name. Search needs a server and is not exported.
//!
//! [`router`]: crate::router()

use axum::body::Body;
use axum::http::{Request, StatusCode};
use syndic_core::{MAX_PAGE, Page};
use syndic_store::PostFilter;
use tower::ServiceExt;

use crate::{AppState, WebError};

/// Posts read per query while listing every post page.
const CHUNK: u32 = 500;

/// The formats every listing (site, tag, source) publishes a feed in.
const FEEDS: [&str; 3] = ["feed.atom", "feed.rss", "feed.json"];

/// One URL of the site and where it lives in the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePath {
    /// The URL path, as the server answers it (`/tag/map/page/2/`).
    pub url: String,
    /// The file it is written to, relative to the output folder (`tag/map/page/2/index.html`).
    pub file: String,
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
        SitePath { url, file }
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

/// Every URL of the site that a static server can answer, in a stable order.
pub async fn paths(state: &AppState) -> Result<Vec<SitePath>, ExportError> {
    let store = &state.store;
    let per_page = state.site.per_page();
    let fail = |e: syndic_store::StoreError| ExportError::List(WebError::Store(e));
    let mut urls = vec![
        "/tags/".to_owned(),
        "/sources/".to_owned(),
        "/sources.opml".to_owned(),
    ];
    urls.push("/static/style.css".to_owned());

    let total = store.count_posts(PostFilter::All).await.map_err(fail)?;
    listing(&mut urls, "/", total, per_page);
    for tag in store.tags().await.map_err(fail)? {
        let total = u64::try_from(tag.post_count).unwrap_or(0);
        listing(&mut urls, &format!("/tag/{}/", tag.slug), total, per_page);
    }
    for source in store.sources().await.map_err(fail)? {
        let total = u64::try_from(source.post_count).unwrap_or(0);
        listing(
            &mut urls,
            &format!("/source/{}/", source.slug),
            total,
            per_page,
        );
    }
    for number in 1..=MAX_PAGE {
        let Some(page) = Page::new(number, CHUNK) else {
            break;
        };
        let posts = store.posts(PostFilter::All, page).await.map_err(fail)?;
        urls.extend(posts.iter().map(crate::render::post_path));
        if posts.len() < CHUNK as usize {
            break;
        }
    }
    Ok(urls.into_iter().map(SitePath::new).collect())
}

/// A listing at `base` (ending in `/`): its pages and its feeds.
fn listing(urls: &mut Vec<String>, base: &str, total: u64, per_page: u32) {
    urls.push(base.to_owned());
    for number in 2..=Page::count_for(total, per_page) {
        urls.push(format!("{base}page/{number}/"));
    }
    urls.extend(FEEDS.iter().map(|feed| format!("{base}{feed}")));
}

/// Renders one URL through `site` (the [`crate::router`] over the same state); anything but
/// `200 OK` is an error.
pub async fn render(site: &axum::Router, url: &str) -> Result<Vec<u8>, ExportError> {
    let (status, body) = get(site, url).await?;
    if status != StatusCode::OK {
        return Err(ExportError::Status {
            url: url.to_owned(),
            status,
        });
    }
    Ok(body)
}

/// The site's 404 page, for `404.html`.
pub async fn not_found_page(site: &axum::Router) -> Result<Vec<u8>, ExportError> {
    get(site, "/this-page-does-not-exist/")
        .await
        .map(|(_, body)| body)
}

async fn get(site: &axum::Router, url: &str) -> Result<(StatusCode, Vec<u8>), ExportError> {
    let failed = |reason: String| ExportError::Render {
        url: url.to_owned(),
        reason,
    };
    let request = Request::get(url)
        .body(Body::empty())
        .map_err(|e| failed(e.to_string()))?;
    let response = site
        .clone()
        .oneshot(request)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok((status, bytes.to_vec()))
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
}
