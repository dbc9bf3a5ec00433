//! JSON Feed 1.0 and 1.1 → [`Document`].
//!
//! Lenient like the XML readers: a field of the wrong type (`"title": 5`) is skipped with a
//! warning, an item that is not an object is skipped with a warning, an `http://` version
//! URL is accepted and a feed-shaped document (an `items` array) with a missing or unknown
//! version is read as 1.1 with a warning. Only JSON that is broken (truncated, nested
//! deeper than serde_json's recursion limit of 128) or that is not a feed at all is an
//! error.
//!
//! Titles, descriptions and author names are plain text (kept literally, `<` and `&`
//! included, whitespace collapsed). `content_html` is sanitized against the item's URL (or
//! the document's base) unless [`ReadOptions::raw_html`] is set; `content_text` and
//! `summary` are plain text and come out escaped (`content_text` as `<p>` paragraphs). URLs
//! are resolved against [`ReadOptions::base_url`], else the feed's own `feed_url`; anything
//! that is not http(s) is dropped with a warning. Items without authors inherit the feed's
//! (JSON Feed 1.1, section "authors"). An empty or missing item id is left empty with
//! `id_is_native = false`; the common finishing step derives one.

mod attachments;
mod top;

use std::borrow::Cow;

use serde_json::{Map, Value};
use top::{Items, Top};
use url::Url;

use crate::FeedError;
use crate::date::parse_date;
use crate::model::{Document, Entry, Format};
use crate::read::ReadOptions;
use crate::read::values::{shorten, text_to_html};
use crate::text::collapse_whitespace;

/// The most distinct warnings kept for one document; repeats are dropped.
const MAX_WARNINGS: usize = 50;

/// Reads one JSON Feed document; owned bytes are freed once the items are read.
pub(crate) fn read_json(
    bytes: Cow<'_, [u8]>,
    options: &ReadOptions,
) -> Result<Document, FeedError> {
    let mut warnings = Warnings::default();
    let (text, encoding) = decode(&bytes, &mut warnings);
    if text.trim().is_empty() {
        return Err(FeedError::Empty);
    }
    let top = top::read(&text, options.max_entries).map_err(|error| FeedError::Malformed {
        syntax: "JSON",
        detail: error.to_string(),
    })?;
    drop(text);
    drop(bytes);
    let (feed, items) = match top {
        Top::Object { feed, items } => (feed, items),
        Top::Other(type_name) => {
            return Err(FeedError::NotAFeed {
                reason: format!("the JSON document is {type_name}, not a JSON Feed object"),
            });
        }
    };
    let format = version(&feed, matches!(items, Items::Array(_)), &mut warnings)?;

    let mut reader = Reader {
        warnings,
        base: options.base_url.clone(),
        options,
    };
    let self_link = reader.url_field(&feed, "feed_url", "feed");
    if reader.base.is_none() {
        reader.base = self_link.as_deref().and_then(|u| Url::parse(u).ok());
    }
    let title = reader.text_field(&feed, "title", "feed");
    let link = reader.url_field(&feed, "home_page_url", "feed");
    let description = reader.text_field(&feed, "description", "feed");
    let language = reader.trimmed_field(&feed, "language", "feed");
    let image = reader
        .url_field(&feed, "icon", "feed")
        .or_else(|| reader.url_field(&feed, "favicon", "feed"));
    let authors = reader.authors(&feed, "feed");
    let hubs = reader.hubs(&feed);

    let mut entries = Vec::new();
    match items {
        Items::Array(items) => {
            if items.dropped > 0 {
                reader.warn(super::skipped_entries(items.seen, items.dropped));
            }
            for item in items.kept {
                match item {
                    Value::Object(item) => entries.push(reader.item(&item, &authors)),
                    other => reader.warn(format!(
                        "an item is {}, not an object; skipped",
                        type_name(&other)
                    )),
                }
            }
        }
        Items::Missing => reader.warn("the feed has no `items` array".to_owned()),
        Items::NotArray(type_name) => reader.warn(format!(
            "the feed's `items` is {type_name}, not an array; no items read"
        )),
    }

    Ok(Document {
        truncated: false,
        format,
        title,
        link,
        self_link,
        description,
        language,
        updated: None,
        authors,
        image,
        generator: None,
        encoding: encoding.to_owned(),
        ttl: None,
        update_period: None,
        update_frequency: None,
        hubs,
        warnings: reader.warnings.list,
        entries,
        deleted: Vec::new(),
    })
}

/// The text of the document: UTF-8 (a BOM skipped), UTF-16 when it starts with a UTF-16
/// BOM, invalid bytes replaced with a warning.
fn decode<'b>(bytes: &'b [u8], warnings: &mut Warnings) -> (Cow<'b, str>, &'static str) {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes)
        && encoding != encoding_rs::UTF_8
    {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            warnings.push(format!(
                "the document is not valid {}; invalid bytes were replaced",
                encoding.name()
            ));
        }
        let name = if encoding == encoding_rs::UTF_16BE {
            "utf-16be"
        } else {
            "utf-16le"
        };
        return (text, name);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    if matches!(text, Cow::Owned(_)) {
        warnings.push(
            "the document is not valid UTF-8; invalid bytes were replaced with U+FFFD".to_owned(),
        );
    }
    (text, "utf-8")
}

