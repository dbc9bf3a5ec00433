//! An item's `attachments`: url, `mime_type`, `title`, `size_in_bytes`,
//! `duration_in_seconds`. At most [`MAX_ATTACHMENTS`] are read (each address once);
//! the rest are skipped with one warning, so a hostile list costs no more than a short one.

use serde_json::{Map, Value};

use super::{Reader, type_name};
use crate::model::Enclosure;
use crate::read::media::MAX_ATTACHMENTS;
use crate::text::collapse_whitespace;

impl Reader<'_> {
    pub(super) fn attachments(&mut self, item: &Map<String, Value>) -> Vec<Enclosure> {
        let mut enclosures: Vec<Enclosure> = Vec::new();
        let list = match item.get("attachments") {
            Some(Value::Array(list)) => list,
            None | Some(Value::Null) => return enclosures,
            Some(other) => {
                self.warn(format!(
                    "item field `attachments` is {}, not an array; ignored",
                    type_name(other)
                ));
                return enclosures;
            }
        };
        for attachment in list {
            if enclosures.len() == MAX_ATTACHMENTS {
                self.warn(format!(
                    "an item has more than {MAX_ATTACHMENTS} attachments; the rest were skipped"
                ));
                break;
            }
            let Value::Object(attachment) = attachment else {
                self.warn(format!(
                    "an attachment is {}, not an object; ignored",
                    type_name(attachment)
                ));
                continue;
            };
            if let Some(enclosure) = self.attachment(attachment)
                && !enclosures.iter().any(|e| e.url == enclosure.url)
            {
                enclosures.push(enclosure);
            }
        }
        enclosures
    }

    fn attachment(&mut self, attachment: &Map<String, Value>) -> Option<Enclosure> {
        let url = self.url_field(attachment, "url", "attachment")?;
        let mime_type = self
            .trimmed_field(attachment, "mime_type", "attachment")
            .unwrap_or_default();
        let title = self
            .string(attachment, "title", "attachment")
            .map(collapse_whitespace)
            .filter(|t| !t.is_empty());
        let length = whole_number(attachment.get("size_in_bytes")).unwrap_or(0);
        let duration = whole_number(attachment.get("duration_in_seconds"))
            .and_then(|seconds| u32::try_from(seconds).ok());
        Some(Enclosure {
            url,
            mime_type,
            length,
            title,
            thumbnail: None,
            duration,
        })
    }
}

/// A non-negative number, or a string holding one, rounded down; `None` otherwise.
fn whole_number(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<u64>().ok().or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    .map(|f| f as u64)
            })
        }
        _ => None,
    }
}
