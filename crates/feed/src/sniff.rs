//! A look at the first bytes of a document, to tell "no feed here" apart from "broken
//! feed" and to say what the document is instead.

use crate::FeedError;

/// What the document starts with, after a byte-order mark, whitespace, the XML
/// declaration, comments and a doctype.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// `{`: a JSON object.
    Json,
    /// An XML/HTML root element, with its local name (prefix dropped, lower-cased) and
    /// its `version` attribute.
    Element {
        name: String,
        version: Option<String>,
    },
    /// A doctype that names `html`.
    HtmlDoctype,
    /// Anything else: the first characters, for the error message.
    Other(String),
    /// UTF-16 or another encoding we cannot read here; left to the parser.
    Unknown,
}

/// The bytes without a UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Rejects documents that cannot hold a feed: empty ones and HTML pages.
pub(crate) fn check(bytes: &[u8]) -> Result<(), FeedError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
        return Err(FeedError::Empty);
    }
    match start(bytes) {
        Start::HtmlDoctype => Err(html_page("<!DOCTYPE html>")),
        Start::Element { name, .. } if matches!(name.as_str(), "html" | "head" | "body") => {
            Err(html_page(&format!("<{name}>")))
        }
        Start::Other(text) => Err(FeedError::NotAFeed {
            reason: format!(
                "the document is neither XML nor JSON (it starts with {text:?}); point the \
                 source at the site's RSS/Atom/JSON feed"
            ),
        }),
        _ => Ok(()),
    }
}

fn html_page(start: &str) -> FeedError {
    FeedError::NotAFeed {
        reason: format!(
            "the document is HTML (starts with {start}); point the source at the site's \
             RSS/Atom/JSON feed"
        ),
    }
}

/// Looks at how the document starts.
pub(crate) fn start(bytes: &[u8]) -> Start {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Start::Unknown;
    }
    let mut rest = strip_bom(bytes);
    loop {
        rest = trim_start(rest);
        if rest.starts_with(b"{") {
            return Start::Json;
        }
        if !rest.starts_with(b"<") {
            return Start::Other(preview(rest));
        }
        if let Some(after) =
            skip_between(rest, b"<?", b"?>").or_else(|| skip_between(rest, b"<!--", b"-->"))
        {
            rest = after;
            continue;
        }
        if starts_with_ignore_case(rest, b"<!doctype") {
            let doctype_name = trim_start(&rest[9..]);
            if starts_with_ignore_case(doctype_name, b"html") {
                return Start::HtmlDoctype;
            }
            match skip_between(rest, b"<!", b">") {
                Some(after) => {
                    rest = after;
                    continue;
                }
                None => return Start::Unknown,
            }
        }
        return element(&rest[1..]);
    }
}

fn element(tag: &[u8]) -> Start {
    let end = tag
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
        .unwrap_or(tag.len());
    let qualified = String::from_utf8_lossy(&tag[..end]).to_ascii_lowercase();
    let name = qualified.rsplit(':').next().unwrap_or_default().to_owned();
    if name.is_empty() {
        return Start::Other(preview(tag));
    }
    let head_end = tag
        .iter()
        .position(|b| *b == b'>')
        .unwrap_or(tag.len().min(1024))
        .max(end);
    let head = String::from_utf8_lossy(&tag[end..head_end]);
    Start::Element {
        name,
        version: attribute(&head, "version"),
    }
}

/// The value of `name="…"` (or `'…'`) in a start tag's attribute text.
pub(crate) fn attribute(head: &str, name: &str) -> Option<String> {
    let span = attribute_span(head, name)?;
    let raw = &head[span];
    let open = raw.find(['"', '\''])?;
    Some(raw[open + 1..raw.len() - 1].to_owned())
}

/// Where `name="…"` (or `'…'`) is in a start tag's attribute text, from the name to the
/// closing quote.
pub(crate) fn attribute_span(head: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(found) = head[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = head[..at].ends_with(|c: char| c.is_ascii_whitespace());
        let after = &head[from..];
        let Some(value) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let Some(quote) = value.chars().next().filter(|q| matches!(q, '"' | '\'')) else {
            continue;
        };
        if !before_ok {
            continue;
        }
        let value_start = head.len() - value.len() + 1;
        let close = head[value_start..].find(quote)?;
        return Some(at..value_start + close + 1);
    }
    None
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !(b.is_ascii_whitespace() || *b == 0))
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// If `bytes` starts with `open`, the bytes after the next `close`.
fn skip_between<'a>(bytes: &'a [u8], open: &[u8], close: &[u8]) -> Option<&'a [u8]> {
    let inner = bytes.strip_prefix(open)?;
    let end = inner.windows(close.len()).position(|w| w == close)?;
    Some(&inner[end + close.len()..])
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]);
    text.chars().take(30).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(name: &str, version: Option<&str>) -> Start {
        Start::Element {
            name: name.to_owned(),
            version: version.map(str::to_owned),
        }
    }

    #[test]
    fn finds_the_root_after_prolog_comments_and_doctype() {
        let doc = b"\xEF\xBB\xBF  <?xml version=\"1.0\"?>\n<!-- hi -->\n<!DOCTYPE rss>\n<rss version=\"2.0\">";
        assert_eq!(start(doc), element("rss", Some("2.0")));
        assert_eq!(start(b"<rdf:RDF xmlns:rdf='x'>"), element("rdf", None));
        assert_eq!(
            start(b"<feed xmlns='http://www.w3.org/2005/Atom'>"),
            element("feed", None)
        );
        assert_eq!(start(b"  {\"version\": 1}"), Start::Json);
    }

    #[test]
    fn recognises_html_pages() {
        for doc in [
            &b"<!DOCTYPE html><html><head>"[..],
            b"<!doctype HTML>",
            b"\n<html lang=\"en\">",
            b"<?xml version=\"1.0\"?><HTML>",
        ] {
            let err = check(doc).expect_err("html");
            assert!(
                err.to_string()
                    .starts_with("not a feed: the document is HTML"),
                "{err}"
            );
        }
    }

    #[test]
    fn empty_and_text_documents_are_rejected() {
        assert!(matches!(check(b""), Err(FeedError::Empty)));
        assert!(matches!(check(b" \n\t "), Err(FeedError::Empty)));
        let err = check(b"Service Unavailable").expect_err("text");
        assert!(err.to_string().contains("neither XML nor JSON"), "{err}");
    }

    #[test]
    fn the_version_attribute_needs_a_word_boundary() {
        assert_eq!(
            attribute(" xversion=\"1\" version='0.90'", "version"),
            Some("0.90".into())
        );
        assert_eq!(attribute(" version", "version"), None);
    }
}
