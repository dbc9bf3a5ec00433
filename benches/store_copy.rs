//! `syndic store copy` and `syndic store check` on a store of synthetic posts (issue 12,
//! point 4). Prints, for SQLite → SQLite (the backup), SQLite → PostgreSQL and PostgreSQL →
//! SQLite: wall time, rows and posts per second; and the time `Store::check` takes on each
//! engine. PostgreSQL cases run when `SYNDIC_TEST_POSTGRES_URL` names a server (into a
//! schema of their own, dropped afterwards). Prints figures and asserts nothing.
//!
//! Run: `cargo bench --bench store_copy`. Knob: SYNDIC_BENCH_POSTS (default 100000). The
//! source store (about 250 words and 3 tags per post, 100 sources) is built once per post
//! count under `target/tmp/copy-bench/` through the store's ingest; copies go to files
//! beside it, removed after each run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use syndic_core::{FeedEntry, FeedMeta, TagAssignment, TagOrigin};
use syndic_store::testing::TestDatabase;
use syndic_store::{CopyReport, IncomingPost, SourceSpec, Store};

fn main() {
    let posts: usize = std::env::var("SYNDIC_BENCH_POSTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp/copy-bench");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("no runtime: {e}");
            return;
        }
    };
    if let Err(e) = runtime.block_on(run(&dir, posts)) {
        eprintln!("store copy bench failed: {e}");
    }
}

async fn run(dir: &Path, posts: usize) -> Result<(), String> {
    let source_path = dir.join(format!("source-{posts}.db"));
    build(&source_path, posts).await?;
    println!(
        "store copy bench: {posts} posts, source file {} MB",
        file_mb(&source_path)
    );
    let source = Store::open_sqlite_path(&source_path)
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let checked = Store::check_sqlite_path(&source_path)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "check on SQLite: {:.1} s ({} problems)",
        started.elapsed().as_secs_f64(),
        checked.problems.len()
    );

    let backup = dir.join("backup.db");
    remove_sqlite(&backup);
    let target = open_file(&backup).await?;
    timed("SQLite -> SQLite (backup)", &source, &target, posts).await?;
    println!("  backup file {} MB", file_mb(&backup));
    target.close().await;
    remove_sqlite(&backup);

    let Some(postgres) = TestDatabase::postgres("the store copy bench") else {
        return Ok(());
    };
    let on_postgres = postgres.open().await;
    timed("SQLite -> PostgreSQL", &source, &on_postgres, posts).await?;
    let started = Instant::now();
    let checked = Store::check(postgres.url())
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "check on PostgreSQL: {:.1} s ({} problems)",
        started.elapsed().as_secs_f64(),
        checked.problems.len()
    );
    let back = dir.join("back.db");
    remove_sqlite(&back);
    let target = open_file(&back).await?;
    timed("PostgreSQL -> SQLite", &on_postgres, &target, posts).await?;
    target.close().await;
    remove_sqlite(&back);
    on_postgres.close().await;
    Ok(())
}

async fn timed(label: &str, from: &Store, to: &Store, posts: usize) -> Result<CopyReport, String> {
    let started = Instant::now();
    let mut rows_done_at = None;
    // When each table's first batch was read: where the time goes.
    let mut tables: Vec<(&'static str, f64)> = Vec::new();
    let report = from
        .copy_to(to, |step| match step {
            syndic_store::CopyProgress::Rows {
                table, copied: 0, ..
            } => {
                tables.push((table, started.elapsed().as_secs_f64()));
            }
            syndic_store::CopyProgress::Indexing => rows_done_at = Some(started.elapsed()),
            _ => {}
        })
        .await
        .map_err(|e| e.to_string())?;
    let took = started.elapsed().as_secs_f64();
    let rows: u64 = report.tables.iter().map(|t| t.rows).sum();
    let rows_secs = rows_done_at.map_or(took, |at| at.as_secs_f64());
    println!(
        "{label}: {took:.1} s, {:.0} rows/s, {:.0} posts/s (rows {rows_secs:.1} s, \
         search index and verification {:.1} s)",
        rows as f64 / took,
        posts as f64 / took,
        took - rows_secs
    );
    let mut by_table = Vec::new();
    for (at, (table, began)) in tables.iter().enumerate() {
        let ended = tables.get(at + 1).map_or(rows_secs, |(_, next)| *next);
        if ended - began >= 0.5 {
            by_table.push(format!("{table} {:.1} s", ended - began));
        }
    }
    println!("  {}", by_table.join(", "));
    Ok(report)
}

async fn open_file(path: &Path) -> Result<Store, String> {
    Store::open_sqlite_path(path)
        .await
        .map_err(|e| e.to_string())
}

fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(PathBuf::from(format!("{}{suffix}", path.display())));
    }
}

fn file_mb(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len() / 1_000_000)
}

/// The source store, built once per post count (a marker file says it is complete).
async fn build(path: &Path, posts: usize) -> Result<(), String> {
    let marker = path.with_extension("done");
    if marker.exists() {
        return Ok(());
    }
    remove_sqlite(path);
    let started = Instant::now();
    let store = open_file(path).await?;
    let words: Vec<String> = (0..5_000u32)
        .map(|n| {
            let syllables = ["ka", "to", "ri", "ne", "lo", "ma", "su", "pe", "di", "ra"];
            (0..3)
                .map(|k| syllables[((n / 10u32.pow(k)) % 10) as usize])
                .collect()
        })
        .collect();
    let mut seed = 42u64;
    let mut next = move |bound: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((seed >> 33) as usize) % bound
    };
    let per_source = posts.div_ceil(100);
    for s in 0..100 {
        let spec = SourceSpec {
            url: format!("https://source{s}.example/feed.xml"),
            name: Some(format!("Source {s}")),
        };
        let source = store
            .upsert_source(&spec, chrono::Utc::now())
            .await
            .map_err(|e| e.to_string())?;
        let mut batch = Vec::with_capacity(per_source);
        for n in 0..per_source.min(posts.saturating_sub(s * per_source)) {
            let text: Vec<&str> = (0..250)
                .map(|_| words[next(words.len())].as_str())
                .collect();
            let text = text.join(" ");
            let tags = (0..3)
                .map(|_| TagAssignment {
                    tag: format!("tag{}", next(200)),
                    origin: TagOrigin::Term,
                    detail: "bench".into(),
                })
                .collect();
            batch.push(IncomingPost {
                admission: Default::default(),
                entry: FeedEntry {
                    guid: format!("s{s}-p{n}"),
                    title: format!("{} {}", words[next(words.len())], words[next(words.len())]),
                    link: Some(format!("https://source{s}.example/p{n}")),
                    author: None,
                    published: chrono::DateTime::from_timestamp(1_700_000_000 + n as i64, 0),
                    updated: None,
                    content_html: format!("<p>{text}</p>"),
                    content_text: text,
                    categories: Vec::new(),
                    language: None,
                    origin: None,
                    enclosures: Vec::new(),
                    original_links: Vec::new(),
                },
                tags,
                stems: Vec::new(),
            });
        }
        for chunk in batch.chunks(5_000) {
            store
                .ingest(source, &FeedMeta::default(), chunk, chrono::Utc::now())
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    store.close().await;
    std::fs::write(&marker, "built").map_err(|e| e.to_string())?;
    println!(
        "built the source store in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
