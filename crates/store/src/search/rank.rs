//! Which candidates of a search match, and in what order: a pure function over the titles
//! and texts the store read for them.
//!
//! The engines' indexes say which posts hold every word of a search (SQLite's FTS5 table
//! keeps no positions, PostgreSQL's documents are stripped: see migration 19); this module
//! checks the rest over at most [`MAX_CANDIDATES`] of them: a phrase's words must stand
//! side by side in the title or the text, and the matches are ranked by a BM25-like score
//! in which a title occurrence weighs [`TITLE_WEIGHT`] times one in the text. Words are
//! matched as the snippet marks them (folded, stemmed: [`super::snippet`]).

use rust_stemmers::{Algorithm, Stemmer};

use super::snippet;

/// The most candidates a search reads: the newest stored posts that hold every word, at
/// most this many. A search for a word most posts hold costs this much however large the
/// store is; its total is then shown as "at least" (`capped`). Reading and ranking 2,000
/// posts' texts takes a few tens of milliseconds.
pub const MAX_CANDIDATES: usize = 2_000;

/// A title occurrence counts this many times an occurrence in the text.
pub const TITLE_WEIGHT: f64 = 5.0;

/// BM25's term-frequency saturation and length normalisation.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// A post the index found holding every word of a search.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    pub(crate) id: i64,
    /// Seconds since the epoch: newer wins a tie.
    pub(crate) published_at: i64,
    pub(crate) title: String,
    pub(crate) text: String,
}

/// A candidate that matches, with its score (higher is better).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ranked {
    pub(crate) id: i64,
    pub(crate) published_at: i64,
    pub(crate) rank: f64,
}

/// What one candidate holds of each phrase.
struct Counted {
    /// Weighted occurrences of each phrase (title × [`TITLE_WEIGHT`] + text).
    frequencies: Vec<f64>,
    /// Weighted length in words, the same way.
    length: f64,
}

/// The candidates holding every phrase of `phrases` (each its words as typed), best first;
/// ties go to the newer post, then the higher id. A one-word phrase is taken as the index
/// found it (its tokenizer decides, as before); a longer one must occur in the title or
/// the text as a run of its words.
pub(crate) fn rank(candidates: &[Candidate], phrases: &[Vec<String>]) -> Vec<Ranked> {
    let stemmer = Stemmer::create(Algorithm::English);
    let keys = snippet::phrase_keys(phrases, &stemmer);
    let mut seen = snippet::Keys::new();
    let counted: Vec<(&Candidate, Counted)> = candidates
        .iter()
        .map(|candidate| (candidate, count(candidate, &keys, &stemmer, &mut seen)))
        .filter(|(_, counted)| {
            keys.iter()
                .zip(&counted.frequencies)
                .all(|(key, frequency)| key.len() < 2 || *frequency > 0.0)
        })
        .collect();
    let average = counted.iter().map(|(_, c)| c.length).sum::<f64>() / counted.len().max(1) as f64;
    let mut ranked: Vec<Ranked> = counted
        .iter()
        .map(|(candidate, counted)| Ranked {
            id: candidate.id,
            published_at: candidate.published_at,
            rank: score(counted, average),
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.rank
            .total_cmp(&a.rank)
            .then(b.published_at.cmp(&a.published_at))
            .then(b.id.cmp(&a.id))
    });
    ranked
}

fn count(
    candidate: &Candidate,
    keys: &[Vec<String>],
    stemmer: &Stemmer,
    seen: &mut snippet::Keys,
) -> Counted {
    let (in_title, title_words) = snippet::occurrences(&candidate.title, keys, stemmer, seen);
    let (in_text, text_words) = snippet::occurrences(&candidate.text, keys, stemmer, seen);
    Counted {
        frequencies: in_title
            .iter()
            .zip(&in_text)
            .map(|(title, text)| TITLE_WEIGHT * f64::from(*title) + f64::from(*text))
            .collect(),
        length: TITLE_WEIGHT * title_words as f64 + text_words as f64,
    }
}

/// BM25 without the inverse document frequency (every candidate holds every word, so it
/// would be the same for all): saturating in each phrase's frequency, lower for longer
/// posts.
fn score(counted: &Counted, average: f64) -> f64 {
    let norm = K1 * (1.0 - B + B * counted.length / average.max(1.0));
    counted
        .frequencies
        .iter()
        .map(|frequency| frequency * (K1 + 1.0) / (frequency + norm))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: i64, title: &str, text: &str) -> Candidate {
        Candidate {
            id,
            published_at: 1_000 + id,
            title: title.into(),
            text: text.into(),
        }
    }

    fn phrases(words: &[&[&str]]) -> Vec<Vec<String>> {
        words
            .iter()
            .map(|phrase| phrase.iter().map(|w| w.to_string()).collect())
            .collect()
    }

    fn ids(ranked: &[Ranked]) -> Vec<i64> {
        ranked.iter().map(|r| r.id).collect()
    }

    #[test]
    fn a_phrase_must_stand_as_a_run_of_its_words_in_title_or_text() {
        let candidates = [
            candidate(1, "Tide pools", "Nothing here."),
            candidate(2, "Notes", "We walked to the tide pools at dawn."),
            candidate(3, "Notes", "The pools filled with the tide."),
            candidate(4, "Pools of the tide", "Tides and pools."),
            // Stems match, and punctuation between the words does not part them (as in
            // FTS5's phrases).
            candidate(5, "Notes", "Spring tides. Pools everywhere."),
        ];
        let found = rank(&candidates, &phrases(&[&["tide", "pools"]]));
        let mut found = ids(&found);
        found.sort_unstable();
        assert_eq!(found, [1, 2, 5]);
    }

    #[test]
    fn one_word_phrases_are_taken_as_the_index_found_them() {
        // The index's tokenizer decides one-word matches; Rust only ranks them.
        let candidates = [candidate(1, "Kelp", "kelp"), candidate(2, "Other", "none")];
        assert_eq!(ids(&rank(&candidates, &phrases(&[&["kelp"]]))), [1, 2]);
    }

    #[test]
    fn a_title_match_outranks_the_same_word_in_the_text() {
        let text = "A long walk along the shore, past rocks and weed and birds.";
        let candidates = [
            candidate(1, "Shore notes", &format!("{text} Clusters of kelp.")),
            candidate(2, "Clusters everywhere", text),
            candidate(3, "Another day", &format!("{text} A cluster.")),
        ];
        let ranked = rank(&candidates, &phrases(&[&["cluster"]]));
        assert_eq!(ranked[0].id, 2);
        assert!(ranked.windows(2).all(|pair| pair[0].rank >= pair[1].rank));
    }

    #[test]
    fn more_occurrences_rank_higher_and_ties_go_to_the_newer_post() {
        let candidates = [
            candidate(1, "a", "kelp once among many other words here"),
            candidate(2, "b", "kelp kelp kelp among many other words"),
            candidate(3, "c", "kelp once among many other words here"),
        ];
        assert_eq!(ids(&rank(&candidates, &phrases(&[&["kelp"]]))), [2, 3, 1]);
    }

    #[test]
    fn no_candidates_rank_to_nothing() {
        assert!(rank(&[], &phrases(&[&["kelp"]])).is_empty());
    }
}
