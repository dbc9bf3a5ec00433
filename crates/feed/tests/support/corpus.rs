//! Finding `../shared/corpus/real` (through the workspace's one lookup,
//! `tests/common/shared_folder.rs`) and reading its `MANIFEST.tsv`; shared by
//! `tests/real_corpus.rs` and `examples/corpus_report.rs` (each includes this file).

use std::collections::HashMap;

/// One row of `MANIFEST.tsv`: the columns syndic compares with.
pub struct ManifestRow {
    pub file: String,
    /// The format an independent parser found (`rss2.0`, `atom1.0`, …).
    #[allow(dead_code)] // the report prints it; the test only compares counts
    pub format: String,
    /// How many entries it found.
    pub items: Option<usize>,
}

#[path = "../../../../tests/common/shared_folder.rs"]
mod shared_folder;
#[allow(unused_imports)] // the example reads the corpus, the test also says why it skips
pub use shared_folder::{corpus_dir, skip_reason};

/// The rows of a manifest, columns found by their header names.
pub fn read_manifest(text: &str) -> Result<Vec<ManifestRow>, String> {
    let mut lines = text.lines();
    let header: HashMap<&str, usize> = lines
        .next()
        .ok_or("empty manifest")?
        .split('\t')
        .enumerate()
        .map(|(i, name)| (name.trim(), i))
        .collect();
    let column = |name: &str| {
        header
            .get(name)
            .copied()
            .ok_or_else(|| format!("no `{name}` column"))
    };
    let (file, format, items) = (column("file")?, column("format")?, column("items")?);
    Ok(lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            let cell = |i: usize| cells.get(i).map_or("", |c| c.trim());
            ManifestRow {
                file: cell(file).to_owned(),
                format: cell(format).to_owned(),
                items: cell(items).parse().ok(),
            }
        })
        .collect())
}
