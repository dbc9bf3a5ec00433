//! `<img srcset>`: a list of image candidates (`url 2x, url 640w`), read as the HTML
//! standard's "parse a srcset attribute" reads it (an address runs to white space; a
//! comma ends the descriptors), kept only when every part is something syndic vouches
//! for: an http(s) address (a relative one resolved against the feed's base) and either
//! no descriptor, a width (`640w`) or a density (`2x`, `1.5x`).
//!
//! The sanitizer keeps what [`sanitize`] writes; the media cache rewrites each address
//! ([`crate::images`]). What [`sanitize`] writes reads back to itself, so sanitizing
//! twice changes nothing.

use url::Url;

/// One image candidate: its address and its descriptor (empty, `<n>w` or `<n>x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate<'a> {
    pub(crate) url: &'a str,
    pub(crate) descriptor: &'a str,
}

/// Most candidates kept in one `srcset` (a hostile one could list thousands).
const MAX_CANDIDATES: usize = 16;

/// The candidates of `value` as written (nothing checked).
pub(crate) fn parse(value: &str) -> Vec<Candidate<'_>> {
    let mut candidates = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return candidates;
        }
        let url_end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let mut url = &rest[..url_end];
        rest = &rest[url_end..];
        let descriptor = if url.ends_with(',') {
            url = url.trim_end_matches(',');
            ""
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let descriptor = rest[..end].trim();
            rest = &rest[end..];
            descriptor
        };
        candidates.push(Candidate { url, descriptor });
    }
}

/// Writes candidates back as a `srcset` value.
pub(crate) fn write<'a>(candidates: impl IntoIterator<Item = (String, &'a str)>) -> String {
    let parts: Vec<String> = candidates
        .into_iter()
        .map(|(url, descriptor)| {
            if descriptor.is_empty() {
                url
            } else {
                format!("{url} {descriptor}")
            }
        })
        .collect();
    parts.join(", ")
}

/// `value` with only the candidates syndic keeps (absolute http(s) addresses, relative
/// ones resolved against `base`; width or density descriptors), at most
/// [`MAX_CANDIDATES`]; `None` when none is left.
pub(crate) fn sanitize(value: &str, base: Option<&Url>) -> Option<String> {
    let kept: Vec<(String, &str)> = parse(value)
        .into_iter()
        .filter(|candidate| is_descriptor(candidate.descriptor))
        .filter_map(|candidate| Some((web_url(candidate.url, base)?, candidate.descriptor)))
        .take(MAX_CANDIDATES)
        .collect();
    (!kept.is_empty()).then(|| write(kept))
}

/// An absolute http(s) address for `url` (resolved against an http(s) `base`), that a
/// srcset can carry unambiguously (no comma at its end, no white space).
fn web_url(url: &str, base: Option<&Url>) -> Option<String> {
    let parsed = match Url::parse(url) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => base
            .filter(|base| matches!(base.scheme(), "http" | "https"))?
            .join(url)
            .ok()?,
        Err(_) => return None,
    };
    let text = String::from(parsed.clone());
    (matches!(parsed.scheme(), "http" | "https")
        && parsed.host_str().is_some()
        && !text.ends_with(',')
        && !text.contains(|c: char| c.is_ascii_whitespace()))
    .then_some(text)
}

/// Empty, a width (`640w`: digits) or a density (`2x`, `1.5x`: a positive decimal).
fn is_descriptor(descriptor: &str) -> bool {
    if descriptor.is_empty() {
        return true;
    }
    if let Some(width) = descriptor.strip_suffix('w') {
        return !width.is_empty() && width.len() <= 6 && width.bytes().all(|b| b.is_ascii_digit());
    }
    let Some(density) = descriptor.strip_suffix('x') else {
        return false;
    };
    let (whole, fraction) = density.split_once('.').unwrap_or((density, "0"));
    !whole.is_empty()
        && whole.len() <= 3
        && !fraction.is_empty()
        && fraction.len() <= 3
        && whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_read_as_browsers_read_them() {
        let read = parse(" a.jpg 1x,b, c.jpg 2x , https://x.example/d,e.jpg 640w,,");
        let pairs: Vec<(&str, &str)> = read.iter().map(|c| (c.url, c.descriptor)).collect();
        assert_eq!(
            pairs,
            [
                ("a.jpg", "1x"),
                ("b", ""),
                ("c.jpg", "2x"),
                ("https://x.example/d,e.jpg", "640w"),
            ]
        );
    }

    #[test]
    fn only_web_addresses_with_width_or_density_are_kept() {
        let base = Url::parse("https://blog.example/post/").expect("a URL");
        let rows: &[(&str, Option<&str>)] = &[
            (
                "small.jpg 480w, https://cdn.example/big.jpg 1080w",
                Some("https://blog.example/post/small.jpg 480w, https://cdn.example/big.jpg 1080w"),
            ),
            (
                "a.png, b.png 1.5x, c.png 2x",
                Some(
                    "https://blog.example/post/a.png, https://blog.example/post/b.png 1.5x, https://blog.example/post/c.png 2x",
                ),
            ),
            (
                "javascript:alert(1) 1x, data:image/png;base64,AAAA 2x",
                None,
            ),
            ("a.png 100h, b.png 2x 480w, c.png x, d.png -1x", None),
            ("mailto:x@y.example 1x, ftp://f.example/a.png", None),
            ("", None),
        ];
        for (value, expected) in rows {
            assert_eq!(
                sanitize(value, Some(&base)).as_deref(),
                *expected,
                "{value}"
            );
        }
        assert_eq!(sanitize("a.png 2x", None), None, "relative without a base");
    }

    #[test]
    fn sanitizing_again_changes_nothing() {
        let base = Url::parse("https://blog.example/").expect("a URL");
        let once = sanitize("a b.png 1x, x.png?w=1,2 2x, y.png 640w", Some(&base)).expect("kept");
        assert_eq!(sanitize(&once, Some(&base)).as_deref(), Some(once.as_str()));
    }

    #[test]
    fn a_long_list_is_cut() {
        let value: Vec<String> = (0..1000)
            .map(|i| format!("https://x.example/{i}.png {i}w"))
            .collect();
        let kept = sanitize(&value.join(", "), None).expect("kept");
        assert_eq!(parse(&kept).len(), MAX_CANDIDATES);
    }
}
