//! Every real feed in `../shared/corpus/real/` goes through [`syndic_feed::parse`] without a
//! panic. Errors are allowed (some files are broken on purpose or by their publishers); they
//! are counted and printed. Skipped when the folder is absent.

use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

#[test]
fn every_real_feed_parses_without_panicking() {
    let dir = corpus_dir();
    let Ok(listing) = std::fs::read_dir(&dir) else {
        println!("skipping: ../shared/corpus/real not present");
        return;
    };
    let mut files: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "MANIFEST.tsv"))
        .collect();
    files.sort();
    let (mut ok, mut entries, mut warnings) = (0usize, 0usize, 0usize);
    let mut errors = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).expect("readable corpus file");
        match syndic_feed::parse(&bytes, None) {
            Ok(parsed) => {
                ok += 1;
                entries += parsed.entries.len();
                warnings += parsed.warnings.len();
                for entry in &parsed.entries {
                    assert!(!entry.guid.is_empty(), "{}: empty guid", path.display());
                }
            }
            Err(error) => errors.push(format!("{}: {}", file_name(path), chain(&error))),
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
    assert!(ok > 0, "no corpus file parsed at all");
}

fn file_name(path: &std::path::Path) -> String {
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
