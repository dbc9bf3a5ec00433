//! `syndic fetch`: read every configured source once.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use syndic_fetch::{Fetcher, FetcherOptions, Pipeline, SourceJob};
use syndic_store::IngestStats;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::cli::FetchArgs;
use crate::cmd::progress::progress_bar;
use crate::cmd::{open_store, sync_sources};
use crate::config::Config;

pub async fn run(config: &Config, args: &FetchArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let jobs = sync_sources(&store, config).await?;
    if jobs.is_empty() {
        println!(
            "no sources configured in {}; add [[source]] entries",
            config.path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let pipeline = pipeline(config, store.clone())?;
    let summary = fetch_all(&pipeline, jobs, usize::from(args.jobs), Report::EachSource).await;
    store.close().await;
    println!("{}", summary.line());
    Ok(if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The fetch → parse → tag → store pipeline for this configuration.
pub fn pipeline(config: &Config, store: syndic_store::Store) -> anyhow::Result<Pipeline> {
    let options = FetcherOptions {
        user_agent: format!(
            "syndic/{} (+{})",
            env!("CARGO_PKG_VERSION"),
            config.site.base_url
        ),
        ..FetcherOptions::default()
    };
    let fetcher = Fetcher::new(options).context("cannot set up the HTTP client")?;
    let tagger = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
    Ok(Pipeline {
        fetcher,
        tagger: Arc::new(tagger),
        store,
    })
}

/// Totals over one run.
#[derive(Debug, Default)]
pub struct Summary {
    pub sources: usize,
    pub failed: usize,
    pub totals: IngestStats,
    pub seconds: f64,
}

impl Summary {
    fn line(&self) -> String {
        format!(
            "fetched {} sources in {:.1}s: {} ok, {} failed; {} new, {} updated, {} unchanged posts",
            self.sources,
            self.seconds,
            self.sources - self.failed,
            self.failed,
            self.totals.new,
            self.totals.updated,
            self.totals.unchanged
        )
    }
}

/// Whether `fetch_all` prints a line per source (logs carry them either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    EachSource,
    Failures,
}

/// Ingests every job, `parallel` at a time, reporting each source as it finishes.
pub async fn fetch_all(
    pipeline: &Pipeline,
    jobs: Vec<SourceJob>,
    parallel: usize,
    report: Report,
) -> Summary {
    let started = Instant::now();
    let progress = progress_bar(jobs.len(), "fetching", "sources");
    let limit = Arc::new(Semaphore::new(parallel.max(1)));
    let mut tasks = JoinSet::new();
    for job in jobs {
        let pipeline = pipeline.clone();
        let limit = Arc::clone(&limit);
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let result = pipeline.ingest(&job).await;
            (job, result)
        });
    }
    let mut summary = Summary::default();
    while let Some(joined) = tasks.join_next().await {
        summary.sources += 1;
        let (failed, line) = match joined {
            Ok((job, Ok(stats))) => {
                summary.totals.new += stats.new;
                summary.totals.updated += stats.updated;
                summary.totals.unchanged += stats.unchanged;
                tracing::info!(source.id = %job.id, "fetched source {} ({}): {} new, {} updated", job.id, job.location, stats.new, stats.updated);
                let line = format!(
                    "ok      {}: {} new, {} updated, {} unchanged",
                    job.location, stats.new, stats.updated, stats.unchanged
                );
                (false, line)
            }
            Ok((job, Err(error))) => {
                summary.failed += 1;
                tracing::warn!(source.id = %job.id, "source {} failed: {error:#}", job.location);
                (true, format!("failed  {}: {error:#}", job.location))
            }
            Err(panic) => {
                summary.failed += 1;
                (true, format!("failed  (a worker stopped: {panic})"))
            }
        };
        let print = failed || report == Report::EachSource;
        match &progress {
            Some(bar) => {
                if print {
                    bar.println(&line);
                }
                bar.inc(1);
            }
            None if print => println!("{line}"),
            None => {}
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    summary.seconds = started.elapsed().as_secs_f64();
    summary
}
