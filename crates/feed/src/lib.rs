//! Feed bytes + base URL → parsed, sanitized entries.
//!
//! This crate is the *parse → sanitize* step of syndic's flow (fetch → parse → sanitize →
//! tag → store → render). It turns the bytes of one feed document (RSS 0.9x, RSS 1.0, RSS
//! 2.0, Atom 0.3/1.0 or JSON Feed 1.x) into [`syndic_core::FeedMeta`] and a list of
//! [`syndic_core::FeedEntry`], each with:
//!
//! - a stable identity ([`FeedEntry::guid`](syndic_core::FeedEntry)): the item's guid/id,
//!   else its link, else a SHA-256 of title + date; never random, duplicates within one
//!   document disambiguated deterministically;
//! - a plain-text title, an absolute `http(s)` link, an author, dates in UTC;
//! - content HTML that went through [`sanitize_html`] (an allowlist: no scripts, no event
//!   handlers, no `style`, only `http`/`https`/`mailto` URLs, relative URLs resolved);
//! - the same content as text in the tag-archive export layout ([`html_to_text`]).
//!
//! Parsing is lenient: what can be recovered is recovered and reported in
//! [`Parsed::warnings`]; [`read_document`] fails only when the bytes hold no feed at all
//! (empty input, an HTML page, nothing readable), and [`parse`], the ingest view, also
//! refuses a truncated document rather than store a half-read post. Our own lenient XML reader (`xml`) decodes
//! and tokenizes, recovering from HTML entities, stray `&` and `<`, unclosed tags and
//! truncation; the interpreter (`read`) gives every format feedparser's meaning. It never
//! panics on any input, and deeply nested HTML is flattened so that hostile content
//! cannot make it slow.
//!
//! Also pure and here: [`discover`] (the feeds an HTML page advertises), [`read_opml`]
//! (a subscription list) and [`extract_article`] (a post's article in its web page, by
//! readability or a CSS selector, sanitized like feed content: `[[source]] full_content`).
//!
//! What it deliberately does not do: network IO (that is `syndic-fetch`, which also fetches
//! the candidates [`discover`] names), tagging, storage, deciding which posts are new, or clamping dates for
//! ordering. It holds no state and reads no configuration.
//!
//! Entry points: [`read_document`] (everything understood, as `syndic parse` prints it) and
//! [`parse`] / [`parse_with`] / [`parse_owned`] (what ingest stores). With
//! [`ReadOptions::max_entries`] only the newest entries are kept, and the others are skipped
//! while reading, so a document's memory follows its body, not its number of entries. The HTML helpers [`sanitize_html`], [`html_to_text`] and
//! [`plain_text`] are public for callers that handle HTML from elsewhere.

mod article;
mod date;
mod discover;
mod error;
mod identity;
mod images;
mod model;
mod nesting;
mod opml;
mod parse;
mod read;
mod sanitize;
mod sniff;
mod srcset;
mod text;
mod xml;

/// The workspace's one lookup of `../shared` for tests (see the file).
#[cfg(test)]
#[path = "../../../tests/common/shared_folder.rs"]
mod shared_folder;

pub use article::{
    Article, ArticleError, ArticleRule, BadRule, LONGER_BY_WORDS, LONGER_RATIO, MAX_ELEMENTS,
    extract_article, is_clearly_longer, word_count,
};
pub use discover::{COMMON_PATHS, FeedLink, LinkKind, MAX_LINKS, discover, looks_like_html};
pub use error::FeedError;
pub use images::{image_sources, rewrite_image_sources};
pub use model::{Document, Enclosure, Entry, Format};
pub use opml::{MAX_OPML_BYTES, MAX_OUTLINES, OpmlError, Subscription, read_opml};
pub use parse::{parse, parse_owned, parse_with};
pub use read::{ReadOptions, read_document};
pub use sanitize::sanitize_html;
pub use text::{html_to_text, plain_text};

use serde::Serialize;
use syndic_core::{FeedEntry, FeedMeta};

/// The syndication format a document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FeedFormat {
    /// RSS 0.90–0.94 (Netscape/UserLand).
    Rss09,
    /// RSS 1.0 (RDF Site Summary).
    Rss1,
    /// RSS 2.0.
    Rss2,
    /// Atom 1.0 (RFC 4287) and Atom 0.3.
    Atom,
    /// JSON Feed 1.0 / 1.1.
    JsonFeed,
}

impl FeedFormat {
    /// A short stable name: `"rss0.9x"`, `"rss1.0"`, `"rss2.0"`, `"atom1.0"`, `"jsonfeed1.x"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedFormat::Rss09 => "rss0.9x",
            FeedFormat::Rss1 => "rss1.0",
            FeedFormat::Rss2 => "rss2.0",
            FeedFormat::Atom => "atom1.0",
            FeedFormat::JsonFeed => "jsonfeed1.x",
        }
    }
}

impl std::fmt::Display for FeedFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One feed document, parsed and sanitized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parsed {
    /// The format the document was written in.
    pub format: FeedFormat,
    /// What the feed says about itself.
    pub meta: FeedMeta,
    /// The items, in document order.
    pub entries: Vec<FeedEntry>,
    /// Things that were wrong but recovered from, one human-readable sentence each.
    pub warnings: Vec<String>,
    /// RSS `<ttl>`: how many minutes the feed may be cached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    /// The syndication module's `<sy:updatePeriod>` (`hourly`, `daily`, …), as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_period: Option<String>,
    /// The syndication module's `<sy:updateFrequency>` (updates per period), as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_frequency: Option<String>,
    /// WebSub: where the feed can be pushed from, when it advertises both a hub and its
    /// own address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub websub: Option<WebSubLinks>,
}

/// What a feed advertises for WebSub: its hubs (`rel="hub"`, absolute http(s), at most
/// [`MAX_HUBS`]) and its topic (`rel="self"`, the address hubs know it by).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebSubLinks {
    pub hubs: Vec<url::Url>,
    pub topic: url::Url,
}

/// The most hubs read from one feed.
pub const MAX_HUBS: usize = 5;
