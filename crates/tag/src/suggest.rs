//! Term suggestions: words and two-word phrases that would make good tags, found across
//! stored posts (`syndic tag suggest`).
//!
//! Two passes over the same posts, both pure:
//!
//! 1. [`Suggester::add`] each post, then [`Suggester::top`]: candidates are single words and
//!    two-word phrases (counted by stem, shown in their most common written form), not stop
//!    words, not numbers, not already a term, name or alias of the vocabulary. They are ranked
//!    by distinctiveness: in enough posts to be worth a tag but not in so many that they say
//!    nothing (document frequency between [`SuggestOptions::min_posts`] and
//!    [`SuggestOptions::max_share`] of the posts), and concentrated where they occur (average
//!    occurrences per post that has them, times their inverse document frequency).
//! 2. [`Coverage::new`] compiles the top candidates as word-mode rules with the vocabulary's
//!    settings; [`Coverage::add`] each post again, then [`Coverage::finish`] gives each
//!    candidate the number of posts it would tag at the default threshold.
//!
//! ```
//! use syndic_tag::suggest::{Coverage, SuggestOptions, Suggester};
//! use syndic_tag::{PostText, Tagger};
//!
//! let tagger = Tagger::new(&[]).expect("an empty vocabulary compiles");
//! let posts = [("Bread basics", "Sourdough needs a starter. Feed the starter daily.")];
//! let mut suggester = Suggester::new(&tagger, SuggestOptions { min_posts: 1, ..Default::default() });
//! for (title, text) in posts {
//!     suggester.add(&PostText { title, text, ..Default::default() });
//! }
//! let mut coverage = Coverage::new(&tagger, suggester.top(10)).expect("compiles");
//! for (title, text) in posts {
//!     coverage.add(&PostText { title, text, ..Default::default() });
//! }
//! let suggestions = coverage.finish();
//! assert_eq!(suggestions[0].term, "starter");
//! assert_eq!(suggestions[0].would_tag, 1);
//! ```

use std::collections::{HashMap, HashSet};

use rust_stemmers::Stemmer;
use serde::Serialize;
use syndic_core::slugify;

use crate::lang::{self, ENGLISH, LANGUAGES};
use crate::word_index::{Norm, normalized_words};
use crate::words::{Token, fold, for_each_token};
use crate::{MatchMode, PostText, Scratch, TagError, TagRule, Tagger};

/// Tuning of [`Suggester`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuggestOptions {
    /// A candidate must occur in at least this many posts.
    pub min_posts: u32,
    /// ...and in at most this share of them (0.0–1.0).
    pub max_share: f32,
    /// Distinct candidates kept while counting; past it, those seen in one post only are
    /// dropped (memory stays bounded over millions of posts).
    pub max_candidates: usize,
}

impl Default for SuggestOptions {
    fn default() -> SuggestOptions {
        SuggestOptions {
            min_posts: 3,
            max_share: 0.1,
            max_candidates: 200_000,
        }
    }
}

/// A proposed term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The term in its most common written form (lowercased unless mostly capitalized).
    pub term: String,
    /// Posts it occurs in.
    pub posts: u32,
    /// Occurrences in all posts.
    pub occurrences: u32,
    /// Distinctiveness (higher is better).
    pub score: f32,
    /// Posts it would tag at the default threshold (filled by [`Coverage::finish`]).
    pub would_tag: u32,
}

#[derive(Debug, Default)]
struct Candidate {
    posts: u32,
    occurrences: u32,
    /// Written forms and their counts (a few at most).
    forms: Vec<(String, u32)>,
}

/// First pass: counts candidate terms over posts.
#[derive(Debug)]
pub struct Suggester {
    options: SuggestOptions,
    /// Normalized keys the vocabulary already covers, per language slot.
    covered: HashSet<String>,
    covered_words: HashSet<String>,
    candidates: HashMap<String, Candidate>,
    posts: u32,
    default_lang: Option<usize>,
}

const MAX_FORMS: usize = 4;

/// English function words and other words that make no tag.
const ENGLISH_STOP: &str = "a about above after again against all almost also although always am \
    among an and another any anyone anything are around as at away back be became because \
    become been before being below best better between both but by came can cannot could did do \
    does doing done down during each either else enough even ever every few first for from \
    further get gets getting give given go goes going gone got great had has have having he her \
    here hers herself him himself his how however i if in including instead into is it its \
    itself just know last least less let like likely made make makes making many may me might \
    more most much must my myself need never new next no nor not nothing now of off often old \
    on once one only or other others our ours ourselves out over own part per perhaps put quite \
    rather really right said same say says see seem seems several she should show since so some \
    something still such take than that the their theirs them themselves then there these they \
    thing things think this those though through thus time to today too took two under until \
    up upon us use used uses using very via want was way ways we well went were what whatever \
    when where whether which while who whom whose why will with within without would yes yet \
    you your yours yourself yourselves year years day days week weeks lot lots good bad \
    post posts read reading link links click here blog article via http https www com org net \
    html amp nbsp";

