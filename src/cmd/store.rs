//! `syndic store copy|check|reindex`: moving a store between databases (and backing it
//! up), checking one, rebuilding its search index.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use syndic_store::{CopyProgress, CopyReport, Store, StoreCheck, StoreOptions, redact};

use crate::cli::{GlobalArgs, StoreCommand, StoreCopyArgs};
use crate::cmd::{load, open_store_as_is};
use crate::config::Database;

pub async fn run(global: &GlobalArgs, command: &StoreCommand) -> anyhow::Result<ExitCode> {
    match command {
        StoreCommand::Copy(args) => copy(global, args).await,
        StoreCommand::Check => check(global).await,
        StoreCommand::Reindex => {
            let store = open_store_as_is(&load(global, None)?).await?;
            let indexed = store
                .rebuild_search_index()
                .await
                .context("cannot rebuild the search index")?;
            outln!("rebuilt the search index ({indexed} posts) and the listings' post counts");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The configured store's URL, as people read it (a SQLite file as its path).
fn configured_url(global: &GlobalArgs) -> anyhow::Result<String> {
    Ok(match load(global, None)?.database {
        Database::File(path) => format!("sqlite://{}", path.display()),
        Database::Url(url) => url,
    })
}

async fn copy(global: &GlobalArgs, args: &StoreCopyArgs) -> anyhow::Result<ExitCode> {
    let from = match &args.from {
        Some(url) => url.clone(),
        None => configured_url(global)?,
    };
    let (shown_from, shown_to) = (redact(&from), redact(&args.to));
    let options = StoreOptions::default();
    let source = Store::open_with(&from, &options)
        .await
        .with_context(|| format!("cannot open the store to copy ({shown_from})"))?;
    let target = Store::open_with(&args.to, &options)
        .await
        .with_context(|| format!("cannot open the target ({shown_to})"))?;
    eprintln!(
        "copying {shown_from} ({}) to {shown_to} ({})",
        source.engine_name(),
        target.engine_name()
    );
    let started = Instant::now();
    let mut shown = Progress::new();
    let copied = source.copy_to(&target, |step| shown.show(step)).await;
    shown.finish();
    source.close().await;
    target.close().await;
    let report = copied.with_context(|| format!("cannot copy {shown_from} to {shown_to}"))?;
    summarize(&report, &shown_to, started.elapsed());
    Ok(ExitCode::SUCCESS)
}

fn summarize(report: &CopyReport, to: &str, took: Duration) {
    if report.redone {
        outln!("the target held an interrupted copy of this store: emptied and copied again");
    }
    let rows: u64 = report.tables.iter().map(|t| t.rows).sum();
    let tables: Vec<String> = report
        .tables
        .iter()
        .map(|t| format!("{} {}", t.table, t.rows))
        .collect();
    outln!(
        "copied {rows} rows to {to} in {:.1}s, counts verified: {}",
        took.as_secs_f64(),
        tables.join(", ")
    );
}

/// A bar on a terminal; otherwise a line per table and every few seconds.
struct Progress {
    bar: Option<ProgressBar>,
    last_line: Instant,
}

/// The gap between two progress lines when standard error is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    fn new() -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            let style = ProgressStyle::with_template(
                "{spinner} copying {msg:20} [{bar:30}] {pos}/{len} rows ({elapsed})",
            )
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress {
            bar,
            last_line: Instant::now(),
        }
    }

    fn show(&mut self, step: CopyProgress) {
        match (step, &self.bar) {
            (
                CopyProgress::Rows {
                    table, done, total, ..
                },
                Some(bar),
            ) => {
                bar.set_length(total);
                bar.set_position(done);
                bar.set_message(table);
            }
            (
                CopyProgress::Rows {
                    table, copied, of, ..
                },
                None,
            ) => {
                if copied == of || self.last_line.elapsed() >= LINE_EVERY {
                    eprintln!("copied {copied} of {of} rows of {table}");
                    self.last_line = Instant::now();
                }
            }
            (CopyProgress::Indexing, Some(bar)) => bar.set_message("search index"),
            (CopyProgress::Verifying, Some(bar)) => bar.set_message("(verifying)"),
            (CopyProgress::Indexing, None) => eprintln!("rebuilding the search index"),
            (CopyProgress::Verifying, None) => eprintln!("counting the copied rows"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

async fn check(global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    // A URL on the command line needs no configuration file.
    let (checked, shown) = match &global.database_url {
        Some(url) => (Store::check(url).await, redact(url)),
        None => match load(global, None)?.database {
            Database::File(path) => (
                Store::check_sqlite_path(&path).await,
                path.display().to_string(),
            ),
            Database::Url(url) => (Store::check(&url).await, redact(&url)),
        },
    };
    let check = checked.with_context(|| format!("cannot check the store {shown}"))?;
    report(&check, &shown);
    Ok(if check.is_healthy() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn report(check: &StoreCheck, shown: &str) {
    let version = check
        .schema_version
        .map_or_else(|| "no schema".to_owned(), |v| format!("schema version {v}"));
    outln!("store {shown} ({}), {version}", check.engine);
    if !check.tables.is_empty() {
        let counts: Vec<String> = check
            .tables
            .iter()
            .map(|t| format!("{} {}", t.table, t.rows))
            .collect();
        outln!("rows: {}", counts.join(", "));
    }
    for problem in &check.problems {
        outln!("problem: {}", problem.what);
        outln!("  to fix: {}", problem.fix);
    }
    if check.is_healthy() {
        outln!("ok: the store is healthy");
    } else {
        outln!("{} problem(s) found", check.problems.len());
    }
}
