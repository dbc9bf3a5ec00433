//! Entry mapping, exercised through [`crate::parse`] on small inline feeds.

use crate::{FeedError, FeedFormat, Parsed, parse};
use url::Url;

fn rss(items: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Field Notes</title><link>https://notes.example/</link>{items}</channel></rss>"#
    )
}

fn atom(entries: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Log</title><id>urn:log</id>
<link href="https://log.example/"/><author><name>Feed Owner</name></author>{entries}</feed>"#
    )
}

fn parsed(doc: &str, base: Option<&str>) -> Parsed {
    let base = base.map(|b| Url::parse(b).expect("base"));
    parse(doc.as_bytes(), base.as_ref()).unwrap_or_else(|e| panic!("parse failed: {e}"))
}

#[test]
fn rss_author_email_with_name_in_parentheses() {
    let feed = parsed(
        &rss(
            "<item><title>a</title><author>jo@notes.example (Jo Writer)</author></item>\
              <item><title>b</title><author>only@notes.example</author></item>\
              <item><title>c</title><dc:creator> Sam  Smith </dc:creator></item>",
        ),
        None,
    );
    let authors: Vec<_> = feed.entries.iter().map(|e| e.author.as_deref()).collect();
    assert_eq!(authors, [Some("Jo Writer"), None, Some("Sam Smith")]);
}

#[test]
fn links_resolve_against_the_base_then_the_site() {
    let doc = rss("<item><title>a</title><link>/2024/a.html</link></item>");
    let with_base = parsed(&doc, Some("https://feeds.example/notes.xml"));
    assert_eq!(
        with_base.entries[0].link.as_deref(),
        Some("https://feeds.example/2024/a.html")
    );
    let without = parsed(&doc, None);
    assert_eq!(
        without.entries[0].link.as_deref(),
        Some("https://notes.example/2024/a.html")
    );
    assert_eq!(
        without.meta.site_url.as_deref(),
        Some("https://notes.example/")
    );
}

#[test]
fn relative_link_without_any_base_is_dropped_with_a_warning() {
    let doc = r#"<rss version="2.0"><channel><title>T</title>
        <item><title>a</title><link>a.html</link></item></channel></rss>"#;
    let feed = parsed(doc, None);
    assert_eq!(feed.entries[0].link, None);
    assert!(
        feed.warnings[0].contains("\"a.html\""),
        "{:?}",
        feed.warnings
    );
    assert!(feed.entries[0].guid.starts_with("sha256:"));
}

#[test]
fn script_links_are_dropped() {
    for link in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PGI+",
        "vbscript:x",
    ] {
        let feed = parsed(
            &rss(&format!("<item><title>a</title><link>{link}</link></item>")),
            None,
        );
        assert_eq!(feed.entries[0].link, None, "{link}");
        assert_eq!(feed.warnings.len(), 1, "{link}");
    }
}

#[test]
fn content_encoded_wins_over_description() {
    let feed = parsed(
        &rss("<item><title>a</title><link>https://notes.example/a</link>\
              <description>Short &lt;b&gt;teaser&lt;/b&gt;</description>\
              <content:encoded><![CDATA[<p>Full <img src=\"pic.png\"> text</p><script>x()</script>]]></content:encoded></item>\
              <item><title>b</title><description>Only &lt;i&gt;this&lt;/i&gt;</description></item>"),
        None,
    );
    assert_eq!(
        feed.entries[0].content_html,
        r#"<p>Full <img src="https://notes.example/pic.png" referrerpolicy="no-referrer"> text</p>"#
    );
    assert_eq!(feed.entries[0].content_text, "Full text");
    assert_eq!(feed.entries[1].content_html, "Only <i>this</i>");
}

#[test]
fn titles_plain_text_literal_html_typed_stripped() {
    let feed = parsed(
        &rss(
            r#"<item><title>"&gt;&lt;img src=x onerror=alert(1)&gt; &amp;amp; a  b</title></item>"#,
        ),
        None,
    );
    assert_eq!(
        feed.entries[0].title,
        r#""><img src=x onerror=alert(1)> &amp; a b"#
    );
    let feed = parsed(
        &atom(
            r#"<entry><id>1</id><title type="html">&lt;em&gt;Big&lt;/em&gt; &amp;amp; small</title></entry>
                 <entry><id>2</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X <b>Y</b></div></title></entry>"#,
        ),
        None,
    );
    assert_eq!(feed.entries[0].title, "Big & small");
    assert_eq!(feed.entries[1].title, "X Y");
}

#[test]
fn atom_text_summary_is_escaped_and_feed_author_inherited() {
    let feed = parsed(
        &atom(
            r#"<entry><id>1</id><title>t</title><updated>2024-05-01T10:00:00Z</updated>
                 <summary type="text">1 &lt; 2 &amp; 3

second</summary></entry>"#,
        ),
        None,
    );
    let entry = &feed.entries[0];
    assert_eq!(entry.content_html, "<p>1 &lt; 2 &amp; 3</p><p>second</p>");
    assert_eq!(entry.content_text, "1 < 2 & 3\n\nsecond");
    assert_eq!(entry.author.as_deref(), Some("Feed Owner"));
    assert_eq!(
        entry.published, entry.updated,
        "published falls back to updated"
    );
    assert!(entry.published.is_some());
}

