//! Plain text to comparable words: the tokenizer both vocabulary terms and posts go through.
//!
//! A word is a maximal run of word characters (Unicode letters and digits, `_`, and combining
//! marks) that may contain apostrophes between word characters (`don't`, `wasn’t`). So
//! `mapSeries`, `map_reduce` and `map2` are single words, while `machine-learning` and `map.` are
//! split at the punctuation. Words are case-folded ([`fold`]) and then reduced to their English
//! Snowball stem, so `maps`, `mapped` and `Mapping` all compare equal to `map`.
//!
//! URLs are not prose: from a scheme (`https://`, or anything with `://`) to the next whitespace
//! nothing is a word, and the tokenizer reports a [`Token::Break`] there so a phrase cannot be
//! matched across the link either.

use rust_stemmers::Stemmer;

/// What the tokenizer found next in a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'t> {
    /// A word as written (not yet folded or stemmed).
    Word(&'t str),
    /// A skipped URL: words on either side are not adjacent.
    Break,
}

/// Calls `visit` with every word of `text` in order, and a [`Token::Break`] for each skipped URL.
pub(crate) fn for_each_token<'t>(text: &'t str, mut visit: impl FnMut(Token<'t>)) {
    for chunk in text.split(char::is_whitespace) {
        match url_start(chunk) {
            Some(start) => {
                for_each_word(&chunk[..start], &mut visit);
                visit(Token::Break);
            }
            None => for_each_word(chunk, &mut visit),
        }
    }
}

/// [`for_each_token`] into `out` (through `make`, which also learns whether a word is
/// ASCII), faster on ASCII text: one pass over the bytes cuts the words of a chunk between
/// ASCII whitespace; a chunk that turns out to hold a non-ASCII character or a `:` (perhaps
/// a URL) has its words taken back and is cut again the general way.
pub(crate) fn tokens_into<'t, T>(
    text: &'t str,
    out: &mut Vec<T>,
    mut make: impl FnMut(Token<'t>, bool) -> T,
) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut at = 0;
    while at < n {
        while at < n && CLASS[bytes[at] as usize] & SPACE != 0 {
            at += 1;
        }
        if at == n {
            break;
        }
        let (chunk_start, mark) = (at, out.len());
        let mut seen = 0;
        let mut word: Option<usize> = None;
        while at < n {
            let class = CLASS[bytes[at] as usize];
            if class & SPACE != 0 {
                break;
            }
            seen |= class;
            if class & WORD != 0 {
                word.get_or_insert(at);
            } else if !(bytes[at] == b'\''
                && word.is_some()
                && bytes.get(at + 1).is_some_and(|&b| is_ascii_word_byte(b)))
                && let Some(from) = word.take()
            {
                // A word starts and ends next to ASCII bytes, so on char boundaries.
                out.push(make(
                    Token::Word(text.get(from..at).unwrap_or_default()),
                    true,
                ));
            }
            at += 1;
        }
        if let Some(from) = word {
            out.push(make(
                Token::Word(text.get(from..at).unwrap_or_default()),
                true,
            ));
        }
        if seen & (HIGH | COLON) == 0 {
            continue;
        }
        out.truncate(mark);
        let chunk = text.get(chunk_start..at).unwrap_or_default();
        if seen & HIGH != 0 {
            for_each_token(chunk, |token| {
                let ascii = matches!(token, Token::Word(w) if w.is_ascii());
                out.push(make(token, ascii));
            });
            continue;
        }
        let mut visit = |token, ascii| out.push(make(token, ascii));
        match url_start(chunk) {
            Some(url) => {
                for_each_ascii_word(&chunk[..url], &mut visit);
                visit(Token::Break, true);
            }
            None => for_each_ascii_word(chunk, &mut visit),
        }
    }
}

