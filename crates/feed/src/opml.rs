//! Reading an OPML subscription list: every outline with an `xmlUrl`, nested ones
//! flattened, in document order.
//!
//! Bounded and inert: at most [`MAX_OPML_BYTES`] and [`MAX_OUTLINES`] outlines, and a
//! document with a `<!DOCTYPE` is refused outright, so no entity or DTD is ever read.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// The largest OPML document read.
pub const MAX_OPML_BYTES: usize = 2 * 1024 * 1024;
/// The most outlines read from one document.
pub const MAX_OUTLINES: usize = 5000;

/// One subscription: the feed's address, as written, and what the list says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub url: String,
    /// `text`, else `title`.
    pub name: Option<String>,
    /// From the `category` attribute (comma-separated, `/`-paths reduced to their last part).
    pub tags: Vec<String>,
}

/// Why an OPML document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("the file is larger than the {MAX_OPML_BYTES}-byte limit")]
    TooLarge,
    #[error("the file has more than {MAX_OUTLINES} outlines")]
    TooManyOutlines,
    #[error("the file has a <!DOCTYPE>, which an OPML list does not need; remove it")]
    Doctype,
    #[error("the file is not OPML (its root element is <{0}>)")]
    NotOpml(String),
    #[error("the file is not well-formed XML at byte {position}: {reason}")]
    Malformed { position: u64, reason: String },
}

/// The subscriptions in `text`. Outlines without `xmlUrl` (folders) contribute only their
/// children.
pub fn read_opml(text: &str) -> Result<Vec<Subscription>, OpmlError> {
    if text.len() > MAX_OPML_BYTES {
        return Err(OpmlError::TooLarge);
    }
    let mut reader = Reader::from_str(text);
    let mut subscriptions = Vec::new();
    let (mut outlines, mut root_seen) = (0usize, false);
    loop {
        let event = reader.read_event().map_err(|e| OpmlError::Malformed {
            position: reader.buffer_position(),
            reason: e.to_string(),
        })?;
        match event {
            Event::DocType(_) => return Err(OpmlError::Doctype),
            Event::Start(element) | Event::Empty(element) => {
                let name = element.local_name().into_inner().to_owned();
                if !root_seen {
                    root_seen = true;
                    if !name.eq_ignore_ascii_case("opml") {
                        return Err(OpmlError::NotOpml(name));
                    }
                } else if name.eq_ignore_ascii_case("outline") {
                    outlines += 1;
                    if outlines > MAX_OUTLINES {
                        return Err(OpmlError::TooManyOutlines);
                    }
                    if let Some(subscription) = subscription(&element) {
                        subscriptions.push(subscription);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(OpmlError::NotOpml(String::new()));
    }
    Ok(subscriptions)
}

fn subscription(element: &BytesStart<'_>) -> Option<Subscription> {
    let (mut url, mut text, mut title, mut category) = (None, None, None, None);
    for attribute in element.attributes().flatten() {
        let Ok(value) = attribute.normalized_value(XmlVersion::Implicit1_0) else {
            continue;
        };
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.is_empty() {
            continue;
        }
        match attribute.key.local_name().into_inner() {
            "xmlUrl" | "xmlurl" => url = Some(value),
            "text" => text = Some(value),
            "title" => title = Some(value),
            "category" => category = Some(value),
            _ => {}
        }
    }
    let tags = category
        .iter()
        .flat_map(|c| c.split(','))
        .filter_map(|c| c.rsplit('/').map(str::trim).find(|part| !part.is_empty()))
        .map(str::to_owned)
        .fold(Vec::new(), |mut tags: Vec<String>, tag| {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
            tags
        });
    Some(Subscription {
        url: url?,
        name: text.or(title),
        tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_outlines_are_flattened_in_order() {
        let text = r#"<?xml version="1.0"?>
            <opml version="2.0"><head><title>x</title></head><body>
            <outline text="Folder">
              <outline text="One &amp; only" xmlUrl="https://one.example/feed" category="/maps,/tech/rust"/>
              <outline title="Two" xmlUrl="https://two.example/rss"></outline>
            </outline>
            <outline text="no url"/>
            <outline xmlUrl="https://three.example/atom"/>
            </body></opml>"#;
        let found = read_opml(text).expect("opml");
        assert_eq!(
            found,
            [
                Subscription {
                    url: "https://one.example/feed".into(),
                    name: Some("One & only".into()),
                    tags: vec!["maps".into(), "rust".into()],
                },
                Subscription {
                    url: "https://two.example/rss".into(),
                    name: Some("Two".into()),
                    tags: vec![],
                },
                Subscription {
                    url: "https://three.example/atom".into(),
                    name: None,
                    tags: vec![],
                },
            ]
        );
    }

    #[test]
    fn doctypes_and_other_documents_are_refused() {
        let doctype = r#"<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml><body><outline xmlUrl="&x;"/></body></opml>"#;
        assert!(matches!(read_opml(doctype), Err(OpmlError::Doctype)));
        assert!(matches!(
            read_opml("<rss version=\"2.0\"/>"),
            Err(OpmlError::NotOpml(_))
        ));
        assert!(matches!(read_opml(""), Err(OpmlError::NotOpml(_))));
        assert!(matches!(
            read_opml("<opml><body><outline"),
            Err(OpmlError::Malformed { .. })
        ));
    }

    #[test]
    fn limits_hold() {
        let many: String = (0..=MAX_OUTLINES)
            .map(|i| format!("<outline xmlUrl=\"https://x.example/{i}\"/>"))
            .collect();
        let text = format!("<opml><body>{many}</body></opml>");
        assert!(matches!(read_opml(&text), Err(OpmlError::TooManyOutlines)));
        let big = format!("<opml>{}</opml>", " ".repeat(MAX_OPML_BYTES));
        assert!(matches!(read_opml(&big), Err(OpmlError::TooLarge)));
    }
}
