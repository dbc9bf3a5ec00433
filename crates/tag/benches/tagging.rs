//! Throughput of `Tagger::tag_with` over synthetic posts, for vocabularies of 10 to 10,000
//! terms: tagging cost should not grow with the vocabulary.
//!
//! `cargo bench -p syndic-tag --bench tagging` (`QUICK=1`: 400-word posts only; `NO_MIXED=1`:
//! word mode only; `TERMS=n`: that vocabulary size only)
//!
//! Everything is generated from a fixed seed, so runs compare like with like.

use std::hint::black_box;
use std::time::Instant;

use syndic_tag::{MatchMode, PostText, Scratch, TagRule, Tagger};

const POSTS: usize = 10_000;
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

/// `terms / 2` tags with two terms each; one term in five is a two-word phrase.
fn vocabulary(rng: &mut Rng, terms: usize, mode: MatchMode) -> Vec<TagRule> {
    (0..terms.div_ceil(2))
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

/// The same vocabulary with a third of the tags exact, a third substring and a tenth regex.
fn mixed(rules: &[TagRule]) -> Vec<TagRule> {
    rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let mode = match i % 10 {
                0 => MatchMode::Regex,
                1..=3 => MatchMode::Exact,
                4..=6 => MatchMode::Substring,
                _ => MatchMode::Word,
            };
            let terms = match mode {
                MatchMode::Regex => rule.terms.iter().map(|t| format!(r"{t}s?")).collect(),
                _ => rule.terms.clone(),
            };
            TagRule {
                mode,
                terms,
                ..rule.clone()
            }
        })
        .collect()
}

/// A post of `words` words in paragraphs of about 60, now and then a short list: filler
/// with capitals, punctuation, the odd URL and identifier, and now and then a word or phrase
/// of the vocabulary.
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
        text.push_str(match (i % 60, i % 12) {
            (59, _) if rng.below(4) == 0 => ".\n\n  • ",
            (59, _) => ".\n\n",
            (_, 11) => ". ",
            (_, 5) => ", ",
            _ => " ",
        });
    }
    (title, text)
}

/// Nanoseconds this thread has run on a CPU (Linux), so that figures on a shared machine
/// do not count the time other processes had the core; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Posts timed together; a run reports its best and its median slice, since on a shared
/// machine the mean mostly measures the neighbours.
const SLICE: usize = 2_000;

/// Tags every post once; returns (posts/s, best µs/post, median µs/post, tags/post), by CPU
/// time where the platform tells it, else by wall time.
fn run(tagger: &Tagger, posts: &[(String, String)]) -> (f64, f64, f64, f64) {
    let mut scratch = Scratch::new();
    // Warm the scratch's word cache as a long-running ingest would have it.
    for (title, text) in posts.iter().take(200) {
        black_box(tagger.tag_with(
            &PostText {
                title,
                text,
                ..Default::default()
            },
            &mut scratch,
        ));
    }
    let mut tags = 0;
    let mut per_post: Vec<f64> = Vec::new();
    for slice in posts.chunks(SLICE) {
        let start = Instant::now();
        let cpu_start = thread_cpu_ns();
        for (title, text) in slice {
            let post = PostText {
                title,
                text,
                language: Some("en"),
                ..Default::default()
            };
            tags += black_box(tagger.tag_with(&post, &mut scratch)).len();
        }
        let wall = start.elapsed().as_secs_f64();
        let secs = match (cpu_start, thread_cpu_ns()) {
            (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e9,
            _ => wall,
        };
        per_post.push(secs * 1e6 / slice.len() as f64);
    }
    per_post.sort_by(f64::total_cmp);
    let best = per_post[0];
    let median = per_post[per_post.len() / 2];
    (1e6 / best, best, median, tags as f64 / posts.len() as f64)
}

fn main() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    println!(
        "{:<12} {:>7} {:>6} {:>11} {:>9} {:>9} {:>9} {:>10}",
        "mode", "terms", "words", "compile", "posts/s", "µs/post", "median", "tags/post"
    );
    for words in [400, 1_000] {
        if std::env::var_os("QUICK").is_some() && words > 400 {
            break;
        }
        for terms in [10, 100, 1_000, 5_000, 10_000] {
            let rules = vocabulary(&mut rng, terms, MatchMode::Word);
            let all_terms: Vec<&str> = rules
                .iter()
                .flat_map(|r| r.terms.iter().map(String::as_str))
                .collect();
            let posts: Vec<_> = (0..POSTS)
                .map(|_| {
                    let length = words / 2 + rng.below(words);
                    post(&mut rng, &all_terms, length)
                })
                .collect();
            let mut runs = vec![("word", rules.clone())];
            if terms == 1_000 && std::env::var_os("NO_MIXED").is_none() {
                runs.push(("mixed", mixed(&rules)));
            }
            // Skipped sizes still draw their posts, so the others see the same ones.
            let only = std::env::var("TERMS")
                .ok()
                .and_then(|t| t.parse::<usize>().ok());
            if only.is_some_and(|only| only != terms) {
                continue;
            }
            for (label, rules) in runs {
                let build = Instant::now();
                let tagger = Tagger::new(&rules).expect("vocabulary compiles");
                let compile = build.elapsed();
                let (per_sec, micros, median, tags) = run(&tagger, &posts);
                println!(
                    "{label:<12} {terms:>7} {words:>6} {:>9.1}ms {per_sec:>9.0} {micros:>9.1} {median:>9.1} {tags:>10.2}",
                    compile.as_secs_f64() * 1e3
                );
            }
        }
    }
    println!("(words: average post length; posts vary from half to one and a half times it)");
    println!("(posts/s and µs/post: the best slice of {SLICE} posts; median: the median slice)");
    if thread_cpu_ns().is_some() {
        println!("(by this thread's CPU time, not wall time)");
    }
}
