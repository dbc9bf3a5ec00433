//! Ingest benchmark (issue 11, point 1): the synthetic corpus of `../shared/bench/gen_corpus.py
//! --feeds 300` (300 feeds, 6,000 posts, about 90 MB) stored by the real `syndic fetch` into
//! a fresh SQLite store with search, beside a bare SQLite insert of the same posts measured in
//! the same run.
//!
//! It prints, and asserts nothing:
//! - the bare insert: the posts parsed beforehand (not timed), inserted as they are into a
//!   plain table of a post's columns, one transaction per feed, no search index: posts/s;
//! - `syndic fetch` (this build's binary; `cargo bench` builds it optimized), 50 of the
//!   corpus's `vocab.txt` terms as tags: posts/s, wall and CPU seconds, peak resident memory,
//!   and the ratio to the bare insert (aim ≥ 0.5, about 3,000 posts/s);
//! - the store's size on disk against the raw feed bytes (aim ≤ 1.0);
//! - an unchanged re-fetch (every body the same: no parsing);
//! - the same fetch into PostgreSQL when `SYNDIC_TEST_POSTGRES_URL` names a server (a schema
//!   of its own, dropped afterwards), with its size (`pg_total_relation_size`), its ratio
//!   to SQLite's posts/s (issue 12's aim: ≥ 0.7) and its unchanged re-fetch; when that
//!   server cannot be used it says why and skips PostgreSQL.
//!
//! Run: `cargo bench --bench ingest`. Without `../shared` it says so and stops.
//! `SYNDIC_BENCH_CORPUS=DIR` reuses a corpus generated there (else one is generated in a
//! temporary folder and removed). Peak memory and CPU come from `/usr/bin/time -v` when
//! present.

#[path = "../tests/common/shared_folder.rs"]
mod shared_folder;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Tags taken from the corpus's vocabulary.
const TAGS: usize = 50;

fn main() {
    let Some(shared) = shared_folder::shared_dir() else {
        println!("ingest bench skipped: ../shared (with bench/gen_corpus.py) is not there");
        return;
    };
    let work = tempfile::tempdir().expect("a temporary folder");
    let corpus = match std::env::var_os("SYNDIC_BENCH_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => work.path().join("corpus"),
    };
    if !corpus.join("feeds").is_dir() && !generate(&shared, &corpus) {
        return;
    }
    let feeds = feed_files(&corpus);
    let raw_bytes: u64 = feeds.iter().map(|f| file_size(f)).sum();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    println!(
        "corpus: {} feeds, {:.1} MB",
        feeds.len(),
        raw_bytes as f64 / 1e6
    );

    let bare = runtime.block_on(bare_insert(&feeds, work.path()));
    println!(
        "bare SQLite insert: {} posts in {:.2} s = {:.0} posts/s",
        bare.posts,
        bare.seconds,
        bare.posts as f64 / bare.seconds
    );

    let config = write_config(work.path(), &corpus, &feeds, "sqlite://store.db");
    let first = fetch(&config, None);
    let sqlite_rate = first.posts_per_second();
    first.print("syndic fetch into SQLite");
    println!(
        "  ratio to the bare insert: {:.2} (aim ≥ 0.5)",
        sqlite_rate / (bare.posts as f64 / bare.seconds)
    );
    let stored = sqlite_bytes(&work.path().join("store.db"));
    println!(
        "  store on disk: {:.1} MB = {:.2}x the raw feed bytes (aim ≤ 1.0)",
        stored as f64 / 1e6,
        stored as f64 / raw_bytes as f64
    );
    let again = fetch(&config, None);
    println!(
        "unchanged re-fetch: {:.2} s wall, {:.2} s CPU",
        again.wall, again.cpu
    );

    let postgres = match syndic_store::testing::TestDatabase::try_postgres("the ingest bench") {
        Ok(db) => db,
        Err(error) => {
            println!(
                "skipped the ingest bench on PostgreSQL: {} names a server that cannot be \
                 used ({error}); start it or unset the variable",
                syndic_store::testing::POSTGRES_URL_VAR
            );
            None
        }
    };
    if let Some(db) = postgres {
        let pg = fetch(&config, Some(db.url()));
        pg.print("syndic fetch into PostgreSQL");
        println!(
            "  ratio to SQLite's fetch: {:.2} (aim ≥ 0.7)",
            pg.posts_per_second() / sqlite_rate
        );
        let again = fetch(&config, Some(db.url()));
        println!(
            "unchanged re-fetch from PostgreSQL: {:.2} s wall, {:.2} s CPU",
            again.wall, again.cpu
        );
        let store = runtime.block_on(syndic_store::Store::open(db.url()));
        if let Ok(store) = store
            && let Ok(Some(bytes)) = runtime.block_on(syndic_store::testing::postgres_bytes(&store))
        {
            println!(
                "  store on disk: {:.1} MB = {:.2}x the raw feed bytes",
                bytes as f64 / 1e6,
                bytes as f64 / raw_bytes as f64
            );
            runtime.block_on(store.close());
        }
    }
}

