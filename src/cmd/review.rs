//! `syndic review [--filtered | --removed]`: the posts that are not published, newest first.

use std::process::ExitCode;

use anyhow::Context;

use crate::cli::ReviewArgs;
use crate::cmd::open_store_read_only;
use crate::config::Config;

pub async fn run(config: &Config, args: &ReviewArgs) -> anyhow::Result<ExitCode> {
    let store = open_store_read_only(config).await?;
    let (posts, what, detail) = if args.filtered {
        let posts = store.filtered_posts(args.limit).await;
        (posts, "filtered by a rule", "rule")
    } else if args.removed {
        (
            store.removed_posts(args.limit).await,
            "taken down",
            "reason",
        )
    } else {
        (
            store.pending_posts(args.limit).await,
            "waiting for review",
            "",
        )
    };
    let posts = posts.context("cannot read the posts")?;
    if posts.is_empty() {
        outln!("no posts {what}");
        return Ok(ExitCode::SUCCESS);
    }
    for post in &posts {
        outln!(
            "{:>6}  {}  {}  [{}]",
            post.id,
            post.published.format("%Y-%m-%d"),
            post.title,
            post.source
        );
        if let Some(link) = &post.link {
            outln!("        {link}");
        }
        if !detail.is_empty() {
            outln!("        {detail}: {}", post.detail);
        }
    }
    outln!("{} post(s) {what}", posts.len());
    if !args.filtered && !args.removed {
        outln!("decide with `syndic post approve POST...` or `syndic post reject POST...`");
    }
    Ok(ExitCode::SUCCESS)
}
