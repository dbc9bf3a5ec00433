//! The image addresses of sanitized HTML, read and replaced without re-sanitizing.
//!
//! Works on what [`crate::sanitize_html`] writes (html5ever's serializer): every attribute
//! value in double quotes, with `&`, `"` and no-break spaces escaped. An image's addresses
//! are its `src` and the candidates of its `srcset` (which the sanitizer keeps only as
//! [`crate::srcset`] writes them).

use std::ops::Range;

use crate::srcset;

/// Which address attribute of an `<img>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attribute {
    Src,
    Srcset,
}

/// One address attribute of an `<img>` in the HTML.
#[derive(Debug, Clone)]
struct Span {
    attribute: Attribute,
    /// The value, between its quotes.
    value: Range<usize>,
    /// The whole attribute with the white space before it (` srcset="…"`).
    whole: Range<usize>,
}

/// The addresses of every `<img>` in `html` (its `src`, then its `srcset` candidates),
/// unescaped, in order, repeats included.
pub fn image_sources(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for span in image_spans(html) {
        let value = unescape(&html[span.value]);
        match span.attribute {
            Attribute::Src => urls.push(value),
            Attribute::Srcset => {
                urls.extend(srcset::parse(&value).iter().map(|c| c.url.to_owned()));
            }
        }
    }
    urls
}

/// `html` with its images' addresses replaced as `replace` says (escaped); every other
/// byte stays as it was. A `src` for which `replace` gives `None` is kept; a `srcset`
/// candidate for which it gives `None` is dropped (a `srcset` left empty goes whole), so
/// with a media cache a page only ever offers the browser addresses it holds.
pub fn rewrite_image_sources(
    html: &str,
    mut replace: impl FnMut(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    for span in image_spans(html) {
        let value = unescape(&html[span.value.clone()]);
        match span.attribute {
            Attribute::Src => {
                if let Some(new) = replace(&value) {
                    out.push_str(&html[copied..span.value.start]);
                    out.push_str(&escape(&new));
                    copied = span.value.end;
                }
            }
            Attribute::Srcset => {
                let kept: Vec<(String, &str)> = srcset::parse(&value)
                    .into_iter()
                    .filter_map(|candidate| Some((replace(candidate.url)?, candidate.descriptor)))
                    .collect();
                if kept.is_empty() {
                    out.push_str(&html[copied..span.whole.start]);
                    copied = span.whole.end;
                } else {
                    out.push_str(&html[copied..span.value.start]);
                    out.push_str(&escape(&srcset::write(kept)));
                    copied = span.value.end;
                }
            }
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// Where each `<img>`'s `src` and `srcset` lie in `html`.
fn image_spans(html: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(found) = html[from..].find("<img") {
        let mut at = from + found + 4;
        from = at;
        if !html[at..].starts_with([' ', '\t', '\n', '/', '>']) {
            continue;
        }
        // Attributes: name, or name="value"; until the tag's `>`.
        loop {
            let attribute_start = at;
            let rest = &html[at..];
            let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\n', '/']).len();
            at += skipped;
            let rest = &html[at..];
            if rest.is_empty() || rest.starts_with('>') {
                break;
            }
            let name_len = rest.find(['=', ' ', '>', '\t', '\n']).unwrap_or(rest.len());
            let name = &rest[..name_len];
            at += name_len;
            if !html[at..].starts_with("=\"") {
                continue;
            }
            let value_start = at + 2;
            let Some(value_len) = html[value_start..].find('"') else {
                return spans;
            };
            let value = value_start..value_start + value_len;
            at = value.end + 1;
            let attribute = if name.eq_ignore_ascii_case("src") {
                Attribute::Src
            } else if name.eq_ignore_ascii_case("srcset") {
                Attribute::Srcset
            } else {
                continue;
            };
            spans.push(Span {
                attribute,
                value,
                whole: attribute_start..at,
            });
        }
        from = at;
    }
    spans
}

fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\u{a0}', "&nbsp;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_read_from_sanitized_html() {
        let html = crate::sanitize_html(
            r#"<p>a <img alt="x > y" src="https://i.example/a.png?w=1&amp;h=2"> <img src="/b.gif"></p><pre>&lt;img src="no"&gt;</pre>"#,
            Some(&url::Url::parse("https://blog.example/post/").expect("a URL")),
        );
        assert_eq!(
            image_sources(&html),
            [
                "https://i.example/a.png?w=1&h=2",
                "https://blog.example/b.gif"
            ]
        );
    }

    #[test]
    fn rewriting_replaces_only_the_chosen_sources() {
        let html = r#"<p><img src="https://i.example/a.png?w=1&amp;h=2" alt="a"><img src="https://i.example/keep.png"> <a href="https://i.example/a.png">a</a></p>"#;
        let rewritten = rewrite_image_sources(html, |url| {
            (url == "https://i.example/a.png?w=1&h=2").then(|| "/media/abc".to_string())
        });
        assert_eq!(
            rewritten,
            r#"<p><img src="/media/abc" alt="a"><img src="https://i.example/keep.png"> <a href="https://i.example/a.png">a</a></p>"#
        );
        assert_eq!(rewrite_image_sources(html, |_| None), html);
    }

    #[test]
    fn srcset_candidates_are_read_and_the_uncached_ones_dropped() {
        let html = crate::sanitize_html(
            r#"<img src="a.jpg" srcset="a.jpg 1x, a@2x.jpg?s=1&amp;t=2 2x, javascript:x 3x" alt="a"><img src="b.jpg" srcset="b-480.jpg 480w">"#,
            Some(&url::Url::parse("https://blog.example/").expect("a URL")),
        );
        assert_eq!(
            image_sources(&html),
            [
                "https://blog.example/a.jpg",
                "https://blog.example/a.jpg",
                "https://blog.example/a@2x.jpg?s=1&t=2",
                "https://blog.example/b.jpg",
                "https://blog.example/b-480.jpg",
            ]
        );
        let cached = |url: &str| match url {
            "https://blog.example/a.jpg" => Some("/media/aa.jpg".to_owned()),
            "https://blog.example/a@2x.jpg?s=1&t=2" => Some("/media/a2.jpg".to_owned()),
            _ => None,
        };
        let rewritten = rewrite_image_sources(&html, cached);
        assert!(
            rewritten
                .contains(r#"src="/media/aa.jpg" srcset="/media/aa.jpg 1x, /media/a2.jpg 2x""#),
            "{rewritten}"
        );
        assert!(
            rewritten.contains(r#"<img src="https://blog.example/b.jpg" referrerpolicy"#),
            "an image none of whose candidates is cached loses its srcset: {rewritten}"
        );
    }
}
