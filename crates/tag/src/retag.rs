//! The one retag, whoever asks: learn what the corpus and people's decisions say, then tag
//! every stored post again, writing only what changed.
//!
//! 1. *Counting*, only when the stored document frequencies are missing or off by more than
//!    a tenth of the posts (a store from before they were kept): every post's stems counted.
//! 2. *Learning*: the newest [`RetagOptions::learning_posts`] posts and every decided post are
//!    read; the posts each tag's terms alone give it (and those people gave it by hand, never
//!    those they took it from) build its profile; the decided posts then train the learned models ([`crate::learn`]).
//! 3. *Tagging*: every post is tagged with the new model on all cores, a batch at a time;
//!    each batch is read a batch ahead on a thread of its own, and goes to the
//!    [`TagWriter`] on another while the next is tagged; the stems are counted again on the
//!    way (by stem number, named once at the end), and unless it is a dry run the new
//!    frequencies and models are saved at the end.
//!
//! The store is reached through two seams the caller provides ([`PostReader`], [`TagWriter`]),
//! so this crate stays free of SQL and of the async runtime. Deterministic: the same store and
//! vocabulary give the same tags (profiles are summed in post order on one thread).

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use syndic_core::{PostForTagging, PostId, SourceId, TagAssignment};

use crate::assign::{SourceTags, add_source_tags};
use crate::corpus::{CorpusStats, DfCounter};
use crate::decisions::{self, Decisions};
use crate::learn::{self, TrainingReport};
use crate::model::{CorpusModel, SavedTagModel};
use crate::profile::{Correction, Profile, ProfileBuilder};
use crate::{PostText, Scratch, Tagger};

mod pages;

use pages::{in_id_order, newest, parallel, read_ahead};

/// Per source: the tags all its posts get, where it is read from (for the detail), and
/// its own category policy (`None`: `[tagging] categories`).
pub type SourceRules = HashMap<SourceId, (Vec<String>, String, Option<crate::CategoryPolicy>)>;

/// A store call that failed, with what the retag was doing.
#[derive(thiserror::Error, Debug)]
#[error("cannot {doing}")]
pub struct StoreFailure {
    pub doing: &'static str,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// How a retag reads the store.
pub trait PostReader {
    /// How many posts are stored.
    fn count(&mut self) -> Result<u64, StoreFailure>;
    /// Up to `limit` posts with ids above `after`, lowest id first.
    fn posts_after(
        &mut self,
        after: PostId,
        limit: u32,
    ) -> Result<Vec<PostForTagging>, StoreFailure>;
    /// Up to `limit` posts with ids below `before`, highest id first.
    fn posts_before(
        &mut self,
        before: PostId,
        limit: u32,
    ) -> Result<Vec<PostForTagging>, StoreFailure>;
    /// The posts with these ids (any order).
    fn posts_by_id(&mut self, ids: &[PostId]) -> Result<Vec<PostForTagging>, StoreFailure>;
    /// The stored document frequencies.
    fn corpus(&mut self) -> Result<CorpusStats, StoreFailure>;
    /// People's decisions.
    fn decisions(&mut self) -> Result<Decisions, StoreFailure>;
    /// Keeps what the retag counted and learned (never called on a dry run).
    fn save(&mut self, corpus: &CorpusStats, models: &[SavedTagModel]) -> Result<(), StoreFailure>;
}

/// How a retag writes (or, on a dry run, compares) one batch's automatic tags.
pub trait TagWriter: Send {
    fn write(&mut self, batch: &[(PostId, Vec<TagAssignment>)]) -> Result<Written, StoreFailure>;
}

/// What one batch changed (or, on a dry run, would change).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Posts whose set of tags changes: tags gained and lost, by name.
    pub changes: Vec<(PostId, Vec<String>, Vec<String>)>,
    /// Link rows deleted or written.
    pub rows: u64,
}

#[derive(Debug, Clone)]
pub struct RetagOptions {
    /// Posts read, tagged and written at a time.
    pub batch: u32,
    /// Threads tagging.
    pub threads: usize,
    /// The newest posts profiles are learned from: a sample that does not grow with the
    /// store (a tag found in one post of 8,000 still has the 3 members a profile needs),
    /// so learning costs the same at a million posts as at 25,000.
    pub learning_posts: usize,
    /// Compare only: nothing is saved (the writer is expected to write nothing either).
    pub dry_run: bool,
    /// Example posts kept per tag and direction.
    pub examples: usize,
}

impl Default for RetagOptions {
    fn default() -> RetagOptions {
        RetagOptions {
            batch: 5_000,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8)),
            learning_posts: 25_000,
            dry_run: false,
            examples: 0,
        }
    }
}

