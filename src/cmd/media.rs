//! `syndic media gc`: removes the cached images no post or revision shows any more.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use syndic_core::media::is_media_hash;

use crate::cli::MediaCommand;
use crate::cmd::open_store_read_only;
use crate::config::Config;

/// A file younger than this is kept even when nothing refers to it yet: a fetch may have
/// written it and not yet stored the post that shows it.
const GRACE: Duration = Duration::from_secs(3600);

pub async fn run(config: &Config, command: &MediaCommand) -> anyhow::Result<ExitCode> {
    match command {
        MediaCommand::Gc => gc(config).await,
    }
}

async fn gc(config: &Config) -> anyhow::Result<ExitCode> {
    let dir = &config.media.dir;
    if !dir.exists() {
        outln!("no media folder at {}: nothing to remove", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let store = open_store_read_only(config).await?;
    let keep = store
        .media_references()
        .await
        .context("cannot read which media the posts show")?;
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

/// Copies every cached image the posts show into `<out>/media/<hash>` (for `syndic
/// build`), skipping those already there (a name is its bytes). Returns how many were
/// copied; an image missing from the media folder is reported and skipped.
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
        let Some(from) = syndic_core::media::media_path(dir, name) else {
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
            let hash = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let present =
                syndic_core::media::media_path(dir, hash.trim()).is_some_and(|p| p.exists());
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
