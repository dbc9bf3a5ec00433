//! What tagging learns from, as the store keeps it: the corpus's document frequencies and
//! people's decisions. Plain data passed between the store, which reads and writes it, and
//! syndic-tag, which learns from it.

use crate::PostId;

/// Document frequencies: how many posts were counted, and in how many of them each stem (or
/// vocabulary phrase, its stems joined by single spaces) occurs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorpusStats {
    /// Posts counted.
    pub posts: u64,
    /// Stem and the number of posts it occurs in.
    pub stems: Vec<(String, u64)>,
}

/// What people decided about tags (tag names as stored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagDecisions {
    /// A person gave the post the tag (`tag add`, a label file).
    pub added: Vec<(PostId, String)>,
    /// A person took the tag from the post (`tag remove`, a label file).
    pub removed: Vec<(PostId, String)>,
    /// Posts a person reviewed (decided on, or listed in a label file): the tags they carry
    /// and no decision covers are taken as right, those they lack as rightly absent.
    pub reviewed: Vec<PostId>,
    /// Every tag the reviewed posts carry now, any origin.
    pub carried: Vec<(PostId, String)>,
}

impl TagDecisions {
    /// Explicit decisions (adds and removals).
    pub fn len(&self) -> usize {
        self.added.len() + self.removed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.reviewed.is_empty()
    }
}
