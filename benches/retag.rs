//! Tagging benchmark (issue 6 item 8): a SQLite store of 1,000,000 synthetic posts of 300–500
//! words and a 5,000-tag vocabulary. Prints:
//!
//! - ingest-time tagging speed: the `Tagger` alone, one thread, posts per second, for
//!   vocabularies of 10 to 10,000 terms (the cost should stay flat as the vocabulary grows);
//! - `syndic retag` (the real release binary) wall time and peak RSS: first tagging of an
//!   untagged store, a retag that changes nothing, and a retag after a vocabulary change
//!   (10 % of the tags take another term, 50 new tags).
//!
//! Run: `cargo bench --bench retag`. Knobs: SYNDIC_BENCH_POSTS (default 1000000; 100000
//! for a quick run), SYNDIC_BENCH_TERMS (5000). The store is built once per post count and
//! kept under `target/tmp/retag-bench/` (about 2.7 GB for a million posts); later runs only
//! clear its tag links. It is written through the store's ingest in batches of 10,000
//! posts, with the full-text search triggers dropped (search is not measured here, and its
//! index would double the file). It prints figures and asserts nothing.
//!
//! The text: each post is about one or two vocabulary terms (in the title and repeated 2–4
//! times), mentions two others once in passing, and fills the rest with common words drawn
//! with a Zipf-like (log-uniform) law from 20,000 pseudo-words that are never tag terms.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use syndic_tag::{PostText, TagRule, Tagger, TaggingSettings};

/// Words that fill the text (never tag terms).
const COMMON_WORDS: usize = 20_000;
/// Candidate tag terms follow the common words in the lexicon.
const TERM_WORDS: usize = 40_000;
const SYLLABLES: [&str; 20] = [
    "ka", "to", "ri", "ne", "lo", "ma", "su", "pe", "di", "ra", "vo", "mi", "ta", "ze", "bu", "ko",
    "ha", "li", "no", "fe",
];

fn main() {
    let posts = env_number("SYNDIC_BENCH_POSTS", 1_000_000);
    let terms = env_number("SYNDIC_BENCH_TERMS", 5_000);
    let lexicon = Lexicon::new();
    println!("retag bench: {posts} posts, {terms}-term vocabulary");

    ingest_speed(&lexicon, terms);

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("retag-bench");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return;
    }
    let db = dir.join(format!("posts-{posts}.db"));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("no runtime: {e}");
            return;
        }
    };
    if let Err(e) = runtime.block_on(prepare_store(&db, posts, terms, &lexicon)) {
        eprintln!("cannot prepare the store: {e}");
        return;
    }
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!("store: {} ({} MB)", db.display(), size / 1_000_000);

    let config = dir.join(format!("syndic-{posts}.toml"));
    let vocabulary = vocabulary(&lexicon, terms, false);
    if let Err(e) = write_config(&config, &db, &vocabulary) {
        eprintln!("cannot write the config: {e}");
        return;
    }
    for (label, changed) in [
        ("first tagging", false),
        ("no-change retag", false),
        ("after a vocabulary change", true),
    ] {
        if changed {
            let vocabulary = vocabulary_changed(&lexicon, terms);
            if let Err(e) = write_config(&config, &db, &vocabulary) {
                eprintln!("cannot write the config: {e}");
                return;
            }
        }
        match run_retag(&config) {
            Ok(m) => println!(
                "retag, {label}: {:.1} s wall, {:.0} posts/s, peak RSS {} MB\n    {}",
                m.wall.as_secs_f64(),
                posts as f64 / m.wall.as_secs_f64(),
                m.peak_kib / 1024,
                m.summary
            ),
            Err(e) => {
                eprintln!("retag, {label}: {e}");
                return;
            }
        }
    }
    if let Err(e) = runtime.block_on(learned_ingest_speed(&db, &lexicon, terms)) {
        eprintln!("ingest-time tagging with the store's corpus model: {e}");
    }
}

