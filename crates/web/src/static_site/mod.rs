//! The whole site as files, for `syndic build`.
//!
//! Every URL a plain static web server can answer becomes a file: URLs ending in `/`
//! become `…/index.html`; everything else (feeds, OPML, the stylesheet) keeps its name; the
//! 404 page is `404.html`. Search needs a server and is not exported.
//!
//! A [`SiteMap`] hands out the site's pages in batches, so a build never holds the whole
//! site: first the indexes, feeds, OPML, stylesheet and 404 page, then every listing
//! (newest posts, each tag, each source) walked in chunks of posts read in bulk. Each
//! listing chunk gives that listing's pages, and the chunks of the newest posts also give
//! every post's page, its newer and older neighbours being the posts beside it.
//!
//! A [`Renderer`] turns one [`SitePage`] into bytes; the caller decides how many run at
//! once. Listing and post pages are rendered by the same functions the page handlers
//! call, from the posts the walk read (no per-page count, offset or neighbour queries);
//! everything else is sent through the site's [`router`] with `oneshot`, as a browser's
//! request would be. Either way the bytes are the served page's (a test renders every
//! page both ways). The renderer works over an [`AppState`] of the build's own, which has
//! no page cache: a build neither reads nor fills the serving path's cache.
//!
//! [`fingerprint`] digests what besides the store decides the bytes (the site's settings
//! and the theme), so a build can tell that nothing changed.
//!
//! [`router`]: crate::router()

mod map;
mod renderer;

use axum::http::StatusCode;
use sha2::{Digest, Sha256};

use crate::{AppState, WebError};

pub use map::{SiteMap, SitePage};
pub use renderer::Renderer;

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
    #[error("could not render {url}")]
    Page {
        url: String,
        #[source]
        source: WebError,
    },
    #[error("could not render {url}: {reason}")]
    Render { url: String, reason: String },
}

impl From<syndic_store::StoreError> for ExportError {
    fn from(error: syndic_store::StoreError) -> ExportError {
        ExportError::List(WebError::Store(error))
    }
}

/// Every URL of the site that a static server can answer, in a stable order: the
/// [`SiteMap`]'s batches in one list.
pub async fn paths(state: &AppState) -> Result<Vec<SitePath>, ExportError> {
    let mut map = SiteMap::read(state).await?;
    let mut paths = Vec::new();
    while let Some(batch) = map.next_batch(state).await? {
        paths.extend(batch.into_iter().map(|page| page.path));
    }
    Ok(paths)
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
