//! Full text (`[[source]] full_content`): reading a post's web page politely and deciding
//! whether its article replaces the feed's text.
//!
//! Every page goes through the guarded [`Fetcher`] (the SSRF guard on every hop,
//! deadlines, a body cap of [`MAX_PAGE_BYTES`]), after the site's robots.txt
//! ([`crate::robots`], read once per site and kept [`ROBOTS_KEPT`]) said yes for
//! `syndic`. Requests to one host take turns (`politeness.rs`, shared with the media
//! cache): one at a time, their starts [`PAGE_DELAY`] apart (or the site's `Crawl-delay`,
//! up to a minute), whatever source, task or process of the fleet asks (the turns are
//! kept in the store). The
//! article is found and sanitized by [`syndic_feed::extract_article`] off the async
//! threads; [`judge`] decides whether it is clearly longer than the feed's text. A page
//! that cannot be used is a [`PageFailure`], recorded on the post and tried again later
//! ([`next_try`]); it never fails a fetch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use syndic_feed::{Article, ArticleRule};
use syndic_store::{FullTextCandidate, FullTextState, Store, TurnKind};

use crate::politeness::HostGate;
use crate::robots::{MAX_ROBOTS_BYTES, Robots};
use crate::{Body, Fetcher, Location, Validators};

/// The largest page read; a bigger one fails (its feed text stays).
pub const MAX_PAGE_BYTES: u64 = 4 * 1024 * 1024;
/// The least time between two requests to one host.
pub const PAGE_DELAY: Duration = Duration::from_secs(1);
/// How long a site's robots.txt answer is kept before it is read again.
pub const ROBOTS_KEPT: Duration = Duration::from_secs(3600);
/// The most pages one fetch of a source reads; the rest wait for its next fetch.
pub const MAX_PAGES_PER_FETCH: u32 = 20;
/// After this many failed tries a page is no longer tried (`syndic refetch-content` still
/// reads it).
pub const MOST_TRIES: u32 = 12;

/// Why a post's page was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFailure {
    pub url: Option<String>,
    pub reason: String,
}

/// Reads posts' pages: robots.txt per site, turns per host. Cheap to share (`Arc`).
#[derive(Debug)]
pub struct FullText {
    pages: Fetcher,
    robots_files: Fetcher,
    delay: Duration,
    robots: Mutex<HashMap<String, (Instant, Arc<Robots>)>>,
    turns: HostGate,
}

impl FullText {
    /// Page reads through `fetcher` (its guard, deadlines and User-Agent), with the body
    /// caps of pages and robots.txt, each host's turns shared with every process on
    /// `store`.
    pub fn new(fetcher: &Fetcher, store: Store) -> FullText {
        FullText {
            pages: fetcher.with_max_body(MAX_PAGE_BYTES),
            robots_files: fetcher.with_max_body(MAX_ROBOTS_BYTES),
            delay: PAGE_DELAY,
            robots: Mutex::new(HashMap::new()),
            turns: HostGate::new(PAGE_DELAY).across_fleet(store, TurnKind::Page),
        }
    }

