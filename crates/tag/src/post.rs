//! What the tagger reads of a post, and what it says about it.

use serde::Serialize;
use syndic_core::{FeedEntry, PostForTagging, TagOrigin};

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

impl<'a> From<&'a FeedEntry> for PostText<'a> {
    /// What tagging reads of an entry a feed gave (ingest).
    fn from(entry: &'a FeedEntry) -> PostText<'a> {
        PostText {
            title: &entry.title,
            text: &entry.content_text,
            language: entry.language.as_deref(),
            categories: &entry.categories,
        }
    }
}

impl<'a> From<&'a PostForTagging> for PostText<'a> {
    /// What tagging reads of a stored post (retag, explain, eval).
    fn from(post: &'a PostForTagging) -> PostText<'a> {
        PostText {
            title: &post.title,
            text: &post.content_text,
            language: post.language.as_deref(),
            categories: &post.categories,
        }
    }
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
    /// How common the term is in the corpus, and what that makes each occurrence weigh
    /// (`None` for terms compared otherwise than by stem, or before anything was counted).
    pub frequency: Option<TermFrequency>,
    /// Up to about 80 characters of the text around the first occurrence.
    pub snippet: String,
    /// For a match by another form of the term's word (`hacked` for `hacker`, see the
    /// crate's word families), that form as first written in the post; `None` for the
    /// term's own stem.
    pub form: Option<String>,
}

/// A term's document frequency and the weight it gives the term's occurrences.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TermFrequency {
    /// Posts the term occurs in...
    pub posts: u64,
    /// ...of this many counted.
    pub of: u64,
    /// Each occurrence counts this much (1 for a term in one post out of twenty).
    pub weight: f32,
}

/// How close a post is to a tag's profile, and what that added to the score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProfileMatch {
    /// Cosine similarity of the post's words and the profile (0 to 1).
    pub similarity: f32,
    /// Added to the score (negative when the post reads unlike the tag's posts).
    pub contribution: f32,
    /// Posts the profile was built from.
    pub members: u32,
}

/// Everything tagging concluded about one tag for one post, including tags it did not give
/// (a score below the threshold, or an exclude term): what `syndic explain` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub tag: String,
    pub origin: TagOrigin,
    /// Whether the tag is given.
    pub applied: bool,
    /// Relevance in all: literal score, plus what the profile and the learned model added
    /// (0 for category tags).
    pub score: f32,
    /// The threshold this tag needs.
    pub min_score: f32,
    /// What the term matches alone scored (each term weighted by the corpus).
    pub literal: f32,
    /// The tag's profile, when it has one.
    pub profile: Option<ProfileMatch>,
    /// What people's decisions (the tag's learned model) added, when it has one.
    pub learned: Option<f32>,
    pub matches: Vec<TermMatch>,
    /// The exclude term that vetoed the tag, if one did.
    pub excluded_by: Option<String>,
    /// The feed category that gave the tag, if one did.
    pub category: Option<String>,
}

impl Explanation {
    /// A tag a feed category gave.
    pub(crate) fn category(tag: String, category: String) -> Explanation {
        Explanation {
            tag,
            origin: TagOrigin::Category,
            applied: true,
            score: 0.0,
            min_score: 0.0,
            literal: 0.0,
            profile: None,
            learned: None,
            matches: Vec::new(),
            excluded_by: None,
            category: Some(category),
        }
    }
}