/// Where a retag is, for progress lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Counting,
    Learning,
    Tagging,
}

/// How one tag's posts change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagChange {
    pub gained: u64,
    pub lost: u64,
    pub gained_examples: Vec<(PostId, String)>,
    pub lost_examples: Vec<(PostId, String)>,
}

/// What a retag did (or, on a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct RetagReport {
    pub posts: u64,
    pub changed_posts: u64,
    pub rows: u64,
    pub changes: BTreeMap<String, TagChange>,
    /// Posts the learning pass read.
    pub learned_from: u64,
    /// Tags with a profile.
    pub profiles: usize,
    pub training: TrainingReport,
    /// Per tag, posts the learned models give it and take from it (against the untrained
    /// rule).
    pub trained: BTreeMap<String, (u64, u64)>,
    /// The stored frequencies were missing or stale and were counted first.
    pub counted_first: bool,
    pub counting: Duration,
    pub learning: Duration,
    pub tagging: Duration,
    pub storing: Duration,
}

/// Learns, then re-tags every post; see the module documentation.
pub fn run(
    tagger: &Tagger,
    sources: &SourceRules,
    reader: &mut (impl PostReader + Send),
    writer: &mut impl TagWriter,
    options: &RetagOptions,
    progress: &mut dyn FnMut(Phase, u64, u64),
) -> Result<RetagReport, StoreFailure> {
    let mut report = RetagReport::default();
    let total = reader.count()?;
    let mut stats = reader.corpus()?;
    if stale(&stats, total) {
        let started = Instant::now();
        stats = count_all(tagger, reader, options, total, progress)?;
        report.counted_first = true;
        report.counting = started.elapsed();
    }
    let started = Instant::now();
    let decisions = reader.decisions()?;
    let learner = tagger.with_corpus(&stats, &[]);
    let table = learner.model().table.clone();
    let learned_profiles =
        learn_profiles(&learner, reader, &decisions, options, progress, &mut report)?;
    let LearnedProfiles {
        profiles,
        unaided,
        decided,
        untouched,
    } = learned_profiles;
    report.profiles = profiles.iter().flatten().count();
    let rules = tagger.rules().len();
    // Examples are read with the profiles people's decisions did not shape: a post given a
    // tag by hand, scored by a profile built from itself, would look easier than the
    // posts the model is for.
    let untrained = tagger.with_model(CorpusModel::from_parts(
        tagger,
        table.clone(),
        unaided,
        vec![None; rules],
    ));
    let mut scratch = Scratch::new();
    let mut examples = decisions::examples(&decisions, &untrained, &decided, &mut scratch);
    let presumed = decisions::presumed(&untrained, &untouched, &mut scratch);
    let presumed_count = presumed.len();
    examples.extend(presumed);
    let (learned, mut training) = learn::train(&examples, rules);
    training.implied -= presumed_count;
    training.presumed = presumed_count;
    report.training = training;
    let trained = tagger.with_model(CorpusModel::from_parts(tagger, table, profiles, learned));
    report.learning = started.elapsed();
    let counter = tag_all(
        &trained,
        sources,
        reader,
        writer,
        options,
        total,
        progress,
        &mut report,
    )?;
    if !options.dry_run {
        reader.save(&counter.finish(), &trained.model().saved(&trained))?;
    }
    Ok(report)
}

/// Stored frequencies are stale when missing or off by more than a tenth of the posts.
fn stale(stats: &CorpusStats, total: u64) -> bool {
    total > 0 && stats.posts.abs_diff(total) * 10 > total
}

/// Counts every post's stems (phase 1).
fn count_all(
    tagger: &Tagger,
    reader: &mut (impl PostReader + Send),
    options: &RetagOptions,
    total: u64,
    progress: &mut dyn FnMut(Phase, u64, u64),
) -> Result<CorpusStats, StoreFailure> {
    let plain = tagger.without_corpus();
    let mut scratches: Vec<Scratch> = (0..options.threads)
        .map(|_| Scratch::for_counting())
        .collect();
    let mut counter = DfCounter::new();
    read_ahead(reader, in_id_order(options.batch), |pages| {
        for page in pages {
            let batch = page?;
            let counters = parallel(&batch, &mut scratches, |posts, scratch| {
                let mut counter = DfCounter::new();
                for post in posts {
                    plain.read_post(&PostText::from(post), scratch);
                    plain.count(scratch, &mut counter);
                }
                counter
            });
            for c in counters {
                counter.merge(c);
            }
            progress(Phase::Counting, counter.posts(), total);
        }
        Ok(())
    })?;
    Ok(counter.finish())
}

