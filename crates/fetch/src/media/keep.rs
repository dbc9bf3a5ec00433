//! Where the media cache keeps its images and its URL map: files under the media folder
//! (`keep = "disk"`) or rows of the store (`keep = "store"`, so web nodes on other
//! machines serve them). The budget is checked here, against the bytes kept either way.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use chrono::Utc;
use syndic_core::media::{self, MediaStorage, RasterType};

use super::{MediaCache, Skipped};
use crate::pipeline::hex_sha256;

impl MediaCache {
    /// The local address (`/media/<hash>`) of each of `urls` the URL map knows and whose
    /// image is still kept; one statement per 200 addresses with the store, one small file
    /// read per address with the folder.
    pub(super) async fn mapped_all(&self, urls: &[String]) -> HashMap<String, String> {
        match &self.settings.storage {
            MediaStorage::Folder(dir) => {
                let mut found = HashMap::new();
                for url in urls {
                    if let Some(hash) = mapped_on_disk(dir, url).await {
                        found.insert(url.clone(), media::media_url(&hash));
                    }
                }
                found
            }
            MediaStorage::Store => match self.store.mapped_media(urls).await {
                Ok(mapped) => mapped
                    .into_iter()
                    .map(|m| (m.url, media::media_url(&m.hash)))
                    .collect(),
                Err(error) => {
                    tracing::warn!("cannot read which images are cached, fetching them: {error}");
                    HashMap::new()
                }
            },
        }
    }

    /// Keeps `bytes`, an image of type `kind` named `hash`, unless the budget is spent.
    pub(super) async fn keep(
        &self,
        hash: &str,
        kind: RasterType,
        bytes: &[u8],
    ) -> Result<(), Skipped> {
        let path = match &self.settings.storage {
            MediaStorage::Folder(dir) => {
                let path = media::media_path(dir, hash).ok_or(Skipped::NotHttp)?;
                if tokio::fs::try_exists(&path).await.unwrap_or(false) {
                    return Ok(());
                }
                Some(path)
            }
            // Kept already (the same bytes at another address): no budget needed.
            MediaStorage::Store if self.store.has_media_file(hash).await.unwrap_or(false) => {
                return Ok(());
            }
            MediaStorage::Store => None,
        };
        let size = bytes.len() as u64;
        let before = self.used.fetch_add(size, Ordering::SeqCst);
        if before + size > self.settings.budget {
            self.used.fetch_sub(size, Ordering::SeqCst);
            return Err(Skipped::OverBudget(self.settings.budget));
        }
        let kept = match path {
            Some(path) => write_atomically(&path, bytes)
                .await
                .map(|()| true)
                .map_err(Skipped::Write),
            None => self
                .store
                .keep_media_file(hash, kind.mime(), bytes, Utc::now())
                .await
                .map_err(Skipped::Store),
        };
        if !matches!(kept, Ok(true)) {
            // Not written, or written before by another process: not counted twice.
            self.used.fetch_sub(size, Ordering::SeqCst);
        }
        kept.map(|_| ())
    }

    /// Remembers that `url` became the image `hash`.
    pub(super) async fn remember(&self, url: &str, hash: &str) -> Result<(), Skipped> {
        match &self.settings.storage {
            MediaStorage::Folder(dir) => write_atomically(&url_map_path(dir, url), hash.as_bytes())
                .await
                .map_err(Skipped::Write),
            MediaStorage::Store => self
                .store
                .remember_media_url(url, hash)
                .await
                .map_err(Skipped::Store),
        }
    }
}

/// The bytes already kept where `storage` says, which the budget counts. The folder is
/// walked on a blocking thread: a large one takes a while, and start-up is async.
pub(super) async fn used_bytes(
    storage: &MediaStorage,
    store: &syndic_store::Store,
) -> syndic_store::Result<u64> {
    match storage {
        MediaStorage::Folder(dir) => {
            let dir = dir.clone();
            Ok(tokio::task::spawn_blocking(move || folder_files(&dir).1)
                .await
                .unwrap_or(0))
        }
        MediaStorage::Store => Ok(store.media_files_usage().await?.1),
    }
}

/// The hash the folder's URL map holds for `url` (written `<hash>`, or `<hash>.<ext>` by
/// earlier versions), if its file is still there.
async fn mapped_on_disk(dir: &Path, url: &str) -> Option<String> {
    let name = tokio::fs::read_to_string(url_map_path(dir, url))
        .await
        .ok()?;
    let (hash, _) = media::parse_media_name(name.trim())?;
    let path = media::media_path(dir, hash)?;
    tokio::fs::try_exists(&path)
        .await
        .unwrap_or(false)
        .then(|| hash.to_owned())
}

/// `<dir>/urls/<key[0..2]>/<key>`, `key` the sha256 of `url`.
fn url_map_path(dir: &Path, url: &str) -> PathBuf {
    let key = hex_sha256(url.as_bytes());
    dir.join("urls").join(&key[..2]).join(key)
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
