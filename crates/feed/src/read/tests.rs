use super::*;

/// The document `xml` reads as, with default options (shared by the format modules' tests).
pub(super) fn read(xml: &str) -> Document {
    read_document(xml.as_bytes(), &ReadOptions::default()).expect("reads")
}

/// Each entry's title, in order.
pub(super) fn titles(doc: &Document) -> Vec<Option<&str>> {
    doc.entries.iter().map(|e| e.title.as_deref()).collect()
}

fn read_with_base(xml: &str, base: &str) -> Document {
    let options = ReadOptions {
        base_url: Some(Url::parse(base).expect("base")),
        ..ReadOptions::default()
    };
    read_document(xml.as_bytes(), &options).expect("reads")
}

#[test]
fn rss_versions_are_detected() {
    for (version, format) in [
        ("0.91", Format::Rss091),
        ("0.92", Format::Rss092),
        ("0.93", Format::Rss093),
        ("0.94", Format::Rss094),
        ("2.0", Format::Rss20),
    ] {
        let doc = read(&format!(
            "<rss version=\"{version}\"><channel><title>t</title></channel></rss>"
        ));
        assert_eq!(doc.format, format, "{version}");
    }
}

#[test]
fn rdf_roots_are_rss_1_0_or_0_90_by_namespace() {
    let rss10 = read(
        r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
        <channel><title>One</title></channel><item><title>i</title><link>http://x.example/1</link></item></rdf:RDF>"#,
    );
    assert_eq!(rss10.format, Format::Rss10);
    assert_eq!(rss10.title.as_deref(), Some("One"));
    assert_eq!(rss10.entries.len(), 1);
    let rss090 = read(
        r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
        <channel><title>Old</title></channel></rdf:RDF>"#,
    );
    assert_eq!(rss090.format, Format::Rss090);
}

