//! The benchmark's store: posts of made-up prose across sources and tags, the same on
//! every run.

use chrono::{TimeZone, Utc};
use syndic_core::{FeedEntry, FeedMeta, TagAssignment, TagOrigin};
use syndic_store::{IncomingPost, SourceSpec, Store};

/// Deterministic pseudo-random numbers (xorshift), so every run builds the same store.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Words every post may use, so that searches for them hit posts (and so are measured).
const TOPICS: &[&str] = &[
    "cluster",
    "latency",
    "kernel",
    "scheduler",
    "database",
    "index",
    "replica",
    "query",
    "cache",
    "deploy",
    "rollback",
    "metrics",
    "dashboard",
    "tracing",
    "incident",
    "config",
    "network",
    "socket",
    "thread",
    "memory",
    "compiler",
    "borrow",
    "async",
    "runtime",
    "storage",
    "backup",
    "snapshot",
    "migration",
    "kubernetes",
    "tectonic",
    "container",
    "pipeline",
    "release",
    "security",
    "certificate",
    "parser",
];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "pe", "da", "go", "fu", "zi", "ber", "tan",
    "hol",
];

/// A made-up vocabulary of `n` words, so posts read like prose of many distinct words.
fn vocabulary(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let mut word = String::new();
            let mut k = i + SYLLABLES.len();
            while k > 0 {
                word.push_str(SYLLABLES[k % SYLLABLES.len()]);
                k /= SYLLABLES.len();
            }
            word
        })
        .collect()
}

/// A paragraph of `words` words: mostly from the vocabulary, skewed towards its first words
/// as natural text is, with one topic word in two hundred.
fn paragraph(dice: &mut Dice, vocabulary: &[String], words: usize) -> String {
    let n = vocabulary.len() as u64;
    (0..words)
        .map(|_| {
            if dice.below(200) == 0 {
                TOPICS[dice.below(TOPICS.len() as u64) as usize].to_owned()
            } else {
                let u = dice.below(1 << 20) as f64 / f64::from(1 << 20);
                vocabulary[((u * u * u) * n as f64) as usize % vocabulary.len()].clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// When the posts were published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // each benchmark uses the kinds it needs
pub enum Times {
    /// Every post at its own time, about seven minutes apart.
    Spread,
    /// Every post at one time, as an undated feed imported at once leaves them.
    Shared,
}

#[allow(dead_code)] // the ties benchmark fills with `fill_timed`
pub async fn fill(store: &Store, posts: u64, tags: u64) -> Result<(), Box<dyn std::error::Error>> {
    fill_timed(store, posts, tags, Times::Spread).await
}

/// [`fill`] with the posts published as `times` says.
pub async fn fill_timed(
    store: &Store,
    posts: u64,
    tags: u64,
    times: Times,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut dice = Dice(0x5eed_cafe_f00d_d00d);
    let vocabulary = vocabulary(20_000);
    let sources = 100;
    let base = Utc
        .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .ok_or("bad date")?;
    let per_source = posts / sources;
    // Stored "now": after the newest post, so that no publication time is clamped to a day
    // after it (which would give almost every post the same time).
    let now = base + chrono::Duration::minutes(i64::try_from(posts * 7 + 10).unwrap_or(0));
    for s in 0..sources {
        let spec = SourceSpec {
            url: format!("https://blog{s}.example/feed.xml"),
            name: Some(format!("Blog {s}")),
        };
        let source = store.upsert_source(&spec, base).await?;
        let meta = FeedMeta {
            title: Some(format!("Blog {s}")),
            site_url: Some(format!("https://blog{s}.example/")),
            description: None,
            deleted: Vec::new(),
        };
        let mut batch = Vec::with_capacity(per_source as usize);
        for i in 0..per_source {
            let n = s * per_source + i;
            // Drawn either way, so both kinds of store hold the same posts.
            let jitter = dice.below(5);
            let minutes = match times {
                Times::Spread => i64::try_from(n * 7 + jitter).unwrap_or(0),
                Times::Shared => 0,
            };
            let published = base + chrono::Duration::minutes(minutes);
            let text = (0..6)
                .map(|_| paragraph(&mut dice, &vocabulary, 60))
                .collect::<Vec<_>>();
            let entry = FeedEntry {
                guid: format!("post-{n}"),
                title: format!(
                    "Notes on {} number {n}",
                    paragraph(&mut dice, &vocabulary, 3)
                ),
                link: Some(format!("https://blog{s}.example/{n}")),
                author: Some(format!("Author {}", n % 500)),
                published: Some(published),
                updated: None,
                content_html: text.iter().map(|p| format!("<p>{p}</p>")).collect(),
                content_text: text.join("\n\n"),
                categories: Vec::new(),
                language: None,
                origin: None,
            };
            let tag_count = 1 + dice.below(4);
            let tags = (0..tag_count)
                .map(|_| TagAssignment {
                    tag: format!("tag-{}", dice.below(tags)),
                    origin: TagOrigin::Term,
                    detail: String::new(),
                })
                .collect();
            batch.push(IncomingPost {
                entry,
                tags,
                stems: Vec::new(),
                admission: Default::default(),
            });
        }
        store.ingest(source, &meta, &batch, now).await?;
    }
    store.index_search().await?;
    Ok(())
}