/// The JSON Feed version, or why this JSON is not a feed (`feed_shaped`: it has an
/// `items` array).
fn version(
    feed: &Map<String, Value>,
    feed_shaped: bool,
    warnings: &mut Warnings,
) -> Result<Format, FeedError> {
    let written = feed.get("version").and_then(Value::as_str).map(str::trim);
    let known = written.and_then(|v| {
        let rest = v
            .strip_prefix("https://")
            .or_else(|| v.strip_prefix("http://"))?;
        let rest = rest.strip_prefix("www.").unwrap_or(rest);
        match rest
            .strip_prefix("jsonfeed.org/version/")?
            .trim_end_matches('/')
        {
            "1" | "1.0" => Some(Format::JsonFeed10),
            "1.1" => Some(Format::JsonFeed11),
            _ => None,
        }
    });
    if let Some(format) = known {
        return Ok(format);
    }
    let jsonfeed_version = written.is_some_and(|v| v.contains("jsonfeed.org/version/"));
    if !feed_shaped && !jsonfeed_version {
        let mut keys: Vec<&str> = feed.keys().map(String::as_str).take(8).collect();
        if feed.len() > keys.len() {
            keys.push("…");
        }
        return Err(FeedError::NotAFeed {
            reason: format!(
                "a JSON object without a JSON Feed `version` (https://jsonfeed.org/version/1.1) \
                 or an `items` array (its keys: {})",
                if keys.is_empty() {
                    "none".to_owned()
                } else {
                    keys.join(", ")
                }
            ),
        });
    }
    warnings.push(match written {
        Some(v) => format!("unknown JSON Feed version {v:?}; read as JSON Feed 1.1"),
        None => "the JSON Feed has no `version`; read as JSON Feed 1.1".to_owned(),
    });
    Ok(Format::JsonFeed11)
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Distinct warnings, at most [`MAX_WARNINGS`].
#[derive(Default)]
struct Warnings {
    list: Vec<String>,
}

impl Warnings {
    fn push(&mut self, message: String) {
        if self.list.len() < MAX_WARNINGS && !self.list.contains(&message) {
            self.list.push(message);
        }
    }
}

struct Reader<'o> {
    warnings: Warnings,
    /// Base for relative URLs: the caller's, else the feed's `feed_url`.
    base: Option<Url>,
    options: &'o ReadOptions,
}