#[test]
fn atom_versions_are_detected_and_a_bare_feed_is_guessed_with_a_warning() {
    let atom10 = read(r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>a</title></feed>"#);
    assert_eq!(atom10.format, Format::Atom10);
    assert!(atom10.warnings.is_empty(), "{:?}", atom10.warnings);
    let atom03 =
        read(r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>a</title></feed>"#);
    assert_eq!(atom03.format, Format::Atom03);
    let bare = read(r#"<feed><title>a</title><entry><title>e</title></entry></feed>"#);
    assert_eq!(bare.format, Format::Atom10);
    assert_eq!(bare.entries.len(), 1);
    assert!(
        bare.warnings
            .iter()
            .any(|w| w.contains("no Atom namespace"))
    );
}

#[test]
fn unknown_roots_are_not_feeds() {
    let err = read_document(b"<opml><body/></opml>", &ReadOptions::default());
    assert!(matches!(err, Err(FeedError::NotAFeed { .. })));
}

#[test]
fn json_documents_go_to_the_json_reader() {
    // The JSON reader answers for `{` documents, whatever it decides.
    let result = read_document(b"  {\"version\": 1}", &ReadOptions::default());
    if let Ok(doc) = result {
        assert!(matches!(
            doc.format,
            Format::JsonFeed10 | Format::JsonFeed11
        ));
    }
}

#[test]
fn rss_item_core_elements() {
    let doc = read(
        r#"<rss version="2.0"><channel><title>Feed &amp; co</title><link>http://x.example/</link>
        <description>&lt;p&gt;About &lt;b&gt;us&lt;/b&gt;&lt;/p&gt;</description><language>en-us</language>
        <managingEditor>ed@x.example (The Editor)</managingEditor><ttl>60</ttl>
        <lastBuildDate>Sat, 07 Sep 2002 09:42:31 GMT</lastBuildDate><generator>gen 1</generator>
        <image><url>/logo.png</url><title>t</title><link>http://x.example/</link></image>
        <item><title>First</title><link>/posts/1</link><guid isPermaLink="false">abc-1</guid>
        <description>Hello &lt;b&gt;world&lt;/b&gt;</description><author>jo@x.example (Jo)</author>
        <pubDate>Sat, 07 Sep 2002 09:42:31 GMT</pubDate><category domain="d">News</category>
        <category>Tech</category><comments>/posts/1#comments</comments>
        <enclosure url="http://x.example/a.mp3" type="audio/mpeg" length="123"/></item></channel></rss>"#,
    );
    assert_eq!(doc.title.as_deref(), Some("Feed & co"));
    assert_eq!(doc.description.as_deref(), Some("About us"));
    assert_eq!(doc.language.as_deref(), Some("en-us"));
    assert_eq!(doc.authors, ["The Editor"]);
    assert_eq!(doc.ttl, Some(60));
    assert_eq!(doc.generator.as_deref(), Some("gen 1"));
    assert_eq!(doc.image.as_deref(), Some("http://x.example/logo.png"));
    assert!(doc.updated.is_some());
    let e = &doc.entries[0];
    assert_eq!(e.id, "abc-1");
    assert!(e.id_is_native);
    assert_eq!(e.title.as_deref(), Some("First"));
    assert_eq!(e.link.as_deref(), Some("http://x.example/posts/1"));
    assert_eq!(e.authors, ["Jo"]);
    assert_eq!(e.categories, ["News", "Tech"]);
    assert_eq!(
        e.comments.as_deref(),
        Some("http://x.example/posts/1#comments")
    );
    assert_eq!(e.enclosures.len(), 1);
    assert_eq!(e.enclosures[0].length, 123);
    assert_eq!(e.enclosures[0].mime_type, "audio/mpeg");
    let summary = e.summary.as_deref().unwrap_or_default();
    assert!(summary.contains("<b>world</b>"), "{summary}");
    assert!(e.published.is_some());
}

#[test]
fn rss_permalink_guid_doubles_as_link() {
    let doc = read(
        r#"<rss version="2.0"><channel><item><guid>http://x.example/p/1</guid></item>
        <item><guid isPermaLink="false">http://x.example/p/2</guid></item></channel></rss>"#,
    );
    assert_eq!(doc.entries[0].link.as_deref(), Some("http://x.example/p/1"));
    assert_eq!(doc.entries[1].link, None);
}

#[test]
fn rss_namespaces_and_undeclared_prefixes() {
    let doc = read(
        r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
          xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><channel>
        <dc:language>fr</dc:language><itunes:image href="http://x.example/i.jpg"/>
        <item><content:encoded><![CDATA[<p>Full <i>text</i></p>]]></content:encoded>
        <dc:creator>Ann</dc:creator><dc:subject>Topic</dc:subject><dc:date>2004-01-01T00:00:00Z</dc:date>
        <itunes:category text="Arts"><itunes:category text="Design"/></itunes:category>
        <media:content url="http://x.example/v.mp4" type="video/mp4" fileSize="9"/>
        <wfw:commentRss>http://x.example/c.xml</wfw:commentRss></item></channel></rss>"#,
    );
    assert_eq!(doc.language.as_deref(), Some("fr"));
    assert_eq!(doc.image.as_deref(), Some("http://x.example/i.jpg"));
    let e = &doc.entries[0];
    assert_eq!(e.content.as_deref(), Some("<p>Full <i>text</i></p>"));
    assert_eq!(
        e.summary, e.content,
        "content stands in for a missing summary"
    );
    assert_eq!(e.authors, ["Ann"]);
    assert_eq!(e.categories, ["Topic", "Arts", "Design"]);
    assert!(e.updated.is_some());
    assert_eq!(e.enclosures[0].url, "http://x.example/v.mp4");
    assert_eq!(e.enclosures[0].length, 9);
    assert_eq!(e.comments.as_deref(), Some("http://x.example/c.xml"));
}

#[test]
fn rss_atom_links_give_self_hub_and_base() {
    let doc = read(
        r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
        <atom:link rel="self" href="http://x.example/feed.xml"/><atom:link rel="hub" href="http://hub.example/"/>
        <item><link>relative/1</link></item></channel></rss>"#,
    );
    assert_eq!(doc.self_link.as_deref(), Some("http://x.example/feed.xml"));
    assert_eq!(doc.hubs, ["http://hub.example/"]);
    assert_eq!(
        doc.entries[0].link.as_deref(),
        Some("http://x.example/relative/1")
    );
}

#[test]
fn relative_links_without_any_base_are_dropped_with_one_warning() {
    let doc = read(
        r#"<rss version="2.0"><channel><item><link>/a</link></item><item><link>javascript:x</link></item></channel></rss>"#,
    );
    assert_eq!(doc.entries[0].link, None);
    assert_eq!(doc.entries[1].link, None);
    let drops: Vec<_> = doc
        .warnings
        .iter()
        .filter(|w| w.contains("dropped"))
        .collect();
    assert_eq!(drops.len(), 1, "{:?}", doc.warnings);
}

#[test]
fn atom_text_constructs_and_content() {
    let doc = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title type="html">A &lt;b&gt;bold&lt;/b&gt; feed</title>
        <subtitle type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Sub <i>title</i></div></subtitle>
        <link href="http://x.example/"/><link rel="self" href="http://x.example/atom"/>
        <author><name>Feed Author</name></author><logo>/logo.png</logo>
        <entry><id>urn:1</id><title>Plain &lt;tag&gt;</title>
        <link rel="alternate" type="text/html" href="/1"/><link rel="enclosure" href="/a.mp3" type="audio/mpeg" length="5"/>
        <summary>1 &lt; 2</summary>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body <a href="x">x</a></p></div></content>
        <category term="t1" label="Label"/><published>2005-01-01T00:00:00Z</published><updated>2005-01-02T00:00:00Z</updated></entry>
        <entry xml:lang="de"><title>Two</title><content src="http://x.example/2.pdf" type="application/pdf"/></entry></feed>"#,
    );
    assert_eq!(doc.title.as_deref(), Some("A bold feed"));
    assert_eq!(doc.description.as_deref(), Some("Sub title"));
    assert_eq!(doc.language.as_deref(), Some("en"));
    assert_eq!(doc.link.as_deref(), Some("http://x.example/"));
    assert_eq!(doc.image.as_deref(), Some("http://x.example/logo.png"));
    let e = &doc.entries[0];
    assert_eq!(e.title.as_deref(), Some("Plain <tag>"));
    assert_eq!(e.link.as_deref(), Some("http://x.example/1"));
    assert_eq!(e.authors, ["Feed Author"], "inherited");
    assert_eq!(e.summary.as_deref(), Some("<p>1 &lt; 2</p>"));
    let content = e.content.as_deref().unwrap_or_default();
    assert!(
        content.starts_with("<p>Body <a href=\"http://x.example/x\""),
        "{content}"
    );
    assert_eq!(e.categories, ["t1"]);
    assert_eq!(e.enclosures[0].url, "http://x.example/a.mp3");
    assert!(e.published.is_some() && e.updated.is_some() && e.published != e.updated);
    assert_eq!(e.language, None);
    let two = &doc.entries[1];
    assert_eq!(two.content, None);
    assert_eq!(two.link.as_deref(), Some("http://x.example/2.pdf"));
    assert_eq!(two.language.as_deref(), Some("de"));
}

#[test]
fn atom_xml_base_at_every_level() {
    let doc = read_with_base(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://a.example/feed/">
        <link href="home"/>
        <entry xml:base="/entry/"><link href="page"/>
        <content type="html" xml:base="content/">&lt;a href="c"&gt;c&lt;/a&gt;</content></entry>
        <entry><link xml:base="http://b.example/x/" href="y"/></entry></feed>"#,
        "http://doc.example/dir/file.xml",
    );
    assert_eq!(doc.link.as_deref(), Some("http://a.example/feed/home"));
    assert_eq!(
        doc.entries[0].link.as_deref(),
        Some("http://a.example/entry/page")
    );
    let content = doc.entries[0].content.as_deref().unwrap_or_default();
    assert!(
        content.contains("http://a.example/entry/content/c"),
        "{content}"
    );
    assert_eq!(doc.entries[1].link.as_deref(), Some("http://b.example/x/y"));
}

#[test]
fn atom_03_modes() {
    let doc = read(
        r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><tagline>Tag line</tagline>
        <modified>2004-01-01T00:00:00Z</modified>
        <entry><title mode="escaped" type="text/html">A &lt;i&gt;b&lt;/i&gt;</title>
        <issued>2004-01-01T00:00:00Z</issued><modified>2004-01-02T00:00:00Z</modified>
        <content mode="base64" type="text/html">PGI+aGk8L2I+</content>
        <summary mode="xml" type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml"><b>s</b></div></summary>
        </entry></feed>"#,
    );
    assert_eq!(doc.format, Format::Atom03);
    assert_eq!(doc.description.as_deref(), Some("Tag line"));
    assert!(doc.updated.is_some());
    let e = &doc.entries[0];
    assert_eq!(e.title.as_deref(), Some("A b"));
    assert_eq!(e.content.as_deref(), Some("<b>hi</b>"));
    assert_eq!(e.summary.as_deref(), Some("<b>s</b>"));
    assert!(e.published.is_some() && e.updated.is_some());
}

#[test]
fn missing_ids_come_from_link_then_hash_and_repeats_are_told_apart() {
    let doc = read(
        r#"<rss version="2.0"><channel><item><link>http://x.example/1</link></item>
        <item><title>No link</title></item><item><guid>same</guid></item><item><guid>same</guid><title>b</title></item></channel></rss>"#,
    );
    assert_eq!(doc.entries[0].id, "http://x.example/1");
    assert!(!doc.entries[0].id_is_native);
    assert!(doc.entries[1].id.starts_with("sha256:"));
    assert_eq!(doc.entries[2].id, "same");
    assert!(doc.entries[3].id.starts_with("same#"));
    assert!(doc.warnings.iter().any(|w| w.contains("repeats the id")));
}

#[test]
fn unescaped_markup_in_a_description_is_kept_as_html() {
    let doc = read(
        r#"<rss version="2.0"><channel><item><description>Some <b>bold</b> text</description></item></channel></rss>"#,
    );
    assert_eq!(
        doc.entries[0].summary.as_deref(),
        Some("Some <b>bold</b> text")
    );
}

#[test]
fn rss_alternative_bodies_fullitem_xhtml_body_and_a_second_summary() {
    let doc = read(
        r#"<rss version="2.0"><channel>
        <item><description>Desc</description><summary>Longer</summary></item>
        <item><fullitem>&lt;p&gt;Full&lt;/p&gt;</fullitem></item>
        <item><body xmlns="http://www.w3.org/1999/xhtml"><p>Body</p></body></item></channel></rss>"#,
    );
    assert_eq!(doc.entries[0].summary.as_deref(), Some("Desc"));
    assert_eq!(doc.entries[0].content.as_deref(), Some("Longer"));
    assert_eq!(doc.entries[1].content.as_deref(), Some("<p>Full</p>"));
    assert_eq!(doc.entries[2].content.as_deref(), Some("<p>Body</p>"));
}

#[test]
fn rdf_about_is_the_item_id() {
    let doc = read(
        r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
        <item rdf:about="http://x.example/1"><title>t</title></item></rdf:RDF>"#,
    );
    assert_eq!(doc.entries[0].id, "http://x.example/1");
    assert!(doc.entries[0].id_is_native);
}

#[test]
fn atom_id_that_is_a_url_stands_for_a_missing_link() {
    let doc = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><id>http://x.example/</id>
        <entry><id>http://x.example/1</id></entry><entry><id>urn:x</id></entry></feed>"#,
    );
    assert_eq!(doc.link.as_deref(), Some("http://x.example/"));
    assert_eq!(doc.entries[0].link.as_deref(), Some("http://x.example/1"));
    assert_eq!(doc.entries[1].link, None);
}

#[test]
fn atom_bodies_of_other_media_types_are_base64() {
    let doc = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry>
        <content type="application/octet-stream">PGI+aGk8L2I+</content>
        <summary type="image/png">iVBORw0KGgo=</summary></entry></feed>"#,
    );
    assert_eq!(doc.entries[0].content.as_deref(), Some("<b>hi</b>"));
    assert_eq!(
        doc.entries[0].summary, doc.entries[0].content,
        "binary summary: none"
    );
}

