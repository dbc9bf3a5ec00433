//! `syndic fetch`: read the configured sources once, politely.
//!
//! Every source is read except those a server told to wait (429/503 with `Retry-After`)
//! or marked gone (410), which are skipped with a note unless `--force`; `--due` reads
//! only the sources whose next fetch has come (for cron). At most `[fetch] concurrency`
//! requests run at once, and at most `[fetch] per_host` to one host, counting the fetches
//! of every other process on the same database; a source another process is fetching is
//! skipped with a note (each fetch holds a lease: `syndic_fetch::Sweep`).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use syndic_core::schedule::ScheduleSettings;
use syndic_core::{SourceId, SourceStatus};
use syndic_fetch::{
    Fetcher, FetcherOptions, LeaseSettings, Limits, Pipeline, Publisher, SourceJob, Sweep,
    SweepEvent,
};
use syndic_store::{IngestStats, Store};

use crate::cli::FetchArgs;
use crate::cmd::progress::progress_bar;
use crate::cmd::{open_store, sync_sources};
use crate::config::Config;

pub async fn run(config: &Config, args: &FetchArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let jobs = sync_sources(&store, config).await?;
    let configured: Vec<(SourceId, String)> = (jobs.iter().map(|j| j.id))
        .zip(config.sources.iter().map(|s| s.url.clone()))
        .collect();
    if jobs.is_empty() {
        println!(
            "no sources configured in {}; add [[source]] entries",
            config.path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (jobs, skipped) = choose(&store, jobs, args).await?;
    for note in &skipped {
        println!("skipped {note}");
    }
    let pipeline = pipeline(config, store.clone()).await?;
    let limits = Limits {
        concurrency: args.jobs.map_or(config.fetch.concurrency, usize::from),
        per_host: config.fetch.per_host,
    };
    let lease = LeaseSettings::new(config.fetch.lease);
    let sweep = Sweep::listed(pipeline.clone(), jobs, limits, lease);
    let mut summary = fetch_all(&store, sweep, Report::EachSource).await?;
    summary.skipped += skipped.len();
    follow_moves(config, &configured, &summary.moved);
    // Our own feeds changed: tell the configured WebSub hubs.
    if summary.totals.new + summary.totals.updated > 0
        && let Some(publisher) = Publisher::new(
            pipeline.fetcher.clone(),
            config.site.hubs.clone(),
            &config.site.base_url,
        )
    {
        publisher.ping(&summary.touched_tags).await;
    }
    store.close().await;
    // Not `println!`: with standard output gone it would panic; the run's outcome is in the
    // exit code either way.
    let _ = writeln!(std::io::stdout(), "{}", summary.line());
    if let Some(error) = summary.search_index_error {
        return Err(anyhow::Error::new(error).context(
            "the posts are stored, but the search index could not be brought in step; \
             the next `syndic fetch` or `syndic serve` catches up",
        ));
    }
    Ok(summary.exit_code())
}

/// The jobs to run now, and a note for each one left alone (paused ones always, even
/// with `--force`). Sources not yet due under `--due` are left alone silently: a cron job that runs every few minutes would be noisy.
async fn choose(
    store: &Store,
    jobs: Vec<SourceJob>,
    args: &FetchArgs,
) -> anyhow::Result<(Vec<SourceJob>, Vec<String>)> {
    let now = Utc::now();
    let paused = store
        .paused_sources()
        .await
        .context("cannot list the paused sources")?;
    let ids: Vec<SourceId> = jobs.iter().map(|job| job.id).collect();
    let mut states = store
        .fetch_states(&ids)
        .await
        .context("cannot read the sources' fetch states")?;
    let (mut run, mut skipped) = (Vec::with_capacity(jobs.len()), Vec::new());
    for job in jobs {
        let state = states
            .remove(&job.id)
            .with_context(|| format!("source {} ({}) is not in the store", job.id, job.location))?;
        if paused.contains(&job.id) {
            skipped.push(format!(
                "{}: paused (by `paused = true` in its [[source]] or by the admin); its \
                 posts stay, and it is read again once resumed",
                job.location
            ));
        } else if args.force {
            run.push(job);
        } else if state.status == SourceStatus::Gone {
            skipped.push(format!(
                "{}: gone (the server answered 410); --force reads it anyway",
                job.location
            ));
        } else if let Some(until) = state.wait_until.filter(|until| *until > now) {
            skipped.push(format!(
                "{}: the server asked to wait until {until}; --force reads it anyway",
                job.location
            ));
        } else if !(args.due && state.next_fetch.is_some_and(|next| next > now)) {
            run.push(job);
        }
    }
    Ok((run, skipped))
}

/// The one outbound HTTP path for this configuration: `[fetch]`'s deadlines, body cap,
/// proxy and SSRF guard, and our User-Agent. Everything that reads the network uses it.
pub fn fetcher(config: &Config) -> anyhow::Result<Fetcher> {
    let fetch = &config.fetch;
    let options = FetcherOptions {
        user_agent: format!(
            "syndic/{} (+{})",
            env!("CARGO_PKG_VERSION"),
            config.site.base_url
        ),
        connect_timeout: fetch.connect_timeout,
        idle_timeout: fetch.idle_timeout,
        timeout: fetch.timeout,
        max_body: fetch.max_body,
        allow_networks: fetch.allow_networks.clone(),
        proxy: fetch.proxy.clone(),
        ..FetcherOptions::default()
    };
    Fetcher::new(options).context("cannot set up the HTTP client")
}

/// The fetch → parse → tag → store pipeline for this configuration, tagging with what the
/// store's corpus and the last retag taught, read when the first changed body is tagged
/// ([`crate::cmd::deferred_tagger`]).
pub async fn pipeline(config: &Config, store: Store) -> anyhow::Result<Pipeline> {
    let fetch = &config.fetch;
    let fetcher = fetcher(config)?;
    let tagger = crate::cmd::deferred_tagger(config, &store)?;
    let schedule = ScheduleSettings {
        min_interval: chrono::Duration::from_std(fetch.min_interval)
            .context("min_interval is too long")?,
        max_interval: chrono::Duration::from_std(fetch.max_interval)
            .context("max_interval is too long")?,
    };
    let media = match config.media.settings() {
        Some(settings) => Some(Arc::new(
            syndic_fetch::MediaCache::new(&fetcher, settings, store.clone())
                .await
                .context("cannot count the cached images the store keeps")?,
        )),
        None => None,
    };
    // Built always: it reads nothing unless a source has `full_content`.
    let full_text = Some(Arc::new(syndic_fetch::FullText::new(
        &fetcher,
        store.clone(),
    )));
    let bodies = syndic_fetch::BodyGate::for_store(&store);
    Ok(Pipeline {
        fetcher,
        tagger: Arc::new(tagger),
        store,
        schedule,
        metrics: Arc::default(),
        media,
        full_text,
        bodies,
    })
}

/// Points each moved source's `[[source]]` at its new address, so the configuration
/// follows the feed (the store already keeps the old address). A failed edit is reported
/// and changes nothing else: the store reads the new address either way.
fn follow_moves(config: &Config, configured: &[(SourceId, String)], moved: &[(SourceId, String)]) {
    for (id, new) in moved {
        let Some((_, old)) = configured.iter().find(|(c, _)| c == id) else {
            continue;
        };
        match crate::config::edit::replace_source_url(&config.path, old, new) {
            Ok(true) => println!("updated {}: {old} is now {new}", config.path.display()),
            Ok(false) => {}
            Err(error) => eprintln!("could not update {}: {error:#}", config.path.display()),
        }
    }
}

/// Totals over one run.
#[derive(Debug, Default)]
pub struct Summary {
    pub sources: usize,
    pub failed: usize,
    /// Sources the server said had not changed (304, or the same bytes).
    pub not_modified: usize,
    pub skipped: usize,
    pub totals: IngestStats,
    pub seconds: f64,
    /// Sources that moved permanently (301/308), with their new address.
    pub moved: Vec<(SourceId, String)>,
    /// Slugs of the tags of the new or updated posts, each once: whose feeds changed.
    pub touched_tags: Vec<String>,
    /// Why the search index could not index what the run stored, if it could not.
    pub search_index_error: Option<syndic_store::StoreError>,
    /// Stopped by Ctrl-C or SIGTERM before every source was read.
    pub interrupted: bool,
}

impl Summary {
    /// 0 when every source read was read, 1 when some failed or the run was interrupted.
    pub fn exit_code(&self) -> ExitCode {
        if self.failed == 0 && !self.interrupted {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }

    pub fn line(&self) -> String {
        let skipped = if self.skipped > 0 {
            format!(", {} skipped", self.skipped)
        } else {
            String::new()
        };
        let interrupted = if self.interrupted {
            " (interrupted)"
        } else {
            ""
        };
        format!(
            "fetched {} sources in {:.1}s{interrupted}: {} ok ({} not modified), {} failed{skipped}; {} new, {} updated, {} unchanged posts",
            self.sources,
            self.seconds,
            self.sources - self.failed,
            self.not_modified,
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

/// Runs `sweep` to its end, reporting each source as it finishes, then indexes what it
/// stored for search; Ctrl-C, SIGTERM or a standard output that can no longer be written
/// (a closed pipe) stops it, giving back every lease it holds. Fails only when the store
/// cannot be asked for sources to claim.
pub async fn fetch_all(store: &Store, mut sweep: Sweep, report: Report) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let progress = sweep
        .planned()
        .and_then(|len| progress_bar(len, "fetching", "sources"));
    let mut summary = Summary::default();
    let signal = crate::cmd::startup::shutdown_signal();
    tokio::pin!(signal);
    loop {
        let event = tokio::select! {
            next = sweep.next() => next,
            () = &mut signal => {
                summary.interrupted = true;
                break;
            }
        };
        let event = match event {
            Ok(Some(event)) => event,
            Ok(None) => break,
            Err(error) => {
                sweep.stop().await;
                return Err(error).context("cannot claim sources to fetch");
            }
        };
        let (failed, line) = summary.add(event);
        let print = failed || report == Report::EachSource;
        match &progress {
            Some(bar) => {
                if print {
                    bar.println(&line);
                }
                bar.inc(1);
            }
            None if print => {
                if let Err(error) = writeln!(std::io::stdout(), "{line}") {
                    // Standard output is gone (a pipe whose reader left: `| head`). Stop as
                    // on Ctrl-C, giving every lease back, rather than panic holding them.
                    tracing::warn!("cannot write to standard output ({error}); stopping");
                    summary.interrupted = true;
                    break;
                }
            }
            None => {}
        }
    }
    sweep.stop().await;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    // Whatever the run stored is searchable when it ends (an interrupted run leaves its
    // posts listed as pending: the next start indexes them).
    if !summary.interrupted {
        summary.search_index_error = store.index_search().await.err();
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

impl Summary {
    /// Counts one event of a sweep; whether it is a failure, and its line.
    fn add(&mut self, event: SweepEvent) -> (bool, String) {
        let (job, result) = match event {
            SweepEvent::Fetched(finished) => finished,
            SweepEvent::Held { job, lease } => {
                self.skipped += 1;
                let line = format!(
                    "skipped {}: {} is fetching it (lease until {})",
                    job.location, lease.owner, lease.until
                );
                return (false, line);
            }
        };
        match result {
            Err(error) if error.is_lease_lost() => {
                self.skipped += 1;
                tracing::warn!(source.id = %job.id, "{}: {error:#}", job.location);
                (false, format!("skipped {}: {error:#}", job.location))
            }
            Err(error) => {
                self.sources += 1;
                self.failed += 1;
                tracing::warn!(source.id = %job.id, "source {} failed: {error:#}", job.location);
                (true, format!("failed  {}: {error:#}", job.location))
            }
            Ok(done) => {
                self.sources += 1;
                let stats = done.stats;
                self.totals.new += stats.new;
                self.totals.updated += stats.updated;
                self.totals.unchanged += stats.unchanged;
                self.not_modified += usize::from(done.unchanged);
                for slug in done.touched_tags {
                    if !self.touched_tags.contains(&slug) {
                        self.touched_tags.push(slug);
                    }
                }
                tracing::info!(source.id = %job.id, "fetched source {} ({}): {} new, {} updated", job.id, job.location, stats.new, stats.updated);
                let mut line = if done.unchanged {
                    format!("ok      {}: not modified", job.location)
                } else {
                    format!(
                        "ok      {}: {} new, {} updated, {} unchanged",
                        job.location, stats.new, stats.updated, stats.unchanged
                    )
                };
                if let Some(new) = done.moved_to {
                    line.push_str(&format!("; moved permanently to {new}"));
                    self.moved.push((job.id, new));
                }
                (false, line)
            }
        }
    }
}
