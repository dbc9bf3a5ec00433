//! One module per page; shared here: page numbers, listings, and the small fixed routes.

pub(crate) mod health;
pub(crate) mod home;
pub(crate) mod media;
pub(crate) mod post;
pub(crate) mod revisions;
pub(crate) mod search;
pub(crate) mod source;
pub(crate) mod sources;
pub(crate) mod tag;
pub(crate) mod tags;
pub(crate) mod websub;

use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LAST_MODIFIED, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use syndic_core::{FetchMetrics, Page, Post};
use syndic_store::PostFilter;

use crate::http::http_date;
use crate::{AppState, WebError};

/// The theme's stylesheet. Pages link it as `?v=<version>`; that exact version may be kept
/// for a year, any other address of it for an hour.
pub(crate) async fn stylesheet(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> impl IntoResponse {
    let sheet = state.stylesheet();
    let asked = query.as_deref().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "v")
            .map(|(_, value)| value.into_owned())
    });
    let cache = if asked.as_deref() == Some(sheet.version.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static(cache)),
            (LAST_MODIFIED, http_date(state.started())),
        ],
        sheet.text.clone(),
    )
}

/// Fetch counters, sources by status, posts per tag and untagged posts in the Prometheus
/// text format, and the page cache's counters when it is on. Without a registry (a server
/// that does not fetch) the fetch counters are zeros. A store that does not answer within
/// `store_wait` leaves out what it holds (logged): the process's own counters are still
/// worth scraping.
pub(crate) async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, WebError> {
    let read = tokio::time::timeout(state.limits().store_wait, state.store.sources_by_status());
    let (by_status, reachable) = match read.await {
        Ok(Ok(by_status)) => (by_status, true),
        Ok(Err(error)) if error.is_unreachable() => {
            tracing::warn!(error = %crate::error::chain(&error), "metrics without the store's figures: the store is unreachable");
            (Vec::new(), false)
        }
        Ok(Err(error)) => return Err(error.into()),
        Err(_) => {
            tracing::warn!("metrics without the store's figures: the store did not answer in time");
            (Vec::new(), false)
        }
    };
    let by_status: Vec<(&str, u64)> = by_status
        .iter()
        .map(|(status, count)| (status.as_str(), *count))
        .collect();
    let mut text = match state.metrics() {
        Some(metrics) => metrics.render(&by_status),
        None => FetchMetrics::default().render(&by_status),
    };
    if reachable {
        let tags = state.store.tags().await?;
        let per_tag: Vec<(&str, i64)> = tags
            .iter()
            .map(|t| (t.name.as_str(), t.post_count))
            .collect();
        let untagged = state.store.untagged_post_count().await?;
        text.push_str(&syndic_core::metrics::render_tagging(&per_tag, untagged));
    }
    text.push_str(&state.page_cache().render_metrics());
    Ok((
        [
            (CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        text,
    ))
}

/// `301 Moved Permanently` to the root-relative `path`. Bytes a header cannot carry (the
/// letters of other scripts that slugs keep, spaces, controls) are percent-encoded.
pub(crate) fn moved_to(path: &str) -> Response {
    let mut location = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_graphic() {
            location.push(char::from(byte));
        } else {
            location.push_str(&format!("%{byte:02X}"));
        }
    }
    match HeaderValue::try_from(location) {
        Ok(location) => (StatusCode::MOVED_PERMANENTLY, [(LOCATION, location)]).into_response(),
        Err(_) => WebError::NotFound.into_response(),
    }
}

pub(crate) async fn not_found() -> WebError {
    WebError::NotFound
}

pub(crate) async fn method_not_allowed() -> WebError {
    WebError::MethodNotAllowed
}

/// Path parameters of a listing addressed by slug: `/<kind>/<slug>/` and
/// `/<kind>/<slug>/page/<page>/`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct SlugPage {
    pub(crate) slug: String,
    #[serde(default)]
    pub(crate) page: Option<String>,
}

/// The `<title>` of page `page` of a listing headed `heading`.
pub(crate) fn listing_title(heading: &str, page: u32, site_title: &str) -> String {
    if page == 1 {
        format!("{heading} – {site_title}")
    } else {
        format!("{heading}, page {page} – {site_title}")
    }
}

/// The page number asked for: from the path (`/page/N/`) when given, else from the query
/// (`?page=N`), else 1. Anything but a plain positive number is not a page.
pub(crate) fn page_number(path: Option<&str>, query: Option<&str>) -> Result<u32, WebError> {
    let text = match path {
        Some(text) => Some(text.to_owned()),
        None => query.and_then(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == "page")
                .map(|(_, value)| value.into_owned())
        }),
    };
    match text {
        None => Ok(1),
        Some(text) => parse_positive(&text).ok_or(WebError::NotFound),
    }
}

/// A positive number written plainly: ASCII digits, no sign, no leading zero.
pub(crate) fn parse_positive<T: std::str::FromStr>(text: &str) -> Option<T> {
    let plain = !text.is_empty()
        && !text.starts_with('0')
        && text.bytes().all(|byte| byte.is_ascii_digit());
    plain.then(|| text.parse().ok()).flatten()
}

/// One page of a newest-first listing.
pub(crate) struct Listing {
    pub posts: Vec<Post>,
    pub page: u32,
    pub pages: u32,
}

/// Page `number` of the posts `filter` selects; not found past the last page (an empty
/// listing still has its page 1).
pub(crate) async fn listing(
    state: &AppState,
    filter: PostFilter,
    number: u32,
) -> Result<Listing, WebError> {
    let page = page_of(state, number)?;
    // Counted and read in one snapshot; past the last page only the count was read.
    bounded(state, page, state.store.listing(filter, page).await?)
}

/// Page `number` of a listing, at the site's page size (404 for a page that cannot be).
pub(crate) fn page_of(state: &AppState, number: u32) -> Result<Page, WebError> {
    Page::new(number, state.site.per_page()).ok_or(WebError::NotFound)
}

/// `page` of a listing read from the store, or 404 past its last page.
pub(crate) fn bounded(
    state: &AppState,
    page: Page,
    listing: syndic_store::Listing,
) -> Result<Listing, WebError> {
    let pages = Page::count_for(listing.total, state.site.per_page());
    if page.number > pages {
        return Err(WebError::NotFound);
    }
    Ok(Listing {
        posts: listing.posts,
        page: page.number,
        pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_must_be_plain_positive_numbers() {
        assert_eq!(page_number(None, None).ok(), Some(1));
        assert_eq!(page_number(None, Some("page=2")).ok(), Some(2));
        assert_eq!(page_number(None, Some("x=1&page=3&page=9")).ok(), Some(3));
        assert_eq!(page_number(Some("4"), Some("page=2")).ok(), Some(4));
        for bad in ["0", "", "abc", "-1", "+2", "02", "1.0", " 1", "99999999999"] {
            assert!(page_number(Some(bad), None).is_err(), "{bad:?}");
            let query = format!("page={bad}");
            assert!(page_number(None, Some(&query)).is_err(), "{bad:?}");
        }
    }
}
