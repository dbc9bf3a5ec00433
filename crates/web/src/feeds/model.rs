//! The one model every format writes: a [`Channel`] of [`Entry`]s, built once from the
//! store's posts, with every text cleaned of what XML cannot carry.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use syndic_core::{Enclosure, Post, TagRef};

use super::{Format, Scope};
use crate::Site;
use crate::render::{attribution_html, post_path};

/// What every format writes about the feed itself. Text is XML-safe.
#[derive(Debug)]
pub(crate) struct Channel {
    pub title: String,
    pub description: String,
    /// Absolute URL of the listing page; the feeds sit beside it.
    pub page_url: String,
    /// Newest updated-or-published time of the entries; the Unix epoch when empty.
    pub updated: DateTime<Utc>,
    /// Absolute URL every tag slug is relative to (Atom's category scheme).
    pub tag_scheme: String,
    pub entries: Vec<Entry>,
    /// WebSub hubs to advertise (`rel="hub"`).
    pub hubs: Vec<String>,
}

impl Channel {
    pub(crate) fn new(site: &Site, scope: Scope<'_>, posts: &[Post]) -> Channel {
        let entries: Vec<Entry> = posts.iter().map(|post| Entry::new(site, post)).collect();
        let updated = entries
            .iter()
            .map(|entry| entry.updated.unwrap_or(entry.published))
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH);
        Channel {
            title: xml_safe(&scope.title(site)).into_owned(),
            description: xml_safe(&scope.description(site)).into_owned(),
            page_url: site.url(&scope.page_path()),
            updated,
            tag_scheme: site.url("/tag/"),
            hubs: site.hubs.iter().map(|hub| hub.to_string()).collect(),
            entries,
        }
    }

    /// Absolute URL of this feed in `format`.
    pub(crate) fn feed_url(&self, format: Format) -> String {
        format!("{}{}", self.page_url, format.file())
    }
}

/// One post as every format writes it. Text is XML-safe.
#[derive(Debug)]
pub(crate) struct Entry {
    /// `<base>post/<id>/`: unique, absolute, and stable even when the title (and so the
    /// slug in the page's address) changes.
    pub id: String,
    pub title: String,
    /// The original when it is an http(s) URL (normalized), else our page of the post.
    pub link: String,
    /// Who the post is syndicated from.
    pub author: String,
    pub published: DateTime<Utc>,
    pub updated: Option<DateTime<Utc>>,
    /// The attribution line, then the sanitized content.
    pub content_html: String,
    pub tags: Vec<TagRef>,
    /// The post's files, in order (RSS carries only the first).
    pub enclosures: Vec<FeedEnclosure>,
}

/// One file of an entry as every format writes it. Text is XML-safe, the address a
/// valid absolute http(s) URI.
#[derive(Debug)]
pub(crate) struct FeedEnclosure {
    pub url: String,
    /// As written, else guessed from the address, else `application/octet-stream`: RSS and
    /// JSON Feed require one.
    pub media_type: String,
    /// Bytes; `None` when unknown (RSS then writes `0`, as podcast feeds do).
    pub length: Option<u64>,
    pub title: Option<String>,
    /// Seconds.
    pub duration: Option<u32>,
    /// Absolute http(s) address of its picture (a cached copy under the site's address
    /// when there is one).
    pub thumbnail: Option<String>,
}

impl FeedEnclosure {
    /// `enclosure` for a feed, or `None` when its address is not an http(s) URL.
    fn new(site: &Site, enclosure: &Enclosure) -> Option<FeedEnclosure> {
        let url = web_url(&enclosure.url)?;
        Some(FeedEnclosure {
            url: xml_safe(&url).into_owned(),
            media_type: xml_safe(enclosure.media_type()).into_owned(),
            length: enclosure.length,
            title: enclosure
                .title
                .as_deref()
                .map(|title| xml_safe(title).into_owned()),
            duration: enclosure.duration,
            thumbnail: enclosure
                .thumbnail
                .as_deref()
                .and_then(
                    |thumbnail| match syndic_core::media::is_media_url(thumbnail) {
                        true => Some(site.url(thumbnail)),
                        false => web_url(thumbnail),
                    },
                )
                .map(|url| xml_safe(&url).into_owned()),
        })
    }
}

impl Entry {
    fn new(site: &Site, post: &Post) -> Entry {
        let id = site.url(&format!("/post/{}/", post.id));
        let link = original_link(post).unwrap_or_else(|| site.url(&post_path(post)));
        let title = match post.title.trim() {
            "" => "Untitled",
            _ => &post.title,
        };
        let author = [&post.attribution, &post.source_name, &site.title]
            .into_iter()
            .find(|name| !name.trim().is_empty())
            .map_or("", |name| name.as_str());
        let line = attribution_html(post, author, &link, None);
        let content_html = format!("<p class=\"attribution\">{line}</p>\n{}", post.content_html);
        Entry {
            title: xml_safe(title).into_owned(),
            author: xml_safe(author).into_owned(),
            content_html: xml_safe(&content_html).into_owned(),
            link: xml_safe(&link).into_owned(),
            id,
            published: post.published,
            updated: post.updated,
            tags: post
                .tags
                .iter()
                .map(|tag| TagRef {
                    name: xml_safe(&tag.name).into_owned(),
                    slug: xml_safe(&tag.slug).into_owned(),
                })
                .collect(),
            enclosures: post
                .enclosures
                .iter()
                .filter_map(|enclosure| FeedEnclosure::new(site, enclosure))
                .collect(),
        }
    }
}

/// The post's original address when it is an http(s) URL, normalized (feeds need valid
/// URIs: `<` or spaces come out percent-encoded).
fn original_link(post: &Post) -> Option<String> {
    web_url(post.link.as_deref()?)
}

/// `url` normalized when it is an absolute http(s) URL.
fn web_url(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// `text` without the characters XML 1.0 cannot carry at all, even escaped: the C0
/// controls but tab, newline and carriage return, and U+FFFE/U+FFFF.
pub(crate) fn xml_safe(text: &str) -> Cow<'_, str> {
    let illegal = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if text.contains(illegal) {
        Cow::Owned(text.chars().filter(|&c| !illegal(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_safe_drops_only_what_xml_cannot_carry() {
        assert_eq!(
            xml_safe("a\u{0}b\u{8}c\u{b}\u{c}d\u{1f}e\u{fffe}\u{ffff}"),
            "abcde"
        );
        let kept = "tab\tline\ncr\r<&>\"' \u{7f}\u{85}\u{2028}é😀";
        assert!(matches!(xml_safe(kept), Cow::Borrowed(text) if text == kept));
    }
}
