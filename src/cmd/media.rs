//! `syndic media gc`: removes the cached images no post or revision shows any more;
//! `syndic media status`: what the cache keeps and which images failed. Both work on the
//! media folder or on the store's rows, as `[media] keep` says.

mod folder;
mod static_copy;

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use chrono::Utc;
use syndic_core::media::{MediaStorage, parse_media_name};
use syndic_store::Store;

pub use static_copy::{StaticMedia, copy_referenced};

use crate::cli::MediaCommand;
use crate::cmd::{open_store, open_store_read_only};
use crate::config::Config;

/// A file younger than this is kept even when nothing refers to it yet: a fetch may have
/// written it and not yet stored the post that shows it.
const GRACE: Duration = Duration::from_secs(3600);

/// Images of the store listed (without their bytes) per read by `media gc`.
const GC_PAGE: u32 = 500;

pub async fn run(config: &Config, command: &MediaCommand) -> anyhow::Result<ExitCode> {
    match command {
        MediaCommand::Gc => gc(config).await,
        MediaCommand::Status => status(config).await,
    }
}

/// Failures listed by `syndic media status`.
const LATEST_FAILURES: u32 = 20;

async fn status(config: &Config) -> anyhow::Result<ExitCode> {
    let media = &config.media;
    let store = open_store_read_only(config).await?;
    outln!(
        "media cache: {}",
        if media.cache {
            "on"
        } else {
            "off ([media] cache = false)"
        }
    );
    let (files, bytes) = match media.storage() {
        MediaStorage::Folder(dir) => {
            outln!("kept in: the folder {}", dir.display());
            syndic_fetch::folder_files(&dir)
        }
        MediaStorage::Store => {
            outln!("kept in: the store ([media] keep = \"store\")");
            store
                .media_files_usage()
                .await
                .context("cannot count the cached images in the store")?
        }
    };
    outln!(
        "files: {files}, {bytes} bytes of a budget of {} ({}%)",
        media.budget,
        bytes.saturating_mul(100) / media.budget.max(1)
    );
    let (count, latest) = store
        .media_failure_summary(LATEST_FAILURES)
        .await
        .context("cannot read the image failures")?;
    outln!("images not cached: {count}");
    for failure in &latest {
        outln!(
            "  {}\n    {} (failed {} time(s) since {}; next try {})",
            failure.url,
            failure.error,
            failure.failures,
            failure.first_failed_at.format("%Y-%m-%d %H:%M UTC"),
            failure.next_try_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    if u64::from(LATEST_FAILURES) < count {
        outln!("  … and {} more", count - u64::from(LATEST_FAILURES));
    }
    Ok(ExitCode::SUCCESS)
}

async fn gc(config: &Config) -> anyhow::Result<ExitCode> {
    let storage = config.media.storage();
    if let MediaStorage::Folder(dir) = &storage
        && !dir.exists()
    {
        outln!("no media folder at {}: nothing to remove", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let store = match storage {
        MediaStorage::Folder(_) => open_store_read_only(config).await?,
        MediaStorage::Store => open_store(config).await?,
    };
    let keep = referenced_hashes(&store).await?;
    let (freed, place) = match &storage {
        MediaStorage::Folder(dir) => (
            folder::sweep(dir, &keep, SystemTime::now())
                .with_context(|| format!("cannot clean the media folder {}", dir.display()))?,
            dir.display().to_string(),
        ),
        MediaStorage::Store => (gc_rows(&store, &keep).await?, "the store".to_owned()),
    };
    outln!(
        "removed {} file(s), freed {} bytes; kept {} file(s) ({} bytes) in {place}",
        freed.removed,
        freed.bytes,
        freed.kept,
        freed.kept_bytes,
    );
    Ok(ExitCode::SUCCESS)
}

/// The hashes of the images any post, revision or enclosure shows.
async fn referenced_hashes(store: &Store) -> anyhow::Result<BTreeSet<String>> {
    Ok(store
        .media_references()
        .await
        .context("cannot read which media the posts show")?
        .iter()
        .filter_map(|name| parse_media_name(name).map(|(hash, _)| hash.to_owned()))
        .collect())
}

/// Removes the store's images that [`is_garbage`] says no one needs, a page of hashes at
/// a time (their bytes are never read).
async fn gc_rows(store: &Store, keep: &BTreeSet<String>) -> anyhow::Result<Freed> {
    let now = Utc::now();
    let mut freed = Freed::default();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .media_files_after(after.as_deref(), GC_PAGE)
            .await
            .context("cannot list the cached images in the store")?;
        let mut doomed = Vec::new();
        for entry in &page {
            let age = (now - entry.stored_at).to_std().ok();
            if is_garbage(&entry.hash, age, keep) {
                outln!("removed {} ({} bytes)", entry.hash, entry.size);
                freed.removed += 1;
                freed.bytes += entry.size;
                doomed.push(entry.hash.clone());
            } else {
                freed.kept += 1;
                freed.kept_bytes += entry.size;
            }
        }
        store
            .remove_media_files(&doomed)
            .await
            .context("cannot remove cached images from the store")?;
        match page.last() {
            Some(last) if page.len() == GC_PAGE as usize => after = Some(last.hash.clone()),
            _ => break,
        }
    }
    Ok(freed)
}

/// Whether the image `hash`, kept for `age` (`None`: unknown, or in the future), is one
/// `media gc` removes: no post shows it and it is older than [`GRACE`].
fn is_garbage(hash: &str, age: Option<Duration>, keep: &BTreeSet<String>) -> bool {
    !keep.contains(hash) && age.is_some_and(|age| age >= GRACE)
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Freed {
    removed: u64,
    bytes: u64,
    kept: u64,
    kept_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_unreferenced_and_past_the_grace() {
        let keep = BTreeSet::from(["a".repeat(64)]);
        let old = Some(GRACE + Duration::from_secs(1));
        assert!(is_garbage(&"b".repeat(64), old, &keep));
        assert!(!is_garbage(&"a".repeat(64), old, &keep), "shown by a post");
        assert!(
            !is_garbage(&"b".repeat(64), Some(Duration::from_secs(5)), &keep),
            "young"
        );
        assert!(!is_garbage(&"b".repeat(64), None, &keep), "age unknown");
    }
}
