//! Local media (`[media] cache = true`): the images of the posts a fetch is about to
//! store (every `<img src>`, every `srcset` candidate, every enclosure's thumbnail) are
//! read through the same guarded [`Fetcher`] (SSRF guard, deadlines, a body cap of
//! `max_file`), one request at a time per host and spaced ([`politeness`]), kept only
//! when their bytes are a raster image ([`syndic_core::media::sniff`]), written
//! content-addressed under the media folder, and the posts pointed at
//! `/media/<hash>.<ext>` before they are stored.
//!
//! Rewriting before the store (rather than after) keeps a post's stored HTML equal to what
//! the next fetch of the same feed makes of it, so caching never looks like an edit. Which
//! address became which file is remembered on disk (`<dir>/urls/<sha256(url)>` holds the
//! file's name), so an image is read once, however often its feed is fetched.
//!
//! A refused or failed image keeps its original address in `src` (a `srcset` candidate
//! is dropped; a thumbnail is kept but not shown while the cache is on) and is recorded
//! in the store ([`MediaFailure`]: why, and a wait that doubles with each failure, 10
//! minutes up to a day), so the wait survives a restart and `syndic explain` shows it.
//! When a source has failures that are due, its next fetch reads its feed whole even if
//! unchanged ([`MediaCache::retry_due`]), so posts already stored get another try; after
//! [`syndic_core::media::MOST_FORCED_TRIES`] failures only a changed feed tries again.
//! Nothing here ever fails a fetch.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use syndic_core::media::{self, MediaFailure, RasterType};
use syndic_core::{Enclosure, SourceId};
use syndic_store::{Store, TurnKind};

use crate::pipeline::hex_sha256;
use crate::politeness::HostGate;
use crate::{Body, Fetcher, Location, Validators};

/// `[media]`, as the fetcher needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSettings {
    /// The media folder: `<dir>/<hash[0..2]>/<hash>`.
    pub dir: PathBuf,
    /// The largest image kept, in bytes (the fetcher's body cap for images).
    pub max_file: u64,
    /// The most bytes the media folder holds; images beyond it keep their address.
    pub budget: u64,
    /// The least time between the starts of two image requests to one host.
    pub host_delay: Duration,
}

/// Fetches, checks, stores and rewrites the images of new posts. Cheap to share (`Arc`).
#[derive(Debug)]
pub struct MediaCache {
    fetcher: Fetcher,
    settings: MediaSettings,
    /// Where failures are recorded.
    store: Store,
    /// Bytes in the media folder (counted once at start, then added to).
    used: AtomicU64,
    /// One image request at a time per host, spaced.
    hosts: HostGate,
}

/// Why an image was not cached.
#[derive(Debug)]
enum Skipped {
    NotHttp,
    Fetch(crate::FetchError),
    NotAnImage(Option<String>),
    OverBudget(u64),
    Write(std::io::Error),
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
                write!(f, "the media folder is at its budget of {budget} bytes")
            }
            Skipped::Write(error) => write!(f, "cannot write it to the media folder: {error}"),
        }
    }
}

impl MediaCache {
    /// A cache reading through `fetcher` with its body cap lowered to `max_file`,
    /// recording failures in `store`; counts what the media folder already holds.
    pub fn new(fetcher: &Fetcher, settings: MediaSettings, store: Store) -> MediaCache {
        let (_, used) = folder_files(&settings.dir);
        MediaCache {
            fetcher: fetcher.with_max_body(settings.max_file),
            hosts: HostGate::new(settings.host_delay).across_fleet(store.clone(), TurnKind::Image),
            settings,
            store,
            used: AtomicU64::new(used),
        }
    }

    pub fn settings(&self) -> &MediaSettings {
        &self.settings
    }

    /// `html` with every image address that is (or now gets) cached pointing at its copy;
    /// an uncached `src` keeps its address, an uncached `srcset` candidate is dropped.
    pub async fn localize(&self, html: &str, source: SourceId) -> String {
        let sources = syndic_feed::image_sources(html);
        if sources.is_empty() {
            return html.to_owned();
        }
        let mut names: Vec<(String, String)> = Vec::new();
        for url in sources {
            if names.iter().any(|(known, _)| *known == url) {
                continue;
            }
            if media::is_media_url(&url) {
                names.push((url.clone(), url));
                continue;
            }
            if let Some(local) = self.local_copy(&url, source).await {
                names.push((url, local));
            }
        }
        syndic_feed::rewrite_image_sources(html, |url| {
            names
                .iter()
                .find(|(known, _)| known == url)
                .map(|(_, local)| local.clone())
        })
    }

