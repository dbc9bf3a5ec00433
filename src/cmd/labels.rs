//! `syndic tag label FILE` and `syndic tag eval FILE`: labels in bulk, and tagging measured
//! against them.
//!
//! A labels file is a JSON object mapping each post (its number, or its original URL) to the
//! complete list of tags it should carry: `{"42": ["map"], "https://…/post": []}`.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use syndic_core::{PostId, slugify};
use syndic_store::{PostForTagging, Store};
use syndic_tag::eval::{self, EvalReport};
use syndic_tag::retag::SourceRules;
use syndic_tag::{Labels, decisions};

use crate::cli::{EvalArgs, LabelArgs};
use crate::cmd::{learned_tagger, open_store, resolve_post, sync_sources};
use crate::config::Config;

/// Reads a labels file and finds each post it names.
async fn read_labels(store: &Store, path: &Path) -> anyhow::Result<Labels> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the labels file {}", path.display()))?;
    let raw: HashMap<String, Vec<String>> = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a labels file: write a JSON object mapping each post (number or \
             original URL) to the list of tags it should carry, e.g. {{\"42\": [\"map\"]}}",
            path.display()
        )
    })?;
    let mut labels = Labels::new();
    for (post, tags) in raw {
        let id = resolve_post(store, &post)
            .await
            .with_context(|| format!("in {}, post {post:?}", path.display()))?;
        let tags: BTreeSet<String> = tags.into_iter().map(|t| t.trim().to_owned()).collect();
        if let Some(bad) = tags.iter().find(|t| !t.chars().any(char::is_alphanumeric)) {
            anyhow::bail!(
                "in {}, post {post:?}: {bad:?} is not a tag name (give it a letter or digit)",
                path.display()
            );
        }
        labels.entry(id).or_default().extend(tags);
    }
    Ok(labels)
}

/// The tags each post carries now, by name.
async fn carried(store: &Store, posts: &[PostId]) -> anyhow::Result<HashMap<PostId, Vec<String>>> {
    let mut carried = HashMap::with_capacity(posts.len());
    for &post in posts {
        let mut names: Vec<String> = store
            .tag_reasons(post)
            .await
            .context("cannot read a post's tags")?
            .into_iter()
            .map(|r| r.tag.name)
            .collect();
        names.dedup();
        carried.insert(post, names);
    }
    Ok(carried)
}

/// `syndic tag label FILE`: every listed tag added by hand, every other tag removed, every
/// post marked reviewed; the next `syndic retag` learns from them.
pub async fn label(config: &Config, args: &LabelArgs) -> anyhow::Result<ExitCode> {
    let tagger = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
    let store = open_store(config).await?;
    let labels = read_labels(&store, &args.file).await?;
    let mut posts: Vec<PostId> = labels.keys().copied().collect();
    posts.sort();
    let carried = carried(&store, &posts).await?;
    let decided = decisions::from_labels(
        &labels,
        |post| carried.get(&post).cloned().unwrap_or_default(),
        &tagger,
    );
    let now = Utc::now();
    let (mut added, mut removed) = (0usize, 0usize);
    for (post, tag) in &decided.added {
        let name = tagger.resolve(tag).map_or(tag.clone(), |r| r.name.clone());
        let outcome = store
            .add_manual_tag(*post, &name, now)
            .await
            .with_context(|| format!("cannot give post {post} the tag {name:?}"))?;
        added += usize::from(!outcome.already_manual);
    }
    for (post, tag) in &decided.removed {
        let Some(stored) = store
            .tag_by_slug(&slugify(tag))
            .await
            .context("cannot look the tag up")?
        else {
            continue;
        };
        let outcome = store
            .remove_tag(*post, stored.id, now)
            .await
            .with_context(|| format!("cannot take the tag {tag:?} from post {post}"))?;
        removed += usize::from(outcome.links_removed > 0);
    }
    for post in &posts {
        store
            .mark_reviewed(*post, now)
            .await
            .with_context(|| format!("cannot record that post {post} was reviewed"))?;
    }
    store.close().await;
    outln!(
        "labeled {} posts: {added} tags given by hand, {removed} taken away; run `syndic \
         retag` to learn from them (`syndic retag --dry-run` shows what that changes)",
        posts.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `syndic tag eval FILE [--folds K]`: precision, recall and F1 of the tags the current
/// settings give the labeled posts.
pub async fn eval(config: &Config, args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let labels = read_labels(&store, &args.file).await?;
    let tagger = learned_tagger(config, &store).await?;
    let jobs = sync_sources(&store, config).await?;
    let sources: SourceRules = jobs
        .iter()
        .map(|job| {
            let rule = (
                job.tags.clone(),
                job.location.to_string(),
                job.options.categories,
            );
            (job.id, rule)
        })
        .collect();
    let mut ids: Vec<PostId> = labels.keys().copied().collect();
    ids.sort();
    let posts: Vec<PostForTagging> = store
        .posts_for_tagging_by_id(&ids)
        .await
        .context("cannot read the labeled posts")?;
    let report = match args.folds {
        Some(folds) if folds >= 2 => {
            eval::cross_validate(&tagger, &sources, &posts, &labels, folds)
        }
        Some(_) => anyhow::bail!("--folds needs at least 2 folds (5 is usual)"),
        None => {
            let mut given = eval::automatic(&tagger, &sources, &posts);
            // People's decisions win for their own posts, as on the site.
            let decisions = store
                .tag_decisions()
                .await
                .context("cannot read people's tag decisions")?;
            for (post, tag) in decisions.added {
                given.entry(post).or_default().insert(tag);
            }
            for (post, tag) in decisions.removed {
                if let Some(tags) = given.get_mut(&post) {
                    tags.retain(|t| slugify(t) != slugify(&tag));
                }
            }
            eval::score(&given, &labels)
        }
    };
    store.close().await;
    print_report(&report, args.folds);
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &EvalReport, folds: Option<usize>) {
    let width = report
        .per_tag
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max("overall (micro)".len());
    outln!(
        "{:width$}  {:>5}  {:>5}  {:>5}  {:>5}  {:>5}  {:>5}",
        "tag",
        "P",
        "R",
        "F1",
        "tp",
        "fp",
        "fn"
    );
    let line = |name: &str, s: &eval::Score| {
        outln!(
            "{name:width$}  {:>5.3}  {:>5.3}  {:>5.3}  {:>5}  {:>5}  {:>5}",
            s.precision(),
            s.recall(),
            s.f1(),
            s.tp,
            s.fp,
            s.fn_
        );
    };
    for (tag, score) in &report.per_tag {
        line(tag, score);
    }
    line("overall (micro)", &report.micro);
    match (folds, report.folds_learning) {
        (Some(_), Some((kept, folds))) => outln!(
            "{} labeled posts, {folds}-fold cross-validation of the learning step: each fold \
             tagged by models trained on the others' labels (learned models kept in {kept} \
             of {folds} folds)",
            report.posts
        ),
        _ => outln!(
            "{} labeled posts, tagged as the current vocabulary, corpus, learned models and \
             people's decisions give",
            report.posts
        ),
    }
}
