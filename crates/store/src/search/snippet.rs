//! The passage of a post's text shown under a search hit, with the matched words marked.
//!
//! The index keeps no text (SQLite's FTS5 table is contentless, PostgreSQL's documents are
//! word keys) and the store keeps it compressed, so neither engine can cut snippets: this
//! pure function does, for both, over the text the store decompressed. It follows FTS5's
//! own `snippet()` (the window of [`WINDOW`] words with the most distinct matched phrases,
//! centred on them, or starting a sentence when that scores as well; `…` where the text is
//! cut; a phrase matched as one marked run), so pages read as they did.
//!
//! Words are runs of letters, digits and combining marks, compared case- and
//! diacritic-folded and stemmed (Snowball English, PostgreSQL's stemmer; FTS5's Porter
//! stemmer agrees on all but rare forms), so what the engine matched is what is marked.
//! The text's own [`MATCH_START`] and [`MATCH_END`] characters are dropped: every marker
//! in a snippet is ours, and they always pair up.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use crate::{MATCH_END, MATCH_START};

/// Words in a snippet, as FTS5's `snippet(…, 24)` gave them.
pub(crate) const WINDOW: usize = 24;

const ELLIPSIS: &str = "…";

/// The snippet of `text` for a search of `phrases` (each phrase its words, as typed).
pub(crate) fn snippet(text: &str, phrases: &[Vec<String>]) -> String {
    let stemmer = Stemmer::create(Algorithm::English);
    let phrases = phrase_keys(phrases, &stemmer);
    let words = words(text);
    let found = instances(text, &words, &phrases, &stemmer, &mut Keys::new());
    let start = best_start(text, &words, &found, &phrases);
    write(text, &words, &found, start)
}

/// Each phrase (its words as typed) as the keys its words match by; phrases without
/// words left out.
pub(super) fn phrase_keys(phrases: &[Vec<String>], stemmer: &Stemmer) -> Vec<Vec<String>> {
    phrases
        .iter()
        .map(|words| words.iter().map(|w| key(w, stemmer)).collect())
        .filter(|words: &Vec<String>| !words.is_empty())
        .collect()
}

/// How many times each phrase of `keys` ([`phrase_keys`]) occurs in `text`, and how many
/// words `text` has: what ranking weighs, matched as the snippet marks them.
pub(super) fn occurrences(
    text: &str,
    keys: &[Vec<String>],
    stemmer: &Stemmer,
    seen: &mut Keys,
) -> (Vec<u32>, usize) {
    let words = words(text);
    let mut counts = vec![0u32; keys.len()];
    for instance in instances(text, &words, keys, stemmer, seen) {
        counts[instance.phrase] += 1;
    }
    (counts, words.len())
}

/// A word of the text: its byte range.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
}

/// A match of phrase `phrase` starting at word `at`, `len` words long.
#[derive(Debug, Clone, Copy)]
struct Instance {
    at: usize,
    len: usize,
    phrase: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

fn words(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                words.push(Word {
                    start: from,
                    end: at,
                });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        words.push(Word {
            start: from,
            end: text.len(),
        });
    }
    words
}

/// The words of `text`, as the snippet and the ranking split it.
pub(super) fn word_slices(text: &str) -> impl Iterator<Item = &str> {
    words(text)
        .into_iter()
        .map(move |word| &text[word.start..word.end])
}

/// Lower case without diacritics (decomposed, combining marks dropped).
fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// What two words must share to match: their folded stem.
pub(super) fn key(word: &str, stemmer: &Stemmer) -> String {
    stemmer.stem(&fold(word)).into_owned()
}

/// The keys of words already seen, by word as written (`None`: the word cannot match,
/// its first letter starts no phrase word). Shared across texts, since a search ranks
/// thousands of them and most words recur.
pub(super) type Keys = HashMap<String, Option<String>>;

/// Every match of every phrase, by position (phrases in order at one position).
fn instances(
    text: &str,
    words: &[Word],
    phrases: &[Vec<String>],
    stemmer: &Stemmer,
    seen: &mut Keys,
) -> Vec<Instance> {
    // Only words starting with a letter some phrase word starts with are stemmed: a stem
    // keeps its word's first letter.
    let firsts: Vec<char> = phrases
        .iter()
        .flatten()
        .filter_map(|w| w.chars().next())
        .collect();
    let keys: Vec<Option<String>> = words
        .iter()
        .map(|w| {
            let word = &text[w.start..w.end];
            if let Some(key) = seen.get(word) {
                return key.clone();
            }
            let first = fold(
                word.chars()
                    .next()
                    .map(String::from)
                    .as_deref()
                    .unwrap_or(""),
            );
            let candidate = first.chars().next().is_some_and(|c| firsts.contains(&c));
            let key = candidate.then(|| key(word, stemmer));
            seen.insert(word.to_owned(), key.clone());
            key
        })
        .collect();
    let mut found = Vec::new();
    for at in 0..words.len() {
        for (phrase, stems) in phrases.iter().enumerate() {
            let matches = stems.iter().enumerate().all(|(offset, stem)| {
                keys.get(at + offset)
                    .and_then(Option::as_ref)
                    .is_some_and(|k| k == stem)
            });
            if matches {
                found.push(Instance {
                    at,
                    len: stems.len(),
                    phrase,
                });
            }
        }
    }
    found
}

