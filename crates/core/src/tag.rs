use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Primary key of a stored tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TagId(pub i64);

/// A tag as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub id: TagId,
    pub name: String,
    pub slug: String,
    pub post_count: i64,
    /// The vocabulary's description of the tag; empty when it has none.
    pub description: String,
}

/// A tag named on a post: enough to print and link it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TagRef {
    pub name: String,
    pub slug: String,
}

/// Why a post carries a tag. Every post-tag link records one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TagOrigin {
    /// A vocabulary term matched the post's title or text.
    Term,
    /// The post's source gives this tag to all its posts.
    Source,
    /// One of the feed's own categories named the tag.
    Category,
    /// Somebody decided it by hand; automatic retagging never touches it.
    Manual,
}

impl TagOrigin {
    pub const fn as_str(self) -> &'static str {
        match self {
            TagOrigin::Term => "term",
            TagOrigin::Source => "source",
            TagOrigin::Category => "category",
            TagOrigin::Manual => "manual",
        }
    }

    /// Origins that automatic tagging owns and may replace on retag.
    pub const fn is_automatic(self) -> bool {
        !matches!(self, TagOrigin::Manual)
    }
}

impl fmt::Display for TagOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored origin string that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTagOrigin(pub String);

impl fmt::Display for UnknownTagOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown tag origin {:?}", self.0)
    }
}

impl std::error::Error for UnknownTagOrigin {}

impl FromStr for TagOrigin {
    type Err = UnknownTagOrigin;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "term" => Ok(TagOrigin::Term),
            "source" => Ok(TagOrigin::Source),
            "category" => Ok(TagOrigin::Category),
            "manual" => Ok(TagOrigin::Manual),
            other => Err(UnknownTagOrigin(other.to_owned())),
        }
    }
}

/// The decision that a post carries a tag, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TagAssignment {
    /// The tag's name as configured (the store resolves it to a tag row).
    pub tag: String,
    pub origin: TagOrigin,
    /// What matched: the term and field, the source URL, the category text.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_round_trips_through_its_stored_form() {
        for origin in [
            TagOrigin::Term,
            TagOrigin::Source,
            TagOrigin::Category,
            TagOrigin::Manual,
        ] {
            assert_eq!(origin.as_str().parse::<TagOrigin>(), Ok(origin));
        }
        assert!("bogus".parse::<TagOrigin>().is_err());
    }
}
