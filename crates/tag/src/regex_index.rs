//! Regex-mode terms of the whole vocabulary: one `RegexSet` tells which patterns occur in a
//! field at all, and only those are run again to count and place their matches.

use regex::{Regex, RegexBuilder, RegexSetBuilder};

use crate::verdict::{Field, Hits, Posting};
use crate::zones::{Span, zone_at};
use crate::{TagError, Zone};

/// Bound on a compiled pattern, so a vocabulary cannot make the set huge.
const SIZE_LIMIT: usize = 4 << 20;

#[derive(Debug, Default)]
pub(crate) struct RegexIndexBuilder {
    patterns: Vec<String>,
    regexes: Vec<Regex>,
    postings: Vec<Posting>,
}

impl RegexIndexBuilder {
    /// Adds one regex-mode term of tag `tag`: case-insensitive unless the pattern turns it off
    /// (`(?-i)`).
    pub(crate) fn add(&mut self, tag: &str, term: &str, posting: Posting) -> Result<(), TagError> {
        if term.trim().is_empty() {
            return Err(TagError::EmptyTerm {
                tag: tag.to_owned(),
            });
        }
        let bad = |e: regex::Error| TagError::BadRegex {
            tag: tag.to_owned(),
            term: term.to_owned(),
            reason: e.to_string(),
        };
        let regex = RegexBuilder::new(term)
            .case_insensitive(true)
            .size_limit(SIZE_LIMIT)
            .build()
            .map_err(bad)?;
        self.patterns.push(term.to_owned());
        self.regexes.push(regex);
        self.postings.push(posting);
        Ok(())
    }

    pub(crate) fn build(self) -> Result<Option<RegexIndex>, TagError> {
        if self.patterns.is_empty() {
            return Ok(None);
        }
        let set = RegexSetBuilder::new(&self.patterns)
            .case_insensitive(true)
            .size_limit(SIZE_LIMIT * 4)
            .build()
            .map_err(|e| TagError::BadRegex {
                tag: String::from("(vocabulary)"),
                term: String::from("(all regex terms together)"),
                reason: e.to_string(),
            })?;
        Ok(Some(RegexIndex {
            set,
            regexes: self.regexes,
            postings: self.postings,
        }))
    }
}

#[derive(Debug)]
pub(crate) struct RegexIndex {
    set: regex::RegexSet,
    regexes: Vec<Regex>,
    postings: Vec<Posting>,
}

impl RegexIndex {
    /// Records every (non-empty) match of every pattern in one field of a post.
    pub(crate) fn scan(&self, field_text: &str, field: Field, spans: &[Span], hits: &mut Hits) {
        for index in self.set.matches(field_text).iter() {
            for found in self.regexes[index].find_iter(field_text) {
                if found.is_empty() {
                    continue;
                }
                let (zone, short) = match field {
                    Field::Title => (Zone::Title, false),
                    Field::Content => zone_at(spans, found.start()),
                };
                hits.record(
                    self.postings[index],
                    field,
                    zone,
                    short,
                    (found.start(), found.end()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(terms: &[&str], text: &str) -> Vec<u32> {
        let mut builder = RegexIndexBuilder::default();
        for (i, term) in (0..).zip(terms) {
            let posting = Posting {
                rule: i,
                term: 0,
                exclude: false,
                id: i,
                fields: crate::FieldSet::BOTH,
                variant: false,
            };
            builder.add("tag", term, posting).expect("compiles");
        }
        let index = builder.build().expect("builds").expect("has patterns");
        let mut hits = Hits::default();
        hits.reset(terms.len());
        index.scan(text, Field::Content, &[], &mut hits);
        (0..terms.len() as u32)
            .map(|r| {
                hits.found
                    .iter()
                    .filter(|h| h.posting.rule == r)
                    .map(|h| h.zones.iter().sum::<u32>())
                    .sum()
            })
            .collect()
    }

    #[test]
    fn patterns_match_case_insensitively_and_count() {
        assert_eq!(
            counts(&[r"\bk8s\b", r"kube\w*", "zzz"], "K8s and kubectl, k8s"),
            [2, 1, 0]
        );
    }

    #[test]
    fn a_pattern_can_ask_for_case() {
        assert_eq!(counts(&["(?-i)Go"], "Go go GO"), [1]);
    }

    #[test]
    fn empty_matches_do_not_count() {
        assert_eq!(counts(&["x*"], "abc"), [0]);
    }

    #[test]
    fn bad_patterns_name_tag_and_term() {
        let mut builder = RegexIndexBuilder::default();
        let posting = Posting {
            rule: 0,
            term: 0,
            exclude: false,
            id: 0,
            fields: crate::FieldSet::BOTH,
            variant: false,
        };
        match builder.add("k8s", "(unclosed", posting) {
            Err(TagError::BadRegex { tag, term, .. }) => {
                assert_eq!((tag.as_str(), term.as_str()), ("k8s", "(unclosed"));
            }
            other => panic!("expected BadRegex, got {other:?}"),
        }
    }
}
