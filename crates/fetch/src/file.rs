//! Reading a local feed file, conditionally: a file's "validator" is its stamp (length,
//! modification and change times, inode), kept as the source's `ETag`. When the stamp is
//! the one stored, the file is not read at all (no bytes, no hash): the answer is a `304`.
//!
//! A stamp is handed out only for a file last modified more than [`RACY_WINDOW`] before it
//! was read. A write within the file system's timestamp granularity of the read could
//! otherwise leave the same length and times on different bytes (git's "racy clean"
//! problem); such a file gets no stamp, so the next fetch reads and hashes it whole, as
//! before stamps.

use std::fs::Metadata;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime};

use tokio::sync::OwnedSemaphorePermit;

use crate::{Body, BodyGate, FetchError, Validators};

/// How long before its read a file must have been modified for its stamp to be trusted:
/// more than any file system's timestamp granularity (FAT's is 2 s).
pub(crate) const RACY_WINDOW: Duration = Duration::from_secs(3);

/// What reading a file gave: its body (or `NotModified`) and the validators to keep.
pub(crate) struct FileRead {
    pub(crate) body: Body,
    pub(crate) validators: Validators,
}

/// A file opened and stamped: unchanged (its read, without bytes), or to be read.
enum Opened {
    Unchanged(FileRead),
    Changed {
        file: std::fs::File,
        len: u64,
        stamp: Option<String>,
    },
}

/// Reads `path` unless `validators` carry its current stamp, on the blocking pool; at most
/// `max_body` bytes.
pub(crate) async fn read_if_changed(
    path: &Path,
    validators: &Validators,
    max_body: u64,
) -> Result<FileRead, FetchError> {
    let (owned, known) = (path.to_path_buf(), validators.etag.clone());
    blocking(path, move || {
        match open_if_changed(&owned, known.as_deref())? {
            Opened::Unchanged(read) => Ok(read),
            Opened::Changed { file, len, stamp } => read_opened(&owned, file, len, stamp, max_body),
        }
    })
    .await
}

/// [`read_if_changed`] for a body that is parsed next: the stamp is compared on the
/// blocking pool (an unchanged file neither waits nor is read), and a changed file is read
/// only once `gate` lets one more body into work, on the gate's threads. The permit comes
/// back with the body: it is in work until the permit is dropped. So the bodies in memory
/// are at most the gate's, whatever the number of files in flight, and their buffers stay
/// in the allocator arenas of the gate's few threads.
pub(crate) async fn read_gated(
    path: &Path,
    validators: &Validators,
    max_body: u64,
    gate: &BodyGate,
) -> Result<(FileRead, Option<OwnedSemaphorePermit>), FetchError> {
    let (owned, known) = (path.to_path_buf(), validators.etag.clone());
    let (file, len, stamp) =
        match blocking(path, move || open_if_changed(&owned, known.as_deref())).await? {
            Opened::Unchanged(read) => return Ok((read, None)),
            Opened::Changed { file, len, stamp } => (file, len, stamp),
        };
    let in_work = gate.enter().await;
    let owned = path.to_path_buf();
    let read = gate
        .run(move || read_opened(&owned, file, len, stamp, max_body))
        .await
        .ok_or_else(|| FetchError::File {
            path: path.display().to_string(),
            source: std::io::Error::other("the thread reading the file stopped"),
        })??;
    Ok((read, in_work))
}

/// Runs `work` on the blocking pool; a failed join is a file error about `path`.
async fn blocking<T: Send + 'static>(
    path: &Path,
    work: impl FnOnce() -> Result<T, FetchError> + Send + 'static,
) -> Result<T, FetchError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|joined| FetchError::File {
            path: path.display().to_string(),
            source: std::io::Error::other(joined),
        })?
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> FetchError + '_ {
    move |source| FetchError::File {
        path: path.display().to_string(),
        source,
    }
}

/// Opens `path` and stamps it; unchanged when its stamp is `known`.
fn open_if_changed(path: &Path, known: Option<&str>) -> Result<Opened, FetchError> {
    let failed = file_error(path);
    let file = std::fs::File::open(path).map_err(&failed)?;
    let metadata = file.metadata().map_err(&failed)?;
    let stamp = trusted_stamp(&metadata, SystemTime::now());
    if stamp.is_some() && stamp.as_deref() == known {
        return Ok(Opened::Unchanged(FileRead {
            body: Body::NotModified,
            validators: Validators {
                etag: stamp,
                last_modified: None,
            },
        }));
    }
    Ok(Opened::Changed {
        file,
        len: metadata.len(),
        stamp,
    })
}

