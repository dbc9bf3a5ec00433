//! A lenient XML reader: bytes → decoded text → a small element tree.
//!
//! This is the layer that makes syndic read what Python's feedparser reads.
//! [`decode`] turns the bytes into text (BOM, HTTP charset, XML declaration, RFC 7303
//! precedence, legacy encodings via `encoding_rs`, UTF-16/32, DOS/Mac/EBCDIC code pages,
//! mis-declared documents). [`reader`] then tokenizes the text with a small one-pass
//! tokenizer of its own (not `quick-xml`: quick-xml stops at the first error and cannot
//! resume after it, while a feed has to be read past a stray `<`, an unterminated CDATA
//! section or a tag cut short) and builds the tree, recovering from what real feeds get
//! wrong: HTML named entities (the table `markup5ever` ships), stray `&` and `<`, unclosed
//! or mismatched tags, broken CDATA, truncation, garbage after the root. Every recovery
//! is counted and reported once per kind in [`Tree::warnings`]. It never processes a DTD
//! (a doctype is skipped, entities it declares stay literal text, nothing external is
//! read), bounds depth ([`reader::MAX_DEPTH`]), attributes and namespace declarations per
//! element, and runs in linear time. Under an [`EntryCap`] it holds at most that many entry
//! subtrees at any time (`entries.rs`), so a feed of 100,000 items costs what its newest
//! few hundred cost.
//!
//! The feed interpreter (`crate::read`) walks the tree; it never sees raw XML.

mod codepages;
mod decode;
mod entries;
mod mojibake;
mod reader;
#[cfg(test)]
mod tests;

pub(crate) use entries::{EntryCap, EntryRank, entry_rank};
#[cfg(test)]
pub(crate) use reader::read;
pub(crate) use reader::read_capped;

/// `n` and the noun in its number: `1 element`, `2 elements`.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `was` or `were`, to agree with `n`.
pub(crate) fn were(n: usize) -> &'static str {
    if n == 1 { "was" } else { "were" }
}

/// The XML namespace (`xml:base`, `xml:lang`).
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// A document as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tree {
    pub(crate) root: Element,
    /// Lower-case name of the encoding the bytes were decoded from (`utf-8`,
    /// `windows-1252`, `utf-16le`, …).
    pub(crate) encoding: String,
    /// What was repaired or guessed while reading.
    pub(crate) warnings: Vec<String>,
    /// The document ended with elements still open: what was read is kept, but some of it
    /// may be missing.
    pub(crate) truncated: bool,
    /// Under an [`EntryCap`]: the entries read, and how many of them were dropped.
    pub(crate) entries_seen: usize,
    pub(crate) entries_dropped: usize,
    /// Under an [`EntryCap`]: the most entry subtrees held at one time while reading.
    pub(crate) entries_peak: usize,
}

/// One element. Namespace declarations (`xmlns`, `xmlns:*`) are resolved and not kept
/// as attributes.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Element {
    /// The resolved namespace URI, `None` when the element is in no namespace or its
    /// prefix was never declared.
    pub(crate) ns: Option<String>,
    /// The prefix as written (`content` in `content:encoded`), `None` when unprefixed.
    /// Lets the interpreter map well-known prefixes that a sloppy feed forgot to declare.
    pub(crate) prefix: Option<String>,
    /// The local name, case as written.
    pub(crate) local: String,
    pub(crate) attrs: Vec<Attr>,
    pub(crate) children: Vec<Node>,
}

/// One attribute; `xml:base`/`xml:lang` have `ns == Some(XML_NS)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attr {
    /// Namespace URI of a prefixed attribute; unprefixed attributes have none.
    pub(crate) ns: Option<String>,
    pub(crate) prefix: Option<String>,
    pub(crate) local: String,
    /// Entities decoded.
    pub(crate) value: String,
}

/// A child of an element. CDATA sections become text; comments and processing
/// instructions are dropped.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// The value of the unprefixed attribute `local` (ASCII case-insensitive name).
    pub(crate) fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local.eq_ignore_ascii_case(local))
            .map(|a| a.value.as_str())
    }

    /// The value of attribute `local` in namespace `ns`.
    pub(crate) fn attr_ns(&self, ns: &str, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.as_deref() == Some(ns) && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// `xml:base` on this element.
    pub(crate) fn xml_base(&self) -> Option<&str> {
        self.attr_ns(XML_NS, "base")
    }

    /// `xml:lang` on this element.
    pub(crate) fn xml_lang(&self) -> Option<&str> {
        self.attr_ns(XML_NS, "lang")
    }

    /// Child elements, in order.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Whether any child is an element (markup that was not escaped).
    pub(crate) fn has_element_children(&self) -> bool {
        self.elements().next().is_some()
    }

    /// All text below this element, concatenated in document order (markup dropped).
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for child in &self.children {
            match child {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => e.collect_text(out),
            }
        }
    }

    /// The children serialized back to markup: text escaped (`&amp;`, `&lt;`, `&gt;`),
    /// elements by local name (prefixes of the XHTML namespace dropped, others kept),
    /// attributes double-quoted and escaped, `xmlns` declarations not repeated, empty
    /// void elements (`br`, `img`, …) written as `<br>`. Used for Atom `type="xhtml"`
    /// and for RSS descriptions that carry unescaped HTML.
    pub(crate) fn inner_markup(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            write_node(child, &mut out);
        }
        out
    }
}

const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

fn write_node(node: &Node, out: &mut String) {
    match node {
        Node::Text(t) => escape_into(t, false, out),
        Node::Element(e) => {
            let name = match (&e.prefix, e.ns.as_deref()) {
                (Some(p), ns) if ns != Some(XHTML_NS) => format!("{p}:{}", e.local),
                _ => e.local.clone(),
            };
            out.push('<');
            out.push_str(&name);
            for a in &e.attrs {
                out.push(' ');
                if let Some(p) = &a.prefix {
                    out.push_str(p);
                    out.push(':');
                }
                out.push_str(&a.local);
                out.push_str("=\"");
                escape_into(&a.value, true, out);
                out.push('"');
            }
            out.push('>');
            let void = VOID.iter().any(|v| e.local.eq_ignore_ascii_case(v));
            if void && e.children.is_empty() {
                return;
            }
            for child in &e.children {
                write_node(child, out);
            }
            out.push_str("</");
            out.push_str(&name);
            out.push('>');
        }
    }
}

fn escape_into(text: &str, attribute: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}