/// Ingest-time tagging at `terms` terms with what the store's last retag learned (term
/// weights from document frequencies, tag profiles), against the same vocabulary without
/// it: the cost before corpus statistics and profiles existed. Issue 15's aim: at most 1.5x.
async fn learned_ingest_speed(
    db: &Path,
    lexicon: &Lexicon,
    terms: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let store = syndic_store::Store::open(&format!("sqlite://{}", db.display())).await?;
    let stats = store
        .corpus_stats(syndic_tag::corpus::MAX_MODEL_STEMS)
        .await?;
    let saved: Vec<syndic_tag::SavedTagModel> = store
        .tag_models()
        .await?
        .iter()
        .filter_map(|(_, json)| syndic_tag::SavedTagModel::from_json(json))
        .collect();
    store.close().await;
    let plain = Tagger::with_settings(
        &vocabulary_changed(lexicon, terms),
        &TaggingSettings::default(),
    )?;
    let learned = plain.with_corpus(&stats, &saved);
    let mut rng = Rng(11);
    let sample: Vec<(String, String)> = (0..20_000)
        .map(|_| post(&mut rng, lexicon, terms))
        .collect();
    let rate = |tagger: &Tagger| {
        let started = Instant::now();
        let mut tags = 0usize;
        for (title, text) in &sample {
            let post = PostText {
                title,
                text,
                ..PostText::default()
            };
            tags += tagger.tag(&post).len();
        }
        (sample.len() as f64 / started.elapsed().as_secs_f64(), tags)
    };
    // Alternate, so a noisy neighbour slows both alike.
    let (mut without, mut with) = ((0.0, 0), (0.0, 0));
    for _ in 0..3 {
        let a = rate(&plain);
        let b = rate(&learned);
        without = (without.0 + a.0 / 3.0, a.1);
        with = (with.0 + b.0 / 3.0, b.1);
    }
    println!(
        "ingest-time tagging, {terms} terms: {:.0} posts/s without the corpus model, {:.0} with \
         it ({} tag profiles): {:.2}x the per-post cost (aim: at most 1.5x); {} and {} tags",
        without.0,
        with.0,
        saved.len(),
        without.0 / with.0,
        without.1,
        with.1
    );
    Ok(())
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// splitmix64: deterministic, fast, good enough for text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A common word's rank, log-uniform: rank r is about 1/r likely.
    fn zipf(&mut self, n: usize) -> usize {
        ((n as f64).powf(self.unit()) as usize)
            .saturating_sub(1)
            .min(n - 1)
    }
}

/// Pseudo-words: the first COMMON_WORDS fill text, the rest are candidate tag terms.
struct Lexicon {
    words: Vec<String>,
}

impl Lexicon {
    fn new() -> Lexicon {
        let mut words = Vec::with_capacity(COMMON_WORDS + TERM_WORDS);
        // Base-20 numerals spelled in syllables, 3 syllables and up (no word repeats).
        let mut n = 400usize;
        while words.len() < COMMON_WORDS + TERM_WORDS {
            let mut word = String::new();
            let mut k = n;
            while k > 0 {
                word.push_str(SYLLABLES[k % 20]);
                k /= 20;
            }
            words.push(word);
            n += 1;
        }
        Lexicon { words }
    }

    fn common(&self, rank: usize) -> &str {
        &self.words[rank]
    }

    /// The candidate tag term number `i` (spread over the term range).
    fn term(&self, i: usize) -> &str {
        &self.words[COMMON_WORDS + (i * 7) % TERM_WORDS]
    }
}

/// The vocabulary: `terms` tags named tN, one term each (every 10th a two-word phrase).
fn vocabulary(lexicon: &Lexicon, terms: usize, _changed: bool) -> Vec<TagRule> {
    (0..terms)
        .map(|i| {
            let term = if i % 10 == 9 {
                format!("{} {}", lexicon.term(i), lexicon.common(i % 50))
            } else {
                lexicon.term(i).to_owned()
            };
            TagRule {
                name: format!("t{i}"),
                terms: vec![term],
                ..TagRule::default()
            }
        })
        .collect()
}

