//! What syndic understood of one feed document, before it becomes posts.
//!
//! [`Document`] is the reader's output: every format (RSS 0.9x/1.0/2.0, Atom 0.3/1.0,
//! JSON Feed 1.0/1.1) lands in this one shape. Text that is meant as plain text is plain
//! text here; HTML bodies are already sanitized; URLs are absolute; dates are UTC.
//! `syndic parse --format json` prints it (see `Document`'s serde shape); the ingest
//! path turns it into [`syndic_core::FeedEntry`] values with [`crate::parse`].

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The exact format and version a document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Format {
    /// RSS 0.90 (RDF namespace `http://my.netscape.com/rdf/simple/0.9/`).
    Rss090,
    /// RSS 0.91 (Netscape or UserLand).
    Rss091,
    Rss092,
    Rss093,
    Rss094,
    /// RSS 2.0 (and `<rss>` without a usable version).
    Rss20,
    /// RSS 1.0 (RDF Site Summary).
    Rss10,
    /// Atom 0.3 (`http://purl.org/atom/ns#`).
    Atom03,
    /// Atom 1.0 (RFC 4287).
    Atom10,
    JsonFeed10,
    JsonFeed11,
}

impl Format {
    /// The family name `syndic parse` prints: `rss2.0`, `rss1.0`, `rss0.9x`, `atom1.0`,
    /// `atom0.3`, `jsonfeed1.0`, `jsonfeed1.1`.
    pub fn family(self) -> &'static str {
        match self {
            Format::Rss090 | Format::Rss091 | Format::Rss092 | Format::Rss093 | Format::Rss094 => {
                "rss0.9x"
            }
            Format::Rss20 => "rss2.0",
            Format::Rss10 => "rss1.0",
            Format::Atom03 => "atom0.3",
            Format::Atom10 => "atom1.0",
            Format::JsonFeed10 => "jsonfeed1.0",
            Format::JsonFeed11 => "jsonfeed1.1",
        }
    }

    /// The version as written: `0.91`, `2.0`, `1.0`, `0.3`, `1.1`, …
    pub fn version(self) -> &'static str {
        match self {
            Format::Rss090 => "0.90",
            Format::Rss091 => "0.91",
            Format::Rss092 => "0.92",
            Format::Rss093 => "0.93",
            Format::Rss094 => "0.94",
            Format::Rss20 => "2.0",
            Format::Rss10 | Format::Atom10 | Format::JsonFeed10 => "1.0",
            Format::Atom03 => "0.3",
            Format::JsonFeed11 => "1.1",
        }
    }
}

/// One feed document as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub format: Format,
    /// Plain text (HTML titles lose their tags, entities decoded, whitespace collapsed).
    pub title: Option<String>,
    /// The site's page (absolute http(s)): RSS `<link>`, Atom `rel="alternate"`,
    /// JSON `home_page_url`.
    pub link: Option<String>,
    /// Where the feed says it lives (`rel="self"`, JSON `feed_url`), absolute.
    pub self_link: Option<String>,
    /// Plain-text description / subtitle / tagline.
    pub description: Option<String>,
    /// Language tag as written (`xml:lang`, `<language>`, `dc:language`, JSON `language`).
    pub language: Option<String>,
    /// When the feed last changed (`lastBuildDate`, `pubDate`, `dc:date`, Atom `updated`/
    /// `modified`).
    pub updated: Option<DateTime<Utc>>,
    /// Plain-text names of the feed's authors.
    pub authors: Vec<String>,
    /// Feed-level image / logo / icon URL, absolute.
    pub image: Option<String>,
    /// Generator as written, plain text.
    pub generator: Option<String>,
    /// The character encoding the bytes were decoded from (`utf-8`, `windows-1252`, …,
    /// lower case WHATWG/IANA names; `utf-32le`/`utf-32be` as well).
    pub encoding: String,
    /// RSS `<ttl>` in minutes.
    pub ttl: Option<u32>,
    /// `sy:updatePeriod` / `sy:updateFrequency`, as written.
    pub update_period: Option<String>,
    pub update_frequency: Option<String>,
    /// `rel="hub"` links (absolute http(s)), in document order.
    pub hubs: Vec<String>,
    /// What was repaired or guessed, one sentence each (feedparser's "bozo").
    pub warnings: Vec<String>,
    /// The document ends early (elements left open): the entries are what could be read,
    /// and the last of them may be cut short. Ingest refuses such a document rather than
    /// store a half-read post; `syndic parse` shows it with a warning.
    pub truncated: bool,
    pub entries: Vec<Entry>,
    /// Atom tombstones (RFC 6721 `at:deleted-entry`): the ids of entries the feed says
    /// were deleted, in document order, each once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<syndic_core::DeletedEntry>,
}

/// One item / entry as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Identity within the feed: guid/id as written (trimmed); else the link; else
    /// `sha256:…` of title + date. Repeats within the document are disambiguated.
    pub id: String,
    /// Whether `id` came from the item's own guid/id (false: derived from link or hash).
    pub id_is_native: bool,
    /// Plain text.
    pub title: Option<String>,
    /// The item's page, absolute http(s).
    pub link: Option<String>,
    /// Plain-text author names (name, else email), item's own else the feed's (Atom).
    pub authors: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// Sanitized HTML of the summary/description (plain-text summaries escaped).
    pub summary: Option<String>,
    /// Sanitized HTML of the full content (`content:encoded`, Atom `content`, JSON
    /// `content_html`/`content_text`).
    pub content: Option<String>,
    /// Category / tag / subject terms (label when given, else term), plain text.
    pub categories: Vec<String>,
    pub enclosures: Vec<Enclosure>,
    /// Comments page, absolute.
    pub comments: Option<String>,
    /// The item's language when it differs from or refines the feed's.
    pub language: Option<String>,
    /// The feed the item came from (RSS `<source url>`, Atom `<source>`), as aggregators
    /// write. JSON Feed has no such field.
    pub origin: Option<syndic_core::EntryOrigin>,
    /// Where the item says the article really lives when its link is a proxy's or a
    /// copy's: FeedBurner's `feedburner:origLink`, then Atom `<link rel="via">`. Absolute.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub original_links: Vec<String>,
}

/// A media file attached to an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enclosure {
    /// Absolute http(s) URL.
    pub url: String,
    /// MIME type as written (empty when not given).
    #[serde(rename = "type")]
    pub mime_type: String,
    /// Length in bytes (0 when not given or not a number).
    pub length: u64,
    /// Plain-text title (JSON Feed `title`, `media:title`, an Atom link's `title`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A picture standing for the file (`media:thumbnail`, the item's `itunes:image`),
    /// absolute http(s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    /// Playing time in whole seconds (JSON Feed `duration_in_seconds`, Media RSS
    /// `duration`, `itunes:duration`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
}
