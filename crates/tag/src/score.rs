//! How much a post is about a tag, from where and how often the tag's terms occur: the
//! *literal* score, before the tag's profile and learned model (see [`crate::profile`],
//! [`crate::learn`]) add theirs.
//!
//! Each content occurrence counts by its zone (an opening paragraph or a heading more than
//! prose, a short list item or a quote less, closing boilerplate not at all) and by its
//! term's corpus weight ([`crate::corpus::term_weight`]: a term in most posts counts little,
//! a rare one more). The weighted count `tf` then saturates the way BM25's term frequency
//! does, against the post's length:
//!
//! ```text
//! content = (k1 + 1) · tf / (tf + k1 · (1 − b + b · words / avg_words))
//! score   = title (when a term is in the title) + content
//! ```
//!
//! so a second and third mention add less than the first, and the same two mentions weigh
//! more in 150 words than in 3,000. Content alone tops out at `k1 + 1`.

use crate::Zone;
use crate::verdict::{TermHits, ZONES};

/// The weights of the aboutness score. [`ScoreWeights::default`] is what the tagger uses;
/// the quality test reads the others to show how the defaults were chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreWeights {
    /// Added once when any of the tag's terms is in the title.
    pub title: f32,
    /// Per occurrence in the opening paragraph (about the first 60–100 words).
    pub lead: f32,
    /// Per occurrence in a short line standing alone.
    pub heading: f32,
    /// Per occurrence in ordinary prose.
    pub body: f32,
    /// Per occurrence in a list item of more than a dozen words.
    pub list: f32,
    /// Per occurrence in a short list item (link lists, roundups).
    pub short_item: f32,
    /// Per occurrence in quoted text.
    pub quote: f32,
    /// Per occurrence in closing boilerplate.
    pub boilerplate: f32,
    /// Saturation: how quickly repeated mentions stop adding.
    pub k1: f32,
    /// How much the post's length matters (0 = not at all, 1 = fully).
    pub b: f32,
    /// The length, in words, of a typical post.
    pub avg_words: f32,
    /// Posts shorter than this count as this long (a two-line summary is not 10× as dense).
    pub min_words: f32,
    /// What a unit of similarity to the tag's profile adds to the score...
    pub profile: f32,
    /// ...above this similarity (below it, it takes away). See [`crate::profile`].
    pub profile_center: f32,
    /// A post joins a tag's profile when its terms alone (every term weighing 1) score this
    /// much above the tag's threshold.
    pub member_margin: f32,
}

impl Default for ScoreWeights {
    fn default() -> ScoreWeights {
        ScoreWeights {
            title: 2.0,
            lead: 1.5,
            heading: 1.5,
            body: 1.0,
            list: 0.6,
            short_item: 0.3,
            quote: 0.25,
            boilerplate: 0.0,
            k1: 1.2,
            b: 0.75,
            avg_words: 400.0,
            min_words: 30.0,
            profile: crate::profile::PROFILE_WEIGHT,
            profile_center: crate::profile::PROFILE_CENTER,
            member_margin: crate::profile::MEMBER_MARGIN,
        }
    }
}

impl ScoreWeights {
    /// The weighted content count of one term's occurrences.
    fn content_tf(&self, hits: &TermHits) -> f32 {
        let z = &hits.zones;
        let long_items = z[Zone::List as usize].saturating_sub(hits.short_items);
        z[Zone::Lead as usize] as f32 * self.lead
            + z[Zone::Heading as usize] as f32 * self.heading
            + z[Zone::Body as usize] as f32 * self.body
            + long_items as f32 * self.list
            + hits.short_items as f32 * self.short_item
            + z[Zone::Quote as usize] as f32 * self.quote
            + z[Zone::Boilerplate as usize] as f32 * self.boilerplate
    }

