//! Local media (`[media] cache = true`): the images of the posts a fetch is about to
//! store (every `<img src>`, every `srcset` candidate, every enclosure's thumbnail) are
//! read through the same guarded [`Fetcher`] (SSRF guard, deadlines, a body cap of
//! `max_file`), one request at a time per host and spaced ([`politeness`]), kept only
//! when their bytes are a raster image ([`syndic_core::media::sniff`]), kept
//! content-addressed in the media folder or the store ([`MediaStorage`], `keep.rs`), and
//! the posts pointed at `/media/<hash>` before they are stored.
//!
//! Rewriting before the store (rather than after) keeps a post's stored HTML equal to what
//! the next fetch of the same feed makes of it, so caching never looks like an edit. Which
//! address became which file is remembered beside the files (`<dir>/urls/<sha256(url)>`
//! holds the hash, or the store's `media_urls`), so an image is read once, however often
//! its feed is fetched. A fetch looks up all its posts' images at once: which are cached
//! and which failed lately, one batched store call each ([`MediaCache::localize_entries`]).
//!
//! A refused or failed image keeps its original address in `src` (a `srcset` candidate
//! is dropped; a thumbnail is kept but not shown while the cache is on) and is recorded
//! in the store ([`MediaFailure`]: why, and a wait that doubles with each failure, 10
//! minutes up to a day), so the wait survives a restart and `syndic explain` shows it.
//! When a source has failures that are due, its next fetch reads its feed whole even if
//! unchanged ([`MediaCache::retry_due`]), so posts already stored get another try; after
//! [`syndic_core::media::MOST_FORCED_TRIES`] failures only a changed feed tries again.
//! Nothing here ever fails a fetch.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use syndic_core::media::{self, MediaFailure, MediaStorage};
use syndic_core::{Enclosure, FeedEntry, SourceId};
use syndic_store::{Store, TurnKind};

use crate::pipeline::hex_sha256;
use crate::politeness::HostGate;
use crate::{Body, Fetcher, Location, Validators};

mod keep;

pub use keep::folder_files;

/// `[media]`, as the fetcher needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSettings {
    /// Where images are kept: the media folder (`<dir>/<hash[0..2]>/<hash>`) or the store.
    pub storage: MediaStorage,
    /// The largest image kept, in bytes (the fetcher's body cap for images).
    pub max_file: u64,
    /// The most bytes of images kept; images beyond it keep their address.
    pub budget: u64,
    /// The least time between the starts of two image requests to one host.
    pub host_delay: Duration,
}

/// Fetches, checks, stores and rewrites the images of new posts. Cheap to share (`Arc`).
#[derive(Debug)]
pub struct MediaCache {
    fetcher: Fetcher,
    settings: MediaSettings,
    /// Where failures are recorded (and images kept, with [`MediaStorage::Store`]).
    store: Store,
    /// Bytes of images kept (counted once at start, then added to).
    used: AtomicU64,
    /// One image request at a time per host, spaced.
    hosts: HostGate,
}

/// What a fetch knows of its images before it rewrites them, read in one go: the local
/// address of each cached one, and the recorded failure of each other one.
#[derive(Debug, Default)]
struct Known {
    local: HashMap<String, String>,
    failures: HashMap<String, MediaFailure>,
}

/// Why an image was not cached.
#[derive(Debug)]
enum Skipped {
    NotHttp,
    Fetch(crate::FetchError),
    NotAnImage(Option<String>),
    OverBudget(u64),
    Write(std::io::Error),
    Store(syndic_store::StoreError),
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skipped::NotHttp => write!(f, "not an http(s) address"),
            Skipped::Fetch(error) => write!(f, "{error}"),
            Skipped::NotAnImage(content_type) => write!(
                f,
                "not a raster image (PNG, JPEG, GIF, WebP, AVIF) by its bytes; the server said {}",
                content_type.as_deref().unwrap_or("no Content-Type")
            ),
            Skipped::OverBudget(budget) => {
                write!(f, "the media cache is at its budget of {budget} bytes")
            }
            Skipped::Write(error) => write!(f, "cannot write it to the media folder: {error}"),
            Skipped::Store(error) => write!(f, "cannot keep it in the store: {error}"),
        }
    }
}

impl MediaCache {
    /// A cache reading through `fetcher` with its body cap lowered to `max_file`,
    /// recording failures in `store`; counts the bytes of images already kept.
    pub async fn new(
        fetcher: &Fetcher,
        settings: MediaSettings,
        store: Store,
    ) -> syndic_store::Result<MediaCache> {
        let used = keep::used_bytes(&settings.storage, &store).await?;
        Ok(MediaCache {
            fetcher: fetcher.with_max_body(settings.max_file),
            hosts: HostGate::new(settings.host_delay).across_fleet(store.clone(), TurnKind::Image),
            settings,
            store,
            used: AtomicU64::new(used),
        })
    }

    pub fn settings(&self) -> &MediaSettings {
        &self.settings
    }

