//! A post's files as its page shows them: audio and video in the browser's own players
//! (`preload="none"`, so a page view downloads nothing until the reader presses play),
//! every file with a download link, its type, size and playing time. Only http(s)
//! addresses reach a page (the store keeps no others, and [`EnclosureView::new`] checks
//! again); the template escapes every value.

use serde::Serialize;
use syndic_core::{Enclosure, MediaKind};

use super::views::is_web_url;

/// One enclosure as `post.html` reads it.
#[derive(Debug, Serialize)]
pub(crate) struct EnclosureView<'a> {
    /// `audio`, `video` or `file`: a player, or only the download link.
    kind: MediaKind,
    url: &'a str,
    /// The `<source type>` of a player: the written or guessed type (empty when neither
    /// says, so the browser sniffs).
    source_type: &'a str,
    /// The download link's text: the title, else the file's name.
    label: String,
    /// What the link's parenthesis says: type, size and playing time, as known.
    details: String,
    /// A video's poster frame, an audio file's cover: its thumbnail, when the page may
    /// show it (see [`EnclosureView::new`]).
    poster: Option<&'a str>,
}

impl<'a> EnclosureView<'a> {
    /// The view of `enclosure`, or `None` when its address is not an absolute http(s) URL.
    /// With `local_media` (the media cache is on) a thumbnail is shown only as its cached
    /// copy: a reader's browser then asks no other site for it, and one not cached (yet)
    /// shows no poster rather than one the CSP blocks.
    pub(crate) fn new(enclosure: &'a Enclosure, local_media: bool) -> Option<EnclosureView<'a>> {
        if !is_web_url(&enclosure.url) {
            return None;
        }
        let kind = enclosure.kind();
        let media_type = enclosure.media_type();
        let source_type = if media_type == "application/octet-stream" {
            ""
        } else {
            media_type
        };
        let label = enclosure
            .title
            .clone()
            .filter(|title| !title.trim().is_empty())
            .unwrap_or_else(|| file_name(&enclosure.url));
        let details: Vec<String> = [
            Some(media_type.to_owned()),
            enclosure.length.map(human_size),
            enclosure.duration.map(clock_time),
        ]
        .into_iter()
        .flatten()
        .collect();
        Some(EnclosureView {
            kind,
            url: &enclosure.url,
            source_type,
            label,
            details: details.join(", "),
            poster: enclosure
                .thumbnail
                .as_deref()
                .filter(|_| kind != MediaKind::File)
                .filter(|thumbnail| {
                    syndic_core::media::is_media_url(thumbnail)
                        || (!local_media && is_web_url(thumbnail))
                }),
        })
    }
}

/// The last segment of the address's path (`episode-12.mp3`), else its host.
fn file_name(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let segment = parsed
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .into_owned()
        });
    segment.unwrap_or_else(|| parsed.host_str().unwrap_or(url).to_owned())
}

/// A size in bytes as people read it: `512 bytes`, `1.5 kB`, `38.2 MB`, `1.1 GB`
/// (powers of 1000, as podcast apps and file managers show them).
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return if bytes == 1 {
            "1 byte".to_owned()
        } else {
            format!("{bytes} bytes")
        };
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A playing time as a clock reads it: `0:42`, `45:07`, `1:02:03`.
pub(crate) fn clock_time(seconds: u32) -> String {
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(1_500), "1.5 kB");
        assert_eq!(human_size(38_200_000), "38.2 MB");
        assert_eq!(human_size(999_999), "1.0 MB");
        assert_eq!(human_size(1_100_000_000), "1.1 GB");
        assert_eq!(human_size(u64::MAX), "18446.7 PB");
    }

    #[test]
    fn playing_times_read_as_clocks() {
        assert_eq!(clock_time(42), "0:42");
        assert_eq!(clock_time(45 * 60 + 7), "45:07");
        assert_eq!(clock_time(3723), "1:02:03");
    }

    #[test]
    fn a_file_is_named_by_its_title_else_its_file_name() {
        let mut enclosure = Enclosure::new("https://x.example/show/ep%2012.mp3?x=1", "");
        let view = EnclosureView::new(&enclosure, false).map(|v| v.label);
        assert_eq!(view.as_deref(), Some("ep 12.mp3"));
        enclosure.title = Some("Episode 12".into());
        let view = EnclosureView::new(&enclosure, false).map(|v| v.label);
        assert_eq!(view.as_deref(), Some("Episode 12"));
        let host = Enclosure::new("https://x.example/", "");
        assert_eq!(
            EnclosureView::new(&host, false).map(|v| v.label).as_deref(),
            Some("x.example")
        );
    }

    #[test]
    fn only_web_addresses_become_views() {
        for url in [
            "javascript:alert(1)",
            "data:audio/mpeg;base64,AA",
            "/relative.mp3",
        ] {
            assert!(EnclosureView::new(&Enclosure::new(url, "audio/mpeg"), false).is_none());
        }
    }

    #[test]
    fn details_name_type_size_and_time() {
        let mut enclosure = Enclosure::new("https://x.example/e.mp3", "");
        enclosure.length = Some(24_000_000);
        enclosure.duration = Some(1800);
        enclosure.thumbnail = Some("https://x.example/cover.jpg".into());
        let view = EnclosureView::new(&enclosure, false).expect("a web address");
        assert_eq!(view.kind, MediaKind::Audio);
        assert_eq!(view.source_type, "audio/mpeg");
        assert_eq!(view.details, "audio/mpeg, 24.0 MB, 30:00");
        assert_eq!(view.poster, Some("https://x.example/cover.jpg"), "a cover");
    }

    #[test]
    fn with_local_media_only_a_cached_poster_is_shown() {
        let cached = format!("/media/{}.jpg", "c".repeat(64));
        let mut video = Enclosure::new("https://x.example/v.mp4", "video/mp4");
        video.thumbnail = Some("https://x.example/poster.jpg".into());
        fn poster(e: &Enclosure, local: bool) -> Option<&str> {
            EnclosureView::new(e, local).and_then(|v| v.poster)
        }
        assert_eq!(poster(&video, false), Some("https://x.example/poster.jpg"));
        assert_eq!(poster(&video, true), None, "not cached: no poster");
        video.thumbnail = Some(cached.clone());
        assert_eq!(poster(&video, true), Some(cached.as_str()));
        assert_eq!(poster(&video, false), Some(cached.as_str()));
        let mut file = Enclosure::new("https://x.example/a.pdf", "application/pdf");
        file.thumbnail = Some(cached);
        assert_eq!(poster(&file, true), None, "a download link has no picture");
    }
}
