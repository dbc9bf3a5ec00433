use url::Url;

use crate::FeedError;
use crate::model::{Document, Enclosure, Format};
use crate::read::ReadOptions;

/// [`super::read_json`] of borrowed bytes.
fn read_json(bytes: &[u8], options: &ReadOptions) -> Result<Document, FeedError> {
    super::read_json(bytes.into(), options)
}

fn read(json: &str) -> Document {
    read_json(json.as_bytes(), &ReadOptions::default()).expect("reads")
}

fn read_with_base(json: &str, base: &str) -> Document {
    let options = ReadOptions {
        base_url: Some(Url::parse(base).expect("test base")),
        ..ReadOptions::default()
    };
    read_json(json.as_bytes(), &options).expect("reads")
}

fn has_warning(doc: &Document, needle: &str) -> bool {
    doc.warnings.iter().any(|w| w.contains(needle))
}

const FULL_11: &str = r#"{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "  Tea  &  <Biscuits>  ",
  "home_page_url": "https://tea.example/",
  "feed_url": "https://tea.example/feed.json",
  "description": "Notes on\n tea",
  "language": "en-GB",
  "icon": "/icon.png",
  "favicon": "https://tea.example/favicon.ico",
  "authors": [{"name": "Ada Brew", "url": "https://tea.example/ada"}, {"url": "https://x.example/"}],
  "hubs": [{"type": "WebSub", "url": "https://hub.example/"}, {"type": "rssCloud", "url": "ftp://nope.example/"}],
  "items": [
    {
      "id": "  post-1  ",
      "url": "/2024/oolong",
      "title": "Oolong < Darjeeling & more",
      "content_html": "<p>Steep <a href=\"notes\">this</a></p><script>alert(1)</script>",
      "content_text": "ignored because html is present",
      "summary": "A <short> note & more",
      "date_published": "2024-03-01T08:00:00+01:00",
      "date_modified": "Sat, 02 Mar 2024 10:00:00 GMT",
      "tags": ["oolong", " tea ", "oolong"],
      "language": "en-US",
      "attachments": [
        {"url": "https://cdn.example/ep1.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 1234567},
        {"url": "ep2.ogg", "mime_type": "audio/ogg"}
      ]
    },
    {
      "id": 42,
      "external_url": "https://elsewhere.example/story",
      "content_text": "First line\nsecond line\n\nNext <paragraph> & end",
      "authors": [{"name": "Guest Writer"}]
    }
  ]
}"#;

#[test]
fn json_feed_11_reads_every_field() {
    let doc = read(FULL_11);
    assert_eq!(doc.format, Format::JsonFeed11);
    assert_eq!(doc.title.as_deref(), Some("Tea & <Biscuits>"));
    assert_eq!(doc.link.as_deref(), Some("https://tea.example/"));
    assert_eq!(
        doc.self_link.as_deref(),
        Some("https://tea.example/feed.json")
    );
    assert_eq!(doc.description.as_deref(), Some("Notes on tea"));
    assert_eq!(doc.language.as_deref(), Some("en-GB"));
    // Relative icon resolved against feed_url when no base was given.
    assert_eq!(doc.image.as_deref(), Some("https://tea.example/icon.png"));
    assert_eq!(doc.authors, vec!["Ada Brew"]);
    assert_eq!(doc.hubs, vec!["https://hub.example/"]);
    assert!(has_warning(&doc, "ftp"), "{:?}", doc.warnings);
    assert_eq!(doc.encoding, "utf-8");
    assert_eq!(doc.updated, None);

    let first = &doc.entries[0];
    assert_eq!(first.id, "post-1");
    assert!(first.id_is_native);
    assert_eq!(
        first.link.as_deref(),
        Some("https://tea.example/2024/oolong")
    );
    assert_eq!(first.title.as_deref(), Some("Oolong < Darjeeling & more"));
    let content = first.content.as_deref().expect("content");
    assert!(!content.contains("script"), "{content}");
    assert!(
        content.contains("https://tea.example/2024/notes"),
        "{content}"
    );
    assert_eq!(
        first.summary.as_deref(),
        Some("<p>A &lt;short&gt; note &amp; more</p>")
    );
    assert_eq!(
        first.published.expect("published").to_rfc3339(),
        "2024-03-01T07:00:00+00:00"
    );
    assert_eq!(
        first.updated.expect("updated").to_rfc3339(),
        "2024-03-02T10:00:00+00:00"
    );
    assert_eq!(first.categories, vec!["oolong", "tea"]);
    assert_eq!(first.language.as_deref(), Some("en-US"));
    // Items without authors inherit the feed's.
    assert_eq!(first.authors, vec!["Ada Brew"]);
    assert_eq!(
        first.enclosures,
        vec![
            Enclosure {
                url: "https://cdn.example/ep1.mp3".into(),
                mime_type: "audio/mpeg".into(),
                length: 1_234_567,
                title: None,
                thumbnail: None,
                duration: None,
            },
            Enclosure {
                url: "https://tea.example/ep2.ogg".into(),
                mime_type: "audio/ogg".into(),
                length: 0,
                title: None,
                thumbnail: None,
                duration: None,
            },
        ]
    );

    let second = &doc.entries[1];
    assert_eq!(second.id, "42");
    assert!(second.id_is_native);
    assert_eq!(
        second.link.as_deref(),
        Some("https://elsewhere.example/story")
    );
    assert_eq!(second.title, None);
    assert_eq!(
        second.content.as_deref(),
        Some("<p>First line<br>second line</p><p>Next &lt;paragraph&gt; &amp; end</p>")
    );
    assert_eq!(second.authors, vec!["Guest Writer"]);
}

