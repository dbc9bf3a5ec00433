//! The files an RSS or Atom entry carries, gathered in any order: RSS `<enclosure>`, Atom
//! `<link rel="enclosure">`, Media RSS `media:content` (alone or in a `media:group`, with
//! `media:title` and `media:thumbnail`), and the episode's `itunes:duration` and
//! `itunes:image`. JSON Feed attachments are read in `json.rs`.
//!
//! Enclosures come first, then media files not already enclosed; a title or thumbnail
//! given to a group holds for each of its files, and one given to the item for each file
//! that has none of its own; `itunes:duration` is the first file's. At most
//! [`MAX_ATTACHMENTS`] of each kind are read, so a feed repeating one element ten thousand
//! times costs no more than one of fifty.

use super::ns::{self, Ns};
use super::values::{self, Reader, Scope};
use crate::model::Enclosure;
use crate::xml::Element;

/// Most enclosures, and most media files, read per entry (ingest keeps fewer:
/// [`syndic_core::MAX_ENCLOSURES`]).
pub(crate) const MAX_ATTACHMENTS: usize = 50;

/// What an entry's elements said about its files so far.
#[derive(Debug, Default)]
pub(crate) struct Attachments {
    enclosures: Vec<Enclosure>,
    media: Vec<Enclosure>,
    /// The item's own `media:thumbnail`, else its `itunes:image`.
    thumbnail: Option<String>,
    itunes_image: Option<String>,
    /// The item's `itunes:duration`.
    duration: Option<u32>,
}

/// What a `media:group` says of all its files.
#[derive(Debug, Default, Clone)]
struct Shared {
    title: Option<String>,
    thumbnail: Option<String>,
}

impl Attachments {
    /// An RSS `<enclosure>` or Atom `rel="enclosure"` link.
    pub(crate) fn enclose(&mut self, enclosure: Enclosure) {
        push_new(&mut self.enclosures, enclosure);
    }

    /// One `media:content`, with the group's title and thumbnail when it has none.
    pub(crate) fn media_content(&mut self, reader: &mut Reader<'_>, el: &Element, scope: &Scope) {
        self.content_in(reader, el, scope, &Shared::default());
    }

    /// A `media:group`: its files, each with the group's title and thumbnail unless it
    /// has its own.
    pub(crate) fn media_group(&mut self, reader: &mut Reader<'_>, el: &Element, scope: &Scope) {
        let shared = shared(reader, el, scope);
        for child in el.elements() {
            if ns::is(child, Ns::Media, "content") {
                self.content_in(reader, child, &scope.enter(child), &shared);
            }
        }
    }

    /// The item's own `media:thumbnail`.
    pub(crate) fn item_thumbnail(&mut self, reader: &mut Reader<'_>, el: &Element, scope: &Scope) {
        if self.thumbnail.is_none() {
            self.thumbnail = thumbnail(reader, el, scope);
        }
    }

    /// The item's `itunes:image href`.
    pub(crate) fn itunes_image(&mut self, reader: &mut Reader<'_>, el: &Element, scope: &Scope) {
        if self.itunes_image.is_none() {
            self.itunes_image = el.attr("href").and_then(|h| reader.link_quiet(h, scope));
        }
    }

    /// The item's `itunes:duration`.
    pub(crate) fn itunes_duration(&mut self, el: &Element) {
        if self.duration.is_none() {
            self.duration = parse_duration(&el.text());
        }
    }

    fn content_in(&mut self, reader: &mut Reader<'_>, el: &Element, scope: &Scope, group: &Shared) {
        let Some(url) = el.attr("url").and_then(|u| reader.link(u, scope)) else {
            return;
        };
        let own = shared_or(shared(reader, el, scope), group);
        push_new(
            &mut self.media,
            Enclosure {
                url,
                mime_type: el
                    .attr("type")
                    .map(|t| t.trim().to_owned())
                    .unwrap_or_default(),
                length: el
                    .attr("fileSize")
                    .and_then(super::draft::parse_length)
                    .unwrap_or(0),
                title: own.title,
                thumbnail: own.thumbnail,
                duration: el.attr("duration").and_then(parse_duration),
            },
        );
    }

    /// Every file, enclosures first, with the item's thumbnail and duration filled in.
    pub(crate) fn finish(mut self) -> Vec<Enclosure> {
        for media in std::mem::take(&mut self.media) {
            push_new(&mut self.enclosures, media);
        }
        let thumbnail = self.thumbnail.or(self.itunes_image);
        for enclosure in &mut self.enclosures {
            if enclosure.thumbnail.is_none() {
                enclosure.thumbnail.clone_from(&thumbnail);
            }
        }
        if let Some(first) = self.enclosures.first_mut()
            && first.duration.is_none()
        {
            first.duration = self.duration;
        }
        self.enclosures
    }
}

/// `enclosure` at the end of `list`, unless its address is there already or the list is
/// full.
fn push_new(list: &mut Vec<Enclosure>, enclosure: Enclosure) {
    if list.len() < MAX_ATTACHMENTS && !list.iter().any(|e| e.url == enclosure.url) {
        list.push(enclosure);
    }
}

/// The `media:title` and `media:thumbnail` among `el`'s children.
fn shared(reader: &mut Reader<'_>, el: &Element, scope: &Scope) -> Shared {
    let mut found = Shared::default();
    for child in el.elements() {
        if ns::is(child, Ns::Media, "title") && found.title.is_none() {
            found.title = values::plain(child);
        } else if ns::is(child, Ns::Media, "thumbnail") && found.thumbnail.is_none() {
            found.thumbnail = thumbnail(reader, child, &scope.enter(child));
        }
    }
    found
}

fn shared_or(own: Shared, group: &Shared) -> Shared {
    Shared {
        title: own.title.or_else(|| group.title.clone()),
        thumbnail: own.thumbnail.or_else(|| group.thumbnail.clone()),
    }
}

fn thumbnail(reader: &mut Reader<'_>, el: &Element, scope: &Scope) -> Option<String> {
    el.attr("url").and_then(|u| reader.link_quiet(u, scope))
}

/// A playing time in whole seconds: `3600`, `61.5`, `45:07` or `1:02:03` (as
/// `itunes:duration` and Media RSS `duration` write it). `None` for anything else, or a
/// time beyond a `u32` of seconds.
pub(crate) fn parse_duration(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || text.len() > 32 {
        return None;
    }
    let mut seconds: u64 = 0;
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    let last = parts.len() - 1;
    for (at, part) in parts.iter().enumerate() {
        let value = if at == last {
            let whole = part.split_once('.').map_or(*part, |(whole, fraction)| {
                if fraction.bytes().all(|b| b.is_ascii_digit()) {
                    whole
                } else {
                    "x"
                }
            });
            whole.parse::<u64>().ok()?
        } else {
            part.parse::<u64>().ok()?
        };
        seconds = seconds.checked_mul(60)?.checked_add(value)?;
    }
    u32::try_from(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_every_written_form() {
        assert_eq!(parse_duration("3600"), Some(3600));
        assert_eq!(parse_duration(" 61.5 "), Some(61));
        assert_eq!(parse_duration("45:07"), Some(45 * 60 + 7));
        assert_eq!(parse_duration("1:02:03"), Some(3723));
        assert_eq!(parse_duration("01:00:00"), Some(3600));
        for bad in [
            "",
            "abc",
            "1:2:3:4",
            "-5",
            "1.x",
            "99999999999999999999",
            "1:-2",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
