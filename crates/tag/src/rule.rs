//! The vocabulary as configured: tag rules, how their terms match, the global tagging settings,
//! and what makes a rule unusable.

use serde::{Deserialize, Serialize};

/// The relevance a tag needs when neither the tag nor `[tagging]` sets `min_score`.
///
/// Calibrated on the labeled sets in `tests/fixtures/tag-quality/` (micro F1 peaks between 1.2
/// and 1.6; 1.5 is best on real posts): a term in the title is enough (it scores 1.5), as is
/// one that recurs through a post of ordinary length or opens a short one; a single mention in
/// the body of a 300-word post is not.
pub const DEFAULT_MIN_SCORE: f32 = 1.5;

/// The longest term (in characters) a rule may have, in any match mode. Real terms and
/// patterns are far shorter; the bound keeps compilation time and memory small (a long
/// repetitive substring term made the automaton build quadratic).
pub const MAX_TERM_CHARS: usize = 1000;

/// How a rule's terms are compared with a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Whole words, case-insensitive, compared by stem in the post's language: `map` matches
    /// *maps* and *mapping* but not *roadmap*, *heatmaps* or *mapSeries*. Several words form a
    /// phrase.
    #[default]
    Word,
    /// Whole words, case-insensitive, without stemming: `go` matches *Go* but not *going*.
    Exact,
    /// Case-insensitive raw substring, as the site we replace did: `map` matches *roadmap*.
    /// Any occurrence tags unless the rule sets its own `min_score`.
    Substring,
    /// Each term is a regular expression (Rust `regex` syntax, case-insensitive unless the
    /// pattern says otherwise), matched against the raw text.
    Regex,
}

impl MatchMode {
    pub const fn as_str(self) -> &'static str {
        match self {
            MatchMode::Word => "word",
            MatchMode::Exact => "exact",
            MatchMode::Substring => "substring",
            MatchMode::Regex => "regex",
        }
    }
}

/// The parts of a post a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldSet {
    pub title: bool,
    pub content: bool,
}

impl Default for FieldSet {
    fn default() -> FieldSet {
        FieldSet::BOTH
    }
}

impl FieldSet {
    pub const BOTH: FieldSet = FieldSet {
        title: true,
        content: true,
    };
    pub const TITLE: FieldSet = FieldSet {
        title: true,
        content: false,
    };
    pub const CONTENT: FieldSet = FieldSet {
        title: false,
        content: true,
    };

    fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<FieldSet, String> {
        let mut set = FieldSet {
            title: false,
            content: false,
        };
        for name in names {
            match name.trim().to_ascii_lowercase().as_str() {
                "title" => set.title = true,
                "content" | "text" | "body" => set.content = true,
                "both" | "all" => set = FieldSet::BOTH,
                other => {
                    return Err(format!(
                        "unknown field {other:?}: use \"title\", \"content\" or both"
                    ));
                }
            }
        }
        if !set.title && !set.content {
            return Err("no field named: use \"title\", \"content\" or both".into());
        }
        Ok(set)
    }
}

/// `fields = "title"`, `fields = ["title", "content"]` or `fields = "both"`.
impl<'de> Deserialize<'de> for FieldSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<FieldSet, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        let set = match Raw::deserialize(deserializer)? {
            Raw::One(name) => FieldSet::from_names([name.as_str()]),
            Raw::Many(names) => FieldSet::from_names(names.iter().map(String::as_str)),
        };
        set.map_err(serde::de::Error::custom)
    }
}

/// One tag of the vocabulary and the terms that give it to a post (`[[tag]]` in `syndic.toml`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    /// The tag's name as pages show it.
    pub name: String,
    /// Terms that give the tag; when empty, the name itself is the one term.
    #[serde(default)]
    pub terms: Vec<String>,
    #[serde(rename = "match", default)]
    pub mode: MatchMode,
    /// Terms that veto the tag when any of them matches (compared the same way as `terms`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Where the terms are looked for.
    #[serde(default)]
    pub fields: FieldSet,
    /// The relevance this tag needs; `None` takes `[tagging] min_score`. `0` tags on any
    /// mention.
    #[serde(default)]
    pub min_score: Option<f32>,
    /// Other names of the tag: feed categories and manual commands using them mean this tag,
    /// and their archive URLs lead to it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Shown on the tag's archive page.
    #[serde(default)]
    pub description: Option<String>,
}

impl TagRule {
    /// A word-mode rule with default settings.
    pub fn new(name: impl Into<String>, terms: &[&str]) -> TagRule {
        TagRule {
            name: name.into(),
            terms: terms.iter().map(|t| (*t).to_owned()).collect(),
            ..TagRule::default()
        }
    }

    /// The terms that give the tag: [`terms`](Self::terms), or the name when there are none.
    pub fn effective_terms(&self) -> &[String] {
        if self.terms.is_empty() {
            std::slice::from_ref(&self.name)
        } else {
            &self.terms
        }
    }
}