    /// Points every entry's images and enclosure thumbnails at their cached copies,
    /// fetching those not cached yet. Which are cached and which failed lately is read
    /// once for the whole fetch.
    pub async fn localize_entries(&self, entries: &mut [FeedEntry], source: SourceId) {
        let urls: BTreeSet<String> = entries
            .iter()
            .flat_map(|entry| {
                let thumbnails = entry.enclosures.iter();
                syndic_feed::image_sources(&entry.content_html)
                    .into_iter()
                    .chain(thumbnails.filter_map(|e| e.thumbnail.clone()))
            })
            .collect();
        let mut known = self.look_up(urls).await;
        for entry in entries {
            entry.content_html = self.rewrite(&entry.content_html, source, &mut known).await;
            self.rewrite_thumbnails(&mut entry.enclosures, source, &mut known)
                .await;
        }
    }

    /// `html` with every image address that is (or now gets) cached pointing at its copy;
    /// an uncached `src` keeps its address, an uncached `srcset` candidate is dropped.
    pub async fn localize(&self, html: &str, source: SourceId) -> String {
        let urls: BTreeSet<String> = syndic_feed::image_sources(html).into_iter().collect();
        if urls.is_empty() {
            return html.to_owned();
        }
        let mut known = self.look_up(urls).await;
        self.rewrite(html, source, &mut known).await
    }

    /// Which of `urls` are cached, and the recorded failures of the others: two batched
    /// reads, whatever the number of images.
    async fn look_up(&self, urls: BTreeSet<String>) -> Known {
        let urls: Vec<String> = urls
            .into_iter()
            .filter(|url| !media::is_media_url(url))
            .collect();
        if urls.is_empty() {
            return Known::default();
        }
        let local = self.mapped_all(&urls).await;
        let uncached: Vec<String> = urls
            .into_iter()
            .filter(|url| !local.contains_key(url))
            .collect();
        if !uncached.is_empty() {
            self.catch_up_with_the_fleet().await;
        }
        let failures = match self.store.media_failures_of(&uncached).await {
            Ok(found) => found.into_iter().map(|f| (f.url.clone(), f)).collect(),
            Err(error) => {
                tracing::warn!("cannot read the images' failures, trying them: {error}");
                HashMap::new()
            }
        };
        Known { local, failures }
    }

    /// With images kept in the store, other processes keep images too: before images are
    /// fetched, the budget's count takes the store's total when that is higher, so a fleet
    /// goes over its budget by at most what its processes fetch at the same moment.
    async fn catch_up_with_the_fleet(&self) {
        if !matches!(self.settings.storage, MediaStorage::Store) {
            return;
        }
        match self.store.media_files_usage().await {
            Ok((_, kept)) => {
                self.used.fetch_max(kept, Ordering::SeqCst);
            }
            Err(error) => tracing::warn!("cannot read the images kept in the store: {error}"),
        }
    }

    async fn rewrite(&self, html: &str, source: SourceId, known: &mut Known) -> String {
        let sources = syndic_feed::image_sources(html);
        if sources.is_empty() {
            return html.to_owned();
        }
        let mut names: Vec<(String, String)> = Vec::new();
        for url in sources {
            if names.iter().any(|(seen, _)| *seen == url) {
                continue;
            }
            if media::is_media_url(&url) {
                names.push((url.clone(), url));
                continue;
            }
            if let Some(local) = self.local_copy(&url, source, known).await {
                names.push((url, local));
            }
        }
        syndic_feed::rewrite_image_sources(html, |url| {
            names
                .iter()
                .find(|(seen, _)| seen == url)
                .map(|(_, local)| local.clone())
        })
    }

    /// Points each enclosure's thumbnail at its cached copy (fetching it if needed); a
    /// thumbnail that cannot be cached keeps its address (pages then show none).
    async fn rewrite_thumbnails(
        &self,
        enclosures: &mut [Enclosure],
        source: SourceId,
        known: &mut Known,
    ) {
        for enclosure in enclosures {
            let Some(thumbnail) = enclosure.thumbnail.as_deref() else {
                continue;
            };
            if media::is_media_url(thumbnail) {
                continue;
            }
            let thumbnail = thumbnail.to_owned();
            if let Some(local) = self.local_copy(&thumbnail, source, known).await {
                enclosure.thumbnail = Some(local);
            }
        }
    }

    /// Whether `source`'s feed should be read whole on its next fetch, validators and
    /// unchanged body notwithstanding: some of its images failed and are due again.
    pub async fn retry_due(&self, source: SourceId) -> bool {
        match self.store.due_media_failures(source, Utc::now()).await {
            Ok(due) => !due.is_empty(),
            Err(error) => {
                tracing::warn!(source.id = %source, "cannot read the source's image failures: {error}");
                false
            }
        }
    }