#[test]
fn rss_items_have_no_updated_time_unless_they_say_so() {
    let feed = parsed(
        &rss(
            r#"<item xmlns:atom="http://www.w3.org/2005/Atom"><title>a</title><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate></item>
                <item xmlns:atom="http://www.w3.org/2005/Atom"><title>b</title><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
                <atom:updated>2024-01-03T08:00:00Z</atom:updated></item>"#,
        ),
        None,
    );
    assert_eq!(feed.entries[0].updated, None);
    assert_eq!(
        feed.entries[0].published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-01-02T10:00:00+00:00")
    );
    assert_eq!(
        feed.entries[1].updated.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-01-03T08:00:00+00:00")
    );
}

#[test]
fn categories_are_trimmed_and_deduplicated_in_order() {
    let feed = parsed(
        &rss(
            "<item><title>a</title><category> Rust </category><category>web</category>\
              <category>Rust</category><category>  </category><category>ops</category></item>",
        ),
        None,
    );
    assert_eq!(feed.entries[0].categories, ["Rust", "web", "ops"]);
    let feed = parsed(
        &atom(
            r#"<entry><id>1</id><title>t</title><category term="db" label="Databases"/><category term="" label="Misc"/></entry>"#,
        ),
        None,
    );
    assert_eq!(feed.entries[0].categories, ["db", "Misc"]);
}

#[test]
fn duplicate_guids_are_disambiguated() {
    let feed = parsed(
        &rss(
            "<item><title>a</title><guid>same</guid></item><item><title>b</title><guid>same</guid></item>",
        ),
        None,
    );
    assert_eq!(feed.entries[0].guid, "same");
    assert!(
        feed.entries[1].guid.starts_with("same#"),
        "{}",
        feed.entries[1].guid
    );
    assert_eq!(feed.warnings.len(), 1);
}

#[test]
fn hash_identity_is_stable_across_parses() {
    let doc =
        rss("<item><title>No id</title><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate></item>");
    let first = parsed(&doc, None);
    let second = parsed(&doc, None);
    assert_eq!(first.entries[0].guid, second.entries[0].guid);
    assert!(first.entries[0].guid.starts_with("sha256:"));
}

#[test]
fn json_feed_text_content_and_nbsp_titles() {
    let doc = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","home_page_url":"https://j.example/",
        "items":[{"id":"1","url":"/p/1","title":"Hello\u00a0there","content_text":"a < b\nnext line\n\npara"}]}"#;
    let feed = parsed(doc, None);
    assert_eq!(feed.format, FeedFormat::JsonFeed);
    let entry = &feed.entries[0];
    assert_eq!(entry.title, "Hello\u{a0}there");
    assert_eq!(entry.link.as_deref(), Some("https://j.example/p/1"));
    assert_eq!(
        entry.content_html,
        "<p>a &lt; b<br>next line</p><p>para</p>"
    );
    assert_eq!(entry.content_text, "a < b\nnext line\n\npara");
}

#[test]
fn long_titles_are_cut() {
    let title = "word ".repeat(400);
    let feed = parsed(&rss(&format!("<item><title>{title}</title></item>")), None);
    assert_eq!(feed.entries[0].title.chars().count(), 1024);
    assert!(feed.entries[0].title.ends_with("word"));
}

#[test]
fn zero_entries_is_a_feed() {
    let feed = parsed(&rss(""), None);
    assert!(feed.entries.is_empty());
    assert_eq!(feed.meta.title.as_deref(), Some("Field Notes"));
}

#[test]
fn documents_without_a_feed_are_errors() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "empty"),
        (b"\xEF\xBB\xBF \n", "empty"),
        (
            b"<!DOCTYPE html><html><body>hi</body></html>",
            "not a feed: the document is HTML (starts with <!DOCTYPE html>)",
        ),
        (
            b"<?xml version=\"1.0\"?><opml version=\"2.0\"/>",
            "not a feed: the root element is <opml>",
        ),
        (
            b"[1, 2]",
            "not a feed: the document is neither XML nor JSON",
        ),
        (
            b"<rss version=\"2.0\"><channel><title>T</title><item><title>cut",
            "XML feed is broken",
        ),
        (
            b"{\"version\": \"https://jsonfeed.org/version/1\", \"items\": [",
            "JSON feed is broken",
        ),
    ];
    for (doc, expected) in cases {
        let error = parse(doc, None).expect_err("no feed");
        assert!(
            error.to_string().contains(expected),
            "{:?}: {error}",
            String::from_utf8_lossy(doc)
        );
    }
}

#[test]
fn a_parser_panic_is_an_error_not_a_crash() {
    // feed-rs 3.0 slices inside a multi-byte character for this author.
    let doc = rss("<item><title>a</title><author>\u{ab}a@b.example\u{bb}</author></item>");
    let result = std::panic::catch_unwind(|| parse(doc.as_bytes(), None));
    match result {
        Ok(Err(FeedError::ParserCrashed { .. })) | Ok(Ok(_)) => {}
        other => panic!("expected a clean outcome, got {other:?}"),
    }
}
