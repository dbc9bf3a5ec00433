//! The tokenizer and tree builder: decoded text → [`Tree`].
//!
//! A small hand-written tokenizer rather than `quick-xml`'s `Reader`: quick-xml stops at
//! the first error (a stray `<`, a `<` inside an attribute value, an unterminated CDATA
//! section) and its position after an error is not a safe place to resume, while a feed
//! reader has to go on and keep what it can. The tokenizer walks the text once with
//! `memchr` for `<` and `&`, decodes references in the same pass, never looks at a byte
//! twice except to skip a comment, CDATA section or doctype (also one pass each), and so
//! runs in linear time whatever the input. Every repair is counted per kind and reported
//! once, with its count, in [`Tree::warnings`].

use std::collections::HashMap;

use markup5ever::data::NAMED_ENTITIES;
use memchr::{memchr, memchr2, memmem};

use super::entries::{self, EntryCap, Withheld};
use super::{Attr, Element, Node, Tree, XML_NS, count, mojibake, were};
use crate::FeedError;

/// Elements nested deeper than this are flattened: their text is kept in the element at
/// this depth, their tags are dropped.
pub(crate) const MAX_DEPTH: usize = 256;
/// Attributes kept per element (namespace declarations not counted).
pub(crate) const MAX_ATTRS: usize = 256;
/// Namespace declarations honoured per element.
pub(crate) const MAX_NS_DECLS: usize = 64;

/// What was repaired, one counter per kind.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
enum Fix {
    HtmlEntity,
    UnknownEntity,
    StrayAmp,
    BadCharRef,
    StrayLt,
    BrokenTag,
    Unclosed,
    StrayEnd,
    BrokenCdata,
    Truncated,
    BeforeRoot,
    AfterRoot,
    Deep,
    Attrs,
    NsDecls,
    InternalSubset,
    Mojibake,
}

/// Every kind, in the order their warnings are written.
const ALL_FIXES: [Fix; 17] = {
    use Fix::*;
    [
        HtmlEntity,
        UnknownEntity,
        StrayAmp,
        BadCharRef,
        StrayLt,
        BrokenTag,
        Unclosed,
        StrayEnd,
        BrokenCdata,
        Truncated,
        BeforeRoot,
        AfterRoot,
        Deep,
        Attrs,
        NsDecls,
        InternalSubset,
        Mojibake,
    ]
};

const FIX_KINDS: usize = ALL_FIXES.len();

#[derive(Default)]
struct Fixes([usize; FIX_KINDS]);

impl Fixes {
    fn add(&mut self, fix: Fix) {
        self.0[fix as usize] += 1;
    }

    fn messages(&self, out: &mut Vec<String>) {
        for kind in ALL_FIXES {
            let n = self.0[kind as usize];
            if n > 0 {
                out.push(message(kind, n));
            }
        }
    }
}

fn message(kind: Fix, n: usize) -> String {
    let w = were(n);
    match kind {
        Fix::HtmlEntity => format!(
            "{} (such as &nbsp;) that XML does not define {w} decoded",
            count(n, "HTML named entity", "HTML named entities")
        ),
        Fix::UnknownEntity => format!(
            "{} to undefined entities {w} kept as literal text (&name;)",
            count(n, "reference", "references")
        ),
        Fix::StrayAmp => format!(
            "{} (not a reference) {w} kept as text",
            count(n, "bare '&' character", "bare '&' characters")
        ),
        Fix::BadCharRef => format!(
            "{} to characters XML does not allow {w} dropped",
            count(n, "character reference", "character references")
        ),
        Fix::StrayLt => format!(
            "{} (not a tag) {w} kept as text",
            count(n, "bare '<' character", "bare '<' characters")
        ),
        Fix::BrokenTag => format!(
            "{} {w} broken (no closing '>' or quote) and {w} repaired",
            count(n, "start tag", "start tags")
        ),
        Fix::Unclosed => format!(
            "{} {w} not closed; {} closed at {} parent's end",
            count(n, "element", "elements"),
            if n == 1 { "it was" } else { "they were" },
            if n == 1 { "its" } else { "their" }
        ),
        Fix::StrayEnd => format!(
            "{} that {} no open element {w} ignored",
            count(n, "end tag", "end tags"),
            if n == 1 { "matches" } else { "match" }
        ),
        Fix::BrokenCdata => {
            "a CDATA section is not terminated; the rest of the document was read as its text"
                .to_owned()
        }
        Fix::Truncated => format!(
            "the document ends early (truncated); {} {w} closed and what was read is kept",
            count(n, "open element", "open elements")
        ),
        Fix::BeforeRoot => "text before the root element was ignored".to_owned(),
        Fix::AfterRoot => "content after the root element was ignored".to_owned(),
        Fix::Deep => format!(
            "elements are nested deeper than {MAX_DEPTH} levels; {} {w} dropped and their \
             text kept",
            count(n, "deeper tag", "deeper tags")
        ),
        Fix::Attrs => format!(
            "elements have more than {MAX_ATTRS} attributes; {} {w} ignored",
            count(n, "attribute", "attributes")
        ),
        Fix::NsDecls => format!(
            "elements declare more than {MAX_NS_DECLS} namespaces; {} {w} ignored",
            count(n, "declaration", "declarations")
        ),
        Fix::InternalSubset => "the document's DTD (internal subset) was ignored; entities \
                                it declares are not expanded"
            .to_owned(),
        Fix::Mojibake => format!(
            "{} double-encoded UTF-8 (mojibake such as 'CafÃ©' for 'Café') and {w} \
             repaired",
            count(n, "text value was", "text values were")
        ),
    }
}

