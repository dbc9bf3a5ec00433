//! WebSub links: a feed's hubs and topic, resolved, only when both are there.

fn websub(doc: &str) -> Option<syndic_feed::WebSubLinks> {
    let base = url::Url::parse("https://blog.example/feeds/main.xml").expect("base");
    syndic_feed::parse(doc.as_bytes(), Some(&base))
        .expect("parses")
        .websub
}

#[test]
fn atom_hub_and_self_links_are_read_and_resolved() {
    let found = websub(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id>
        <link rel="self" href="/feed.atom"/><link rel="hub" href="https://hub.example/"/>
        <link rel="hub" href="https://hub.example/"/><link rel="hub" href="javascript:x"/>
        <link rel="hub" href="https://second.example/hub"/></feed>"#,
    )
    .expect("websub links");
    assert_eq!(found.topic.as_str(), "https://blog.example/feed.atom");
    let hubs: Vec<&str> = found.hubs.iter().map(url::Url::as_str).collect();
    assert_eq!(hubs, ["https://hub.example/", "https://second.example/hub"]);
}

#[test]
fn rss_atom_links_are_read_too() {
    let found = websub(
        r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
        <link>https://blog.example/</link>
        <atom:link rel="hub" href="https://hub.example/"/>
        <atom:link rel="self" href="https://blog.example/rss.xml"/></channel></rss>"#,
    )
    .expect("websub links");
    assert_eq!(found.topic.as_str(), "https://blog.example/rss.xml");
    assert_eq!(found.hubs.len(), 1);
}

#[test]
fn no_hub_or_no_self_means_no_websub() {
    assert_eq!(
        websub(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id>
            <link rel="self" href="/feed.atom"/></feed>"#
        ),
        None
    );
    assert_eq!(
        websub(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id>
            <link rel="hub" href="https://hub.example/"/></feed>"#
        ),
        None
    );
}
