//! What the matchers found for each term while reading one post: occurrences per zone and
//! where the first one is.

use crate::{FieldSet, Zone};

/// The part of a post a term was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Title,
    Content,
}

impl Field {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Content => "content",
        }
    }
}

/// One compiled term: which rule it belongs to, which of the rule's terms (or exclude terms) it
/// is, whether it vetoes the tag rather than giving it, and its number in the whole vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Posting {
    pub(crate) rule: u32,
    pub(crate) term: u32,
    pub(crate) exclude: bool,
    pub(crate) id: u32,
    /// Where the rule reads: occurrences elsewhere are not recorded.
    pub(crate) fields: FieldSet,
    /// Found as another form of the term (see [`crate::family`]), not its own stem: kept
    /// apart from the term's own occurrences, and counting less.
    pub(crate) variant: bool,
}

impl Posting {
    /// What an occurrence counts for this match: 1, or [`FAMILY_WEIGHT`] for another form.
    ///
    /// [`FAMILY_WEIGHT`]: crate::family::FAMILY_WEIGHT
    pub(crate) fn strength(&self) -> f32 {
        if self.variant {
            crate::family::FAMILY_WEIGHT
        } else {
            1.0
        }
    }

    /// Its slot in [`Hits`]: a term's own occurrences and its other forms' are kept apart.
    fn slot(&self) -> usize {
        self.id as usize * 2 + usize::from(self.variant)
    }
}

pub(crate) const ZONES: usize = 7;

/// The occurrences of one term in one post.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TermHits {
    pub(crate) posting: Posting,
    /// Occurrences by zone (indexed by `Zone as usize`).
    pub(crate) zones: [u32; ZONES],
    /// Content occurrences in short list items (a subset of the `List` count).
    pub(crate) short_items: u32,
    /// The first occurrence: field and byte range.
    pub(crate) first: (Field, usize, usize),
}

/// Per-term findings for one post, filled by every matcher and read once at the end. Reused
/// from post to post: clearing costs the number of terms found, not the vocabulary's size.
#[derive(Debug, Default)]
pub(crate) struct Hits {
    /// Term number to its index in `found` plus one; 0 for not found.
    slots: Vec<u32>,
    pub(crate) found: Vec<TermHits>,
}

impl Hits {
    /// Forgets the last post; `terms` is the vocabulary's term count.
    pub(crate) fn reset(&mut self, terms: usize) {
        for hit in &self.found {
            if let Some(slot) = self.slots.get_mut(hit.posting.slot()) {
                *slot = 0;
            }
        }
        self.found.clear();
        if self.slots.len() != 2 * terms {
            self.slots.clear();
            self.slots.resize(2 * terms, 0);
        }
    }

    /// Records one occurrence of `posting` in `zone` at `start..end` of `field`.
    pub(crate) fn record(
        &mut self,
        posting: Posting,
        field: Field,
        zone: Zone,
        short_item: bool,
        (start, end): (usize, usize),
    ) {
        let allowed = match field {
            Field::Title => posting.fields.title,
            Field::Content => posting.fields.content,
        };
        let Some(slot) = self.slots.get_mut(posting.slot()).filter(|_| allowed) else {
            return;
        };
        if *slot == 0 {
            self.found.push(TermHits {
                posting,
                zones: [0; ZONES],
                short_items: 0,
                first: (field, start, end),
            });
            *slot = self.found.len() as u32;
        }
        let hit = &mut self.found[*slot as usize - 1];
        hit.zones[zone as usize] += 1;
        if short_item {
            hit.short_items += 1;
        }
        // Matchers may report out of order (regex before words); keep the earliest.
        let earlier = match (field, hit.first.0) {
            (Field::Title, Field::Content) => true,
            (a, b) if a == b => start < hit.first.1,
            _ => false,
        };
        if earlier {
            hit.first = (field, start, end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSTING: Posting = Posting {
        rule: 0,
        term: 1,
        exclude: false,
        id: 2,
        fields: crate::FieldSet::BOTH,
        variant: false,
    };

    #[test]
    fn occurrences_add_up_by_zone_and_keep_the_first() {
        let mut hits = Hits::default();
        hits.reset(3);
        hits.record(POSTING, Field::Content, Zone::Body, false, (50, 53));
        hits.record(POSTING, Field::Content, Zone::List, true, (10, 13));
        hits.record(POSTING, Field::Title, Zone::Title, false, (0, 3));
        assert_eq!(hits.found.len(), 1);
        let hit = hits.found[0];
        assert_eq!(hit.zones[Zone::Body as usize], 1);
        assert_eq!(hit.zones[Zone::List as usize], 1);
        assert_eq!(hit.short_items, 1);
        assert_eq!(hit.first, (Field::Title, 0, 3));
    }

    #[test]
    fn reset_forgets_the_last_post() {
        let mut hits = Hits::default();
        hits.reset(3);
        hits.record(POSTING, Field::Content, Zone::Body, false, (0, 1));
        hits.reset(3);
        assert!(hits.found.is_empty());
        hits.record(POSTING, Field::Content, Zone::Lead, false, (0, 1));
        assert_eq!(hits.found[0].zones[Zone::Body as usize], 0);
    }
}