/// Byte classes of the ASCII fast path: the ASCII characters `char::is_whitespace`
/// accepts...
const SPACE: u8 = 1;
/// ...ASCII word characters...
const WORD: u8 = 2;
/// ...`:` (a URL needs one)...
const COLON: u8 = 4;
/// ...and bytes of non-ASCII characters.
const HIGH: u8 = 8;

static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if matches!(c, b' ' | b'\t'..=b'\r') {
            SPACE
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            WORD
        } else if c == b':' {
            COLON
        } else if c >= 0x80 {
            HIGH
        } else {
            0
        };
        b += 1;
    }
    table
};

fn is_ascii_word_byte(b: u8) -> bool {
    CLASS[b as usize] & WORD != 0
}

/// [`for_each_word`] for an all-ASCII chunk.
fn for_each_ascii_word<'t>(chunk: &'t str, visit: &mut impl FnMut(Token<'t>, bool)) {
    let bytes = chunk.as_bytes();
    let mut start = None;
    for (at, &b) in bytes.iter().enumerate() {
        if is_ascii_word_byte(b) {
            start.get_or_insert(at);
            continue;
        }
        if b == b'\''
            && start.is_some()
            && bytes.get(at + 1).is_some_and(|&n| is_ascii_word_byte(n))
        {
            continue;
        }
        if let Some(from) = start.take() {
            visit(Token::Word(&chunk[from..at]), true);
        }
    }
    if let Some(from) = start {
        visit(Token::Word(&chunk[from..]), true);
    }
}

/// Where a URL begins inside a whitespace-free chunk: the scheme before the first `://`.
fn url_start(chunk: &str) -> Option<usize> {
    let colon = chunk.as_bytes().windows(3).position(|w| w == b"://")?;
    let scheme_len = chunk[..colon]
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    Some(colon - scheme_len)
}

fn for_each_word<'t>(chunk: &'t str, visit: &mut impl FnMut(Token<'t>)) {
    let mut start = None;
    let mut chars = chunk.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if is_word_char(c) {
            start.get_or_insert(at);
            continue;
        }
        let inside_word = start.is_some() && chars.peek().is_some_and(|&(_, n)| is_word_char(n));
        if is_apostrophe(c) && inside_word {
            continue;
        }
        if let Some(from) = start.take() {
            visit(Token::Word(&chunk[from..at]));
        }
    }
    if let Some(from) = start {
        visit(Token::Word(&chunk[from..]));
    }
}

