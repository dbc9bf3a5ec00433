//! `syndic export`: a tag archive as text or a standalone HTML page.

use std::process::ExitCode;

use anyhow::{Context, bail};
use syndic_store::{ListingKey, PostFilter};

use crate::cli::{ExportArgs, ExportFormat};
use crate::cmd::open_store;
use crate::config::Config;

/// Posts read from the store per query while exporting a whole archive.
const CHUNK: u32 = 500;

pub async fn run(config: &Config, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let Some(tag) = store
        .tag_by_name(&args.tag)
        .await
        .context("cannot look up the tag")?
    else {
        let known: Vec<String> = store
            .tags()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.name)
            .collect();
        bail!(
            "no tag named {:?}; known tags: {}",
            args.tag,
            if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            }
        );
    };
    let wanted = args.limit.map_or(u64::MAX, u64::from);
    let mut posts = Vec::new();
    // Each chunk seeks past the last post read, so a long archive costs no more per chunk.
    let mut after = None;
    loop {
        let chunk = store
            .posts_after(PostFilter::Tag(tag.id), after, CHUNK)
            .await
            .context("cannot read the archive")?;
        let done = chunk.len() < CHUNK as usize;
        after = chunk.last().map(ListingKey::of);
        posts.extend(chunk);
        if done || posts.len() as u64 >= wanted {
            break;
        }
    }
    posts.truncate(usize::try_from(wanted).unwrap_or(usize::MAX));
    store.close().await;

    let rendered = match args.format {
        ExportFormat::Text => syndic_web::export::archive_text_for(&config.site, &tag.name, &posts),
        ExportFormat::Html => syndic_web::export::archive_html(&config.site, &tag.name, &posts)
            .context("cannot render the page")?,
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => crate::cmd::write_stdout(&rendered)?,
    }
    Ok(ExitCode::SUCCESS)
}
