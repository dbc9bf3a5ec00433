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
//! Tags go by **aboutness**, not mentions: every candidate tag gets a score from where and how
//! often its terms occur (title, opening paragraph, headings, body, list items, quotes, closing
//! boilerplate), with diminishing returns for repeats and normalized by the post's length (see
//! [`ScoreWeights`]), and is applied at the tag's `min_score` or above
//! ([`DEFAULT_MIN_SCORE`] unless the tag or `[tagging]` sets one; `0` tags on any mention,
//! and substring rules default to `0`). [`Exact`](MatchMode::Exact) rules compare folded whole
//! words without stemming, [`Regex`](MatchMode::Regex) rules use the `regex` crate
//! (case-insensitive by default).
//!
//! Posts are stemmed in their own language (`PostText::language`, e.g. `de-AT`), else
//! `[tagging] language`, else one guessed from their opening words by a stop-word vote, else
//! English; every Snowball language of `rust-stemmers` is supported, each compiled on first use.
//! Feed categories give tags under [`CategoryPolicy`].
//!
//! Entry points: [`Tagger::new`] compiles the rules (and rejects unusable ones with a
//! [`TagError`] naming the tag); [`Tagger::tag`] returns the post's
//! [`TagAssignment`](syndic_core::TagAssignment)s, sorted by tag name, one per tag, each with a
//! detail such as `score 2.4 (min 1.5): "kubernetes" x3 in title, lead, body; "k8s" in list`;
//! [`Tagger::explain`] returns every candidate, applied or not, with per-term zones, weights
//! and snippets. [`Tagger::tag_with`] takes a reusable [`Scratch`] (whose word-to-stem cache
//! makes stemming nearly free on a stream of posts). All terms of all tags are compiled into
//! one matcher per kind (a word table per language, one for exact words, one Aho-Corasick
//! automaton, one `RegexSet`), so a post is read once however large the vocabulary.
//! [`suggest`] proposes new terms from stored posts.
//!
//! This crate is pure and deterministic: no IO, no configuration parsing, no HTML handling (it
//! expects the plain text of the export layout), and it knows nothing of source tags, which
//! other stages assign.

mod assign;
pub mod corpus;
pub mod decisions;
pub mod eval;
mod family;
pub mod filter;
mod lang;
pub mod learn;
mod model;
mod post;
pub mod profile;
mod regex_index;
pub mod retag;
mod rule;
mod score;
mod shared;
mod substring;
pub mod suggest;
mod tagger;
mod verdict;
mod vocabulary;
mod word_cache;
mod word_index;
mod words;
mod zones;

pub use assign::SourceTags;
pub use corpus::{CorpusStats, DfCounter};
pub use decisions::{Decisions, Labels};
pub use filter::{FilterPost, FilterRule, FilterSource, RuleAction, RuleFields, RuleSet};
pub use model::SavedTagModel;
pub use post::{Explanation, PostText, ProfileMatch, TermFrequency, TermMatch, Zone};
pub use rule::{
    CategoryPolicy, DEFAULT_MIN_SCORE, FieldSet, MAX_TERM_CHARS, MatchMode, TagError, TagRule,
    TaggingSettings,
};
pub use score::ScoreWeights;
pub use shared::{LearningUnreadable, ReadLearning, SharedTagger};
pub use tagger::decide::{Candidate, TrainingChange};
pub use tagger::{CorpusSummary, Scratch, Tagger};
pub use vocabulary::{VocabularyError, VocabularyKey, compile};