#[test]
fn json_feed_10_with_author_object_and_http_version() {
    let doc = read(
        r#"{"version": "http://jsonfeed.org/version/1", "title": "Old",
            "author": {"name": "Solo Author"},
            "items": [{"id": "a", "content_text": "hi", "author": {"name": "Item Author"}},
                      {"id": "b", "content_text": "there"}]}"#,
    );
    assert_eq!(doc.format, Format::JsonFeed10);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(doc.authors, vec!["Solo Author"]);
    assert_eq!(doc.entries[0].authors, vec!["Item Author"]);
    assert_eq!(doc.entries[1].authors, vec!["Solo Author"]);
    assert_eq!(doc.entries[0].content.as_deref(), Some("<p>hi</p>"));
}

#[test]
fn an_author_written_as_a_plain_string_is_read() {
    let doc = read(
        r#"{"version": "https://jsonfeed.org/version/1", "author": "  Plain   Name ",
            "items": [{"id": "a", "author": {"url": "https://only.example/"}}]}"#,
    );
    assert_eq!(doc.authors, vec!["Plain Name"]);
    // An author with only a URL has no name: the item falls back to the feed's.
    assert_eq!(doc.entries[0].authors, vec!["Plain Name"]);
}

#[test]
fn version_urls_are_recognised_in_their_spellings() {
    for (version, format) in [
        ("https://jsonfeed.org/version/1", Format::JsonFeed10),
        ("https://jsonfeed.org/version/1/", Format::JsonFeed10),
        ("http://jsonfeed.org/version/1.1", Format::JsonFeed11),
        ("https://www.jsonfeed.org/version/1.1", Format::JsonFeed11),
    ] {
        let doc = read(&format!(r#"{{"version": "{version}", "items": []}}"#));
        assert_eq!(doc.format, format, "{version}");
        assert!(doc.warnings.is_empty(), "{version}: {:?}", doc.warnings);
    }
}

#[test]
fn missing_or_unknown_version_on_a_feed_shaped_document_is_read_as_11_with_a_warning() {
    let doc = read(r#"{"title": "No version", "items": [{"id": "1"}]}"#);
    assert_eq!(doc.format, Format::JsonFeed11);
    assert!(has_warning(&doc, "no `version`"), "{:?}", doc.warnings);
    assert_eq!(doc.entries.len(), 1);

    let doc = read(r#"{"version": "https://jsonfeed.org/version/2", "items": []}"#);
    assert_eq!(doc.format, Format::JsonFeed11);
    assert!(
        has_warning(&doc, "unknown JSON Feed version"),
        "{:?}",
        doc.warnings
    );

    // A JSON Feed version without items: still a feed, with a warning.
    let doc = read(r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Empty"}"#);
    assert!(doc.entries.is_empty());
    assert!(has_warning(&doc, "no `items`"), "{:?}", doc.warnings);
}

#[test]
fn json_that_is_not_a_feed_is_not_a_feed() {
    for json in [
        r#"{"name": "package", "dependencies": {}}"#,
        r#"[{"id": 1}]"#,
        r#""just a string""#,
        "42",
        "null",
        r#"{"version": "1.0", "items": "none"}"#,
    ] {
        match read_json(json.as_bytes(), &ReadOptions::default()) {
            Err(FeedError::NotAFeed { reason }) => assert!(reason.contains("JSON"), "{reason}"),
            other => panic!("{json}: expected NotAFeed, got {other:?}"),
        }
    }
    let Err(FeedError::NotAFeed { reason }) = read_json(
        br#"{"name": "x", "deps": 1}"#[..].into(),
        &ReadOptions::default(),
    ) else {
        panic!("expected NotAFeed");
    };
    assert!(reason.contains("deps, name"), "{reason}");
}

#[test]
fn empty_and_broken_json_are_errors() {
    assert!(matches!(
        read_json(b"  \n ", &ReadOptions::default()),
        Err(FeedError::Empty)
    ));
    assert!(matches!(
        read_json(b"\xEF\xBB\xBF", &ReadOptions::default()),
        Err(FeedError::Empty)
    ));
    assert!(matches!(
        read_json(
            br#"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "#,
            &ReadOptions::default()
        ),
        Err(FeedError::Malformed { syntax: "JSON", .. })
    ));
}

#[test]
fn deep_nesting_is_a_clean_error() {
    let mut json = String::from(r#"{"version": "https://jsonfeed.org/version/1.1", "items": "#);
    json.push_str(&"[".repeat(10_000));
    json.push_str(&"]".repeat(10_000));
    json.push('}');
    let result = read_json(json.as_bytes(), &ReadOptions::default());
    assert!(
        matches!(result, Err(FeedError::Malformed { syntax: "JSON", .. })),
        "{result:?}"
    );
}

#[test]
fn byte_order_marks_and_invalid_utf8() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(
        br#"{"version": "https://jsonfeed.org/version/1.1", "title": "BOM", "items": []}"#,
    );
    let doc = read_json(&bytes, &ReadOptions::default()).expect("reads");
    assert_eq!(doc.title.as_deref(), Some("BOM"));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);

    let text = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Wide é", "items": []}"#;
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let doc = read_json(&utf16, &ReadOptions::default()).expect("reads");
    assert_eq!(doc.title.as_deref(), Some("Wide é"));
    assert_eq!(doc.encoding, "utf-16le");

    let latin1 = b"{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"Caf\xE9\", \"items\": []}";
    let doc = read_json(latin1, &ReadOptions::default()).expect("reads");
    assert_eq!(doc.title.as_deref(), Some("Caf\u{FFFD}"));
    assert!(has_warning(&doc, "not valid UTF-8"), "{:?}", doc.warnings);
}

#[test]
fn fields_of_the_wrong_type_are_skipped_with_a_warning() {
    let doc = read(
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": 5,
            "home_page_url": ["x"], "authors": "me", "hubs": {},
            "items": [
              "not an item", 7, null,
              {"id": {"x": 1}, "title": true, "url": "https://a.example/1",
               "date_published": 20240101, "tags": "single", "attachments": {"url": "x"},
               "content_html": 3, "content_text": "fallback"},
              {"id": "  ", "title": "kept", "date_published": "not a date",
               "tags": ["ok", 3, null], "attachments": [7, {"mime_type": "audio/mpeg"},
               {"url": "https://a.example/a.mp3", "size_in_bytes": "2048"},
               {"url": "https://a.example/b.mp3", "size_in_bytes": 12.7},
               {"url": "https://a.example/c.mp3", "size_in_bytes": -5}]}
            ]}"#,
    );
    assert_eq!(doc.title, None);
    assert_eq!(doc.link, None);
    assert!(doc.authors.is_empty());
    assert_eq!(doc.entries.len(), 2);
    for needle in [
        "feed field `title` is a number",
        "feed field `home_page_url` is an array",
        "`authors` is a string",
        "`hubs` is an object",
        "an item is a string",
        "an item is a number",
        "an item is null",
        "item field `id` is an object",
        "item field `title` is a boolean",
        "item field `date_published` is a number",
        "item field `content_html` is a number",
        "`attachments` is an object",
        "not a date",
        "an attachment is a number",
        "an item tag is null",
    ] {
        assert!(has_warning(&doc, needle), "{needle}: {:?}", doc.warnings);
    }
    let first = &doc.entries[0];
    assert_eq!(first.id, "");
    assert!(!first.id_is_native);
    assert_eq!(first.title, None);
    assert_eq!(first.link.as_deref(), Some("https://a.example/1"));
    assert_eq!(first.published, None);
    assert_eq!(first.categories, vec!["single"]);
    assert_eq!(first.content.as_deref(), Some("<p>fallback</p>"));

    let second = &doc.entries[1];
    assert_eq!(second.id, "");
    assert!(!second.id_is_native);
    assert_eq!(second.title.as_deref(), Some("kept"));
    assert_eq!(second.categories, vec!["ok", "3"]);
    let lengths: Vec<u64> = second.enclosures.iter().map(|e| e.length).collect();
    assert_eq!(lengths, vec![2048, 12, 0]);
}

#[test]
fn links_resolve_against_the_base_url_first_and_unsafe_schemes_are_dropped() {
    let json = r#"{"version": "https://jsonfeed.org/version/1.1",
        "feed_url": "https://feeds.example/f.json", "home_page_url": "/home",
        "items": [{"id": "1", "url": "javascript:alert(1)", "external_url": "posts/1",
                   "content_html": "<img src=\"pic.png\">"},
                  {"id": "2", "url": "data:text/html,hi"}]}"#;
    let doc = read_with_base(json, "https://site.example/blog/");
    assert_eq!(doc.link.as_deref(), Some("https://site.example/home"));
    let first = &doc.entries[0];
    assert_eq!(
        first.link.as_deref(),
        Some("https://site.example/blog/posts/1")
    );
    assert!(
        first
            .content
            .as_deref()
            .expect("content")
            .contains("https://site.example/blog/pic.png"),
        "{:?}",
        first.content
    );
    assert_eq!(doc.entries[1].link, None);
    assert!(has_warning(&doc, "javascript: URL"), "{:?}", doc.warnings);
    assert!(has_warning(&doc, "data: URL"), "{:?}", doc.warnings);

    // No base and no feed_url: relative links cannot be resolved.
    let doc = read(
        r#"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": "/p/1"}]}"#,
    );
    assert_eq!(doc.entries[0].link, None);
    assert!(
        has_warning(&doc, "not a usable absolute URL"),
        "{:?}",
        doc.warnings
    );
}

#[test]
fn raw_html_option_skips_sanitizing() {
    let json = r#"{"version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "1", "content_html": "<p onclick=\"x()\">hi</p>"}]}"#;
    let options = ReadOptions {
        raw_html: true,
        ..ReadOptions::default()
    };
    let raw = read_json(json.as_bytes(), &options).expect("reads");
    assert_eq!(
        raw.entries[0].content.as_deref(),
        Some("<p onclick=\"x()\">hi</p>")
    );
    let clean = read(json);
    assert_eq!(clean.entries[0].content.as_deref(), Some("<p>hi</p>"));
}

#[test]
fn warnings_are_deduplicated_and_bounded() {
    let items: Vec<String> = (0..500)
        .map(|i| format!(r#"{{"id": "{i}", "title": {i}, "url": "javascript:{i}"}}"#))
        .collect();
    let json = format!(
        r#"{{"version": "https://jsonfeed.org/version/1.1", "items": [{}]}}"#,
        items.join(",")
    );
    let doc = read(&json);
    assert_eq!(doc.entries.len(), 500);
    assert_eq!(doc.warnings.len(), 2, "{:?}", doc.warnings);
}
