//! Bytes → [`Document`](crate::Document) → our [`Parsed`], the shape ingest stores.

use std::panic::{AssertUnwindSafe, catch_unwind};

use syndic_core::{FeedEntry, FeedMeta};
use url::Url;

use crate::model::{Document, Entry, Format};
use crate::{FeedError, FeedFormat, Parsed, ReadOptions, WebSubLinks, html_to_text, read_document};

/// Longest title kept, in characters.
const MAX_TITLE_CHARS: usize = 1024;
/// Longest author name kept, in characters.
const MAX_AUTHOR_CHARS: usize = 256;
/// Longest category kept, in characters, and most categories kept per item.
const MAX_CATEGORY_CHARS: usize = 128;
const MAX_CATEGORIES: usize = 50;

/// Parses one feed document (RSS 0.9x, RSS 1.0, RSS 2.0, Atom 0.3/1.0 or JSON Feed 1.x).
///
/// `base_url` is where the document came from; relative links and URLs inside content are
/// resolved against it (below any `xml:base`). Without it, the feed's `rel="self"` link,
/// else its site link, is the base (and an item's own link for URLs in its content); URLs
/// that stay relative are dropped.
///
/// Fails only when there is no feed at all (see [`read_document`]); everything repaired
/// or guessed is reported in [`Parsed::warnings`]. Never panics.
pub fn parse(bytes: &[u8], base_url: Option<&Url>) -> Result<Parsed, FeedError> {
    let options = ReadOptions {
        base_url: base_url.cloned(),
        ..ReadOptions::default()
    };
    parse_with(bytes, &options)
}

/// [`parse`] with every reading option, the HTTP `Content-Type` among them. A truncated
/// document is refused ([`FeedError::Truncated`]): storing its entries could replace a
/// post with a half-read copy.
pub fn parse_with(bytes: &[u8], options: &ReadOptions) -> Result<Parsed, FeedError> {
    let options = ReadOptions {
        base_url: options
            .base_url
            .clone()
            .filter(|b| matches!(b.scheme(), "http" | "https")),
        ..options.clone()
    };
    // A panic would be a bug in the reader; one bad feed must not take the process down.
    match catch_unwind(AssertUnwindSafe(|| read_document(bytes, &options))) {
        Ok(Ok(doc)) if doc.truncated => Err(FeedError::Truncated {
            entries: doc.entries.len(),
        }),
        Ok(doc) => Ok(from_document(doc?)),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            Err(FeedError::ParserCrashed { detail })
        }
    }
}

/// The ingest view of a document.
pub(crate) fn from_document(doc: Document) -> Parsed {
    let mut warnings = doc.warnings;
    let entries = doc
        .entries
        .into_iter()
        .enumerate()
        .map(|(index, e)| feed_entry(e, index + 1, &mut warnings))
        .map(|e| FeedEntry {
            language: e.language.or_else(|| doc.language.clone()),
            ..e
        })
        .collect();
    let websub = websub_links(doc.self_link.as_deref(), &doc.hubs);
    Parsed {
        format: feed_format(doc.format),
        meta: FeedMeta {
            title: doc.title.map(|t| truncate_chars(t, MAX_TITLE_CHARS)),
            site_url: doc.link,
            description: doc.description,
        },
        entries,
        warnings,
        ttl: doc.ttl,
        update_period: doc.update_period,
        update_frequency: doc.update_frequency,
        websub,
    }
}

pub(crate) fn feed_format(format: Format) -> FeedFormat {
    match format {
        Format::Rss090 | Format::Rss091 | Format::Rss092 | Format::Rss093 | Format::Rss094 => {
            FeedFormat::Rss09
        }
        Format::Rss10 => FeedFormat::Rss1,
        Format::Rss20 => FeedFormat::Rss2,
        Format::Atom03 | Format::Atom10 => FeedFormat::Atom,
        Format::JsonFeed10 | Format::JsonFeed11 => FeedFormat::JsonFeed,
    }
}

fn feed_entry(entry: Entry, number: usize, warnings: &mut Vec<String>) -> FeedEntry {
    let content_html = entry.content.or(entry.summary).unwrap_or_default();
    let content_text = html_to_text(&content_html);
    let mut categories: Vec<String> = Vec::new();
    for category in entry.categories {
        let category = truncate_chars(category, MAX_CATEGORY_CHARS);
        if category.is_empty() || categories.contains(&category) {
            continue;
        }
        if categories.len() == MAX_CATEGORIES {
            warnings.push(format!(
                "item {number}: only the first {MAX_CATEGORIES} of its categories were kept"
            ));
            break;
        }
        categories.push(category);
    }
    FeedEntry {
        guid: entry.id,
        title: entry
            .title
            .map(|t| truncate_chars(t, MAX_TITLE_CHARS))
            .unwrap_or_default(),
        link: entry.link,
        author: entry
            .authors
            .into_iter()
            .next()
            .map(|a| truncate_chars(a, MAX_AUTHOR_CHARS)),
        published: entry.published.or(entry.updated),
        updated: entry.updated,
        content_html,
        content_text,
        categories,
        language: entry.language,
    }
}

/// The feed's WebSub hubs and topic; `None` unless it names at least one hub and its own
/// address.
fn websub_links(self_link: Option<&str>, hubs: &[String]) -> Option<WebSubLinks> {
    let topic = Url::parse(self_link?).ok()?;
    let mut found: Vec<Url> = Vec::new();
    for hub in hubs.iter().filter_map(|h| Url::parse(h).ok()) {
        if !found.contains(&hub) && found.len() < crate::MAX_HUBS {
            found.push(hub);
        }
    }
    (!found.is_empty()).then_some(WebSubLinks { hubs: found, topic })
}

fn truncate_chars(mut s: String, max: usize) -> String {
    if let Some((cut, _)) = s.char_indices().nth(max) {
        s.truncate(cut);
        s.truncate(s.trim_end().len());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_at_a_char_boundary() {
        let long = "é".repeat(MAX_TITLE_CHARS + 5);
        assert_eq!(
            truncate_chars(long, MAX_TITLE_CHARS).chars().count(),
            MAX_TITLE_CHARS
        );
    }

    #[test]
    fn parse_reports_ttl_and_the_update_period() {
        let doc = br#"<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>t</title><link>https://a.example/</link><description>d</description><ttl>90</ttl><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>"#;
        let parsed = parse(doc, None).expect("parses");
        assert_eq!(parsed.ttl, Some(90));
        assert_eq!(parsed.update_period.as_deref(), Some("hourly"));
        assert_eq!(parsed.update_frequency.as_deref(), Some("2"));
    }
}
