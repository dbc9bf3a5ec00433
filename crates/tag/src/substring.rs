//! Substring-mode terms of the whole vocabulary, compiled into one Aho-Corasick automaton.
//!
//! Both sides are Unicode-lowercased (`str::to_lowercase`) and compared as raw text, which is
//! exactly what the site we replace did: `map` is found in *roadmap*. The automaton reports
//! overlapping matches, so every term present is seen in a single pass over the field.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::TagError;
use crate::verdict::{Field, Posting, Verdicts};

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
    /// Records every term found in one field of a post.
    pub(crate) fn scan(&self, field_text: &str, field: Field, verdicts: &mut Verdicts) {
        let haystack = field_text.to_lowercase();
        for found in self.automaton.find_overlapping_iter(&haystack) {
            for &posting in &self.postings[found.pattern().as_usize()] {
                verdicts.record(posting, field);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posting(rule: u32) -> Posting {
        Posting {
            rule,
            term: 0,
            exclude: false,
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
        let mut verdicts = Verdicts::new(terms.len());
        index.scan(text, Field::Content, &mut verdicts);
        (0..terms.len())
            .map(|r| verdicts.decided(r).is_some())
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