    /// After a fetch that read `source`'s feed whole for its due images: those still due
    /// (the feed no longer shows them, so they were not tried) count one more failure, so
    /// they do not make every later fetch read the feed whole.
    pub async fn defer_unseen(&self, source: SourceId) {
        let now = Utc::now();
        let due = match self.store.due_media_failures(source, now).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(source.id = %source, "cannot read the source's image failures: {error}");
                return;
            }
        };
        for failure in due {
            let error = format!(
                "{} (not in the feed any more)",
                failure
                    .error
                    .trim_end_matches(" (not in the feed any more)")
            );
            let next = MediaFailure::after_failure(Some(&failure), &failure.url, None, error, now);
            self.record(&next).await;
        }
    }

    /// The local address of `url`'s copy, fetching it unless it failed lately; `None`
    /// when there is none (the failure is logged and recorded). What happens is added to
    /// `known`, so an address shown twice in one fetch is tried once.
    async fn local_copy(&self, url: &str, source: SourceId, known: &mut Known) -> Option<String> {
        if let Some(local) = known.local.get(url) {
            return Some(local.clone());
        }
        let now = Utc::now();
        let previous = known.failures.get(url);
        if previous.is_some_and(|p| !p.may_try(now)) {
            tracing::debug!(media.url = %url, "image failed lately, its address is kept");
            return None;
        }
        match self.fetch_and_keep(url).await {
            Ok(local) => {
                if known.failures.remove(url).is_some()
                    && let Err(error) = self.store.forget_media_failure(url).await
                {
                    tracing::warn!(media.url = %url, "cannot forget the image's failure: {error}");
                }
                known.local.insert(url.to_owned(), local.clone());
                Some(local)
            }
            Err(why) => {
                tracing::warn!(media.url = %url, source.id = %source, "image not cached, its address is kept: {why}");
                let failure =
                    MediaFailure::after_failure(previous, url, Some(source), why.to_string(), now);
                self.record(&failure).await;
                known.failures.insert(url.to_owned(), failure);
                None
            }
        }
    }

    async fn record(&self, failure: &MediaFailure) {
        if let Err(error) = self.store.record_media_failure(failure).await {
            tracing::warn!(media.url = %failure.url, "cannot record the image's failure: {error}");
        }
    }

    /// Fetches `url`, keeps it if it is a raster image within the budget, and returns
    /// its local address.
    async fn fetch_and_keep(&self, url: &str) -> Result<String, Skipped> {
        let parsed = url::Url::parse(url).map_err(|_| Skipped::NotHttp)?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Skipped::NotHttp);
        }
        let host = syndic_store::host_of(parsed.as_str());
        let fetched = {
            let _turn = self.hosts.turn(&host).await;
            self.fetcher
                .fetch(&Location::Http(parsed), &Validators::default())
                .await
                .map_err(Skipped::Fetch)?
        };
        let Body::Changed {
            bytes,
            content_type,
        } = fetched.body
        else {
            return Err(Skipped::NotAnImage(None));
        };
        let Some(kind) = media::sniff(&bytes) else {
            return Err(Skipped::NotAnImage(content_type));
        };
        let hash = hex_sha256(&bytes);
        self.keep(&hash, kind, &bytes).await?;
        self.remember(url, &hash).await?;
        tracing::info!(media.url = %url, media.hash = %hash, media.bytes = bytes.len(), "cached image ({})", kind.mime());
        Ok(media::media_url(&hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FetcherOptions;
    use syndic_core::media::RasterType;
    use syndic_store::testing::{TestDatabase, TestEngine};

    #[tokio::test]
    async fn caches_of_two_processes_keeping_images_in_the_store_share_one_budget() {
        for engine in TestEngine::ALL {
            let test = "caches_of_two_processes_keeping_images_in_the_store_share_one_budget";
            if let Some(database) = TestDatabase::new(engine, test) {
                two_processes_share_the_budget(&database).await;
            }
        }
    }

    /// Two caches over two stores on one database stand for two workers started on an
    /// empty store: once one has kept 80 of the 100 bytes, the other's next look-up counts
    /// them, and an image of 40 bytes is over the budget.
    async fn two_processes_share_the_budget(database: &TestDatabase) {
        let fetcher = Fetcher::new(FetcherOptions::default()).expect("fetcher");
        let settings = || MediaSettings {
            storage: MediaStorage::Store,
            max_file: 1_000,
            budget: 100,
            host_delay: Duration::ZERO,
        };
        let first = MediaCache::new(&fetcher, settings(), database.open().await);
        let second = MediaCache::new(&fetcher, settings(), database.open().await);
        let (first, second) = (first.await.expect("cache"), second.await.expect("cache"));
        first
            .keep("a1", RasterType::Png, &[1; 80])
            .await
            .expect("within the budget");
        let urls = BTreeSet::from(["https://img.example/new.png".to_owned()]);
        second.look_up(urls).await;
        let refused = second.keep("b2", RasterType::Png, &[2; 40]).await;
        assert!(
            matches!(refused, Err(Skipped::OverBudget(100))),
            "80 + 40 bytes are over the budget of 100: {refused:?}"
        );
        second
            .keep("c3", RasterType::Png, &[3; 20])
            .await
            .expect("80 + 20 bytes are within it");
    }
}
