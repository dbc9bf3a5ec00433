//! The labelled real posts (`tests/fixtures/tag-quality/real-labels.toml`): the vocabulary
//! they were labelled with, and for each post a pointer into `../shared`'s corpus (feed
//! file, guid, link, position) with the tags it should carry. Read by `tag_quality.rs`
//! (the tagger alone) and `tag_quality_store.rs` (through the binary), each reading the
//! vocabulary as it needs it (`T`).

use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;

#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub struct RealLabels<T> {
    pub tag: Vec<T>,
    pub post: Vec<RealPost>,
}

#[derive(Deserialize)]
pub struct RealPost {
    pub file: String,
    pub id: String,
    pub link: Option<String>,
    pub index: usize,
    pub tags: Vec<String>,
}

/// The labels, with the vocabulary read as `T`.
pub fn real_labels<T: DeserializeOwned>() -> RealLabels<T> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tag-quality/real-labels.toml");
    let text = std::fs::read_to_string(&path).expect("real-labels.toml readable");
    toml::from_str(&text).expect("real-labels.toml parses")
}
