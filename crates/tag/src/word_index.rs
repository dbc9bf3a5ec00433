//! Word-mode terms of the whole vocabulary, compiled into one table keyed by a term's first stem.
//!
//! Every stem that occurs in some term gets a number. A post's field is read once into one
//! number per word ([`FieldWords`]; `None` for words no term contains and for skipped URLs), and
//! only the terms starting with a word's number are compared further, phrases number by number.
//! The cost per post is about one hash lookup per distinct word, whatever the vocabulary's size.

use std::collections::HashMap;

use rust_stemmers::Stemmer;

use crate::TagError;
use crate::verdict::{Field, Posting, Verdicts};
use crate::words::{Token, fold, for_each_token, is_apostrophe, is_word_char, term_stems};

/// The number of a stem that occurs in the vocabulary: its index in `starting_with`.
type StemId = usize;

/// Distinct words of a post whose stems are remembered; past this (a hostile 10 MB post of
/// unique words) the remaining words are stemmed every time rather than growing the cache.
const MAX_CACHED_WORDS: usize = 16_384;

/// A term as the index keeps it: the stems after the first, and whom a match concerns.
#[derive(Debug)]
struct Entry {
    rest: Box<[StemId]>,
    posting: Posting,
}

#[derive(Debug, Default)]
pub(crate) struct WordIndex {
    stem_ids: HashMap<Box<str>, StemId>,
    /// Terms by the number of their first stem.
    starting_with: Vec<Vec<Entry>>,
}

/// One field of a post as the index sees it, reused from field to field.
#[derive(Debug, Default)]
pub(crate) struct FieldWords {
    words: Vec<Option<StemId>>,
    folded: String,
    /// Folded word to its stem's number: prose repeats its words, and stemming costs several
    /// hash lookups.
    seen: HashMap<String, Option<StemId>>,
}

impl WordIndex {
    /// Compiles one word-mode term of tag `tag`.
    pub(crate) fn add(
        &mut self,
        tag: &str,
        term: &str,
        posting: Posting,
        stemmer: &Stemmer,
    ) -> Result<(), TagError> {
        let stems = checked_term_stems(tag, term, stemmer)?;
        let ids: Vec<StemId> = stems.into_iter().map(|stem| self.intern(stem)).collect();
        let entry = Entry {
            rest: ids[1..].into(),
            posting,
        };
        self.starting_with[ids[0]].push(entry);
        Ok(())
    }

    fn intern(&mut self, stem: String) -> StemId {
        let next = self.starting_with.len();
        let id = *self.stem_ids.entry(stem.into_boxed_str()).or_insert(next);
        if id == next {
            self.starting_with.push(Vec::new());
        }
        id
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.stem_ids.is_empty()
    }

    /// Replaces `into`'s contents with the stem numbers of `field`'s words.
    pub(crate) fn read(&self, field: &str, stemmer: &Stemmer, into: &mut FieldWords) {
        into.words.clear();
        for_each_token(field, |token| {
            let id = match token {
                Token::Word(word) => self.word_id(word, stemmer, into),
                Token::Break => None,
            };
            into.words.push(id);
        });
    }

    fn word_id(&self, word: &str, stemmer: &Stemmer, cache: &mut FieldWords) -> Option<StemId> {
        fold(word, &mut cache.folded);
        if let Some(&id) = cache.seen.get(cache.folded.as_str()) {
            return id;
        }
        let id = self.stem_ids.get(&*stemmer.stem(&cache.folded)).copied();
        if cache.seen.len() < MAX_CACHED_WORDS {
            cache.seen.insert(cache.folded.clone(), id);
        }
        id
    }

    /// Records every term found in one field of a post, read by [`read`](Self::read).
    pub(crate) fn scan(&self, field_words: &FieldWords, field: Field, verdicts: &mut Verdicts) {
        let words = &field_words.words;
        for (at, id) in words.iter().enumerate() {
            let Some(id) = *id else { continue };
            for entry in &self.starting_with[id] {
                let next = &words[at + 1..];
                let continues = next.len() >= entry.rest.len()
                    && entry
                        .rest
                        .iter()
                        .zip(next)
                        .all(|(want, got)| Some(*want) == *got);
                if continues {
                    verdicts.record(entry.posting, field);
                }
            }
        }
    }
}

