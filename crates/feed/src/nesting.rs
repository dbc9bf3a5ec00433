//! A guard against pathologically deep HTML.
//!
//! html5ever spends time proportional to the depth of the open-element stack on each new
//! element, so 100 000 nested `<div>`s take minutes to parse. Real content nests a few dozen
//! levels. Before HTML is parsed, start tags that would nest deeper than [`MAX_NESTING`]
//! are removed (with as many of the end tags that follow); the text stays.

use std::borrow::Cow;

/// Deepest nesting of elements kept.
pub(crate) const MAX_NESTING: usize = 256;

/// Elements that are never open (void) or close themselves when a sibling starts, so they
/// do not count towards the depth.
const NOT_COUNTED: &[&str] = &[
    "area", "base", "br", "col", "colgroup", "dd", "dt", "embed", "hr", "img", "input", "li",
    "link", "meta", "option", "optgroup", "p", "param", "rb", "rp", "rt", "rtc", "source", "tbody",
    "td", "tfoot", "th", "thead", "tr", "track", "wbr",
];

/// Elements whose contents are text, not markup.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// `html` with start tags beyond `max` levels of nesting (and their end tags) removed.
/// Borrowed when nothing had to go.
pub(crate) fn limit_nesting(html: &str, max: usize) -> Cow<'_, str> {
    // Every counted start tag begins with '<': with no more of them than `max`, the
    // nesting cannot exceed it.
    if memchr::memchr_iter(b'<', html.as_bytes()).count() <= max || !exceeds(html, max) {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut depth = 0usize;
    let mut excess = 0usize;
    for tag in Tags::new(html) {
        let keep = match tag.kind {
            Kind::Start if depth >= max => {
                excess += 1;
                false
            }
            Kind::Start => {
                depth += 1;
                true
            }
            Kind::End if excess > 0 => {
                excess -= 1;
                false
            }
            Kind::End => {
                depth = depth.saturating_sub(1);
                true
            }
        };
        if !keep {
            out.push_str(&html[copied..tag.start]);
            copied = tag.end;
        }
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

fn exceeds(html: &str, max: usize) -> bool {
    let mut depth = 0usize;
    for tag in Tags::new(html) {
        match tag.kind {
            Kind::Start => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            Kind::End => depth = depth.saturating_sub(1),
        }
    }
    false
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    End,
}

/// A counted start or end tag at `start..end`.
struct Tag {
    kind: Kind,
    start: usize,
    end: usize,
}

/// The counted tags of an HTML string, in order (comments, raw text, void and self-closing
/// elements skipped).
struct Tags<'a> {
    html: &'a str,
    at: usize,
}

impl<'a> Tags<'a> {
    fn new(html: &'a str) -> Self {
        Tags { html, at: 0 }
    }
}

impl Iterator for Tags<'_> {
    type Item = Tag;

    fn next(&mut self) -> Option<Tag> {
        let bytes = self.html.as_bytes();
        loop {
            let start = self.at + self.html.get(self.at..)?.find('<')?;
            let rest = &self.html[start..];
            if rest.starts_with("<!--") {
                self.at = rest
                    .find("-->")
                    .map_or(self.html.len(), |end| start + end + 3);
                continue;
            }
            let (kind, name_at) = match bytes.get(start + 1) {
                Some(b'/') => (Kind::End, start + 2),
                Some(b) if b.is_ascii_alphabetic() => (Kind::Start, start + 1),
                _ => {
                    self.at = start + 1;
                    continue;
                }
            };
            let end = tag_end(bytes, name_at);
            self.at = end;
            let name_len = bytes[name_at..end]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric() && *b != b'-' && *b != b':')
                .unwrap_or(end - name_at);
            let name = &self.html[name_at..name_at + name_len];
            // Every listed name is short: a longer one is none of them.
            let is = |list: &[&str]| {
                name.len() <= 8 && list.iter().any(|n| n.eq_ignore_ascii_case(name))
            };
            if name.is_empty() || is(NOT_COUNTED) {
                continue;
            }
            if kind == Kind::Start && bytes[..end].ends_with(b"/>") {
                continue;
            }
            if kind == Kind::Start && is(RAW_TEXT) {
                // Skip the raw text; its end tag closes it.
                self.at =
                    find_end_tag(&bytes[end..], name.as_bytes()).map_or(bytes.len(), |at| end + at);
            }
            return Some(Tag { kind, start, end });
        }
    }
}

/// Where `</name` (any case) first occurs in `bytes`.
fn find_end_tag(bytes: &[u8], name: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(bytes, b"</").find(|&at| {
        bytes
            .get(at + 2..at + 2 + name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// The index just past the `>` that ends the tag whose name starts at `from` (quotes in
/// attribute values respected), or the end of the input.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(found) = memchr::memchr3(b'>', b'"', b'\'', &bytes[at..]) {
        let found = at + found;
        let quote = bytes[found];
        if quote == b'>' {
            return found + 1;
        }
        match memchr::memchr(quote, &bytes[found + 1..]) {
            Some(close) => at = found + 1 + close + 1,
            None => break,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_html_is_borrowed_unchanged() {
        let html = "<div><p>a<ul><li>b<li>c</ul><img src=x><br/></div><script>if (a<b) {}</script>";
        assert!(matches!(limit_nesting(html, 3), Cow::Borrowed(_)));
    }

    #[test]
    fn tags_beyond_the_limit_go_and_text_stays() {
        let html = "<div><b><i>deep</i></b></div>after";
        assert_eq!(limit_nesting(html, 2), "<div><b>deep</b></div>after");
    }

    #[test]
    fn quoted_angle_brackets_do_not_end_a_tag() {
        let html = "<a title='x>y'><b><i>t</i></b></a>";
        assert_eq!(limit_nesting(html, 2), "<a title='x>y'><b>t</b></a>");
    }

    #[test]
    fn deep_input_is_cut_to_the_limit() {
        let html = format!("{}x{}", "<div>".repeat(10_000), "</div>".repeat(10_000));
        let limited = limit_nesting(&html, MAX_NESTING);
        assert_eq!(limited.matches("<div>").count(), MAX_NESTING);
        assert_eq!(limited.matches("</div>").count(), MAX_NESTING);
    }
}
