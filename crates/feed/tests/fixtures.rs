//! Golden files: every fixture feed under `tests/fixtures/` is parsed (without a base URL,
//! so the feed's own links are the base) and the result, or the error, is snapshotted in
//! `tests/snapshots/`. Fixtures are named after what they cover.

use std::path::{Path, PathBuf};

use serde_json::json;

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("fixtures directory");
    for entry in entries.map(|e| e.expect("directory entry").path()) {
        if entry.is_dir() {
            // Fuzz crash inputs are replayed by `fuzz_regressions.rs`, not snapshotted.
            if entry.file_name().is_some_and(|n| n == "fuzz") {
                continue;
            }
            fixture_files(&entry, out);
        } else {
            out.push(entry);
        }
    }
}

#[test]
fn fixtures_match_their_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    fixture_files(&root, &mut files);
    files.sort();
    assert!(files.len() >= 15, "fixtures found: {}", files.len());
    for path in files {
        let relative = path.strip_prefix(&root).expect("under root");
        let name = relative.to_string_lossy().replace(['/', '\\'], "__");
        let bytes = std::fs::read(&path).expect("readable fixture");
        let result = match syndic_feed::parse(&bytes, None) {
            Ok(parsed) => serde_json::to_value(&parsed).expect("serializable"),
            Err(error) => json!({ "error": error.to_string() }),
        };
        insta::assert_json_snapshot!(name, result);
    }
}
