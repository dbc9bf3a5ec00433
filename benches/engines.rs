//! The two engines side by side (issue 12, point 7). For SQLite, and for PostgreSQL when
//! `SYNDIC_TEST_POSTGRES_URL` names a server (in a schema of its own, dropped afterwards;
//! otherwise one printed line says those parts are skipped), it prints:
//!
//! 1. the store-level ingest rate: a store filled with SYNDIC_BENCH_POSTS made-up posts over
//!    SYNDIC_BENCH_SOURCES sources through `Store::ingest` (one batch per source; making up
//!    the posts is not timed), posts/s of the ingest alone and with the search indexing
//!    after it, and the store's size on disk (SQLite: the file with its WAL; PostgreSQL:
//!    every relation of the schema, `pg_total_relation_size`);
//! 2. pages of the real `syndic serve --no-fetch` on that store, uncached (`[server]
//!    page_cache = "0"`), measured with `wrk` (one connection, latency distribution):
//!    requests/s, p50 and p99 of the first and the middle page of the biggest and the
//!    smallest tag's archive (a listing walks from the nearer end, so the middle page is
//!    its deepest), and of `/search` for a word nearly every post has and for a number
//!    found in one post's title; with the aim of an archive p99 under 5 ms;
//! 3. fetching with `syndic worker --once` processes against the local feed server of the
//!    sweep bench (`common/feed_server.rs`): SYNDIC_BENCH_FEEDS feeds of SYNDIC_BENCH_ITEMS
//!    posts into a fresh store each time, one worker on SQLite and 1, 2 and 4 on PostgreSQL:
//!    posts/s from the first worker's start to the last one's exit (the bench records the
//!    sources beforehand, untimed: workers starting together on sources not yet recorded
//!    race to insert them; each still syncs them and their settings at start, as in
//!    production), the PostgreSQL/SQLite ratio with one worker (aim ≥ 0.7) and whether more
//!    workers lowered throughput;
//! 4. where the time of each worker run went: CPU seconds of the syndic processes (their
//!    waited-for user + system time) beside those of the PostgreSQL server processes that
//!    served them (found by application name in `pg_stat_activity`, read from `/proc` every
//!    100 ms, so up to 100 ms of each session's last work is missed).
//!
//! Run: `cargo bench --bench engines` (needs `wrk` for part 2: `apt-get install wrk`).
//! Knobs: SYNDIC_BENCH_POSTS (1000000), SYNDIC_BENCH_SOURCES (10000), SYNDIC_BENCH_TAGS
//! (1000, skewed: `tag-0` the biggest), SYNDIC_BENCH_SECONDS per page (10),
//! SYNDIC_BENCH_FEEDS (2000), SYNDIC_BENCH_ITEMS (20 a feed), SYNDIC_BENCH_WORKERS (the
//! PostgreSQL worker counts, "1,2,4"), SYNDIC_BENCH_PARTS ("stores,workers": either alone),
//! SYNDIC_BENCH_KEEP (a folder: the filled SQLite store is copied there as `engines.db`, to
//! look at afterwards), SYNDIC_BENCH_ENGINES ("sqlite,postgres": the stores part on either
//! alone).
//! A million posts take about 2 GB per engine, in a temporary folder and in the schema, both
//! removed at the end. It prints figures and asserts nothing.

#[path = "common/cpu.rs"]
mod cpu;
#[path = "common/feed_server.rs"]
mod feed_server;
#[path = "common/fill.rs"]
mod fill;
#[path = "common/peers.rs"]
#[allow(dead_code)] // wrk, a request and the server only
mod peers;
#[path = "engines/workers.rs"]
mod workers;

use std::path::Path;
use std::process::Command;

use syndic_core::Page;
use syndic_store::testing::{TestDatabase, TestEngine};
use syndic_store::{PostFilter, Store};

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// The archive p99 the issue aims under, in milliseconds.
const ARCHIVE_P99_AIM_MS: f64 = 5.0;

pub fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn engine_name(engine: TestEngine) -> &'static str {
    match engine {
        TestEngine::Sqlite => "SQLite",
        TestEngine::Postgres => "PostgreSQL",
    }
}

fn main() -> Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let parts = std::env::var("SYNDIC_BENCH_PARTS").unwrap_or_else(|_| "stores,workers".into());
    let runtime = tokio::runtime::Runtime::new()?;
    if parts.contains("stores") {
        let plan = fill::Plan {
            posts: knob("SYNDIC_BENCH_POSTS", 1_000_000),
            sources: knob("SYNDIC_BENCH_SOURCES", 10_000).max(1),
            tags: knob("SYNDIC_BENCH_TAGS", 1000).max(1),
            times: fill::Times::Spread,
            tag_sizes: fill::TagSizes::Skewed,
        };
        let wrk = Command::new("wrk").arg("--version").output().is_ok();
        if !wrk {
            println!("pages skipped: wrk is not installed (apt-get install wrk)");
        }
        let engines =
            std::env::var("SYNDIC_BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
        for engine in TestEngine::ALL {
            let wanted = match engine {
                TestEngine::Sqlite => engines.contains("sqlite"),
                TestEngine::Postgres => engines.contains("postgres"),
            };
            if !wanted {
                continue;
            }
            let Some(db) = TestDatabase::new(engine, "the engines bench's stores") else {
                continue;
            };
            if let Err(e) = one_store(&runtime, &db, &plan, wrk) {
                println!("{}: the store part failed: {e}", engine_name(engine));
            }
        }
    }
    if parts.contains("workers") {
        runtime.block_on(workers::run())?;
    }
    Ok(())
}

