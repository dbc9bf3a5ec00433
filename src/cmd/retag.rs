//! `syndic retag`: learn from the corpus and from people's decisions, re-apply the
//! vocabulary to every stored post, or show what that would do.
//!
//! The retag itself is `syndic_tag::retag::run`; this command only opens the store, plugs
//! it in through [`StoreReader`] and [`StoreWriter`] (blocking on the store's async calls
//! from the driver's threads) and prints the report.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use syndic_core::{PostId, TagAssignment};
use syndic_store::{PostFilter, PostForTagging, Store, TagCache};
use syndic_tag::retag::{
    self, Phase, PostReader, RetagOptions, RetagReport, SourceRules, StoreFailure, TagWriter,
    Written,
};
use syndic_tag::{CorpusStats, Decisions, SavedTagModel};
use tokio::runtime::Handle;

use crate::cli::RetagArgs;
use crate::cmd::{open_store, open_store_read_only, sync_sources};
use crate::config::Config;

pub async fn run(config: &Config, args: &RetagArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let tagger = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
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
                    source.location.to_string(),
                    source.categories,
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
                    job.location.to_string(),
                    job.options.categories,
                );
                (job.id, rule)
            })
            .collect();
        (store, rules)
    };
    let options = RetagOptions {
        dry_run: args.dry_run,
        examples: args.examples,
        ..RetagOptions::default()
    };
    let handle = Handle::current();
    let mut reader = StoreReader {
        store: store.clone(),
        handle: handle.clone(),
    };
    let mut writer = StoreWriter {
        store: store.clone(),
        handle,
        dry_run: args.dry_run,
        cache: TagCache::default(),
    };
    let report = tokio::task::spawn_blocking(move || {
        let mut progress = Progress::new(started);
        retag::run(
            &tagger,
            &rules,
            &mut reader,
            &mut writer,
            &options,
            &mut |phase, done, total| progress.show(phase, done, total),
        )
    })
    .await
    .context("the retag worker failed")?
    .context("cannot retag the stored posts")?;
    store.close().await;
    eprintln!(
        "retag: {}{:.1}s learning, {:.1}s reading and tagging, {:.1}s comparing{} (the two \
         overlap)",
        if report.counted_first {
            format!("{:.1}s counting words, ", report.counting.as_secs_f64())
        } else {
            String::new()
        },
        report.learning.as_secs_f64(),
        report.tagging.as_secs_f64(),
        report.storing.as_secs_f64(),
        if args.dry_run { "" } else { " and writing" }
    );
    print_learning(&report);
    print_changes(&report);
    print_total(&report, args.dry_run, started.elapsed());
    Ok(ExitCode::SUCCESS)
}

/// What the learning step did, and what people's decisions changed.
fn print_learning(report: &RetagReport) {
    let training = &report.training;
    outln!(
        "learned from {} posts: {} tags have a profile",
        report.learned_from,
        report.profiles
    );
    if training.decisions == 0 {
        outln!("no decisions to learn from yet (`syndic tag add`, `tag remove`, `tag label`)");
        return;
    }
    let checked = match training.cross_validated {
        Some((before, after)) => format!(
            "cross-validated F1 {before:.3} untrained, {after:.3} trained (gain {:+.3}, folds' \
             standard error {:.3}): {}",
            after - before,
            training.fold_spread.unwrap_or(0.0),
            if training.applied {
                format!("applied to {} tags", training.tags)
            } else if after <= before {
                "not applied (no better than the untrained rule on posts it did not see)".to_owned()
            } else {
                "not applied (not better than the untrained rule by more than the folds \
                 differ)"
                    .to_owned()
            }
        ),
        None => format!(
            "too few to train on (at least {} needed)",
            syndic_tag::learn::MIN_DECISIONS
        ),
    };
    outln!(
        "decisions: {} explicit, {} implied by reviewed posts, {} presumed right on untouched \
         posts; {checked}",
        training.decisions,
        training.implied,
        training.presumed
    );
    for (tag, (gives, takes)) in &report.trained {
        outln!("    training gives {tag} to {gives} posts and takes it from {takes}");
    }
}

fn print_total(report: &RetagReport, dry_run: bool, took: Duration) {
    let added: u64 = report.changes.values().map(|c| c.gained).sum();
    let removed: u64 = report.changes.values().map(|c| c.lost).sum();
    let (posts, changed, seconds) = (report.posts, report.changed_posts, took.as_secs_f64());
    if dry_run {
        outln!(
            "dry run: read {posts} posts in {seconds:.1}s: {added} tags would be added, \
             {removed} removed, on {changed} posts; nothing was written \
             (run `syndic retag` to apply)"
        );
    } else {
        outln!(
            "retagged {posts} posts in {seconds:.1}s: {added} tags added, {removed} removed \
             ({changed} posts changed, {} links written or deleted)",
            report.rows
        );
    }
}