/// Reads a document: decodes the bytes, then builds the tree.
#[cfg(test)]
pub(crate) fn read(bytes: &[u8], content_type: Option<&str>) -> Result<Tree, FeedError> {
    read_capped(bytes, content_type, None)
}

/// [`read`], keeping at most `cap`'s number of entries when there is a cap.
pub(crate) fn read_capped(
    bytes: &[u8],
    content_type: Option<&str>,
    cap: Option<EntryCap>,
) -> Result<Tree, FeedError> {
    let decoded = super::decode::decode(bytes, content_type)?;
    if decoded
        .text
        .trim_matches(|c: char| c.is_whitespace())
        .is_empty()
    {
        return Err(FeedError::Empty);
    }
    let mut builder = Builder::new(&decoded.text);
    builder.entries = cap.map(Withheld::new);
    builder.run();
    let Builder {
        root,
        error,
        fixes,
        entries,
        ..
    } = builder;
    if let Some(error) = error {
        return Err(error);
    }
    let Some(root) = root else {
        return Err(FeedError::NotAFeed {
            reason: "the document holds no XML element (no <rss>, <rdf:RDF> or <feed>); point \
                     the source at the site's RSS/Atom/JSON feed"
                .to_owned(),
        });
    };
    let mut warnings = decoded.warnings;
    let truncated = fixes.0[Fix::Truncated as usize] > 0;
    fixes.messages(&mut warnings);
    let (entries_seen, entries_dropped) = entries.as_ref().map_or((0, 0), Withheld::counts);
    Ok(Tree {
        root,
        encoding: decoded.encoding,
        warnings,
        truncated,
        entries_seen,
        entries_dropped,
        entries_peak: entries.as_ref().map_or(0, Withheld::peak),
    })
}

/// An element being read.
struct Open {
    el: Element,
    /// Length of [`Builder::ns_log`] before this element's declarations.
    ns_mark: usize,
    /// This element's number, for the entries withheld from it.
    id: usize,
    /// Whether it is an entry ([`EntryCap::is_entry`]), when entries are capped.
    entry: bool,
}

/// Raw attribute of the start tag being read: qualified name (range in the source)
/// and decoded value.
struct RawAttr {
    name: (usize, usize),
    value: String,
}

struct Builder<'a> {
    src: &'a str,
    stack: Vec<Open>,
    /// [`name_hash`] of each open element's qualified name, so that an end tag is
    /// matched against the stack by comparing integers.
    hashes: Vec<u64>,
    /// How many open elements have a hash in each of 256 buckets: most end tags that
    /// match nothing are told apart without a scan.
    buckets: [u16; 256],
    root: Option<Element>,
    root_closed: bool,
    done: bool,
    error: Option<FeedError>,
    /// Text read since the last tag, not yet attached.
    text: String,
    /// Whether a reference in [`Self::text`] stood for a non-ASCII character (then the
    /// text is not double-encoded UTF-8: references name characters, not bytes).
    referenced: bool,
    /// Start tags dropped below [`MAX_DEPTH`] and not yet closed.
    flattened: usize,
    /// Namespace bindings in scope: prefix (`""` for the default) → URIs, innermost last.
    ns: HashMap<String, Vec<Option<String>>>,
    /// Prefixes declared, in order, so that closing an element can undo its bindings.
    ns_log: Vec<String>,
    attrs: Vec<RawAttr>,
    fixes: Fixes,
    /// The entries read under a cap; `None` keeps every entry in the tree as read.
    entries: Option<Withheld>,
    /// Open elements that are entries.
    open_entries: usize,
    /// Elements opened so far (the next [`Open::id`]).
    opened: usize,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