    /// The article of the page at `link` by `rule`, or why there is none.
    pub async fn read_article(
        &self,
        link: &str,
        rule: &ArticleRule,
    ) -> Result<(url::Url, Article), PageFailure> {
        let failure = |reason: String| PageFailure {
            url: Some(link.to_owned()),
            reason,
        };
        let page = url::Url::parse(link)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| failure("the post's link is not an http(s) address".into()))?;
        let robots = self.robots_for(&page).await;
        robots.check(page.as_str()).map_err(failure)?;
        let pause = robots.crawl_delay().unwrap_or(self.delay).max(self.delay);
        let answer = self
            .in_turn(
                &page,
                pause,
                self.pages
                    .fetch(&Location::Http(page.clone()), &Validators::default()),
            )
            .await
            .map_err(|error| failure(error.to_string()))?;
        let base = answer.base_url.clone().unwrap_or_else(|| page.clone());
        let Body::Changed { bytes, .. } = answer.body else {
            return Err(failure("the server sent no page".into()));
        };
        let rule = rule.clone();
        let at = base.clone();
        let article = tokio::task::spawn_blocking(move || {
            let html = String::from_utf8_lossy(&bytes);
            syndic_feed::extract_article(&html, &at, &rule)
        })
        .await
        .map_err(|_| failure("extracting the article stopped unexpectedly".into()))?
        .map_err(|error| failure(error.to_string()))?;
        Ok((base, article))
    }

    /// The site's robots.txt rules, read (in the host's turn) when not known lately.
    async fn robots_for(&self, page: &url::Url) -> Arc<Robots> {
        let site = site_of(page);
        if let Some((read_at, robots)) = self.lock_robots().get(&site)
            && read_at.elapsed() < ROBOTS_KEPT
        {
            return Arc::clone(robots);
        }
        let mut address = page.clone();
        address.set_path("/robots.txt");
        address.set_query(None);
        address.set_fragment(None);
        let answer = self
            .in_turn(
                page,
                self.delay,
                self.robots_files
                    .fetch(&Location::Http(address), &Validators::default()),
            )
            .await;
        let robots = Arc::new(Robots::from_answer(&answer));
        let mut known = self.lock_robots();
        if known.len() > 10_000 {
            known.clear();
        }
        known.insert(site, (Instant::now(), Arc::clone(&robots)));
        robots
    }

    /// Runs `request` in `page`'s host's turn: alone, and at least `pause` after the
    /// host's previous request started.
    async fn in_turn<T>(
        &self,
        page: &url::Url,
        pause: Duration,
        request: impl std::future::Future<Output = T>,
    ) -> T {
        let _turn = self.turns.turn_after(&host_of(page), pause).await;
        request.await
    }

    fn lock_robots(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<Robots>)>> {
        self.robots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Scheme, host and port: whose robots.txt rules a page.
fn site_of(page: &url::Url) -> String {
    format!(
        "{}://{}:{}",
        page.scheme(),
        host_of(page),
        page.port_or_known_default().unwrap_or(0)
    )
}

fn host_of(page: &url::Url) -> String {
    page.host_str().unwrap_or_default().to_ascii_lowercase()
}

/// What to do with a post whose page gave `article`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The article replaces the text; the feed's HTML digest and word count to remember.
    UsePage {
        feed_digest: String,
        feed_words: u64,
    },
    /// The post keeps its text, for this reason.
    Keep(String),
}

/// Whether `article` replaces `candidate`'s text: when it is clearly longer
/// ([`syndic_feed::is_clearly_longer`]) than the feed's text (for a post whose text is
/// already a page's, the feed's as recorded then).
pub fn judge(candidate: &FullTextCandidate, article: &Article) -> Verdict {
    let recorded_feed = candidate
        .origin
        .as_ref()
        .filter(|origin| origin.state == FullTextState::Page)
        .and_then(|origin| Some((origin.feed_digest.clone()?, origin.feed_words?)));
    let (feed_digest, feed_words) = recorded_feed.unwrap_or_else(|| {
        (
            syndic_store::content_digest(&candidate.content_html),
            syndic_feed::word_count(&candidate.content_text) as u64,
        )
    });
    let page_words = syndic_feed::word_count(&article.text) as u64;
    if syndic_feed::is_clearly_longer(feed_words as usize, page_words as usize) {
        Verdict::UsePage {
            feed_digest,
            feed_words,
        }
    } else {
        Verdict::Keep(format!(
            "the page's text ({page_words} words) is not clearly longer than the feed's \
             ({feed_words} words): it must have {}x the words and {} more",
            syndic_feed::LONGER_RATIO,
            syndic_feed::LONGER_BY_WORDS
        ))
    }
}

/// When a page that failed `failures` times before (this one not counted) is tried next:
/// the media cache's wait ([`syndic_core::media::retry_wait`]: 10 minutes, doubling, at
/// most a day), never after [`MOST_TRIES`].
pub fn next_try(failures: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if failures + 1 >= MOST_TRIES {
        return None;
    }
    Some(now + syndic_core::media::retry_wait(failures + 1))
}

#[cfg(test)]
#[path = "full_text_tests.rs"]
mod tests;
