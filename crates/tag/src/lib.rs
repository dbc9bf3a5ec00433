//! Automatic tagging: a vocabulary of tag rules, compiled once, applied to each post's title
//! and plain text to decide which tags it carries and why.
//!
//! The site we replace tagged by raw substring, so its *map* archive caught *roadmap*, *imapd*
//! and *heatmaps*. Here a rule matches [whole words by stem](MatchMode::Word) by default: `map`
//! finds *maps*, *mapped* and *Mapping*, never *roadmap*, *mapSeries*, *map_reduce* or a
//! `https://…/map` link, and a phrase such as `machine learning` must appear as consecutive words.
//! [Substring](MatchMode::Substring) rules reproduce the old behaviour where wanted, and
//! `exclude` terms veto a tag.
//!
//! Entry point: [`Tagger::new`] compiles the rules (and rejects unusable ones with a
//! [`TagError`] naming the tag); [`Tagger::tag`] returns the post's
//! [`TagAssignment`](syndic_core::TagAssignment)s, sorted by tag name, each with a detail such as
//! `"map" in title`. All terms of all tags are compiled into one word table and one
//! Aho-Corasick automaton, so a post is read once however large the vocabulary.
//!
//! This crate is pure and deterministic: no IO, no configuration parsing, no HTML handling (it
//! expects markup already stripped), and it knows nothing of source or category tags, which
//! other stages assign.

mod lang;
mod post;
mod regex_index;
mod rule;
mod score;
mod shared;
mod substring;
pub mod suggest;
mod tagger;
mod verdict;
mod word_index;
mod words;
mod zones;

pub use post::{Explanation, PostText, TermMatch, Zone};
pub use rule::{
    CategoryPolicy, DEFAULT_MIN_SCORE, FieldSet, MatchMode, TagError, TagRule, TaggingSettings,
};
pub use score::ScoreWeights;
pub use shared::SharedTagger;
pub use tagger::{Scratch, Tagger};
