//! Parts 3 and 4 of the engines bench: `syndic worker --once` processes against the local
//! feed server, into a fresh store each time, with the CPU of syndic and of PostgreSQL.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use syndic_store::testing::{TestDatabase, TestEngine};
use syndic_store::{PostFilter, SourceSpec, Store};

use crate::feed_server::{self, Feeds};
use crate::{Result, cpu, engine_name, knob, toml_string};

/// How often the PostgreSQL sessions' CPU is read while the workers run.
const POLL: Duration = Duration::from_millis(100);

/// What one run of workers did and cost.
struct Run {
    workers: u64,
    engine: TestEngine,
    wall: f64,
    posts: u64,
    syndic_cpu: Option<f64>,
    /// `None` on SQLite.
    postgres_cpu: Option<f64>,
    /// Workers that exited with a failure.
    failed: usize,
}

impl Run {
    fn posts_per_second(&self) -> f64 {
        self.posts as f64 / self.wall
    }
}

pub async fn run() -> Result<()> {
    let feeds = knob("SYNDIC_BENCH_FEEDS", 2000).max(1);
    let items = u32::try_from(knob("SYNDIC_BENCH_ITEMS", 20).clamp(1, 500)).unwrap_or(20);
    let counts: Vec<u64> = std::env::var("SYNDIC_BENCH_WORKERS")
        .unwrap_or_else(|_| "1,2,4".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .filter(|&n| n > 0)
        .collect();
    let addresses = feed_server::start(64, Arc::new(Feeds::new(items, 5)))?;
    println!(
        "\nworkers: {feeds} feeds of {items} posts (about 330 words each) on {} loopback hosts, \
         default [fetch] limits (concurrency 32, per_host 2, for all workers together)",
        addresses.len()
    );
    let sources = feed_server::sources_toml(&addresses, feeds);
    let urls = feed_server::feed_urls(&addresses, feeds);
    let mut runs = Vec::new();
    let mut cases = vec![(TestEngine::Sqlite, 1)];
    cases.extend(counts.iter().map(|&n| (TestEngine::Postgres, n)));
    for (engine, workers) in cases {
        let Some(db) = TestDatabase::new(engine, "the engines bench's workers") else {
            continue;
        };
        match one_run(&db, workers, &sources, &urls).await {
            Ok(run) => {
                print_run(&run);
                runs.push(run);
            }
            Err(e) => println!(
                "{} with {workers} worker(s) failed: {e}",
                engine_name(engine)
            ),
        }
    }
    print_summary(&runs);
    Ok(())
}

/// Starts `workers` workers on a fresh store and waits for them all.
async fn one_run(db: &TestDatabase, workers: u64, sources: &str, urls: &[String]) -> Result<Run> {
    // Migrate and record the sources first: a store's creation is not what is measured,
    // and workers that start together on sources no process has recorded yet race to
    // insert them (`Store::upsert_source` looks up, then inserts, outside one transaction).
    let store = db.open().await;
    for url in urls {
        let spec = SourceSpec {
            url: url.clone(),
            name: None,
        };
        store.upsert_source(&spec, chrono::Utc::now()).await?;
    }
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("syndic.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = {}\n\n[fetch]\nallow_networks = [\"127.0.0.0/8\"]\n\n{TAGS}{sources}",
            toml_string(db.url())
        ),
    )?;
    let cpu_before = cpu::children_cpu();
    let started = Instant::now();
    let mut children = (0..workers)
        .map(|n| start_worker(&config, dir.path(), n))
        .collect::<Result<Vec<_>>>()?;
    let mut postgres = HashMap::new();
    let statuses = loop {
        read_sessions(&store, &mut postgres).await;
        let statuses: Vec<Option<ExitStatus>> = children
            .iter_mut()
            .map(|child| child.try_wait().ok().flatten())
            .collect();
        if statuses.iter().all(Option::is_some) {
            break statuses;
        }
        tokio::time::sleep(POLL).await;
    };
    let wall = started.elapsed().as_secs_f64();
    let syndic_cpu = cpu::children_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let posts = store.count_posts(PostFilter::All).await?;
    store.close().await;
    let failed = statuses.iter().flatten().filter(|s| !s.success()).count();
    if failed > 0 {
        print_failures(dir.path(), workers);
    }
    Ok(Run {
        workers,
        engine: db.engine(),
        wall,
        posts,
        syndic_cpu,
        postgres_cpu: (db.engine() == TestEngine::Postgres)
            .then(|| postgres.values().copied().sum()),
        failed,
    })
}

