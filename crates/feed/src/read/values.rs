//! What the format readers share: the `xml:base` / `xml:lang` scope of an element, link
//! resolution, text constructs (text / HTML / XHTML) read as plain text or as sanitized
//! HTML, people, dates.

use chrono::{DateTime, Utc};
use url::Url;

use super::ReadOptions;
use super::ns::{self, Ns};
use crate::xml::{Element, Node};
use crate::{sanitize_html, text};

/// Content beyond this many bytes is cut before sanitizing.
pub(crate) const MAX_CONTENT_BYTES: usize = 1 << 20;

/// The `xml:base` and `xml:lang` in force at an element.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    /// The `xml:base` chain resolved against the document's URL (or the document's URL
    /// alone).
    pub(crate) base: Option<Url>,
    /// Whether some `xml:base` took part in `base`.
    pub(crate) explicit: bool,
    pub(crate) lang: Option<String>,
}

impl Scope {
    /// The scope of a document read with `options`.
    pub(crate) fn root(options: &ReadOptions) -> Scope {
        Scope {
            base: options.base_url.clone(),
            explicit: false,
            lang: None,
        }
    }

    /// The scope inside `el`.
    pub(crate) fn enter(&self, el: &Element) -> Scope {
        let mut inner = self.clone();
        if let Some(base) = el.xml_base() {
            let resolved = match Url::parse(base.trim()) {
                Ok(url) => Some(url),
                Err(url::ParseError::RelativeUrlWithoutBase) => {
                    self.base.as_ref().and_then(|b| b.join(base.trim()).ok())
                }
                Err(_) => None,
            };
            if let Some(url) = resolved {
                inner.base = Some(url);
                inner.explicit = true;
            }
        }
        if let Some(lang) = el.xml_lang() {
            let lang = lang.trim();
            inner.lang = (!lang.is_empty()).then(|| lang.to_owned());
        }
        inner
    }
}

/// State of reading one document: options, warnings, the fallback base.
pub(crate) struct Reader<'o> {
    pub(crate) options: &'o ReadOptions,
    pub(crate) warnings: Vec<String>,
    /// Links that could not be made absolute http(s) URLs (reported together).
    pub(crate) dropped_links: Vec<String>,
    /// Base for relative links when neither `xml:base` nor the document's URL is known:
    /// the feed's own `rel="self"` link, else its site link.
    pub(crate) fallback_base: Option<Url>,
    /// The last body sanitized: its HTML, base and result. An item's summary is often its
    /// content again, and sanitizing is most of the cost of reading.
    last_body: Option<(String, Option<Url>, Option<String>)>,
}

impl<'o> Reader<'o> {
    pub(crate) fn new(options: &'o ReadOptions) -> Self {
        Reader {
            options,
            warnings: Vec::new(),
            dropped_links: Vec::new(),
            fallback_base: None,
            last_body: None,
        }
    }

    /// `href` as an absolute http(s) URL in `scope`; `None` (and noted for one warning)
    /// when it cannot be one.
    pub(crate) fn link(&mut self, href: &str, scope: &Scope) -> Option<String> {
        let href = href.trim();
        if href.is_empty() {
            return None;
        }
        let found = self.link_quiet(href, scope);
        if found.is_none() {
            self.dropped_links.push(shorten(href));
        }
        found
    }

    /// Like [`Reader::link`], without noting a failure.
    pub(crate) fn link_quiet(&self, href: &str, scope: &Scope) -> Option<String> {
        let base = scope.base.as_ref().or(self.fallback_base.as_ref());
        absolute_http_url(href, base)
    }

    /// The base for URLs inside a body in `scope` of an item whose page is `item_link`:
    /// an explicit `xml:base`, else the document's URL, else the item's page, else the
    /// feed's fallback.
    pub(crate) fn content_base(&self, scope: &Scope, item_link: Option<&str>) -> Option<Url> {
        if scope.explicit || scope.base.is_some() {
            return scope.base.clone();
        }
        item_link
            .and_then(|l| Url::parse(l).ok())
            .or_else(|| self.fallback_base.clone())
    }

    /// A body as sanitized HTML (unless `raw_html`), trimmed; `None` when empty.
    pub(crate) fn html(&mut self, body: &Body<'_>, base: Option<&Url>) -> Option<String> {
        let mut html = body.raw_html()?;
        if html.len() > MAX_CONTENT_BYTES {
            self.warnings.push(format!(
                "a body of {} bytes was cut to the first {MAX_CONTENT_BYTES}",
                html.len()
            ));
            let cut = floor_char_boundary(&html, MAX_CONTENT_BYTES);
            html.truncate(cut);
        }
        if self.options.raw_html {
            return trim_body(&html);
        }
        if let Some((last, last_base, result)) = &self.last_body
            && *last == html
            && last_base.as_ref() == base
        {
            return result.clone();
        }
        let result = trim_body(&sanitize_html(&html, base));
        self.last_body = Some((html, base.cloned(), result.clone()));
        result
    }
}

