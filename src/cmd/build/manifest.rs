//! What the last build left in the output folder, so the next one can skip what did not
//! change.
//!
//! `OUTDIR/.syndic-build` is written when a build completes: a header naming the build's
//! fingerprint (site settings, theme, binary, database) and the store's change stamp, then
//! one line per file with a digest of its bytes. A build whose fingerprint and stamp equal
//! the header's has nothing to do; any other build renders every page and writes only the
//! files whose digest differs from the line's.
//!
//! Files are replaced while a build runs, before the manifest is, so a build that stops
//! half-way (an error, a kill) would leave digests that no longer describe the files.
//! Hence the journal, `OUTDIR/.syndic-build.journal`: every file is named there before it
//! is replaced, and the journal is removed only once the new manifest is in place. A build
//! that finds a journal trusts no digest of the files it names (and also removes them
//! when the site no longer has them).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use sha2::{Digest as _, Sha256};
use syndic_store::ChangeStamp;

use super::output;

/// The manifest's name in the output folder.
pub const MANIFEST: &str = ".syndic-build";
/// The journal's name in the output folder.
const JOURNAL: &str = ".syndic-build.journal";
/// The manifest's first line (earlier builds wrote a bare list of files).
const HEADER: &str = "syndic-build 2";

/// The digest of a file's bytes: the first 128 bits of their SHA-256.
pub type Digest = [u8; 16];

pub fn digest(bytes: &[u8]) -> Digest {
    let mut digest = Digest::default();
    digest.copy_from_slice(&Sha256::digest(bytes)[..16]);
    digest
}

/// What the previous build recorded, as this one reads it.
#[derive(Debug, Default)]
pub struct Previous {
    /// The previous build's fingerprint; empty when unknown.
    fingerprint: String,
    /// The change stamp the previous build rendered, when it recorded one.
    stamp: Option<(i64, i64)>,
    /// Every file a build wrote, with its digest when it can be trusted.
    pub files: HashMap<String, Option<Digest>>,
    /// Whether a build stopped half-way since the manifest was written.
    interrupted: bool,
}

impl Previous {
    /// Reads the manifest and journal in `out`; an absent manifest is an empty one.
    pub fn read(out: &Path) -> anyhow::Result<Previous> {
        let mut previous = match read_optional(&out.join(MANIFEST))? {
            Some(text) => Previous::parse(&text),
            None => Previous::default(),
        };
        if let Some(journal) = read_optional(&out.join(JOURNAL))? {
            previous.interrupted = true;
            for file in journal.lines().filter(|line| !line.is_empty()) {
                previous.files.insert(file.to_owned(), None);
            }
        }
        Ok(previous)
    }

    /// The manifest's text; a bare list of files (an older build's) gives no digests.
    fn parse(text: &str) -> Previous {
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            let files = text.lines().filter(|line| !line.is_empty());
            return Previous {
                files: files.map(|file| (file.to_owned(), None)).collect(),
                ..Previous::default()
            };
        }
        let mut previous = Previous::default();
        for line in lines {
            if let Some(fingerprint) = line.strip_prefix("fingerprint ") {
                previous.fingerprint = fingerprint.to_owned();
            } else if let Some(stamp) = line.strip_prefix("stamp ") {
                previous.stamp = parse_stamp(stamp);
            } else if let Some((hex, file)) = line.split_once(' ') {
                previous.files.insert(file.to_owned(), from_hex(hex));
            }
        }
        previous
    }

    /// Whether the previous build completed over the same fingerprint and stamp: then
    /// every file it wrote is what this build would write.
    pub fn is_current(&self, fingerprint: &str, stamp: ChangeStamp) -> bool {
        !self.interrupted
            && !self.fingerprint.is_empty()
            && self.fingerprint == fingerprint
            && self.stamp == Some(stamp_fields(stamp))
    }

    /// Whether `file` was recorded with exactly this digest.
    pub fn has(&self, file: &str, digest: &Digest) -> bool {
        self.files.get(file) == Some(&Some(*digest))
    }
}

/// What this build writes as the manifest once it completes.
#[derive(Debug)]
pub struct Manifest {
    pub fingerprint: String,
    pub stamp: ChangeStamp,
    /// Every file the build produced, written or unchanged, by name.
    pub files: BTreeMap<String, Digest>,
}

impl Manifest {
    /// Replaces the manifest in `out` (through a temporary file), then removes the journal:
    /// from here on the digests describe the files.
    pub fn write(&self, out: &Path) -> anyhow::Result<()> {
        let mut text = format!(
            "{HEADER}\nfingerprint {}\nstamp {} {}\n",
            self.fingerprint,
            self.stamp.version,
            self.stamp.changed_at.timestamp()
        );
        for (file, digest) in &self.files {
            push_hex(&mut text, digest);
            text.push(' ');
            text.push_str(file);
            text.push('\n');
        }
        output::write_file(&out.join(MANIFEST), text.as_bytes())?;
        let journal = out.join(JOURNAL);
        match std::fs::remove_file(&journal) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("cannot remove {}", journal.display()))
            }
            _ => Ok(()),
        }
    }
}

/// Names each file before a build replaces it (see the module's documentation).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Opens the journal in `out` for appending (an earlier interrupted build's names stay).
    pub fn open(out: &Path) -> anyhow::Result<Journal> {
        let path = out.join(JOURNAL);
        let file = File::options()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        Ok(Journal {
            path,
            file: Mutex::new(file),
        })
    }

    /// Records that `file` is about to be replaced; one write, so a killed build loses
    /// nothing it recorded.
    pub fn record(&self, file: &str) -> anyhow::Result<()> {
        let line = format!("{file}\n");
        let mut journal = self
            .file
            .lock()
            .map_err(|_| anyhow::anyhow!("the build journal's lock is poisoned"))?;
        journal
            .write_all(line.as_bytes())
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

fn read_optional(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn stamp_fields(stamp: ChangeStamp) -> (i64, i64) {
    (stamp.version, stamp.changed_at.timestamp())
}

fn parse_stamp(text: &str) -> Option<(i64, i64)> {
    let (version, changed_at) = text.split_once(' ')?;
    Some((version.parse().ok()?, changed_at.parse().ok()?))
}

fn push_hex(text: &mut String, digest: &Digest) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in digest {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
}

fn from_hex(hex: &str) -> Option<Digest> {
    if hex.len() != 32 {
        return None;
    }
    let mut digest = Digest::default();
    for (byte, pair) in digest.iter_mut().zip(hex.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(digest)
}

#[cfg(test)]
mod tests;
