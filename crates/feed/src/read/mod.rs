//! The feed interpreter: an XML [`Tree`](crate::xml::Tree) or a JSON document →
//! [`Document`](crate::model::Document).
//!
//! [`read_document`] tells JSON from XML, reads XML with the lenient reader, finds the
//! format from the root element, lets `rss.rs` / `atom.rs` / `json.rs` fill the model, and
//! then does what every format shares: ids for entries without one, repeated ids told
//! apart, warnings in order (the XML reader's first).

mod atom;
mod draft;
mod json;
mod media;
mod ns;
mod rss;
mod values;

use std::borrow::Cow;

use url::Url;

use crate::FeedError;
use crate::identity;
use crate::model::{Document, Format};
use crate::xml::Element;
use ns::Ns;
use values::Reader;

/// How to read one document.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Where the document came from: the base for relative URLs (below any `xml:base`).
    pub base_url: Option<Url>,
    /// The HTTP `Content-Type` it was served with, for its charset (RFC 7303).
    pub content_type: Option<String>,
    /// Skip sanitizing HTML bodies (benchmarks measure parsing alone with this).
    pub raw_html: bool,
    /// The most entries read from the document; `None` reads them all. Beyond it the
    /// newest by date are kept (dated before undated, then document order) and the others
    /// are skipped while reading, so memory follows the entries kept, not the document's
    /// length; a warning says how many were skipped.
    pub max_entries: Option<usize>,
}

/// Reads one feed document of any supported format.
///
/// Fails only when there is no feed: empty input, an HTML page or another document that
/// is not a feed, or bytes the XML/JSON readers cannot make anything of. Everything
/// repaired or guessed on the way is in [`Document::warnings`].
pub fn read_document(bytes: &[u8], options: &ReadOptions) -> Result<Document, FeedError> {
    read_source(Cow::Borrowed(bytes), options)
}

/// [`read_document`] of bytes that may be owned: owned bytes are freed as soon as the
/// XML tree (or the JSON items) has been read, before the entries are interpreted.
pub(crate) fn read_source(
    bytes: Cow<'_, [u8]>,
    options: &ReadOptions,
) -> Result<Document, FeedError> {
    let body = crate::sniff::strip_bom(&bytes);
    crate::sniff::check(body)?;
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let mut doc = if first == Some(&b'{') {
        json::read_json(bytes, options)?
    } else {
        read_xml(bytes, options)?
    };
    finish(&mut doc);
    Ok(doc)
}

fn read_xml(bytes: Cow<'_, [u8]>, options: &ReadOptions) -> Result<Document, FeedError> {
    let cap = options.max_entries.map(|max| crate::xml::EntryCap {
        max,
        is_entry: is_entry_element,
        date: entry_date,
    });
    let tree = crate::xml::read_capped(&bytes, options.content_type.as_deref(), cap)?;
    drop(bytes);
    let mut warnings = tree.warnings;
    if tree.entries_dropped > 0 {
        warnings.push(skipped_entries(tree.entries_seen, tree.entries_dropped));
    }
    let (format, family) = detect(&tree.root, &mut warnings)?;
    let mut reader = Reader::new(options);
    let mut doc = match family {
        Family::Rss => rss::read(&mut reader, &tree.root, format),
        Family::Atom => atom::read(&mut reader, &tree.root, format),
    };
    warnings.append(&mut reader.warnings);
    if let Some(first) = reader.dropped_links.first() {
        let what = match reader.dropped_links.len() {
            1 => format!("the link {first:?} was dropped"),
            n => format!("{n} links were dropped (the first: {first:?})"),
        };
        warnings.push(format!(
            "{what}: links must be http(s) URLs, and relative ones need a base URL to resolve \
             against"
        ));
    }
    doc.encoding = tree.encoding;
    doc.truncated = tree.truncated;
    warnings.append(&mut doc.warnings);
    doc.warnings = warnings;
    Ok(doc)
}

/// The warning for entries skipped under [`ReadOptions::max_entries`].
fn skipped_entries(seen: usize, dropped: usize) -> String {
    format!(
        "the feed has {seen} entries, more than are read from one document; the newest {} \
         were read and {dropped} older {} skipped",
        seen - dropped,
        crate::xml::were(dropped)
    )
}