fn is_stop(folded: &str) -> bool {
    static STOP: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    let stop = STOP.get_or_init(|| ENGLISH_STOP.split_whitespace().collect());
    stop.contains(folded)
        || lang::stop_words().contains_key(folded)
        || folded.chars().count() < 3
        || folded.chars().any(|c| c.is_ascii_digit())
        || folded.contains('_')
}

impl Suggester {
    /// A suggester that leaves out what `tagger`'s vocabulary already covers.
    pub fn new(tagger: &Tagger, options: SuggestOptions) -> Suggester {
        let default_lang = tagger
            .settings()
            .language
            .as_deref()
            .and_then(lang::from_tag);
        let stemmer = Stemmer::create(LANGUAGES[default_lang.unwrap_or(ENGLISH)].1);
        let mut covered = HashSet::new();
        let mut covered_words = HashSet::new();
        for rule in tagger.rules() {
            let texts = std::iter::once(&rule.name)
                .chain(&rule.aliases)
                .chain(rule.effective_terms());
            for text in texts {
                let stems = normalized_words(text, Norm::Stem(&stemmer));
                if stems.len() == 1 {
                    covered_words.insert(stems[0].clone());
                }
                covered.insert(stems.join(" "));
            }
        }
        Suggester {
            options,
            covered,
            covered_words,
            candidates: HashMap::new(),
            posts: 0,
            default_lang,
        }
    }

    /// Counts the candidate terms of one post.
    pub fn add(&mut self, post: &PostText<'_>) {
        self.posts += 1;
        let lang = post
            .language
            .and_then(lang::from_tag)
            .or(self.default_lang)
            .or_else(|| lang::detect(post.title, post.text))
            .unwrap_or(ENGLISH);
        let stemmer = Stemmer::create(LANGUAGES[lang].1);
        let mut in_post: HashMap<String, (u32, String)> = HashMap::new();
        let mut folded = String::new();
        for field in [post.title, post.text] {
            for paragraph in field.split("\n\n") {
                // (stem, written) of the previous word, if it can start a phrase.
                let mut previous: Option<(String, String)> = None;
                for_each_token(paragraph, |token| {
                    let Token::Word(word) = token else {
                        previous = None;
                        return;
                    };
                    fold(word, &mut folded);
                    if is_stop(&folded) {
                        previous = None;
                        return;
                    }
                    let stem = stemmer.stem(&folded).into_owned();
                    let written = written_form(word);
                    if let Some((p_stem, p_written)) = &previous {
                        let key = format!("{p_stem} {stem}");
                        let entry = in_post.entry(key).or_default();
                        entry.0 += 1;
                        if entry.1.is_empty() {
                            entry.1 = format!("{p_written} {written}");
                        }
                    }
                    let entry = in_post.entry(stem.clone()).or_default();
                    entry.0 += 1;
                    if entry.1.is_empty() {
                        entry.1 = written.clone();
                    }
                    previous = Some((stem, written));
                });
            }
        }
        for (key, (count, form)) in in_post {
            if self.covered.contains(&key) || key.split(' ').any(|w| self.covered_words.contains(w))
            {
                continue;
            }
            let candidate = self.candidates.entry(key).or_default();
            candidate.posts += 1;
            candidate.occurrences += count;
            let known = candidate.forms.iter().position(|(f, _)| *f == form);
            match known {
                Some(at) => candidate.forms[at].1 += 1,
                None if candidate.forms.len() < MAX_FORMS => candidate.forms.push((form, 1)),
                None => {}
            }
        }
        if self.candidates.len() > self.options.max_candidates {
            self.candidates.retain(|_, c| c.posts > 1);
        }
    }

    /// How many posts were added.
    pub fn posts(&self) -> u32 {
        self.posts
    }

    /// The `n` most distinctive candidates, best first (`would_tag` still 0).
    pub fn top(&self, n: usize) -> Vec<Suggestion> {
        let total = self.posts.max(1) as f32;
        let max_posts = (total * self.options.max_share).max(self.options.min_posts as f32);
        let mut ranked: Vec<Suggestion> = self
            .candidates
            .values()
            .filter(|c| c.posts >= self.options.min_posts && c.posts as f32 <= max_posts)
            .filter_map(|c| {
                let form = c
                    .forms
                    .iter()
                    .max_by_key(|(f, n)| (*n, std::cmp::Reverse(f)))?;
                let concentration = c.occurrences as f32 / c.posts as f32;
                let idf = (total / c.posts as f32).ln_1p();
                Some(Suggestion {
                    term: form.0.clone(),
                    posts: c.posts,
                    occurrences: c.occurrences,
                    score: concentration * idf,
                    would_tag: 0,
                })
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.term.cmp(&b.term))
        });
        // One suggestion per archive slug.
        let mut slugs = HashSet::new();
        ranked.retain(|s| slugs.insert(slugify(&s.term)));
        ranked.truncate(n);
        ranked
    }
}

