//! `ReadOptions::max_entries`: a document with more entries than ingest keeps gives its
//! newest, in document order, in every format, with a warning that says what was skipped.

use syndic_feed::{Parsed, ReadOptions, parse_with, read_document};

fn options(max: usize) -> ReadOptions {
    ReadOptions {
        max_entries: Some(max),
        ..ReadOptions::default()
    }
}

fn titles(parsed: &Parsed) -> Vec<&str> {
    parsed.entries.iter().map(|e| e.title.as_str()).collect()
}

/// Items titled by their day of January 2026 (`None`: undated), in this order.
fn rss(days: &[(&str, Option<u32>)]) -> String {
    let items: String = days
        .iter()
        .map(|(title, day)| {
            let date = day.map_or(String::new(), |d| {
                format!("<pubDate>{d:02} Jan 2026 00:00:00 GMT</pubDate>")
            });
            format!(
                "<item><title>{title}</title><link>https://a.example/{title}</link>{date}</item>"
            )
        })
        .collect();
    format!(
        "<rss version=\"2.0\"><channel><title>t</title><link>https://a.example/</link>{items}</channel></rss>"
    )
}

fn atom(days: &[(&str, u32)]) -> String {
    let entries: String = days
        .iter()
        .map(|(title, d)| {
            format!(
                "<entry><title>{title}</title><id>urn:{title}</id><updated>2026-01-{d:02}T00:00:00Z</updated></entry>"
            )
        })
        .collect();
    format!("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>{entries}</feed>")
}

fn json(days: &[(&str, u32)]) -> String {
    let items: Vec<String> = days
        .iter()
        .map(|(title, d)| {
            format!(
                r#"{{"id":"{title}","title":"{title}","content_text":"x","date_published":"2026-01-{d:02}T00:00:00Z"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{}]}}"#,
        items.join(",")
    )
}

#[test]
fn a_long_rss_feed_gives_its_newest_items_in_document_order() {
    let doc = rss(&[
        ("old", Some(1)),
        ("undated", None),
        ("newest", Some(9)),
        ("middle", Some(5)),
    ]);
    let parsed = parse_with(doc.as_bytes(), &options(2)).expect("parses");
    assert_eq!(titles(&parsed), ["newest", "middle"]);
    assert!(
        parsed
            .warnings
            .iter()
            .any(|w| w.contains("has 4 entries") && w.contains("2 older were skipped")),
        "{:?}",
        parsed.warnings
    );
}

#[test]
fn undated_items_fill_up_in_document_order_after_dated_ones() {
    let doc = rss(&[("u1", None), ("d", Some(3)), ("u2", None), ("u3", None)]);
    let parsed = parse_with(doc.as_bytes(), &options(3)).expect("parses");
    assert_eq!(titles(&parsed), ["u1", "d", "u2"]);
}

#[test]
fn a_feed_within_the_cap_is_read_whole_without_a_warning() {
    let doc = rss(&[("a", None), ("b", Some(2))]);
    let parsed = parse_with(doc.as_bytes(), &options(500)).expect("parses");
    assert_eq!(titles(&parsed), ["a", "b"]);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn atom_and_json_feeds_written_oldest_first_give_their_newest() {
    let days: Vec<(String, u32)> = (1..=20).map(|d| (format!("p{d}"), d)).collect();
    let days: Vec<(&str, u32)> = days.iter().map(|(t, d)| (t.as_str(), *d)).collect();
    for doc in [atom(&days), json(&days)] {
        let parsed = parse_with(doc.as_bytes(), &options(3)).expect("parses");
        assert_eq!(titles(&parsed), ["p18", "p19", "p20"], "{doc:.60}");
        assert!(
            parsed.warnings.iter().any(|w| w.contains("17 older")),
            "{:?}",
            parsed.warnings
        );
    }
}

#[test]
fn items_nested_in_kept_items_still_count_against_the_cap() {
    let doc = "<rss version=\"2.0\"><channel><title>t</title>\
        <item><title>outer</title><link>https://a.example/o</link><pubDate>09 Jan 2026 00:00:00 GMT</pubDate>\
        <item><title>inner</title><link>https://a.example/i</link></item></item>\
        <item><title>next</title><link>https://a.example/n</link><pubDate>08 Jan 2026 00:00:00 GMT</pubDate></item>\
        </channel></rss>";
    let parsed = parse_with(doc.as_bytes(), &options(2)).expect("parses");
    assert_eq!(titles(&parsed), ["outer", "next"]);
}

#[test]
fn read_document_without_a_cap_reads_every_entry() {
    let days: Vec<(String, u32)> = (1..=20).map(|d| (format!("p{d}"), d)).collect();
    let days: Vec<(&str, u32)> = days.iter().map(|(t, d)| (t.as_str(), *d)).collect();
    let doc = read_document(atom(&days).as_bytes(), &ReadOptions::default()).expect("reads");
    assert_eq!(doc.entries.len(), 20);
}