impl Reader<'_> {
    fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }

    /// A string field; `null` or absent → `None`; another type → `None` with a warning.
    fn string<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        key: &str,
        owner: &str,
    ) -> Option<&'v str> {
        match object.get(key)? {
            Value::String(s) => Some(s),
            Value::Null => None,
            other => {
                self.warn(format!(
                    "{owner} field `{key}` is {}, not a string; ignored",
                    type_name(other)
                ));
                None
            }
        }
    }

    /// Plain text, whitespace collapsed; empty → `None`.
    fn text_field(
        &mut self,
        object: &Map<String, Value>,
        key: &str,
        owner: &str,
    ) -> Option<String> {
        let text = collapse_whitespace(self.string(object, key, owner)?);
        (!text.is_empty()).then_some(text)
    }

    fn trimmed_field(
        &mut self,
        object: &Map<String, Value>,
        key: &str,
        owner: &str,
    ) -> Option<String> {
        let text = self.string(object, key, owner)?.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }

    fn url_field(&mut self, object: &Map<String, Value>, key: &str, owner: &str) -> Option<String> {
        let href = self.string(object, key, owner)?;
        self.url(href, key, owner)
    }

    /// `href` as an absolute http(s) URL, or `None` with a warning.
    fn url(&mut self, href: &str, key: &str, owner: &str) -> Option<String> {
        let href = href.trim();
        if href.is_empty() {
            return None;
        }
        let parsed = match Url::parse(href) {
            Ok(url) => Some(url),
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                self.base.as_ref().and_then(|base| base.join(href).ok())
            }
            Err(_) => None,
        };
        match parsed {
            Some(url) if matches!(url.scheme(), "http" | "https") => Some(url.into()),
            Some(url) => {
                self.warn(format!(
                    "{owner} field `{key}` is a {}: URL, not http(s); dropped",
                    url.scheme()
                ));
                None
            }
            None => {
                self.warn(format!(
                    "{owner} field `{key}` ({:?}) is not a usable absolute URL; dropped",
                    shorten(href)
                ));
                None
            }
        }
    }

    /// Author names: 1.1 `authors` (an array), else 1.0 `author` (one object).
    fn authors(&mut self, object: &Map<String, Value>, owner: &str) -> Vec<String> {
        let mut names = Vec::new();
        match object.get("authors") {
            Some(Value::Array(authors)) => {
                for author in authors {
                    self.add_author(&mut names, author, owner);
                }
            }
            None | Some(Value::Null) => {}
            Some(other) => self.warn(format!(
                "{owner} field `authors` is {}, not an array; ignored",
                type_name(other)
            )),
        }
        if names.is_empty()
            && let Some(author) = object.get("author")
        {
            self.add_author(&mut names, author, owner);
        }
        names
    }

    fn add_author(&mut self, names: &mut Vec<String>, author: &Value, owner: &str) {
        match author {
            Value::Object(author) => {
                if let Some(name) = self.text_field(author, "name", "author")
                    && !names.contains(&name)
                {
                    names.push(name);
                }
            }
            Value::String(name) => {
                let name = collapse_whitespace(name);
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
            Value::Null => {}
            other => self.warn(format!(
                "an author of the {owner} is {}, not an object; ignored",
                type_name(other)
            )),
        }
    }

    fn hubs(&mut self, feed: &Map<String, Value>) -> Vec<String> {
        let mut hubs = Vec::new();
        match feed.get("hubs") {
            Some(Value::Array(list)) => {
                for hub in list {
                    match hub {
                        Value::Object(hub) => {
                            if let Some(url) = self.url_field(hub, "url", "hub")
                                && !hubs.contains(&url)
                            {
                                hubs.push(url);
                            }
                        }
                        other => self.warn(format!(
                            "a hub is {}, not an object; ignored",
                            type_name(other)
                        )),
                    }
                }
            }
            None | Some(Value::Null) => {}
            Some(other) => self.warn(format!(
                "feed field `hubs` is {}, not an array; ignored",
                type_name(other)
            )),
        }
        hubs
    }

    fn item(&mut self, item: &Map<String, Value>, feed_authors: &[String]) -> Entry {
        let id = match item.get("id") {
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            None | Some(Value::Null) => String::new(),
            Some(other) => {
                self.warn(format!(
                    "item field `id` is {}, not a string; ignored",
                    type_name(other)
                ));
                String::new()
            }
        };
        let url = self.url_field(item, "url", "item");
        let title = self.text_field(item, "title", "item");

        // HTML is resolved against the item's own page, not the `external_url` it links to.
        let content_base = url
            .as_deref()
            .and_then(|l| Url::parse(l).ok())
            .or_else(|| self.base.clone());
        let link = url.or_else(|| self.url_field(item, "external_url", "item"));
        let content = match self.string(item, "content_html", "item") {
            Some(html) if !html.trim().is_empty() => Some(if self.options.raw_html {
                html.to_owned()
            } else {
                crate::sanitize_html(html, content_base.as_ref())
            }),
            _ => self
                .string(item, "content_text", "item")
                .map(text_to_html)
                .filter(|html| !html.is_empty()),
        };
        let summary = self
            .string(item, "summary", "item")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(text_to_html);

        let published = self.date(item, "date_published");
        let updated = self.date(item, "date_modified");

        let mut authors = self.authors(item, "item");
        if authors.is_empty() {
            authors = feed_authors.to_vec();
        }
        let categories = self.tags(item);
        let enclosures = self.attachments(item);
        let language = self.trimmed_field(item, "language", "item");

        Entry {
            id_is_native: !id.is_empty(),
            id,
            title,
            link,
            authors,
            published,
            updated,
            summary,
            content,
            categories,
            enclosures,
            comments: None,
            language,
            origin: None,
            original_links: Vec::new(),
        }
    }

    fn date(
        &mut self,
        item: &Map<String, Value>,
        key: &str,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let text = self.string(item, key, "item")?;
        if text.trim().is_empty() {
            return None;
        }
        let date = parse_date(text);
        if date.is_none() {
            self.warn(format!(
                "item field `{key}` ({:?}) is not a date between 1970 and 2100; ignored",
                shorten(text)
            ));
        }
        date
    }

    fn tags(&mut self, item: &Map<String, Value>) -> Vec<String> {
        let mut tags: Vec<String> = Vec::new();
        match item.get("tags") {
            Some(Value::Array(list)) => {
                for tag in list {
                    match tag {
                        Value::String(tag) => {
                            let tag = collapse_whitespace(tag);
                            if !tag.is_empty() && !tags.contains(&tag) {
                                tags.push(tag);
                            }
                        }
                        Value::Number(n) => tags.push(n.to_string()),
                        other => self.warn(format!(
                            "an item tag is {}, not a string; ignored",
                            type_name(other)
                        )),
                    }
                }
            }
            Some(Value::String(tag)) => {
                let tag = collapse_whitespace(tag);
                if !tag.is_empty() {
                    tags.push(tag);
                }
            }
            None | Some(Value::Null) => {}
            Some(other) => self.warn(format!(
                "item field `tags` is {}, not an array; ignored",
                type_name(other)
            )),
        }
        tags
    }
}

#[cfg(test)]
mod tests;
