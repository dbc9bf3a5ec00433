use super::*;

fn text(bytes: Option<Vec<u8>>) -> Option<String> {
    bytes.map(|b| String::from_utf8(b).expect("utf-8"))
}

#[test]
fn html_entities_become_character_references() {
    let fixed = text(escape_stray_ampersands(
        b"<t>a&nbsp;b &eacute; &hellip;</t>",
    ));
    assert_eq!(fixed.as_deref(), Some("<t>a&#160;b &#233; &#8230;</t>"));
}

#[test]
fn bare_ampersands_become_amp() {
    let fixed = text(escape_stray_ampersands(
        b"<t>AT&T & more &unknownthing; &#xZZ;</t>",
    ));
    assert_eq!(
        fixed.as_deref(),
        Some("<t>AT&amp;T &amp; more &amp;unknownthing; &amp;#xZZ;</t>")
    );
}

#[test]
fn xml_entities_valid_references_and_cdata_are_left_alone() {
    let doc = b"<t>&amp; &lt; &#233; &#x1F600;<![CDATA[a & b &nbsp;]]><!-- & --></t>";
    assert_eq!(escape_stray_ampersands(doc), None);
}

#[test]
fn references_to_characters_xml_forbids_are_removed() {
    let fixed = text(escape_stray_ampersands(b"<t>a&#0;b&#xD800;c&#x1;</t>"));
    assert_eq!(fixed.as_deref(), Some("<t>abc</t>"));
}

#[test]
fn undeclared_latin1_is_transcoded() {
    let doc = b"<rss version=\"2.0\"><title>caf\xe9 \x93q\x94</title></rss>";
    let fixed = transcode_undeclared(doc, false);
    assert_eq!(
        fixed.as_deref(),
        Some("<rss version=\"2.0\"><title>caf\u{e9} \u{201c}q\u{201d}</title></rss>")
    );
    // Valid UTF-8 around stray bytes is kept.
    let mixed = "<t>\u{e9}\u{2019}</t>"
        .as_bytes()
        .iter()
        .copied()
        .chain([0xe9])
        .collect::<Vec<_>>();
    assert_eq!(
        transcode_undeclared(&mixed, false).as_deref(),
        Some("<t>\u{e9}\u{2019}</t>\u{e9}")
    );
}

#[test]
fn declared_encodings_are_left_to_the_parser() {
    let doc = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>caf\xe9</t>";
    assert_eq!(transcode_undeclared(doc, false), None);
    assert_eq!(transcode_undeclared(b"<t>ok</t>", false), None);
}

#[test]
fn rss_version_is_set() {
    let fixed = text(set_rss_version(
        b"<?xml version=\"1.0\"?>\n<rss>\n<channel/></rss>",
    ));
    assert_eq!(
        fixed.as_deref(),
        Some("<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n<channel/></rss>")
    );
    let fixed = text(set_rss_version(
        b"<rss xmlns:a=\"x\" version=\"0.94\" b='c'><channel/></rss>",
    ));
    assert_eq!(
        fixed.as_deref(),
        Some("<rss version=\"2.0\" xmlns:a=\"x\" b='c'><channel/></rss>")
    );
}

#[test]
fn empty_elements_are_dropped_by_position() {
    let doc = b"<item><media:description/><x>1</x><media:title>  </media:title></item>";
    let (fixed, name) = drop_element(doc, 26).expect("self-closing");
    assert_eq!(name, "media:description");
    assert_eq!(
        String::from_utf8_lossy(&fixed),
        "<item><x>1</x><media:title>  </media:title></item>"
    );
    let (fixed, name) = drop_element(&fixed, 27).expect("open and close");
    assert_eq!(name, "media:title");
    assert_eq!(String::from_utf8_lossy(&fixed), "<item><x>1</x></item>");
    assert_eq!(drop_element(doc, 3), None, "position not at a start tag");
}

#[test]
fn unknown_type_attributes_are_dropped() {
    let doc = b"<entry><title type=\"TEXT\">Hi</title></entry>";
    let (fixed, name) = drop_type_attribute(doc, 26).expect("type attribute");
    assert_eq!(name, "title");
    assert_eq!(
        String::from_utf8_lossy(&fixed),
        "<entry><title >Hi</title></entry>"
    );
}
