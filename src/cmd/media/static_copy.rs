//! The cached images of a static build (`syndic build`): every image the posts show is
//! written to `<out>/media/<hash>.<ext>` from the media folder or the store, and the
//! build's pages and feeds, which say `/media/<hash>` as `serve` does, are rewritten to
//! those names ([`StaticMedia::typed`]). A static server types a file by its extension:
//! nginx would serve a bare `<hash>` as its `default_type`, `application/octet-stream`.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

use anyhow::Context;
use sha2::{Digest as _, Sha256};
use syndic_core::media::{self, MediaStorage, RasterType};
use syndic_store::Store;

use super::referenced_hashes;
use crate::config::Config;

/// The images a build holds, by hash, with their type: what its pages' addresses become.
#[derive(Debug, Default)]
pub struct StaticMedia {
    types: HashMap<String, RasterType>,
    /// How many were written by this build (the others were there already).
    pub copied: usize,
}

impl StaticMedia {
    /// `body` (a page or feed of the build) with each of this site's media addresses (root
    /// relative, or absolute under `site_base`) written with its image's extension.
    pub fn typed<'a>(&self, body: &'a [u8], site_base: &str) -> Cow<'a, [u8]> {
        let Ok(text) = std::str::from_utf8(body) else {
            return Cow::Borrowed(body);
        };
        match media::typed_media_addresses(text, site_base, |hash| self.types.get(hash).copied()) {
            Cow::Borrowed(_) => Cow::Borrowed(body),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        }
    }

    /// A digest of which images the build holds: a page that shows one that arrived since
    /// the last build must be rendered again to name it.
    pub fn digest(&self) -> String {
        let mut names: Vec<_> = self.types.iter().collect();
        names.sort_by_key(|(hash, _)| *hash);
        let mut hasher = Sha256::new();
        for (hash, kind) in names {
            hasher.update(hash.as_bytes());
            hasher.update(kind.extension().as_bytes());
        }
        hasher.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Writes every cached image the posts show into `<out>/media/<hash>.<ext>`, skipping
/// those already there (a name is its bytes); an image missing from where it is kept is
/// reported and skipped. Images are read one at a time.
pub async fn copy_referenced(
    config: &Config,
    store: &Store,
    out: &Path,
) -> anyhow::Result<StaticMedia> {
    let storage = config.media.storage();
    if let MediaStorage::Folder(dir) = &storage
        && !dir.exists()
    {
        return Ok(StaticMedia::default());
    }
    let hashes = referenced_hashes(store).await?;
    let target = out.join("media");
    match &storage {
        MediaStorage::Folder(dir) => from_folder(dir, &hashes, &target),
        MediaStorage::Store => from_store(store, &hashes, &target).await,
    }
}

fn from_folder(
    dir: &Path,
    hashes: &BTreeSet<String>,
    target: &Path,
) -> anyhow::Result<StaticMedia> {
    let mut copied = StaticMedia::default();
    for hash in hashes {
        let Some(from) = media::media_path(dir, hash) else {
            continue;
        };
        let Some(kind) = sniff_file(&from) else {
            eprintln!(
                "media {hash} is shown by a post but missing from {}",
                dir.display()
            );
            continue;
        };
        copied.types.insert(hash.clone(), kind);
        let wrote = place(target, hash, kind, |to| {
            std::fs::copy(&from, to)
                .map(drop)
                .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))
        })?;
        copied.copied += usize::from(wrote);
    }
    Ok(copied)
}

async fn from_store(
    store: &Store,
    hashes: &BTreeSet<String>,
    target: &Path,
) -> anyhow::Result<StaticMedia> {
    let mut copied = StaticMedia::default();
    for hash in hashes {
        if let Some(kind) = already_written(target, hash) {
            copied.types.insert(hash.clone(), kind);
            continue;
        }
        let file = store
            .media_file(hash)
            .await
            .with_context(|| format!("cannot read the cached image {hash} from the store"))?;
        let Some((file, kind)) = file.and_then(|f| media::sniff(&f.bytes).map(|kind| (f, kind)))
        else {
            eprintln!("media {hash} is shown by a post but missing from the store");
            continue;
        };
        copied.types.insert(hash.clone(), kind);
        let wrote = place(target, hash, kind, |to| {
            std::fs::write(to, &file.bytes)
                .with_context(|| format!("cannot write {}", to.display()))
        })?;
        copied.copied += usize::from(wrote);
    }
    Ok(copied)
}

/// The type of the image `hash` an earlier build wrote into `target`, if it did.
/// Writes `<target>/<hash>.<ext>` with `write`, unless a build before wrote it; whether
/// it wrote.
fn place(
    target: &Path,
    hash: &str,
    kind: RasterType,
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<bool> {
    let to = target.join(format!("{hash}.{}", kind.extension()));
    if to.exists() {
        return Ok(false);
    }
    std::fs::create_dir_all(target)
        .with_context(|| format!("cannot create {}", target.display()))?;
    write(&to)?;
    Ok(true)
}

fn already_written(target: &Path, hash: &str) -> Option<RasterType> {
    media::RASTER_TYPES
        .into_iter()
        .find(|kind| target.join(format!("{hash}.{}", kind.extension())).exists())
}

/// The raster type of the file at `path`, from its first bytes; `None` when it is missing
/// or not an image.
fn sniff_file(path: &Path) -> Option<RasterType> {
    let mut head = [0_u8; 16];
    let mut file = std::fs::File::open(path).ok()?;
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    media::sniff(&head[..read])
}