    /// The score of a tag whose include terms occurred as `terms` say, each occurrence
    /// counting `weights` (same order) times its zone's weight, in a post of `words` content
    /// words, and each term's share of it (same order).
    pub(crate) fn score(
        &self,
        terms: &[&TermHits],
        weights: &[f32],
        words: usize,
    ) -> (f32, Vec<f32>) {
        let tfs: Vec<f32> = terms
            .iter()
            .zip(weights.iter().chain(std::iter::repeat(&1.0)))
            .map(|(t, w)| self.content_tf(t) * w)
            .collect();
        let tf: f32 = tfs.iter().sum();
        let length = (words as f32).max(self.min_words) / self.avg_words.max(1.0);
        let norm = self.k1 * (1.0 - self.b + self.b * length);
        let content = if tf > 0.0 {
            (self.k1 + 1.0) * tf / (tf + norm)
        } else {
            0.0
        };
        let in_title = terms
            .iter()
            .filter(|t| t.zones[Zone::Title as usize] > 0)
            .count();
        // Another form of a term in the title (see `crate::family`) counts its strength.
        let title = terms
            .iter()
            .filter(|t| t.zones[Zone::Title as usize] > 0)
            .map(|t| t.posting.strength())
            .fold(0.0f32, f32::max)
            * self.title;
        let shares = terms
            .iter()
            .zip(&tfs)
            .map(|(t, &term_tf)| {
                let from_content = if tf > 0.0 {
                    content * term_tf / tf
                } else {
                    0.0
                };
                let from_title = if t.zones[Zone::Title as usize] > 0 {
                    title / in_title as f32
                } else {
                    0.0
                };
                from_content + from_title
            })
            .collect();
        (title + content, shares)
    }
}

/// The zones of a term's occurrences with their counts, most telling first.
pub(crate) fn zone_counts(hits: &TermHits) -> Vec<(Zone, u32)> {
    const ORDER: [Zone; ZONES] = [
        Zone::Title,
        Zone::Lead,
        Zone::Heading,
        Zone::Body,
        Zone::List,
        Zone::Quote,
        Zone::Boilerplate,
    ];
    ORDER
        .iter()
        .filter(|z| hits.zones[**z as usize] > 0)
        .map(|z| (*z, hits.zones[*z as usize]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{Field, Posting};

    fn hits(zones: &[(Zone, u32)]) -> TermHits {
        let mut counts = [0; ZONES];
        for (zone, n) in zones {
            counts[*zone as usize] = *n;
        }
        TermHits {
            posting: Posting {
                rule: 0,
                term: 0,
                exclude: false,
                id: 0,
                fields: crate::FieldSet::BOTH,
                variant: false,
            },
            zones: counts,
            short_items: 0,
            first: (Field::Content, 0, 0),
        }
    }

    fn score(zones: &[(Zone, u32)], words: usize) -> f32 {
        ScoreWeights::default()
            .score(&[&hits(zones)], &[1.0], words)
            .0
    }

    #[test]
    fn twice_in_a_short_post_beats_twice_in_a_long_one() {
        let short = score(&[(Zone::Body, 2)], 150);
        let long = score(&[(Zone::Body, 2)], 3_000);
        assert!(short > 1.0 && long < 0.5, "{short} {long}");
    }

    #[test]
    fn repeats_add_less_and_less() {
        let one = score(&[(Zone::Body, 1)], 400);
        let two = score(&[(Zone::Body, 2)], 400);
        let three = score(&[(Zone::Body, 3)], 400);
        assert!(two - one > three - two && three - two > 0.0);
    }

    #[test]
    fn the_title_counts_and_boilerplate_does_not() {
        assert!(score(&[(Zone::Title, 1)], 400) >= 2.0);
        assert_eq!(score(&[(Zone::Boilerplate, 5)], 400), 0.0);
        assert!(score(&[(Zone::Lead, 1)], 400) > score(&[(Zone::Body, 1)], 400));
        assert!(score(&[(Zone::Body, 1)], 400) > score(&[(Zone::Quote, 1)], 400));
    }

    #[test]
    fn shares_add_up_to_the_score() {
        let a = hits(&[(Zone::Title, 1), (Zone::Body, 2)]);
        let b = hits(&[(Zone::List, 1)]);
        let (total, shares) = ScoreWeights::default().score(&[&a, &b], &[1.0, 1.0], 300);
        assert!((shares.iter().sum::<f32>() - total).abs() < 1e-4);
        assert!(shares[0] > shares[1]);
    }

    #[test]
    fn a_common_term_counts_less_than_a_rare_one() {
        let mention = hits(&[(Zone::Body, 2)]);
        let weights = ScoreWeights::default();
        let rare = weights.score(&[&mention], &[1.5], 300).0;
        let common = weights.score(&[&mention], &[0.2], 300).0;
        assert!(rare > 1.5 && common < 0.8, "{rare} {common}");
    }
}
