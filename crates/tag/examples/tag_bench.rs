//! Throughput of `Tagger::tag` with a 1,000-term vocabulary over synthetic posts.
//!
//! `cargo run -p syndic-tag --release --example tag_bench`
//!
//! Everything is generated from a fixed seed, so runs compare like with like.

use std::hint::black_box;
use std::time::Instant;

use syndic_tag::{MatchMode, TagRule, Tagger};

const TERMS: usize = 1_000;
const POSTS: usize = 20_000;
const WORDS_PER_POST: usize = 300;
/// Terms are built from these...
const TERM_SYLLABLES: [&str; 16] = [
    "ka", "lo", "mi", "ter", "san", "vo", "ri", "den", "pa", "qu", "el", "nor", "ba", "tis", "ru",
    "men",
];
/// ...and the rest of a post from these, with English endings for the stemmer to work on.
const FILLER_SYLLABLES: [&str; 16] = [
    "ho", "ly", "gra", "fe", "ston", "wi", "bu", "cor", "dat", "ex", "jo", "ge", "pro", "sy", "ta",
    "ve",
];
/// Prose is mostly a few common words: two words in five come from here.
const COMMON: [&str; 48] = [
    "the", "of", "and", "to", "in", "is", "that", "for", "it", "with", "as", "was", "on", "be",
    "by", "this", "are", "from", "or", "have", "an", "they", "which", "one", "you", "were", "all",
    "there", "would", "their", "we", "been", "has", "when", "who", "will", "more", "no", "if",
    "out", "so", "what", "up", "its", "about", "into", "than", "can",
];
const ENDINGS: [&str; 8] = ["", "", "", "s", "ing", "ed", "ation", "ly"];
/// One word in this many is taken from a vocabulary term.
const TERM_EVERY: usize = 80;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }

    fn term_word(&mut self) -> String {
        (0..2 + self.below(2))
            .map(|_| self.pick(&TERM_SYLLABLES))
            .collect()
    }

    fn filler_word(&mut self) -> String {
        if self.below(5) < 2 {
            return self.pick(&COMMON).to_owned();
        }
        let mut word: String = (0..1 + self.below(3))
            .map(|_| self.pick(&FILLER_SYLLABLES))
            .collect();
        word.push_str(self.pick(&ENDINGS));
        word
    }
}

/// 500 tags with two terms each; one term in five is a two-word phrase.
fn vocabulary(rng: &mut Rng, mode: MatchMode) -> Vec<TagRule> {
    (0..TERMS / 2)
        .map(|i| TagRule {
            name: format!("tag{i}"),
            terms: (0..2)
                .map(|_| match rng.below(5) {
                    0 => format!("{} {}", rng.term_word(), rng.term_word()),
                    _ => rng.term_word(),
                })
                .collect(),
            mode,
            ..TagRule::default()
        })
        .collect()
}

/// A post of `words` words: filler with capitals, punctuation, the odd URL and identifier, and
/// now and then a word or phrase of the vocabulary.
fn post(rng: &mut Rng, terms: &[&str], words: usize) -> (String, String) {
    let word = |rng: &mut Rng| match rng.below(TERM_EVERY) {
        0 => rng.pick(terms).to_owned(),
        _ => rng.filler_word(),
    };
    let title = (0..8).map(|_| word(rng)).collect::<Vec<_>>().join(" ");
    let mut text = String::with_capacity(words * 8);
    for i in 0..words {
        let mut word = word(rng);
        match rng.below(40) {
            0 => word = format!("https://example.com/{word}/x"),
            1 => word = format!("{word}_{}", rng.filler_word()),
            2 => word[..1].make_ascii_uppercase(),
            _ => {}
        }
        text.push_str(&word);
        text.push_str(match i % 12 {
            11 => ". ",
            5 => ", ",
            _ => " ",
        });
    }
    (title, text)
}

fn bench(label: &str, tagger: &Tagger, posts: &[(String, String)]) {
    let bytes: usize = posts.iter().map(|(t, x)| t.len() + x.len()).sum();
    let start = Instant::now();
    let mut tags = 0;
    for (title, text) in posts {
        tags += black_box(tagger.tag(&syndic_tag::PostText {
            title,
            text,
            ..Default::default()
        }))
        .len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label:<34} {:>9.0} posts/s  {:>7.1} µs/post  {:>6.1} MB/s  {:.1} tags/post",
        posts.len() as f64 / secs,
        secs * 1e6 / posts.len() as f64,
        bytes as f64 / secs / 1e6,
        tags as f64 / posts.len() as f64,
    );
}

fn main() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let word_rules = vocabulary(&mut rng, MatchMode::Word);
    let substring_rules: Vec<TagRule> = word_rules
        .iter()
        .map(|r| TagRule {
            mode: MatchMode::Substring,
            ..r.clone()
        })
        .collect();
    let build = Instant::now();
    let word_tagger = Tagger::new(&word_rules).expect("word vocabulary compiles");
    let word_build = build.elapsed();
    let build = Instant::now();
    let substring_tagger = Tagger::new(&substring_rules).expect("substring vocabulary compiles");
    let substring_build = build.elapsed();
    println!("compile {TERMS} terms: word {word_build:?}, substring {substring_build:?}");

    let terms: Vec<&str> = word_rules
        .iter()
        .flat_map(|r| r.terms.iter().map(String::as_str))
        .collect();
    let posts: Vec<_> = (0..POSTS)
        .map(|_| post(&mut rng, &terms, WORDS_PER_POST))
        .collect();
    let avg = posts.iter().map(|(_, x)| x.len()).sum::<usize>() / POSTS;
    println!("{POSTS} posts of {WORDS_PER_POST} words (~{avg} bytes of text each)");
    bench("word mode", &word_tagger, &posts);
    bench("substring mode", &substring_tagger, &posts);

    let big: Vec<_> = (0..2_000).map(|_| post(&mut rng, &terms, 700)).collect();
    let avg = big.iter().map(|(_, x)| x.len()).sum::<usize>() / big.len();
    println!("2000 posts of 700 words (~{avg} bytes of text each)");
    bench("word mode", &word_tagger, &big);
    bench("substring mode", &substring_tagger, &big);
}
