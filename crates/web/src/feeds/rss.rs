//! RSS 2.0: `feed.rss`.
//!
//! Content goes in `<description>` as escaped HTML (no CDATA, so no `]]>` to split). RSS's
//! `<author>` wants an email address, so the attribution is `<dc:creator>`; the feed's own
//! address is an `<atom:link rel="self">`, as the RSS Advisory Board recommends. RSS allows
//! one `<enclosure>` per item, so an item carries its post's first file (`length="0"` when
//! its size is unknown, as podcast feeds write); Atom and JSON Feed carry them all. For
//! podcast apps, that file's playing time and picture, when known, go in
//! `<itunes:duration>` (`H:MM:SS`) and `<itunes:image href>` (the namespace is declared
//! only in a feed that uses it).

use std::io;

use chrono::{DateTime, Utc};
use quick_xml::events::BytesText;

use super::{Channel, Entry, Format, Xml, text_element, xml_document, xml_finish};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
const ITUNES_NS: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";

pub(super) fn write(channel: &Channel) -> io::Result<Vec<u8>> {
    let mut xml = xml_document()?;
    let podcast = channel.entries.iter().any(|entry| {
        entry
            .enclosures
            .first()
            .is_some_and(|file| file.duration.is_some() || file.thumbnail.is_some())
    });
    let mut rss = xml
        .create_element("rss")
        .with_attribute(("version", "2.0"))
        .with_attribute(("xmlns:atom", ATOM_NS))
        .with_attribute(("xmlns:dc", DC_NS));
    if podcast {
        rss = rss.with_attribute(("xmlns:itunes", ITUNES_NS));
    }
    rss.write_inner_content(|xml| {
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
        if let Some(seconds) = file.duration {
            text_element(xml, "itunes:duration", &playing_time(seconds))?;
        }
        if let Some(picture) = &file.thumbnail {
            xml.create_element("itunes:image")
                .with_attribute(("href", picture.as_str()))
                .write_empty()?;
        }
    }
    xml.create_element("guid")
        .with_attribute(("isPermaLink", "false"))
        .write_text_content(BytesText::new(&entry.id))?;
    text_element(xml, "pubDate", &rfc2822(entry.published))?;
    Ok(())
}

/// `itunes:duration` as Apple's podcast specification writes it: `H:MM:SS`.
fn playing_time(seconds: u32) -> String {
    format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// RFC 2822 (RSS's RFC 822 with four-digit years): `Mon, 09 Mar 2026 09:30:00 +0000`.
pub(super) fn rfc2822(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}
