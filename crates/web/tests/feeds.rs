//! Output feeds and the OPML export: every route, read back with feed-rs and with a strict
//! XML reader, hostile text included, and snapshots of a tag's feeds.

mod common;

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use common::{Fixture, Item, Reply, build, fixture, get};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use syndic_core::{Page, Post};
use syndic_store::PostFilter;

const FORMATS: [(&str, &str); 3] = [
    ("feed.atom", "application/atom+xml; charset=utf-8"),
    ("feed.rss", "application/rss+xml; charset=utf-8"),
    ("feed.json", "application/feed+json; charset=utf-8"),
];

/// The listings of the fixture that have feeds, with their feed title.
const LISTINGS: [(&str, &str); 4] = [
    ("/", "Syndic Test Hub"),
    ("/tag/map/", "Syndic Test Hub: Tag Archives: map"),
    ("/source/tidepool-notes/", "Syndic Test Hub: Tidepool Notes"),
    (
        "/source/lamplight-example/",
        "Syndic Test Hub: Lamplight Engineering",
    ),
];

fn content_type(reply: &Reply) -> &str {
    reply.headers[CONTENT_TYPE].to_str().expect("ascii")
}

/// The newest 50 posts a listing's feed should carry, in order.
async fn expected_posts(fx: &Fixture, listing: &str) -> Vec<Post> {
    let store = fx.store();
    let filter = if let Some(slug) = listing.strip_prefix("/tag/") {
        let tag = store.tag_by_slug(slug.trim_end_matches('/')).await;
        PostFilter::Tag(tag.expect("lookup").expect("tag").id)
    } else if let Some(slug) = listing.strip_prefix("/source/") {
        let source = store.source_by_slug(slug.trim_end_matches('/')).await;
        PostFilter::Source(source.expect("lookup").expect("source").id)
    } else {
        PostFilter::All
    };
    let newest = Page::new(1, 50).expect("page");
    store.posts(filter, newest).await.expect("posts")
}

