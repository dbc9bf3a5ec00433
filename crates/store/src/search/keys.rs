//! PostgreSQL's search documents as keys computed here: each distinct word of a post's
//! title and text, case- and diacritic-folded and stemmed exactly as the snippet and the
//! ranking match words ([`super::snippet`]), hashed to a 32-bit integer. The documents are
//! `int4[]` with a GIN index (migration 25), and a search asks for the posts whose
//! document holds every key of its words (`@>`).
//!
//! Why not the server's `tsvector`: computing it (parsing, folding and stemming every
//! post's text in SQL) made indexing on PostgreSQL several times slower than the ingest
//! itself, and a stripped `tsvector` keeps each lexeme's letters, about twice the bytes of
//! its hash. Two words whose keys share a hash only add a candidate, never lose one: the
//! ranking then checks the words themselves over the candidates' texts.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

use super::snippet;

/// The most characters of a post's text that are indexed (as the server's documents did).
pub(crate) const INDEXED_CHARS: usize = 200_000;

/// Turns words into keys, remembering the words it has seen (a batch of posts shares
/// most of its words, and stemming is the cost).
pub(crate) struct KeyMaker {
    stemmer: Stemmer,
    seen: HashMap<String, i32>,
}

impl Default for KeyMaker {
    fn default() -> Self {
        KeyMaker {
            stemmer: Stemmer::create(Algorithm::English),
            seen: HashMap::new(),
        }
    }
}

/// The words remembered at most; beyond it the memory starts again.
const MOST_REMEMBERED: usize = 200_000;

impl KeyMaker {
    /// The distinct keys of `title` and the first [`INDEXED_CHARS`] characters of
    /// `text`, ascending.
    pub(crate) fn document(&mut self, title: &str, text: &str) -> Vec<i32> {
        let text = match text.char_indices().nth(INDEXED_CHARS) {
            Some((end, _)) => &text[..end],
            None => text,
        };
        let mut keys: Vec<i32> = snippet::word_slices(title)
            .chain(snippet::word_slices(text))
            .map(|word| self.key(word))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// The keys of every word of `phrases` (each phrase its words, as typed), ascending.
    pub(crate) fn query(&mut self, phrases: &[Vec<String>]) -> Vec<i32> {
        let mut keys: Vec<i32> = phrases
            .iter()
            .flatten()
            .flat_map(|typed| {
                snippet::word_slices(typed)
                    .map(|word| self.key(word))
                    .collect::<Vec<_>>()
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    fn key(&mut self, word: &str) -> i32 {
        if let Some(&key) = self.seen.get(word) {
            return key;
        }
        if self.seen.len() >= MOST_REMEMBERED {
            self.seen.clear();
        }
        let key = hash(&snippet::key(word, &self.stemmer));
        self.seen.insert(word.to_owned(), key);
        key
    }
}

/// FNV-1a over the key's bytes: stable across versions and machines, as stored documents
/// must be.
fn hash(key: &str) -> i32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    i32::from_ne_bytes(hash.to_ne_bytes())
}

/// `keys` as PostgreSQL's array literal (`{1,-2,3}`), bound as text and cast to `int4[]`:
/// the store's connections are engine-neutral and bind no arrays.
pub(crate) fn array_literal(keys: &[i32]) -> String {
    let mut literal = String::with_capacity(keys.len() * 11 + 2);
    literal.push('{');
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            literal.push(',');
        }
        literal.push_str(&key.to_string());
    }
    literal.push('}');
    literal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_holds_each_folded_stem_once_and_a_search_finds_it_by_any_form() {
        let mut keys = KeyMaker::default();
        let document = keys.document("Running Cafés", "the runner runs; café runs again");
        let query = |keys: &mut KeyMaker, words: &[&str]| {
            keys.query(&[words.iter().map(|w| w.to_string()).collect()])
        };
        for words in [&["run"][..], &["RUNNING", "cafe"], &["café", "again"]] {
            let wanted = query(&mut keys, words);
            assert!(
                wanted.iter().all(|key| document.binary_search(key).is_ok()),
                "{words:?}"
            );
        }
        assert!(
            query(&mut keys, &["tide"])
                .iter()
                .all(|key| document.binary_search(key).is_err()),
            "a word the post does not hold"
        );
        let mut distinct = document.clone();
        distinct.dedup();
        assert_eq!(distinct, document, "ascending, each key once");
        assert_eq!(
            document.len(),
            5,
            "run, café, the, runner, again: {document:?}"
        );
    }

    #[test]
    fn keys_are_the_same_in_every_process_and_only_the_first_characters_count() {
        assert_eq!(hash(""), i32::from_ne_bytes(0x811c_9dc5_u32.to_ne_bytes()));
        assert_eq!(hash("a"), i32::from_ne_bytes(0xe40c_292c_u32.to_ne_bytes()));
        let long = format!("{} tail", "word ".repeat(INDEXED_CHARS / 5));
        let document = KeyMaker::default().document("", &long);
        assert_eq!(document.len(), 1, "the tail is past the indexed characters");
    }

    #[test]
    fn an_array_literal_lists_the_keys_for_postgresql() {
        assert_eq!(array_literal(&[]), "{}");
        assert_eq!(array_literal(&[-3, 7, 2_000_000_000]), "{-3,7,2000000000}");
    }
}