    /// Points each enclosure's thumbnail at its cached copy (fetching it if needed); a
    /// thumbnail that cannot be cached keeps its address (pages then show none).
    pub async fn localize_enclosures(&self, enclosures: &mut [Enclosure], source: SourceId) {
        for enclosure in enclosures {
            let Some(thumbnail) = enclosure.thumbnail.as_deref() else {
                continue;
            };
            if media::is_media_url(thumbnail) {
                continue;
            }
            if let Some(local) = self.local_copy(thumbnail, source).await {
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
    /// when there is none (the failure is logged and recorded).
    async fn local_copy(&self, url: &str, source: SourceId) -> Option<String> {
        if let Some(local) = self.mapped(url).await {
            return Some(local);
        }
        let now = Utc::now();
        let previous = match self.store.media_failures_of(&[url.to_owned()]).await {
            Ok(mut found) => found.pop(),
            Err(error) => {
                tracing::warn!(media.url = %url, "cannot read the image's failures, trying it: {error}");
                None
            }
        };
        if previous.as_ref().is_some_and(|p| !p.may_try(now)) {
            tracing::debug!(media.url = %url, "image failed lately, its address is kept");
            return None;
        }
        match self.fetch_and_keep(url).await {
            Ok(local) => {
                if previous.is_some()
                    && let Err(error) = self.store.forget_media_failure(url).await
                {
                    tracing::warn!(media.url = %url, "cannot forget the image's failure: {error}");
                }
                Some(local)
            }
            Err(why) => {
                tracing::warn!(media.url = %url, source.id = %source, "image not cached, its address is kept: {why}");
                let failure = MediaFailure::after_failure(
                    previous.as_ref(),
                    url,
                    Some(source),
                    why.to_string(),
                    now,
                );
                self.record(&failure).await;
                None
            }
        }
    }

    async fn record(&self, failure: &MediaFailure) {
        if let Err(error) = self.store.record_media_failure(failure).await {
            tracing::warn!(media.url = %failure.url, "cannot record the image's failure: {error}");
        }
    }

    /// The local address the URL map remembers for `url`, if its file is still there.
    async fn mapped(&self, url: &str) -> Option<String> {
        let name = tokio::fs::read_to_string(self.url_map_path(url))
            .await
            .ok()?;
        let (hash, extension) = media::parse_media_name(name.trim())?;
        let path = media::media_path(&self.settings.dir, hash)?;
        match extension {
            Some(_) if tokio::fs::try_exists(&path).await.unwrap_or(false) => {
                Some(format!("{}{}", media::MEDIA_PREFIX, name.trim()))
            }
            Some(_) => None,
            // Written before names carried their type: read the type from the file once,
            // and remember the typed name.
            None => {
                let bytes = tokio::fs::read(&path).await.ok()?;
                let kind = media::sniff(&bytes)?;
                let typed = media::media_url(hash, kind);
                let name = typed.trim_start_matches(media::MEDIA_PREFIX);
                let _ = write_atomically(&self.url_map_path(url), name.as_bytes()).await;
                Some(typed)
            }
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
        self.write(&hash, &bytes).await?;
        let name = file_name(&hash, kind);
        write_atomically(&self.url_map_path(url), name.as_bytes())
            .await
            .map_err(Skipped::Write)?;
        tracing::info!(media.url = %url, media.hash = %hash, media.bytes = bytes.len(), "cached image ({})", kind.mime());
        Ok(media::media_url(&hash, kind))
    }

    async fn write(&self, hash: &str, bytes: &[u8]) -> Result<(), Skipped> {
        let Some(path) = media::media_path(&self.settings.dir, hash) else {
            return Err(Skipped::NotHttp);
        };
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        let size = bytes.len() as u64;
        let before = self.used.fetch_add(size, Ordering::SeqCst);
        if before + size > self.settings.budget {
            self.used.fetch_sub(size, Ordering::SeqCst);
            return Err(Skipped::OverBudget(self.settings.budget));
        }
        write_atomically(&path, bytes).await.map_err(|error| {
            self.used.fetch_sub(size, Ordering::SeqCst);
            Skipped::Write(error)
        })
    }

    fn url_map_path(&self, url: &str) -> PathBuf {
        let key = hex_sha256(url.as_bytes());
        self.settings.dir.join("urls").join(&key[..2]).join(key)
    }
}

/// What the URL map holds for a file: its name as served, `<hash>.<ext>`.
fn file_name(hash: &str, kind: RasterType) -> String {
    format!("{hash}.{}", kind.extension())
}

/// Writes `bytes` to `path` through a temporary file beside it, so a reader never sees half.
async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    tokio::fs::write(&temporary, bytes).await?;
    tokio::fs::rename(&temporary, path).await
}

/// The number and bytes of the media files under `dir` (the URL map and any leftover
/// temporary file aside); nothing when there is no folder.
pub fn folder_files(dir: &Path) -> (u64, u64) {
    let Ok(shards) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    shards
        .flatten()
        .filter(|shard| shard.file_name() != "urls")
        .filter_map(|shard| std::fs::read_dir(shard.path()).ok())
        .flat_map(|files| files.flatten())
        .filter(|file| file.file_name().to_str().is_some_and(media::is_media_hash))
        .filter_map(|file| file.metadata().ok())
        .fold((0, 0), |(n, bytes), meta| (n + 1, bytes + meta.len()))
}
