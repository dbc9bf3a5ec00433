//! What the tagger reads of a post, and what it says about it.

use serde::Serialize;
use syndic_core::TagOrigin;

/// The parts of a post tagging looks at. `text` is the post's plain text in the export layout
/// (paragraphs separated by blank lines, list items as `  • item`, quotes as `> `), which is
/// what ingest stores, so tagging at ingest and re-tagging later read the same thing.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostText<'a> {
    pub title: &'a str,
    pub text: &'a str,
    /// The language the item or its feed declares (`en`, `de-AT`, `pt_BR`), if any.
    pub language: Option<&'a str>,
    /// The feed's own categories for the item.
    pub categories: &'a [String],
}

/// Where in a post a term was found, from most to least telling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Zone {
    Title,
    /// The opening paragraph.
    Lead,
    /// A short line standing alone, as headings do.
    Heading,
    /// Ordinary prose.
    Body,
    /// An item of a list (link lists and roundups mention everything in passing).
    List,
    /// Quoted text.
    Quote,
    /// Closing boilerplate: "subscribe", "follow us", "first appeared on".
    Boilerplate,
}

impl Zone {
    pub const fn as_str(self) -> &'static str {
        match self {
            Zone::Title => "title",
            Zone::Lead => "lead",
            Zone::Heading => "heading",
            Zone::Body => "body",
            Zone::List => "list",
            Zone::Quote => "quote",
            Zone::Boilerplate => "boilerplate",
        }
    }
}

/// One term of a rule found in a post: how often, where, and a snippet around its first
/// occurrence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermMatch {
    /// The term as configured.
    pub term: String,
    /// `"title"` or `"content"`.
    pub field: &'static str,
    /// Occurrences per zone, most telling zone first.
    pub zones: Vec<(Zone, u32)>,
    /// What these occurrences added to the score.
    pub weight: f32,
    /// Up to about 80 characters of the text around the first occurrence.
    pub snippet: String,
}

/// Everything tagging concluded about one tag for one post, including tags it did not give
/// (a score below the threshold, or an exclude term): what `syndic explain` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub tag: String,
    pub origin: TagOrigin,
    /// Whether the tag is given.
    pub applied: bool,
    /// Relevance from the term matches (0 for category tags).
    pub score: f32,
    /// The threshold this tag needs.
    pub min_score: f32,
    pub matches: Vec<TermMatch>,
    /// The exclude term that vetoed the tag, if one did.
    pub excluded_by: Option<String>,
    /// The feed category that gave the tag, if one did.
    pub category: Option<String>,
}
