//! Enclosures in every form a feed writes them: RSS `<enclosure>` with the iTunes tags,
//! Media RSS `media:content` and `media:group`, Atom `rel="enclosure"`, JSON Feed
//! `attachments`; and what ingest keeps of hostile ones.

use syndic_feed::{Document, Enclosure, ReadOptions, parse, read_document};
use url::Url;

fn read(text: &str) -> Document {
    read_document(text.as_bytes(), &ReadOptions::default()).expect("reads")
}

fn base() -> Url {
    Url::parse("https://pod.example/feed.xml").expect("a URL")
}

fn file(url: &str, mime: &str, length: u64) -> Enclosure {
    Enclosure {
        url: url.into(),
        mime_type: mime.into(),
        length,
        title: None,
        thumbnail: None,
        duration: None,
    }
}

#[test]
fn an_rss_enclosure_takes_the_episode_s_itunes_duration_and_image() {
    let doc = read(
        r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
        <item><title>Episode 1</title><guid>ep1</guid>
        <enclosure url="https://cdn.example/ep1.mp3" type="audio/mpeg" length="24000000"/>
        <itunes:duration>1:02:03</itunes:duration><itunes:image href="https://cdn.example/ep1.jpg"/>
        </item></channel></rss>"#,
    );
    let expected = Enclosure {
        thumbnail: Some("https://cdn.example/ep1.jpg".into()),
        duration: Some(3723),
        ..file("https://cdn.example/ep1.mp3", "audio/mpeg", 24_000_000)
    };
    assert_eq!(doc.entries[0].enclosures, [expected]);
}

#[test]
fn a_media_group_gives_its_title_and_thumbnail_to_each_file_without_its_own() {
    let doc = read(
        r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item>
        <title>Talk</title><guid>talk</guid>
        <media:group><media:title>The talk</media:title>
          <media:thumbnail url="https://v.example/talk.jpg"/>
          <media:content url="https://v.example/talk-hd.mp4" type="video/mp4" fileSize="900" duration="61.5"/>
          <media:content url="https://v.example/talk.mp3" type="audio/mpeg">
            <media:title>Audio only</media:title><media:thumbnail url="https://v.example/a.jpg"/>
          </media:content>
        </media:group></item></channel></rss>"#,
    );
    let entry = &doc.entries[0];
    assert_eq!(
        entry.title.as_deref(),
        Some("Talk"),
        "the item's own title stays"
    );
    let expected = [
        Enclosure {
            title: Some("The talk".into()),
            thumbnail: Some("https://v.example/talk.jpg".into()),
            duration: Some(61),
            ..file("https://v.example/talk-hd.mp4", "video/mp4", 900)
        },
        Enclosure {
            title: Some("Audio only".into()),
            thumbnail: Some("https://v.example/a.jpg".into()),
            ..file("https://v.example/talk.mp3", "audio/mpeg", 0)
        },
    ];
    assert_eq!(entry.enclosures, expected);
}

#[test]
fn media_content_comes_after_the_enclosures_and_takes_the_item_s_thumbnail() {
    let doc = read(
        r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item>
        <title>Photos</title><guid>p</guid><media:thumbnail url="/thumb.jpg"/>
        <media:content url="/big.jpg" type="image/jpeg"><media:title>Harbour</media:title></media:content>
        <enclosure url="/big.jpg" type="image/jpeg" length="5"/>
        <enclosure url="/notes.pdf" type="application/pdf" length="7"/>
        </item></channel></rss>"#
            .replace("/thumb", "https://p.example/thumb")
            .replace("/big", "https://p.example/big")
            .replace("/notes", "https://p.example/notes")
            .as_str(),
    );
    let entry = &doc.entries[0];
    let urls: Vec<&str> = entry.enclosures.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(
        urls,
        ["https://p.example/big.jpg", "https://p.example/notes.pdf"],
        "the enclosure of the media file's address is not repeated"
    );
    assert!(
        entry
            .enclosures
            .iter()
            .all(|e| e.thumbnail.as_deref() == Some("https://p.example/thumb.jpg"))
    );
}

