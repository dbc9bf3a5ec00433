//! Every real feed in `../shared/corpus/real/` goes through [`syndic_feed::parse`] without a
//! panic (caught or not). Errors are allowed (some files are broken on purpose or by their
//! publishers); they are counted and printed. The entry count of each file as
//! [`syndic_feed::read_document`] (what `syndic parse` prints) finds it is compared with the
//! count in the folder's `MANIFEST.tsv` (an independent parser's), and at least
//! [`MIN_COUNT_AGREEMENT`] of the files must agree. Skipped when the folder is absent.
//!
//! The folder is `$SYNDIC_CORPUS_DIR`, else `corpus/real` in the shared folder beside the
//! workspace (`tests/common/shared_folder.rs`; `SYNDIC_NO_SHARED=1` hides both).

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

#[path = "support/corpus.rs"]
mod corpus;

/// Share of manifest files whose entry count we reproduce exactly: 286 of 286 with syndic's
/// own reader (275 with feed-rs). Raise it as the reader improves; never lower.
const MIN_COUNT_AGREEMENT: f64 = 0.995;

#[test]
fn every_real_feed_parses_without_panicking() {
    let Some(dir) = corpus::corpus_dir() else {
        println!("{}", corpus::skip_reason("the real-feed corpus"));
        return;
    };
    let Ok(listing) = std::fs::read_dir(&dir) else {
        println!("skipping: {} not readable", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "MANIFEST.tsv"))
        .collect();
    files.sort();
    let expected: HashMap<String, usize> = std::fs::read_to_string(dir.join("MANIFEST.tsv"))
        .map_err(|e| e.to_string())
        .and_then(|text| corpus::read_manifest(&text))
        .expect("a readable MANIFEST.tsv with file, format and items columns")
        .into_iter()
        .filter_map(|row| Some((row.file, row.items?)))
        .collect();
    let (mut ok, mut entries, mut warnings) = (0usize, 0usize, 0usize);
    let (mut compared, mut agree) = (0usize, 0usize);
    let mut errors = Vec::new();
    let mut panics = Vec::new();
    let mut disagreements = Vec::new();
    for path in &files {
        let name = file_name(path);
        let bytes = std::fs::read(path).expect("readable corpus file");
        let outcome = match catch_unwind(AssertUnwindSafe(|| syndic_feed::parse(&bytes, None))) {
            Ok(outcome) => outcome,
            Err(_) => {
                panics.push(name);
                continue;
            }
        };
        let found = match outcome {
            Ok(parsed) => {
                ok += 1;
                entries += parsed.entries.len();
                warnings += parsed.warnings.len();
                for entry in &parsed.entries {
                    assert!(!entry.guid.is_empty(), "{}: empty guid", path.display());
                }
                let options = syndic_feed::ReadOptions::default();
                syndic_feed::read_document(&bytes, &options)
                    .ok()
                    .map(|doc| doc.entries.len())
            }
            Err(error @ syndic_feed::FeedError::ParserCrashed { .. }) => {
                panics.push(format!("{name}: {}", chain(&error)));
                None
            }
            Err(error) => {
                errors.push(format!("{name}: {}", chain(&error)));
                None
            }
        };
        if let Some(&want) = expected.get(&name) {
            compared += 1;
            if found == Some(want) {
                agree += 1;
            } else {
                disagreements.push(format!("{name}: manifest {want}, found {found:?}"));
            }
        }
    }
    println!(
        "real corpus: {} files, {ok} parsed ({entries} entries, {warnings} warnings), {} refused",
        files.len(),
        errors.len()
    );
    for error in &errors {
        println!("  refused {error}");
    }
    let share = if compared == 0 {
        1.0
    } else {
        agree as f64 / compared as f64
    };
    println!(
        "entry counts agree with MANIFEST.tsv on {agree} of {compared} files ({:.1}%, floor {:.1}%)",
        100.0 * share,
        100.0 * MIN_COUNT_AGREEMENT
    );
    for line in &disagreements {
        println!("  differs {line}");
    }
    assert!(panics.is_empty(), "parser panicked on: {panics:#?}");
    assert!(ok > 0, "no corpus file parsed at all");
    assert!(
        share >= MIN_COUNT_AGREEMENT,
        "entry counts agree on {agree} of {compared} files, below the floor of {MIN_COUNT_AGREEMENT}"
    );
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The error and its causes, `{:#}`-style.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
