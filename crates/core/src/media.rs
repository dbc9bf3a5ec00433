//! Local media: what an image file is (sniffed from its bytes, never from a header) and
//! where a content-addressed copy lives.
//!
//! A cached image is named by the sha256 of its bytes, in lowercase hex ([`is_media_hash`]),
//! kept in the media folder at `<media dir>/<hash[0..2]>/<hash>` ([`media_path`]) or as a
//! row of the store ([`MediaStorage`]), and served at exactly `/media/<hash>` ([`media_url`]).
//! `/media/<hash>.<ext>`, the extension that of its sniffed type, names the same file: the
//! static build writes its pages with those names ([`typed_media_addresses`]), so a static
//! server that types files by their extension (nginx, Apache, a CDN) serves the right
//! `Content-Type` too, and posts stored while the cache wrote them are read back with exact
//! addresses ([`exact_media_addresses`]). Only raster images are ever kept: [`sniff`]
//! knows PNG, JPEG, GIF, WebP and AVIF and nothing else (SVG can carry script), so the
//! type served is a function of the bytes and cannot disagree with them.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};

use crate::SourceId;

mod addresses;

pub use addresses::{exact_media_addresses, media_references, typed_media_addresses};

/// The path every cached image is served under.
pub const MEDIA_PREFIX: &str = "/media/";

/// Where cached images are kept (`[media] keep`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaStorage {
    /// Files in this folder, at [`media_path`] (`keep = "disk"`).
    Folder(PathBuf),
    /// Rows of the store (`keep = "store"`), so web nodes on other machines serve the
    /// images a worker fetched without sharing a disk.
    Store,
}

/// The raster image types syndic keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RasterType {
    Png,
    Jpeg,
    Gif,
    Webp,
    Avif,
}

impl RasterType {
    /// The media type served with it.
    pub fn mime(self) -> &'static str {
        match self {
            RasterType::Png => "image/png",
            RasterType::Jpeg => "image/jpeg",
            RasterType::Gif => "image/gif",
            RasterType::Webp => "image/webp",
            RasterType::Avif => "image/avif",
        }
    }

    /// The type whose [`Self::mime`] is `mime`, if syndic keeps it.
    pub fn from_mime(mime: &str) -> Option<RasterType> {
        RASTER_TYPES.into_iter().find(|kind| kind.mime() == mime)
    }

    /// The file extension of the type (what `mime.types` maps back to [`Self::mime`]).
    pub fn extension(self) -> &'static str {
        match self {
            RasterType::Png => "png",
            RasterType::Jpeg => "jpg",
            RasterType::Gif => "gif",
            RasterType::Webp => "webp",
            RasterType::Avif => "avif",
        }
    }
}

/// Every raster type syndic keeps.
pub const RASTER_TYPES: [RasterType; 5] = [
    RasterType::Png,
    RasterType::Jpeg,
    RasterType::Gif,
    RasterType::Webp,
    RasterType::Avif,
];

/// The raster type `bytes` begin with, by their magic numbers; `None` for anything else
/// (SVG, HTML, text, an unknown format, too few bytes).
pub fn sniff(bytes: &[u8]) -> Option<RasterType> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(RasterType::Png)
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some(RasterType::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(RasterType::Gif)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(RasterType::Webp)
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"avif" | b"avis")
    {
        Some(RasterType::Avif)
    } else {
        None
    }
}

/// Whether `text` is a media name: 64 lowercase hex digits (a sha256). Anything else, a
/// `..` or a `/` included, is not, so a name never leaves the media folder.
pub fn is_media_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where the file named `hash` lives under `dir`: `<dir>/<hash[0..2]>/<hash>`; `None`
/// when `hash` is not a media name.
pub fn media_path(dir: &Path, hash: &str) -> Option<PathBuf> {
    is_media_hash(hash).then(|| dir.join(&hash[..2]).join(hash))
}

/// The root-relative address the file named `hash` is served at: `/media/<hash>`.
pub fn media_url(hash: &str) -> String {
    format!("{MEDIA_PREFIX}{hash}")
}

/// The hash a media file name (`<hash>` or `<hash>.<ext>`, as it follows `/media/`)
/// names, and its extension if it has one; `None` for anything else.
pub fn parse_media_name(name: &str) -> Option<(&str, Option<&str>)> {
    let (hash, extension) = match name.split_once('.') {
        Some((hash, extension)) => (hash, Some(extension)),
        None => (name, None),
    };
    let known = |ext: &str| EXTENSIONS.contains(&ext);
    (is_media_hash(hash) && extension.is_none_or(known)).then_some((hash, extension))
}

/// Every extension [`RasterType::extension`] gives.
const EXTENSIONS: [&str; 5] = ["png", "jpg", "gif", "webp", "avif"];

/// Whether `url` is the address of a cached file (`/media/<hash>[.<ext>]`), as a post's
/// HTML or an enclosure's thumbnail holds it once cached.
pub fn is_media_url(url: &str) -> bool {
    url.strip_prefix(MEDIA_PREFIX)
        .and_then(parse_media_name)
        .is_some()
}

/// The wait after a resource's first failure (an image of the media cache, a post's page
/// for full text); each further failure doubles it.
pub const FIRST_RETRY: Duration = Duration::minutes(10);
/// The longest wait between two tries of a failing image or page.
pub const LONGEST_RETRY: Duration = Duration::hours(24);

