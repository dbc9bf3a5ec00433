//! The compiled vocabulary and the one call that tags a post.

use std::collections::HashMap;
use std::fmt;

use rust_stemmers::{Algorithm, Stemmer};
use syndic_core::{TagAssignment, TagOrigin, slugify};

use crate::substring::{SubstringIndex, SubstringIndexBuilder};
use crate::verdict::{Field, Posting, Verdicts};
use crate::word_index::{FieldWords, WordIndex};
use crate::{MatchMode, TagError, TagRule};

/// A vocabulary compiled for matching: every term of every rule in one word table and one
/// substring automaton, so tagging reads a post once whatever the number of tags.
///
/// Immutable once built; `Send + Sync`, so share one behind an `Arc` across threads.
pub struct Tagger {
    rules: Vec<TagRule>,
    /// Rule indexes sorted by tag name: the order tags are reported in.
    by_name: Vec<usize>,
    stemmer: Stemmer,
    words: WordIndex,
    substrings: Option<SubstringIndex>,
}

impl Tagger {
    /// Compiles `rules`, checking that every tag has a name of its own and usable terms.
    pub fn new(rules: &[TagRule]) -> Result<Tagger, TagError> {
        check_names(rules)?;
        let stemmer = Stemmer::create(Algorithm::English);
        let mut words = WordIndex::default();
        let mut substrings = SubstringIndexBuilder::default();
        for (rule_index, rule) in (0..).zip(rules) {
            let includes = rule.effective_terms().iter().map(|t| (t, false));
            let excludes = rule.exclude.iter().map(|t| (t, true));
            let terms = (0..).zip(includes).chain((0..).zip(excludes));
            for (term_index, (term, exclude)) in terms {
                let posting = Posting {
                    rule: rule_index,
                    term: term_index,
                    exclude,
                };
                match rule.mode {
                    MatchMode::Word => words.add(&rule.name, term, posting, &stemmer)?,
                    MatchMode::Substring => substrings.add(&rule.name, term, posting)?,
                }
            }
        }
        let mut by_name: Vec<usize> = (0..rules.len()).collect();
        by_name.sort_by(|&a, &b| rules[a].name.cmp(&rules[b].name));
        Ok(Tagger {
            rules: rules.to_vec(),
            by_name,
            stemmer,
            words,
            substrings: substrings.build()?,
        })
    }

    /// Tags the post's title and text content get from term matches, sorted by tag name, one
    /// per tag, origin [`TagOrigin::Term`], detail like `"map" in title` / `"map" in content`
    /// (the first match that decided it: title before content, earlier before later).
    ///
    /// `text` is the post's plain text (markup already removed). Title and text are matched
    /// separately, so a phrase never runs from the end of the title into the text.
    pub fn tag(&self, title: &str, text: &str) -> Vec<TagAssignment> {
        let fields = [(Field::Title, title), (Field::Content, text)];
        let mut verdicts = Verdicts::new(self.rules.len());
        if !self.words.is_empty() {
            let mut words = FieldWords::default();
            for (field, field_text) in fields {
                self.words.read(field_text, &self.stemmer, &mut words);
                self.words.scan(&words, field, &mut verdicts);
            }
        }
        if let Some(substrings) = &self.substrings {
            for (field, field_text) in fields {
                substrings.scan(field_text, field, &mut verdicts);
            }
        }
        self.by_name
            .iter()
            .filter_map(|&rule_index| {
                let (term, field) = verdicts.decided(rule_index)?;
                let rule = &self.rules[rule_index];
                let term = &rule.effective_terms()[term as usize];
                Some(TagAssignment {
                    tag: rule.name.clone(),
                    origin: TagOrigin::Term,
                    detail: format!("\"{term}\" in {}", field.as_str()),
                })
            })
            .collect()
    }

    /// The rules this tagger was built from, in the order given.
    pub fn rules(&self) -> &[TagRule] {
        &self.rules
    }
}

impl fmt::Debug for Tagger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tagger")
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

/// Every rule needs a name, and no two may share an archive (their slugs would collide).
fn check_names(rules: &[TagRule]) -> Result<(), TagError> {
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(rules.len());
    for rule in rules {
        if rule.name.trim().is_empty() {
            return Err(TagError::EmptyName);
        }
        let slug = slugify(&rule.name);
        if let Some(first) = seen.insert(slug.clone(), &rule.name) {
            return Err(TagError::DuplicateTag {
                first: first.to_owned(),
                second: rule.name.clone(),
                slug,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "tagger_tests.rs"]
mod tests;
