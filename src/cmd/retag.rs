//! `syndic retag`: re-apply the vocabulary to every stored post.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use syndic_core::PostId;
use syndic_fetch::tags_for_post;

use crate::cmd::{open_store, sync_sources};
use crate::config::Config;

const BATCH: u32 = 1000;

pub async fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let store = open_store(config).await?;
    let jobs = sync_sources(&store, config).await?;
    let tagger = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
    let rules: HashMap<_, _> = jobs
        .iter()
        .map(|job| (job.id, (job.tags.clone(), job.location.to_string())))
        .collect();
    let no_rule = (Vec::new(), String::new());

    let (mut after, mut posts, mut added, mut removed) = (PostId(0), 0u64, 0u64, 0u64);
    loop {
        let batch = store
            .posts_for_tagging(after, BATCH)
            .await
            .context("cannot read stored posts")?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        let decisions: Vec<_> = batch
            .iter()
            .map(|post| {
                let (source_tags, location) = rules.get(&post.source_id).unwrap_or(&no_rule);
                (
                    post.id,
                    tags_for_post(
                        &tagger,
                        &post.title,
                        &post.content_text,
                        source_tags,
                        location,
                    ),
                )
            })
            .collect();
        let stats = store
            .apply_tags(&decisions, Utc::now())
            .await
            .context("cannot store the new tags")?;
        posts += stats.posts;
        added += stats.added;
        removed += stats.removed;
    }
    store.close().await;
    println!(
        "retagged {posts} posts in {:.1}s: {added} tags added, {removed} removed",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