/// A tag every post earns, one most posts earn and one few do, so that tag links are
/// written too.
const TAGS: &str = "[[tag]]\nname = \"scheduler\"\nterms = [\"scheduler\"]\n\n\
                    [[tag]]\nname = \"harbor\"\nterms = [\"harbor\"]\n\n\
                    [[tag]]\nname = \"rollback pipeline\"\nterms = [\"rollback pipeline\"]\n\n";

fn start_worker(config: &Path, dir: &Path, n: u64) -> Result<Child> {
    let out = std::fs::File::create(log(dir, n, "out"))?;
    let err = std::fs::File::create(log(dir, n, "err"))?;
    Ok(Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["worker", "--once", "--config"])
        .arg(config)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()?)
}

fn log(dir: &Path, n: u64, which: &str) -> PathBuf {
    dir.join(format!("worker-{n}.{which}"))
}

/// Notes the CPU time of every PostgreSQL process now serving the store's sessions: the
/// latest reading of each process, which only grows.
async fn read_sessions(store: &Store, seen: &mut HashMap<u32, f64>) {
    let Ok(pids) = syndic_store::testing::server_pids(store).await else {
        return;
    };
    for pid in pids {
        if let Some(seconds) = cpu::process_cpu(pid) {
            let latest = seen.entry(pid).or_insert(0.0);
            *latest = latest.max(seconds);
        }
    }
}

fn print_failures(dir: &Path, workers: u64) {
    for n in 0..workers {
        let text = std::fs::read_to_string(log(dir, n, "err")).unwrap_or_default();
        for line in text.lines().take(3) {
            println!("    worker {n}: {line}");
        }
    }
}

fn print_run(run: &Run) {
    let cpu = |seconds: Option<f64>| seconds.map_or("-".to_owned(), |s| format!("{s:.1} s"));
    println!(
        "{:<10} {} worker(s): {} posts in {:.1} s = {:.0} posts/s; CPU: syndic {}, \
         PostgreSQL {}{}",
        engine_name(run.engine),
        run.workers,
        run.posts,
        run.wall,
        run.posts_per_second(),
        cpu(run.syndic_cpu),
        cpu(run.postgres_cpu),
        if run.failed > 0 {
            format!(" ({} worker(s) failed)", run.failed)
        } else {
            String::new()
        }
    );
}

/// The PostgreSQL/SQLite ratio with one worker and the shape of the curve.
fn print_summary(runs: &[Run]) {
    let rate = |engine, workers| {
        runs.iter()
            .find(|r| r.engine == engine && r.workers == workers)
            .map(Run::posts_per_second)
    };
    if let Some((postgres, sqlite)) = rate(TestEngine::Postgres, 1).zip(rate(TestEngine::Sqlite, 1))
    {
        println!(
            "PostgreSQL/SQLite with one worker: {:.2}x (aim ≥ 0.7)",
            postgres / sqlite
        );
    }
    let curve: Vec<&Run> = runs
        .iter()
        .filter(|r| r.engine == TestEngine::Postgres)
        .collect();
    let lowered: Vec<String> = curve
        .windows(2)
        .filter(|pair| pair[1].posts_per_second() < pair[0].posts_per_second())
        .map(|pair| format!("{} → {} workers", pair[0].workers, pair[1].workers))
        .collect();
    if curve.len() > 1 {
        if lowered.is_empty() {
            println!("PostgreSQL: no added worker lowered throughput");
        } else {
            println!(
                "PostgreSQL: throughput fell from {} (this machine has {} cores, shared with \
                 the server)",
                lowered.join(", "),
                std::thread::available_parallelism().map_or(1, usize::from)
            );
        }
    }
}
