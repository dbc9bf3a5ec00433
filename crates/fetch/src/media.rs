//! Local media (`[media] cache = true`): the images of the posts a fetch is about to
//! store are read through the same guarded [`Fetcher`] (SSRF guard, deadlines, a body cap
//! of `max_file`), kept only when their bytes are a raster image
//! ([`syndic_core::media::sniff`]), written content-addressed under the media folder, and
//! the posts' `<img src>` rewritten to `/media/<hash>` before they are stored.
//!
//! Rewriting before the store (rather than after) keeps a post's stored HTML equal to what
//! the next fetch of the same feed makes of it, so caching never looks like an edit. Which
//! address became which file is remembered on disk (`<dir>/urls/<sha256(url)>` holds the
//! file's name), so an image is read once, however often its feed is fetched. A refused or
//! failed image keeps its original address and is logged; this process tries it again only
//! after a wait that doubles with each failure ([`Failures`]: 10 minutes, then 20, … at
//! most a day), however often its feed is read meanwhile. Nothing here ever fails a fetch.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use syndic_core::media;

use crate::pipeline::hex_sha256;
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
}

/// Fetches, checks, stores and rewrites the images of new posts. Cheap to share (`Arc`).
#[derive(Debug)]
pub struct MediaCache {
    fetcher: Fetcher,
    settings: MediaSettings,
    /// Bytes in the media folder (counted once at start, then added to).
    used: AtomicU64,
    /// Addresses that failed lately, and when each may be tried again.
    failures: Mutex<Failures>,
}

/// The wait after an image's first failure; each further failure doubles it.
const FIRST_RETRY: Duration = Duration::from_secs(10 * 60);
/// The longest wait between two tries of a failing image.
const LONGEST_RETRY: Duration = Duration::from_secs(24 * 3600);
/// The most failing addresses remembered; past it the memory starts again empty (an
/// image then costs one more try, never a wrong answer).
const MOST_REMEMBERED: usize = 100_000;

/// Failed image addresses with their backoff: when each may be tried again, and the wait
/// that earned it.
#[derive(Debug, Default)]
struct Failures {
    by_url: HashMap<String, (Instant, Duration)>,
}

impl Failures {
    /// Whether `url` may be fetched at `now`.
    fn may_try(&self, url: &str, now: Instant) -> bool {
        self.by_url
            .get(url)
            .is_none_or(|(retry_at, _)| now >= *retry_at)
    }

    /// `url` failed at `now`: its wait doubles (the first is [`FIRST_RETRY`]).
    fn failed(&mut self, url: &str, now: Instant) {
        if self.by_url.len() >= MOST_REMEMBERED && !self.by_url.contains_key(url) {
            self.by_url.clear();
        }
        let wait = self
            .by_url
            .get(url)
            .map_or(FIRST_RETRY, |(_, wait)| (*wait * 2).min(LONGEST_RETRY));
        self.by_url.insert(url.to_owned(), (now + wait, wait));
    }

    fn succeeded(&mut self, url: &str) {
        self.by_url.remove(url);
    }
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
    /// A cache reading through `fetcher` with its body cap lowered to `max_file`; counts
    /// what the media folder already holds.
    pub fn new(fetcher: &Fetcher, settings: MediaSettings) -> MediaCache {
        let used = folder_size(&settings.dir);
        MediaCache {
            fetcher: fetcher.with_max_body(settings.max_file),
            settings,
            used: AtomicU64::new(used),
            failures: Mutex::new(Failures::default()),
        }
    }

    pub fn settings(&self) -> &MediaSettings {
        &self.settings
    }

    /// `html` with every image that is (or now gets) cached pointing at `/media/<hash>`.
    pub async fn localize(&self, html: &str) -> String {
        let sources = syndic_feed::image_sources(html);
        if sources.is_empty() {
            return html.to_owned();
        }
        let mut names: Vec<(String, String)> = Vec::new();
        for url in sources {
            if names.iter().any(|(known, _)| *known == url) || url.starts_with(media::MEDIA_PREFIX)
            {
                continue;
            }
            if !self.failures().may_try(&url, Instant::now()) {
                tracing::debug!(media.url = %url, "image failed lately, its address is kept");
                continue;
            }
            match self.cached(&url).await {
                Ok(hash) => {
                    self.failures().succeeded(&url);
                    names.push((url, hash));
                }
                Err(why) => {
                    self.failures().failed(&url, Instant::now());
                    tracing::warn!(media.url = %url, "image not cached, its address is kept: {why}")
                }
            }
        }
        syndic_feed::rewrite_image_sources(html, |url| {
            names
                .iter()
                .find(|(known, _)| known == url)
                .map(|(_, hash)| media::media_url(hash))
        })
    }

    /// The failure memory (a poisoned lock still holds a usable map).
    fn failures(&self) -> std::sync::MutexGuard<'_, Failures> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The name of the cached copy of `url`, fetching and storing it if there is none.
    async fn cached(&self, url: &str) -> Result<String, Skipped> {
        let map = self.url_map_path(url);
        if let Ok(hash) = tokio::fs::read_to_string(&map).await
            && let Some(path) = media::media_path(&self.settings.dir, hash.trim())
            && tokio::fs::try_exists(&path).await.unwrap_or(false)
        {
            return Ok(hash.trim().to_owned());
        }
        let parsed = url::Url::parse(url).map_err(|_| Skipped::NotHttp)?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Skipped::NotHttp);
        }
        let fetched = self
            .fetcher
            .fetch(&Location::Http(parsed), &Validators::default())
            .await
            .map_err(Skipped::Fetch)?;
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
        write_atomically(&map, hash.as_bytes())
            .await
            .map_err(Skipped::Write)?;
        tracing::info!(media.url = %url, media.hash = %hash, media.bytes = bytes.len(), "cached image ({})", kind.mime());
        Ok(hash)
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

/// The bytes of the media files under `dir` (the URL map aside); 0 when there is none.
pub fn folder_size(dir: &Path) -> u64 {
    let Ok(shards) = std::fs::read_dir(dir) else {
        return 0;
    };
    shards
        .flatten()
        .filter(|shard| shard.file_name() != "urls")
        .filter_map(|shard| std::fs::read_dir(shard.path()).ok())
        .flat_map(|files| files.flatten())
        .filter_map(|file| file.metadata().ok())
        .map(|meta| meta.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_image_waits_longer_after_each_failure_and_not_at_all_once_it_works() {
        let url = "https://img.example/broken.png";
        let start = Instant::now();
        let mut failures = Failures::default();
        assert!(failures.may_try(url, start), "never failed: try it");
        failures.failed(url, start);
        assert!(!failures.may_try(url, start + FIRST_RETRY - Duration::from_secs(1)));
        assert!(failures.may_try(url, start + FIRST_RETRY));
        assert!(failures.may_try("https://img.example/other.png", start));
        // A second failure doubles the wait, up to the longest.
        let later = start + FIRST_RETRY;
        failures.failed(url, later);
        assert!(!failures.may_try(url, later + FIRST_RETRY));
        assert!(failures.may_try(url, later + FIRST_RETRY * 2));
        for _ in 0..20 {
            failures.failed(url, later);
        }
        assert!(failures.may_try(url, later + LONGEST_RETRY));
        failures.succeeded(url);
        assert!(
            failures.may_try(url, later),
            "a success forgets the failures"
        );
    }
}
