//! [`html_to_text`](super::html_to_text) without an HTML parser, for markup in the shape our
//! sanitizer writes.
//!
//! html5ever (tokenizer, tree builder, DOM) is most of the cost of turning HTML into text.
//! Yet sanitized HTML is the serializer's output of an allowlisted tree: lowercase tag
//! names from a short list, every attribute `name="value"`, text and values escaped with
//! five entities, an end tag for every element that is not void. For such markup the tree
//! html5ever would build is the one the tags spell out, so the layout can be fed straight
//! from a scan.
//!
//! "Would build" is checked, not assumed: [`layout`] follows html5ever's tree-building
//! rules far enough to see whether each tag simply opens or closes the element it names,
//! and gives up (`None`, the caller then parses) on anything else: an unknown tag or
//! entity, a comment, a tag that would close or move other elements (`<p>` in an open
//! `<p>`, `<li>` directly in an `<li>`, an `<a>` in an `<a>`, a `<div>` directly in a
//! `<table>`), text where a table would move it, an end tag that is not the current
//! element's, nesting the parser path would cut, characters the tokenizer rewrites. So the
//! result is the parser path's, or nothing; a test compares the two on varied and hostile
//! input.

use std::borrow::Cow;
use std::cell::Cell;

use super::layout::{Layout, Tag};
use crate::nesting::MAX_NESTING;

/// Elements the scan knows the tree-building rules of: the sanitizer's allowlist.
fn known(name: &str) -> bool {
    is_phrasing(name)
        || matches!(
            name,
            "blockquote"
                | "caption"
                | "dd"
                | "details"
                | "div"
                | "dl"
                | "dt"
                | "figcaption"
                | "figure"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "hr"
                | "li"
                | "ol"
                | "p"
                | "pre"
                | "summary"
                | "table"
                | "tbody"
                | "td"
                | "tfoot"
                | "th"
                | "thead"
                | "tr"
                | "ul"
        )
}

/// Known elements whose start tag never closes an open `<p>` (html5ever inserts them as
/// they come, apart from the `<a>` rule checked separately).
fn is_phrasing(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "br"
            | "cite"
            | "code"
            | "del"
            | "dfn"
            | "em"
            | "i"
            | "img"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "u"
            | "var"
    )
}

fn is_void(name: &str) -> bool {
    matches!(name, "br" | "hr" | "img")
}

/// The known elements (and the fragment's `html`) in the HTML "special" category, less
/// `div` and `p`: where the search for an `<li>`, `<dd>` or `<dt>` to close stops.
fn stops_item_search(name: &str) -> bool {
    matches!(
        name,
        "html"
            | "blockquote"
            | "br"
            | "caption"
            | "dd"
            | "details"
            | "dl"
            | "dt"
            | "figcaption"
            | "figure"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "hr"
            | "img"
            | "li"
            | "ol"
            | "pre"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

/// Elements whose only children can be the table parts named by [`allowed_in_table`].
fn is_table_context(name: &str) -> bool {
    matches!(name, "table" | "tbody" | "thead" | "tfoot" | "tr")
}

/// Whether html5ever, with `parent` the current element, inserts `child` as it is.
fn allowed_in_table(parent: &str, child: &str) -> bool {
    match parent {
        "table" => matches!(child, "caption" | "tbody" | "thead" | "tfoot"),
        "tbody" | "thead" | "tfoot" => child == "tr",
        "tr" => matches!(child, "td" | "th"),
        _ => false,
    }
}

fn is_table_part(name: &str) -> bool {
    matches!(
        name,
        "caption" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th"
    )
}

/// Counted towards the depth as [`crate::nesting`] counts it.
fn counts_for_depth(name: &str) -> bool {
    !matches!(
        name,
        "br" | "dd"
            | "dt"
            | "hr"
            | "img"
            | "li"
            | "p"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
    )
}

/// A start tag as written: its name and the source of its attributes (` a="b" c="d"`),
/// checked well-formed and free of duplicates.
struct Scanned<'a> {
    name: &'a str,
    attrs: &'a str,
}

impl Tag for Scanned<'_> {
    fn name(&self) -> &str {
        self.name
    }

    fn attr(&self, wanted: &str) -> Option<Cow<'_, str>> {
        let mut rest = self.attrs;
        while let Some((name, value, after)) = next_attr(rest) {
            if name == wanted {
                return decode(value);
            }
            rest = after;
        }
        None
    }
}

/// The first attribute of ` name="value"…`: name, raw value, and the rest.
fn next_attr(s: &str) -> Option<(&str, &str, &str)> {
    let s = s.strip_prefix(' ')?;
    let eq = s.find("=\"")?;
    let name = &s[..eq];
    let value_at = eq + 2;
    let close = s[value_at..].find('"')? + value_at;
    Some((name, &s[value_at..close], &s[close + 1..]))
}

