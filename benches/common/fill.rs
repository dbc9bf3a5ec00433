//! The benchmark's store: posts of made-up prose across sources and tags, the same on
//! every run.

use std::time::{Duration, Instant};

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

/// How the posts spread over the tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // each benchmark uses the kinds it needs
pub enum TagSizes {
    /// Every tag about as big as every other.
    Even,
    /// `tag-0` the biggest (a tenth of the posts at 1,000 tags), the last tag the smallest
    /// (a few in ten thousand), as a real vocabulary's tags are.
    Skewed,
}

/// What to fill a store with.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub posts: u64,
    pub sources: u64,
    pub tags: u64,
    pub times: Times,
    pub tag_sizes: TagSizes,
}

impl Plan {
    /// The site benchmark's store: `posts` over 100 sources and `tags` even tags.
    pub fn site(posts: u64, tags: u64) -> Plan {
        Plan {
            posts,
            sources: 100,
            tags,
            times: Times::Spread,
            tag_sizes: TagSizes::Even,
        }
    }
}

/// How long the store itself took (making up the posts is not counted).
#[derive(Debug, Clone, Copy, Default)]
#[allow(dead_code)] // the engines benchmark reads it
pub struct Filled {
    /// Posts stored (`posts` rounded down to a multiple of `sources`).
    pub posts: u64,
    /// Recording the sources and ingesting their posts, one batch per source.
    pub ingest: Duration,
    /// Indexing every post for search afterwards.
    pub index: Duration,
}

#[allow(dead_code)] // the ties benchmark fills with `fill_timed`
pub async fn fill(store: &Store, posts: u64, tags: u64) -> Result<(), Box<dyn std::error::Error>> {
    fill_timed(store, posts, tags, Times::Spread).await
}

/// [`fill`] with the posts published as `times` says.
#[allow(dead_code)] // the engines benchmark fills with `fill_plan`
pub async fn fill_timed(
    store: &Store,
    posts: u64,
    tags: u64,
    times: Times,
) -> Result<(), Box<dyn std::error::Error>> {
    fill_plan(
        store,
        &Plan {
            times,
            ..Plan::site(posts, tags)
        },
    )
    .await?;
    Ok(())
}

/// Fills `store` as `plan` says, through the store's batched ingest (one batch per
/// source), then indexes it for search.
pub async fn fill_plan(store: &Store, plan: &Plan) -> Result<Filled, Box<dyn std::error::Error>> {
    let mut dice = Dice(0x5eed_cafe_f00d_d00d);
    let vocabulary = vocabulary(20_000);
    let base = Utc
        .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .ok_or("bad date")?;
    let per_source = plan.posts / plan.sources.max(1);
    // Stored "now": after the newest post, so that no publication time is clamped to a day
    // after it (which would give almost every post the same time).
    let now = base + chrono::Duration::minutes(i64::try_from(plan.posts * 7 + 10).unwrap_or(0));
    let mut filled = Filled::default();
    for s in 0..plan.sources {
        let batch: Vec<IncomingPost> = (0..per_source)
            .map(|i| made_up_post(&mut dice, &vocabulary, plan, s * per_source + i, base))
            .collect();
        let (spec, meta) = made_up_source(s);
        let started = Instant::now();
        let source = store.upsert_source(&spec, base).await?;
        store.ingest(source, &meta, &batch, now).await?;
        filled.ingest += started.elapsed();
        filled.posts += per_source;
    }
    let started = Instant::now();
    store.index_search().await?;
    filled.index = started.elapsed();
    Ok(filled)
}

fn made_up_source(s: u64) -> (SourceSpec, FeedMeta) {
    let spec = SourceSpec {
        url: format!("https://blog{s}.example/feed.xml"),
        name: Some(format!("Blog {s}")),
    };
    let meta = FeedMeta {
        title: Some(format!("Blog {s}")),
        site_url: Some(format!("https://blog{s}.example/")),
        description: None,
        deleted: Vec::new(),
    };
    (spec, meta)
}

/// Post `n` (of source `n / per_source`): six paragraphs, one to four tags.
fn made_up_post(
    dice: &mut Dice,
    vocabulary: &[String],
    plan: &Plan,
    n: u64,
    base: chrono::DateTime<Utc>,
) -> IncomingPost {
    let s = n / (plan.posts / plan.sources.max(1)).max(1);
    // Drawn either way, so both kinds of store hold the same posts.
    let jitter = dice.below(5);
    let minutes = match plan.times {
        Times::Spread => i64::try_from(n * 7 + jitter).unwrap_or(0),
        Times::Shared => 0,
    };
    let published = base + chrono::Duration::minutes(minutes);
    let text = (0..6)
        .map(|_| paragraph(dice, vocabulary, 60))
        .collect::<Vec<_>>();
    let entry = FeedEntry {
        guid: format!("post-{n}"),
        title: format!("Notes on {} number {n}", paragraph(dice, vocabulary, 3)),
        link: Some(format!("https://blog{s}.example/{n}")),
        author: Some(format!("Author {}", n % 500)),
        published: Some(published),
        updated: None,
        content_html: text.iter().map(|p| format!("<p>{p}</p>")).collect(),
        content_text: text.join("\n\n"),
        categories: Vec::new(),
        language: None,
        origin: None,
        enclosures: Vec::new(),
        original_links: Vec::new(),
    };
    let tag_count = 1 + dice.below(4);
    let tags = (0..tag_count)
        .map(|_| TagAssignment {
            tag: format!("tag-{}", tag_number(dice, plan)),
            origin: TagOrigin::Term,
            detail: String::new(),
        })
        .collect();
    IncomingPost {
        entry,
        tags,
        stems: Vec::new(),
        admission: Default::default(),
    }
}

/// One draw of the dice either way, so even and skewed stores hold the same posts.
fn tag_number(dice: &mut Dice, plan: &Plan) -> u64 {
    match plan.tag_sizes {
        TagSizes::Even => dice.below(plan.tags),
        TagSizes::Skewed => {
            let u = dice.below(1 << 20) as f64 / f64::from(1 << 20);
            ((u * u * u) * plan.tags as f64) as u64
        }
    }
}
