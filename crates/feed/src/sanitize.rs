//! An allowlist sanitizer for feed HTML, built on ammonia.
//!
//! Feed content is written by strangers and shown on our pages, in our archives and in our
//! output feeds, so only plain content markup survives: text structure, links, images and
//! tables. Everything that can run code, restyle the page, submit data or embed other
//! documents is removed, together with its contents where those contents are not prose.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use ammonia::{Builder, UrlRelative};
use url::Url;

use crate::nesting::{MAX_NESTING, limit_nesting};

/// Tags that survive, with their children.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
];

/// Tags removed together with everything inside them. Other tags that are not allowed
/// (`form`, `section`, `font`, …) are removed but their children are kept.
const DROPPED_WITH_CONTENTS: &[&str] = &[
    "applet", "audio", "button", "canvas", "embed", "frame", "frameset", "iframe", "math",
    "noembed", "noframes", "object", "script", "select", "style", "svg", "template", "textarea",
    "title", "video",
];

/// Attributes allowed on any allowed tag.
/// Beyond the basics these are presentational or descriptive (the ones feedparser keeps too);
/// `class`, `id`, `name`, `style`, `target`, `accesskey`, `tabindex` and form actions stay
/// out, so content cannot borrow our styles, clobber our ids or grab keys.
const GENERIC_ATTRIBUTES: &[&str] = &[
    "title",
    "lang",
    "dir",
    "abbr",
    "align",
    "axis",
    "bgcolor",
    "border",
    "cellpadding",
    "cellspacing",
    "char",
    "charoff",
    "clear",
    "color",
    "compact",
    "datetime",
    "headers",
    "height",
    "hspace",
    "label",
    "noshade",
    "nowrap",
    "rules",
    "scope",
    "span",
    "summary",
    "valign",
    "vspace",
    "width",
];

/// Attributes allowed on particular tags (URL attributes are also scheme-checked).
const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "hreflang"]),
    ("img", &["src", "srcset", "alt", "width", "height"]),
    ("td", &["colspan", "rowspan"]),
    ("th", &["colspan", "rowspan", "scope"]),
    ("ol", &["start", "reversed"]),
    ("del", &["datetime"]),
    ("ins", &["datetime"]),
    ("details", &["open"]),
];

/// The only URL schemes links and images may use.
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// `rel` put on every link: we do not vouch for it, and the target gets neither a handle on
/// our window nor our URL.
const LINK_REL: &str = "nofollow noopener noreferrer";

/// Sanitizes untrusted HTML into markup that is safe to embed in our pages as is.
///
/// - Allowed: text structure (`p`, headings, lists, `blockquote`, `pre`/`code`, tables,
///   `figure`, `dl`, `details`, inline emphasis), `a`, `img`.
/// - Removed with their contents: `script`, `style`, `iframe`, `object`, `embed`, `svg`,
///   `math`, form controls, media players, `template`. Removed but children kept: any
///   other unknown tag (`form`, `section`, `font`, …). Comments are removed.
/// - Attributes: no `on*` handlers, no `style`, `class`, `id` or `name`; only `http`,
///   `https` and `mailto` URLs (so no `javascript:`, `data:`, `vbscript:`, in any case
///   or entity encoding: the URL is parsed before it is checked).
/// - Relative URLs are resolved against `base` when it is an `http(s)` URL. **Without a
///   usable base they are removed** (the attribute, not the element), because kept as is
///   they would resolve against *our* site once republished.
/// - An image's `srcset` keeps only its http(s) candidates with a width or density
///   descriptor, resolved like `src` (at most 16 candidates).
/// - Every link gets `rel="nofollow noopener noreferrer"`; links and images get
///   `referrerpolicy="no-referrer"`.
///
/// Markup nested deeper than 256 levels is flattened (the text stays), which keeps the
/// time bounded on hostile input. The result is stable: sanitizing it again gives the same
/// string.
pub fn sanitize_html(html: &str, base: Option<&Url>) -> String {
    if is_inert_text(html) {
        return html.to_owned();
    }
    clean(html, base)
}

