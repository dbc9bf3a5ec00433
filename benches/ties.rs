//! Post pages when many posts share one publication time: fills two stores with the same
//! 20,000 posts, one with every post at its own time and one with all of them at one time
//! (an undated feed imported at once), and reads every post page of each once, uncached
//! (`[server] page_cache = "0"`), through the real `syndic serve --no-fetch`, one request
//! after another on one keep-alive connection (curl). It prints the time per page on each
//! store and their ratio (the aim: at most 1.3), and the same for the store's neighbour
//! query alone. It prints figures and asserts nothing.
//!
//! Run: `cargo bench --bench ties` (needs curl). Knob: SYNDIC_BENCH_POSTS (20000).

#[path = "common/fill.rs"]
mod fill;
#[path = "common/peers.rs"]
#[allow(dead_code)] // only its server
mod peers;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use syndic_core::{PostId, slugify};
use syndic_store::{PostFilter, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    if Command::new("curl").arg("--version").output().is_err() {
        println!("skipping: curl is not installed (apt-get install curl)");
        return Ok(());
    }
    let posts = std::env::var("SYNDIC_BENCH_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000_u64);
    let runtime = tokio::runtime::Runtime::new()?;
    let mut figures = Vec::new();
    for (name, times) in [
        ("every time differs", fill::Times::Spread),
        ("one shared time", fill::Times::Shared),
    ] {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("bench.db");
        let paths = runtime.block_on(async {
            let store = Store::open_sqlite_path(&db).await?;
            fill::fill_timed(&store, posts, 100, times).await?;
            let paths = post_paths(&store).await?;
            let query = neighbour_query(&store, posts).await?;
            store.close().await;
            Ok::<_, Box<dyn std::error::Error>>((paths, query))
        })?;
        let (paths, query) = paths;
        let pages = read_pages(dir.path(), &db, &paths)?;
        println!(
            "{name:<20} {posts} post pages read once: {:>8.1} µs a page; neighbours alone: {:>7.1} µs",
            micros(pages, paths.len()),
            micros(query, usize::try_from(posts).unwrap_or(1)),
        );
        figures.push((pages, query));
    }
    if let [(pages_spread, query_spread), (pages_shared, query_shared)] = figures[..] {
        println!(
            "ratio shared/spread: post pages {:.2}x (aim: at most 1.3x), neighbour query {:.2}x",
            pages_shared.as_secs_f64() / pages_spread.as_secs_f64(),
            query_shared.as_secs_f64() / query_spread.as_secs_f64()
        );
    }
    Ok(())
}

fn micros(total: Duration, count: usize) -> f64 {
    total.as_secs_f64() * 1e6 / count.max(1) as f64
}

/// Every post's page address, as pages link to it.
async fn post_paths(store: &Store) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut paths = Vec::new();
    let mut after = None;
    loop {
        let chunk = store.posts_after(PostFilter::All, after, 1000).await?;
        after = chunk.last().map(syndic_store::ListingKey::of);
        paths.extend(
            chunk
                .iter()
                .map(|post| format!("/post/{}/{}/", post.id, slugify(&post.title))),
        );
        if chunk.len() < 1000 {
            return Ok(paths);
        }
    }
}

/// The time to find every post's neighbours.
async fn neighbour_query(
    store: &Store,
    posts: u64,
) -> Result<Duration, Box<dyn std::error::Error>> {
    let started = Instant::now();
    for id in 1..=i64::try_from(posts)? {
        store.neighbours(PostId(id)).await?;
    }
    Ok(started.elapsed())
}

/// Serves `db` without a page cache and reads every page of `paths` once with curl.
fn read_pages(
    scratch: &Path,
    db: &Path,
    paths: &[String],
) -> Result<Duration, Box<dyn std::error::Error>> {
    let config = scratch.join("syndic.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"sqlite://{}\"\n\n[server]\npage_cache = \"0\"\n",
            db.display()
        ),
    )?;
    let server = peers::Serve::start(&config, &["--no-fetch"])?;
    let address = &server.address;
    // One curl, one connection, every page in turn; the bodies are discarded.
    let list = scratch.join("pages.curl");
    let lines: String = paths
        .iter()
        .map(|path| format!("url = \"http://{address}{path}\"\noutput = \"/dev/null\"\n"))
        .collect();
    std::fs::write(&list, lines)?;
    let started = Instant::now();
    let status = Command::new("curl")
        .args(["--silent", "--fail", "--config"])
        .arg(&list)
        .status();
    let elapsed = started.elapsed();
    drop(server);
    if !status?.success() {
        return Err("curl could not read every page".into());
    }
    Ok(elapsed)
}