/// A word as it would be shown: lowercased unless it is an acronym or a proper name in
/// mid-sentence (kept as written).
fn written_form(word: &str) -> String {
    let upper = word.chars().filter(|c| c.is_uppercase()).count();
    if upper > 1 {
        word.to_owned()
    } else {
        word.to_lowercase()
    }
}

/// Second pass: how many posts each suggestion would tag.
#[derive(Debug)]
pub struct Coverage {
    tagger: Tagger,
    suggestions: Vec<Suggestion>,
    scratch: Scratch,
}

impl Coverage {
    /// Compiles `suggestions` as word-mode rules with `vocabulary`'s settings (feed
    /// categories ignored: only the terms count).
    pub fn new(vocabulary: &Tagger, suggestions: Vec<Suggestion>) -> Result<Coverage, TagError> {
        let rules: Vec<TagRule> = suggestions
            .iter()
            .map(|s| TagRule {
                name: s.term.clone(),
                mode: MatchMode::Word,
                ..TagRule::default()
            })
            .collect();
        let settings = crate::TaggingSettings {
            categories: crate::CategoryPolicy::None,
            ..vocabulary.settings().clone()
        };
        Ok(Coverage {
            tagger: Tagger::with_settings(&rules, &settings)?,
            suggestions,
            scratch: Scratch::new(),
        })
    }

    /// Counts which suggestions tag one post.
    pub fn add(&mut self, post: &PostText<'_>) {
        for assignment in self.tagger.tag_with(post, &mut self.scratch) {
            if let Some(s) = self
                .suggestions
                .iter_mut()
                .find(|s| s.term == assignment.tag)
            {
                s.would_tag += 1;
            }
        }
    }

    /// The suggestions with `would_tag` filled, in their original order.
    pub fn finish(self) -> Vec<Suggestion> {
        self.suggestions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posts() -> Vec<(String, String)> {
        let mut posts = Vec::new();
        for i in 0..30 {
            let text = match i % 10 {
                0 | 1 => "Our sourdough starter needs feeding. The sourdough starter doubles \
                          overnight, and sourdough bread rises well."
                    .to_owned(),
                2 => "The Raspberry Pi runs our maps server. Maps everywhere.".to_owned(),
                _ => format!("Notes from meeting {i}: the weather was fine and we talked."),
            };
            posts.push((format!("Post {i}"), text));
        }
        posts
    }

    fn suggest(tagger: &Tagger) -> Vec<Suggestion> {
        let posts = posts();
        let options = SuggestOptions {
            max_share: 0.25,
            ..SuggestOptions::default()
        };
        let mut suggester = Suggester::new(tagger, options);
        for (title, text) in &posts {
            suggester.add(&PostText {
                title,
                text,
                ..PostText::default()
            });
        }
        let mut coverage = Coverage::new(tagger, suggester.top(10)).expect("compiles");
        for (title, text) in &posts {
            coverage.add(&PostText {
                title,
                text,
                ..PostText::default()
            });
        }
        coverage.finish()
    }

    #[test]
    fn distinctive_words_and_phrases_rank_first_with_their_reach() {
        let tagger = Tagger::new(&[]).expect("compiles");
        let found = suggest(&tagger);
        let terms: Vec<&str> = found.iter().map(|s| s.term.as_str()).collect();
        assert!(terms[..3].contains(&"sourdough"), "{terms:?}");
        assert!(terms.contains(&"sourdough starter"), "{terms:?}");
        assert!(!terms.contains(&"the"), "stop words never");
        assert!(
            !terms.iter().any(|t| t.contains("meeting")),
            "too common: {terms:?}"
        );
        let sourdough = found.iter().find(|s| s.term == "sourdough").expect("found");
        assert_eq!((sourdough.posts, sourdough.would_tag), (6, 6));
    }

    #[test]
    fn the_vocabulary_is_not_suggested_again() {
        let tagger = Tagger::new(&[TagRule::new("bread", &["sourdough"])]).expect("compiles");
        let terms: Vec<String> = suggest(&tagger).into_iter().map(|s| s.term).collect();
        assert!(!terms.iter().any(|t| t.contains("sourdough")), "{terms:?}");
        assert!(!terms.iter().any(|t| t == "bread"), "{terms:?}");
    }

    #[test]
    fn acronyms_keep_their_case() {
        assert_eq!(written_form("NASA"), "NASA");
        assert_eq!(written_form("Sourdough"), "sourdough");
    }
}
