//! Bytes → [`Document`](crate::Document) → our [`Parsed`], the shape ingest stores.

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use syndic_core::{FeedEntry, FeedMeta};
use url::Url;

use crate::model::{Document, Entry, Format};
use crate::read::read_source;
use crate::{FeedError, FeedFormat, Parsed, ReadOptions, WebSubLinks, html_to_text};

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
/// Fails only when there is no feed at all (see [`read_document`](crate::read_document)); everything repaired
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
/// post with a half-read copy. With [`ReadOptions::max_entries`], at most that many
/// entries come out: the newest by date, in document order.
pub fn parse_with(bytes: &[u8], options: &ReadOptions) -> Result<Parsed, FeedError> {
    parse_source(Cow::Borrowed(bytes), options)
}

/// [`parse_with`] of a body handed over: it is freed as soon as it has been read into a
/// tree, so that a big feed is not held twice while its entries are interpreted.
pub fn parse_owned(bytes: Vec<u8>, options: &ReadOptions) -> Result<Parsed, FeedError> {
    parse_source(Cow::Owned(bytes), options)
}

fn parse_source(bytes: Cow<'_, [u8]>, options: &ReadOptions) -> Result<Parsed, FeedError> {
    let options = ReadOptions {
        base_url: options
            .base_url
            .clone()
            .filter(|b| matches!(b.scheme(), "http" | "https")),
        ..options.clone()
    };
    // A panic would be a bug in the reader; one bad feed must not take the process down.
    match catch_unwind(AssertUnwindSafe(|| read_source(bytes, &options))) {
        Ok(Ok(doc)) if doc.truncated => Err(FeedError::Truncated {
            entries: doc.entries.len(),
        }),
        Ok(doc) => Ok(from_document(doc?, options.max_entries)),
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

/// The ingest view of a document, with at most `max_entries` entries.
pub(crate) fn from_document(doc: Document, max_entries: Option<usize>) -> Parsed {
    let mut warnings = doc.warnings;
    // The reader kept at most `max_entries` entries, but entries nested in entries come
    // on top of those.
    let doc_entries = newest(doc.entries, max_entries.unwrap_or(usize::MAX));
    let mut entries = Vec::with_capacity(doc_entries.len());
    for (index, entry) in doc_entries.into_iter().enumerate() {
        if is_empty(&entry) {
            // An `<item/>` left inside another (real feeds do this) is not a post.
            warnings.push(format!(
                "item {} has no title, link, content or enclosure; it was skipped",
                index + 1
            ));
            continue;
        }
        let entry = feed_entry(entry, index + 1, &mut warnings);
        entries.push(FeedEntry {
            language: entry.language.or_else(|| doc.language.clone()),
            ..entry
        });
    }
    let websub = websub_links(doc.self_link.as_deref(), &doc.hubs);
    Parsed {
        format: feed_format(doc.format),
        meta: FeedMeta {
            title: doc.title.map(|t| truncate_chars(t, MAX_TITLE_CHARS)),
            site_url: doc.link,
            description: doc.description,
            deleted: doc.deleted,
        },
        entries,
        warnings,
        ttl: doc.ttl,
        update_period: doc.update_period,
        update_frequency: doc.update_frequency,
        websub,
    }
}

/// The newest `max` entries (by date, undated ones after dated ones, then document order),
/// kept in document order.
fn newest(entries: Vec<Entry>, max: usize) -> Vec<Entry> {
    if entries.len() <= max {
        return entries;
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| {
        let date = entries[i].published.or(entries[i].updated);
        std::cmp::Reverse(crate::xml::entry_rank(date, i))
    });
    let mut keep = vec![false; entries.len()];
    for &i in order.iter().take(max) {
        keep[i] = true;
    }
    entries
        .into_iter()
        .zip(keep)
        .filter_map(|(entry, kept)| kept.then_some(entry))
        .collect()
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

/// Nothing a reader could see or follow.
fn is_empty(entry: &Entry) -> bool {
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    blank(&entry.title)
        && blank(&entry.link)
        && blank(&entry.content)
        && blank(&entry.summary)
        && entry.enclosures.is_empty()
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
        origin: entry.origin.map(|origin| syndic_core::EntryOrigin {
            title: truncate_chars(origin.title, MAX_AUTHOR_CHARS),
            url: origin.url,
            feed: origin.feed,
        }),
        enclosures: kept_enclosures(entry.enclosures, number, warnings),
        original_links: entry.original_links,
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

/// The enclosures an item keeps ([`syndic_core::keep_enclosures`]), with a warning for
/// what it drops.
fn kept_enclosures(
    enclosures: Vec<crate::Enclosure>,
    number: usize,
    warnings: &mut Vec<String>,
) -> Vec<syndic_core::Enclosure> {
    let kept =
        syndic_core::keep_enclosures(enclosures.into_iter().map(|e| syndic_core::Enclosure {
            url: e.url,
            mime_type: e.mime_type,
            length: Some(e.length),
            title: e.title,
            thumbnail: e.thumbnail,
            duration: e.duration,
        }));
    if kept.refused > 0 {
        warnings.push(format!(
            "item {number}: {} enclosure(s) with an address that is too long or repeated were dropped",
            kept.refused
        ));
    }
    if kept.beyond_limit > 0 {
        warnings.push(format!(
            "item {number}: only the first {} of its enclosures were kept",
            syndic_core::MAX_ENCLOSURES
        ));
    }
    kept.kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_document;

    /// Feed files the pipeline is checked on: the crate's and the repository's fixtures,
    /// and every third file of the real corpus when it is there (see
    /// `tests/real_corpus.rs`; all of it takes long in a debug build); and whether it was.
    fn feed_files() -> (Vec<std::path::PathBuf>, bool) {
        let crate_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![
            crate_dir.join("tests/fixtures"),
            crate_dir.join("../../tests/fixtures"),
        ];
        let corpus = crate::shared_folder::corpus_dir();
        let with_corpus = corpus.is_some();
        let mut files = Vec::new();
        if let Some(corpus) = corpus {
            let mut real: Vec<_> = std::fs::read_dir(corpus)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            real.sort();
            files.extend(real.into_iter().step_by(3));
        }
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        (files, with_corpus)
    }

    /// The shortcuts (no ammonia for inert text, layout from a scan, one sanitizing for a
    /// summary equal to the content) change nothing: every body of every fixture comes out
    /// as ammonia and the html5ever layout make it, and so does each stored entry.
    #[test]
    fn shortcuts_give_what_the_parsers_give_on_every_fixture() {
        let base = Url::parse("https://example.org/feed/").expect("base");
        let raw = ReadOptions {
            base_url: Some(base.clone()),
            raw_html: true,
            ..ReadOptions::default()
        };
        let mut failures = Vec::new();
        let (files, with_corpus) = feed_files();
        assert!(files.len() >= 25, "fixtures not found: {files:?}");
        let mut bodies = 0;
        for path in &files {
            let bytes = std::fs::read(path).expect("a readable fixture");
            if let Ok(doc) = read_document(&bytes, &raw) {
                for entry in &doc.entries {
                    for body in entry.summary.iter().chain(&entry.content) {
                        bodies += 1;
                        let clean = crate::sanitize::clean(body, Some(&base));
                        // `sanitize_html` is `clean` but for inert text, kept as it is.
                        if crate::sanitize::is_inert_text(body) && *body != clean {
                            failures.push(format!("{}: sanitized body differs", path.display()));
                        }
                        if html_to_text(&clean) != crate::text::parsed_to_text(&clean) {
                            failures.push(format!("{}: text differs", path.display()));
                        }
                    }
                }
            }
            if let Ok(parsed) = parse(&bytes, Some(&base)) {
                for entry in &parsed.entries {
                    if entry.content_text != crate::text::parsed_to_text(&entry.content_html) {
                        failures.push(format!("{}: entry text differs", path.display()));
                    }
                }
            }
        }
        // The repository's fixtures alone hold 40 bodies; the corpus adds hundreds.
        let least = if with_corpus { 50 } else { 40 };
        if !with_corpus {
            println!(
                "{}",
                crate::shared_folder::skip_reason("the real-feed corpus")
            );
        }
        assert!(bodies >= least, "only {bodies} bodies");
        failures.dedup();
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn a_source_element_names_the_original_feed_by_its_own_address() {
        let rss = br#"<rss version="2.0"><channel><title>Planet</title><link>https://planet.example/</link><item><title>Kelp</title><guid>g1</guid><source url="https://blog.example/rss.xml">Blog</source></item></channel></rss>"#;
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Planet</title><id>urn:p</id><entry><id>urn:g1</id><title>Kelp</title><source><title>Blog</title><link rel="alternate" href="https://blog.example/"/><link rel="self" href="https://blog.example/atom.xml"/></source></entry></feed>"#;
        let origins: Vec<(Option<String>, Option<String>)> = [&rss[..], &atom[..]]
            .iter()
            .map(|doc| {
                let parsed = parse(doc, None).expect("parses");
                let origin = parsed.entries[0].origin.clone().expect("an origin");
                (origin.url, origin.feed)
            })
            .collect();
        assert_eq!(
            origins,
            [
                (
                    Some("https://blog.example/rss.xml".to_owned()),
                    Some("https://blog.example/rss.xml".to_owned())
                ),
                (
                    Some("https://blog.example/".to_owned()),
                    Some("https://blog.example/atom.xml".to_owned())
                ),
            ]
        );
    }

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

    #[test]
    fn an_empty_item_is_not_a_post() {
        let doc = br#"<rss version="2.0"><channel><title>t</title><link>https://a.example/</link><item><title>Real</title><link>https://a.example/1</link><item /></item><item></item></channel></rss>"#;
        let parsed = parse(doc, None).expect("parses");
        let titles: Vec<&str> = parsed.entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["Real"]);
        let skipped = parsed
            .warnings
            .iter()
            .filter(|w| w.contains("skipped"))
            .count();
        assert_eq!(skipped, 2, "{:?}", parsed.warnings);
        // `syndic parse` still shows every item the document has.
        let doc = crate::read_document(doc, &crate::ReadOptions::default()).expect("reads");
        assert_eq!(doc.entries.len(), 3);
    }
}
