//! Repairs for documents feed-rs refuses although a reader can tell what they mean.
//!
//! feed-rs is strict in places where real feeds are sloppy: an HTML entity such as
//! `&nbsp;` or a bare `&` in XML, a Latin-1 document without an encoding declaration, an
//! `<rss>` root without a `version`, an empty `<media:description/>`, a JSON Feed whose
//! version says `http://` or whose ids are numbers. Each of those fails the whole document.
//!
//! When feed-rs fails, [`repair`] looks at the error and the bytes and, if it recognises a
//! fixable case, returns corrected bytes and a warning; the caller parses again. Documents
//! that parse the first time are never touched, and a broken (truncated, unbalanced)
//! document stays an error: nothing here guesses at missing markup.

mod json;
mod xml;

use feed_rs::parser::{ParseErrorKind, ParseFeedError};

use crate::sniff::{self, Start};

/// Corrected bytes and what was corrected, for [`Parsed::warnings`](crate::Parsed).
pub(crate) struct Repaired {
    pub(crate) bytes: Vec<u8>,
    pub(crate) warning: String,
}

/// A fix for the failure `error` of parsing `bytes`, if there is one.
pub(crate) fn repair(bytes: &[u8], error: &ParseFeedError) -> Option<Repaired> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        // UTF-16: byte-level fixes would corrupt it.
        return None;
    }
    let json = sniff::start(bytes) == Start::Json;
    if let Some(text) = xml::transcode_undeclared(bytes, json) {
        return Some(Repaired {
            bytes: text.into_bytes(),
            warning: "the document is not valid UTF-8 and declares no other encoding; the \
                      bytes that are not UTF-8 were read as Windows-1252"
                .to_owned(),
        });
    }
    match error {
        ParseFeedError::JsonSerde(_) | ParseFeedError::JsonUnsupportedVersion(_) if json => {
            json::normalize(bytes).map(|bytes| Repaired {
                bytes,
                warning: "the JSON Feed has a non-standard version or fields of the wrong \
                          type; they were corrected or ignored"
                    .to_owned(),
            })
        }
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => {
            let Start::Element { name, version } = sniff::start(bytes) else {
                return None;
            };
            if name != "rss" {
                return None;
            }
            let fixed = xml::set_rss_version(bytes)?;
            let said = match version {
                Some(version) => format!("version {version:?}"),
                None => "no version".to_owned(),
            };
            Some(Repaired {
                bytes: fixed,
                warning: format!("the <rss> root has {said}; it was read as RSS 2.0"),
            })
        }
        ParseFeedError::ParseError(
            ParseErrorKind::MissingContent { position, .. }
            | ParseErrorKind::UnknownMimeType { position, .. },
        ) => {
            let position = usize::try_from(*position).ok()?;
            let unknown_type = matches!(
                error,
                ParseFeedError::ParseError(ParseErrorKind::UnknownMimeType { .. })
            );
            let (fixed, name) = if unknown_type {
                xml::drop_type_attribute(bytes, position)?
            } else {
                xml::drop_element(bytes, position)?
            };
            let warning = if unknown_type {
                format!("<{name}> elements with an unknown type attribute were read as text")
            } else {
                format!("empty <{name}> elements that must have content were ignored")
            };
            Some(Repaired {
                bytes: fixed,
                warning,
            })
        }
        ParseFeedError::XmlReader(_) => xml::escape_stray_ampersands(bytes).map(|bytes| Repaired {
            bytes,
            warning: "the XML uses HTML entities (such as &nbsp;) or bare '&'; they were read \
                      as the characters they stand for, or as a literal '&'"
                .to_owned(),
        }),
        _ => None,
    }
}
