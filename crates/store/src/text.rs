//! Text from feeds made fit for every engine before it is written.
//!
//! PostgreSQL refuses a NUL character anywhere in a text value (and a Rust string cannot
//! hold an unpaired surrogate, the other thing it refuses). A feed that smuggles NULs into
//! a title must not fail its fetch, so the store drops them, on both engines alike: the
//! same feed stores the same text on SQLite and PostgreSQL, and a store can move between
//! them.

use std::borrow::Cow;

/// `text` without NUL characters; borrowed (no copy) when it has none.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    if text.as_bytes().contains(&0) {
        Cow::Owned(text.replace('\0', ""))
    } else {
        Cow::Borrowed(text)
    }
}

/// [`clean`] for an optional value.
pub(crate) fn clean_opt(text: Option<&str>) -> Option<Cow<'_, str>> {
    text.map(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_dropped_and_clean_text_is_not_copied() {
        assert_eq!(clean("a\0b\0"), "ab");
        assert!(matches!(clean("plain café"), Cow::Borrowed("plain café")));
        assert_eq!(clean_opt(Some("\0")).as_deref(), Some(""));
        assert_eq!(clean_opt(None), None);
    }
}
