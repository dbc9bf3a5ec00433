//! Files attached to a post: a podcast's episode, a video, a document. Feeds call them
//! enclosures (RSS `<enclosure>`, Atom `rel="enclosure"`), attachments (JSON Feed) or
//! media (Media RSS `media:content`); syndic keeps them under one name, in the order the
//! feed gives them, and hands them on in its own pages and feeds.
//!
//! What a post may carry is decided here, once, for the parser and the store alike
//! ([`keep_enclosures`]): absolute http(s) addresses of bounded length, at most
//! [`MAX_ENCLOSURES`] per post, each address once.

use serde::Serialize;

/// Most enclosures one post keeps; the rest are dropped (with a warning from the parser).
pub const MAX_ENCLOSURES: usize = 20;
/// Longest enclosure or thumbnail address kept, in bytes; a longer one is dropped.
pub const MAX_ENCLOSURE_URL_BYTES: usize = 2048;
/// Longest enclosure title kept, in characters (cut beyond).
pub const MAX_ENCLOSURE_TITLE_CHARS: usize = 512;
/// Longest media type kept, in bytes (RFC 6838 allows 127 + 1 + 127); a longer one is
/// forgotten, never cut into another type.
pub const MAX_MEDIA_TYPE_BYTES: usize = 255;

/// One file attached to a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enclosure {
    /// Absolute http(s) address of the file.
    pub url: String,
    /// Media type as the feed wrote it (`audio/mpeg`), empty when it gave none.
    pub mime_type: String,
    /// Size in bytes, when the feed gave one other than 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// Plain-text title (JSON Feed `title`, Media RSS `media:title`, Atom `title`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Absolute http(s) address of a picture standing for the file (Media RSS
    /// `media:thumbnail`, the episode's `itunes:image`), or, once the media cache holds a
    /// copy, that copy's root-relative `/media/<hash>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    /// Playing time in whole seconds (JSON Feed `duration_in_seconds`, Media RSS
    /// `duration`, `itunes:duration`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
}

/// How a page shows an enclosure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    /// A player: `<audio>`.
    Audio,
    /// A player: `<video>`.
    Video,
    /// Anything else: a download link.
    File,
}

impl Enclosure {
    /// A file at `url` of the given media type, nothing else known.
    pub fn new(url: impl Into<String>, mime_type: impl Into<String>) -> Enclosure {
        Enclosure {
            url: url.into(),
            mime_type: mime_type.into(),
            length: None,
            title: None,
            thumbnail: None,
            duration: None,
        }
    }

    /// Audio or video by its media type; by the address's extension when the feed gave
    /// no type (podcast feeds often leave it out); a file otherwise.
    pub fn kind(&self) -> MediaKind {
        let mime = self.mime_type.trim().to_ascii_lowercase();
        match mime.split_once('/') {
            Some(("audio", _)) => MediaKind::Audio,
            Some(("video", _)) => MediaKind::Video,
            Some(_) => MediaKind::File,
            None => self.guessed().map_or(MediaKind::File, |(kind, _)| kind),
        }
    }

    /// The media type as written, else one guessed from the address's extension for the
    /// common audio and video files, else `application/octet-stream`: what output feeds
    /// write where a type is required (RSS `type`, JSON Feed `mime_type`).
    pub fn media_type(&self) -> &str {
        let written = self.mime_type.trim();
        if !written.is_empty() {
            return written;
        }
        self.guessed()
            .map_or("application/octet-stream", |(_, mime)| mime)
    }

    /// The kind and media type the address's extension suggests.
    fn guessed(&self) -> Option<(MediaKind, &'static str)> {
        let path = self.url.split(['?', '#']).next().unwrap_or_default();
        let (_, extension) = path
            .rsplit_once('.')
            .filter(|(_, ext)| !ext.contains('/'))?;
        let extension = extension.to_ascii_lowercase();
        GUESSES
            .iter()
            .find(|(ext, _, _)| *ext == extension)
            .map(|&(_, kind, mime)| (kind, mime))
    }
}