/// Fails unless `xml` is one well-formed element: matched tags, unique attributes, only
/// predefined or character references, and no character XML 1.0 forbids.
fn assert_well_formed(xml: &str) {
    let illegal = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    assert!(!xml.contains(illegal), "illegal character in:\n{xml}");
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_comments = true;
    let (mut depth, mut roots) = (0_usize, 0_usize);
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|err| panic!("{err} at {}:\n{xml}", reader.error_position()));
        match event {
            Event::Start(element) => {
                roots += usize::from(depth == 0);
                assert_attributes(&element, xml);
                depth += 1;
            }
            Event::Empty(element) => {
                roots += usize::from(depth == 0);
                assert_attributes(&element, xml);
            }
            Event::End(_) => depth -= 1,
            Event::GeneralRef(reference) => {
                let name = reference.borrow().into_inner().into_owned();
                let known = matches!(name.as_str(), "lt" | "gt" | "amp" | "quot" | "apos");
                let char_ref = reference.resolve_char_ref().ok().flatten().is_some();
                assert!(known || char_ref, "unknown entity &{name}; in:\n{xml}");
            }
            Event::Text(text) => {
                assert!(
                    depth > 0 || text.trim_ascii().is_empty(),
                    "text outside root"
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!((depth, roots), (0, 1), "one balanced root element");
}

fn assert_attributes(element: &BytesStart<'_>, xml: &str) {
    for attribute in element.attributes().with_checks(true) {
        attribute.unwrap_or_else(|err| panic!("bad attribute {err}:\n{xml}"));
    }
}

fn parse_feed(reply: &Reply) -> feed_rs::model::Feed {
    feed_rs::parser::parse(reply.body.as_bytes())
        .unwrap_or_else(|err| panic!("feed-rs cannot read it: {err}\n{}", reply.body))
}

/// Checks that a parsed feed holds exactly `posts`, in order: ids, titles, links,
/// authors, tags and publication times.
fn assert_round_trip(feed: &feed_rs::model::Feed, file: &str, posts: &[Post]) {
    assert_eq!(feed.entries.len(), posts.len(), "{file}: entry count");
    for (entry, post) in feed.entries.iter().zip(posts) {
        let own = format!("https://hub.example/post/{}/", post.id);
        let title = entry.title.as_ref().map(|text| text.content.as_str());
        let links: Vec<_> = entry.links.iter().map(|link| link.href.as_str()).collect();
        let authors: Vec<_> = entry.authors.iter().map(|a| a.name.as_deref()).collect();
        let tags: Vec<_> = entry
            .categories
            .iter()
            .map(|category| category.label.as_deref().unwrap_or(&category.term))
            .collect();
        let post_tags: Vec<_> = post.tags.iter().map(|tag| tag.name.as_str()).collect();
        let clean_title: String = post.title.chars().filter(|c| !c.is_control()).collect();
        assert_eq!(entry.id, own, "{file}: id");
        assert_eq!(title, Some(clean_title.as_str()), "{file}: title of {own}");
        match &post.link {
            Some(link) => {
                let link = url::Url::parse(link).expect("web link").to_string();
                assert_eq!(links, [link.as_str()], "{file}: link of {own}");
            }
            None => assert!(
                links.len() == 1 && links[0].starts_with(&own),
                "{file}: our page as link of {own}: {links:?}"
            ),
        }
        assert_eq!(
            authors,
            [Some(post.attribution.as_str())],
            "{file}: author of {own}"
        );
        assert_eq!(tags, post_tags, "{file}: tags of {own}");
        assert_eq!(
            entry.published,
            Some(post.published),
            "{file}: date of {own}"
        );
    }
}

#[tokio::test]
async fn every_feed_route_serves_its_format() {
    let fx = fixture(10).await;
    for (listing, title) in LISTINGS {
        for (file, media_type) in FORMATS {
            let path = format!("{listing}{file}");
            let reply = get(&fx.app, &path).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}");
            assert_eq!(content_type(&reply), media_type, "{path}");
            let feed = parse_feed(&reply);
            let feed_title = feed.title.as_ref().map(|text| text.content.as_str());
            assert_eq!(feed_title, Some(title), "{path}");
            let self_url = format!("https://hub.example{path}");
            assert!(reply.body.contains(&self_url), "{path} names itself");
            if file != "feed.json" {
                assert_well_formed(&reply.body);
            }
        }
    }
}

#[tokio::test]
async fn feeds_read_back_with_the_same_posts_in_the_same_order() {
    let fx = fixture(10).await;
    for (listing, _) in LISTINGS {
        let posts = expected_posts(&fx, listing).await;
        assert!(!posts.is_empty(), "{listing}");
        for (file, _) in FORMATS {
            let reply = get(&fx.app, &format!("{listing}{file}")).await;
            assert_round_trip(&parse_feed(&reply), file, &posts);
        }
    }
}

#[tokio::test]
async fn unknown_tags_and_sources_have_no_feeds() {
    let fx = fixture(10).await;
    for (file, _) in FORMATS {
        for path in [format!("/tag/nope/{file}"), format!("/source/nope/{file}")] {
            let reply = get(&fx.app, &path).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
            assert!(content_type(&reply).starts_with("text/html"), "{path}");
        }
    }
}

#[tokio::test]
async fn an_empty_tag_has_valid_feeds_dated_at_the_epoch() {
    let fx = fixture(10).await;
    for (file, _) in FORMATS {
        let reply = get(&fx.app, &format!("/tag/travel/{file}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{file}");
        assert!(parse_feed(&reply).entries.is_empty(), "{file}");
        if file != "feed.json" {
            assert_well_formed(&reply.body);
        }
    }
    let atom = get(&fx.app, "/tag/travel/feed.atom").await;
    assert!(
        atom.body
            .contains("<updated>1970-01-01T00:00:00Z</updated>")
    );
    let rss = get(&fx.app, "/tag/travel/feed.rss").await;
    assert!(
        rss.body
            .contains("<lastBuildDate>Thu, 01 Jan 1970 00:00:00 +0000</lastBuildDate>")
    );
}

#[tokio::test]
async fn feeds_carry_the_newest_fifty_posts() {
    let items: Vec<Item> = (1..=55_u32)
        .map(|n| Item {
            guid: leak(format!("n-{n}")),
            title: leak(format!("Post number {n}")),
            link: None,
            author: None,
            day: n % 28 + 1,
            html: "<p>Body.</p>",
            text: "Body.",
            tags: &[],
        })
        .collect();
    let fx = build(10, &[("feeds/many.xml", Some("Many"), "Many", &items)]).await;
    let posts = expected_posts(&fx, "/").await;
    assert_eq!(posts.len(), 50);
    for (file, _) in FORMATS {
        let reply = get(&fx.app, &format!("/{file}")).await;
        assert_round_trip(&parse_feed(&reply), file, &posts);
    }
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

const HOSTILE_TITLE: &str = "\"><script>x</script>&\u{1} ]]> done";
const HOSTILE: &[Item] = &[Item {
    guid: "evil-1",
    title: HOSTILE_TITLE,
    link: Some("https://evil.example/?a=1&b=<2>"),
    author: Some("Eve <eve> & \"Co\""),
    day: 3,
    html: "<p>Close the section ]]> early, &amp; <b>bold</b>\u{b}.</p>",
    text: "Close the section ]]> early",
    tags: &["a&b <c>", "map"],
}];

#[tokio::test]
async fn hostile_text_still_yields_well_formed_feeds_that_round_trip() {
    let fx = build(
        10,
        &[("feeds/evil.xml", Some("Lab \"<&>\"\u{2}"), "Evil", HOSTILE)],
    )
    .await;
    let posts = expected_posts(&fx, "/").await;
    assert_eq!(posts.len(), 1);
    for listing in ["/", "/tag/map/", "/tag/a-b-c/", "/source/lab/"] {
        for (file, _) in FORMATS {
            let path = format!("{listing}{file}");
            let reply = get(&fx.app, &path).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}");
            if file == "feed.json" {
                serde_json::from_str::<serde_json::Value>(&reply.body).expect("JSON");
            } else {
                assert!(!reply.body.contains("<script>"), "{path}");
                assert_well_formed(&reply.body);
            }
            let feed = parse_feed(&reply);
            assert_round_trip(&feed, &path, &posts);
            let entry = &feed.entries[0];
            let body = entry
                .content
                .as_ref()
                .and_then(|content| content.body.clone())
                .or_else(|| entry.summary.as_ref().map(|text| text.content.clone()))
                .expect("content");
            assert!(
                body.contains("Close the section ]]> early"),
                "{path}: {body}"
            );
            assert!(
                body.contains("Post Syndicated from Eve &lt;eve&gt; &amp; &quot;Co&quot; original"),
                "{path}: {body}"
            );
        }
    }
    let opml = get(&fx.app, "/sources.opml").await;
    assert_well_formed(&opml.body);
    assert!(
        opml.body
            .contains(r#"text="Lab &quot;&lt;&amp;&gt;&quot;""#),
        "{}",
        opml.body
    );
}

#[tokio::test]
async fn sources_opml_lists_every_source() {
    let fx = fixture(10).await;
    let reply = get(&fx.app, "/sources.opml").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(content_type(&reply), "text/x-opml; charset=utf-8");
    assert_well_formed(&reply.body);
    common::assert_in_order(
        &reply.body,
        &[
            r#"<outline type="rss" text="Lamplight Engineering" title="Lamplight Engineering" xmlUrl="https://lamplight.example/atom.xml"/>"#,
            r#"<outline type="rss" text="Tidepool Notes" title="Tidepool Notes" xmlUrl="https://tidepool.example/feed.xml"/>"#,
        ],
    );
}

#[tokio::test]
async fn listing_pages_advertise_their_feeds() {
    let fx = fixture(10).await;
    let home = get(&fx.app, "/").await;
    assert!(home.body.contains(
        r#"<link rel="alternate" type="application/atom+xml" title="Syndic Test Hub (Atom)" href="https://hub.example/feed.atom">"#
    ));
    let tag = get(&fx.app, "/tag/map/").await;
    for (kind, label, file) in [
        ("application/atom+xml", "Atom", "feed.atom"),
        ("application/rss+xml", "RSS", "feed.rss"),
        ("application/feed+json", "JSON Feed", "feed.json"),
    ] {
        let link = format!(
            r#"<link rel="alternate" type="{kind}" title="Syndic Test Hub: Tag Archives: map ({label})" href="https://hub.example/tag/map/{file}">"#
        );
        assert!(tag.body.contains(&link), "{link}\n{}", tag.body);
    }
}

#[tokio::test]
async fn feeds_are_deterministic() {
    let fx = fixture(10).await;
    for (file, _) in FORMATS {
        let path = format!("/tag/map/{file}");
        assert_eq!(
            get(&fx.app, &path).await.body,
            get(&fx.app, &path).await.body
        );
    }
}

#[tokio::test]
async fn snapshot_tag_feeds_and_opml() {
    let fx = fixture(10).await;
    insta::assert_snapshot!(
        "map_feed_atom",
        get(&fx.app, "/tag/map/feed.atom").await.body
    );
    insta::assert_snapshot!("map_feed_rss", get(&fx.app, "/tag/map/feed.rss").await.body);
    insta::assert_snapshot!(
        "map_feed_json",
        get(&fx.app, "/tag/map/feed.json").await.body
    );
    insta::assert_snapshot!("sources_opml", get(&fx.app, "/sources.opml").await.body);
}
