//! `syndic worker`: fetch and tag sources as they fall due, without serving the site.
//!
//! A worker is the scheduler of `syndic serve` without the web server: it claims each due
//! source with a lease in the store, fetches, tags and stores it, and releases the lease
//! with the outcome. Any number of workers, `serve` and `serve --no-fetch` processes share
//! one database; `[fetch] concurrency` and `per_host` hold for all of them together. It
//! pings the configured WebSub hubs when it stores new posts, but subscribes to none: a
//! hub's pushes reach the web nodes, and polling keeps the sources fresh.
//!
//! `--once` fetches every source due now (sources never fetched included), waits for the
//! due sources other processes hold (or for their leases to run out, when a worker died),
//! and exits with `fetch`'s codes: 0, or 1 when some source failed.

use std::process::ExitCode;
use std::sync::Arc;

use syndic_fetch::{LeaseSettings, Limits, Publisher, Scheduler, Sweep, SystemClock};

use crate::cli::WorkerArgs;
use crate::cmd::fetch::{Report, fetch_all, pipeline};
use crate::cmd::startup::{open_store_patiently, shutdown_signal};
use crate::cmd::{open_store, sync_sources};
use crate::config::Config;

pub async fn run(config: &Config, args: &WorkerArgs) -> anyhow::Result<ExitCode> {
    let Some(store) = open_store_patiently(|| open_store(config)).await? else {
        eprintln!("stopped before the store could be reached");
        return Ok(ExitCode::FAILURE);
    };
    let jobs = sync_sources(&store, config).await?;
    if jobs.is_empty() {
        println!(
            "no sources configured in {}; add [[source]] entries",
            config.path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let pipeline = pipeline(config, store.clone()).await?;
    let limits = Limits {
        concurrency: config.fetch.concurrency,
        per_host: config.fetch.per_host,
    };
    let lease = LeaseSettings::new(config.fetch.lease);
    let publisher = Publisher::new(
        pipeline.fetcher.clone(),
        config.site.hubs.clone(),
        &config.site.base_url,
    );
    println!(
        "worker {} fetching {} sources from the {} store (Ctrl-C stops)",
        lease.owner,
        jobs.len(),
        store.engine_name()
    );
    if args.once {
        let sweep = Sweep::due_now(pipeline, jobs, limits, lease);
        let summary = fetch_all(&store, sweep, Report::EachSource).await?;
        if summary.totals.new + summary.totals.updated > 0
            && let Some(publisher) = publisher
        {
            publisher.ping(&summary.touched_tags).await;
        }
        store.close().await;
        println!("{}", summary.line());
        if let Some(error) = &summary.search_index_error {
            eprintln!(
                "worker: the posts are stored, but the search index could not be brought in step \
                 ({error}); the next start catches up"
            );
        }
        return Ok(summary.exit_code());
    }
    let mut scheduler =
        Scheduler::new(pipeline, jobs, limits, Arc::new(SystemClock)).with_lease(lease);
    if let Some(publisher) = publisher {
        scheduler = scheduler.with_publisher(publisher);
    }
    scheduler.run(shutdown_signal()).await;
    store.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