/// Whether `b` ends a name in a tag.
fn ends_name(b: u8) -> bool {
    is_ws(b) || matches!(b, b'>' | b'/' | b'<' | b'=' | b'"' | b'\'')
}

/// Whether a character may appear in an XML document.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// FNV-1a of a qualified name.
fn name_hash(qname: &str) -> u64 {
    qname.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

fn bucket(hash: u64) -> usize {
    // The top byte after a mixing step (FNV alone mixes the last bytes poorly upward).
    ((hash ^ (hash >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 56) as usize
}

fn split_qname(qname: &str) -> (Option<&str>, &str) {
    match qname.split_once(':') {
        Some((prefix, local)) if !prefix.is_empty() && !local.is_empty() => (Some(prefix), local),
        _ => (None, qname),
    }
}

/// Whether the element has the qualified name `qname`.
fn has_qname(el: &Element, qname: &str) -> bool {
    match &el.prefix {
        None => el.local == qname,
        Some(p) => {
            qname.len() == p.len() + 1 + el.local.len()
                && qname.starts_with(p.as_str())
                && qname.as_bytes()[p.len()] == b':'
                && qname.ends_with(el.local.as_str())
        }
    }
}

const HTML_VOID: &[&str] = &[
    "area", "br", "col", "embed", "hr", "img", "input", "param", "track", "wbr",
];

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// The number of the character reference `&#…;` at `at`, and where it ends.
fn char_ref(s: &str, at: usize) -> Option<(u32, usize)> {
    let rest = s.as_bytes().get(at + 1..)?;
    if rest.first() != Some(&b'#') {
        return None;
    }
    let (radix, start) = match rest.get(1) {
        Some(b'x' | b'X') => (16, 2),
        _ => (10, 1),
    };
    let digits = rest[start..]
        .iter()
        .take(12)
        .take_while(|c| {
            if radix == 16 {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        })
        .count();
    let end = start + digits;
    if digits == 0 || rest.get(end) != Some(&b';') {
        return None;
    }
    let n = u32::from_str_radix(&s[at + 1 + start..at + 1 + end], radix).unwrap_or(u32::MAX);
    Some((n, at + 1 + end + 1))
}

/// A UTF-8 sequence spelled as consecutive character references to its bytes, starting
/// with the lead byte `lead` (already read, up to `after`).
fn double_encoded(s: &str, lead: u32, after: usize) -> Option<(char, usize)> {
    let len = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut bytes = [0u8; 4];
    bytes[0] = u8::try_from(lead).ok()?;
    let mut at = after;
    for slot in bytes.iter_mut().take(len).skip(1) {
        if s.as_bytes().get(at) != Some(&b'&') {
            return None;
        }
        let (n, next) = char_ref(s, at)?;
        *slot = u8::try_from(n).ok().filter(|b| (0x80..=0xBF).contains(b))?;
        at = next;
    }
    let c = std::str::from_utf8(&bytes[..len]).ok()?.chars().next()?;
    Some((c, at))
}

/// Decodes the reference starting with the `&` at `at` into `out`; returns where
/// reading goes on.
fn reference(s: &str, at: usize, out: &mut String, fixes: &mut Fixes) -> usize {
    let b = s.as_bytes();
    let rest = &b[at + 1..];
    if rest.first() == Some(&b'#') {
        if let Some((n, after)) = char_ref(s, at) {
            // `&#226;&#128;&#166;`: UTF-8 bytes written as references (double encoding).
            if let Some((c, after)) = double_encoded(s, n, after) {
                out.push(c);
                return after;
            }
            let n = match n {
                // Windows-1252 code points written as references, as HTML reads them.
                0x80..=0x9F => u32::from(super::decode::WINDOWS_1252_HIGH[(n - 0x80) as usize]),
                n => n,
            };
            match char::from_u32(n).filter(|c| is_xml_char(*c)) {
                Some(c) => out.push(c),
                None => fixes.add(Fix::BadCharRef),
            }
            return after;
        }
    } else {
        let n = rest
            .iter()
            .take(40)
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if n > 0 && rest.get(n) == Some(&b';') {
            let name = &s[at + 1..at + 1 + n];
            let after = at + n + 2;
            if let Some(c) = predefined(name) {
                out.push(c);
                return after;
            }
            // HTML 4 (and feedparser) read these two as U+2329/U+232A; the HTML 5
            // table has the mathematical angle brackets.
            let html4 = match name {
                "lang" => Some((0x2329, 0)),
                "rang" => Some((0x232A, 0)),
                _ => None,
            };
            match html4
                .as_ref()
                .or_else(|| NAMED_ENTITIES.get(&s[at + 1..after]))
            {
                Some(&(first, second)) if first != 0 => {
                    out.extend(char::from_u32(first));
                    if second != 0 {
                        out.extend(char::from_u32(second));
                    }
                    fixes.add(Fix::HtmlEntity);
                }
                _ => {
                    out.push_str(&s[at..after]);
                    fixes.add(Fix::UnknownEntity);
                }
            }
            return after;
        }
    }
    out.push('&');
    fixes.add(Fix::StrayAmp);
    at + 1
}

/// Decodes an attribute value: references, and `\t`, `\n`, `\r` as spaces.
fn attr_value(s: &str, fixes: &mut Fixes) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        let next = memchr(b'&', &b[i..]).map(|off| i + off);
        let segment = &s[i..next.unwrap_or(s.len())];
        if segment.bytes().any(|c| matches!(c, b'\t' | b'\n' | b'\r')) {
            out.extend(segment.chars().map(|c| match c {
                '\t' | '\n' | '\r' => ' ',
                c => c,
            }));
        } else {
            out.push_str(segment);
        }
        match next {
            Some(at) => i = reference(s, at, &mut out, fixes),
            None => return out,
        }
    }
}

impl<'a> Builder<'a> {
    fn new(src: &'a str) -> Self {
        Builder {
            src,
            stack: Vec::new(),
            hashes: Vec::new(),
            buckets: [0; 256],
            root: None,
            root_closed: false,
            done: false,
            error: None,
            text: String::new(),
            referenced: false,
            flattened: 0,
            ns: HashMap::new(),
            ns_log: Vec::new(),
            attrs: Vec::new(),
            fixes: Fixes::default(),
            entries: None,
            open_entries: 0,
            opened: 0,
        }
    }

    fn run(&mut self) {
        let s = self.src;
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() && !self.done {
            match memchr2(b'<', b'&', &b[i..]) {
                None => {
                    self.text.push_str(&s[i..]);
                    break;
                }
                Some(off) => {
                    let at = i + off;
                    self.text.push_str(&s[i..at]);
                    i = if b[at] == b'&' {
                        let before = self.text.len();
                        let next = reference(s, at, &mut self.text, &mut self.fixes);
                        self.referenced |= !self.text.as_bytes()[before..].is_ascii();
                        next
                    } else {
                        self.markup(at)
                    };
                }
            }
        }
        self.finish();
    }

    /// Reads the markup starting with the `<` at `at`; returns where reading goes on.
    fn markup(&mut self, at: usize) -> usize {
        let s = self.src;
        let b = s.as_bytes();
        let rest = &b[at..];
        if rest.starts_with(b"<!--") {
            match memmem::find(&rest[4..], b"-->") {
                Some(p) => at + 4 + p + 3,
                None => b.len(),
            }
        } else if rest.starts_with(b"<![CDATA[") {
            let from = at + 9;
            match memmem::find(&b[from..], b"]]>") {
                Some(p) => {
                    self.text.push_str(&s[from..from + p]);
                    from + p + 3
                }
                None => {
                    self.text.push_str(&s[from..]);
                    self.fixes.add(Fix::BrokenCdata);
                    b.len()
                }
            }
        } else if rest.starts_with(b"<!") {
            self.declaration(at)
        } else if rest.starts_with(b"<?") {
            match memmem::find(&rest[2..], b"?>") {
                Some(p) => at + 2 + p + 2,
                None => b.len(),
            }
        } else if rest.starts_with(b"</") && rest.get(2).is_some_and(|c| is_name_start(*c)) {
            self.end_tag(at)
        } else if rest.get(1).is_some_and(|c| is_name_start(*c)) {
            self.start_tag(at)
        } else {
            self.text.push('<');
            self.fixes.add(Fix::StrayLt);
            at + 1
        }
    }

    /// Skips `<!DOCTYPE …>` (with its internal subset) or another `<!…>` declaration.
    fn declaration(&mut self, at: usize) -> usize {
        let b = self.src.as_bytes();
        if !(b.len() >= at + 9 && b[at + 2..at + 9].eq_ignore_ascii_case(b"DOCTYPE")) {
            // `<![if !supportLists]>` and other conditional or bogus declarations from
            // pasted HTML: skipped up to their `>`.
            return memchr(b'>', &b[at..]).map_or(b.len(), |p| at + p + 1);
        }
        let mut i = at + 2;
        let mut depth = 0usize;
        let mut quote = None;
        while i < b.len() {
            let c = b[i];
            match quote {
                Some(q) => {
                    if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    b'"' | b'\'' => quote = Some(c),
                    b'[' => {
                        if depth == 0 {
                            self.fixes.add(Fix::InternalSubset);
                        }
                        depth += 1;
                    }
                    b']' => depth = depth.saturating_sub(1),
                    b'<' if depth > 0 && b[i..].starts_with(b"<!--") => {
                        match memmem::find(&b[i + 4..], b"-->") {
                            Some(p) => i += 4 + p + 2,
                            None => return b.len(),
                        }
                    }
                    b'>' if depth == 0 => return i + 1,
                    _ => {}
                },
            }
            i += 1;
        }
        b.len()
    }

    fn end_tag(&mut self, at: usize) -> usize {
        let s = self.src;
        let b = s.as_bytes();
        let start = at + 2;
        let end = start
            + b[start..]
                .iter()
                .position(|c| ends_name(*c))
                .unwrap_or(b.len() - start);
        let Some(close) = memchr(b'>', &b[end..]) else {
            return b.len();
        };
        self.close(&s[start..end]);
        end + close + 1
    }

    fn close(&mut self, qname: &str) {
        if self.flattened > 0 {
            self.flattened -= 1;
            return;
        }
        let Some(k) = self.find_open(qname) else {
            self.fixes.add(Fix::StrayEnd);
            return;
        };
        while self.stack.len() > k + 1 {
            self.fixes.add(Fix::Unclosed);
            self.pop(true);
        }
        self.pop(false);
    }

    /// The innermost open element named `qname`.
    fn find_open(&self, qname: &str) -> Option<usize> {
        if let Some(top) = self.stack.last()
            && has_qname(&top.el, qname)
        {
            return Some(self.stack.len() - 1);
        }
        let hash = name_hash(qname);
        if self.buckets[bucket(hash)] == 0 {
            return None;
        }
        let mut below = self.hashes.len().saturating_sub(1);
        while let Some(k) = self.hashes[..below].iter().rposition(|&h| h == hash) {
            if has_qname(&self.stack[k].el, qname) {
                return Some(k);
            }
            below = k;
        }
        None
    }

    /// Attaches pending text to the open element (or drops it outside the root).
    fn flush(&mut self) {
        let referenced = std::mem::take(&mut self.referenced);
        if self.text.is_empty() {
            return;
        }
        match self.stack.last_mut() {
            Some(top) => {
                if !referenced && let Some(fixed) = mojibake::repair(&self.text) {
                    self.text = fixed;
                    self.fixes.add(Fix::Mojibake);
                }
                if let Some(Node::Text(last)) = top.el.children.last_mut() {
                    last.push_str(&self.text);
                    self.text.clear();
                } else {
                    top.el
                        .children
                        .push(Node::Text(std::mem::take(&mut self.text)));
                }
            }
            None => {
                if !self.text.trim().is_empty() {
                    self.fixes.add(if self.root_closed {
                        Fix::AfterRoot
                    } else {
                        Fix::BeforeRoot
                    });
                }
                self.text.clear();
            }
        }
    }

    /// Closes the innermost open element.
    fn pop(&mut self, implicit: bool) {
        self.flush();
        if let Some(hash) = self.hashes.pop() {
            self.buckets[bucket(hash)] -= 1;
        }
        let Some(open) = self.stack.pop() else {
            return;
        };
        self.undeclare(open.ns_mark);
        let mut el = open.el;
        if let Some(entries) = &mut self.entries {
            entries.settle(open.id, &mut el.children);
        }
        self.open_entries -= usize::from(open.entry);
        // `<br>` in unescaped HTML: what followed it belongs to the parent.
        let moved = if implicit
            && !el.children.is_empty()
            && HTML_VOID.iter().any(|v| el.local.eq_ignore_ascii_case(v))
        {
            std::mem::take(&mut el.children)
        } else {
            Vec::new()
        };
        self.attach(el);
        if let Some(top) = self.stack.last_mut() {
            top.el.children.extend(moved);
        }
    }

    /// Puts a complete element into its parent, or hands an entry to the cap.
    fn attach(&mut self, el: Element) {
        match self.stack.last_mut() {
            Some(top) => match &mut self.entries {
                Some(entries) if self.open_entries == 0 && entries.is_entry(&el) => {
                    entries.offer(el, entries::place(top.id, &top.el.children));
                }
                _ => top.el.children.push(Node::Element(el)),
            },
            None => {
                self.root = Some(el);
                self.root_closed = true;
            }
        }
    }

    fn undeclare(&mut self, mark: usize) {
        while self.ns_log.len() > mark {
            if let Some(prefix) = self.ns_log.pop()
                && let Some(uris) = self.ns.get_mut(&prefix)
            {
                uris.pop();
            }
        }
    }

    fn lookup(&self, prefix: Option<&str>) -> Option<String> {
        match prefix {
            Some("xml") => Some(XML_NS.to_owned()),
            _ => self
                .ns
                .get(prefix.unwrap_or(""))
                .and_then(|uris| uris.last())
                .and_then(Clone::clone),
        }
    }

    fn start_tag(&mut self, at: usize) -> usize {
        let s = self.src;
        let b = s.as_bytes();
        let name_start = at + 1;
        let mut i = name_start
            + b[name_start..]
                .iter()
                .position(|c| ends_name(*c))
                .unwrap_or(b.len() - name_start);
        let qname = &s[name_start..i];
        let keep_attrs = self.stack.len() < MAX_DEPTH;
        self.attrs.clear();
        let mut dropped_attrs = 0;
        let mut self_closing;
        let mut saw_value = false;
        loop {
            while i < b.len() && is_ws(b[i]) {
                i += 1;
            }
            if i >= b.len() {
                // Truncated inside the tag: the tag is lost.
                return b.len();
            }
            match b[i] {
                b'>' => {
                    i += 1;
                    self_closing = false;
                    break;
                }
                b'/' if b.get(i + 1) == Some(&b'>') => {
                    i += 2;
                    self_closing = true;
                    break;
                }
                b'<' if !saw_value => {
                    // `x <y then</title>`: words after a `<`, not a tag.
                    self.text.push('<');
                    self.fixes.add(Fix::StrayLt);
                    return at + 1;
                }
                b'<' => {
                    self.fixes.add(Fix::BrokenTag);
                    self_closing = false;
                    break;
                }
                c if ends_name(c) => i += 1,
                _ => {
                    let name_at = i;
                    while i < b.len() && !ends_name(b[i]) {
                        i += 1;
                    }
                    let name = (name_at, i);
                    while i < b.len() && is_ws(b[i]) {
                        i += 1;
                    }
                    let mut value = (i, i);
                    if b.get(i) == Some(&b'=') {
                        saw_value = true;
                        i += 1;
                        while i < b.len() && is_ws(b[i]) {
                            i += 1;
                        }
                        match b.get(i) {
                            Some(&q @ (b'"' | b'\'')) => {
                                if let Some(len) = memchr(q, &b[i + 1..]) {
                                    value = (i + 1, i + 1 + len);
                                    i += len + 2;
                                } else {
                                    // The quote is never closed: the value ends at `>`.
                                    let Some(len) = memchr(b'>', &b[i + 1..]) else {
                                        return b.len();
                                    };
                                    self.fixes.add(Fix::BrokenTag);
                                    value = (i + 1, i + 1 + len);
                                    i += len + 1;
                                }
                            }
                            Some(_) => {
                                let from = i;
                                while i < b.len() && !is_ws(b[i]) && b[i] != b'>' {
                                    i += 1;
                                }
                                value = (from, i);
                            }
                            None => return b.len(),
                        }
                    }
                    if !keep_attrs {
                        continue;
                    }
                    if self.attrs.len() >= MAX_ATTRS + MAX_NS_DECLS {
                        dropped_attrs += 1;
                        continue;
                    }
                    let value = attr_value(&s[value.0..value.1], &mut self.fixes);
                    self.attrs.push(RawAttr { name, value });
                }
            }
        }
        if !self_closing && HTML_VOID.iter().any(|v| qname.eq_ignore_ascii_case(v)) {
            // Unescaped HTML `<br>`: closed right away unless its end tag follows.
            let next = i + b[i..].iter().take_while(|c| is_ws(**c)).count();
            let closes = b[next..].starts_with(b"</")
                && b[next + 2..]
                    .get(..qname.len())
                    .is_some_and(|n| n.eq_ignore_ascii_case(qname.as_bytes()));
            if !closes {
                self_closing = true;
                self.fixes.add(Fix::Unclosed);
            }
        }
        if self.root_closed && self.stack.is_empty() {
            self.fixes.add(Fix::AfterRoot);
            self.text.clear();
            self.done = true;
            return i;
        }
        if self.stack.len() >= MAX_DEPTH {
            self.fixes.add(Fix::Deep);
            if !self_closing {
                self.flattened += 1;
            }
            return i;
        }
        self.flush();
        let ns_mark = self.ns_log.len();
        let el = self.element(qname, dropped_attrs);
        if self.root.is_none()
            && self.stack.is_empty()
            && ["html", "head", "body"]
                .iter()
                .any(|h| el.local.eq_ignore_ascii_case(h))
        {
            self.error = Some(FeedError::NotAFeed {
                reason: format!(
                    "the document is HTML (its root element is <{}>); point the source at \
                     the site's RSS/Atom/JSON feed",
                    el.local
                ),
            });
            self.done = true;
            return b.len();
        }
        if self_closing {
            self.undeclare(ns_mark);
            self.attach(el);
        } else {
            let hash = name_hash(qname);
            self.buckets[bucket(hash)] += 1;
            self.hashes.push(hash);
            let entry = self
                .entries
                .as_ref()
                .is_some_and(|entries| entries.is_entry(&el));
            self.open_entries += usize::from(entry);
            self.opened += 1;
            self.stack.push(Open {
                el,
                ns_mark,
                id: self.opened,
                entry,
            });
        }
        i
    }

    /// Builds the element of a start tag from its name and [`Self::attrs`], declaring
    /// its namespaces.
    fn element(&mut self, qname: &str, dropped_attrs: usize) -> Element {
        let s = self.src;
        let mut decls = 0;
        let mut plain = 0;
        let mut attrs = std::mem::take(&mut self.attrs);
        for raw in &attrs {
            let name = &s[raw.name.0..raw.name.1];
            let prefix = if name == "xmlns" {
                ""
            } else if let Some(p) = name.strip_prefix("xmlns:") {
                p
            } else {
                plain += 1;
                continue;
            };
            decls += 1;
            if decls > MAX_NS_DECLS {
                self.fixes.add(Fix::NsDecls);
                continue;
            }
            let uri = (!raw.value.is_empty()).then(|| raw.value.clone());
            self.ns.entry(prefix.to_owned()).or_default().push(uri);
            self.ns_log.push(prefix.to_owned());
        }
        for _ in 0..dropped_attrs {
            self.fixes.add(Fix::Attrs);
        }
        let mut out = Vec::with_capacity(plain.min(MAX_ATTRS));
        for raw in attrs.drain(..) {
            let name = &s[raw.name.0..raw.name.1];
            if name == "xmlns" || name.starts_with("xmlns:") {
                continue;
            }
            if out.len() >= MAX_ATTRS {
                self.fixes.add(Fix::Attrs);
                continue;
            }
            let (prefix, local) = split_qname(name);
            let ns = prefix.and_then(|p| self.lookup(Some(p)));
            out.push(Attr {
                ns,
                prefix: prefix.map(str::to_owned),
                local: local.to_owned(),
                value: raw.value,
            });
        }
        self.attrs = attrs;
        let (prefix, local) = split_qname(qname);
        Element {
            ns: self.lookup(prefix),
            prefix: prefix.map(str::to_owned),
            local: local.to_owned(),
            attrs: out,
            children: Vec::new(),
        }
    }

    fn finish(&mut self) {
        if self.done && self.error.is_some() {
            return;
        }
        if !self.stack.is_empty() {
            self.fixes.0[Fix::Truncated as usize] += self.stack.len();
            while !self.stack.is_empty() {
                self.pop(true);
            }
        }
        self.flush();
    }
}
