//! `syndic refilter [--dry-run]`: re-apply the keep/block rules to stored posts.
//!
//! A page of published or filtered posts at a time: the store reads them with their tags,
//! syndic-tag decides each (the same [`syndic_tag::filter::admission`] ingest uses), and
//! the store moves the ones whose verdict changed, one transaction per page, each move in
//! the audit log. Only a page of post bodies is in memory at once.

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use syndic_core::{Actor, Admission, PostId, PostState, SourceId};
use syndic_store::{FilterMove, PostForFilter, Store};
use syndic_tag::Tagger;
use syndic_tag::filter::{self, FilterPost, FilterSource, RuleSet};

use crate::cli::RefilterArgs;
use crate::cmd::{open_store, open_store_read_only, retag::one_line};
use crate::config::Config;

/// Posts read (and moved) per page.
const PAGE: u32 = 500;

/// What a source's posts are filtered with: its URL as configured, `only_tagged`, `review`.
pub(crate) struct SourceRules {
    url: String,
    only_tagged: bool,
    review: bool,
}

/// What one rule would do (or did): posts it hides, posts no longer hidden by it.
#[derive(Default)]
struct RuleReport {
    hides: Vec<(PostId, String)>,
    publishes: Vec<(PostId, String)>,
}

pub async fn run(config: &Config, args: &RefilterArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let vocabulary = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
    let rules = config
        .rule_set()
        .context("cannot compile the [[rule]] entries")?;
    let store = if args.dry_run {
        open_store_read_only(config).await?
    } else {
        open_store(config).await?
    };
    let sources = source_rules(&store, config).await?;
    let mut reports: BTreeMap<String, RuleReport> = BTreeMap::new();
    let (mut read, mut moved, mut after) = (0u64, 0u64, PostId(0));
    let mut last_note = Instant::now();
    loop {
        let posts = store
            .posts_for_filter(after, PAGE)
            .await
            .context("cannot read the stored posts")?;
        let Some(last) = posts.last() else { break };
        after = last.id;
        read += posts.len() as u64;
        let moves: Vec<FilterMove> = posts
            .iter()
            .filter_map(|post| decide(&rules, &vocabulary, post, sources.get(&post.source_id)))
            .collect();
        for (change, post) in moves.iter().map(|m| (m, find(&posts, m.post))) {
            let title = post.map(|p| p.title.clone()).unwrap_or_default();
            match change.state {
                PostState::Filtered => {
                    let report = reports.entry(change.rule.clone()).or_default();
                    report.hides.push((change.post, title));
                }
                _ => {
                    let was = post.map(|p| p.detail.clone()).unwrap_or_default();
                    let report = reports.entry(was).or_default();
                    report.publishes.push((change.post, title));
                }
            }
        }
        if !args.dry_run && !moves.is_empty() {
            moved += store
                .move_filtered(&moves, Actor::Cli, Utc::now())
                .await
                .context("cannot move the posts")?;
        }
        if last_note.elapsed() >= Duration::from_secs(5) {
            eprintln!("refilter: {read} posts read so far");
            last_note = Instant::now();
        }
    }
    print_report(&reports, args.examples);
    let hides: usize = reports.values().map(|r| r.hides.len()).sum();
    let publishes: usize = reports.values().map(|r| r.publishes.len()).sum();
    let took = started.elapsed().as_secs_f64();
    if args.dry_run {
        outln!(
            "dry run: {read} posts read; would hide {hides} and publish {publishes} \
             ({took:.1}s); nothing written"
        );
    } else {
        outln!(
            "{read} posts read; hid or published {moved} of {} ({took:.1}s)",
            hides + publishes
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The move `post` needs under the current rules, if any: a published post a rule now
/// hides is filtered; a filtered post no rule hides now is published (held, when its
/// source is under review). A post not in the configuration's sources is read with the
/// rules that name no source.
fn decide(
    rules: &RuleSet,
    vocabulary: &Tagger,
    post: &PostForFilter,
    source: Option<&SourceRules>,
) -> Option<FilterMove> {
    let review = source.is_some_and(|s| s.review);
    let (_, verdict) = explain(rules, vocabulary, post, source);
    let verdict = match verdict {
        Admission::Publish if review => Admission::Review,
        verdict => verdict,
    };
    let to = match (post.state, &verdict) {
        (PostState::Published, Admission::Filter { .. }) => PostState::Filtered,
        (PostState::Filtered, Admission::Publish) => PostState::Published,
        (PostState::Filtered, Admission::Review) => PostState::Pending,
        _ => return None,
    };
    Some(FilterMove {
        post: post.id,
        state: to,
        rule: verdict.detail().to_owned(),
    })
}

/// Every rule checked against a stored `post` of `source`, and what the rules decide
/// (before review).
pub(crate) fn explain(
    rules: &RuleSet,
    vocabulary: &Tagger,
    post: &PostForFilter,
    source: Option<&SourceRules>,
) -> (Vec<syndic_tag::filter::RuleCheck>, Admission) {
    let (url, only_tagged) = source.map_or(("", false), |s| (s.url.as_str(), s.only_tagged));
    let tagged = only_tagged
        && filter::earns_vocabulary_tag(
            vocabulary,
            post.tags
                .iter()
                .map(|(name, origin)| (name.as_str(), *origin)),
        );
    let read = FilterPost {
        title: &post.title,
        text: &post.content_text,
        author: post.author.as_deref(),
        categories: &post.categories,
        link: post.link.as_deref(),
        language: post.language.as_deref(),
    };
    rules.explain(&read, FilterSource { url, only_tagged }, tagged)
}

fn find(posts: &[PostForFilter], id: PostId) -> Option<&PostForFilter> {
    posts.iter().find(|p| p.id == id)
}

/// Each stored source's rules, by its id, for the sources the configuration names.
pub(crate) async fn source_rules(
    store: &Store,
    config: &Config,
) -> anyhow::Result<HashMap<SourceId, SourceRules>> {
    let stored = store.sources().await.context("cannot list the sources")?;
    Ok(config
        .sources
        .iter()
        .filter_map(|source| {
            let id = stored.iter().find(|s| s.url == source.url)?.id;
            let rules = SourceRules {
                url: source.url.clone(),
                only_tagged: source.only_tagged,
                review: source.review,
            };
            Some((id, rules))
        })
        .collect())
}

fn print_report(reports: &BTreeMap<String, RuleReport>, examples: usize) {
    if reports.is_empty() {
        outln!("no post changes: the rules hide and publish what they did");
        return;
    }
    let width = reports.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    let width = width.max("rule".len());
    outln!("{:width$}  {:>8}  {:>9}", "rule", "hides", "publishes");
    for (rule, report) in reports {
        outln!(
            "{rule:width$}  {:>8}  {:>9}",
            report.hides.len(),
            report.publishes.len()
        );
        for (sign, posts) in [("-", &report.hides), ("+", &report.publishes)] {
            for (id, title) in posts.iter().take(examples) {
                outln!("    {sign} post {id}: {}", one_line(title));
            }
        }
    }
}
