//! `syndic post remove|restore|approve|reject|split`: the operator's decisions about posts,
//! each recorded in the audit log with the actor `cli`.

use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use syndic_core::{Actor, PostId};
use syndic_store::Store;

use crate::cli::{
    PostArgs, PostCommand, PostRemoveArgs, PostSplitArgs, PostsArgs, PostsRejectArgs,
};
use crate::cmd::{open_store, resolve_post};
use crate::config::Config;

pub async fn run(config: &Config, command: &PostCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    match command {
        PostCommand::Remove(args) => remove(&store, args).await,
        PostCommand::Restore(args) => restore(&store, args).await,
        PostCommand::Approve(args) => approve(&store, args).await,
        PostCommand::Reject(args) => reject(&store, args).await,
        PostCommand::Split(args) => split(config, &store, args).await,
    }
}

async fn split(config: &Config, store: &Store, args: &PostSplitArgs) -> anyhow::Result<ExitCode> {
    let id = resolve_post(store, &args.post).await?;
    let wanted = args.source.trim();
    let configured = config
        .sources
        .iter()
        .find(|s| s.url == wanted || s.name.as_deref().is_some_and(|n| n.trim() == wanted));
    let url = configured.map_or(wanted, |s| s.url.as_str());
    let sources = store.sources().await.context("cannot read the sources")?;
    let Some(source) = sources.iter().find(|s| s.url == url || s.name == wanted) else {
        let known: Vec<&str> = config.sources.iter().map(|s| s.url.as_str()).collect();
        anyhow::bail!(
            "no source {wanted:?}: name it by its URL as configured or by its name (`syndic \
             explain {id}` lists the post's sources); configured: {}",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        );
    };
    store
        .split_post(id, source.id, Actor::Cli, Utc::now())
        .await
        .with_context(|| format!("cannot split {} off post {id}", source.url))?;
    outln!(
        "split {} off post {id}: it will not merge into it again; its next fetch stores its \
         copy as a post of its own",
        source.url
    );
    Ok(ExitCode::SUCCESS)
}

async fn remove(store: &Store, args: &PostRemoveArgs) -> anyhow::Result<ExitCode> {
    let reason = args.reason.trim();
    if reason.is_empty() {
        anyhow::bail!(
            "--reason is empty: say why the post is taken down (it goes in the audit log)"
        );
    }
    let id = resolve_post(store, &args.post).await?;
    let changed = store
        .remove_post(id, reason, Actor::Cli, Utc::now())
        .await
        .with_context(|| format!("cannot take post {id} down"))?;
    if changed {
        outln!("removed post {id}: its page answers 410 Gone and it will not come back");
    } else {
        outln!("post {id} was already removed");
    }
    Ok(ExitCode::SUCCESS)
}

async fn restore(store: &Store, args: &PostArgs) -> anyhow::Result<ExitCode> {
    let id = resolve_post(store, &args.post).await?;
    let changed = store
        .restore_post(id, Actor::Cli, Utc::now())
        .await
        .with_context(|| format!("cannot restore post {id}"))?;
    if changed {
        outln!("restored post {id}: it is published again");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("post {id} was not removed; nothing to restore");
        Ok(ExitCode::FAILURE)
    }
}

async fn approve(store: &Store, args: &PostsArgs) -> anyhow::Result<ExitCode> {
    let ids = resolve_all(store, &args.posts).await?;
    let approved = store
        .approve_posts(&ids, Actor::Cli, Utc::now())
        .await
        .context("cannot approve the posts")?;
    outln!(
        "approved {approved} of {} post(s); the others were not waiting for review",
        ids.len()
    );
    Ok(ExitCode::SUCCESS)
}

async fn reject(store: &Store, args: &PostsRejectArgs) -> anyhow::Result<ExitCode> {
    let ids = resolve_all(store, &args.posts).await?;
    let rejected = store
        .reject_posts(&ids, args.reason.trim(), Actor::Cli, Utc::now())
        .await
        .context("cannot reject the posts")?;
    outln!(
        "rejected {rejected} of {} post(s); they will not come back",
        ids.len()
    );
    Ok(ExitCode::SUCCESS)
}

async fn resolve_all(store: &Store, posts: &[String]) -> anyhow::Result<Vec<PostId>> {
    let mut ids = Vec::with_capacity(posts.len());
    for post in posts {
        ids.push(resolve_post(store, post).await?);
    }
    Ok(ids)
}
