//! `syndic export`: a tag archive as text or a standalone HTML page.

use std::process::ExitCode;

use anyhow::{Context, bail};
use syndic_core::slugify;
use syndic_store::{ListingKey, PostFilter, Store};

use crate::cli::{ExportArgs, ExportFormat};
use crate::cmd::open_store_read_only;
use crate::config::Config;

/// Posts read from the store per query while exporting a whole archive.
const CHUNK: u32 = 500;

pub async fn run(config: &Config, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let store = open_store_read_only(config).await?;
    let (name, filter) = find_tag(&store, config, &args.tag).await?;
    let wanted = args.limit.map_or(u64::MAX, u64::from);
    let mut posts = Vec::new();
    // Each chunk seeks past the last post read, so a long archive costs no more per chunk.
    let mut after = None;
    while let Some(filter) = filter {
        let chunk = store
            .posts_after(filter, after, CHUNK)
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
        ExportFormat::Text => syndic_web::export::archive_text_for(&config.site, &name, &posts),
        ExportFormat::Html => syndic_web::export::archive_html(&config.site, &name, &posts)
            .context("cannot render the page")?,
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => crate::cmd::write_stdout(&rendered)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The archive `given` names: its tag's name, and the filter of its posts (`None` for a
/// configured tag the store has no row for yet: an empty archive, as it would be once a
/// command that writes had recorded the vocabulary).
async fn find_tag(
    store: &Store,
    config: &Config,
    given: &str,
) -> anyhow::Result<(String, Option<PostFilter>)> {
    let found = store
        .tag_by_name(given)
        .await
        .context("cannot look up the tag")?;
    if let Some(tag) = found {
        return Ok((tag.name, Some(PostFilter::Tag(tag.id))));
    }
    if let Some(rule) = config
        .tags
        .iter()
        .find(|t| slugify(&t.name) == slugify(given))
    {
        return Ok((rule.name.clone(), None));
    }
    let mut known: Vec<String> = store
        .tags()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.name)
        .collect();
    for rule in &config.tags {
        if !known
            .iter()
            .any(|name| slugify(name) == slugify(&rule.name))
        {
            known.push(rule.name.clone());
        }
    }
    known.sort_by_key(|name| name.to_ascii_lowercase());
    bail!(
        "no tag named {given:?}; known tags: {}",
        if known.is_empty() {
            "none".into()
        } else {
            known.join(", ")
        }
    );
}
