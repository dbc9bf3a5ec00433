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

fn read_bytes(bytes: &[u8], content_type: Option<&str>) -> Tree {
    read(bytes, content_type).unwrap()
}

fn encode(enc: &'static encoding_rs::Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, errors) = enc.encode(text);
    assert!(!errors);
    bytes.into_owned()
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = if bom { "\u{FEFF}" } else { "" }
        .encode_utf16()
        .chain(text.encode_utf16());
    for unit in units {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

fn utf32(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for c in if bom { "\u{FEFF}" } else { "" }
        .chars()
        .chain(text.chars())
    {
        let n = u32::from(c);
        out.extend(if big_endian {
            n.to_be_bytes()
        } else {
            n.to_le_bytes()
        });
    }
    out
}

const RUSSIAN: &str = "Привет, мир";

// ---- decoding ----

#[test]
fn utf8_bom_stripped() {
    let t = read_bytes(b"\xEF\xBB\xBF<r>caf\xC3\xA9</r>", None);
    assert_eq!(t.root.text(), "café");
    assert_eq!(t.encoding, "utf-8");
    assert!(t.warnings.is_empty());
}

#[test]
fn utf16le_with_bom() {
    let doc = format!(r#"<?xml version="1.0" encoding="utf-16"?><r>{RUSSIAN}</r>"#);
    let t = read_bytes(&utf16(&doc, false, true), None);
    assert_eq!(t.root.text(), RUSSIAN);
    assert_eq!(t.encoding, "utf-16le");
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn utf16be_with_bom() {
    let t = read_bytes(&utf16(&format!("<r>{RUSSIAN}</r>"), true, true), None);
    assert_eq!(t.root.text(), RUSSIAN);
    assert_eq!(t.encoding, "utf-16be");
}

#[test]
fn utf16_without_bom_sniffed_from_first_bytes() {
    let doc = format!(r#"<?xml version="1.0"?><r>{RUSSIAN}</r>"#);
    let le = read_bytes(&utf16(&doc, false, false), None);
    assert_eq!(le.root.text(), RUSSIAN);
    assert_eq!(le.encoding, "utf-16le");
    let be = read_bytes(&utf16(&doc, true, false), None);
    assert_eq!(be.root.text(), RUSSIAN);
    assert_eq!(be.encoding, "utf-16be");
}

#[test]
fn utf32_both_orders_with_and_without_bom() {
    let doc = format!("<r>{RUSSIAN} \u{1F600}</r>");
    for (be, bom, name) in [
        (false, true, "utf-32le"),
        (true, true, "utf-32be"),
        (false, false, "utf-32le"),
        (true, false, "utf-32be"),
    ] {
        let t = read_bytes(&utf32(&doc, be, bom), None);
        assert_eq!(
            t.root.text(),
            format!("{RUSSIAN} \u{1F600}"),
            "{name} bom={bom}"
        );
        assert_eq!(t.encoding, name);
    }
}

#[test]
fn declared_windows_1251() {
    let doc = format!(r#"<?xml version="1.0" encoding="windows-1251"?><r>{RUSSIAN}</r>"#);
    let t = read_bytes(&encode(encoding_rs::WINDOWS_1251, &doc), None);
    assert_eq!(t.root.text(), RUSSIAN);
    assert_eq!(t.encoding, "windows-1251");
    assert!(t.warnings.is_empty());
}

#[test]
fn legacy_multibyte_encodings() {
    for (label, enc, text, name) in [
        (
            "Shift_JIS",
            encoding_rs::SHIFT_JIS,
            "日本語のテキスト",
            "shift_jis",
        ),
        ("EUC-JP", encoding_rs::EUC_JP, "日本語のテキスト", "euc-jp"),
        ("GBK", encoding_rs::GBK, "中文文本", "gbk"),
        ("gb2312", encoding_rs::GBK, "中文文本", "gb18030"),
        ("Big5", encoding_rs::BIG5, "中文文本", "big5"),
        ("EUC-KR", encoding_rs::EUC_KR, "한국어", "euc-kr"),
        ("KOI8-R", encoding_rs::KOI8_R, RUSSIAN, "koi8-r"),
        (
            "ISO-8859-2",
            encoding_rs::ISO_8859_2,
            "Zażółć gęślą",
            "iso-8859-2",
        ),
        (
            "ISO-8859-15",
            encoding_rs::ISO_8859_15,
            "€ œuvre",
            "iso-8859-15",
        ),
    ] {
        let doc = format!(r#"<?xml version="1.0" encoding="{label}"?><r>{text}</r>"#);
        let t = read_bytes(&encode(enc, &doc), None);
        assert_eq!(t.root.text(), text, "{label}");
        assert_eq!(t.encoding, name, "{label}");
    }
}

#[test]
fn iso_8859_1_and_us_ascii_reported_as_declared() {
    let t = read_bytes(
        b"<?xml version='1.0' encoding='ISO-8859-1'?><r>caf\xE9</r>",
        None,
    );
    assert_eq!(t.root.text(), "café");
    assert_eq!(t.encoding, "iso-8859-1");
    let t = read_bytes(
        b"<?xml version='1.0' encoding='us-ascii'?><r>plain</r>",
        None,
    );
    assert_eq!(t.encoding, "us-ascii");
}

#[test]
fn http_charset_beats_declaration_with_warning() {
    let doc = format!(r#"<?xml version="1.0" encoding="utf-8"?><r>{RUSSIAN}</r>"#);
    let bytes = encode(encoding_rs::WINDOWS_1251, &doc);
    let t = read_bytes(
        &bytes,
        Some("application/rss+xml; charset=\"windows-1251\""),
    );
    assert_eq!(t.root.text(), RUSSIAN);
    assert_eq!(t.encoding, "windows-1251");
    assert!(has_warning(&t, "disagree"));
}

#[test]
fn http_utf8_with_declared_windows_1251_follows_http() {
    let doc = format!(r#"<?xml version="1.0" encoding="windows-1251"?><r>{RUSSIAN}</r>"#);
    let t = read_bytes(doc.as_bytes(), Some("text/xml; charset=utf-8"));
    assert_eq!(t.root.text(), RUSSIAN);
    assert_eq!(t.encoding, "utf-8");
    assert!(has_warning(&t, "disagree"));
}

#[test]
fn bom_beats_http_charset_and_declaration() {
    let doc = r#"<?xml version="1.0" encoding="iso-8859-1"?><r>café</r>"#;
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(doc.as_bytes());
    let t = read_bytes(&bytes, Some("text/xml; charset=koi8-r"));
    assert_eq!(t.root.text(), "café");
    assert_eq!(t.encoding, "utf-8");
    assert!(has_warning(&t, "byte-order mark"));
}

#[test]
fn undeclared_latin1_falls_back_to_windows_1252() {
    let t = read_bytes(b"<r>caf\xE9 \x93quoted\x94</r>", None);
    assert_eq!(t.root.text(), "café \u{201C}quoted\u{201D}");
    assert_eq!(t.encoding, "windows-1252");
    assert!(has_warning(&t, "Windows-1252"));
}

#[test]
fn declared_utf8_with_stray_latin1_byte_keeps_the_utf8() {
    let t = read_bytes(
        b"<?xml version='1.0' encoding='utf-8'?><r>\xC3\xA9t\xC3\xA9 caf\xE9</r>",
        None,
    );
    assert_eq!(t.root.text(), "été café");
    assert_eq!(t.encoding, "utf-8");
    assert!(has_warning(&t, "Windows-1252"));
}

#[test]
fn latin1_label_on_utf8_bytes_reads_utf8() {
    let t = read_bytes(
        "<?xml version='1.0' encoding='iso-8859-1'?><r>café</r>".as_bytes(),
        None,
    );
    assert_eq!(t.root.text(), "café");
    assert_eq!(t.encoding, "iso-8859-1");
    assert!(has_warning(&t, "valid UTF-8"));
}

#[test]
fn utf7_is_never_decoded_into_markup() {
    let t = read_bytes(
        b"<?xml version='1.0' encoding='utf-7'?><r>+ADw-script+AD4-alert(1)+ADw-/script+AD4-</r>",
        None,
    );
    assert!(!t.root.has_element_children());
    assert_eq!(t.root.text(), "+ADw-script+AD4-alert(1)+ADw-/script+AD4-");
    assert!(has_warning(&t, "UTF-7"));
}

#[test]
fn unknown_encoding_read_as_utf8_with_warning() {
    let t = read_bytes(b"<?xml version='1.0' encoding='x-martian'?><r>ok</r>", None);
    assert_eq!(t.root.text(), "ok");
    assert_eq!(t.encoding, "utf-8");
    assert!(has_warning(&t, "x-martian"));
}

#[test]
fn declared_utf16_on_ascii_bytes_read_as_utf8() {
    let t = read_bytes(b"<?xml version='1.0' encoding='utf-16'?><r>ok</r>", None);
    assert_eq!(t.root.text(), "ok");
    assert_eq!(t.encoding, "utf-8");
    assert!(has_warning(&t, "not UTF-16"));
}

#[test]
fn nul_and_control_characters_removed() {
    let t = read_bytes(b"<r>a\0b\x01c\x0Bd\xEF\xBF\xBEe</r>", None);
    assert_eq!(t.root.text(), "abcde");
    assert!(has_warning(&t, "NUL"));
}

#[test]
fn whitespace_and_garbage_before_declaration_tolerated() {
    let t = read_bytes(
        b"\n\n  <?xml version='1.0' encoding='windows-1252'?><r>\x80</r>",
        None,
    );
    assert_eq!(t.root.text(), "\u{20AC}");
    assert_eq!(t.encoding, "windows-1252");
    let t = tree("junk\n<?xml version='1.0'?><r>x</r>");
    assert_eq!(t.root.text(), "x");
    assert!(has_warning(&t, "before the root"));
}

// ---- recovery ----

#[test]
fn undefined_entity_kept_literally() {
    let t = tree("<r>a &bogus; b</r>");
    assert_eq!(t.root.text(), "a &bogus; b");
    assert!(has_warning(&t, "undefined entities"));
}

#[test]
fn stray_ampersands_kept_literally() {
    let t = tree(r#"<r><t>AT&T & friends &#xZZ; &#;</t><a href="?a=1&b=2"/></r>"#);
    assert_eq!(child(&t.root, "t").text(), "AT&T & friends &#xZZ; &#;");
    assert_eq!(child(&t.root, "a").attr("href"), Some("?a=1&b=2"));
    assert!(has_warning(&t, "bare '&'"));
}

#[test]
fn stray_less_than_kept_as_text() {
    let t = tree("<r><t>1 < 2 <= 3 <3</t></r>");
    assert_eq!(child(&t.root, "t").text(), "1 < 2 <= 3 <3");
    assert!(has_warning(&t, "bare '<'"));
}

#[test]
fn forbidden_character_references_dropped() {
    let t = tree("<r>a&#0;b&#xD800;c&#x110000;d</r>");
    assert_eq!(t.root.text(), "abcd");
    assert!(has_warning(&t, "character references"));
}

#[test]
fn unclosed_tags_closed_at_parent_end() {
    let t = tree("<r><item><title>One</item><item><title>Two</title></item></r>");
    let items: Vec<_> = t.root.elements().collect();
    assert_eq!(items.len(), 2);
    assert_eq!(child(items[0], "title").text(), "One");
    assert_eq!(child(items[1], "title").text(), "Two");
    assert!(has_warning(&t, "1 element was not closed"));
}

#[test]
fn unmatched_end_tag_ignored() {
    let t = tree("<r><a>x</b></a><c/></r>");
    assert_eq!(child(&t.root, "a").text(), "x");
    assert!(t.root.elements().any(|e| e.local == "c"));
    assert!(has_warning(&t, "1 end tag that matches no open element"));
}

#[test]
fn unclosed_html_void_element_does_not_swallow_text() {
    let t = tree("<r><d>one<br>two<img src='x.png'>three</d></r>");
    let d = child(&t.root, "d");
    assert_eq!(d.inner_markup(), r#"one<br>two<img src="x.png">three"#);
}

#[test]
fn unterminated_cdata_becomes_text() {
    let t = tree("<r><d><![CDATA[<p>never ends</p>");
    assert_eq!(child(&t.root, "d").text(), "<p>never ends</p>");
    assert!(has_warning(&t, "CDATA"));
}

#[test]
fn truncated_document_keeps_what_was_read() {
    let t = tree("<rss><channel><title>T</title><item><title>One</title></item><item><title>Tw");
    let channel = child(&t.root, "channel");
    assert_eq!(child(channel, "title").text(), "T");
    let items: Vec<_> = channel.elements().filter(|e| e.local == "item").collect();
    assert_eq!(items.len(), 2);
    assert_eq!(child(items[1], "title").text(), "Tw");
    assert!(has_warning(&t, "ends early"));
}

#[test]
fn truncated_inside_a_start_tag() {
    let t = tree(r#"<rss><channel><title>T</title><item a="1"#);
    assert_eq!(child(child(&t.root, "channel"), "title").text(), "T");
    assert!(has_warning(&t, "ends early"));
}

#[test]
fn garbage_after_root_ignored() {
    let t = tree("<r><a/></r>trailing junk<other>x</other>");
    assert_eq!(t.root.local, "r");
    assert_eq!(t.root.elements().count(), 1);
    assert!(has_warning(&t, "after the root"));
}

#[test]
fn whitespace_after_root_is_not_a_warning() {
    let t = tree("<r/>\n\n<!-- bye -->\n");
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn start_tag_missing_its_close_bracket() {
    let t = tree("<r><a href='x'<b>text</b></a></r>");
    let a = child(&t.root, "a");
    assert_eq!(a.attr("href"), Some("x"));
    assert_eq!(child(a, "b").text(), "text");
}

#[test]
fn unquoted_and_valueless_attributes() {
    let t = tree("<r><a href=x.html checked title = 'y'/></r>");
    let a = child(&t.root, "a");
    assert_eq!(a.attr("href"), Some("x.html"));
    assert_eq!(a.attr("checked"), Some(""));
    assert_eq!(a.attr("title"), Some("y"));
}

#[test]
fn attribute_whitespace_normalized() {
    let t = tree("<r a=\"one\ntwo\tthree\"/>");
    assert_eq!(t.root.attr("a"), Some("one two three"));
}

#[test]
fn html_document_is_an_error() {
    let err = read(
        b"<!DOCTYPE html><html><head><title>x</title></head></html>",
        None,
    );
    assert!(matches!(err, Err(FeedError::NotAFeed { .. })));
    let err = read(b"<html><body>no feed</body></html>", None);
    assert!(matches!(err, Err(FeedError::NotAFeed { .. })));
}

#[test]
fn no_root_element_is_an_error() {
    assert!(matches!(
        read(b"just some text", None),
        Err(FeedError::NotAFeed { .. })
    ));
    assert!(matches!(
        read(b"<?xml version='1.0'?><!-- nothing -->", None),
        Err(FeedError::NotAFeed { .. })
    ));
}

// ---- safety ----

#[test]
fn internal_subset_entities_never_expanded() {
    let t = tree(
        r#"<?xml version="1.0"?>
<!DOCTYPE r [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!-- a comment with a ' quote and a ] bracket -->
]>
<r><t>&xxe;</t><u>&b;</u></r>"#,
    );
    assert_eq!(child(&t.root, "t").text(), "&xxe;");
    assert_eq!(child(&t.root, "u").text(), "&b;");
    assert!(has_warning(&t, "DTD"));
}

#[test]
fn external_dtd_and_parameter_entities_ignored() {
    let t = tree(
        r#"<!DOCTYPE rss SYSTEM "http://127.0.0.1:1/x.dtd" [<!ENTITY % p SYSTEM "http://127.0.0.1:1/p"> %p;]><rss><t>ok</t></rss>"#,
    );
    assert_eq!(child(&t.root, "t").text(), "ok");
}

#[test]
fn doctype_without_subset_is_silent() {
    let t = tree(
        r#"<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss/>"#,
    );
    assert_eq!(t.root.local, "rss");
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

fn depth(el: &Element) -> usize {
    let mut depth = 1;
    let mut at = el;
    while let Some(next) = at.elements().next() {
        depth += 1;
        at = next;
    }
    depth
}

#[test]
fn million_deep_nesting_is_flattened() {
    let n = 1_000_000;
    let mut doc = String::with_capacity(n * 8);
    doc.push_str("<r>");
    for _ in 0..n {
        doc.push_str("<d>");
    }
    doc.push_str("deep");
    for _ in 0..n {
        doc.push_str("</d>");
    }
    doc.push_str("<after/></r>");
    let t = tree(&doc);
    assert_eq!(depth(&t.root), reader::MAX_DEPTH);
    assert_eq!(t.root.text(), "deep");
    assert!(t.root.elements().any(|e| e.local == "after"));
    assert!(has_warning(&t, "nested deeper"));
}

#[test]
fn million_deep_unclosed_nesting_is_bounded() {
    let doc = "<d>".repeat(1_000_000);
    let t = tree(&doc);
    assert_eq!(depth(&t.root), reader::MAX_DEPTH);
    assert!(has_warning(&t, "ends early"));
}

#[test]
fn hundred_thousand_attributes_are_capped() {
    let mut doc = String::from("<r");
    for i in 0..100_000 {
        doc.push_str(&format!(" a{i}=\"{i}\""));
    }
    doc.push_str("><c/></r>");
    let t = tree(&doc);
    assert_eq!(t.root.attrs.len(), reader::MAX_ATTRS);
    assert_eq!(t.root.attr("a0"), Some("0"));
    assert_eq!(t.root.elements().count(), 1);
    assert!(has_warning(&t, "attributes were ignored"));
}

#[test]
fn ten_thousand_namespace_declarations_are_capped() {
    let mut doc = String::from("<r");
    for i in 0..10_000 {
        doc.push_str(&format!(" xmlns:p{i}=\"urn:{i}\""));
    }
    doc.push_str("><p0:a/><p9999:b/></r>");
    let t = tree(&doc);
    let a = child(&t.root, "a");
    assert_eq!(a.ns.as_deref(), Some("urn:0"));
    let b = child(&t.root, "b");
    assert_eq!(b.ns, None);
    assert_eq!(b.prefix.as_deref(), Some("p9999"));
    assert!(has_warning(&t, "declarations were ignored"));
}

#[test]
fn many_stray_end_tags_are_ignored() {
    let mut doc = "<r>".to_owned();
    doc.push_str(&"</x>".repeat(100_000));
    doc.push_str("<ok/></r>");
    let t = tree(&doc);
    assert!(t.root.elements().any(|e| e.local == "ok"));
    assert!(has_warning(&t, "100000 end tags"));
}

#[test]
fn warnings_counted_once_per_kind() {
    let t = tree("<r>&a1; &a2; &a3; & & <</r>");
    assert_eq!(t.warnings.len(), 3, "{:?}", t.warnings);
    assert!(has_warning(&t, "3 references to undefined"));
    assert!(has_warning(&t, "2 bare '&'"));
}

#[test]
fn python_style_encoding_labels_understood() {
    for label in ["windows_1251", "ms-cyrl", "CP1251"] {
        let doc = format!(r#"<?xml version="1.0" encoding="{label}"?><r>{RUSSIAN}</r>"#);
        let t = read_bytes(&encode(encoding_rs::WINDOWS_1251, &doc), None);
        assert_eq!(t.root.text(), RUSSIAN, "{label}");
        assert_eq!(t.encoding, "windows-1251", "{label}");
        assert!(t.warnings.is_empty(), "{label}: {:?}", t.warnings);
    }
}

#[test]
fn wide_labels_agree_with_sniffed_bytes() {
    let doc = r#"<?xml version="1.0" encoding="csucs4"?><r>x</r>"#;
    let t = read_bytes(&utf32(doc, true, false), None);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    let doc = r#"<?xml version="1.0" encoding="utf_16"?><r>x</r>"#;
    let t = read_bytes(&utf16(doc, true, false), None);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn non_xml_media_type_warned() {
    let t = read_bytes(b"<r>x</r>", Some("text/plain; charset=utf-8"));
    assert_eq!(t.encoding, "utf-8");
    assert!(has_warning(&t, "not an XML media type"));
    let t = read_bytes(b"<r>x</r>", Some("application/rss+xml"));
    assert!(t.warnings.is_empty());
}

#[test]
fn dos_and_mac_code_pages_decoded() {
    for (label, byte, want) in [
        ("cp437", 0x80, 'Ç'),
        ("ibm850", 0x80, 'Ç'),
        ("cp866", 0x80, 'А'),
        ("maccentraleurope", 0x80, 'Ä'),
        ("macgreek", 0x80, 'Ä'),
        ("cp862", 0x80, 'א'),
    ] {
        let mut doc = format!("<?xml version='1.0' encoding='{label}'?><r>").into_bytes();
        doc.push(byte);
        doc.extend_from_slice(b"</r>");
        let t = read_bytes(&doc, None);
        assert_eq!(t.root.text(), want.to_string(), "{label}");
        assert!(t.warnings.is_empty(), "{label}: {:?}", t.warnings);
    }
}

#[test]
fn ebcdic_recognised_and_decoded() {
    // "<?xml version='1.0' encoding='cp500'?><r>é</r>" in EBCDIC code page 500.
    let ascii = "<?xml version='1.0' encoding='cp500'?><r>";
    let to_ebcdic = |c: char| -> u8 {
        (0..=255u8)
            .find(|&b| codepages::for_label("cp500").unwrap().char(b) == c)
            .unwrap()
    };
    let mut doc: Vec<u8> = ascii.chars().map(to_ebcdic).collect();
    doc.push(to_ebcdic('é'));
    doc.extend("</r>".chars().map(to_ebcdic));
    let t = read_bytes(&doc, None);
    assert_eq!(t.root.local, "r");
    assert_eq!(t.root.text(), "é");
    assert_eq!(t.encoding, "cp500");
}

#[test]
fn windows_1252_character_references_read_as_html_does() {
    let t = tree("<r>don&#146;t &#x93;q&#x94; &#128;</r>");
    assert_eq!(t.root.text(), "don\u{2019}t \u{201C}q\u{201D} \u{20AC}");
    assert!(t.warnings.is_empty());
}

#[test]
fn double_encoded_utf8_references_decoded() {
    let t = tree("<r>&#226;&#128;&#166; caf&#195;&#169; &#xE9;t&#xE9;</r>");
    assert_eq!(t.root.text(), "\u{2026} café été");
}

#[test]
fn word_conditional_comments_skipped_silently() {
    let t = tree("<r><d><![if !supportLists]>1.<![endif]> item</d></r>");
    assert_eq!(child(&t.root, "d").text(), "1. item");
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn many_unclosed_br_do_not_nest() {
    let mut doc = "<r><d>".to_owned();
    for i in 0..1000 {
        doc.push_str(&format!("line {i}<br>"));
    }
    doc.push_str("end</d><br></br></r>");
    let t = tree(&doc);
    let d = child(&t.root, "d");
    assert_eq!(d.elements().count(), 1000);
    assert!(d.elements().all(|e| e.children.is_empty()));
    assert!(d.text().ends_with("line 999end"));
    assert_eq!(t.root.elements().filter(|e| e.local == "br").count(), 1);
    assert!(!has_warning(&t, "match no open element"));
}

#[test]
fn attribute_quote_never_closed() {
    let t = tree(r#"<r><a href="x.html>link</a></r>"#);
    let a = child(&t.root, "a");
    assert_eq!(a.attr("href"), Some("x.html"));
    assert_eq!(a.text(), "link");
    assert!(has_warning(&t, "broken"));
}

const SAMPLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE rss [<!ENTITY e "x">]>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Caf&eacute; — ünïcødé &amp; 日本</title>
<item><title a='1' b="2">One &#8230; &#x1F600;</title>
<content:encoded><![CDATA[<p>Hi & <b>bye</b></p>]]></content:encoded>
<description>a <br> b &lt;i&gt; &e; <!-- c --> <?pi x?></description></item>
</channel></rss>"#;

fn max_depth(el: &Element) -> usize {
    1 + el.elements().map(max_depth).max().unwrap_or(0)
}

#[test]
fn every_truncation_reads_without_panic() {
    let bytes = SAMPLE.as_bytes();
    for end in 0..=bytes.len() {
        if let Ok(t) = read(&bytes[..end], None) {
            assert!(max_depth(&t.root) <= reader::MAX_DEPTH);
        }
    }
    let full = read(bytes, None).unwrap();
    assert_eq!(full.root.local, "rss");
}

#[test]
fn random_mutations_read_without_panic() {
    let pieces: [&[u8]; 12] = [
        b"<",
        b">",
        b"&",
        b";",
        b"]]>",
        b"<![CDATA[",
        b"\"",
        b"'",
        b"</",
        b"<!--",
        b"\0",
        b"\xC3",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut read_ok = 0;
    for _ in 0..3000 {
        let mut doc = SAMPLE.as_bytes().to_vec();
        for _ in 0..(1 + next() % 4) {
            let at = (next() as usize) % (doc.len() + 1);
            match next() % 3 {
                0 => {
                    let piece = pieces[(next() as usize) % pieces.len()];
                    doc.splice(at..at, piece.iter().copied());
                }
                1 if at < doc.len() => {
                    doc.remove(at);
                }
                _ => {
                    if at < doc.len() {
                        doc[at] = (next() % 256) as u8;
                    }
                }
            }
        }
        if let Ok(t) = read(&doc, None) {
            read_ok += 1;
            assert!(max_depth(&t.root) <= reader::MAX_DEPTH);
        }
    }
    assert!(
        read_ok > 2500,
        "only {read_ok} of 3000 mutated documents were read"
    );
}

#[test]
fn quadratic_entity_blowup_stays_literal() {
    let big = "x".repeat(1 << 20);
    let mut doc = format!("<!DOCTYPE r [<!ENTITY big \"{big}\">]><r>");
    doc.push_str(&"&big;".repeat(100_000));
    doc.push_str("</r>");
    let t = tree(&doc);
    assert_eq!(t.root.text().len(), "&big;".len() * 100_000);
    assert!(!t.root.text().contains('x'));
}

#[test]
fn only_a_bom_or_nuls_is_empty() {
    assert!(matches!(read(b"\xEF\xBB\xBF", None), Err(FeedError::Empty)));
    assert!(matches!(read(b"\xFF\xFE", None), Err(FeedError::Empty)));
    assert!(matches!(read(b"\0\0\0 \0", None), Err(FeedError::Empty)));
}

#[test]
fn lang_and_rang_read_as_html_4_does() {
    let t = tree("<r>&lang;x&rang;</r>");
    assert_eq!(t.root.text(), "\u{2329}x\u{232A}");
}

#[test]
fn less_than_before_words_without_a_tag_end_is_text() {
    let t = tree("<r><title>if x <y then z</title><next/></r>");
    assert_eq!(child(&t.root, "title").text(), "if x <y then z");
    assert!(t.root.elements().any(|e| e.local == "next"));
    assert!(has_warning(&t, "bare '<'"));
}

/// A small RSS document in `text`'s language, without an XML declaration.
fn undeclared_rss(title: &str, body: &str) -> String {
    format!(
        "<rss version=\"2.0\"><channel><title>{title}</title><item><title>{title}</title>\
         <description>{body}</description></item><item><title>{body}</title></item>\
         </channel></rss>"
    )
}

#[test]
fn undeclared_legacy_encodings_are_guessed() {
    for (enc, title, body) in [
        (
            encoding_rs::SHIFT_JIS,
            "東京の天気予報",
            "今日は晴れのち曇り、明日は雨が降るでしょう。気温は昨日より低くなります。",
        ),
        (
            encoding_rs::GBK,
            "北京新闻报道",
            "今天天气很好，我们去公园散步。这个城市的经济发展非常迅速，人民生活水平不断提高。",
        ),
        (
            encoding_rs::EUC_KR,
            "서울 날씨 소식",
            "오늘은 맑고 내일은 비가 올 것입니다. 기온은 어제보다 낮아지겠습니다. 우리는 공원에 갑니다.",
        ),
        (
            encoding_rs::WINDOWS_1251,
            "Новости Москвы",
            "Сегодня в столице ясная погода, завтра ожидается дождь. Температура будет ниже, чем вчера.",
        ),
    ] {
        let doc = undeclared_rss(title, body);
        let t = read_bytes(&encode(enc, &doc), None);
        let name = enc.name().to_ascii_lowercase();
        assert_eq!(t.encoding, name, "{name}");
        assert!(t.root.text().contains(title), "{name}: {}", t.root.text());
        assert!(t.root.text().contains(body), "{name}");
        assert!(
            has_warning(&t, &format!("look like {}", enc.name())),
            "{name}: {:?}",
            t.warnings
        );
    }
}

#[test]
fn declared_utf8_contradicted_by_shift_jis_bytes_is_guessed() {
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>{}",
        undeclared_rss(
            "大阪のニュース",
            "新しい駅が来月開業します。多くの人が利用すると期待されています。"
        )
    );
    let t = read_bytes(&encode(encoding_rs::SHIFT_JIS, &doc), None);
    assert_eq!(t.encoding, "shift_jis");
    assert!(t.root.text().contains("大阪のニュース"));
    assert!(has_warning(&t, "labelled \"utf-8\" but is not valid UTF-8"));
}

#[test]
fn a_few_undeclared_latin_bytes_stay_windows_1252() {
    // `\xA3` alone could be `Ł` (Windows-1250); too little text to guess from.
    let t = read_bytes(b"<r><d>This is a \xA3\x93test.\x94</d></r>", None);
    assert_eq!(t.encoding, "windows-1252");
    assert_eq!(t.root.text(), "This is a \u{a3}\u{201c}test.\u{201d}");
}

#[test]
fn undeclared_windows_1252_is_not_replaced_by_a_guess() {
    let doc = undeclared_rss("Café crème", "Le déjeuner était très bon, merci beaucoup.");
    let t = read_bytes(&encode(encoding_rs::WINDOWS_1252, &doc), None);
    assert_eq!(t.encoding, "windows-1252");
    assert!(t.root.text().contains("Café crème"));
}

#[test]
fn double_encoded_utf8_text_is_repaired_with_warning() {
    let t = tree("<r><title>CafÃ© crÃ¨me</title><q>â€œquotedâ€\u{9d}</q><ok>Café</ok></r>");
    assert_eq!(child(&t.root, "title").text(), "Café crème");
    assert_eq!(child(&t.root, "q").text(), "“quoted”");
    assert_eq!(child(&t.root, "ok").text(), "Café");
    assert!(has_warning(&t, "2 text values were double-encoded UTF-8"));
}

#[test]
fn text_mixing_correct_accents_and_mojibake_is_left_alone() {
    let t = tree("<r><title>été CafÃ©</title></r>");
    assert_eq!(child(&t.root, "title").text(), "été CafÃ©");
    assert!(!has_warning(&t, "double-encoded"));
}

#[test]
fn warnings_use_the_singular_for_one() {
    let t = tree("<r><a>x &nbsp; &bogus; & y</a><b><c></b></r>");
    assert!(
        has_warning(&t, "1 HTML named entity (such as &nbsp;)"),
        "{:?}",
        t.warnings
    );
    assert!(has_warning(&t, "was decoded"));
    assert!(has_warning(
        &t,
        "1 reference to undefined entities was kept"
    ));
    assert!(has_warning(
        &t,
        "1 bare '&' character (not a reference) was kept"
    ));
    assert!(has_warning(
        &t,
        "1 element was not closed; it was closed at its parent's end"
    ));
    let t = tree("<r><a></a></x></r>");
    assert!(has_warning(
        &t,
        "1 end tag that matches no open element was ignored"
    ));
    let t = tree("<r><a><b>");
    assert!(
        has_warning(&t, "3 open elements were closed"),
        "{:?}",
        t.warnings
    );
    assert!(
        t.warnings
            .iter()
            .all(|w| !w.starts_with("1 ") || !w.contains(" were "))
    );
}
