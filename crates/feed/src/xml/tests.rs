//! Tests of the lenient XML reader: each case is a small document built here.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::FeedError;

fn tree(xml: &str) -> Tree {
    read(xml.as_bytes(), None).unwrap()
}

fn child<'a>(el: &'a Element, local: &str) -> &'a Element {
    el.elements().find(|e| e.local == local).unwrap()
}

fn has_warning(tree: &Tree, needle: &str) -> bool {
    tree.warnings.iter().any(|w| w.contains(needle))
}

#[test]
fn well_formed_rss_reads_cleanly() {
    let t = tree(
        r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hi &amp; bye</title><item><title>One</title></item></channel></rss>"#,
    );
    assert_eq!(t.root.local, "rss");
    assert_eq!(t.root.attr("version"), Some("2.0"));
    let channel = child(&t.root, "channel");
    assert_eq!(child(channel, "title").text(), "Hi & bye");
    assert_eq!(child(child(channel, "item"), "title").text(), "One");
    assert_eq!(t.encoding, "utf-8");
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn namespaces_resolved_and_prefixes_kept() {
    let t = tree(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:base="http://a.example/" xml:lang="en">
<media:thumbnail media:url="x.png" url="y.png"/><undeclared:foo/></feed>"#,
    );
    assert_eq!(t.root.ns.as_deref(), Some("http://www.w3.org/2005/Atom"));
    assert_eq!(t.root.prefix, None);
    assert_eq!(t.root.xml_base(), Some("http://a.example/"));
    assert_eq!(t.root.xml_lang(), Some("en"));
    assert!(t.root.attrs.iter().all(|a| !a.local.starts_with("xmlns")));
    let thumb = child(&t.root, "thumbnail");
    assert_eq!(thumb.ns.as_deref(), Some("http://search.yahoo.com/mrss/"));
    assert_eq!(thumb.prefix.as_deref(), Some("media"));
    assert_eq!(thumb.attr("url"), Some("y.png"));
    assert_eq!(
        thumb.attr_ns("http://search.yahoo.com/mrss/", "url"),
        Some("x.png")
    );
    let foo = child(&t.root, "foo");
    assert_eq!(foo.ns, None);
    assert_eq!(foo.prefix.as_deref(), Some("undeclared"));
}

#[test]
fn namespace_scope_ends_with_its_element() {
    let t = tree(r#"<r><a xmlns="urn:a"><b/></a><c/></r>"#);
    let a = child(&t.root, "a");
    assert_eq!(child(a, "b").ns.as_deref(), Some("urn:a"));
    assert_eq!(child(&t.root, "c").ns, None);
}

#[test]
fn cdata_and_text_merge_into_one_text_node() {
    let t = tree("<r><d>a <![CDATA[<b>bold</b> & co]]> z</d></r>");
    let d = child(&t.root, "d");
    assert_eq!(
        d.children,
        vec![Node::Text("a <b>bold</b> & co z".to_owned())]
    );
}

#[test]
fn comments_and_processing_instructions_dropped() {
    let t = tree("<r>a<!-- no <x> -->b<?pi stuff?>c</r>");
    assert_eq!(t.root.children, vec![Node::Text("abc".to_owned())]);
}

#[test]
fn character_references_decoded() {
    let t = tree("<r>&#65;&#x42;&#X43;&lt;&gt;&quot;&apos;</r>");
    assert_eq!(t.root.text(), "ABC<>\"'");
    assert!(t.warnings.is_empty());
}

#[test]
fn html_named_entities_decoded_with_warning() {
    let t = tree("<r>caf&eacute;&nbsp;&hellip;</r>");
    assert_eq!(t.root.text(), "caf\u{e9}\u{a0}\u{2026}");
    assert!(has_warning(&t, "HTML named entities"));
}

#[test]
fn html_entity_with_two_code_points() {
    let t = tree("<r>&NotEqualTilde;</r>");
    assert_eq!(t.root.text(), "\u{2242}\u{338}");
}

#[test]
fn entities_decoded_in_attributes() {
    let t = tree(r#"<r><a href="?a=1&amp;b=2&eacute;&#33;"/></r>"#);
    assert_eq!(child(&t.root, "a").attr("href"), Some("?a=1&b=2\u{e9}!"));
}

#[test]
fn empty_document_is_an_error() {
    assert!(matches!(read(b"", None), Err(FeedError::Empty)));
    assert!(matches!(read(b"  \n ", None), Err(FeedError::Empty)));
}
