//! `syndic retag`: re-apply the vocabulary to every stored post, or show what that would do.
//!
//! Posts are read in batches by id and tagged on every core; each batch's difference is
//! written in one transaction ([`Store::retag_batch`]) while the next batch is read and
//! tagged.

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use syndic_core::{PostId, SourceId, TagAssignment};
use syndic_fetch::tags_for_post;
use syndic_store::{PostFilter, PostForTagging, Store, TagCache};
use syndic_tag::{CategoryPolicy, PostText, Tagger};

use crate::cli::RetagArgs;
use crate::cmd::{open_store, open_store_read_only, sync_sources};
use crate::config::Config;

/// Posts read, tagged and written at a time.
const BATCH: u32 = 5000;

/// Per source: the tags all its posts get, and where it is read from (for the detail).
/// Per source: the tags it gives all its posts, its own category policy, its location.
type SourceRules = HashMap<SourceId, (Vec<String>, Option<CategoryPolicy>, String)>;

/// How one tag's posts change.
#[derive(Default)]
struct TagChange {
    gained: u64,
    lost: u64,
    gained_examples: Vec<(PostId, String)>,
    lost_examples: Vec<(PostId, String)>,
}

pub async fn run(config: &Config, args: &RetagArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let tagger = Arc::new(
        config
            .tagger()
            .context("cannot compile the tag vocabulary")?,
    );
    let (store, rules) = if args.dry_run {
        // A dry run writes nothing, not even the rows of new sources or tags.
        let store = open_store_read_only(config).await?;
        let stored = store.sources().await.context("cannot list the sources")?;
        let rules: SourceRules = config
            .sources
            .iter()
            .filter_map(|source| {
                let id = stored.iter().find(|s| s.url == source.url)?.id;
                let rule = (
                    source.tags.clone(),
                    source.categories,
                    source.location.to_string(),
                );
                Some((id, rule))
            })
            .collect();
        (store, rules)
    } else {
        let store = open_store(config).await?;
        let jobs = sync_sources(&store, config).await?;
        let rules = jobs
            .iter()
            .map(|job| {
                let rule = (
                    job.tags.clone(),
                    job.options.categories,
                    job.location.to_string(),
                );
                (job.id, rule)
            })
            .collect();
        (store, rules)
    };
    let rules = Arc::new(rules);
    let total = store
        .count_posts(PostFilter::All)
        .await
        .context("cannot count the stored posts")?;

    let mut changes: BTreeMap<String, TagChange> = BTreeMap::new();
    let (mut posts, mut changed_posts, mut rows) = (0u64, 0u64, 0u64);
    let mut last_report = Instant::now();
    let (mut tagging_time, mut storing_time) = (Duration::ZERO, Duration::ZERO);
    let mut tag_cache = TagCache::default();
    // While one batch's difference is compared and written, the next is read and tagged.
    let mut current = next_tagged(&store, &tagger, &rules, PostId(0)).await?;
    while let Some((decisions, titles)) = current {
        let after = decisions.last().map_or(PostId(0), |(id, _)| *id);
        let storing = async {
            let phase = Instant::now();
            let diff = store
                .retag_batch(&decisions, args.dry_run, &mut tag_cache, Utc::now())
                .await;
            (diff, phase.elapsed())
        };
        let tagging = async {
            let phase = Instant::now();
            let next = next_tagged(&store, &tagger, &rules, after).await;
            (next, phase.elapsed())
        };
        let ((diff, stored_in), (next, tagged_in)) = tokio::join!(storing, tagging);
        let diff = diff.context("cannot store the new tags")?;
        storing_time += stored_in;
        tagging_time += tagged_in;
        posts += decisions.len() as u64;
        changed_posts += diff.changes.len() as u64;
        rows += diff.rows_deleted + diff.rows_written;
        for change in &diff.changes {
            let title = titles.get(&change.post).cloned().unwrap_or_default();
            for (names, gained) in [(&change.gained, true), (&change.lost, false)] {
                for name in names {
                    let entry = changes.entry(name.clone()).or_default();
                    let (count, examples) = if gained {
                        (&mut entry.gained, &mut entry.gained_examples)
                    } else {
                        (&mut entry.lost, &mut entry.lost_examples)
                    };
                    *count += 1;
                    if examples.len() < args.examples {
                        examples.push((change.post, title.clone()));
                    }
                }
            }
        }
        if last_report.elapsed() > Duration::from_secs(2) {
            last_report = Instant::now();
            eprintln!(
                "retag: {posts}/{total} posts ({:.0}%), {changed_posts} changing, {:.0}s",
                100.0 * posts as f64 / total.max(1) as f64,
                started.elapsed().as_secs_f64()
            );
        }
        current = next?;
    }
    store.close().await;
    eprintln!(
        "retag: {:.1}s reading and tagging, {:.1}s comparing{} (the two overlap)",
        tagging_time.as_secs_f64(),
        storing_time.as_secs_f64(),
        if args.dry_run { "" } else { " and writing" }
    );

    print_changes(&changes);
    let added: u64 = changes.values().map(|c| c.gained).sum();
    let removed: u64 = changes.values().map(|c| c.lost).sum();
    let seconds = started.elapsed().as_secs_f64();
    if args.dry_run {
        outln!(
            "dry run: read {posts} posts in {seconds:.1}s: {added} tags would be added, \
             {removed} removed, on {changed_posts} posts; nothing was written \
             (run `syndic retag` to apply)"
        );
    } else {
        outln!(
            "retagged {posts} posts in {seconds:.1}s: {added} tags added, {removed} removed \
             ({changed_posts} posts changed, {rows} links written or deleted)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A batch's tagging decisions and its posts' titles (for examples).
type Tagged = (Vec<(PostId, Vec<TagAssignment>)>, HashMap<PostId, String>);

/// Reads and tags the batch of posts after `after`; `None` when there are no more.
async fn next_tagged(
    store: &Store,
    tagger: &Arc<Tagger>,
    rules: &Arc<SourceRules>,
    after: PostId,
) -> anyhow::Result<Option<Tagged>> {
    let batch = store
        .posts_for_tagging(after, BATCH)
        .await
        .context("cannot read stored posts")?;
    if batch.is_empty() {
        return Ok(None);
    }
    tag_batch(Arc::clone(tagger), Arc::clone(rules), batch)
        .await
        .map(Some)
}

/// Tags a batch off the async threads, split over the cores; returns the decisions in the
/// batch's order and each post's title (for examples).
async fn tag_batch(
    tagger: Arc<Tagger>,
    rules: Arc<SourceRules>,
    batch: Vec<PostForTagging>,
) -> anyhow::Result<Tagged> {
    tokio::task::spawn_blocking(move || {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
        let chunk = batch.len().div_ceil(threads).max(1);
        let decisions: Vec<(PostId, Vec<TagAssignment>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = batch
                .chunks(chunk)
                .map(|posts| scope.spawn(|| tag_posts(&tagger, &rules, posts)))
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default())
                .collect()
        });
        let titles = batch.into_iter().map(|p| (p.id, p.title)).collect();
        (decisions, titles)
    })
    .await
    .context("the tagging worker failed")
}

fn tag_posts(
    tagger: &Tagger,
    rules: &SourceRules,
    posts: &[PostForTagging],
) -> Vec<(PostId, Vec<TagAssignment>)> {
    let no_rule = (Vec::new(), None, String::new());
    posts
        .iter()
        .map(|post| {
            let (source_tags, categories, location) =
                rules.get(&post.source_id).unwrap_or(&no_rule);
            let text = PostText {
                title: &post.title,
                text: &post.content_text,
                language: post.language.as_deref(),
                categories: &post.categories,
            };
            let tags = tags_for_post(tagger, &text, source_tags, *categories, location);
            (post.id, tags)
        })
        .collect()
}

fn print_changes(changes: &BTreeMap<String, TagChange>) {
    if changes.is_empty() {
        outln!("no post gains or loses a tag");
        return;
    }
    let width = changes.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    outln!("{:width$}  {:>8}  {:>8}", "tag", "gains", "loses");
    for (tag, change) in changes {
        outln!(
            "{tag:width$}  {:>8}  {:>8}",
            format!("+{}", change.gained),
            format!("-{}", change.lost)
        );
        for (sign, examples) in [("+", &change.gained_examples), ("-", &change.lost_examples)] {
            for (id, title) in examples {
                outln!("    {sign} post {id}: {}", one_line(title));
            }
        }
    }
}

/// A title on one line, cut to a readable length.
fn one_line(title: &str) -> String {
    let flat: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(70) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None if flat.is_empty() => "(untitled)".into(),
        None => flat,
    }
}