/// What the learning pass reads of a post: the tags its terms alone give it, and its vector.
type Studied = (Vec<usize>, Vec<(u32, f32)>);

/// What the learning pass built.
struct LearnedProfiles {
    /// Each tag's profile (by rule index), people's decisions applied...
    profiles: Vec<Option<Profile>>,
    /// ...and from the terms' own members alone.
    unaided: Vec<Option<Profile>>,
    /// The decided posts, read for training (by id).
    decided: Vec<PostForTagging>,
    /// As many of the newest posts nobody decided on, presumed tagged right (see
    /// [`decisions::presumed`]).
    untouched: Vec<PostForTagging>,
}

/// Builds every tag's profile (phase 2) from the members its terms give it in the newest
/// posts, then applies people's decisions (a post given the tag by hand joins, one it was
/// taken from leaves); also reads the decided posts, for training.
fn learn_profiles(
    learner: &Tagger,
    reader: &mut (impl PostReader + Send),
    decisions: &Decisions,
    options: &RetagOptions,
    progress: &mut dyn FnMut(Phase, u64, u64),
    report: &mut RetagReport,
) -> Result<LearnedProfiles, StoreFailure> {
    let table = &learner.model().table;
    let decided = decisions::by_post(decisions, learner);
    let mut builder = ProfileBuilder::new(learner.rules().len());
    // The literal members of decided posts the sample counted.
    let mut counted: HashMap<PostId, Vec<usize>> = HashMap::new();
    let mut scratches: Vec<Scratch> = (0..options.threads).map(|_| Scratch::new()).collect();
    let study = |posts: &[PostForTagging], scratch: &mut Scratch| -> Vec<Studied> {
        posts
            .iter()
            .map(|post| {
                let members = learner.literal_members(&PostText::from(post), scratch);
                (members, learner.vector_of(scratch).to_vec())
            })
            .collect()
    };
    let goal = options.learning_posts as u64;
    let mut untouched = Vec::new();
    read_ahead(reader, newest(goal, options.batch), |pages| {
        for page in pages {
            let batch = page?;
            let studied: Vec<_> = parallel(&batch, &mut scratches, study)
                .into_iter()
                .flatten()
                .collect();
            for (post, (members, vector)) in batch.iter().zip(studied) {
                builder.note_source(post.source_id.0, &vector);
                for &rule in &members {
                    builder.add(rule, &vector, table);
                }
                if decided.contains_key(&post.id) {
                    counted.insert(post.id, members);
                } else if untouched.len() < decided.len() {
                    untouched.push(post.clone());
                }
            }
            report.learned_from += batch.len() as u64;
            progress(Phase::Learning, report.learned_from, goal);
        }
        Ok::<_, StoreFailure>(())
    })?;
    let mut corrections = Vec::new();
    let mut decided_posts = Vec::new();
    for ids in decisions::training_posts(decisions).chunks(options.batch.max(1) as usize) {
        let posts = reader.posts_by_id(ids)?;
        let studied: Vec<_> = parallel(&posts, &mut scratches, study)
            .into_iter()
            .flatten()
            .collect();
        for (post, (_, vector)) in posts.iter().zip(studied) {
            let (Some(decision), members) = (decided.get(&post.id), counted.get(&post.id)) else {
                continue;
            };
            let member = |rule: &usize| members.is_some_and(|m| m.contains(rule));
            let joins = decision.added.iter().filter(|r| !member(r));
            let leaves = decision.removed.iter().filter(|r| member(r));
            for (&rule, joins) in joins.map(|r| (r, true)).chain(leaves.map(|r| (r, false))) {
                corrections.push(Correction {
                    rule,
                    joins,
                    vector: vector.clone(),
                });
            }
        }
        decided_posts.extend(posts);
    }
    decided_posts.sort_by_key(|p| p.id);
    Ok(LearnedProfiles {
        profiles: builder.profiles(table, &corrections),
        unaided: builder.profiles(table, &[]),
        decided: decided_posts,
        untouched,
    })
}

/// One batch tagged: the decisions, and the posts' titles (for examples).
type Tagged = (Vec<(PostId, Vec<TagAssignment>)>, HashMap<PostId, String>);

