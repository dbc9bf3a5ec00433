//! Byte-level repairs of XML documents.

use std::collections::HashMap;

use crate::sniff;

/// Windows-1252 characters for the bytes 0x80–0x9F (the rest are the Latin-1 code points).
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
];

/// A document that is not valid UTF-8 although it declares no other encoding (or declares
/// UTF-8), as UTF-8 text: valid UTF-8 sequences are kept, every other byte is read as
/// Windows-1252 (a superset of Latin-1, the usual culprit).
pub(crate) fn transcode_undeclared(bytes: &[u8], json: bool) -> Option<String> {
    if std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    if !json && let Some(encoding) = declared_encoding(bytes) {
        let encoding = encoding.to_ascii_lowercase();
        if encoding != "utf-8" && encoding != "utf8" {
            return None;
        }
    }
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            let c = match byte {
                0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(byte - 0x80)],
                _ => char::from(byte),
            };
            text.push(c);
        }
    }
    Some(text)
}

/// The `encoding` of the XML declaration, if any.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let rest = bytes.strip_prefix(b"<?xml")?;
    let end = rest.windows(2).position(|w| w == b"?>")?;
    sniff::attribute(&String::from_utf8_lossy(&rest[..end]), "encoding")
}

/// The document with its `<rss>` start tag saying `version="2.0"`.
pub(crate) fn set_rss_version(bytes: &[u8]) -> Option<Vec<u8>> {
    let start = find(bytes, b"<rss", 0).filter(|&at| {
        bytes
            .get(at + 4)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
    })?;
    let end = start + bytes[start..].iter().position(|b| *b == b'>')?;
    let head = std::str::from_utf8(&bytes[start + 4..end]).ok()?;
    let mut fixed = Vec::with_capacity(bytes.len() + 16);
    fixed.extend_from_slice(&bytes[..start]);
    fixed.extend_from_slice(b"<rss version=\"2.0\"");
    match sniff::attribute_span(head, "version") {
        Some(span) => {
            fixed.extend_from_slice(head[..span.start].trim_end().as_bytes());
            fixed.extend_from_slice(&head.as_bytes()[span.end..]);
        }
        None => fixed.extend_from_slice(head.as_bytes()),
    }
    fixed.extend_from_slice(&bytes[end..]);
    Some(fixed)
}

/// A start tag that ends right before byte `end`: its start and qualified name.
fn start_tag_before(bytes: &[u8], end: usize) -> Option<(usize, String)> {
    if end == 0 || bytes.get(end - 1) != Some(&b'>') {
        return None;
    }
    let start = bytes[..end].iter().rposition(|b| *b == b'<')?;
    let tag = &bytes[start + 1..end];
    let name_len = tag
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
        .unwrap_or(tag.len());
    let name = std::str::from_utf8(&tag[..name_len]).ok()?;
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.'));
    valid.then(|| (start, name.to_owned()))
}

/// The document without the element whose start tag ends at byte `position` (as feed-rs
/// reports it), and that element's name.
pub(crate) fn drop_element(bytes: &[u8], position: usize) -> Option<(Vec<u8>, String)> {
    let (start, name) = start_tag_before(bytes, position)?;
    let end = if bytes[..position].ends_with(b"/>") {
        position
    } else {
        let close = format!("</{name}");
        let mut from = position;
        loop {
            let at = find(bytes, close.as_bytes(), from)?;
            let after = at + close.len();
            let gt = after
                + bytes[after..]
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())?;
            if bytes[gt] == b'>' {
                break gt + 1;
            }
            from = after;
        }
    };
    let mut fixed = Vec::with_capacity(bytes.len());
    fixed.extend_from_slice(&bytes[..start]);
    fixed.extend_from_slice(&bytes[end..]);
    Some((fixed, name))
}

/// The document without the `type` attribute of the start tag that ends at `position`.
pub(crate) fn drop_type_attribute(bytes: &[u8], position: usize) -> Option<(Vec<u8>, String)> {
    let (start, name) = start_tag_before(bytes, position)?;
    let head = std::str::from_utf8(&bytes[start..position]).ok()?;
    let span = sniff::attribute_span(head, "type")?;
    let mut fixed = Vec::with_capacity(bytes.len());
    fixed.extend_from_slice(&bytes[..start + span.start]);
    fixed.extend_from_slice(&bytes[start + span.end..]);
    Some((fixed, name))
}

/// The document with every `&` that does not start an XML entity or a valid character
/// reference fixed, outside CDATA sections and comments: an HTML entity (`&nbsp;`) becomes
/// a character reference to what it stands for, anything else `&amp;`, and references to
/// characters XML forbids are removed. `None` when there is nothing to fix.
pub(crate) fn escape_stray_ampersands(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut cache: HashMap<String, Option<String>> = HashMap::new();
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let verbatim = [(&b"<![CDATA["[..], &b"]]>"[..]), (b"<!--", b"-->")]
            .into_iter()
            .find(|(open, _)| rest.starts_with(open));
        if let Some((open, close)) = verbatim {
            let end = find(rest, close, open.len()).map_or(rest.len(), |at| at + close.len());
            out.extend_from_slice(&rest[..end]);
            i += end;
            continue;
        }
        if rest[0] != b'&' {
            out.push(rest[0]);
            i += 1;
            continue;
        }
        let reference = rest
            .iter()
            .take(40)
            .position(|b| *b == b';')
            .and_then(|semi| {
                let body = std::str::from_utf8(&rest[1..semi]).ok()?;
                let ok = !body.is_empty()
                    && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#');
                ok.then_some((body, semi))
            });
        match reference {
            Some((body, semi)) => match fix_reference(body, &mut cache) {
                Fix::Keep => {
                    out.extend_from_slice(&rest[..=semi]);
                    i += semi + 1;
                }
                Fix::Replace(text) => {
                    changed = true;
                    out.extend_from_slice(text.as_bytes());
                    i += semi + 1;
                }
                Fix::Literal => {
                    changed = true;
                    out.extend_from_slice(b"&amp;");
                    i += 1;
                }
            },
            None => {
                changed = true;
                out.extend_from_slice(b"&amp;");
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

enum Fix {
    Keep,
    Replace(String),
    Literal,
}

/// What to do with `&body;`.
fn fix_reference(body: &str, cache: &mut HashMap<String, Option<String>>) -> Fix {
    if matches!(body, "amp" | "lt" | "gt" | "quot" | "apos") {
        return Fix::Keep;
    }
    if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse::<u32>().ok(),
        };
        return match code.and_then(char::from_u32) {
            Some(c) if is_xml_char(c) => Fix::Keep,
            Some(_) => Fix::Replace(String::new()),
            None if code.is_some() => Fix::Replace(String::new()),
            None => Fix::Literal,
        };
    }
    let decoded = cache
        .entry(body.to_owned())
        .or_insert_with(|| html_entity(body))
        .clone();
    match decoded {
        Some(text) => Fix::Replace(
            text.chars()
                .map(|c| format!("&#{};", u32::from(c)))
                .collect(),
        ),
        None => Fix::Literal,
    }
}

/// What the HTML named entity `&name;` stands for, if HTML knows it.
fn html_entity(name: &str) -> Option<String> {
    let source = format!("&{name};");
    let fragment = scraper::Html::parse_fragment(&source);
    let text: String = fragment.root_element().text().collect();
    (text != source && !text.is_empty()).then_some(text)
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

#[cfg(test)]
mod tests;
