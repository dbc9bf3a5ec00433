//! Which vocabulary an element belongs to, whatever namespace URI variant or (undeclared)
//! prefix the feed used.

use crate::xml::Element;

/// The vocabularies the interpreter knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// No namespace (RSS 0.9x/2.0 core, or a prefix-less Atom document that forgot its
    /// namespace).
    None,
    /// RSS 1.0 (`http://purl.org/rss/1.0/`).
    Rss10,
    /// RSS 0.90 (`http://my.netscape.com/rdf/simple/0.9/`).
    Rss090,
    /// UserLand's RSS 2.0 namespaces, which mean the RSS core.
    RssCore,
    Atom10,
    Atom03,
    Content,
    Dc,
    Dcterms,
    Media,
    Itunes,
    Slash,
    Sy,
    Wfw,
    Rdf,
    Xhtml,
    /// Atom tombstones (RFC 6721, `http://purl.org/atompub/tombstones/1.0`).
    Tombstones,
    /// FeedBurner's extensions (`feedburner:origLink`).
    Feedburner,
    /// Any other namespace.
    Other,
}

/// `uri` reduced to a comparable form: lower case, `https` as `http`, no trailing `/` or `#`.
fn normalize(uri: &str) -> String {
    let mut uri = uri.trim().to_ascii_lowercase();
    if let Some(rest) = uri.strip_prefix("https://") {
        uri = format!("http://{rest}");
    }
    while uri.ends_with('/') || uri.ends_with('#') {
        uri.pop();
    }
    uri
}

/// The vocabulary of namespace URI `uri`.
pub(crate) fn of_uri(uri: &str) -> Ns {
    match normalize(uri).as_str() {
        "http://purl.org/rss/1.0" => Ns::Rss10,
        "http://my.netscape.com/rdf/simple/0.9" => Ns::Rss090,
        "http://backend.userland.com/rss2"
        | "http://backend.userland.com/rss"
        | "http://blogs.law.harvard.edu/tech/rss" => Ns::RssCore,
        "http://www.w3.org/2005/atom" => Ns::Atom10,
        "http://purl.org/atom/ns" => Ns::Atom03,
        "http://purl.org/rss/1.0/modules/content" => Ns::Content,
        "http://purl.org/dc/elements/1.1" | "http://purl.org/dc/elements/1.0" => Ns::Dc,
        "http://purl.org/dc/terms" => Ns::Dcterms,
        "http://search.yahoo.com/mrss"
        | "http://search.yahoo.com/rss"
        | "http://tools.search.yahoo.com/mrss" => Ns::Media,
        "http://www.itunes.com/dtds/podcast-1.0.dtd"
        | "http://example.com/dtds/podcast-1.0.dtd"
        | "http://www.itunes.com/dtds/podcast-1.0.dtd#" => Ns::Itunes,
        "http://purl.org/rss/1.0/modules/slash" => Ns::Slash,
        "http://purl.org/rss/1.0/modules/syndication" => Ns::Sy,
        "http://wellformedweb.org/commentapi" => Ns::Wfw,
        "http://www.w3.org/1999/02/22-rdf-syntax-ns" => Ns::Rdf,
        "http://www.w3.org/1999/xhtml" => Ns::Xhtml,
        "http://purl.org/atompub/tombstones/1.0" => Ns::Tombstones,
        "http://rssnamespace.org/feedburner/ext/1.0" => Ns::Feedburner,
        _ => Ns::Other,
    }
}

/// The vocabulary a well-known prefix stands for, when the feed never declared it.
fn of_prefix(prefix: &str) -> Ns {
    match prefix.to_ascii_lowercase().as_str() {
        "content" => Ns::Content,
        "dc" => Ns::Dc,
        "dcterms" => Ns::Dcterms,
        "media" => Ns::Media,
        "itunes" => Ns::Itunes,
        "slash" => Ns::Slash,
        "sy" => Ns::Sy,
        "wfw" => Ns::Wfw,
        "atom" | "atom10" => Ns::Atom10,
        "rdf" => Ns::Rdf,
        "xhtml" => Ns::Xhtml,
        "at" => Ns::Tombstones,
        "feedburner" => Ns::Feedburner,
        _ => Ns::Other,
    }
}

/// The vocabulary of element `el`: by its namespace, else by its undeclared prefix.
pub(crate) fn of(el: &Element) -> Ns {
    match (&el.ns, &el.prefix) {
        (Some(uri), _) => of_uri(uri),
        (None, Some(prefix)) => of_prefix(prefix),
        (None, None) => Ns::None,
    }
}

/// Whether `el` is `local` (ASCII case-insensitive) in vocabulary `ns`.
pub(crate) fn is(el: &Element, ns: Ns, local: &str) -> bool {
    el.local.eq_ignore_ascii_case(local) && of(el) == ns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(ns: Option<&str>, prefix: Option<&str>, local: &str) -> Element {
        Element {
            ns: ns.map(str::to_owned),
            prefix: prefix.map(str::to_owned),
            local: local.to_owned(),
            ..Element::default()
        }
    }

    #[test]
    fn namespace_variants_are_recognised() {
        assert_eq!(of_uri("http://purl.org/dc/elements/1.1/"), Ns::Dc);
        assert_eq!(of_uri("https://purl.org/dc/elements/1.1"), Ns::Dc);
        assert_eq!(
            of_uri("http://www.itunes.com/DTDs/Podcast-1.0.dtd"),
            Ns::Itunes
        );
        assert_eq!(of_uri("http://search.yahoo.com/mrss"), Ns::Media);
        assert_eq!(of_uri("http://purl.org/atom/ns#"), Ns::Atom03);
        assert_eq!(of_uri("http://example.org/unknown"), Ns::Other);
    }

    #[test]
    fn undeclared_well_known_prefixes_are_mapped() {
        assert_eq!(of(&el(None, Some("content"), "encoded")), Ns::Content);
        assert_eq!(of(&el(None, Some("dc"), "creator")), Ns::Dc);
        assert_eq!(of(&el(None, Some("foo"), "bar")), Ns::Other);
        assert_eq!(of(&el(None, None, "title")), Ns::None);
        // A declared namespace wins over the prefix.
        assert_eq!(
            of(&el(Some("http://example.org/x"), Some("dc"), "creator")),
            Ns::Other
        );
        assert!(is(&el(None, Some("dc"), "Creator"), Ns::Dc, "creator"));
    }
}