/// Whether the XML reader should count `el` as an entry: an `<item>` or `<entry>`, in
/// any namespace (the interpreters decide later which of those they read).
fn is_entry_element(el: &Element) -> bool {
    el.local.eq_ignore_ascii_case("item") || el.local.eq_ignore_ascii_case("entry")
}

/// An entry's date for the cap: its first publication date (`pubDate`, `published`,
/// `issued`, `created`, `dc:date`), else its first update date (`updated`, `modified`,
/// `lastBuildDate`).
fn entry_date(entry: &Element) -> Option<chrono::DateTime<chrono::Utc>> {
    let dated = |names: &[&str]| {
        entry
            .elements()
            .filter(|el| names.iter().any(|n| el.local.eq_ignore_ascii_case(n)))
            .find_map(values::date)
    };
    dated(&["pubDate", "published", "issued", "created", "date"])
        .or_else(|| dated(&["updated", "modified", "lastBuildDate"]))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Rss,
    Atom,
}

/// The format of a document with root element `root`.
fn detect(root: &Element, warnings: &mut Vec<String>) -> Result<(Format, Family), FeedError> {
    let name = root.local.to_ascii_lowercase();
    match name.as_str() {
        "rss" => {
            let version = root.attr("version").map(str::trim);
            let format = match version {
                Some("0.90" | "0.9") => Format::Rss090,
                Some("0.91") => Format::Rss091,
                Some("0.92") => Format::Rss092,
                Some("0.93") => Format::Rss093,
                Some("0.94") => Format::Rss094,
                Some("2.0" | "2" | "2.00" | "2.0.1") => Format::Rss20,
                Some(other) => {
                    warnings.push(format!(
                        "the <rss> root has version {other:?}; it was read as RSS 2.0"
                    ));
                    Format::Rss20
                }
                // Common and harmless (feedparser does not flag it either): read as 2.0.
                None => Format::Rss20,
            };
            Ok((format, Family::Rss))
        }
        "rdf" => {
            let rss090 = root.elements().any(|e| ns::of(e) == Ns::Rss090);
            let format = if rss090 {
                Format::Rss090
            } else {
                Format::Rss10
            };
            Ok((format, Family::Rss))
        }
        "channel" => {
            warnings.push(
                "the document has a <channel> root without <rss>; it was read as RSS 2.0"
                    .to_owned(),
            );
            Ok((Format::Rss20, Family::Rss))
        }
        "feed" => {
            let format = match ns::of(root) {
                Ns::Atom10 => Format::Atom10,
                Ns::Atom03 => Format::Atom03,
                _ => {
                    let version = root.attr("version").map(str::trim);
                    if matches!(version, Some("0.3" | "0.2" | "0.1")) {
                        warnings.push(
                            "the <feed> root has no Atom namespace; it was read as Atom 0.3"
                                .to_owned(),
                        );
                        Format::Atom03
                    } else {
                        warnings.push(
                            "the <feed> root has no Atom namespace; it was read as Atom 1.0"
                                .to_owned(),
                        );
                        Format::Atom10
                    }
                }
            };
            Ok((format, Family::Atom))
        }
        _ => Err(FeedError::NotAFeed {
            reason: format!(
                "the root element is <{}>; a feed starts with <rss>, <rdf:RDF> or <feed>",
                values::shorten(&root.local)
            ),
        }),
    }
}

/// A document of `format` with nothing in it yet.
pub(crate) fn empty_document(format: Format) -> Document {
    Document {
        format,
        title: None,
        link: None,
        self_link: None,
        description: None,
        language: None,
        updated: None,
        authors: Vec::new(),
        image: None,
        generator: None,
        encoding: String::new(),
        ttl: None,
        update_period: None,
        update_frequency: None,
        hubs: Vec::new(),
        warnings: Vec::new(),
        truncated: false,
        entries: Vec::new(),
        deleted: Vec::new(),
    }
}

/// What every format shares: ids for entries without one, repeats told apart.
fn finish(doc: &mut Document) {
    for entry in &mut doc.entries {
        let id = entry.id.trim();
        entry.id_is_native = !id.is_empty();
        entry.id = identity::entry_guid(
            id,
            entry.link.as_deref(),
            entry.title.as_deref().unwrap_or_default(),
            entry.published.or(entry.updated),
        );
    }
    identity::disambiguate(&mut doc.entries, &mut doc.warnings);
}

#[cfg(test)]
mod tests;
