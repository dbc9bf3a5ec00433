//! Every input the fuzzers (`crates/feed/fuzz`) ever crashed on, replayed through the target
//! it crashed. Files live in `tests/fixtures/fuzz/` and are named `<target>-<what>.bin`,
//! where `<target>` is `parse`, `sanitize` or `read_document` (the fuzz target's name).
//!
//! Each must now go through without a panic, and `parse` must return `Ok` or a clean error
//! (not [`FeedError::ParserCrashed`], which is a panic caught inside the parser).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use syndic_feed::{FeedError, ReadOptions};

fn regression_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/fuzz")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    files.sort();
    files
}

/// Runs `bytes` through the fuzz target `target`, as the fuzz target does.
fn replay(target: &str, name: &str, bytes: &[u8]) -> Result<(), String> {
    let base = url::Url::parse("https://base.example/feeds/main.xml").expect("base");
    match target {
        "parse" => {
            for base in [None, Some(&base)] {
                match syndic_feed::parse(bytes, base) {
                    Ok(_) => {}
                    Err(error @ FeedError::ParserCrashed { .. }) => {
                        return Err(format!("{name}: parse crashed (caught): {error}"));
                    }
                    Err(_) => {}
                }
            }
        }
        "sanitize" => {
            let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
            for base in [None, Some(&base)] {
                let clean = syndic_feed::sanitize_html(text, base);
                let _ = syndic_feed::html_to_text(&clean);
            }
            let _ = syndic_feed::html_to_text(text);
            let _ = syndic_feed::plain_text(text);
        }
        "read_document" => {
            let _ = syndic_feed::read_document(bytes, &ReadOptions::default());
            let options = ReadOptions {
                base_url: Some(base),
                content_type: Some("application/xml; charset=iso-8859-1".to_owned()),
                ..ReadOptions::default()
            };
            let _ = syndic_feed::read_document(bytes, &options);
        }
        other => return Err(format!("unknown fuzz target `{other}` in the file name")),
    }
    Ok(())
}

#[test]
fn every_fuzz_crash_now_runs_clean() {
    let files = regression_files();
    assert!(!files.is_empty(), "no fuzz regression fixtures found");
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let target = name.split_once('-').map_or(name.as_str(), |(t, _)| t);
        let bytes = std::fs::read(path).expect("readable fixture");
        match catch_unwind(AssertUnwindSafe(|| replay(target, &name, &bytes))) {
            Ok(Ok(())) => {}
            Ok(Err(problem)) => failures.push(format!("{name}: {problem}")),
            Err(_) => failures.push(format!("{name}: panicked")),
        }
    }
    println!("replayed {} fuzz regression fixtures", files.len());
    assert!(failures.is_empty(), "fuzz regressions: {failures:#?}");
}
