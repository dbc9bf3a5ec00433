//! `syndic media gc` over the media folder (`[media] keep = "disk"`): the files no post
//! shows are removed, then the URL map's entries that pointed at them.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::SystemTime;

use syndic_core::media::{is_media_hash, parse_media_name};

use super::{Freed, is_garbage};

/// Removes the media files of `dir` not named in `keep` and older than [`super::GRACE`], then
/// the URL map's entries that pointed at them.
pub(super) fn sweep(
    dir: &Path,
    keep: &BTreeSet<String>,
    now: SystemTime,
) -> std::io::Result<Freed> {
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
            let age = meta
                .modified()
                .ok()
                .and_then(|at| now.duration_since(at).ok());
            if !is_media_hash(&hash) || !is_garbage(&hash, age, keep) {
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
    use std::time::Duration;

    use super::super::GRACE;
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
