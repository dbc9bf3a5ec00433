//! `syndic tag list`: the vocabulary at a glance, read without writing.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use syndic_core::slugify;
use syndic_store::{TagDetails, VocabularyTag};

use crate::cli::{ListFormat, TagListArgs};
use crate::cmd::open_store_read_only;
use crate::config::Config;

#[derive(Debug, PartialEq, Eq, Serialize)]
struct ListedTag {
    name: String,
    slug: String,
    posts: i64,
    aliases: Vec<String>,
    description: String,
    /// Whether `[[tag]]` in the configuration defines it (else feed categories, sources or
    /// manual decisions made it).
    configured: bool,
}

pub(super) async fn run(config: &Config, args: &TagListArgs) -> anyhow::Result<ExitCode> {
    let store = open_store_read_only(config).await?;
    let details = store.tag_details().await.context("cannot list the tags")?;
    store.close().await;
    let rows = listed_tags(details, &crate::cmd::vocabulary(config));
    match args.format {
        ListFormat::Json => {
            let json = serde_json::to_string_pretty(&rows).context("cannot write JSON")?;
            outln!("{json}");
        }
        ListFormat::Table => {
            if rows.is_empty() {
                outln!(
                    "no tags yet: add [[tag]] entries to {}",
                    config.path.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let width = rows
                .iter()
                .map(|r| r.name.chars().count())
                .max()
                .unwrap_or(0)
                .max(3);
            outln!(
                "{:width$}  {:>6}  {:<24}  description",
                "tag",
                "posts",
                "aliases"
            );
            for row in &rows {
                let mut name = row.name.to_owned();
                if !row.configured {
                    name.push('*');
                }
                outln!(
                    "{name:width$}  {:>6}  {:<24}  {}",
                    row.posts,
                    row.aliases.join(", "),
                    row.description
                );
            }
            if rows.iter().any(|r| !r.configured) {
                outln!(
                    "* not in the configured vocabulary (from feed categories, sources or by hand)"
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The tags as a command that records the vocabulary first would list them, without
/// writing (the store may be read-only): stored tags with the configured description and
/// aliases for configured ones (none for the others), and configured tags without a row
/// yet, with no posts. `Store::sync_vocabulary` records the same.
fn listed_tags(details: Vec<TagDetails>, vocabulary: &[VocabularyTag]) -> Vec<ListedTag> {
    let configured: BTreeMap<String, &VocabularyTag> = vocabulary
        .iter()
        .map(|tag| (slugify(&tag.name), tag))
        .collect();
    let aliases = |slug: &str, tag: &VocabularyTag| -> Vec<String> {
        let set: BTreeSet<String> = tag
            .aliases
            .iter()
            .map(|alias| slugify(alias))
            .filter(|alias| !alias.is_empty() && alias != slug)
            .collect();
        set.into_iter().collect()
    };
    let mut rows: Vec<ListedTag> = details
        .into_iter()
        .map(|d| match configured.get(&d.tag.slug) {
            Some(tag) => ListedTag {
                aliases: aliases(&d.tag.slug, tag),
                description: tag.description.clone(),
                name: d.tag.name,
                slug: d.tag.slug,
                posts: d.tag.post_count,
                configured: true,
            },
            None => ListedTag {
                name: d.tag.name,
                slug: d.tag.slug,
                posts: d.tag.post_count,
                aliases: Vec::new(),
                description: d.tag.description,
                configured: false,
            },
        })
        .collect();
    let stored: BTreeSet<String> = rows.iter().map(|row| row.slug.clone()).collect();
    for (slug, tag) in &configured {
        if !stored.contains(slug) {
            rows.push(ListedTag {
                name: tag.name.clone(),
                slug: slug.clone(),
                posts: 0,
                aliases: aliases(slug, tag),
                description: tag.description.clone(),
                configured: true,
            });
        }
    }
    // The store's order (by name in any case), rows made here after stored ones.
    // ASCII case only, as the store's `lower()` compares.
    rows.sort_by_key(|row| (row.name.to_ascii_lowercase(), !stored.contains(&row.slug)));
    rows
}

#[cfg(test)]
mod tests {
    use syndic_core::{Tag, TagId};

    use super::*;

    fn stored(id: i64, name: &str, posts: i64, aliases: &[&str]) -> TagDetails {
        TagDetails {
            tag: Tag {
                id: TagId(id),
                name: name.into(),
                slug: slugify(name),
                post_count: posts,
                description: "old words".into(),
            },
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    fn configured(name: &str, aliases: &[&str]) -> VocabularyTag {
        VocabularyTag {
            name: name.into(),
            description: format!("about {name}"),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    #[test]
    fn tags_are_listed_as_the_vocabulary_would_record_them() {
        let details = vec![
            stored(1, "Maps", 4, &["cartes"]),
            stored(2, "rust", 7, &["stale"]),
        ];
        let vocabulary = [
            configured("Maps", &["Charts", "maps", "atlas"]),
            configured("Kernels", &[]),
        ];
        let rows = listed_tags(details, &vocabulary);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Kernels", "Maps", "rust"]);
        assert_eq!((rows[0].posts, rows[0].configured), (0, true));
        assert_eq!(rows[0].description, "about Kernels");
        assert_eq!(rows[1].aliases, ["atlas", "charts"]);
        assert_eq!(rows[1].description, "about Maps");
        assert_eq!((rows[2].configured, rows[2].aliases.len()), (false, 0));
        assert_eq!(rows[2].description, "old words");
    }
}