/// Extensions of the audio and video files podcasts and video blogs attach.
const GUESSES: &[(&str, MediaKind, &str)] = &[
    ("mp3", MediaKind::Audio, "audio/mpeg"),
    ("m4a", MediaKind::Audio, "audio/mp4"),
    ("aac", MediaKind::Audio, "audio/aac"),
    ("oga", MediaKind::Audio, "audio/ogg"),
    ("ogg", MediaKind::Audio, "audio/ogg"),
    ("opus", MediaKind::Audio, "audio/ogg"),
    ("wav", MediaKind::Audio, "audio/wav"),
    ("flac", MediaKind::Audio, "audio/flac"),
    ("mp4", MediaKind::Video, "video/mp4"),
    ("m4v", MediaKind::Video, "video/mp4"),
    ("webm", MediaKind::Video, "video/webm"),
    ("mov", MediaKind::Video, "video/quicktime"),
    ("ogv", MediaKind::Video, "video/ogg"),
];

/// What [`keep_enclosures`] kept, and how many it dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptEnclosures {
    pub kept: Vec<Enclosure>,
    /// Enclosures dropped for their address (not http(s), too long, a repeat).
    pub refused: usize,
    /// Enclosures dropped beyond [`MAX_ENCLOSURES`].
    pub beyond_limit: usize,
}

/// The enclosures a post keeps, in order: only absolute http(s) addresses of at most
/// [`MAX_ENCLOSURE_URL_BYTES`] without spaces or control characters, each once, at most
/// [`MAX_ENCLOSURES`]; a thumbnail that fails the same test (and is not a cached copy,
/// `/media/<hash>`) is forgotten, a title is cut
/// to [`MAX_ENCLOSURE_TITLE_CHARS`], an over-long media type is forgotten.
pub fn keep_enclosures(enclosures: impl IntoIterator<Item = Enclosure>) -> KeptEnclosures {
    let mut result = KeptEnclosures::default();
    for mut enclosure in enclosures {
        if !is_kept_url(&enclosure.url) || result.kept.iter().any(|e| e.url == enclosure.url) {
            result.refused += 1;
            continue;
        }
        if result.kept.len() == MAX_ENCLOSURES {
            result.beyond_limit += 1;
            continue;
        }
        enclosure.thumbnail = enclosure
            .thumbnail
            .filter(|t| is_kept_url(t) || crate::media::is_media_url(t));
        enclosure.title = enclosure
            .title
            .map(|t| {
                t.chars()
                    .take(MAX_ENCLOSURE_TITLE_CHARS)
                    .collect::<String>()
            })
            .filter(|t| !t.trim().is_empty());
        if enclosure.mime_type.len() > MAX_MEDIA_TYPE_BYTES
            || enclosure.mime_type.contains(char::is_control)
        {
            enclosure.mime_type.clear();
        }
        enclosure.length = enclosure.length.filter(|&l| l > 0);
        result.kept.push(enclosure);
    }
    result
}

