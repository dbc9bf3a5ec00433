//! Feed discovery: the feeds a web page advertises.
//!
//! A page names its feeds with `<link rel="alternate" type="application/rss+xml" href=…>`
//! (or Atom, or JSON Feed) in its head. [`discover`] reads those, resolving each `href`
//! against the page's URL or its `<base href>`; when a page advertises nothing, callers try
//! [`COMMON_PATHS`] on the same origin. Pure: no network, the caller fetches.

use scraper::{Html, Selector};
use url::Url;

use crate::sniff::{self, Start};

/// Where sites often keep a feed they do not advertise, tried in this order.
pub const COMMON_PATHS: &[&str] = &[
    "/feed",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
];

/// The most feed links [`discover`] returns from one page.
pub const MAX_LINKS: usize = 10;

/// The kind of feed a link announces, from its `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Rss,
    Atom,
    Json,
}

impl LinkKind {
    fn from_type(media_type: &str) -> Option<LinkKind> {
        let essence = media_type.split(';').next().unwrap_or_default().trim();
        match essence.to_ascii_lowercase().as_str() {
            "application/rss+xml" | "application/rdf+xml" => Some(LinkKind::Rss),
            "application/atom+xml" => Some(LinkKind::Atom),
            "application/feed+json" | "application/json" => Some(LinkKind::Json),
            _ => None,
        }
    }
}

/// One feed a page advertises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    /// Absolute http(s) URL.
    pub url: Url,
    /// The link's `title`, when it has one.
    pub title: Option<String>,
    pub kind: LinkKind,
}

/// The feeds `html` advertises, in document order, without duplicates, at most
/// [`MAX_LINKS`]. Relative links resolve against `<base href>` if present, else `page_url`;
/// only http(s) results are kept.
pub fn discover(html: &str, page_url: &Url) -> Vec<FeedLink> {
    let document = Html::parse_document(html);
    let (Ok(links), Ok(bases)) = (
        Selector::parse("link[rel][href]"),
        Selector::parse("base[href]"),
    ) else {
        return Vec::new();
    };
    let base = document
        .select(&bases)
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .filter(is_web)
        .unwrap_or_else(|| page_url.clone());
    let mut found: Vec<FeedLink> = Vec::new();
    for link in document.select(&links) {
        let element = link.value();
        let rel = element.attr("rel").unwrap_or_default();
        if !rel
            .split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("alternate"))
        {
            continue;
        }
        let Some(kind) = element.attr("type").and_then(LinkKind::from_type) else {
            continue;
        };
        let Some(mut url) = element
            .attr("href")
            .and_then(|href| base.join(href.trim()).ok())
            .filter(is_web)
        else {
            continue;
        };
        url.set_fragment(None);
        if found.iter().any(|f| f.url == url) {
            continue;
        }
        let title = element
            .attr("title")
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty());
        found.push(FeedLink { url, title, kind });
        if found.len() == MAX_LINKS {
            break;
        }
    }
    found
}

fn is_web(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host_str().is_some()
}

/// Whether `bytes` look like an HTML page (a doctype naming html, or an `<html>`, `<head>`
/// or `<body>` root), the documents worth looking for feed links in.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    match sniff::start(bytes) {
        Start::HtmlDoctype => true,
        Start::Element { name, .. } => matches!(name.as_str(), "html" | "head" | "body"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://blog.example/posts/hello").expect("url")
    }

    fn urls(html: &str) -> Vec<String> {
        discover(html, &page())
            .into_iter()
            .map(|l| l.url.to_string())
            .collect()
    }

    #[test]
    fn every_feed_type_is_found_with_its_kind_and_title() {
        let html = r#"<!doctype html><html><head>
            <link rel="alternate" type="application/rss+xml" title="  All   posts " href="/rss.xml">
            <link rel="alternate" type="application/atom+xml" href="https://blog.example/atom">
            <link rel="alternate" type="application/feed+json" href="/feed.json">
            <link rel="alternate" type="application/json" href="/other.json">
            </head><body></body></html>"#;
        let found = discover(html, &page());
        let kinds: Vec<LinkKind> = found.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                LinkKind::Rss,
                LinkKind::Atom,
                LinkKind::Json,
                LinkKind::Json
            ]
        );
        assert_eq!(found[0].title.as_deref(), Some("All posts"));
        assert_eq!(found[1].title, None);
    }

    #[test]
    fn rel_and_type_variants_are_recognised() {
        let html = r#"<head>
            <LINK REL="Alternate Feed" TYPE="Application/RSS+XML; charset=utf-8" HREF="a.xml">
            <link rel="stylesheet" type="application/rss+xml" href="/not-a-feed">
            <link rel="alternate" type="text/html" href="/fr/">
            <link rel="alternate" href="/untyped">
            </head>"#;
        assert_eq!(urls(html), ["https://blog.example/posts/a.xml"]);
    }

    #[test]
    fn relative_links_resolve_against_the_page() {
        let html = r#"<head><link rel="alternate" type="application/atom+xml" href="../feed.atom#top">
            <link rel="alternate" type="application/atom+xml" href="//cdn.example/f.xml"></head>"#;
        assert_eq!(
            urls(html),
            [
                "https://blog.example/feed.atom",
                "https://cdn.example/f.xml"
            ]
        );
    }

    #[test]
    fn base_href_decides_where_relative_links_point() {
        let html = r#"<head><base href="https://static.example/site/">
            <link rel="alternate" type="application/rss+xml" href="rss.xml"></head>"#;
        assert_eq!(urls(html), ["https://static.example/site/rss.xml"]);
    }

    #[test]
    fn a_page_without_links_has_none() {
        assert!(urls("<html><head><title>x</title></head><body>hi</body></html>").is_empty());
        assert!(urls("").is_empty());
    }

    #[test]
    fn junk_is_ignored_and_never_panics() {
        let html = r#"<head>
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            <link rel="alternate" type="application/rss+xml" href="mailto:a@b.example">
            <link rel="alternate" type="application/rss+xml" href="http://[::1">
            <link rel="alternate" type="application/rss+xml" href="/same">
            <link rel="alternate" type="application/rss+xml" href="/same#again">
            </head><<<>>><link"#;
        assert_eq!(urls(html), ["https://blog.example/same"]);
        let many: String = (0..50)
            .map(|i| format!("<link rel=alternate type=application/rss+xml href=/f{i}>"))
            .collect();
        assert_eq!(urls(&many).len(), MAX_LINKS);
    }

    #[test]
    fn html_is_told_apart_from_feeds() {
        assert!(looks_like_html(b"<!DOCTYPE html><html></html>"));
        assert!(looks_like_html(b"  <html lang=en>"));
        assert!(!looks_like_html(
            b"<?xml version=\"1.0\"?><rss version=\"2.0\"/>"
        ));
        assert!(!looks_like_html(b"{\"version\":\"x\"}"));
    }
}
