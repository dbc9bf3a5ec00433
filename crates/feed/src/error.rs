//! Why a document yielded no feed at all.

/// The bytes hold no readable feed. Everything short of that is a warning in
/// [`Parsed::warnings`](crate::Parsed), not an error.
#[derive(thiserror::Error, Debug)]
pub enum FeedError {
    /// No bytes, or only whitespace / a byte-order mark.
    #[error(
        "the document is empty (no bytes, or only whitespace); the server answered without a feed"
    )]
    Empty,

    /// The document is something else: an HTML page, plain text, an unknown XML root, …
    #[error("not a feed: {reason}")]
    NotAFeed {
        /// What the document is instead and what to do about it.
        reason: String,
    },

    /// It looks like a feed, but the XML or JSON is broken (truncated, not well-formed).
    /// The document ends before its root element closes (a cut-off download, a server
    /// that died mid-response). Ingest refuses it so that a half-read post never replaces a
    /// stored one; the next fetch usually gets the whole document.
    #[error(
        "the feed ends early (truncated after {entries} entries), so no posts were stored; \
         the stored posts stay, and the next fetch will try again"
    )]
    Truncated {
        /// How many entries could be read before the end.
        entries: usize,
    },

    #[error(
        "the {syntax} feed is broken (truncated or not well-formed: {detail}), so no posts \
         were read; the publisher has to fix it"
    )]
    Malformed {
        /// `"XML"` or `"JSON"`.
        syntax: &'static str,
        /// What the reader found wrong.
        detail: String,
    },

    /// The reader panicked on this document (a bug in syndic); caught so that one bad feed
    /// cannot take the process down.
    #[error(
        "the feed parser crashed on this document ({detail}); this is a parser bug, the feed \
         cannot be read until it changes"
    )]
    ParserCrashed {
        /// The panic message, when it was a string.
        detail: String,
    },
}
