//! RSS 2.0: `feed.rss`.
//!
//! Content goes in `<description>` as escaped HTML (no CDATA, so no `]]>` to split). RSS's
//! `<author>` wants an email address, so the attribution is `<dc:creator>`; the feed's own
//! address is an `<atom:link rel="self">`, as the RSS Advisory Board recommends. RSS allows
//! one `<enclosure>` per item, so an item carries its post's first file (`length="0"` when
//! its size is unknown, as podcast feeds write); Atom and JSON Feed carry them all.

use std::io;

use chrono::{DateTime, Utc};
use quick_xml::events::BytesText;

use super::{Channel, Entry, Format, Xml, text_element, xml_document, xml_finish};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";

pub(super) fn write(channel: &Channel) -> io::Result<Vec<u8>> {
    let mut xml = xml_document()?;
    xml.create_element("rss")
        .with_attribute(("version", "2.0"))
        .with_attribute(("xmlns:atom", ATOM_NS))
        .with_attribute(("xmlns:dc", DC_NS))
        .write_inner_content(|xml| {
            xml.create_element("channel")
                .write_inner_content(|xml| write_channel(xml, channel))?;
            Ok(())
        })?;
    Ok(xml_finish(xml))
}

fn write_channel(xml: &mut Xml, channel: &Channel) -> io::Result<()> {
    text_element(xml, "title", &channel.title)?;
    text_element(xml, "link", &channel.page_url)?;
    text_element(xml, "description", &channel.description)?;
    text_element(xml, "lastBuildDate", &rfc2822(channel.updated))?;
    text_element(xml, "generator", "syndic")?;
    xml.create_element("atom:link")
        .with_attribute(("href", channel.feed_url(Format::Rss).as_str()))
        .with_attribute(("rel", "self"))
        .with_attribute(("type", Format::Rss.media_type()))
        .write_empty()?;
    for hub in &channel.hubs {
        xml.create_element("atom:link")
            .with_attribute(("href", hub.as_str()))
            .with_attribute(("rel", "hub"))
            .write_empty()?;
    }
    for entry in &channel.entries {
        xml.create_element("item")
            .write_inner_content(|xml| write_item(xml, channel, entry))?;
    }
    Ok(())
}

fn write_item(xml: &mut Xml, channel: &Channel, entry: &Entry) -> io::Result<()> {
    text_element(xml, "title", &entry.title)?;
    text_element(xml, "link", &entry.link)?;
    text_element(xml, "description", &entry.content_html)?;
    text_element(xml, "dc:creator", &entry.author)?;
    for tag in &entry.tags {
        xml.create_element("category")
            .with_attribute(("domain", channel.tag_scheme.as_str()))
            .write_text_content(BytesText::new(&tag.name))?;
    }
    if let Some(file) = entry.enclosures.first() {
        let length = file.length.unwrap_or(0).to_string();
        xml.create_element("enclosure")
            .with_attribute(("url", file.url.as_str()))
            .with_attribute(("length", length.as_str()))
            .with_attribute(("type", file.media_type.as_str()))
            .write_empty()?;
    }
    xml.create_element("guid")
        .with_attribute(("isPermaLink", "false"))
        .write_text_content(BytesText::new(&entry.id))?;
    text_element(xml, "pubDate", &rfc2822(entry.published))?;
    Ok(())
}

/// RFC 2822 (RSS's RFC 822 with four-digit years): `Mon, 09 Mar 2026 09:30:00 +0000`.
pub(super) fn rfc2822(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}