/// 10 % of the tags take their neighbour's term (losing their posts, gaining the
/// neighbour's), and 50 new tags share the terms of existing ones.
fn vocabulary_changed(lexicon: &Lexicon, terms: usize) -> Vec<TagRule> {
    let mut rules = vocabulary(lexicon, terms, false);
    for (i, rule) in rules.iter_mut().enumerate().filter(|(i, _)| i % 10 == 3) {
        rule.terms = vec![lexicon.term(i + 1).to_owned()];
    }
    for i in 0..50 {
        rules.push(TagRule {
            name: format!("new{i}"),
            terms: vec![lexicon.term(i * 10 + 5).to_owned()],
            ..TagRule::default()
        });
    }
    rules
}

/// One synthetic post: (title, text).
fn post(rng: &mut Rng, lexicon: &Lexicon, terms: usize) -> (String, String) {
    let topics = [rng.below(terms), rng.below(terms)];
    let about = 1 + rng.below(2);
    let passing = [rng.below(terms * 2), rng.below(terms * 2)];
    let words = 300 + rng.below(201);
    let mut title = String::new();
    for i in 0..4 + rng.below(4) {
        if i > 0 {
            title.push(' ');
        }
        title.push_str(lexicon.common(rng.zipf(COMMON_WORDS)));
    }
    title.push(' ');
    title.push_str(lexicon.term(topics[0]));
    let mut text = String::with_capacity(words * 8);
    let mut repeats: Vec<usize> = Vec::new();
    for &topic in topics.iter().take(about) {
        for _ in 0..2 + rng.below(3) {
            repeats.push(topic);
        }
    }
    repeats.extend(passing);
    let mut sentence = 0;
    for w in 0..words {
        let word = if w % 40 == 7 && !repeats.is_empty() {
            let at = rng.below(repeats.len());
            lexicon.term(repeats.swap_remove(at))
        } else {
            lexicon.common(rng.zipf(COMMON_WORDS))
        };
        if sentence == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                text.extend(first.to_uppercase());
                text.push_str(chars.as_str());
            }
        } else {
            text.push(' ');
            text.push_str(word);
        }
        sentence += 1;
        if sentence > 8 + rng.below(10) {
            text.push_str(". ");
            sentence = 0;
            if rng.below(5) == 0 {
                text.push_str("\n\n");
            }
        }
    }
    text.push('.');
    (title, text)
}

/// Tagger speed alone, one thread, as ingest uses it.
fn ingest_speed(lexicon: &Lexicon, terms: usize) {
    let mut rng = Rng(7);
    let sample: Vec<(String, String)> = (0..20_000)
        .map(|_| post(&mut rng, lexicon, terms))
        .collect();
    let mut sizes = vec![10, 100, 1_000, terms, 10_000];
    sizes.sort_unstable();
    sizes.dedup();
    for size in sizes {
        let rules = vocabulary(lexicon, size, false);
        let built = Instant::now();
        let tagger = match Tagger::with_settings(&rules, &TaggingSettings::default()) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("vocabulary of {size}: {e}");
                continue;
            }
        };
        let compile = built.elapsed();
        let started = Instant::now();
        let mut tags = 0usize;
        for (title, text) in &sample {
            tags += tagger
                .tag(&PostText {
                    title,
                    text,
                    ..PostText::default()
                })
                .len();
        }
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "ingest-time tagging, {size:>5} terms: {:>8.0} posts/s on one thread \
             ({:.1} tags/post; compiled in {:.0} ms)",
            sample.len() as f64 / elapsed,
            tags as f64 / sample.len() as f64,
            compile.as_secs_f64() * 1000.0
        );
    }
}

