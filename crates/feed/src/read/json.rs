//! JSON Feed 1.0 / 1.1 → [`Document`].
//!
//! STUB: another change fills this in.

use super::ReadOptions;
use crate::FeedError;
use crate::model::Document;

/// Reads a JSON Feed document.
pub(crate) fn read_json(bytes: &[u8], options: &ReadOptions) -> Result<Document, FeedError> {
    let _ = (bytes, options);
    Err(FeedError::NotAFeed {
        reason: "JSON Feed documents are not read yet".to_owned(),
    })
}
