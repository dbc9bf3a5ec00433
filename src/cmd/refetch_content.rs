//! `syndic refetch-content [--source URL]`: read the pages of stored posts again, for the
//! sources with `full_content`, through the same pipeline step a fetch runs for new posts
//! ([`syndic_fetch::Pipeline::read_pages`]): robots.txt, turns per host, extraction, the
//! longer-than rule, and the normal update path (a revision, search, tags).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::Utc;
use syndic_fetch::{FullTextStats, SourceJob};

use crate::cli::RefetchContentArgs;
use crate::cmd::{fetch, open_store, sync_sources};
use crate::config::Config;

/// Posts whose pages are read, then stored, at a time.
const BATCH: usize = 20;
/// How often a progress line is printed while a source's pages are read.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

pub async fn run(config: &Config, args: &RefetchContentArgs) -> anyhow::Result<ExitCode> {
    let chosen: Vec<&crate::config::SourceConfig> = config
        .sources
        .iter()
        .filter(|source| source.full_content.is_some())
        .filter(|source| match &args.source {
            Some(wanted) => source.url == *wanted || source.name.as_deref() == Some(wanted),
            None => true,
        })
        .collect();
    if chosen.is_empty() {
        match &args.source {
            Some(wanted) => bail!(
                "no [[source]] with full_content is {wanted:?}; give the URL (or name) of a \
                 source that sets full_content in {}",
                config.path.display()
            ),
            None => bail!(
                "no [[source]] sets full_content in {}, so there are no pages to read; add \
                 full_content = \"readability\" to the sources that publish summaries",
                config.path.display()
            ),
        }
    }
    let store = open_store(config).await?;
    let jobs = sync_sources(&store, config).await?;
    let pipeline = fetch::pipeline(config, store.clone()).await?;
    let mut total = FullTextStats::default();
    let mut posts = 0usize;
    for source in chosen {
        let Some(job) = jobs.iter().find(|job| job.location == source.location) else {
            continue;
        };
        let (read, stats) = refetch_source(&pipeline, job, &source.url).await?;
        posts += read;
        total += stats;
    }
    store.close().await;
    outln!(
        "refetch-content: {posts} posts read: {} now from their page, {} kept their text, \
         {} failed (see `syndic explain POST`)",
        total.page,
        total.kept,
        total.failed
    );
    Ok(ExitCode::SUCCESS)
}

/// Reads the pages of every post of `job`'s source, a batch at a time; the posts read and
/// what came of them.
async fn refetch_source(
    pipeline: &syndic_fetch::Pipeline,
    job: &SourceJob,
    url: &str,
) -> anyhow::Result<(usize, FullTextStats)> {
    let ids = pipeline
        .store
        .source_post_ids(job.id)
        .await
        .with_context(|| format!("cannot list the posts of {url}"))?;
    let mut stats = FullTextStats::default();
    let mut last_note = Instant::now();
    for (done, batch) in ids.chunks(BATCH).enumerate() {
        let batch_stats = pipeline
            .read_pages(job, batch, Utc::now())
            .await
            .with_context(|| format!("cannot store the page texts of {url}"))?;
        stats += batch_stats;
        if last_note.elapsed() >= PROGRESS_EVERY {
            outln!("{url}: {} of {} posts read", (done + 1) * BATCH, ids.len());
            last_note = Instant::now();
        }
    }
    outln!(
        "{url}: {} posts: {} from their page, {} kept their text, {} failed",
        ids.len(),
        stats.page,
        stats.kept,
        stats.failed
    );
    Ok((ids.len(), stats))
}