#[test]
fn an_atom_enclosure_link_keeps_its_title_and_length() {
    let doc = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id>
        <entry><id>urn:1</id><title>One</title><link href="https://a.example/1"/>
        <link rel="enclosure" href="https://a.example/1.ogg" type="audio/ogg" length="42" title=" Episode   one "/>
        </entry></feed>"#,
    );
    let expected = Enclosure {
        title: Some("Episode one".into()),
        ..file("https://a.example/1.ogg", "audio/ogg", 42)
    };
    assert_eq!(doc.entries[0].enclosures, [expected]);
}

#[test]
fn json_feed_attachments_keep_title_size_and_duration() {
    let doc = read(
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Pod",
            "items": [{"id": "1", "content_text": "hi", "attachments": [
              {"url": "https://j.example/1.m4a", "mime_type": "audio/x-m4a", "title": "Episode 1",
               "size_in_bytes": "1200", "duration_in_seconds": 1800.7},
              {"url": "https://j.example/1.m4a", "mime_type": "audio/x-m4a"},
              {"url": "https://j.example/1.pdf", "mime_type": "application/pdf", "duration_in_seconds": -3}
            ]}]}"#,
    );
    let expected = [
        Enclosure {
            title: Some("Episode 1".into()),
            duration: Some(1800),
            ..file("https://j.example/1.m4a", "audio/x-m4a", 1200)
        },
        file("https://j.example/1.pdf", "application/pdf", 0),
    ];
    assert_eq!(doc.entries[0].enclosures, expected, "the repeat is dropped");
}

#[test]
fn script_and_data_addresses_are_never_enclosures_in_any_form() {
    let rss = r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item>
        <title>x</title><guid>x</guid>
        <enclosure url="javascript:alert(1)" type="audio/mpeg" length="1"/>
        <enclosure url="data:audio/mpeg;base64,AAAA" type="audio/mpeg" length="1"/>
        <media:content url="JaVaScRiPt:alert(1)" type="video/mp4"/>
        <media:content url="https://ok.example/v.mp4" type="video/mp4">
          <media:thumbnail url="javascript:alert(2)"/></media:content>
        </item></channel></rss>"#;
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id>
        <entry><id>urn:1</id><title>x</title>
        <link rel="enclosure" href="data:text/html,&lt;script&gt;" type="text/html"/></entry></feed>"#;
    let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
        {"id": "1", "title": "x", "attachments": [{"url": "javascript:alert(1)", "mime_type": "a/b"}]}]}"#;
    for (name, text, kept) in [
        ("rss", rss, vec!["https://ok.example/v.mp4"]),
        ("atom", atom, vec![]),
        ("json", json, vec![]),
    ] {
        let parsed = parse(text.as_bytes(), Some(&base())).expect("parses");
        let enclosures = &parsed.entries[0].enclosures;
        let urls: Vec<&str> = enclosures.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(urls, kept, "{name}");
        assert!(enclosures.iter().all(|e| e.thumbnail.is_none()), "{name}");
    }
}

#[test]
fn ten_thousand_enclosures_leave_twenty_with_a_warning() {
    let mut rss = String::from(
        r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item><title>x</title><guid>x</guid>"#,
    );
    for i in 0..10_000 {
        rss.push_str(&format!(
            r#"<enclosure url="https://x.example/{i}.mp3" type="audio/mpeg" length="1"/><media:content url="https://x.example/m{i}.mp4"/>"#
        ));
    }
    rss.push_str("</item></channel></rss>");
    let parsed = parse(rss.as_bytes(), Some(&base())).expect("parses");
    let enclosures = &parsed.entries[0].enclosures;
    assert_eq!(enclosures.len(), syndic_core::MAX_ENCLOSURES);
    assert_eq!(enclosures[0].url, "https://x.example/0.mp3");
    assert!(
        parsed
            .warnings
            .iter()
            .any(|w| w.contains("only the first 20 of its enclosures")),
        "{:?}",
        parsed.warnings
    );
}

#[test]
fn ingest_entries_carry_their_enclosures_with_unknown_sizes_as_none() {
    let parsed = parse(
        br#"<rss version="2.0"><channel><item><title>x</title><guid>x</guid>
        <enclosure url="ep.mp3" type="audio/mpeg" length="0"/></item></channel></rss>"#,
        Some(&base()),
    )
    .expect("parses");
    let enclosure = &parsed.entries[0].enclosures[0];
    assert_eq!(enclosure.url, "https://pod.example/ep.mp3", "resolved");
    assert_eq!(enclosure.length, None);
    assert_eq!(enclosure.mime_type, "audio/mpeg");
}
