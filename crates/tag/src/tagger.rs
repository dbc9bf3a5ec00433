//! The compiled vocabulary and the one call that tags a post.

use std::collections::HashMap;
use std::fmt;

use rust_stemmers::{Algorithm, Stemmer};
use syndic_core::{TagAssignment, TagOrigin, slugify};

use crate::substring::{SubstringIndex, SubstringIndexBuilder};
use crate::verdict::{Field, Posting, Verdicts};
use crate::word_index::{FieldWords, WordIndex};
use crate::{
    CategoryPolicy, DEFAULT_MIN_SCORE, Explanation, MatchMode, PostText, TagError, TagRule,
    TaggingSettings, TermMatch, Zone,
};

/// A vocabulary compiled for matching: every term of every rule in one word table and one
/// substring automaton, so tagging reads a post once whatever the number of tags.
///
/// Immutable once built; `Send + Sync`, so share one behind an `Arc` across threads.
pub struct Tagger {
    rules: Vec<TagRule>,
    settings: TaggingSettings,
    /// Folded names and aliases to rule indexes.
    names: HashMap<String, usize>,
    /// Rule indexes sorted by tag name: the order tags are reported in.
    by_name: Vec<usize>,
    stemmer: Stemmer,
    words: WordIndex,
    substrings: Option<SubstringIndex>,
}

impl Tagger {
    /// Compiles `rules` with default [`TaggingSettings`].
    pub fn new(rules: &[TagRule]) -> Result<Tagger, TagError> {
        Tagger::with_settings(rules, &TaggingSettings::default())
    }

    /// Compiles `rules`, checking that every tag has a name of its own and usable terms.
    pub fn with_settings(
        rules: &[TagRule],
        settings: &TaggingSettings,
    ) -> Result<Tagger, TagError> {
        let names = check_names(rules)?;
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
                    // TODO(#6): exact and regex get their own matchers.
                    MatchMode::Word | MatchMode::Exact | MatchMode::Regex => {
                        words.add(&rule.name, term, posting, &stemmer)?
                    }
                    MatchMode::Substring => substrings.add(&rule.name, term, posting)?,
                }
            }
        }
        let mut by_name: Vec<usize> = (0..rules.len()).collect();
        by_name.sort_by(|&a, &b| rules[a].name.cmp(&rules[b].name));
        Ok(Tagger {
            rules: rules.to_vec(),
            settings: settings.clone(),
            names,
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
    pub fn tag(&self, post: &PostText<'_>) -> Vec<TagAssignment> {
        let mut tags: Vec<TagAssignment> = self
            .explain(post)
            .into_iter()
            .filter(|e| e.applied)
            .map(|e| {
                let detail = match (&e.category, e.matches.first()) {
                    (Some(category), _) => format!("feed category {category:?}"),
                    (None, Some(m)) => format!("\"{}\" in {}", m.term, m.field),
                    (None, None) => String::new(),
                };
                TagAssignment {
                    tag: e.tag,
                    origin: e.origin,
                    detail,
                }
            })
            .collect();
        tags.sort();
        tags
    }

    /// What tagging concludes about every tag the post's terms or categories touch, applied or
    /// not, sorted by tag name (term findings before category ones).
    pub fn explain(&self, post: &PostText<'_>) -> Vec<Explanation> {
        let (title, text) = (post.title, post.text);
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
        let mut found: Vec<Explanation> = self
            .by_name
            .iter()
            .filter_map(|&rule_index| {
                let (term, field) = verdicts.decided(rule_index)?;
                let rule = &self.rules[rule_index];
                let term = &rule.effective_terms()[term as usize];
                let zone = match field {
                    Field::Title => Zone::Title,
                    Field::Content => Zone::Body,
                };
                Some(Explanation {
                    tag: rule.name.clone(),
                    origin: TagOrigin::Term,
                    applied: true,
                    score: 1.0,
                    min_score: self.min_score(rule),
                    matches: vec![TermMatch {
                        term: term.clone(),
                        field: field.as_str(),
                        zones: vec![(zone, 1)],
                        weight: 1.0,
                        snippet: String::new(),
                    }],
                    excluded_by: None,
                    category: None,
                })
            })
            .collect();
        found.extend(self.categories(post));
        found
    }

    /// Tags the post's feed categories give under `[tagging] categories`.
    fn categories(&self, post: &PostText<'_>) -> Vec<Explanation> {
        let mut out: Vec<Explanation> = Vec::new();
        for category in post.categories {
            let tag = match self.settings.categories {
                CategoryPolicy::None => None,
                CategoryPolicy::Vocabulary => self.resolve(category).map(|r| r.name.clone()),
                CategoryPolicy::All => Some(
                    self.resolve(category)
                        .map(|r| r.name.clone())
                        .unwrap_or_else(|| {
                            category.split_whitespace().collect::<Vec<_>>().join(" ")
                        }),
                ),
            };
            let Some(tag) = tag.filter(|t| !t.is_empty()) else {
                continue;
            };
            if out.iter().any(|e| slugify(&e.tag) == slugify(&tag)) {
                continue;
            }
            out.push(Explanation {
                tag,
                origin: TagOrigin::Category,
                applied: true,
                score: 0.0,
                min_score: 0.0,
                matches: Vec::new(),
                excluded_by: None,
                category: Some(category.clone()),
            });
        }
        out
    }

    /// The threshold `rule` needs: its own, else `[tagging] min_score` (except substring rules,
    /// which tag on any occurrence), else [`DEFAULT_MIN_SCORE`].
    pub fn min_score(&self, rule: &TagRule) -> f32 {
        match (rule.min_score, rule.mode, self.settings.min_score) {
            (Some(own), _, _) => own,
            (None, MatchMode::Substring, _) => 0.0,
            (None, _, Some(global)) => global,
            (None, _, None) => DEFAULT_MIN_SCORE,
        }
    }

    /// The rule a tag name or alias means (compared by archive slug, so case and punctuation
    /// do not matter).
    pub fn resolve(&self, name: &str) -> Option<&TagRule> {
        self.names.get(&slugify(name)).map(|&i| &self.rules[i])
    }

    /// The settings this tagger was built with.
    pub fn settings(&self) -> &TaggingSettings {
        &self.settings
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

/// Every rule needs a name, and no two may share an archive (their slugs would collide), nor
/// an alias. Returns the slugs of names and aliases to rule indexes.
fn check_names(rules: &[TagRule]) -> Result<HashMap<String, usize>, TagError> {
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(rules.len());
    let mut names: HashMap<String, usize> = HashMap::with_capacity(rules.len());
    for (index, rule) in rules.iter().enumerate() {
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
        names.insert(slug, index);
    }
    for (index, rule) in rules.iter().enumerate() {
        for alias in &rule.aliases {
            let slug = slugify(alias);
            match names.get(&slug) {
                Some(&other) if other != index => {
                    return Err(TagError::DuplicateAlias {
                        tag: rule.name.clone(),
                        alias: alias.clone(),
                        other: rules[other].name.clone(),
                    });
                }
                _ => {
                    names.insert(slug, index);
                }
            }
        }
    }
    Ok(names)
}

#[cfg(test)]
#[path = "tagger_tests.rs"]
mod tests;