/// A progress line on standard error every two seconds.
struct Progress {
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new(started: Instant) -> Progress {
        Progress {
            started,
            last: Instant::now(),
        }
    }

    fn show(&mut self, phase: Phase, done: u64, total: u64) {
        if self.last.elapsed() < Duration::from_secs(2) {
            return;
        }
        self.last = Instant::now();
        let doing = match phase {
            Phase::Counting => "counting words of",
            Phase::Learning => "learning from",
            Phase::Tagging => "tagging",
        };
        eprintln!(
            "retag: {doing} {done}/{total} posts ({:.0}%), {:.0}s",
            100.0 * done as f64 / total.max(1) as f64,
            self.started.elapsed().as_secs_f64()
        );
    }
}

fn failure(doing: &'static str) -> impl FnOnce(syndic_store::StoreError) -> StoreFailure {
    move |e| StoreFailure {
        doing,
        source: Box::new(e),
    }
}

/// The store as the retag driver reads it (from its own threads, blocking on the runtime).
struct StoreReader {
    store: Store,
    handle: Handle,
}

impl PostReader for StoreReader {
    fn count(&mut self) -> Result<u64, StoreFailure> {
        self.handle
            .block_on(self.store.count_posts(PostFilter::All))
            .map_err(failure("count the stored posts"))
    }

    fn posts_after(
        &mut self,
        after: PostId,
        limit: u32,
    ) -> Result<Vec<PostForTagging>, StoreFailure> {
        self.handle
            .block_on(self.store.posts_for_tagging(after, limit))
            .map_err(failure("read stored posts"))
    }

    fn posts_before(
        &mut self,
        before: PostId,
        limit: u32,
    ) -> Result<Vec<PostForTagging>, StoreFailure> {
        self.handle
            .block_on(self.store.posts_for_tagging_before(before, limit))
            .map_err(failure("read the posts to learn from"))
    }

    fn posts_by_id(&mut self, ids: &[PostId]) -> Result<Vec<PostForTagging>, StoreFailure> {
        self.handle
            .block_on(self.store.posts_for_tagging_by_id(ids))
            .map_err(failure("read the posts people decided on"))
    }

    fn corpus(&mut self) -> Result<CorpusStats, StoreFailure> {
        self.handle
            .block_on(self.store.corpus_stats(syndic_tag::corpus::MAX_MODEL_STEMS))
            .map_err(failure("read the corpus's word counts"))
    }

    fn decisions(&mut self) -> Result<Decisions, StoreFailure> {
        self.handle
            .block_on(self.store.tag_decisions())
            .map_err(failure("read people's tag decisions"))
    }

    fn save(&mut self, corpus: &CorpusStats, models: &[SavedTagModel]) -> Result<(), StoreFailure> {
        let models: Vec<(String, String)> = models
            .iter()
            .map(|m| (m.tag.clone(), m.to_json()))
            .collect();
        self.handle
            .block_on(self.store.save_tag_learning(
                corpus,
                syndic_tag::corpus::MIN_SAVED_POSTS,
                &models,
                Utc::now(),
            ))
            .map_err(failure("save what tagging learned"))
    }
}

/// Writes (or on a dry run compares) each batch's automatic tags.
struct StoreWriter {
    store: Store,
    handle: Handle,
    dry_run: bool,
    cache: TagCache,
}

impl TagWriter for StoreWriter {
    fn write(&mut self, batch: &[(PostId, Vec<TagAssignment>)]) -> Result<Written, StoreFailure> {
        let diff = self
            .handle
            .block_on(
                self.store
                    .retag_batch(batch, self.dry_run, &mut self.cache, Utc::now()),
            )
            .map_err(failure("store the new tags"))?;
        Ok(Written {
            rows: diff.rows_deleted + diff.rows_written,
            changes: diff
                .changes
                .into_iter()
                .map(|c| (c.post, c.gained, c.lost))
                .collect(),
        })
    }
}

fn print_changes(report: &RetagReport) {
    let changes = &report.changes;
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
pub(crate) fn one_line(title: &str) -> String {
    let flat: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(70) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None if flat.is_empty() => "(untitled)".into(),
        None => flat,
    }
}
