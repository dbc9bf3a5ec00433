//! Substring-mode terms of the whole vocabulary, compiled into one Aho-Corasick automaton.
//!
//! Both sides are Unicode-lowercased (`str::to_lowercase`) and compared as raw text, which is
//! exactly what the site we replace did: `map` is found in *roadmap*. The automaton reports
//! overlapping matches, so every term present is seen in a single pass over the field.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::verdict::{Field, Hits, Posting};
use crate::zones::{Span, zone_at};
use crate::{TagError, Zone};

/// Collects substring terms; one pattern per distinct lowercased term.
#[derive(Debug, Default)]
pub(crate) struct SubstringIndexBuilder {
    patterns: Vec<String>,
    pattern_ids: HashMap<String, usize>,
    postings: Vec<Vec<Posting>>,
}

impl SubstringIndexBuilder {
    /// Adds one substring-mode term of tag `tag`.
    pub(crate) fn add(&mut self, tag: &str, term: &str, posting: Posting) -> Result<(), TagError> {
        if term.trim().is_empty() {
            return Err(TagError::EmptyTerm {
                tag: tag.to_owned(),
            });
        }
        let pattern = term.to_lowercase();
        let id = match self.pattern_ids.get(&pattern) {
            Some(&id) => id,
            None => {
                self.patterns.push(pattern.clone());
                self.postings.push(Vec::new());
                self.pattern_ids.insert(pattern, self.patterns.len() - 1);
                self.patterns.len() - 1
            }
        };
        self.postings[id].push(posting);
        Ok(())
    }

    /// The compiled index, or `None` when no rule uses substring matching.
    pub(crate) fn build(self) -> Result<Option<SubstringIndex>, TagError> {
        if self.patterns.is_empty() {
            return Ok(None);
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&self.patterns)?;
        Ok(Some(SubstringIndex {
            automaton,
            postings: self.postings,
        }))
    }
}

#[derive(Debug)]
pub(crate) struct SubstringIndex {
    automaton: AhoCorasick,
    /// Who each pattern concerns, by pattern id.
    postings: Vec<Vec<Posting>>,
}

impl SubstringIndex {
    /// Records every occurrence of every term in one field of a post. `spans` zone the
    /// content (unused for the title); `lower` is scratch space.
    pub(crate) fn scan(
        &self,
        field_text: &str,
        field: Field,
        spans: &[Span],
        lower: &mut Lowered,
        hits: &mut Hits,
    ) {
        lower.set(field_text);
        for found in self.automaton.find_overlapping_iter(&lower.text) {
            let (start, end) = (lower.original(found.start()), lower.original(found.end()));
            let (zone, short) = match field {
                Field::Title => (Zone::Title, false),
                Field::Content => zone_at(spans, start),
            };
            for &posting in &self.postings[found.pattern().as_usize()] {
                hits.record(posting, field, zone, short, (start, end));
            }
        }
    }
}

/// A text Unicode-lowercased, with a way back to byte offsets of the original (lowercasing
/// can change a character's length).
#[derive(Debug, Default)]
pub(crate) struct Lowered {
    pub(crate) text: String,
    /// Original offset of each byte of `text`, when they differ.
    map: Vec<u32>,
}

