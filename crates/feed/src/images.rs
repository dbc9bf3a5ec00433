//! The image addresses of sanitized HTML, read and replaced without re-sanitizing.
//!
//! Works on what [`crate::sanitize_html`] writes (html5ever's serializer): every attribute
//! value in double quotes, with `&`, `"` and no-break spaces escaped. The sanitizer keeps
//! `src` on `<img>` and no `srcset`, so `src` is the only address an image has.

use std::ops::Range;

/// The `src` of every `<img>` in `html`, unescaped, in order, repeats included.
pub fn image_sources(html: &str) -> Vec<String> {
    image_src_spans(html)
        .into_iter()
        .map(|span| unescape(&html[span]))
        .collect()
}

/// `html` with each `<img src>` for which `replace` gives an address replaced by it
/// (escaped); every other byte stays as it was.
pub fn rewrite_image_sources(
    html: &str,
    mut replace: impl FnMut(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    for span in image_src_spans(html) {
        if let Some(new) = replace(&unescape(&html[span.clone()])) {
            out.push_str(&html[copied..span.start]);
            out.push_str(&escape(&new));
            copied = span.end;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// Where each `<img>`'s `src` value lies in `html` (between its quotes).
fn image_src_spans(html: &str) -> Vec<Range<usize>> {
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
            if name.eq_ignore_ascii_case("src") {
                spans.push(value_start..value_start + value_len);
            }
            at = value_start + value_len + 1;
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
}
