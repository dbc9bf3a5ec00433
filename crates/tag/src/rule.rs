//! The vocabulary as configured: tag rules, how their terms match, and what makes one invalid.

use serde::{Deserialize, Serialize};

/// How a rule's terms are compared with a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Whole words, case-insensitive, compared by English stem: `map` matches *maps* and
    /// *mapping* but not *roadmap*, *heatmaps* or *mapSeries*. Several words form a phrase.
    #[default]
    Word,
    /// Case-insensitive raw substring, as the site we replace did: `map` matches *roadmap*.
    Substring,
}

/// One tag of the vocabulary and the terms that give it to a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRule {
    /// The tag's name as pages show it.
    pub name: String,
    /// Terms that give the tag; when empty, the name itself is the one term.
    pub terms: Vec<String>,
    pub mode: MatchMode,
    /// Terms that veto the tag when any of them matches (compared the same way as `terms`).
    pub exclude: Vec<String>,
}

impl TagRule {
    /// The terms that give the tag: [`terms`](Self::terms), or the name when there are none.
    pub fn effective_terms(&self) -> &[String] {
        if self.terms.is_empty() {
            std::slice::from_ref(&self.name)
        } else {
            &self.terms
        }
    }
}

/// Why a vocabulary cannot be compiled. Every variant names the tag at fault.
#[derive(thiserror::Error, Debug)]
pub enum TagError {
    #[error("a tag rule has an empty name")]
    EmptyName,
    #[error("tags {first:?} and {second:?} would share the archive slug {slug:?}")]
    DuplicateTag {
        first: String,
        second: String,
        slug: String,
    },
    #[error("tag {tag:?} has an empty term")]
    EmptyTerm { tag: String },
    #[error("term {term:?} of tag {tag:?} has no letters or digits to match as words")]
    TermWithoutWords { tag: String, term: String },
    #[error(
        "term {term:?} of tag {tag:?} contains {symbol:?}, which word matching treats as a \
         space; write the term as words or give the tag mode = \"substring\""
    )]
    TermWithSymbols {
        tag: String,
        term: String,
        symbol: char,
    },
    #[error("cannot build the substring matcher for the vocabulary")]
    SubstringMatcher(#[from] aho_corasick::BuildError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_the_term_when_none_are_given() {
        let mut rule = TagRule {
            name: "map".into(),
            terms: vec![],
            mode: MatchMode::default(),
            exclude: vec![],
        };
        assert_eq!(rule.effective_terms(), ["map"]);
        rule.terms = vec!["maps".into(), "cartography".into()];
        assert_eq!(rule.effective_terms(), ["maps", "cartography"]);
    }

    #[test]
    fn mode_defaults_to_word_and_reads_lowercase() {
        use serde::de::{IntoDeserializer, value::Error};
        assert_eq!(MatchMode::default(), MatchMode::Word);
        let read = |s: &str| MatchMode::deserialize(s.into_deserializer()).map_err(|e: Error| e);
        assert_eq!(read("substring").ok(), Some(MatchMode::Substring));
        assert_eq!(read("word").ok(), Some(MatchMode::Word));
        assert!(read("Word").is_err());
    }
}
