//! `syndic media gc`: removes the cached images no post or revision shows any more;
//! `syndic media status`: what the media folder holds and which images failed.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use syndic_core::media::{is_media_hash, parse_media_name};

use crate::cli::MediaCommand;
use crate::cmd::open_store_read_only;
use crate::config::Config;

/// A file younger than this is kept even when nothing refers to it yet: a fetch may have
/// written it and not yet stored the post that shows it.
const GRACE: Duration = Duration::from_secs(3600);

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
    let (files, bytes) = syndic_fetch::folder_files(&media.dir);
    outln!(
        "media cache: {}",
        if media.cache {
            "on"
        } else {
            "off ([media] cache = false)"
        }
    );
    outln!("folder: {}", media.dir.display());
    outln!(
        "files: {files}, {bytes} bytes of a budget of {} ({}%)",
        media.budget,
        bytes.saturating_mul(100) / media.budget.max(1)
    );
    let store = open_store_read_only(config).await?;
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
    let dir = &config.media.dir;
    if !dir.exists() {
        outln!("no media folder at {}: nothing to remove", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let store = open_store_read_only(config).await?;
    let keep: BTreeSet<String> = store
        .media_references()
        .await
        .context("cannot read which media the posts show")?
        .iter()
        .filter_map(|name| parse_media_name(name).map(|(hash, _)| hash.to_owned()))
        .collect();
    let freed = sweep(dir, &keep, SystemTime::now())
        .with_context(|| format!("cannot clean the media folder {}", dir.display()))?;
    outln!(
        "removed {} file(s), freed {} bytes; kept {} file(s) ({} bytes) in {}",
        freed.removed,
        freed.bytes,
        freed.kept,
        freed.kept_bytes,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Copies every cached image the posts show into `<out>/media/<name>` (for `syndic
/// build`), under the name the pages use: `<hash>.<ext>`, so a static server types it by
/// its extension (a bare `<hash>`, as the first version of the cache wrote, would be
/// served by nginx's `default_type`, `application/octet-stream`). Skips those already
/// there (a name is its bytes). Returns how many were copied; an image missing from the
/// media folder is reported and skipped.
pub async fn copy_referenced(
    config: &Config,
    store: &syndic_store::Store,
    out: &Path,
) -> anyhow::Result<usize> {
    let dir = &config.media.dir;
    if !dir.exists() {
        return Ok(0);
    }
    let names = store
        .media_references()
        .await
        .context("cannot read which media the posts show")?;
    let target = out.join("media");
    let mut copied = 0;
    for name in &names {
        let Some(from) =
            parse_media_name(name).and_then(|(hash, _)| syndic_core::media::media_path(dir, hash))
        else {
            continue;
        };
        let to = target.join(name);
        if to.exists() {
            continue;
        }
        if !from.exists() {
            eprintln!(
                "media {name} is shown by a post but missing from {}",
                dir.display()
            );
            continue;
        }
        std::fs::create_dir_all(&target)
            .with_context(|| format!("cannot create {}", target.display()))?;
        std::fs::copy(&from, &to)
            .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
        copied += 1;
    }
    Ok(copied)
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Freed {
    removed: u64,
    bytes: u64,
    kept: u64,
    kept_bytes: u64,
}

/// Removes the media files of `dir` not named in `keep` and older than [`GRACE`], then
/// the URL map's entries that pointed at them.
fn sweep(dir: &Path, keep: &BTreeSet<String>, now: SystemTime) -> std::io::Result<Freed> {
    let mut freed = Freed::default();
    for shard in std::fs::read_dir(dir)?.flatten() {
        let name = shard.file_name();
        let is_shard = name.len() == 2 && name.to_str().is_some_and(|n| n != "ur");
        if !is_shard || !shard.path().is_dir() {
            continue;
        }
        for file in std::fs::read_dir(shard.path())?.flatten() {
            let Some(hash) = file.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let meta = file.metadata()?;
            let young = meta
                .modified()
                .ok()
                .and_then(|at| now.duration_since(at).ok())
                .is_none_or(|age| age < GRACE);
            if !is_media_hash(&hash) || keep.contains(&hash) || young {
                freed.kept += u64::from(is_media_hash(&hash));
                freed.kept_bytes += if is_media_hash(&hash) { meta.len() } else { 0 };
                continue;
            }
            std::fs::remove_file(file.path())?;
            outln!("removed {hash} ({} bytes)", meta.len());
            freed.removed += 1;
            freed.bytes += meta.len();
        }
    }
    forget_removed(&dir.join("urls"), dir)?;
    Ok(freed)
}

/// Drops the URL map's entries whose file is gone, so those images are fetched again.
fn forget_removed(urls: &Path, dir: &Path) -> std::io::Result<()> {
    let Ok(shards) = std::fs::read_dir(urls) else {
        return Ok(());
    };
    for shard in shards.flatten() {
        for entry in std::fs::read_dir(shard.path())?.flatten() {
            let name = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let present = parse_media_name(name.trim())
                .and_then(|(hash, _)| syndic_core::media::media_path(dir, hash))
                .is_some_and(|p| p.exists());
            if !present {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_removes_old_unreferenced_files_and_keeps_referenced_and_young_ones() {
        let dir = tempfile::tempdir().expect("a folder");
        let name = |c: char| c.to_string().repeat(64);
        let (kept, old, young) = (name('a'), name('b'), name('c'));
        for hash in [&kept, &old, &young] {
            let path = syndic_core::media::media_path(dir.path(), hash).expect("a name");
            std::fs::create_dir_all(path.parent().expect("a shard")).expect("shard");
            std::fs::write(&path, b"GIF89a").expect("write");
        }
        let later = SystemTime::now() + GRACE + Duration::from_secs(1);
        let keep = BTreeSet::from([kept.clone()]);
        let young_path = syndic_core::media::media_path(dir.path(), &young).expect("a name");
        // "Young" relative to the sweep's clock: touch it at the sweep's time.
        let file = std::fs::File::options()
            .write(true)
            .open(&young_path)
            .expect("open");
        file.set_modified(later).expect("touch");
        let freed = sweep(dir.path(), &keep, later).expect("sweep");
        assert_eq!((freed.removed, freed.bytes, freed.kept), (1, 6, 2));
        assert!(
            syndic_core::media::media_path(dir.path(), &kept)
                .expect("name")
                .exists()
        );
        assert!(
            !syndic_core::media::media_path(dir.path(), &old)
                .expect("name")
                .exists()
        );
        assert!(young_path.exists());
    }
}