/// The wait after the `failures`-th failure in a row (at least 1): [`FIRST_RETRY`],
/// doubled for each failure before it, at most [`LONGEST_RETRY`].
pub fn retry_wait(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    (FIRST_RETRY * 2_i32.pow(doublings)).min(LONGEST_RETRY)
}
/// Failures in a row after which an image no longer makes its source's feed be read
/// again only for it (it is still tried whenever the feed brings the post anew): about
/// three and a half days of tries.
pub const MOST_FORCED_TRIES: u32 = 10;

/// An image address the media cache could not keep, and when to try it again: what the
/// store records, so the wait survives a restart and `syndic explain` can say why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFailure {
    pub url: String,
    /// The source whose post showed it last (`None` once that source is gone).
    pub source: Option<SourceId>,
    /// Why, as a person reads it.
    pub error: String,
    /// Tries in a row that failed (at least 1).
    pub failures: u32,
    pub first_failed_at: DateTime<Utc>,
    pub last_failed_at: DateTime<Utc>,
    pub next_try_at: DateTime<Utc>,
}

impl MediaFailure {
    /// The record after a try of `url` failed at `now` with `error`: one more failure than
    /// `previous`, waiting [`retry_wait`].
    pub fn after_failure(
        previous: Option<&MediaFailure>,
        url: &str,
        source: Option<SourceId>,
        error: String,
        now: DateTime<Utc>,
    ) -> MediaFailure {
        let failures = previous.map_or(1, |p| p.failures.saturating_add(1));
        let wait = retry_wait(failures);
        MediaFailure {
            url: url.to_owned(),
            source: source.or(previous.and_then(|p| p.source)),
            error,
            failures,
            first_failed_at: previous.map_or(now, |p| p.first_failed_at),
            last_failed_at: now,
            next_try_at: now + wait,
        }
    }

    /// Whether the image may be fetched again at `now`.
    pub fn may_try(&self, now: DateTime<Utc>) -> bool {
        now >= self.next_try_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn sniff_knows_the_raster_types_and_nothing_else() {
        let rows: &[(&[u8], Option<RasterType>)] = &[
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some(RasterType::Png)),
            (b"\xff\xd8\xff\xe0\0\x10JFIF", Some(RasterType::Jpeg)),
            (b"GIF89a\x01\0\x01\0", Some(RasterType::Gif)),
            (b"RIFF\x24\0\0\0WEBPVP8 ", Some(RasterType::Webp)),
            (b"\0\0\0\x1cftypavif\0\0\0\0", Some(RasterType::Avif)),
            (b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>", None),
            (b"<?xml version=\"1.0\"?><svg/>", None),
            (b"<!doctype html><p>not an image", None),
            (b"\x89PN", None),
            (b"", None),
        ];
        for (bytes, expected) in rows {
            assert_eq!(sniff(bytes), *expected, "{bytes:?}");
        }
    }

    #[test]
    fn media_paths_never_leave_the_folder() {
        let dir = Path::new("/srv/media");
        assert_eq!(media_path(dir, HASH), Some(dir.join("01").join(HASH)),);
        for bad in [
            "../etc/passwd",
            "",
            &HASH.to_uppercase(),
            &HASH[..63],
            "..%2f",
        ] {
            assert_eq!(media_path(dir, bad), None, "{bad}");
        }
        let mut dotted = HASH.to_string();
        dotted.replace_range(0..2, "..");
        assert_eq!(media_path(dir, &dotted), None);
    }

    #[test]
    fn a_failed_image_waits_longer_after_each_failure() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).expect("a time");
        let url = "https://img.example/broken.png";
        let first = MediaFailure::after_failure(None, url, None, "404".into(), start);
        assert_eq!(first.failures, 1);
        assert_eq!(first.next_try_at, start + FIRST_RETRY);
        assert!(!first.may_try(start + FIRST_RETRY - Duration::seconds(1)));
        assert!(first.may_try(start + FIRST_RETRY));
        let later = first.next_try_at;
        let second =
            MediaFailure::after_failure(Some(&first), url, Some(SourceId(3)), "500".into(), later);
        assert_eq!(second.failures, 2);
        assert_eq!(
            second.first_failed_at, start,
            "the run of failures began then"
        );
        assert_eq!(second.next_try_at, later + FIRST_RETRY * 2);
        assert_eq!(second.source, Some(SourceId(3)));
        let mut record = second;
        for _ in 0..40 {
            record = MediaFailure::after_failure(Some(&record), url, None, "x".into(), later);
        }
        assert_eq!(record.next_try_at, later + LONGEST_RETRY);
        assert_eq!(record.source, Some(SourceId(3)), "kept when not told");
    }

    #[test]
    fn media_names_are_a_hash_and_maybe_a_known_extension() {
        assert_eq!(parse_media_name(HASH), Some((HASH, None)));
        let jpg = format!("{HASH}.jpg");
        assert_eq!(parse_media_name(&jpg), Some((HASH, Some("jpg"))));
        for bad in [
            format!("{HASH}.svg"),
            format!("{HASH}."),
            format!("{HASH}.png.png"),
            "x.png".to_owned(),
        ] {
            assert_eq!(parse_media_name(&bad), None, "{bad}");
        }
        assert!(is_media_url(&format!("/media/{jpg}")));
        assert!(!is_media_url(&format!("https://x.example/media/{jpg}")));
    }
}