/// Fills the store of `db`, prints its ingest rate and size, then measures its pages.
fn one_store(
    runtime: &tokio::runtime::Runtime,
    db: &TestDatabase,
    plan: &fill::Plan,
    wrk: bool,
) -> Result<()> {
    let name = engine_name(db.engine());
    let (filled, bytes, urls) = runtime.block_on(async {
        let store = db.open().await;
        let filled = fill::fill_plan(&store, plan).await?;
        let urls = page_urls(&store, plan).await?;
        let bytes = syndic_store::testing::postgres_bytes(&store).await?;
        store.close().await;
        if let (Some(keep), Some(folder)) = (std::env::var_os("SYNDIC_BENCH_KEEP"), db.folder()) {
            let keep = Path::new(&keep).join("engines.db");
            std::fs::copy(folder.join("test.db"), &keep)?;
            if folder.join("test.db-wal").exists() {
                std::fs::copy(folder.join("test.db-wal"), keep.with_extension("db-wal"))?;
            }
            println!("{name}: the store is kept at {}", keep.display());
        }
        let bytes = match (bytes, db.folder()) {
            (Some(bytes), _) => bytes,
            (None, Some(folder)) => sqlite_bytes(&folder.join("test.db")),
            (None, None) => 0,
        };
        Ok::<_, Box<dyn std::error::Error>>((filled, bytes, urls))
    })?;
    let (ingest, index) = (filled.ingest.as_secs_f64(), filled.index.as_secs_f64());
    println!(
        "{name}: {} posts over {} sources: ingest {ingest:.1} s = {:.0} posts/s; with the \
         search indexing ({index:.1} s) {:.0} posts/s; on disk {:.0} MB ({:.0} bytes a post)",
        filled.posts,
        plan.sources,
        filled.posts as f64 / ingest,
        filled.posts as f64 / (ingest + index),
        bytes as f64 / 1e6,
        bytes as f64 / filled.posts.max(1) as f64
    );
    if wrk {
        pages(db, &urls)?;
    }
    Ok(())
}

/// The SQLite file with its WAL and shared-memory index.
fn sqlite_bytes(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok())
        .map(|m| m.len())
        .sum()
}

/// The pages to measure, each with what it shows.
async fn page_urls(store: &Store, plan: &fill::Plan) -> Result<Vec<(String, String)>> {
    let mut urls = Vec::new();
    for (which, slug) in [
        ("biggest", "tag-0".to_owned()),
        ("smallest", format!("tag-{}", plan.tags - 1)),
    ] {
        let Some(tag) = store.tag_by_slug(&slug).await? else {
            println!("no tag {slug}: its archive is not measured");
            continue;
        };
        let first = Page::new(1, 10).ok_or("no first page")?;
        let total = store.listing(PostFilter::Tag(tag.id), first).await?.total;
        let middle = Page::count_for(total, 10).div_ceil(2).max(1);
        urls.push((
            format!("archive, {which} tag ({total} posts), page 1"),
            format!("/tag/{slug}/"),
        ));
        urls.push((
            format!("archive, {which} tag, page {middle} (middle)"),
            format!("/tag/{slug}/page/{middle}/"),
        ));
    }
    // The rare search first: a common one that outlives the request deadline (5 s) goes on
    // in the store, holding its slot of the search budget, and the next searches would
    // measure the wait for it (answered 503 after 500 ms).
    let rare = plan.posts / 2 + 17;
    urls.push((
        format!("search, rare word ({rare}: one title)"),
        format!("/search?q={rare}"),
    ));
    urls.push(("search, common word (kalo)".into(), "/search?q=kalo".into()));
    Ok(urls)
}

/// Serves the store without a page cache and measures each page with wrk.
fn pages(db: &TestDatabase, urls: &[(String, String)]) -> Result<()> {
    let seconds = knob("SYNDIC_BENCH_SECONDS", 10);
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("syndic.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = {}\n\n[server]\npage_cache = \"0\"\n",
            toml_string(db.url())
        ),
    )?;
    let server = peers::Serve::start(&config, &["--no-fetch"])?;
    println!(
        "  {:<46} {:>10} {:>10} {:>10}   (uncached, {seconds} s each, 1 connection)",
        "page", "requests/s", "p50", "p99"
    );
    let mut worst_archive: Option<f64> = None;
    for (what, path) in urls {
        match peers::wrk(&format!("http://{}{path}", server.address), seconds, 1) {
            Some(f) => {
                let refused = if f.non_2xx > 0 {
                    format!("   ({} of {} not 2xx/3xx)", f.non_2xx, f.requests)
                } else {
                    String::new()
                };
                println!(
                    "  {what:<46} {:>10} {:>10} {:>10}{refused}",
                    f.requests_per_sec, f.p50, f.p99
                );
                if what.starts_with("archive") {
                    let p99 = milliseconds(&f.p99).unwrap_or(f64::INFINITY);
                    worst_archive = Some(worst_archive.map_or(p99, |w| w.max(p99)));
                }
            }
            None => println!("  {what:<46} (wrk failed)"),
        }
    }
    if let Some(worst) = worst_archive {
        let verdict = if worst < ARCHIVE_P99_AIM_MS {
            "met"
        } else {
            "missed"
        };
        println!("  archive p99 aim (< {ARCHIVE_P99_AIM_MS} ms): {verdict} (worst {worst:.2} ms)");
    }
    Ok(())
}

/// A wrk latency ("812.00us", "1.23ms", "2.01s") in milliseconds.
fn milliseconds(latency: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = latency.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = latency.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = latency.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

/// `text` as a TOML basic string.
pub fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