/// Builds the store once (marker file beside it), else clears its tag links so that the
/// first retag tags from scratch.
async fn prepare_store(
    db: &Path,
    posts: usize,
    terms: usize,
    lexicon: &Lexicon,
) -> Result<(), String> {
    use syndic_store::testing::execute;
    let marker = db.with_extension("done");
    if !marker.exists() {
        let _ = std::fs::remove_file(db);
        let started = Instant::now();
        // The real schema, through the store's own migrations; posts through its ingest.
        let store = syndic_store::Store::open_sqlite_path(db)
            .await
            .map_err(|e| e.to_string())?;
        let spec = syndic_store::SourceSpec {
            url: "bench.xml".into(),
            name: None,
        };
        let now = chrono::Utc::now();
        let source = store
            .upsert_source(&spec, now)
            .await
            .map_err(|e| e.to_string())?;
        let mut rng = Rng(42);
        let mut batch = Vec::with_capacity(10_000);
        for n in 0..posts {
            let (title, text) = post(&mut rng, lexicon, terms);
            batch.push(syndic_store::IncomingPost {
                stems: Vec::new(),
                admission: Default::default(),
                entry: syndic_core::FeedEntry {
                    guid: format!("p{n}"),
                    title,
                    link: Some(format!("https://bench.example/p{n}")),
                    author: None,
                    published: chrono::DateTime::from_timestamp(1_700_000_000 + n as i64, 0),
                    updated: None,
                    content_html: String::new(),
                    content_text: text,
                    categories: Vec::new(),
                    language: Some("en".into()),
                    origin: None,
                    enclosures: Vec::new(),
                    original_links: Vec::new(),
                },
                tags: Vec::new(),
            });
            if batch.len() == 10_000 || n + 1 == posts {
                store
                    .ingest(source, &syndic_core::FeedMeta::default(), &batch, now)
                    .await
                    .map_err(|e| e.to_string())?;
                batch.clear();
            }
            if n % 100_000 == 99_999 {
                eprintln!("  stored {} posts", n + 1);
            }
        }
        // Retag reads no search index: the posts need none.
        execute(&store, "DELETE FROM search_pending")
            .await
            .map_err(|e| e.to_string())?;
        execute(&store, "PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .map_err(|e| e.to_string())?;
        store.close().await;
        std::fs::write(&marker, "built").map_err(|e| e.to_string())?;
        println!(
            "built the store in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let store = syndic_store::Store::open_sqlite_path(db)
        .await
        .map_err(|e| e.to_string())?;
    execute(
        &store,
        "DELETE FROM post_tags; DELETE FROM tag_vetoes; DELETE FROM tag_aliases;
         DELETE FROM tags; PRAGMA wal_checkpoint(TRUNCATE);",
    )
    .await
    .map_err(|e| e.to_string())?;
    store.close().await;
    Ok(())
}

fn write_config(config: &Path, db: &Path, rules: &[TagRule]) -> std::io::Result<()> {
    use std::fmt::Write as _;
    let mut text = format!(
        "[database]\nurl = \"sqlite://{}\"\n\n[[source]]\nurl = \"bench.xml\"\n\n",
        db.display()
    );
    for rule in rules {
        let _ = writeln!(
            text,
            "[[tag]]\nname = \"{}\"\nterms = [\"{}\"]\n",
            rule.name, rule.terms[0]
        );
    }
    std::fs::write(config, text)
}

struct Measured {
    wall: Duration,
    peak_kib: u64,
    summary: String,
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

fn run_retag(config: &PathBuf) -> Result<Measured, String> {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .arg("retag")
        .arg("--examples")
        .arg("0")
        .arg("--config")
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run syndic: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .filter(|l| l.starts_with("retagged"))
            .last()
            .unwrap_or_default()
    });
    let mut peak = 0;
    let status = loop {
        peak = vm_hwm_kib(child.id()).unwrap_or(0).max(peak);
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for syndic: {e}")),
        }
    };
    let wall = started.elapsed();
    let summary = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("syndic retag failed: {status}"));
    }
    Ok(Measured {
        wall,
        peak_kib: peak,
        summary,
    })
}
