//! HTML to text: the tag-archive export layout ([`html_to_text`]) and one-line plain text
//! for titles ([`plain_text`]).
//!
//! Both walk the parsed tree iteratively (no recursion), so deeply nested markup cannot
//! overflow the stack. Markup in the shape our sanitizer writes is not parsed at all for
//! [`html_to_text`]: the layout is fed from a scan that declines anything whose tree only
//! html5ever could tell (see `fast.rs`), with the same result.

mod fast;
mod layout;

use scraper::{Html, Node};

use crate::nesting::{MAX_NESTING, limit_nesting};
use layout::Layout;

/// Renders HTML as text in the export layout of a tag archive page:
///
/// - blocks (`p`, `div`, headings, `figure`, `pre`, …) are paragraphs separated by one
///   blank line; headings are plain text;
/// - list items are lines `  • item` (`ul`) or `  1. item` (`ol`, honouring `start`,
///   `reversed` and `<li value>`), nested lists indented two more spaces per level; a list
///   is one block, and blocks inside an item are separated by one newline;
/// - block quotes are prefixed `> ` per level (`> > ` when nested), blank lines inside a
///   quote keep its marks;
/// - definition lists: each `<dt>` a line, each `<dd>` indented four spaces under it;
/// - tables are aligned columns: cells joined by `" | "` and padded to their column's width
///   (at most 40 characters; longer cells are written whole), a `-+-` rule under header
///   rows, `colspan`/`rowspan` honoured, nested tables flattened into their cell;
/// - `<pre>` is kept verbatim: every character, trailing whitespace, whitespace-only lines
///   and every blank line included (only blank lines at its start and end give way to the
///   block's own spacing); inside a list item or quote its lines get the item's indent or
///   the quote's marks;
/// - `<br>` is a newline;
/// - other whitespace collapses to single spaces, except NBSP (U+00A0), which is kept;
///   inline tags neither add nor remove spaces, block boundaries always separate words;
/// - images show as `[alt text]` (nothing without alt text), links keep their text,
///   `<hr>` is a paragraph break, scripts and styles are skipped.
///
/// The result has no leading or trailing blank lines and, outside `<pre>` text, no trailing
/// spaces and never more than one blank line in a row. Prefixes stay bounded however deep
/// the markup nests.
pub fn html_to_text(html: &str) -> String {
    // Sanitized HTML (nearly all that comes here) is laid out straight from a scan; the
    // scan declines anything whose tree only the parser can tell.
    fast::layout(html).unwrap_or_else(|| parsed_to_text(html))
}

/// [`html_to_text`] through html5ever: any HTML.
pub(crate) fn parsed_to_text(html: &str) -> String {
    let html = limit_nesting(html, MAX_NESTING);
    let document = Html::parse_fragment(&html);
    let mut layout = Layout::default();
    let root = document.tree.root();
    let mut next = root.first_child();
    while let Some(node) = next {
        let descend = match node.value() {
            Node::Element(element) => layout.open(element, || {
                node.children()
                    .filter(|c| c.value().as_element().is_some_and(|e| e.name() == "li"))
                    .count()
            }),
            Node::Text(text) => {
                layout.text(text);
                false
            }
            _ => false,
        };
        if descend && let Some(child) = node.first_child() {
            next = Some(child);
            continue;
        }
        // Close this node and every ancestor whose children are all visited.
        let mut current = node;
        next = loop {
            if let Node::Element(element) = current.value() {
                layout.close(element.name());
            }
            if let Some(sibling) = current.next_sibling() {
                break Some(sibling);
            }
            match current.parent() {
                Some(parent) if parent.id() != root.id() => current = parent,
                _ => break None,
            }
        };
    }
    layout.finish()
}

/// One line of plain text from a title-like string that may hold HTML: tags are stripped,
/// entities decoded, contents of `script`/`style` dropped, runs of ASCII whitespace
/// (newlines included) collapsed to one space, control characters removed, and the result
/// trimmed. NBSP and every other character are kept as they are.
pub fn plain_text(html_or_text: &str) -> String {
    if !html_or_text.contains(['<', '&']) {
        return collapse_whitespace(html_or_text);
    }
    let html = limit_nesting(html_or_text, MAX_NESTING);
    let document = Html::parse_fragment(&html);
    let mut text = String::with_capacity(html_or_text.len());
    for node in document.tree.root().descendants() {
        match node.value() {
            Node::Text(t) => {
                let hidden = node
                    .parent()
                    .and_then(|p| p.value().as_element().map(|e| e.name()))
                    .is_some_and(|name| matches!(name, "script" | "style" | "template"));
                if !hidden {
                    text.push_str(t);
                }
            }
            // Line-level elements separate words even without whitespace around them.
            Node::Element(e) if !is_inline(e.name()) => text.push(' '),
            _ => {}
        }
    }
    collapse_whitespace(&text)
}

/// Collapses runs of ASCII whitespace to one space, drops control characters and trims
/// ASCII whitespace at both ends. Characters such as NBSP are kept. No HTML processing:
/// `<` and `&` stay as written.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            space = true;
        } else if !is_invisible_control(c) {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Control characters and XML-illegal noncharacters, which never belong in text.
/// (ASCII whitespace is handled by the callers before this test.)
fn is_invisible_control(c: char) -> bool {
    (c.is_control() && !c.is_ascii_whitespace()) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "font"
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
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
            | "wbr"
            | "html"
            | "body"
            | "script"
            | "style"
            | "template"
    )
}

#[cfg(test)]
mod tests;