/// [`sanitize_html`] through ammonia, whatever the input.
pub(crate) fn clean(html: &str, base: Option<&Url>) -> String {
    let html = limit_nesting(html, MAX_NESTING);
    let relative = match base.filter(|b| matches!(b.scheme(), "http" | "https")) {
        Some(base) => UrlRelative::RewriteWithBase(base.clone()),
        None => UrlRelative::Deny,
    };
    // Building the allowlist sets costs as much as cleaning a short body: one builder per
    // thread, only its base changes between calls.
    SRCSET_BASE.set(base.cloned());
    let clean = BUILDER.with_borrow_mut(|builder| {
        builder.url_relative(relative);
        let document = builder.clean(&html);
        // Straight into bytes: `to_string` would serialize, then copy through a formatter.
        let mut bytes = Vec::with_capacity(html.len());
        match document
            .write_to(&mut bytes)
            .map(|()| String::from_utf8(bytes))
        {
            Ok(Ok(clean)) => clean,
            _ => document.to_string(),
        }
    });
    keep_leading_newlines_in_pre(clean)
}

thread_local! {
    static BUILDER: RefCell<Builder<'static>> = RefCell::new(builder());
    /// The base the current [`clean`] on this thread resolves `srcset` addresses against
    /// (ammonia resolves only the attributes it knows as URLs).
    static SRCSET_BASE: RefCell<Option<Url>> = const { RefCell::new(None) };
}

/// Keeps an `<img srcset>` only as [`crate::srcset::sanitize`] rewrites it; every other
/// attribute as ammonia left it.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    if element == "img" && attribute == "srcset" {
        return SRCSET_BASE
            .with_borrow(|base| crate::srcset::sanitize(value, base.as_ref()))
            .map(Cow::Owned);
    }
    Some(Cow::Borrowed(value))
}

/// Text that sanitizes to itself: no markup, no entity, nothing the HTML tokenizer
/// rewrites (CR, NUL, a leading BOM) and nothing the serializer escapes (`>`, NBSP).
pub(crate) fn is_inert_text(html: &str) -> bool {
    memchr::memchr3(b'<', b'&', b'>', html.as_bytes()).is_none()
        && memchr::memchr2(b'\r', 0, html.as_bytes()).is_none()
        && !html.contains('\u{a0}')
        && !html.starts_with('\u{feff}')
}

/// A parser drops the newline right after `<pre>`, so a code block whose text starts with a
/// newline (its first line was blank) must be written with one more; html5ever's serializer
/// does not do that, and the blank line would be lost at the next parse (in the reader's
/// browser, and when sanitizing again). This puts it back.
///
/// Works on the serializer's output, where every `<` outside a tag is escaped, attribute
/// values included, so `<pre` followed by `>` or a space always starts a `pre` tag and the
/// next `>` ends it.
fn keep_leading_newlines_in_pre(html: String) -> String {
    let finder = memchr::memmem::Finder::new("<pre");
    if finder.find(html.as_bytes()).is_none() {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html.as_str();
    while let Some(at) = finder.find(rest.as_bytes()) {
        let after_name = at + "<pre".len();
        let tag_end = match rest[after_name..].chars().next() {
            Some('>' | ' ') => rest[after_name..].find('>').map(|end| after_name + end + 1),
            _ => None,
        };
        let Some(tag_end) = tag_end else {
            out.push_str(&rest[..after_name]);
            rest = &rest[after_name..];
            continue;
        };
        out.push_str(&rest[..tag_end]);
        rest = &rest[tag_end..];
        if rest.starts_with('\n') {
            out.push('\n');
        }
    }
    out.push_str(rest);
    out
}

/// The allowlist; relative URLs are denied until a base is set.
fn builder() -> Builder<'static> {
    let tag_attributes: HashMap<&str, HashSet<&str>> = TAG_ATTRIBUTES
        .iter()
        .map(|(tag, attrs)| (*tag, attrs.iter().copied().collect()))
        .collect();
    let mut builder = Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROPPED_WITH_CONTENTS.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(tag_attributes)
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .set_tag_attribute_value("a", "referrerpolicy", "no-referrer")
        .set_tag_attribute_value("img", "referrerpolicy", "no-referrer")
        .attribute_filter(filter_attribute)
        .strip_comments(true);
    builder
}

#[cfg(test)]
mod tests;
