//! Reads every feed of a corpus folder and compares what syndic found with the folder's
//! `MANIFEST.tsv` (written with an independent parser).
//!
//! ```text
//! cargo run -p syndic-feed --release --example corpus_report [DIR]
//! ```
//!
//! `DIR` defaults to `$SYNDIC_CORPUS_DIR`, else `corpus/real` in the shared folder beside the
//! workspace (as the tests find it: `tests/common/shared_folder.rs`). One line per file
//! (file, manifest format, our format, manifest items, our entries, whether the counts agree,
//! warnings, the error if any) and a summary. Each file is read with
//! [`syndic_feed::read_document`]; while that reader refuses a file, [`syndic_feed::parse`]
//! is used instead (the `via` column says which). Exits non-zero only when a reader panics
//! (or the folder cannot be read).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::ExitCode;

use syndic_feed::{ReadOptions, parse, read_document};

#[path = "../tests/support/corpus.rs"]
mod corpus;

/// What syndic made of one file.
struct Outcome {
    via: &'static str,
    format: String,
    entries: Option<usize>,
    warnings: usize,
    error: Option<String>,
}

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .or_else(corpus::corpus_dir)
        .unwrap_or_else(|| PathBuf::from("../shared/corpus/real"));
    let manifest_path = dir.join("MANIFEST.tsv");
    let manifest = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!(
                "corpus_report: cannot read {} ({error}); pass the corpus folder (with its \
                 MANIFEST.tsv) as the first argument",
                manifest_path.display()
            );
            return ExitCode::from(2);
        }
    };
    let expected = match corpus::read_manifest(&manifest) {
        Ok(rows) => rows,
        Err(problem) => {
            eprintln!("corpus_report: {}: {problem}", manifest_path.display());
            return ExitCode::from(2);
        }
    };

    // Panics are reported as rows; keep the default hook's message off the table.
    std::panic::set_hook(Box::new(|_| {}));

    println!(
        "{:<52} {:<12} {:<12} {:>6} {:>6} {:<5} {:>4} {:<8} error",
        "file", "manifest", "ours", "items", "ours", "agree", "warn", "via"
    );
    let mut totals = Totals::default();
    for row in &expected {
        let path = dir.join(&row.file);
        let outcome = match std::fs::read(&path) {
            Ok(bytes) => read_one(&bytes),
            Err(error) => Outcome {
                via: "-",
                format: "-".to_owned(),
                entries: None,
                warnings: 0,
                error: Some(format!("unreadable: {error}")),
            },
        };
        let agree = matches!((row.items, outcome.entries), (Some(a), Some(b)) if a == b);
        totals.add(row, &outcome, agree);
        println!(
            "{:<52} {:<12} {:<12} {:>6} {:>6} {:<5} {:>4} {:<8} {}",
            row.file,
            row.format,
            outcome.format,
            row.items.map_or("?".to_owned(), |n| n.to_string()),
            outcome.entries.map_or("-".to_owned(), |n| n.to_string()),
            if agree { "yes" } else { "no" },
            outcome.warnings,
            outcome.via,
            outcome.error.as_deref().unwrap_or(""),
        );
    }
    totals.print(expected.len());
    if totals.panics > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads one document with `read_document`, else `parse`, catching panics.
fn read_one(bytes: &[u8]) -> Outcome {
    let document = catch_unwind(AssertUnwindSafe(|| {
        read_document(bytes, &ReadOptions::default())
    }));
    let document_error = match document {
        Ok(Ok(document)) => {
            return Outcome {
                via: "document",
                format: document.format.family().to_owned(),
                entries: Some(document.entries.len()),
                warnings: document.warnings.len(),
                error: None,
            };
        }
        Ok(Err(error)) => chain(&error),
        Err(panic) => return panicked("read_document", &*panic),
    };
    match catch_unwind(AssertUnwindSafe(|| parse(bytes, None))) {
        Ok(Ok(parsed)) => Outcome {
            via: "parse",
            format: parsed.format.as_str().to_owned(),
            entries: Some(parsed.entries.len()),
            warnings: parsed.warnings.len(),
            error: None,
        },
        Ok(Err(error)) => Outcome {
            via: "parse",
            format: "-".to_owned(),
            entries: None,
            warnings: 0,
            error: Some(format!(
                "{} (read_document: {document_error})",
                chain(&error)
            )),
        },
        Err(panic) => panicked("parse", &*panic),
    }
}

fn panicked(reader: &'static str, panic: &(dyn std::any::Any + Send)) -> Outcome {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string payload".to_owned());
    Outcome {
        via: reader,
        format: "-".to_owned(),
        entries: None,
        warnings: 0,
        error: Some(format!("PANIC: {message}")),
    }
}

#[derive(Default)]
struct Totals {
    parsed: usize,
    via_document: usize,
    agree: usize,
    comparable: usize,
    entries: usize,
    manifest_entries: usize,
    entries_where_parsed: usize,
    warned: usize,
    panics: usize,
}

impl Totals {
    fn add(&mut self, row: &corpus::ManifestRow, outcome: &Outcome, agree: bool) {
        if let Some(items) = row.items {
            self.comparable += 1;
            self.manifest_entries += items;
            if outcome.entries.is_some() {
                self.entries_where_parsed += items;
            }
        }
        if let Some(entries) = outcome.entries {
            self.parsed += 1;
            self.entries += entries;
            if outcome.via == "document" {
                self.via_document += 1;
            }
        }
        self.agree += usize::from(agree);
        self.warned += usize::from(outcome.warnings > 0);
        if outcome
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("PANIC"))
        {
            self.panics += 1;
        }
    }

    fn print(&self, files: usize) {
        let percent = |part: usize, whole: usize| {
            if whole == 0 {
                0.0
            } else {
                100.0 * part as f64 / whole as f64
            }
        };
        println!();
        println!(
            "files: {files} in manifest, {} parsed ({} by read_document, {} by parse), \
             {} with warnings, {} panics",
            self.parsed,
            self.via_document,
            self.parsed - self.via_document,
            self.warned,
            self.panics
        );
        println!(
            "entry counts agree: {} of {} files ({:.1}%)",
            self.agree,
            self.comparable,
            percent(self.agree, self.comparable)
        );
        println!(
            "entries: {} found, manifest {} ({} in the files we parsed)",
            self.entries, self.manifest_entries, self.entries_where_parsed
        );
    }
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
    text.replace(['\n', '\t'], " ")
}
