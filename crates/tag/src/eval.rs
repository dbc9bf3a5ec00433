//! Measuring tagging like an editor would: precision, recall and F1 per tag and overall
//! against a labeled file (`syndic tag eval`), and cross-validation of the learning step
//! (`--folds`): the labeled posts are cut into folds, each fold is tagged by models trained
//! on the others' labels, and the verdicts are pooled.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use syndic_core::{PostForTagging, PostId, slugify};

use crate::decisions::Labels;
use crate::learn::{self, Example, fold};
use crate::model::CorpusModel;
use crate::retag::SourceRules;
use crate::{PostText, Scratch, SourceTags, Tagger};

/// True positives, false positives and false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
}

impl Score {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    fn add(&mut self, other: Score) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Scores overall (micro-averaged) and per tag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvalReport {
    pub posts: usize,
    pub micro: Score,
    /// By tag name as labeled (or as given, for tags only given).
    pub per_tag: BTreeMap<String, Score>,
    /// Folds whose learned models cross-validation kept (with `--folds`).
    pub folds_learning: Option<(usize, usize)>,
}

/// Compares the tags `given` to each labeled post with its labels; names compare by archive
/// slug. Labeled posts missing from `given` count as given nothing.
pub fn score(given: &HashMap<PostId, BTreeSet<String>>, labels: &Labels) -> EvalReport {
    let mut report = EvalReport {
        posts: labels.len(),
        ..EvalReport::default()
    };
    let empty = BTreeSet::new();
    for (post, wanted) in labels {
        let given = given.get(post).unwrap_or(&empty);
        let given: BTreeMap<String, &String> = given.iter().map(|t| (slugify(t), t)).collect();
        let wanted: BTreeMap<String, &String> = wanted.iter().map(|t| (slugify(t), t)).collect();
        let slugs: BTreeSet<&String> = wanted.keys().chain(given.keys()).collect();
        for slug in slugs {
            let (is_wanted, is_given) = (wanted.get(slug), given.get(slug));
            let Some(name) = is_wanted.or(is_given) else {
                continue;
            };
            let s = Score {
                tp: u64::from(is_wanted.is_some() && is_given.is_some()),
                fp: u64::from(is_wanted.is_none()),
                fn_: u64::from(is_given.is_none()),
            };
            report.per_tag.entry((*name).clone()).or_default().add(s);
            report.micro.add(s);
        }
    }
    report
}

/// The automatic tags (terms, profile, learned model, categories, source) of each post.
pub fn automatic(
    tagger: &Tagger,
    sources: &SourceRules,
    posts: &[PostForTagging],
) -> HashMap<PostId, BTreeSet<String>> {
    let no_rule = (Vec::new(), String::new(), None);
    let mut scratch = Scratch::new();
    posts
        .iter()
        .map(|post| {
            let (tags, location, categories) = sources.get(&post.source_id).unwrap_or(&no_rule);
            let source = SourceTags {
                tags,
                location,
                categories: *categories,
            };
            let assigned = tagger.assign_with(&PostText::from(post), source, &mut scratch);
            (post.id, assigned.into_iter().map(|a| a.tag).collect())
        })
        .collect()
}

/// Cross-validates the learning step over `folds` folds of the labeled `posts`: each fold is
/// tagged automatically by `tagger` (its profiles as they are) with learned models trained
/// ([`learn::train`], its own guard included) on the other folds' labels.
pub fn cross_validate(
    tagger: &Tagger,
    sources: &SourceRules,
    posts: &[PostForTagging],
    labels: &Labels,
    folds: usize,
) -> EvalReport {
    let folds = folds.max(2);
    let untrained = tagger.with_model(tagger.model().without_learning());
    let mut scratch = Scratch::new();
    let mut examples: Vec<Example> = Vec::new();
    for post in posts {
        let Some(wanted) = labels.get(&post.id) else {
            continue;
        };
        let wanted: BTreeSet<String> = wanted.iter().map(|t| slugify(t)).collect();
        for candidate in untrained.candidates(&PostText::from(post), &mut scratch) {
            let name = &untrained.rules()[candidate.rule].name;
            examples.push(Example {
                rule: candidate.rule,
                post: post.id.0,
                literal: candidate.literal,
                min: candidate.min,
                profile: candidate.profile,
                positive: wanted.contains(&slugify(name)),
                weight: 1.0,
            });
        }
    }
    let rules = tagger.rules().len();
    let mut given: HashMap<PostId, BTreeSet<String>> = HashMap::new();
    let mut kept = 0;
    for k in 0..folds {
        let training: Vec<Example> = examples
            .iter()
            .filter(|e| fold(e.post, folds) != k)
            .copied()
            .collect();
        let (learned, report) = learn::train(&training, rules);
        kept += usize::from(report.applied);
        let model = CorpusModel::with_learned(untrained.model(), learned);
        let fold_tagger = tagger.with_model(model);
        let held_out: Vec<PostForTagging> = posts
            .iter()
            .filter(|p| fold(p.id.0, folds) == k)
            .cloned()
            .collect();
        given.extend(automatic(&fold_tagger, sources, &held_out));
    }
    let mut report = score(&given, labels);
    report.folds_learning = Some((kept, folds));
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(tags: &[&str]) -> BTreeSet<String> {
        tags.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn scores_count_each_tag_once_and_compare_by_slug() {
        let labels: Labels = [
            (PostId(1), set(&["Map", "rust"])),
            (PostId(2), set(&[])),
            (PostId(3), set(&["python"])),
        ]
        .into();
        let given: HashMap<PostId, BTreeSet<String>> = [
            (PostId(1), set(&["map", "linux"])),
            (PostId(2), set(&["rust"])),
        ]
        .into();
        let report = score(&given, &labels);
        assert_eq!(
            report.micro,
            Score {
                tp: 1,
                fp: 2,
                fn_: 2
            }
        );
        assert_eq!(
            report.per_tag["Map"],
            Score {
                tp: 1,
                fp: 0,
                fn_: 0
            }
        );
        assert_eq!(
            report.per_tag["rust"],
            Score {
                tp: 0,
                fp: 1,
                fn_: 1
            }
        );
        assert_eq!(report.per_tag["python"].fn_, 1);
        assert!((report.micro.f1() - 1.0 / 3.0).abs() < 1e-9);
    }
}