fn generate(shared: &Path, corpus: &Path) -> bool {
    let script = shared.join("bench/gen_corpus.py");
    if !script.is_file() {
        println!("ingest bench skipped: {} is missing", script.display());
        return false;
    }
    let made = Command::new("python3")
        .arg(&script)
        .arg("--out")
        .arg(corpus)
        .args(["--feeds", "300"])
        .status();
    match made {
        Ok(status) if status.success() => true,
        other => {
            println!("ingest bench skipped: generating the corpus failed ({other:?})");
            false
        }
    }
}

fn feed_files(corpus: &Path) -> Vec<PathBuf> {
    let mut feeds: Vec<PathBuf> = std::fs::read_dir(corpus.join("feeds"))
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    feeds.sort();
    feeds
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The database file with its WAL and shared-memory files.
fn sqlite_bytes(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| file_size(Path::new(&format!("{}{suffix}", db.display()))))
        .sum()
}

struct Bare {
    posts: usize,
    seconds: f64,
}

/// Parses every feed (untimed), then inserts each feed's posts in one transaction.
async fn bare_insert(feeds: &[PathBuf], dir: &Path) -> Bare {
    let parsed: Vec<Vec<syndic_core::FeedEntry>> = feeds
        .iter()
        .map(|feed| {
            let bytes = std::fs::read(feed).expect("a feed file");
            let options = syndic_feed::ReadOptions {
                max_entries: Some(500),
                ..syndic_feed::ReadOptions::default()
            };
            syndic_feed::parse_owned(bytes, &options)
                .map(|p| p.entries)
                .unwrap_or_default()
        })
        .collect();
    let store = syndic_store::Store::open_sqlite_path(&dir.join("bare.db"))
        .await
        .expect("a bare store");
    syndic_store::testing::bare::create(&store)
        .await
        .expect("the bare table");
    let started = Instant::now();
    for (n, entries) in parsed.iter().enumerate() {
        syndic_store::testing::bare::insert_feed(&store, n as i64 + 1, entries)
            .await
            .expect("a bare insert");
    }
    let seconds = started.elapsed().as_secs_f64();
    store.close().await;
    Bare {
        posts: parsed.iter().map(Vec::len).sum(),
        seconds,
    }
}

fn write_config(dir: &Path, corpus: &Path, feeds: &[PathBuf], url: &str) -> PathBuf {
    let vocab = std::fs::read_to_string(corpus.join("vocab.txt")).unwrap_or_default();
    let mut toml = format!(
        "[site]\ntitle = \"bench\"\nbase_url = \"http://127.0.0.1:8080/\"\n\
         [database]\nurl = \"{url}\"\n"
    );
    for feed in feeds {
        toml.push_str(&format!(
            "[[source]]\nurl = {:?}\n",
            feed.display().to_string()
        ));
    }
    for term in vocab
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .take(TAGS)
    {
        toml.push_str(&format!("[[tag]]\nname = {term:?}\n"));
    }
    let path = dir.join("syndic.toml");
    std::fs::write(&path, toml).expect("the configuration");
    path
}

struct Run {
    posts: u64,
    wall: f64,
    cpu: f64,
    peak_mb: Option<f64>,
}

impl Run {
    fn posts_per_second(&self) -> f64 {
        self.posts as f64 / self.wall
    }

    fn print(&self, what: &str) {
        println!(
            "{what}: {} posts in {:.2} s = {:.0} posts/s; {:.2} s CPU; peak memory {} (aim < 200 MB)",
            self.posts,
            self.wall,
            self.posts_per_second(),
            self.cpu,
            self.peak_mb
                .map_or("unknown".into(), |mb| format!("{mb:.0} MB"))
        );
    }
}

/// Runs `syndic fetch` (into `database_url` when given) and reads its summary line.
fn fetch(config: &Path, database_url: Option<&str>) -> Run {
    let timed = Path::new("/usr/bin/time").is_file();
    let mut command = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(env!("CARGO_BIN_EXE_syndic"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_syndic"))
    };
    command.arg("--config").arg(config).arg("fetch");
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    let started = Instant::now();
    let output = command.output().expect("syndic fetch runs");
    let wall = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary = stdout.lines().last().unwrap_or_default();
    if !output.status.success() {
        println!("syndic fetch failed: {summary}\n{stderr}");
    }
    let posts = summary
        .split("; ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let figure = |label: &str| {
        stderr
            .lines()
            .find_map(|line| line.trim().strip_prefix(label))
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    Run {
        posts,
        wall,
        cpu: figure("User time (seconds):").unwrap_or(0.0)
            + figure("System time (seconds):").unwrap_or(0.0),
        peak_mb: figure("Maximum resident set size (kbytes):").map(|kb| kb / 1024.0),
    }
}