impl Lowered {
    pub(crate) fn set(&mut self, original: &str) {
        self.text.clear();
        self.map.clear();
        if original.is_ascii() {
            self.text.push_str(original);
            self.text.make_ascii_lowercase();
            return;
        }
        let bytes = original.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            // A run of ASCII bytes at once...
            let run = bytes[at..].iter().take_while(|b| b.is_ascii()).count();
            if run > 0 {
                let before = self.text.len();
                self.text.push_str(&original[at..at + run]);
                if let Some(added) = self.text.get_mut(before..) {
                    added.make_ascii_lowercase();
                }
                self.map.extend(at as u32..(at + run) as u32);
                at += run;
                continue;
            }
            // ...then one other character (the run stopped at its first byte).
            let Some(c) = original[at..].chars().next() else {
                break;
            };
            let before = self.text.len();
            self.text.extend(c.to_lowercase());
            let added = self.text.len() - before;
            self.map.extend(std::iter::repeat_n(at as u32, added));
            at += c.len_utf8();
        }
        if self.map.len() == self.text.len() {
            self.map.push(original.len() as u32);
        }
    }

    /// The original offset of `at` in the lowered text.
    pub(crate) fn original(&self, at: usize) -> usize {
        if self.map.is_empty() {
            at
        } else {
            self.map.get(at).map_or(at, |&o| o as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowering_maps_every_byte_back_to_its_character() {
        for text in [
            "",
            "ABC",
            "Straße • MAP",
            "İx ΣΑΣ Kelvin \u{212A} é",
            "a\u{1F980}B",
        ] {
            let mut lowered = Lowered::default();
            lowered.set(text);
            // Character by character (so a final Σ is σ, not ς as `str::to_lowercase` has it).
            let per_char: String = text.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(lowered.text, per_char);
            let mut want = Vec::new();
            for (at, c) in text.char_indices() {
                want.extend(std::iter::repeat_n(at, c.to_lowercase().to_string().len()));
            }
            if !text.is_ascii() {
                want.push(text.len());
            }
            let got: Vec<usize> = (0..want.len()).map(|i| lowered.original(i)).collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    fn posting(rule: u32) -> Posting {
        Posting {
            rule,
            term: 0,
            exclude: false,
            id: rule,
            fields: crate::FieldSet::BOTH,
            variant: false,
        }
    }

    /// Which of `terms` (one rule each) are found in `text`.
    fn found(terms: &[&str], text: &str) -> Vec<bool> {
        let mut builder = SubstringIndexBuilder::default();
        for (rule, term) in (0..).zip(terms) {
            builder
                .add("tag", term, posting(rule))
                .expect("term compiles");
        }
        let index = builder.build().expect("builds").expect("has patterns");
        let mut hits = Hits::default();
        hits.reset(terms.len());
        index.scan(
            text,
            Field::Content,
            &[],
            &mut Lowered::default(),
            &mut hits,
        );
        (0..terms.len() as u32)
            .map(|r| hits.found.iter().any(|h| h.posting.rule == r))
            .collect()
    }

    #[test]
    fn raw_substrings_match_inside_words() {
        assert_eq!(found(&["map"], "our roadmap"), [true]);
        assert_eq!(found(&["troubleshoot"], "TROUBLESHOOTING"), [true]);
        assert_eq!(found(&["map"], "m a p"), [false]);
    }

    #[test]
    fn overlapping_terms_are_all_found() {
        assert_eq!(
            found(&["heatmap", "map", "eat", "x"], "heatmaps"),
            [true, true, true, false]
        );
    }

    #[test]
    fn the_same_term_in_two_rules_reaches_both() {
        assert_eq!(found(&["Map", "map"], "MAP"), [true, true]);
    }

    #[test]
    fn unicode_lowercase_on_both_sides() {
        assert_eq!(found(&["straße", "ÉCOLE"], "STRAẞE école"), [true, true]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let mut lowered = Lowered::default();
        lowered.set("İx MAP");
        let at = lowered.text.find("map").expect("found");
        assert_eq!(lowered.original(at), "İx MAP".find("MAP").expect("found"));
        lowered.set("plain MAP");
        assert_eq!(lowered.original(6), 6);
    }

    #[test]
    fn blank_term_is_rejected() {
        let mut builder = SubstringIndexBuilder::default();
        assert!(matches!(
            builder.add("t", " ", posting(0)),
            Err(TagError::EmptyTerm { .. })
        ));
    }

    #[test]
    fn no_terms_builds_nothing() {
        assert!(matches!(SubstringIndexBuilder::default().build(), Ok(None)));
    }
}