/// Reads an opened file whole (at most `max_body` bytes).
fn read_opened(
    path: &Path,
    file: std::fs::File,
    len: u64,
    stamp: Option<String>,
    max_body: u64,
) -> Result<FileRead, FetchError> {
    // Sized once from the file's length: no copies while growing.
    let capacity = usize::try_from(len.saturating_add(64).min(max_body + 1));
    let mut bytes = Vec::with_capacity(capacity.unwrap_or(0));
    let read = file
        .take(max_body + 1)
        .read_to_end(&mut bytes)
        .map_err(file_error(path))?;
    if read as u64 > max_body {
        return Err(FetchError::FileTooLarge {
            path: path.display().to_string(),
            limit: max_body,
        });
    }
    Ok(FileRead {
        body: Body::Changed {
            bytes,
            content_type: None,
        },
        validators: Validators {
            etag: stamp,
            last_modified: None,
        },
    })
}

/// The file's stamp, when it was last modified at least [`RACY_WINDOW`] before `now`.
fn trusted_stamp(metadata: &Metadata, now: SystemTime) -> Option<String> {
    let modified = metadata.modified().ok()?;
    let settled = now
        .duration_since(modified)
        .is_ok_and(|age| age >= RACY_WINDOW);
    settled.then(|| stamp(metadata, modified))
}

fn stamp(metadata: &Metadata, modified: SystemTime) -> String {
    let nanos = |time: SystemTime| {
        time.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    };
    let changed = changed_and_inode(metadata);
    format!(
        "file:{}:{}:{}:{}",
        metadata.len(),
        nanos(modified),
        changed.0,
        changed.1
    )
}

#[cfg(unix)]
fn changed_and_inode(metadata: &Metadata) -> (i128, u64) {
    use std::os::unix::fs::MetadataExt;
    (
        i128::from(metadata.ctime()) * 1_000_000_000 + i128::from(metadata.ctime_nsec()),
        metadata.ino(),
    )
}

#[cfg(not(unix))]
fn changed_and_inode(_: &Metadata) -> (i128, u64) {
    (0, 0)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn write(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("feed.xml");
        std::fs::write(&path, body).expect("a feed file");
        path
    }

    #[test]
    fn a_file_just_written_gets_no_stamp_and_a_settled_one_does() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = write(dir.path(), "<rss/>");
        let metadata = std::fs::metadata(&path).expect("metadata");
        let now = SystemTime::now();
        assert_eq!(trusted_stamp(&metadata, now), None, "racy: just written");
        let later = trusted_stamp(&metadata, now + RACY_WINDOW).expect("settled");
        assert!(later.starts_with("file:6:"), "{later}");
    }

    #[tokio::test]
    async fn a_stamped_file_is_not_read_again_until_it_changes() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = write(dir.path(), "<rss>one</rss>");
        let metadata = std::fs::metadata(&path).expect("metadata");
        let modified = metadata.modified().expect("mtime");
        let known = Validators {
            etag: Some(stamp(&metadata, modified)),
            last_modified: None,
        };
        // Back-date the file so its stamp is trusted, and stamp it as stored.
        let old = SystemTime::now() - RACY_WINDOW * 2;
        let file = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        file.set_modified(old).expect("set mtime");
        let metadata = std::fs::metadata(&path).expect("metadata");
        let stored = Validators {
            etag: Some(stamp(&metadata, old)),
            last_modified: None,
        };
        let read = read_if_changed(&path, &stored, 1 << 20)
            .await
            .expect("read");
        assert!(matches!(read.body, Body::NotModified));
        assert_eq!(read.validators.etag, stored.etag);
        // A stamp from before (another mtime) reads the file whole.
        let read = read_if_changed(&path, &known, 1 << 20).await.expect("read");
        assert!(matches!(read.body, Body::Changed { ref bytes, .. } if bytes == b"<rss>one</rss>"));
        // Rewritten with the same length: a new stamp, so it is read.
        std::fs::write(&path, "<rss>two</rss>").expect("rewrite");
        let read = read_if_changed(&path, &stored, 1 << 20)
            .await
            .expect("read");
        assert!(matches!(read.body, Body::Changed { ref bytes, .. } if bytes == b"<rss>two</rss>"));
        assert_eq!(read.validators.etag, None, "just written: no stamp yet");
    }
}
