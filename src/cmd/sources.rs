//! `syndic sources`: every source's health, for people (a table) or programs (JSON, which
//! also names the process fetching a source now and until when its lease runs).

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use syndic_core::{SourceId, SourceSummary};
use syndic_store::SourceLease;

use crate::cli::{ListFormat, SourcesArgs};
use crate::cmd::open_store_read_only;
use crate::config::Config;

/// One source as `--format json` prints it.
#[derive(Debug, Serialize)]
struct SourceHealth<'a> {
    url: &'a str,
    name: &'a str,
    slug: &'a str,
    status: &'static str,
    /// Not fetched: paused by its `[[source]]` or by the admin.
    paused: bool,
    /// `full_content` as its `[[source]]` writes it; null when its pages are not read.
    full_content: Option<&'a str>,
    last_success: Option<String>,
    last_error: Option<&'a str>,
    error_count: i64,
    next_fetch: Option<String>,
    posts: i64,
    /// Until when a process holds the source (it is fetching it now); null when none does.
    leased_until: Option<String>,
    /// Which process (`host:pid:random`) holds it; null when none does.
    leased_by: Option<&'a str>,
}

fn rfc3339(time: Option<DateTime<Utc>>) -> Option<String> {
    time.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

impl<'a> SourceHealth<'a> {
    fn new(source: &'a SourceSummary, lease: Option<&'a SourceLease>) -> Self {
        SourceHealth {
            url: &source.url,
            name: &source.name,
            slug: &source.slug,
            status: source.status.as_str(),
            paused: source.paused,
            full_content: source.full_content.as_deref(),
            last_success: rfc3339(source.last_success),
            last_error: source.last_error.as_deref(),
            error_count: source.error_count,
            next_fetch: rfc3339(source.next_fetch),
            posts: source.post_count,
            leased_until: rfc3339(lease.map(|lease| lease.until)),
            leased_by: lease.map(|lease| lease.owner.as_str()),
        }
    }
}

pub async fn run(config: &Config, args: &SourcesArgs) -> anyhow::Result<ExitCode> {
    // Only reads: the store may be read-only. Sources configured since the last command
    // that writes (fetch, serve, worker) have no row yet and are named after the table.
    let store = open_store_read_only(config).await?;
    let sources = store.sources().await.context("cannot list the sources")?;
    let leases = store
        .leases(Utc::now())
        .await
        .context("cannot list the leases")?;
    store.close().await;
    let leases: HashMap<SourceId, &SourceLease> =
        leases.iter().map(|lease| (lease.source, lease)).collect();
    let health: Vec<SourceHealth<'_>> = sources
        .iter()
        .map(|source| SourceHealth::new(source, leases.get(&source.id).copied()))
        .collect();
    match args.format {
        ListFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&health).context("cannot write JSON")?
        ),
        ListFormat::Table => {
            let unknown: Vec<&str> = config
                .sources
                .iter()
                .map(|source| source.url.as_str())
                .filter(|url| !sources.iter().any(|stored| stored.url == *url))
                .collect();
            if !health.is_empty() || unknown.is_empty() {
                print_table(&health);
            }
            if !unknown.is_empty() {
                outln!(
                    "not in the store yet (the next `syndic fetch` adds them): {}",
                    unknown.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(sources: &[SourceHealth<'_>]) {
    if sources.is_empty() {
        outln!("no sources; add [[source]] entries to the configuration");
        return;
    }
    let short = |time: &Option<String>| {
        time.as_deref()
            .map_or("-".to_owned(), |t| t.replace('T', " ").replace('Z', ""))
    };
    outln!(
        "{:<8} {:>6} {:>6}  {:<19}  {:<19}  SOURCE",
        "STATUS",
        "POSTS",
        "ERRORS",
        "LAST SUCCESS",
        "NEXT FETCH"
    );
    for source in sources {
        outln!(
            "{:<8} {:>6} {:>6}  {:<19}  {:<19}  {} ({})",
            if source.paused {
                "paused"
            } else {
                source.status
            },
            source.posts,
            source.error_count,
            short(&source.last_success),
            short(&source.next_fetch),
            source.name,
            source.url
        );
        if let Some(error) = source.last_error {
            outln!("         last error: {error}");
        }
    }
}
