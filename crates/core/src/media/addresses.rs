//! Media addresses in HTML (and in the static build's pages and feeds): which names after
//! `/media/` a text shows, and the same text with them written exactly (`/media/<hash>`)
//! or typed (`/media/<hash>.<ext>`). Only this site's addresses are rewritten: a
//! root-relative one, or (for the static build) one under the site's own URL; another
//! host's `https://…/media/<hash>.<ext>` is another site's file.

use std::borrow::Cow;

use super::{EXTENSIONS, MEDIA_PREFIX, RasterType, is_media_hash, parse_media_name};

/// The media names `html` refers to (`/media/<hash>` or `/media/<hash>.<ext>`, the name
/// as written after `/media/`, wherever the address is), in order, repeats included.
pub fn media_references(html: &str) -> impl Iterator<Item = &str> {
    reference_spans(html).map(move |(at, len)| &html[at..at + len])
}

/// `html` with every root-relative media address `/media/<hash>.<ext>` written
/// `/media/<hash>`, the one address pages, feeds and exports use; borrowed when there is
/// none. Another site's `https://…/media/<hash>.<ext>` is left alone.
pub fn exact_media_addresses(html: &str) -> Cow<'_, str> {
    rename_references(html, None, |name| {
        parse_media_name(name).and_then(|(hash, extension)| extension.map(|_| hash.to_owned()))
    })
}

/// `text` with every media address of this site (root-relative, or absolute under
/// `site_base`, the site's URL ending in `/`) written `/media/<hash>.<ext>`, `ext` that of
/// `type_of(hash)`, for a static server that types a file by its name; an address whose
/// type is unknown, or another site's, is left as it is.
pub fn typed_media_addresses<'a>(
    text: &'a str,
    site_base: &str,
    type_of: impl Fn(&str) -> Option<RasterType>,
) -> Cow<'a, str> {
    rename_references(text, Some(site_base), |name| {
        let (hash, extension) = parse_media_name(name)?;
        let kind = type_of(hash)?;
        (extension != Some(kind.extension())).then(|| format!("{hash}.{}", kind.extension()))
    })
}

/// `html` with each media name of this site's addresses (root-relative, or absolute under
/// `site_base`) that `rename` gives a new name for replaced by it.
fn rename_references<'a>(
    html: &'a str,
    site_base: Option<&str>,
    rename: impl Fn(&str) -> Option<String>,
) -> Cow<'a, str> {
    let mut renamed = String::new();
    let mut copied = 0;
    for (at, len) in reference_spans(html) {
        let slash = at - MEDIA_PREFIX.len();
        let ours = is_root_relative(&html[..slash])
            || site_base.is_some_and(|base| html[..=slash].ends_with(base));
        if !ours {
            continue;
        }
        if let Some(name) = rename(&html[at..at + len]) {
            renamed.push_str(&html[copied..at]);
            renamed.push_str(&name);
            copied = at + len;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    renamed.push_str(&html[copied..]);
    Cow::Owned(renamed)
}

/// Whether an address that starts after `before` is root-relative: it begins an
/// attribute's value, a `srcset` candidate, a JSON string or the text.
fn is_root_relative(before: &str) -> bool {
    before.bytes().next_back().is_none_or(|b| {
        matches!(b, b'"' | b'\'' | b',' | b'(' | b'=' | b'>') || b.is_ascii_whitespace()
    })
}

/// Where each media name of `html` starts (just after `/media/`) and its length.
fn reference_spans(html: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    html.match_indices(MEDIA_PREFIX).filter_map(move |(at, _)| {
        let start = at + MEDIA_PREFIX.len();
        let rest = &html[start..];
        let name = rest.get(..64)?;
        let after = &rest[64..];
        if !is_media_hash(name) {
            return None;
        }
        let extension = after
            .strip_prefix('.')
            .and_then(|tail| EXTENSIONS.iter().find(|ext| tail.starts_with(**ext)));
        let len = 64 + extension.map_or(0, |ext| 1 + ext.len());
        let ends = rest[len..]
            .bytes()
            .next()
            .is_none_or(|b| !b.is_ascii_alphanumeric());
        ends.then_some((start, len))
    })
}

#[cfg(test)]
mod tests {
    use super::super::media_url;
    use super::*;

    const HASH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn references_are_whole_media_names_with_their_extension() {
        let html = format!(
            r#"<img src="/media/{HASH}"><img src="/media/{HASH}0"><a href="/media/xyz">x</a><img src="/media/{HASH}.png" alt="again"><img srcset="/media/{HASH}.jpg 2x, /media/{HASH}.pngx 1x">"#
        );
        let png = format!("{HASH}.png");
        let jpg = format!("{HASH}.jpg");
        assert_eq!(
            media_references(&html).collect::<Vec<_>>(),
            [HASH, &png, &jpg]
        );
        assert_eq!(media_url(HASH), format!("/media/{HASH}"));
    }

    #[test]
    fn exact_addresses_drop_the_extension_and_nothing_else() {
        let html = format!(
            r#"<img src="/media/{HASH}.png"><img src="/media/{HASH}"><img srcset="/media/{HASH}.jpg 2x, /media/{HASH}.pngx 1x"><a href="https://x.example/media/{HASH}.gif">"#
        );
        assert_eq!(
            exact_media_addresses(&html),
            format!(
                r#"<img src="/media/{HASH}"><img src="/media/{HASH}"><img srcset="/media/{HASH} 2x, /media/{HASH}.pngx 1x"><a href="https://x.example/media/{HASH}.gif">"#
            )
        );
        let plain = format!(r#"<img src="/media/{HASH}"><p>no images</p>"#);
        assert!(matches!(exact_media_addresses(&plain), Cow::Borrowed(_)));
    }

    #[test]
    fn typed_addresses_carry_the_extension_of_a_known_type_only() {
        let other = "f".repeat(64);
        let html = format!(
            r#"<img src="/media/{HASH}"><img src="/media/{HASH}.jpg"><img src="/media/{other}"><enclosure url="https://site.example/media/{HASH}"/><img src="https://else.example/media/{HASH}">"#
        );
        let typed = typed_media_addresses(&html, "https://site.example/", |hash| {
            (hash == HASH).then_some(RasterType::Png)
        });
        assert_eq!(
            typed,
            format!(
                r#"<img src="/media/{HASH}.png"><img src="/media/{HASH}.png"><img src="/media/{other}"><enclosure url="https://site.example/media/{HASH}.png"/><img src="https://else.example/media/{HASH}">"#
            )
        );
        assert_eq!(RasterType::from_mime("image/webp"), Some(RasterType::Webp));
        assert_eq!(RasterType::from_mime("image/svg+xml"), None);
    }
}
