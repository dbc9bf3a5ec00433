//! `syndic add URL`: follow a feed, or the feed a web page advertises.
//!
//! The address is read through the same fetcher as `syndic fetch` (so the SSRF guard and
//! `[fetch]` limits apply); discovery is `syndic_fetch::find_feeds`. One feed found (or
//! `--yes`) is appended to the configuration as a `[[source]]`; several are listed for the
//! operator to choose from.

use std::process::ExitCode;

use anyhow::Context;
use syndic_fetch::FoundFeed;
use url::Url;

use crate::cli::AddArgs;
use crate::cmd::fetch::fetcher;
use crate::config::Config;
use crate::config::edit::{append_source, normalize_url};

pub async fn run(config: &Config, args: &AddArgs) -> anyhow::Result<ExitCode> {
    let url = Url::parse(args.url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .with_context(|| format!("{:?} is not an http(s) URL", args.url))?;
    if let Some(existing) = configured(config, url.as_str()) {
        eprintln!(
            "{existing} is already a source in {}",
            config.path.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    let fetcher = fetcher(config)?;
    let found = syndic_fetch::find_feeds(&fetcher, &url)
        .await
        .with_context(|| format!("cannot read {url}"))?;
    if found.is_empty() {
        eprintln!(
            "no feed found at {url}: it is not a feed, and the page neither advertises one \
             (<link rel=\"alternate\">) nor has one at the usual paths"
        );
        return Ok(ExitCode::FAILURE);
    }
    for (i, feed) in found.iter().enumerate() {
        println!("{}", shown(i + 1, feed));
    }
    if found.len() > 1 && !args.yes {
        eprintln!(
            "{} feeds found; run `syndic add` again with the URL of the one you want \
             (or --yes for the first)",
            found.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    let chosen = &found[0];
    if let Some(existing) = configured(config, chosen.url.as_str()) {
        eprintln!(
            "{existing} is already a source in {}",
            config.path.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    append_source(
        &config.path,
        chosen.url.as_str(),
        args.name.as_deref(),
        &args.tags,
    )?;
    println!(
        "added {} to {}; `syndic fetch` reads it",
        chosen.url,
        config.path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The configured source address that is the same as `url`, if any.
fn configured<'a>(config: &'a Config, url: &str) -> Option<&'a str> {
    let wanted = normalize_url(url);
    config
        .sources
        .iter()
        .find(|s| normalize_url(&s.url) == wanted)
        .map(|s| s.url.as_str())
}

fn shown(number: usize, feed: &FoundFeed) -> String {
    format!(
        "{number}. {} ({}, {} entries)\n   {}",
        feed.title.as_deref().unwrap_or("(untitled)"),
        feed.format,
        feed.entries,
        feed.url
    )
}