/// An absolute http(s) address a page may point at: the scheme in any case, a host, no
/// white space or control characters, at most [`MAX_ENCLOSURE_URL_BYTES`].
fn is_kept_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    url.len() <= MAX_ENCLOSURE_URL_BYTES
        && !rest.is_empty()
        && !rest.starts_with('/')
        && !url.contains(|c: char| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(kept: &KeptEnclosures) -> Vec<&str> {
        kept.kept.iter().map(|e| e.url.as_str()).collect()
    }

    #[test]
    fn only_absolute_web_addresses_are_kept() {
        let kept = keep_enclosures(
            [
                "javascript:alert(1)",
                "data:audio/mpeg;base64,AAAA",
                "file:///etc/passwd",
                "//cdn.example/a.mp3",
                "/a.mp3",
                "https://",
                "https:///a.mp3",
                "http://cdn.example/a b.mp3",
                "HTTPS://cdn.example/ok.mp3",
                "http://cdn.example/ok.ogg",
            ]
            .map(|url| Enclosure::new(url, "audio/mpeg")),
        );
        assert_eq!(
            urls(&kept),
            ["HTTPS://cdn.example/ok.mp3", "http://cdn.example/ok.ogg"]
        );
        assert_eq!(kept.refused, 8);
    }

    #[test]
    fn a_post_keeps_at_most_twenty_each_address_once() {
        let many = (0..10_000).map(|i| Enclosure::new(format!("https://x.example/{i}.mp3"), ""));
        let repeat = std::iter::once(Enclosure::new("https://x.example/0.mp3", ""));
        let kept = keep_enclosures(repeat.chain(many));
        assert_eq!(kept.kept.len(), MAX_ENCLOSURES);
        assert_eq!(kept.refused, 1, "the repeated first address");
        assert_eq!(kept.beyond_limit, 10_000 - MAX_ENCLOSURES);
    }

    #[test]
    fn over_long_addresses_and_types_are_dropped_and_titles_cut() {
        let long = format!("https://x.example/{}", "a".repeat(MAX_ENCLOSURE_URL_BYTES));
        let mut ok = Enclosure::new("https://x.example/ok.mp3", "a".repeat(300));
        ok.title = Some("t".repeat(1000));
        ok.thumbnail = Some(long.clone());
        ok.length = Some(0);
        let kept = keep_enclosures([Enclosure::new(long, "audio/mpeg"), ok]);
        assert_eq!(urls(&kept), ["https://x.example/ok.mp3"]);
        let ok = &kept.kept[0];
        assert_eq!(ok.mime_type, "");
        assert_eq!(ok.thumbnail, None);
        let mut cached = Enclosure::new("https://x.example/cached.mp3", "");
        let local = format!("/media/{}.jpg", "a".repeat(64));
        cached.thumbnail = Some(local.clone());
        let mut relative = Enclosure::new("https://x.example/relative.mp3", "");
        relative.thumbnail = Some("/media/cover.jpg".into());
        let kept = keep_enclosures([cached, relative]);
        assert_eq!(kept.kept[0].thumbnail.as_deref(), Some(local.as_str()));
        assert_eq!(
            kept.kept[1].thumbnail, None,
            "only a cached copy is relative"
        );
        assert_eq!(ok.length, None, "0 means unknown");
        assert_eq!(
            ok.title.as_deref().map(|t| t.chars().count()),
            Some(MAX_ENCLOSURE_TITLE_CHARS)
        );
    }

    #[test]
    fn kind_follows_the_type_else_the_extension() {
        let kind = |url: &str, mime: &str| Enclosure::new(url, mime).kind();
        assert_eq!(kind("https://x.example/e", "audio/mpeg"), MediaKind::Audio);
        assert_eq!(kind("https://x.example/e", "Video/MP4"), MediaKind::Video);
        assert_eq!(
            kind("https://x.example/e.mp3", "application/pdf"),
            MediaKind::File
        );
        assert_eq!(kind("https://x.example/e.MP3?x=1", ""), MediaKind::Audio);
        assert_eq!(kind("https://x.example/e.webm#t=3", ""), MediaKind::Video);
        assert_eq!(kind("https://x.example/e.pdf", ""), MediaKind::File);
        assert_eq!(kind("https://x.mp3/episode", ""), MediaKind::File);
    }

    #[test]
    fn media_type_is_written_else_guessed_else_octet_stream() {
        let media_type = |url: &str, mime: &str| Enclosure::new(url, mime).media_type().to_owned();
        assert_eq!(
            media_type("https://x.example/e", " audio/x-m4a "),
            "audio/x-m4a"
        );
        assert_eq!(media_type("https://x.example/e.M4A", ""), "audio/mp4");
        assert_eq!(media_type("https://x.example/e.webm?x", ""), "video/webm");
        assert_eq!(
            media_type("https://x.example/e.pdf", ""),
            "application/octet-stream"
        );
    }
}
