//! The labelled real posts (`tests/fixtures/tag-quality/real-labels.toml`): the vocabulary
//! they were labelled with, and for each post a pointer into `../shared`'s corpus (feed
//! file, guid, link, position) with the tags it should carry. Read by `tag_quality.rs`
//! (the tagger alone) and `tag_quality_store.rs` (through the binary), each reading the
//! vocabulary as it needs it (`T`). [`LabelledFeeds`] finds each labelled post's entry in
//! its feed.

use std::collections::BTreeMap;
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

/// The labelled posts' feeds in `../shared`, each read and parsed once.
pub struct LabelledFeeds<'a> {
    shared: &'a Path,
    parsed: BTreeMap<String, syndic_feed::Parsed>,
}

impl<'a> LabelledFeeds<'a> {
    pub fn new(shared: &'a Path) -> LabelledFeeds<'a> {
        LabelledFeeds {
            shared,
            parsed: BTreeMap::new(),
        }
    }

    /// The entry `label` points at: by id, else by link, else by position.
    pub fn entry(&mut self, label: &RealPost) -> &syndic_core::FeedEntry {
        let shared = self.shared;
        let parsed = self.parsed.entry(label.file.clone()).or_insert_with(|| {
            let bytes = std::fs::read(shared.join(&label.file)).expect("labelled feed readable");
            syndic_feed::parse(&bytes, None).expect("labelled feed parses")
        });
        let entries = &parsed.entries;
        entries
            .iter()
            .find(|e| e.guid == label.id)
            .or_else(|| {
                let link = label.link.as_ref()?;
                entries.iter().find(|e| e.link.as_ref() == Some(link))
            })
            .or_else(|| entries.get(label.index))
            .unwrap_or_else(|| panic!("{} {} not in its feed", label.file, label.id))
    }
}
