//! Static build benchmark (issue 11, point 5): fills a store with 100,000 posts across
//! 1,000 tags (the site benchmark's store, `common/fill.rs`) and times the real release
//! `syndic build`: a full build into an empty folder, a rebuild with nothing changed, and a
//! rebuild after one new post. Prints wall time, peak memory and CPU time (user+system;
//! when GNU time is at `/usr/bin/time`), and what each build wrote, kept and removed.
//!
//! Run: `cargo bench --bench build`. Knobs: SYNDIC_BENCH_POSTS (default 100000),
//! SYNDIC_BENCH_TAGS (1000), SYNDIC_BENCH_JOBS (passed as `--jobs`; the binary's default
//! otherwise), SYNDIC_BENCH_SEQUENTIAL=1 (also time a `--jobs 1` full build beside it).
//! The store is filled once per size and kept under `target/tmp/build-bench/`; the output
//! folder is temporary. It prints figures and asserts nothing, so a slow machine never
//! fails a build.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use syndic_core::{FeedEntry, FeedMeta, TagAssignment, TagOrigin};
use syndic_store::{IncomingPost, SourceSpec, Store};

#[path = "common/fill.rs"]
mod fill;

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let (posts, tags) = (
        knob("SYNDIC_BENCH_POSTS", 100_000),
        knob("SYNDIC_BENCH_TAGS", 1000),
    );
    let runtime = tokio::runtime::Runtime::new()?;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-bench");
    std::fs::create_dir_all(&dir)?;
    let db = dir.join(format!("posts-{posts}-tags-{tags}.db"));
    let pristine = dir.join(format!("posts-{posts}-tags-{tags}.pristine.db"));
    if !pristine.exists() {
        let started = Instant::now();
        let filling = dir.join("filling.db");
        let _ = std::fs::remove_file(&filling);
        runtime.block_on(async {
            let store = Store::open_sqlite_path(&filling).await?;
            fill::fill(&store, posts, tags).await?;
            store.close().await;
            Ok::<_, Box<dyn std::error::Error>>(())
        })?;
        std::fs::rename(&filling, &pristine)?;
        println!(
            "filled {posts} posts across {tags} tags in {:.1}s",
            started.elapsed().as_secs_f64()
        );
    }
    // Every run starts from the same store: the new post of the last run is not in it.
    std::fs::copy(&pristine, &db)?;
    let _ = std::fs::remove_file(dir.join(format!("posts-{posts}-tags-{tags}.db-wal")));

    let work = tempfile::tempdir()?;
    let config = work.path().join("syndic.toml");
    std::fs::write(
        &config,
        format!(
            "[site]\ntitle = \"Bench\"\n\n[database]\nurl = \"sqlite://{}\"\n",
            db.display()
        ),
    )?;
    println!("build bench: {posts} posts, {tags} tags");
    let out = work.path().join("site");
    let full = build(&config, &out, "full build")?;
    build(&config, &out, "rebuild, nothing changed")?;
    runtime.block_on(add_post(&db, posts))?;
    build(&config, &out, "rebuild after one new post")?;
    if std::env::var_os("SYNDIC_BENCH_SEQUENTIAL").is_some() {
        let sequential = work.path().join("sequential");
        let one = build_with(&config, &sequential, "full build, --jobs 1", Some("1"))?;
        println!("parallel speed-up: {:.2}x", one / full);
    }
    println!("output: {} in {} files", size(&out), count_files(&out));
    Ok(())
}

/// Runs `syndic build OUT`, prints its figures and returns its wall time in seconds.
fn build(config: &Path, out: &Path, what: &str) -> Result<f64, Box<dyn std::error::Error>> {
    let jobs = std::env::var("SYNDIC_BENCH_JOBS").ok();
    build_with(config, out, what, jobs.as_deref())
}

fn build_with(
    config: &Path,
    out: &Path,
    what: &str,
    jobs: Option<&str>,
) -> Result<f64, Box<dyn std::error::Error>> {
    let gnu_time = Path::new("/usr/bin/time");
    let mut command = if gnu_time.exists() {
        let mut command = Command::new(gnu_time);
        command
            .args(["-f", "peak %M KB"])
            .arg(env!("CARGO_BIN_EXE_syndic"));
        command
    } else {
        Command::new(env!("CARGO_BIN_EXE_syndic"))
    };
    command
        .args(["build", "--quiet", "--config"])
        .arg(config)
        .arg(out);
    if let Some(jobs) = jobs {
        command.args(["--jobs", jobs]);
    }
    let started = Instant::now();
    let output = command.output()?;
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("{what} failed: {stderr}").into());
    }
    let resources = stderr
        .lines()
        .find(|line| line.starts_with("peak "))
        .unwrap_or("peak unknown");
    let summary = stdout.lines().last().unwrap_or_default();
    let counts = summary
        .split_once(": ")
        .map_or(summary, |(_, counts)| counts);
    println!("{what:<28} {seconds:>7.1}s  {resources:<34} {counts}");
    Ok(seconds)
}

/// Stores one post newer than every other, in the first source, tagged like the others.
async fn add_post(db: &Path, n: u64) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open_sqlite_path(db).await?;
    let now = Utc
        .with_ymd_and_hms(2030, 1, 1, 0, 0, 0)
        .single()
        .ok_or("bad date")?;
    let spec = SourceSpec {
        url: "https://blog0.example/feed.xml".into(),
        name: Some("Blog 0".into()),
    };
    let source = store.upsert_source(&spec, now).await?;
    let entry = FeedEntry {
        guid: format!("post-{n}"),
        title: format!("Notes on a new post number {n}"),
        link: Some(format!("https://blog0.example/{n}")),
        author: Some("Author 0".into()),
        published: Some(now),
        updated: None,
        content_html: "<p>A new post about the cluster.</p>".into(),
        content_text: "A new post about the cluster.".into(),
        categories: Vec::new(),
        language: None,
        origin: None,
        enclosures: Vec::new(),
        original_links: Vec::new(),
    };
    let tags = vec![TagAssignment {
        tag: "tag-7".into(),
        origin: TagOrigin::Term,
        detail: String::new(),
    }];
    let meta = FeedMeta {
        title: Some("Blog 0".into()),
        site_url: Some("https://blog0.example/".into()),
        description: None,
        deleted: Vec::new(),
    };
    store
        .ingest(
            source,
            &meta,
            &[IncomingPost {
                entry,
                tags,
                stems: Vec::new(),
                admission: Default::default(),
            }],
            now,
        )
        .await?;
    store.close().await;
    Ok(())
}

/// The folder's size on disk, as `du -sh` prints it.
fn size(dir: &Path) -> String {
    Command::new("du")
        .arg("-sh")
        .arg(dir)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .next()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "?".into())
}

fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() { count_files(&path) } else { 1 }
        })
        .sum()
}
