//! One feed-rs entry → one [`FeedEntry`].

use feed_rs::model::{Category, Entry, Person};
use syndic_core::FeedEntry;
use url::Url;

use crate::parse::{absolute_http_url, alternate_link, title_text};
use crate::{FeedFormat, html_to_text, identity, sanitize_html, text};

/// Longest title kept, in characters.
const MAX_TITLE_CHARS: usize = 1024;
/// Longest author name kept, in characters.
const MAX_AUTHOR_CHARS: usize = 256;
/// Longest category kept, in characters, and most categories kept per item.
const MAX_CATEGORY_CHARS: usize = 128;
const MAX_CATEGORIES: usize = 50;
/// Content beyond this many bytes is cut before sanitizing.
const MAX_CONTENT_BYTES: usize = 1 << 20;

/// What every entry of one document shares.
pub(crate) struct Context<'a> {
    pub(crate) format: FeedFormat,
    /// Base for relative URLs: the document's URL, else the feed's site link.
    pub(crate) base: Option<&'a Url>,
    /// Authors entries inherit when they name none (Atom only).
    pub(crate) feed_authors: &'a [Person],
}

/// Converts entry number `number` (1-based, for warnings) of the document. A link that
/// had to be dropped is added to `dropped_links` (the caller reports them together).
pub(crate) fn convert(
    entry: Entry,
    number: usize,
    context: &Context<'_>,
    warnings: &mut Vec<String>,
    dropped_links: &mut Vec<(usize, String)>,
) -> FeedEntry {
    let json = context.format == FeedFormat::JsonFeed;
    let title = entry
        .title
        .as_ref()
        .map(|t| truncate_chars(title_text(t), MAX_TITLE_CHARS))
        .unwrap_or_default();
    let raw_link = alternate_link(&entry.links, json);
    let link = raw_link.and_then(|href| absolute_http_url(href, context.base));
    if let (Some(raw), None) = (raw_link, &link) {
        dropped_links.push((number, shorten(raw)));
    }
    let published = entry.published.or(entry.updated);
    // feed-rs copies an RSS item's pubDate into `updated`; an RSS item has no update time
    // of its own unless it says so with a different date.
    let updated = match context.format {
        FeedFormat::Rss09 | FeedFormat::Rss1 | FeedFormat::Rss2 => {
            entry.updated.filter(|u| Some(*u) != entry.published)
        }
        _ => entry.updated,
    };
    let author = author_name(&entry.authors).or_else(|| author_name(context.feed_authors));
    let content_base = content_base(&entry, link.as_deref(), context.base);
    let content_html = content_html(
        &entry,
        context.format,
        content_base.as_ref(),
        number,
        warnings,
    );
    let content_text = html_to_text(&content_html);
    let categories = categories(&entry.categories, number, warnings);
    let guid = identity::entry_guid(&entry.id, link.as_deref(), &title, published);
    FeedEntry {
        guid,
        title,
        link,
        author,
        published,
        updated,
        content_html,
        content_text,
        categories,
    }
}

/// The base for URLs inside the content: the content's `xml:base`, else the item's link,
/// else the document's base.
fn content_base(entry: &Entry, link: Option<&str>, base: Option<&Url>) -> Option<Url> {
    entry
        .base
        .as_deref()
        .and_then(|b| absolute_http_url(b, base))
        .or_else(|| link.map(str::to_owned))
        .and_then(|s| Url::parse(&s).ok())
        .or_else(|| base.cloned())
}