/// Tags every post and hands each batch to the writer (phase 3); returns the new counts.
#[allow(clippy::too_many_arguments)]
fn tag_all(
    tagger: &Tagger,
    sources: &SourceRules,
    reader: &mut (impl PostReader + Send),
    writer: &mut impl TagWriter,
    options: &RetagOptions,
    total: u64,
    progress: &mut dyn FnMut(Phase, u64, u64),
    report: &mut RetagReport,
) -> Result<DfCounter, StoreFailure> {
    let mut scratches: Vec<Scratch> = (0..options.threads)
        .map(|_| Scratch::for_counting())
        .collect();
    let mut counter = DfCounter::new();
    let no_rule = (Vec::new(), String::new(), None);
    let tag_posts = |posts: &[PostForTagging], scratch: &mut Scratch| {
        let mut counter = DfCounter::new();
        let mut decisions = Vec::with_capacity(posts.len());
        let mut trained = Vec::new();
        for post in posts {
            let (source_tags, location, categories) =
                sources.get(&post.source_id).unwrap_or(&no_rule);
            let policy = categories.unwrap_or(tagger.settings().categories);
            let (mut tags, changes) =
                tagger.tag_comparing_under(&PostText::from(post), scratch, policy);
            add_source_tags(
                &mut tags,
                SourceTags {
                    tags: source_tags,
                    location,
                    categories: *categories,
                },
            );
            tagger.count_numbered(scratch, &mut counter);
            trained.extend(changes.into_iter().map(|c| (c.tag, c.gained)));
            decisions.push((post.id, tags));
        }
        (decisions, trained, counter)
    };
    let tagging_started = Instant::now();
    std::thread::scope(|scope| -> Result<(), StoreFailure> {
        let (to_writer, batches) = mpsc::sync_channel::<Tagged>(1);
        let (written_tx, written) = mpsc::channel::<(
            Result<Written, StoreFailure>,
            HashMap<PostId, String>,
            Duration,
        )>();
        let writing = scope.spawn(move || {
            for (decisions, titles) in batches {
                let started = Instant::now();
                let result = writer.write(&decisions);
                let failed = result.is_err();
                if written_tx
                    .send((result, titles, started.elapsed()))
                    .is_err()
                    || failed
                {
                    break;
                }
            }
        });
        let mut outcome = read_ahead(reader, in_id_order(options.batch), |pages| {
            let mut outcome = Ok(());
            for page in pages {
                let batch = match page {
                    Ok(batch) => batch,
                    Err(e) => {
                        outcome = Err(e);
                        break;
                    }
                };
                let results = parallel(&batch, &mut scratches, tag_posts);
                let mut decisions = Vec::with_capacity(batch.len());
                let mut trained = Vec::new();
                for (d, t, c) in results {
                    decisions.extend(d);
                    trained.extend(t);
                    counter.merge(c);
                }
                report.posts += batch.len() as u64;
                let titles = batch.into_iter().map(|p| (p.id, p.title)).collect();
                if to_writer.send((decisions, titles)).is_err() {
                    break;
                }
                for (tag, gained) in trained {
                    let entry = report.trained.entry(tag).or_default();
                    if gained { entry.0 += 1 } else { entry.1 += 1 }
                }
                while let Ok(done) = written.try_recv() {
                    outcome = outcome.and(absorb(done, report, options));
                }
                progress(Phase::Tagging, report.posts, total);
                if outcome.is_err() {
                    break;
                }
            }
            outcome
        });
        drop(to_writer);
        for done in written.iter() {
            outcome = outcome.and(absorb(done, report, options));
        }
        let _ = writing.join();
        outcome
    })?;
    report.tagging = tagging_started.elapsed();
    counter.name_known(&tagger.model().table);
    Ok(counter)
}

/// Adds one written batch to the report.
fn absorb(
    (written, titles, took): (
        Result<Written, StoreFailure>,
        HashMap<PostId, String>,
        Duration,
    ),
    report: &mut RetagReport,
    options: &RetagOptions,
) -> Result<(), StoreFailure> {
    let written = written?;
    report.storing += took;
    report.rows += written.rows;
    report.changed_posts += written.changes.len() as u64;
    for (post, gained, lost) in written.changes {
        let title = titles.get(&post).cloned().unwrap_or_default();
        for (names, gain) in [(gained, true), (lost, false)] {
            for name in names {
                let entry = report.changes.entry(name).or_default();
                let (count, examples) = if gain {
                    (&mut entry.gained, &mut entry.gained_examples)
                } else {
                    (&mut entry.lost, &mut entry.lost_examples)
                };
                *count += 1;
                if examples.len() < options.examples {
                    examples.push((post, title.clone()));
                }
            }
        }
    }
    Ok(())
}

impl Tagger {
    /// Reads a post (zones, words, stems) without judging it: what counting needs.
    pub(crate) fn read_post(&self, post: &PostText<'_>, scratch: &mut Scratch) {
        let lang = self.language_of(post);
        self.scan(post, lang, scratch);
    }
}
