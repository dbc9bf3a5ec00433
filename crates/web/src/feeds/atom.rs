//! Atom 1.0 (RFC 4287): `feed.atom`.

use std::io;

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::events::BytesText;

use super::{Channel, Entry, FeedEnclosure, Format, Xml, text_element, xml_document, xml_finish};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

pub(super) fn write(channel: &Channel) -> io::Result<Vec<u8>> {
    let mut xml = xml_document()?;
    xml.create_element("feed")
        .with_attribute(("xmlns", ATOM_NS))
        .write_inner_content(|xml| {
            let self_url = channel.feed_url(Format::Atom);
            text_element(xml, "id", &self_url)?;
            xml.create_element("title")
                .with_attribute(("type", "text"))
                .write_text_content(BytesText::new(&channel.title))?;
            xml.create_element("subtitle")
                .with_attribute(("type", "text"))
                .write_text_content(BytesText::new(&channel.description))?;
            text_element(xml, "updated", &rfc3339(channel.updated))?;
            link(xml, "self", Format::Atom.media_type(), &self_url)?;
            link(xml, "alternate", "text/html", &channel.page_url)?;
            for hub in &channel.hubs {
                xml.create_element("link")
                    .with_attribute(("rel", "hub"))
                    .with_attribute(("href", hub.as_str()))
                    .write_empty()?;
            }
            text_element(xml, "generator", "syndic")?;
            for entry in &channel.entries {
                write_entry(xml, channel, entry)?;
            }
            Ok(())
        })?;
    Ok(xml_finish(xml))
}

fn write_entry(xml: &mut Xml, channel: &Channel, entry: &Entry) -> io::Result<()> {
    xml.create_element("entry").write_inner_content(|xml| {
        text_element(xml, "id", &entry.id)?;
        xml.create_element("title")
            .with_attribute(("type", "text"))
            .write_text_content(BytesText::new(&entry.title))?;
        link(xml, "alternate", "text/html", &entry.link)?;
        text_element(xml, "published", &rfc3339(entry.published))?;
        let updated = entry.updated.unwrap_or(entry.published);
        text_element(xml, "updated", &rfc3339(updated))?;
        xml.create_element("author")
            .write_inner_content(|xml| text_element(xml, "name", &entry.author))?;
        for tag in &entry.tags {
            xml.create_element("category")
                .with_attribute(("term", tag.slug.as_str()))
                .with_attribute(("label", tag.name.as_str()))
                .with_attribute(("scheme", channel.tag_scheme.as_str()))
                .write_empty()?;
        }
        for file in &entry.enclosures {
            enclosure(xml, file)?;
        }
        xml.create_element("content")
            .with_attribute(("type", "html"))
            .write_text_content(BytesText::new(&entry.content_html))?;
        Ok(())
    })?;
    Ok(())
}

/// `<link rel="enclosure" href type length title>`, `length` and `title` when known.
fn enclosure(xml: &mut Xml, file: &FeedEnclosure) -> io::Result<()> {
    let length = file.length.map(|length| length.to_string());
    let mut link = xml
        .create_element("link")
        .with_attribute(("rel", "enclosure"))
        .with_attribute(("type", file.media_type.as_str()))
        .with_attribute(("href", file.url.as_str()));
    if let Some(length) = &length {
        link = link.with_attribute(("length", length.as_str()));
    }
    if let Some(title) = &file.title {
        link = link.with_attribute(("title", title.as_str()));
    }
    link.write_empty()?;
    Ok(())
}

fn link(xml: &mut Xml, rel: &str, media_type: &str, href: &str) -> io::Result<()> {
    xml.create_element("link")
        .with_attribute(("rel", rel))
        .with_attribute(("type", media_type))
        .with_attribute(("href", href))
        .write_empty()?;
    Ok(())
}

/// RFC 3339 in UTC, whole seconds: `2026-03-09T09:30:00Z`.
pub(super) fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}
