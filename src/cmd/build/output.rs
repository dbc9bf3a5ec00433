//! Files in the output folder: names checked to stay inside it, each file replaced whole
//! (written to a temporary file beside it, then renamed over it, so a reader or a failed
//! build never sees half a page), and stale files removed with the folders they leave
//! empty.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};

/// `out/file`, refusing anything that would land outside `out` or could not be listed in
/// the manifest (one name per line).
pub fn safe_join(out: &Path, file: &str) -> anyhow::Result<PathBuf> {
    let relative = Path::new(file);
    let plain = !file.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !plain || file.chars().any(char::is_control) {
        bail!("refusing to write {file:?}: it is not a plain relative path");
    }
    Ok(out.join(relative))
}

/// Replaces `target` with `bytes`: a temporary file in the same folder, renamed over it.
/// On failure (a full disk, a folder in the way) the error names `target` and the
/// temporary file is gone.
pub fn write_file(target: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let failed = || format!("cannot write {}", target.display());
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        bail!("cannot write {}: it names no file", target.display());
    };
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    let temporary = parent.join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(bytes))
        .and_then(|()| std::fs::rename(&temporary, target));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        let full = error.kind() == std::io::ErrorKind::StorageFull;
        return Err(error).with_context(|| {
            if full {
                format!(
                    "{}: the disk is full; free some space and run the build again (it \
                     rewrites only what is missing or changed)",
                    failed()
                )
            } else {
                failed()
            }
        });
    }
    Ok(())
}

/// Whether `path` is a file now (a folder or nothing is not).
pub fn is_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|meta| meta.is_file())
}

/// Removes each of `stale` (names relative to `out`) and then every folder that removal
/// left empty, up to `out`. Returns how many files were removed; a file already gone is
/// not counted, one that cannot be removed is reported and left.
pub fn remove_stale<'a>(out: &Path, stale: impl IntoIterator<Item = &'a str>) -> usize {
    let mut removed = 0;
    for file in stale {
        let Ok(target) = safe_join(out, file) else {
            continue;
        };
        match std::fs::remove_file(&target) {
            Ok(()) => {
                removed += 1;
                remove_empty_folders(out, &target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => eprintln!(
                "warning: cannot remove {}, which the site no longer has: {e}",
                target.display()
            ),
        }
    }
    removed
}

/// Removes the folders above `removed` that are now empty, stopping at `out`.
fn remove_empty_folders(out: &Path, removed: &Path) {
    let mut folder = removed.parent();
    while let Some(dir) = folder.filter(|dir| *dir != out && dir.starts_with(out)) {
        // Fails (and so stops) at the first folder that still holds something.
        if std::fs::remove_dir(dir).is_err() {
            break;
        }
        folder = dir.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_leave_the_output_folder_are_refused() {
        let out = Path::new("/site");
        assert!(safe_join(out, "tag/map/index.html").is_ok());
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a\nb", "./a"] {
            assert!(safe_join(out, bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_failed_write_names_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("feed.json");
        std::fs::create_dir(&target).expect("a folder where the file goes");
        let error = write_file(&target, b"{}").expect_err("a folder is in the way");
        assert!(
            format!("{error:#}").contains(&target.display().to_string()),
            "{error:#}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("feed.json")]);
    }

    #[test]
    fn a_written_file_replaces_the_old_one_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("a/b/index.html");
        write_file(&target, b"first").expect("write");
        write_file(&target, b"second").expect("rewrite");
        assert_eq!(std::fs::read(&target).expect("read"), b"second");
        let names = std::fs::read_dir(dir.path().join("a/b"))
            .expect("list")
            .count();
        assert_eq!(names, 1, "no temporary file is left beside it");
    }

    #[test]
    fn removing_stale_files_removes_the_folders_they_leave_empty() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path();
        write_file(&out.join("post/1/old/index.html"), b"old").expect("write");
        write_file(&out.join("post/2/kept/index.html"), b"kept").expect("write");
        let removed = remove_stale(out, ["post/1/old/index.html", "post/9/gone/index.html"]);
        assert_eq!(removed, 1);
        assert!(!out.join("post/1").exists());
        assert!(out.join("post/2/kept/index.html").is_file());
    }
}