/// The stems of a word-mode term, or why the term cannot be one.
fn checked_term_stems(tag: &str, term: &str, stemmer: &Stemmer) -> Result<Vec<String>, TagError> {
    if term.trim().is_empty() {
        return Err(TagError::EmptyTerm {
            tag: tag.to_owned(),
        });
    }
    let stems = term_stems(term, stemmer);
    if stems.is_empty() || stems.iter().any(String::is_empty) {
        return Err(TagError::TermWithoutWords {
            tag: tag.to_owned(),
            term: term.to_owned(),
        });
    }
    if let Some(symbol) = term.chars().find(|&c| !is_term_char(c)) {
        return Err(TagError::TermWithSymbols {
            tag: tag.to_owned(),
            term: term.to_owned(),
            symbol,
        });
    }
    Ok(stems)
}

/// Characters a word-mode term may contain: word characters and the punctuation that naturally
/// joins words (`machine-learning`, `node.js`, `don't`, `TCP/IP`). Anything else (`C++`, `C#`,
/// `AT&T`) would silently be dropped by the tokenizer and match far more than the author meant.
fn is_term_char(c: char) -> bool {
    is_word_char(c)
        || c.is_whitespace()
        || is_apostrophe(c)
        || matches!(c, '-' | '\u{2010}' | '\u{2011}' | '.' | '/')
}

#[cfg(test)]
mod tests {
    use rust_stemmers::Algorithm;

    use super::*;

    const POSTING: Posting = Posting {
        rule: 0,
        term: 0,
        exclude: false,
    };

    fn index(term: &str) -> Result<WordIndex, TagError> {
        let mut index = WordIndex::default();
        let stemmer = Stemmer::create(Algorithm::English);
        index.add("tag", term, POSTING, &stemmer)?;
        Ok(index)
    }

    fn finds(term: &str, text: &str) -> bool {
        let stemmer = Stemmer::create(Algorithm::English);
        let index = index(term).expect("term compiles");
        let mut words = FieldWords::default();
        index.read(text, &stemmer, &mut words);
        let mut verdicts = Verdicts::new(1);
        index.scan(&words, Field::Content, &mut verdicts);
        verdicts.decided(0).is_some()
    }

    #[test]
    fn a_single_word_matches_its_inflections() {
        assert!(finds("map", "we mapped it"));
        assert!(!finds("map", "the roadmap"));
    }

    #[test]
    fn a_phrase_needs_every_word_in_order() {
        assert!(finds("state machine", "a state machine"));
        assert!(!finds("state machine", "a machine state"));
        assert!(!finds("state machine", "state of the machine"));
    }

    #[test]
    fn a_phrase_cut_off_at_the_end_does_not_match() {
        assert!(!finds("state machine", "the state"));
    }

    #[test]
    fn a_later_phrase_word_alone_does_not_match() {
        assert!(!finds("state machine", "machine"));
        assert!(!finds("state machine", "machine state"));
    }

    #[test]
    fn a_phrase_may_repeat_a_word() {
        assert!(finds("bye bye", "bye bye now"));
        assert!(!finds("bye bye", "bye now"));
    }

    #[test]
    fn words_past_the_stem_cache_still_match() {
        let mut text: String = (0..MAX_CACHED_WORDS + 10)
            .map(|i| format!("w{i} "))
            .collect();
        text.push_str("mapping");
        assert!(finds("map", &text));
    }

    #[test]
    fn a_phrase_does_not_match_across_a_url() {
        assert!(!finds(
            "state machine",
            "state https://example.com/ machine"
        ));
    }

    #[test]
    fn blank_term_is_an_empty_term() {
        assert!(matches!(index("  "), Err(TagError::EmptyTerm { tag }) if tag == "tag"));
    }

    #[test]
    fn term_without_letters_is_rejected() {
        assert!(
            matches!(index("--"), Err(TagError::TermWithoutWords { term, .. }) if term == "--")
        );
        assert!(matches!(
            index("!!!"),
            Err(TagError::TermWithoutWords { .. })
        ));
    }

    #[test]
    fn term_with_symbols_is_rejected() {
        for (term, bad) in [("C++", '+'), ("C#", '#'), ("AT&T", '&'), ("https://x", ':')] {
            match index(term) {
                Err(TagError::TermWithSymbols { symbol, .. }) => assert_eq!(symbol, bad, "{term}"),
                other => panic!("{term}: {other:?}"),
            }
        }
    }

    #[test]
    fn joining_punctuation_is_allowed_in_terms() {
        for term in ["machine-learning", "node.js", "don't", "TCP/IP", "Straße"] {
            assert!(index(term).is_ok(), "{term}");
        }
        assert!(finds("node.js", "Node.js 20 is out"));
        assert!(finds("TCP/IP", "the tcp/ip stack"));
    }
}