/// `html` without ASCII whitespace at either end; `None` when nothing is left.
fn trim_body(html: &str) -> Option<String> {
    let html = html.trim_matches(|c: char| c.is_ascii_whitespace());
    (!html.is_empty()).then(|| html.to_owned())
}

/// `href` as an absolute `http(s)` URL, resolved against `base` when relative.
pub(crate) fn absolute_http_url(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// How the text of an element is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Html,
    /// Inline markup (Atom `xhtml`, Atom 0.3 `mode="xml"`, XML media types).
    Xhtml,
}

/// One text construct: an element, how it is meant, and its scope.
#[derive(Debug, Clone)]
pub(crate) struct Body<'a> {
    pub(crate) el: &'a Element,
    pub(crate) kind: Kind,
    pub(crate) scope: Scope,
    /// Atom 0.3 `mode="base64"`: the text is base64 of the body.
    pub(crate) base64: bool,
    /// A body of a non-text media type: nothing unless it decodes to text.
    pub(crate) binary: bool,
}

impl<'a> Body<'a> {
    pub(crate) fn new(el: &'a Element, kind: Kind, scope: Scope) -> Self {
        Body {
            el,
            kind,
            scope,
            base64: false,
            binary: false,
        }
    }

    /// The text of the element: base64-decoded when so marked.
    fn text(&self) -> String {
        let text = self.el.text();
        if self.base64 {
            match decode_base64(&text) {
                Some(decoded) => return decoded,
                None if self.binary => return String::new(),
                None => {}
            }
        }
        text
    }

    /// Inline markup of the element, relative URLs resolved along nested `xml:base`,
    /// a wrapping XHTML `<div>` removed.
    fn markup(&self) -> String {
        let el = self.el;
        let mut elements = el.elements();
        let only = elements.next().filter(|_| elements.next().is_none());
        let whitespace_only = el.children.iter().all(|n| {
            matches!(n, Node::Element(_)) || matches!(n, Node::Text(t) if t.trim().is_empty())
        });
        let (inner, scope) = match only {
            Some(div)
                if whitespace_only
                    && div.local.eq_ignore_ascii_case("div")
                    && matches!(ns::of(div), Ns::Xhtml | Ns::None) =>
            {
                (div, self.scope.enter(div))
            }
            _ => (el, self.scope.clone()),
        };
        if !has_nested_base(inner) {
            return inner.inner_markup();
        }
        let mut copy = inner.clone();
        rebase(&mut copy, &scope);
        copy.inner_markup()
    }

    /// The body as HTML before sanitizing; `None` when empty.
    pub(crate) fn raw_html(&self) -> Option<String> {
        let html = match self.kind {
            _ if self.binary => self.text(),
            Kind::Xhtml => self.markup(),
            _ if self.el.has_element_children() => self.markup(),
            Kind::Html => self.text(),
            Kind::Text => text_to_html(&self.text()),
        };
        (!html.trim().is_empty()).then_some(html)
    }

    /// The body as one line of plain text; `None` when empty.
    pub(crate) fn plain(&self) -> Option<String> {
        let plain = match self.kind {
            Kind::Text if !self.el.has_element_children() => {
                text::collapse_whitespace(&self.text())
            }
            _ => text::plain_text(&self.raw_html()?),
        };
        (!plain.is_empty()).then_some(plain)
    }
}

fn has_nested_base(el: &Element) -> bool {
    el.elements()
        .any(|c| c.xml_base().is_some() || has_nested_base(c))
}

/// Resolves `href`/`src` attributes below `el` against the `xml:base` in force there.
fn rebase(el: &mut Element, scope: &Scope) {
    for child in &mut el.children {
        if let Node::Element(child) = child {
            let inner = scope.enter(child);
            if inner.explicit {
                for attr in &mut child.attrs {
                    let url_attr = attr.ns.is_none()
                        && matches!(attr.local.to_ascii_lowercase().as_str(), "href" | "src");
                    if url_attr
                        && let Some(base) = &inner.base
                        && let Ok(url) = base.join(attr.value.trim())
                    {
                        attr.value = url.to_string();
                    }
                }
            }
            rebase(child, &inner);
        }
    }
}