/// The content body (else the summary), sanitized. Plain-text bodies are escaped into
/// paragraphs first.
fn content_html(
    entry: &Entry,
    format: FeedFormat,
    base: Option<&Url>,
    number: usize,
    warnings: &mut Vec<String>,
) -> String {
    let rss = matches!(
        format,
        FeedFormat::Rss09 | FeedFormat::Rss1 | FeedFormat::Rss2
    );
    let from_content = entry.content.as_ref().and_then(|c| {
        let body = c.body.as_deref().filter(|b| !b.trim().is_empty())?;
        body_kind(c.content_type.as_str(), rss).map(|html| (body, html))
    });
    let from_summary = || {
        let summary = entry
            .summary
            .as_ref()
            .filter(|s| !s.content.trim().is_empty())?;
        body_kind(summary.content_type.as_str(), rss).map(|html| (summary.content.as_str(), html))
    };
    let Some((body, html)) = from_content.or_else(from_summary) else {
        return String::new();
    };
    let body = if body.len() > MAX_CONTENT_BYTES {
        warnings.push(format!(
            "item {number}: content of {} bytes was cut to the first {MAX_CONTENT_BYTES}",
            body.len()
        ));
        &body[..floor_char_boundary(body, MAX_CONTENT_BYTES)]
    } else {
        body
    };
    let sanitized = if html {
        sanitize_html(body, base)
    } else {
        sanitize_html(&text_to_html(body), base)
    };
    // Whitespace around the markup (CDATA padding) means nothing.
    sanitized
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_owned()
}

/// Whether a body of this media type is HTML (`Some(true)`), plain text (`Some(false)`) or
/// neither (`None`: an image, some XML, …). RSS bodies are HTML whatever feed-rs says.
fn body_kind(mime: &str, rss: bool) -> Option<bool> {
    if rss || mime.contains("html") {
        Some(true)
    } else if mime.starts_with("text/") {
        Some(false)
    } else {
        None
    }
}

/// Plain text as HTML: escaped, blank-line separated paragraphs in `<p>`, single newlines
/// as `<br>`.
fn text_to_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    let normalized = text.replace("\r\n", "\n");
    let paragraphs = normalized
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty());
    for paragraph in paragraphs {
        html.push_str("<p>");
        for (i, line) in paragraph.lines().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            for c in line.chars() {
                match c {
                    '<' => html.push_str("&lt;"),
                    '>' => html.push_str("&gt;"),
                    '&' => html.push_str("&amp;"),
                    '"' => html.push_str("&quot;"),
                    c => html.push(c),
                }
            }
        }
        html.push_str("</p>");
    }
    html
}

/// The first author that has a name. RSS `<author>` is often `email (Name)`: feed-rs keeps
/// `(Name)`, and the parentheses go here.
fn author_name(authors: &[Person]) -> Option<String> {
    authors.iter().find_map(|person| {
        let name = text::collapse_whitespace(person.name.as_deref()?);
        let name = strip_wrapping(&name, '(', ')');
        let name = strip_wrapping(name, '"', '"');
        let name = name.trim();
        (!name.is_empty()).then(|| truncate_chars(name.to_owned(), MAX_AUTHOR_CHARS))
    })
}

fn strip_wrapping(s: &str, open: char, close: char) -> &str {
    s.strip_prefix(open)
        .and_then(|inner| inner.strip_suffix(close))
        .unwrap_or(s)
}

/// Category terms (or labels when a term is empty), trimmed, de-duplicated in order.
fn categories(categories: &[Category], number: usize, warnings: &mut Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for category in categories {
        let term = text::collapse_whitespace(&category.term);
        let term = if term.is_empty() {
            category
                .label
                .as_deref()
                .map(text::collapse_whitespace)
                .unwrap_or_default()
        } else {
            term
        };
        let term = truncate_chars(term, MAX_CATEGORY_CHARS);
        if term.is_empty() || out.contains(&term) {
            continue;
        }
        if out.len() == MAX_CATEGORIES {
            warnings.push(format!(
                "item {number}: only the first {MAX_CATEGORIES} of its categories were kept"
            ));
            break;
        }
        out.push(term);
    }
    out
}

fn truncate_chars(mut s: String, max: usize) -> String {
    if let Some((cut, _)) = s.char_indices().nth(max) {
        s.truncate(cut);
        s.truncate(s.trim_end().len());
    }
    s
}

/// A value quoted in a warning, cut so a hostile feed cannot flood the log.
fn shorten(s: &str) -> String {
    truncate_chars(s.to_owned(), 120)
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    (0..=max.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
