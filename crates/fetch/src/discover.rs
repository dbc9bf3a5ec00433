//! Finding the feeds behind an address someone wants to follow, through the one [`Fetcher`]
//! (so the SSRF guard, deadlines and body cap apply to every request).
//!
//! The address itself is read first: a feed is the answer. An HTML page is searched for
//! `<link rel="alternate">` feeds ([`syndic_feed::discover`]); a page that advertises none
//! has the usual places ([`syndic_feed::COMMON_PATHS`]) tried on its origin. Every
//! candidate is fetched and kept only if it parses as a feed; at most
//! [`syndic_feed::MAX_LINKS`] candidates are tried.

use syndic_feed::{COMMON_PATHS, FeedFormat, MAX_LINKS};
use url::Url;

use crate::{Body, FetchError, Fetcher, Location, Validators};

/// A feed found at or behind the address given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFeed {
    /// Where to read it (its new address if it answered with a permanent redirect).
    pub url: Url,
    /// The feed's own title, else the page link's.
    pub title: Option<String>,
    pub format: FeedFormat,
    pub entries: usize,
}

/// The feeds at `url`: itself if it is a feed, else those its page leads to (possibly
/// none). Fails only when `url` itself cannot be read; a candidate that fails is skipped.
pub async fn find_feeds(fetcher: &Fetcher, url: &Url) -> Result<Vec<FoundFeed>, FetchError> {
    let (page_url, bytes) = read(fetcher, url).await?;
    if let Some(feed) = as_feed(&bytes, &page_url, None).await {
        return Ok(vec![feed]);
    }
    if !syndic_feed::looks_like_html(&bytes) {
        return Ok(Vec::new());
    }
    let html = String::from_utf8_lossy(&bytes).into_owned();
    let base = page_url.clone();
    let links = tokio::task::spawn_blocking(move || syndic_feed::discover(&html, &base))
        .await
        .unwrap_or_default();
    let candidates: Vec<(Url, Option<String>)> = if links.is_empty() {
        COMMON_PATHS
            .iter()
            .filter_map(|path| page_url.join(path).ok())
            .map(|u| (u, None))
            .collect()
    } else {
        links.into_iter().map(|l| (l.url, l.title)).collect()
    };
    let mut found: Vec<FoundFeed> = Vec::new();
    for (candidate, title) in candidates.into_iter().take(MAX_LINKS) {
        let Ok((feed_url, bytes)) = read(fetcher, &candidate).await else {
            tracing::debug!("no feed at {candidate}");
            continue;
        };
        if let Some(feed) = as_feed(&bytes, &feed_url, title).await
            && !found.iter().any(|f| f.url == feed.url)
        {
            found.push(feed);
        }
    }
    Ok(found)
}

/// The bytes at `url` and the address to keep for it.
async fn read(fetcher: &Fetcher, url: &Url) -> Result<(Url, Vec<u8>), FetchError> {
    let fetched = fetcher
        .fetch(&Location::Http(url.clone()), &Validators::default())
        .await?;
    let kept = fetched.moved_to.unwrap_or_else(|| url.clone());
    match fetched.body {
        Body::Changed { bytes, .. } => Ok((kept, bytes)),
        // Nothing was sent to make a 304 possible; treat it as an empty answer.
        Body::NotModified => Ok((kept, Vec::new())),
    }
}

/// `bytes` as a feed, parsed off the async threads, or `None`.
async fn as_feed(bytes: &[u8], url: &Url, link_title: Option<String>) -> Option<FoundFeed> {
    let (owned, base) = (bytes.to_vec(), url.clone());
    let parsed = tokio::task::spawn_blocking(move || syndic_feed::parse(&owned, Some(&base)))
        .await
        .ok()?
        .ok()?;
    Some(FoundFeed {
        url: url.clone(),
        title: parsed.meta.title.filter(|t| !t.is_empty()).or(link_title),
        format: parsed.format,
        entries: parsed.entries.len(),
    })
}
