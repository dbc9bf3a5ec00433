//! Site benchmark: fills a store with 100,000 posts across 1,000 tags, serves it with the
//! real `syndic serve`, and measures it with `wrk` (Debian's package): requests per second
//! and p50/p99 latency for a tag archive page, a post page, a tag feed and a search.
//!
//! Run: `cargo bench --bench site` (needs `wrk` on PATH; `apt-get install wrk`).
//! Knobs: SYNDIC_BENCH_POSTS (default 100000), SYNDIC_BENCH_TAGS (1000),
//! SYNDIC_BENCH_SECONDS per URL (10), SYNDIC_BENCH_CONNECTIONS (a list, "1,16"), SYNDIC_BENCH_DB (a
//! database file to fill once and reuse on later runs; a temporary one by default).
//! It prints figures; it asserts nothing, so a slow machine never fails a build.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::{TimeZone, Utc};
use syndic_core::{FeedEntry, FeedMeta, TagAssignment, TagOrigin};
use syndic_store::{IncomingPost, SourceSpec, Store};

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

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

async fn fill(store: &Store, posts: u64, tags: u64) -> Result<(), Box<dyn std::error::Error>> {
    let mut dice = Dice(0x5eed_cafe_f00d_d00d);
    let vocabulary = vocabulary(20_000);
    let sources = 100;
    let base = Utc
        .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .ok_or("bad date")?;
    let per_source = posts / sources;
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
        };
        let mut batch = Vec::with_capacity(per_source as usize);
        for i in 0..per_source {
            let n = s * per_source + i;
            let published =
                base + chrono::Duration::minutes(i64::try_from(n * 7 + dice.below(5)).unwrap_or(0));
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
            };
            let tag_count = 1 + dice.below(4);
            let tags = (0..tag_count)
                .map(|_| TagAssignment {
                    tag: format!("tag-{}", dice.below(tags)),
                    origin: TagOrigin::Term,
                    detail: String::new(),
                })
                .collect();
            batch.push(IncomingPost { entry, tags });
        }
        store.ingest(source, &meta, &batch, base).await?;
    }
    Ok(())
}

/// Runs wrk against `url`; returns (requests/s, p50, p99) as wrk prints them.
fn wrk(url: &str, seconds: u64, connections: u64) -> Option<(String, String, String)> {
    let output = Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            url,
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|line| line.starts_with(prefix))
            .and_then(|line| line.split_whitespace().last())
            .map(str::to_owned)
    };
    if text.contains("Non-2xx") {
        eprintln!("warning: {url} answered errors:\n{text}");
    }
    Some((field("Requests/sec:")?, field("50%")?, field("99%")?))
}

/// Where `path` redirects to (the post's canonical, slugged address), or `path` itself.
fn canonical(address: &str, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let location = response
        .lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| {
            line.strip_prefix("location: ")
                .or_else(|| line.strip_prefix("Location: "))
        });
    Some(location.unwrap_or(path).trim().to_owned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("skipping: wrk is not installed (apt-get install wrk)");
        return Ok(());
    }
    let (posts, tags) = (
        knob("SYNDIC_BENCH_POSTS", 100_000),
        knob("SYNDIC_BENCH_TAGS", 1000),
    );
    let seconds = knob("SYNDIC_BENCH_SECONDS", 10);
    let connections: Vec<u64> = std::env::var("SYNDIC_BENCH_CONNECTIONS")
        .unwrap_or_else(|_| "1,16".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let dir = tempfile::tempdir()?;
    let db = std::env::var_os("SYNDIC_BENCH_DB")
        .map_or_else(|| dir.path().join("bench.db"), std::path::PathBuf::from);

    if db.exists() {
        println!("reusing the store in {}", db.display());
    } else {
        let started = Instant::now();
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(async {
            let store = Store::open_sqlite_path(&db).await?;
            fill(&store, posts, tags).await?;
            store.close().await;
            Ok::<_, Box<dyn std::error::Error>>(())
        })?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "filled {posts} posts across {tags} tags in {seconds:.1}s ({:.0} posts/s)",
            posts as f64 / seconds
        );
    }

    let config = dir.path().join("syndic.toml");
    std::fs::write(
        &config,
        format!("[database]\nurl = \"sqlite://{}\"\n", db.display()),
    )?;
    let mut server = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["serve", "--quiet", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = server.stdout.take().ok_or("no stdout")?;
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("http://"))
        .ok_or("server did not start")?;
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .ok_or("no address")?
        .to_owned();

    let archive = format!("http://{address}/tag/tag-7/");
    let post = format!(
        "http://{address}{}",
        canonical(&address, "/post/4242/").ok_or("no post 4242")?
    );
    let cases = [
        ("tag archive page", archive.clone()),
        ("tag archive, page 20", format!("{archive}page/20/")),
        ("post page", post),
        ("tag feed (Atom)", format!("{archive}feed.atom")),
        (
            "search",
            format!("http://{address}/search?q=kubernetes+tectonic"),
        ),
    ];
    for &connections in &connections {
        println!(
            "{:<24} {:>12} {:>10} {:>10}   ({seconds}s each, {connections} connections)",
            "url", "requests/s", "p50", "p99"
        );
        for (name, url) in &cases {
            match wrk(url, seconds, connections) {
                Some((rps, p50, p99)) => println!("{name:<24} {rps:>12} {p50:>10} {p99:>10}"),
                None => println!("{name:<24} (wrk failed)"),
            }
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    Ok(())
}