/// Plain text as HTML: escaped, paragraphs (separated by blank or whitespace-only lines) in
/// `<p>`, single line breaks as `<br>`. Empty when there is no text.
pub(crate) fn text_to_html(text: &str) -> String {
    fn flush(paragraph: &mut Vec<&str>, html: &mut String) {
        if paragraph.is_empty() {
            return;
        }
        html.push_str("<p>");
        for (i, line) in paragraph.iter().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            for c in line.trim().chars() {
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
        paragraph.clear();
    }
    let mut html = String::with_capacity(text.len() + 16);
    let mut paragraph: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut paragraph, &mut html);
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, &mut html);
    html
}

/// The trimmed text of an element; `None` when empty.
pub(crate) fn trimmed(el: &Element) -> Option<String> {
    let text = el.text();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Plain one-line text of an element that is plain text by nature (names, terms); tags
/// of unescaped markup dropped.
pub(crate) fn plain(el: &Element) -> Option<String> {
    Body::new(el, Kind::Text, Scope::default()).plain()
}

/// An item's origin from its `<source>`'s title, address and feed address: named by its title, else
/// by its address; `None` when it gives neither.
pub(crate) fn origin(
    title: Option<String>,
    url: Option<String>,
    feed: Option<String>,
) -> Option<syndic_core::EntryOrigin> {
    let title = title.or_else(|| url.clone())?;
    Some(syndic_core::EntryOrigin { title, url, feed })
}

/// A date element.
pub(crate) fn date(el: &Element) -> Option<DateTime<Utc>> {
    crate::date::parse_date(&el.text())
}

/// The name in an RSS-style person string: `email (Name)`, `Name <email>`, `Name`, or
/// the email alone when that is all there is.
pub(crate) fn person_name(raw: &str) -> Option<String> {
    let raw = text::collapse_whitespace(raw);
    if raw.is_empty() {
        return None;
    }
    let email = raw
        .split([' ', '(', ')', '<', '>'])
        .find(|w| w.contains('@') && !w.starts_with('@') && !w.ends_with('@'));
    let Some(email) = email else {
        return Some(raw);
    };
    let rest = raw.replacen(email, "", 1);
    let rest = rest.replace(['(', ')', '<', '>'], " ");
    let name = text::collapse_whitespace(&rest);
    let name = name
        .trim_matches(|c: char| c == '"' || c == '\'' || c == ',')
        .trim();
    if name.is_empty() {
        Some(email.trim_start_matches("mailto:").to_owned())
    } else {
        Some(name.to_owned())
    }
}

/// A value quoted in a warning, cut so a hostile feed cannot flood the log.
pub(crate) fn shorten(s: &str) -> String {
    match s.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

pub(crate) fn floor_char_boundary(s: &str, max: usize) -> usize {
    (0..=max.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

/// Standard or URL-safe base64, whitespace ignored; `None` unless it decodes to UTF-8.
pub(crate) fn decode_base64(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b if b.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_strings_yield_the_name() {
        assert_eq!(
            person_name("jo@x.example (Jo Doe)").as_deref(),
            Some("Jo Doe")
        );
        assert_eq!(
            person_name("Jo Doe <jo@x.example>").as_deref(),
            Some("Jo Doe")
        );
        assert_eq!(person_name("jo@x.example").as_deref(), Some("jo@x.example"));
        assert_eq!(person_name("  Jo   Doe ").as_deref(), Some("Jo Doe"));
        assert_eq!(person_name(" "), None);
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(decode_base64("PGI+aGk8L2I+").as_deref(), Some("<b>hi</b>"));
        assert_eq!(decode_base64("aGk=\n").as_deref(), Some("hi"));
        assert_eq!(decode_base64("*"), None);
    }

    #[test]
    fn plain_text_escapes_into_paragraphs() {
        assert_eq!(
            text_to_html("a < b\n\nc\nd"),
            "<p>a &lt; b</p><p>c<br>d</p>"
        );
    }

    #[test]
    fn nested_xml_base_resolves_links_inside_markup() {
        let a = Element {
            local: "a".into(),
            attrs: vec![crate::xml::Attr {
                ns: None,
                prefix: None,
                local: "href".into(),
                value: "x.html".into(),
            }],
            children: vec![Node::Text("x".into())],
            ..Element::default()
        };
        let p = Element {
            local: "p".into(),
            attrs: vec![crate::xml::Attr {
                ns: Some(crate::xml::XML_NS.into()),
                prefix: Some("xml".into()),
                local: "base".into(),
                value: "http://inner.example/dir/".into(),
            }],
            children: vec![Node::Element(a)],
            ..Element::default()
        };
        let content = Element {
            local: "content".into(),
            children: vec![Node::Element(p)],
            ..Element::default()
        };
        let body = Body::new(&content, Kind::Xhtml, Scope::default());
        let html = body.raw_html().unwrap_or_default();
        assert!(
            html.contains("href=\"http://inner.example/dir/x.html\""),
            "{html}"
        );
    }
}