#[test]
fn atom_tombstones_list_the_deleted_ids_once_with_their_time() {
    let doc = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"
              xmlns:at="http://purl.org/atompub/tombstones/1.0">
            <title>t</title>
            <at:deleted-entry ref=" tag:b.example,2026:gone " when="2026-03-04T10:00:00Z"/>
            <at:deleted-entry ref="tag:b.example,2026:also"/>
            <at:deleted-entry ref="tag:b.example,2026:gone"/>
            <at:deleted-entry when="2026-03-04T10:00:00Z"/>
            <entry><id>tag:b.example,2026:kept</id><title>Kept</title></entry>
        </feed>"#,
    );
    let ids: Vec<&str> = doc.deleted.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["tag:b.example,2026:gone", "tag:b.example,2026:also"]);
    assert_eq!(
        doc.deleted[0].when.map(|w| w.to_rfc3339()),
        Some("2026-03-04T10:00:00+00:00".to_owned())
    );
    assert_eq!(doc.deleted[1].when, None);
    assert_eq!(titles(&doc), [Some("Kept")]);
    assert!(
        doc.warnings.iter().any(|w| w.contains("without a ref")),
        "{:?}",
        doc.warnings
    );
}

#[test]
fn a_deleted_entry_in_another_namespace_is_no_tombstone() {
    let doc = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="http://example.org/x">
            <x:deleted-entry ref="tag:b.example,2026:gone"/>
        </feed>"#,
    );
    assert!(doc.deleted.is_empty());
}