/// Letters and digits of every script, `_` (identifiers stay whole), and combining marks (so text
/// in decomposed form, `e` + U+0301, keeps its accented words in one piece).
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Case-folds `word` into `out` (cleared first): Unicode lowercase, plus the few foldings
/// lowercase alone misses, so `STRASSE`, `Straße` and `STRAẞE` compare equal, a final `ς` equals
/// `σ`, and typographic apostrophes equal `'` (which the stemmer understands).
pub(crate) fn fold(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
        return;
    }
    for c in word.chars() {
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ς' => out.push('σ'),
            c if is_apostrophe(c) => out.push('\''),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// The stems of a vocabulary term: the words of `term`, folded and stemmed as a post's are.
pub(crate) fn term_stems(term: &str, stemmer: &Stemmer) -> Vec<String> {
    let mut folded = String::new();
    let mut stems = Vec::new();
    for_each_word(term, &mut |token| {
        if let Token::Word(word) = token {
            fold(word, &mut folded);
            stems.push(stemmer.stem(&folded).into_owned());
        }
    });
    stems
}

#[cfg(test)]
mod tests {
    use rust_stemmers::Algorithm;

    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_token(text, |t| match t {
            Token::Word(w) => out.push(w.to_owned()),
            Token::Break => out.push("|".to_owned()),
        });
        out
    }

    fn stems(text: &str) -> Vec<String> {
        term_stems(text, &Stemmer::create(Algorithm::English))
    }

    #[test]
    fn the_ascii_fast_path_cuts_as_the_general_one() {
        let texts = [
            "a map. (map) map,map machine-learning mapSeries map_reduce map2",
            "don't wasn’t 'quoted' map’s dogs' map' a'b'c '' ' x'",
            "see https://example.com/map/x now link:http://x.org/map (ftp://a/map) map://",
            "tabs\tand\x0bvertical\x0cfeeds\r\nlines\u{a0}nbsp\u{2003}em café naïve",
            "日本語のテキスト Ünïcödé 🦀crab \u{0}\u{202E}x cafe\u{301} http://é/x y",
            "",
            "   ",
            "end's x' 'y a''b c'd' e:f g:// h://i j\u{2019}k",
        ];
        for text in texts {
            let mut slow = Vec::new();
            for_each_token(text, |t| slow.push(t));
            let mut fast = Vec::new();
            tokens_into(text, &mut fast, |t, ascii| {
                if let Token::Word(w) = t {
                    assert_eq!(ascii, w.is_ascii(), "{w:?}");
                }
                t
            });
            assert_eq!(fast, slow, "{text:?}");
        }
    }

    #[test]
    fn punctuation_separates_words() {
        assert_eq!(
            words("a map. (map) map,map"),
            ["a", "map", "map", "map", "map"]
        );
        assert_eq!(words("machine-learning"), ["machine", "learning"]);
    }

    #[test]
    fn identifiers_stay_whole() {
        assert_eq!(
            words("mapSeries map_reduce map2"),
            ["mapSeries", "map_reduce", "map2"]
        );
    }

    #[test]
    fn apostrophes_inside_words_are_kept() {
        assert_eq!(
            words("don't wasn’t 'quoted' map’s"),
            ["don't", "wasn’t", "quoted", "map’s"]
        );
        assert_eq!(words("dogs' map'"), ["dogs", "map"]);
    }

    #[test]
    fn urls_are_skipped_and_break_adjacency() {
        assert_eq!(
            words("see https://example.com/map/x now"),
            ["see", "|", "now"]
        );
        assert_eq!(words("link:http://x.org/map"), ["link", "|"]);
        assert_eq!(words("(ftp://a/map) git+ssh://h/map"), ["|", "|"]);
        assert_eq!(words("map://"), ["|"]);
    }

    #[test]
    fn a_colon_alone_is_not_a_url() {
        assert_eq!(words("note: map"), ["note", "map"]);
    }

    #[test]
    fn combining_marks_stay_in_the_word() {
        assert_eq!(words("cafe\u{301} noir"), ["cafe\u{301}", "noir"]);
    }

    #[test]
    fn folding_is_unicode_lowercase_plus_sharp_s() {
        let mut out = String::new();
        for (input, want) in [
            ("MAP", "map"),
            ("Straße", "strasse"),
            ("STRAẞE", "strasse"),
            ("ÉCOLE", "école"),
            ("ΟΔΟΣ", "οδοσ"),
            ("οδος", "οδοσ"),
            ("wasn’t", "wasn't"),
        ] {
            fold(input, &mut out);
            assert_eq!(out, want, "fold({input:?})");
        }
    }

    #[test]
    fn inflections_share_a_stem() {
        assert_eq!(stems("map Maps mapped MAPPING map’s"), ["map"; 5]);
        assert_eq!(stems("heatmaps roadmap"), ["heatmap", "roadmap"]);
    }

    #[test]
    fn phrases_stem_word_by_word() {
        assert_eq!(stems("State Machines"), stems("state machine"));
        assert_eq!(stems("machine-learning"), ["machin", "learn"]);
        assert!(stems("--").is_empty());
    }

    #[test]
    fn odd_unicode_does_not_panic() {
        let text = "日本語のテキスト Ünïcödé ÿ ǅ ﬁ İstanbul 🦀crab \u{0}\u{202E}x ' '' ’s a'b'c";
        let words = words(text);
        assert_eq!(words.len(), 10, "{words:?}");
        assert_eq!(words[6..], ["crab", "x", "s", "a'b'c"]);
        assert_eq!(stems(text).len(), 10);
    }
}
