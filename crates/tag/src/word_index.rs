//! Word-mode (and exact-mode) terms of the whole vocabulary, compiled into one table keyed by a
//! term's first stem (or folded word).
//!
//! Every stem that occurs in some term gets a number. A post's field is read once into one
//! number per word ([`Tok`]; [`NO_ID`] for words no term contains and for skipped URLs), and
//! only the terms starting with a word's number are compared further, phrases number by number.
//! The cost per post is about one hash lookup per distinct word, whatever the vocabulary's size.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rust_stemmers::Stemmer;

use crate::verdict::{Field, Hits, Posting};
use crate::words::{fold, is_apostrophe, is_word_char, term_stems};
use crate::{TagError, Zone};

/// The number of a stem (or folded word) that occurs in the vocabulary.
pub(crate) type StemId = u32;

/// A word no term contains, or a skipped URL.
pub(crate) const NO_ID: StemId = u32::MAX;

/// FxHash: the words hashed here are short and not chosen by an attacker who could profit
/// from collisions (a post's words only reach a bounded cache), so speed wins over SipHash.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// How a term's words (and a post's) are made comparable.
#[derive(Clone, Copy)]
pub(crate) enum Norm<'s> {
    /// Folded and stemmed: word mode.
    Stem(&'s Stemmer),
    /// Folded only: exact mode.
    Fold,
}

/// A word of a post as the indexes see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    /// The word's stem number in the word-mode index, or [`NO_ID`].
    pub(crate) stem: StemId,
    /// The folded word's number in the exact-mode index, or [`NO_ID`].
    pub(crate) exact: StemId,
    /// The number of the word's family among the vocabulary's (see [`crate::family`]), or
    /// [`NO_ID`].
    pub(crate) family: StemId,
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) zone: Zone,
    pub(crate) short_item: bool,
}

/// A term as the index keeps it: the stems after the first, and whom a match concerns.
#[derive(Debug)]
struct Entry {
    rest: Box<[StemId]>,
    posting: Posting,
}

#[derive(Debug, Default)]
pub(crate) struct WordIndex {
    stem_ids: FxMap<Box<str>, StemId>,
    /// Terms by the number of their first stem.
    starting_with: Vec<Vec<Entry>>,
}

impl WordIndex {
    /// Compiles one term of tag `tag`.
    pub(crate) fn add(
        &mut self,
        tag: &str,
        term: &str,
        posting: Posting,
        norm: Norm<'_>,
    ) -> Result<(), TagError> {
        let stems = checked_term_stems(tag, term, norm)?;
        let ids: Vec<StemId> = stems.into_iter().map(|stem| self.intern(stem)).collect();
        let entry = Entry {
            rest: ids[1..].into(),
            posting,
        };
        self.starting_with[ids[0] as usize].push(entry);
        Ok(())
    }

    fn intern(&mut self, stem: String) -> StemId {
        let next = self.starting_with.len() as StemId;
        let id = *self.stem_ids.entry(stem.into_boxed_str()).or_insert(next);
        if id == next {
            self.starting_with.push(Vec::new());
        }
        id
    }

    /// The number of a stem (or folded word), or [`NO_ID`].
    pub(crate) fn id(&self, stem: &str) -> StemId {
        self.stem_ids.get(stem).copied().unwrap_or(NO_ID)
    }

    /// Records every term found in a field's words; `pick` chooses which number of a word
    /// this index reads.
    pub(crate) fn scan(
        &self,
        words: &[Tok],
        pick: fn(&Tok) -> StemId,
        field: Field,
        hits: &mut Hits,
    ) {
        for (at, word) in words.iter().enumerate() {
            let id = pick(word);
            if id == NO_ID {
                continue;
            }
            for entry in &self.starting_with[id as usize] {
                let next = &words[at + 1..];
                let continues = next.len() >= entry.rest.len()
                    && entry
                        .rest
                        .iter()
                        .zip(next)
                        .all(|(want, got)| *want == pick(got));
                if continues {
                    let end = if entry.rest.is_empty() {
                        word.end
                    } else {
                        next[entry.rest.len() - 1].end
                    };
                    hits.record(
                        entry.posting,
                        field,
                        word.zone,
                        word.short_item,
                        (word.start as usize, end as usize),
                    );
                }
            }
        }
    }
}

/// The normalized words of `term`.
pub(crate) fn normalized_words(term: &str, norm: Norm<'_>) -> Vec<String> {
    match norm {
        Norm::Stem(stemmer) => term_stems(term, stemmer),
        Norm::Fold => {
            let mut out = Vec::new();
            let mut folded = String::new();
            crate::words::for_each_token(term, |token| {
                if let crate::words::Token::Word(word) = token {
                    fold(word, &mut folded);
                    out.push(folded.clone());
                }
            });
            out
        }
    }
}

/// The stems of a word-mode term, or why the term cannot be one.
fn checked_term_stems(tag: &str, term: &str, norm: Norm<'_>) -> Result<Vec<String>, TagError> {
    if term.trim().is_empty() {
        return Err(TagError::EmptyTerm {
            tag: tag.to_owned(),
        });
    }
    let stems = normalized_words(term, norm);
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
        id: 0,
        fields: crate::FieldSet::BOTH,
        variant: false,
    };

    fn index(term: &str) -> Result<WordIndex, TagError> {
        let mut index = WordIndex::default();
        let stemmer = Stemmer::create(Algorithm::English);
        index.add("tag", term, POSTING, Norm::Stem(&stemmer))?;
        Ok(index)
    }

    fn finds(term: &str, text: &str) -> bool {
        let stemmer = Stemmer::create(Algorithm::English);
        let index = index(term).expect("term compiles");
        let mut words = Vec::new();
        let mut folded = String::new();
        crate::words::for_each_token(text, |token| {
            let stem = match token {
                crate::words::Token::Word(word) => {
                    fold(word, &mut folded);
                    index.id(&stemmer.stem(&folded))
                }
                crate::words::Token::Break => NO_ID,
            };
            words.push(Tok {
                stem,
                exact: NO_ID,
                family: NO_ID,
                start: 0,
                end: 0,
                zone: Zone::Body,
                short_item: false,
            });
        });
        let mut hits = Hits::default();
        hits.reset(1);
        index.scan(&words, |t| t.stem, Field::Content, &mut hits);
        !hits.found.is_empty()
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