/// Text or an attribute value with its entities decoded; `None` for an entity the
/// serializer does not write (the parser path decides those).
fn decode(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains('&') {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (entity, c) = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&nbsp;", '\u{a0}'),
        ]
        .into_iter()
        .find(|(entity, _)| rest.starts_with(entity))?;
        out.push(c);
        rest = &rest[entity.len()..];
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

/// Reads a start tag at `at` (just past the `<`): the tag and the index past its `>`.
fn start_tag(html: &str, at: usize) -> Option<(Scanned<'_>, usize)> {
    let bytes = html.as_bytes();
    let name_len = bytes[at..]
        .iter()
        .position(|b| !b.is_ascii_lowercase() && !b.is_ascii_digit())?;
    let name = &html[at..at + name_len];
    if !known(name) {
        return None;
    }
    let attrs_at = at + name_len;
    let mut rest = &html[attrs_at..];
    let mut seen: [&str; 16] = [""; 16];
    let mut count = 0;
    loop {
        if let Some(after) = rest.strip_prefix('>') {
            let end = html.len() - after.len();
            let attrs = &html[attrs_at..end - 1];
            return Some((Scanned { name, attrs }, end));
        }
        let (attr, value, after) = next_attr(rest)?;
        let well_formed = attr.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && attr
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        // The tokenizer keeps the first of duplicate attributes; leave that to it.
        if !well_formed || count == seen.len() || seen[..count].contains(&attr) {
            return None;
        }
        decode(value)?;
        seen[count] = attr;
        count += 1;
        rest = after;
    }
}

/// The export-layout text of `html` when it is in the shape described in the module docs;
/// `None` when only the parser can tell.
pub(super) fn layout(html: &str) -> Option<String> {
    let bytes = html.as_bytes();
    // The tokenizer rewrites CR and NUL and drops a leading BOM.
    if memchr::memchr2(b'\r', 0, bytes).is_some() || html.starts_with('\u{feff}') {
        return None;
    }
    let mut layout = Layout::default();
    let root = Scanned {
        name: "html",
        attrs: "",
    };
    layout.open(&root, || 0);
    // Open elements, outermost first (the fragment's `html` not included).
    let mut stack: Vec<&str> = Vec::new();
    let mut depth = 0usize;
    let mut open_p = 0usize;
    let mut open_a = 0usize;
    let mut after_pre = false;
    let mut at = 0;
    while at < bytes.len() {
        let next = memchr::memchr(b'<', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        if next > at {
            let mut run = &html[at..next];
            if after_pre {
                // A newline right after `<pre>` is not part of its text.
                run = run.strip_prefix('\n').unwrap_or(run);
            }
            let text = decode(run)?;
            let current = stack.last().copied().unwrap_or("html");
            if is_table_context(current)
                && !text
                    .bytes()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\x0c'))
            {
                // Moved out of the table by the parser.
                return None;
            }
            if !text.is_empty() {
                layout.text(&text);
            }
        }
        after_pre = false;
        if next == bytes.len() {
            break;
        }
        if let Some(b'/') = bytes.get(next + 1) {
            let name_at = next + 2;
            let close = memchr::memchr(b'>', &bytes[name_at..])? + name_at;
            let name = &html[name_at..close];
            if stack.last() != Some(&name) {
                return None;
            }
            stack.pop();
            if counts_for_depth(name) {
                depth -= 1;
            }
            match name {
                "p" => open_p -= 1,
                "a" => open_a -= 1,
                _ => {}
            }
            layout.close(name);
            at = close + 1;
            continue;
        }
        let (tag, end) = start_tag(html, next + 1)?;
        let name = tag.name;
        let current = stack.last().copied().unwrap_or("html");
        if is_table_context(current) || is_table_part(name) {
            if !allowed_in_table(current, name) {
                return None;
            }
        } else {
            let closes_something = (!is_phrasing(name) && open_p > 0)
                || (name == "a" && open_a > 0)
                || (matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
                    && matches!(current, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
                || (matches!(name, "li" | "dd" | "dt") && closes_item(&stack, name));
            if closes_something {
                return None;
            }
        }
        at = end;
        // A reversed list numbered from its item count needs to see ahead: parse it.
        let needs_items = Cell::new(false);
        let descend = layout.open(&tag, || {
            needs_items.set(true);
            0
        });
        if needs_items.get() {
            return None;
        }
        if is_void(name) {
            layout.close(name);
            continue;
        }
        if !descend {
            return None;
        }
        if counts_for_depth(name) {
            depth += 1;
            if depth > MAX_NESTING {
                return None;
            }
        }
        match name {
            "p" => open_p += 1,
            "a" => open_a += 1,
            "pre" => after_pre = true,
            _ => {}
        }
        stack.push(name);
    }
    for name in stack.iter().rev() {
        layout.close(name);
    }
    layout.close("html");
    Some(layout.finish())
}

/// Whether a start tag `name` (`li`, `dd` or `dt`) would close an open item first.
fn closes_item(stack: &[&str], name: &str) -> bool {
    for &open in stack.iter().rev() {
        let closes = if name == "li" {
            open == "li"
        } else {
            matches!(open, "dd" | "dt")
        };
        if closes {
            return true;
        }
        if stops_item_search(open) {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests;
