//! `syndic remove URL [--purge]`: stop following a source. Its stored posts stay, unless
//! --purge takes them all down (with tombstones) in the same step.

use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use syndic_core::Actor;

use crate::cli::RemoveArgs;
use crate::cmd::open_store;
use crate::config::Config;
use crate::config::edit::{normalize_url, remove_source};

pub async fn run(config: &Config, args: &RemoveArgs) -> anyhow::Result<ExitCode> {
    let wanted = normalize_url(&args.url);
    let configured = config
        .sources
        .iter()
        .find(|s| normalize_url(&s.url) == wanted)
        .map(|s| s.url.clone());
    if args.purge {
        let Some(url) = &configured else {
            return not_a_source(config, args);
        };
        // Posts first: a failure leaves the source followed and nothing half done.
        let reason = args.reason.as_deref().unwrap_or("the source was purged");
        let taken = purge(config, url, reason).await?;
        outln!("took down {taken} post(s) of {url}; they will not come back");
    }
    if remove_source(&config.path, &args.url)? {
        let kept = if args.purge {
            ""
        } else {
            "; its stored posts are kept"
        };
        outln!(
            "removed {} from {}{kept}",
            args.url.trim(),
            config.path.display()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        not_a_source(config, args)
    }
}

async fn purge(config: &Config, url: &str, reason: &str) -> anyhow::Result<u64> {
    let store = open_store(config).await?;
    let sources = store.sources().await.context("cannot read the sources")?;
    let Some(source) = sources.iter().find(|s| s.url == url) else {
        return Ok(0);
    };
    store
        .remove_source_posts(source.id, reason, Actor::Cli, Utc::now())
        .await
        .with_context(|| format!("cannot take down the posts of {url}"))
}

fn not_a_source(config: &Config, args: &RemoveArgs) -> anyhow::Result<ExitCode> {
    eprintln!(
        "{} is not a source in {}; `syndic sources` lists them",
        args.url.trim(),
        config.path.display()
    );
    Ok(ExitCode::FAILURE)
}
