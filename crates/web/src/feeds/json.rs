//! JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>): `feed.json`.

use serde::Serialize;

use super::atom::rfc3339;
use super::{Channel, Entry, Format};

const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: String,
    description: &'a str,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    authors: [Author<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
}

#[derive(Serialize)]
struct Attachment<'a> {
    url: &'a str,
    mime_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_in_seconds: Option<u32>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

pub(super) fn write(channel: &Channel) -> std::io::Result<Vec<u8>> {
    let feed = Feed {
        version: VERSION,
        title: &channel.title,
        home_page_url: &channel.page_url,
        feed_url: channel.feed_url(Format::Json),
        description: &channel.description,
        items: channel.entries.iter().map(item).collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&feed)?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn item(entry: &Entry) -> Item<'_> {
    Item {
        id: &entry.id,
        url: &entry.link,
        title: &entry.title,
        content_html: &entry.content_html,
        date_published: rfc3339(entry.published),
        date_modified: entry.updated.map(rfc3339),
        authors: [Author {
            name: &entry.author,
        }],
        tags: entry.tags.iter().map(|tag| tag.name.as_str()).collect(),
        attachments: entry
            .enclosures
            .iter()
            .map(|file| Attachment {
                url: &file.url,
                mime_type: &file.media_type,
                title: file.title.as_deref(),
                size_in_bytes: file.length,
                duration_in_seconds: file.duration,
            })
            .collect(),
    }
}
