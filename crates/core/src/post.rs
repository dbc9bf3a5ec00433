use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{Enclosure, SourceId, TagRef};

/// Primary key of a stored post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PostId(pub i64);

impl std::fmt::Display for PostId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What a feed says about itself (channel / feed level).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeedMeta {
    /// Plain-text feed title.
    pub title: Option<String>,
    /// The site the feed belongs to (absolute URL).
    pub site_url: Option<String>,
    /// Plain-text description.
    pub description: Option<String>,
    /// Entries the feed says were deleted (Atom tombstones, RFC 6721
    /// `<at:deleted-entry ref="…">`), in document order. Only a source with
    /// `honor_deletions` acts on them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<DeletedEntry>,
}

/// An entry its feed says was deleted (RFC 6721 `at:deleted-entry`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeletedEntry {
    /// The deleted entry's id (`ref`), trimmed: the guid its post is stored under.
    pub id: String,
    /// When it was deleted (`when`), if the feed says and the date reads.
    pub when: Option<DateTime<Utc>>,
}

/// One item of a feed after parsing and sanitizing, before tagging and storing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedEntry {
    /// Identity of the item within its source: guid/id, else link, else a hash of
    /// title + date. Never random, so re-reading a feed finds the same posts.
    pub guid: String,
    /// Plain-text title (may be empty when the item has none).
    pub title: String,
    /// Absolute link to the original.
    pub link: Option<String>,
    /// The item's author, when it names one.
    pub author: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// Sanitized HTML: safe to embed in our pages as is.
    pub content_html: String,
    /// The content as plain text, in the export's layout (paragraphs, bullets, code).
    pub content_text: String,
    /// The feed's own categories for the item, as written.
    pub categories: Vec<String>,
    /// The language the item declares (`xml:lang`, `dc:language`), else its feed's, as
    /// written (`en`, `de-AT`); `None` when neither says.
    pub language: Option<String>,
    /// The feed the item says it was first published in (RSS or Atom `<source>`), as an
    /// aggregator's items do; a source with `credit_original` credits it. Left out of
    /// the serialized entry when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<EntryOrigin>,
    /// The files the item carries (podcast episodes, videos, documents), in the feed's
    /// order, as [`crate::keep_enclosures`] allows. Left out of the serialized entry when
    /// there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enclosures: Vec<Enclosure>,
    /// Where the item says the article really lives when its link is a proxy's or a
    /// copy's: FeedBurner's `feedburner:origLink`, then Atom `<link rel="via">` (absolute).
    /// Merging across sources compares these beside the link. Left out of the serialized
    /// entry when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub original_links: Vec<String>,
}

/// The feed an item came from before an aggregator carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryOrigin {
    /// Plain-text title of that feed (or its address, when it has no title).
    pub title: String,
    /// Its feed or site address, absolute http(s).
    pub url: Option<String>,
    /// Its feed's own address when the element gives it (RSS `<source url>`, an Atom
    /// `<source>`'s `rel="self"` link): merging finds the original's source by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed: Option<String>,
}

/// What tagging needs to know of a stored post (retag, explain, eval read these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostForTagging {
    pub id: PostId,
    pub source_id: SourceId,
    pub title: String,
    pub content_text: String,
    pub categories: Vec<String>,
    /// The language the item or its feed declared, as stored.
    pub language: Option<String>,
}

/// A stored post, as pages, exports and output feeds read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Post {
    pub id: PostId,
    pub source_id: SourceId,
    pub source_slug: String,
    /// Display name of the source (configured name, else the feed title, else its URL).
    pub source_name: String,
    pub guid: String,
    pub title: String,
    pub link: Option<String>,
    /// Who the post is syndicated from: the item's author, else the source's configured
    /// name, else the feed's title (with the source's `credit_original`, the item's own
    /// origin comes before the source's name).
    pub attribution: String,
    /// `{source}` in the attribution: the source's configured name, else its feed's title,
    /// else its URL; with `credit_original`, the feed the item says it came from.
    pub credited_source: String,
    /// The source's attribution template as configured; `None` means
    /// [`crate::DEFAULT_ATTRIBUTION`] (read it with [`crate::AttributionTemplate::of`]).
    pub attribution_template: Option<String>,
    /// Publication time; first-seen time when the feed gave none.
    pub published: DateTime<Utc>,
    /// Set when a re-fetch changed the post.
    pub updated: Option<DateTime<Utc>>,
    pub first_seen: DateTime<Utc>,
    pub content_html: String,
    pub content_text: String,
    pub categories: Vec<String>,
    /// Tags of the post, by name.
    pub tags: Vec<TagRef>,
    /// The files the post carries, in its feed's order (left out of the serialized post
    /// when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enclosures: Vec<Enclosure>,
    /// The other sources that carry this post (merged copies), each with its own item
    /// link; empty when only its own source does, and when the reader did not ask.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_syndicated: Vec<crate::PostCopy>,
}