/// What a feed's own categories do (`[tagging] categories`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CategoryPolicy {
    /// A category naming a vocabulary tag, alias or term (after case, punctuation and stem
    /// normalization) gives that tag.
    #[default]
    Vocabulary,
    /// Every category becomes a tag (normalized, merged case-insensitively).
    All,
    /// Categories are ignored.
    None,
}

/// The `[tagging]` section: settings for the whole vocabulary.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaggingSettings {
    /// The relevance a tag needs unless it sets its own; `None` means [`DEFAULT_MIN_SCORE`].
    #[serde(default)]
    pub min_score: Option<f32>,
    #[serde(default)]
    pub categories: CategoryPolicy,
    /// Language assumed for posts that declare none and are too short to detect
    /// (an ISO 639-1 code such as `"en"`); English when unset.
    #[serde(default)]
    pub language: Option<String>,
}

/// Why a vocabulary cannot be compiled. Every variant names the tag at fault.
#[derive(thiserror::Error, Debug)]
pub enum TagError {
    #[error("a tag rule has an empty name")]
    EmptyName,
    #[error("tag name {name:?} has no letters or digits, so no archive URL of its own")]
    NameWithoutWords { name: String },
    #[error("an alias of tag {tag:?} is empty or has no letters or digits")]
    AliasWithoutWords { tag: String },
    #[error("tags {first:?} and {second:?} would share the archive slug {slug:?}")]
    DuplicateTag {
        first: String,
        second: String,
        slug: String,
    },
    #[error("alias {alias:?} of tag {tag:?} is already a name or alias of tag {other:?}")]
    DuplicateAlias {
        tag: String,
        alias: String,
        other: String,
    },
    #[error("tag {tag:?} has an empty term")]
    EmptyTerm { tag: String },
    #[error(
        "a term of tag {tag:?} ({start:?}…) is {chars} characters long; terms are at most \
         {max} characters",
        max = MAX_TERM_CHARS
    )]
    TermTooLong {
        tag: String,
        /// The term's first characters.
        start: String,
        chars: usize,
    },
    #[error("term {term:?} of tag {tag:?} has no letters or digits to match as words")]
    TermWithoutWords { tag: String, term: String },
    #[error(
        "term {term:?} of tag {tag:?} contains {symbol:?}, which word matching treats as a \
         space; write the term as words or give the tag match = \"substring\" or \"regex\""
    )]
    TermWithSymbols {
        tag: String,
        term: String,
        symbol: char,
    },
    #[error("term {term:?} of tag {tag:?} is not a valid regular expression: {reason}")]
    BadRegex {
        tag: String,
        term: String,
        reason: String,
    },
    #[error("min_score of {tag} is {value}; use a number from 0 upwards")]
    BadMinScore { tag: String, value: f32 },
    #[error("unknown language {language:?}; use an ISO 639-1 code such as \"en\" or \"de\"")]
    UnknownLanguage { language: String },
    #[error("cannot build the substring matcher for the vocabulary")]
    SubstringMatcher(#[from] aho_corasick::BuildError),
}

impl TagError {
    /// The tag the problem is with, when it is one tag's.
    pub fn tag(&self) -> Option<&str> {
        match self {
            TagError::DuplicateTag { second: tag, .. }
            | TagError::DuplicateAlias { tag, .. }
            | TagError::AliasWithoutWords { tag }
            | TagError::EmptyTerm { tag }
            | TagError::TermTooLong { tag, .. }
            | TagError::TermWithoutWords { tag, .. }
            | TagError::TermWithSymbols { tag, .. }
            | TagError::BadRegex { tag, .. }
            | TagError::BadMinScore { tag, .. } => Some(tag),
            TagError::NameWithoutWords { name } => Some(name),
            TagError::EmptyName
            | TagError::UnknownLanguage { .. }
            | TagError::SubstringMatcher(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_the_term_when_none_are_given() {
        let mut rule = TagRule::new("map", &[]);
        assert_eq!(rule.effective_terms(), ["map"]);
        rule.terms = vec!["maps".into(), "cartography".into()];
        assert_eq!(rule.effective_terms(), ["maps", "cartography"]);
    }

    #[test]
    fn mode_defaults_to_word_and_reads_lowercase() {
        use serde::de::{IntoDeserializer, value::Error};
        assert_eq!(MatchMode::default(), MatchMode::Word);
        let read = |s: &str| MatchMode::deserialize(s.into_deserializer()).map_err(|e: Error| e);
        for mode in [
            MatchMode::Word,
            MatchMode::Exact,
            MatchMode::Substring,
            MatchMode::Regex,
        ] {
            assert_eq!(read(mode.as_str()).ok(), Some(mode));
        }
        assert!(read("Word").is_err());
    }

    #[test]
    fn fields_read_as_a_name_or_a_list() {
        let read = |s: &str| FieldSet::from_names(s.split(',').filter(|n| !n.is_empty()));
        assert_eq!(read("title"), Ok(FieldSet::TITLE));
        assert_eq!(read("content"), Ok(FieldSet::CONTENT));
        assert_eq!(read("title,content"), Ok(FieldSet::BOTH));
        assert_eq!(read("both"), Ok(FieldSet::BOTH));
        assert!(read("summary").is_err());
        assert!(read("").is_err());
    }
}