/// The first word of the window FTS5 would show: for each match, the window centred on
/// the matches it holds (a new phrase scores 1000, a repeat 1), or the window starting at
/// the sentence the match is in (scoring 100 more, 120 at the text's start) when the text
/// is longer than a window; the first best wins.
fn best_start(text: &str, words: &[Word], found: &[Instance], phrases: &[Vec<String>]) -> usize {
    let sentences = sentence_starts(text, words);
    let mut best = (0usize, 0usize);
    for instance in found {
        let (score, centred) = window_score(found, phrases.len(), words.len(), instance.at);
        if score > best.0 {
            best = (score, centred);
        }
        if words.len() > WINDOW {
            let sentence = sentences
                .iter()
                .copied()
                .take_while(|start| *start <= instance.at)
                .last()
                .unwrap_or(0);
            if sentence < instance.at {
                let (score, _) = window_score(found, phrases.len(), words.len(), sentence);
                let score = score + if sentence == 0 { 120 } else { 100 };
                if score > best.0 {
                    best = (score, sentence);
                }
            }
        }
    }
    best.1
}

/// The score of the window starting at word `from`, and where the window centred on its
/// matches starts.
fn window_score(found: &[Instance], phrases: usize, words: usize, from: usize) -> (usize, usize) {
    let mut seen = vec![false; phrases];
    let (mut score, mut first, mut last) = (0, None, 0);
    for instance in found
        .iter()
        .filter(|i| i.at >= from && i.at < from + WINDOW)
    {
        score += if seen[instance.phrase] { 1 } else { 1000 };
        seen[instance.phrase] = true;
        first.get_or_insert(instance.at);
        last = instance.at + instance.len;
    }
    let first = first.unwrap_or(0) as i64;
    let window = WINDOW as i64;
    let mut start = first - (window - (last as i64 - first)) / 2;
    if start + window > words as i64 {
        start = words as i64 - window;
    }
    (score, usize::try_from(start).unwrap_or(0))
}

/// Words that begin a sentence: the first, and each one after white space that follows a
/// `.` or `:`.
fn sentence_starts(text: &str, words: &[Word]) -> Vec<usize> {
    let mut starts = Vec::new();
    for (n, word) in words.iter().enumerate() {
        if n == 0 {
            starts.push(0);
            continue;
        }
        let before = text[..word.start].trim_end_matches([' ', '\t', '\n', '\r']);
        if before.len() < word.start && before.ends_with(['.', ':']) {
            starts.push(n);
        }
    }
    starts
}

/// Matches that overlap merged into runs of words `(first, last)`, in order.
fn runs(found: &[Instance]) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for instance in found {
        let end = instance.at + instance.len - 1;
        match runs.last_mut() {
            Some((_, last)) if instance.at <= *last => *last = (*last).max(end),
            _ => runs.push((instance.at, end)),
        }
    }
    runs
}

/// The window from word `start`, matched runs between the markers.
fn write(text: &str, words: &[Word], found: &[Instance], start: usize) -> String {
    let mut out = String::new();
    let end = start + WINDOW - 1;
    let mut copied = 0;
    if start > 0 {
        out.push_str(ELLIPSIS);
        copied = words.get(start).map_or(text.len(), |w| w.start);
    }
    let runs = runs(found);
    let mut next = runs.iter().position(|(first, _)| *first >= start);
    let mut open = false;
    let copy = |out: &mut String, from: usize, to: usize| {
        out.extend(
            text[from..to]
                .chars()
                .filter(|c| *c != MATCH_START && *c != MATCH_END),
        );
    };
    for (at, word) in words.iter().enumerate().take(end + 1).skip(start) {
        let run = next.and_then(|n| runs.get(n)).copied();
        if open && run.is_none_or(|(first, _)| at <= first) && word.start > copied {
            out.push(MATCH_END);
            open = false;
        }
        if let Some((first, last)) = run {
            if at == first && !open {
                copy(&mut out, copied, word.start);
                out.push(MATCH_START);
                copied = word.start;
                open = true;
            }
            if at == last {
                copy(&mut out, copied, word.end);
                copied = word.end;
                next = next.map(|n| n + 1);
            }
        }
        if at == end {
            if open {
                // A run the window cuts keeps its last word inside the marks.
                let run = next.and_then(|n| runs.get(n));
                if run.is_some_and(|(first, _)| at >= *first) {
                    copy(&mut out, copied, word.end);
                    copied = word.end;
                }
                out.push(MATCH_END);
                open = false;
            }
            copy(&mut out, copied, word.end);
            copied = word.end;
        }
    }
    if open {
        out.push(MATCH_END);
    }
    if end + 1 >= words.len() {
        copy(&mut out, copied, text.len());
    } else {
        out.push_str(ELLIPSIS);
    }
    out
}

#[cfg(test)]
mod tests;
