//! Deciding: for every tag a post's terms touch, the literal score (each term's occurrences
//! by zone, weighted by how distinctive the term is in the corpus), what the tag's profile
//! and learned model add, and whether the sum reaches the tag's threshold; then the tags the
//! feed's categories give.

use std::fmt::Write as _;

use rust_stemmers::Stemmer;
use syndic_core::{TagAssignment, TagOrigin, slugify};

use super::explain::form;
use super::read::post_vector;
use super::{MAX_CATEGORY_SLUG_CHARS, MAX_CATEGORY_TAGS, Scratch, Tagger};
use crate::lang::{LANGUAGES, Lang};
use crate::profile::similarity;
use crate::score::zone_counts;
use crate::verdict::TermHits;
use crate::word_index::{Norm, normalized_words};
use crate::{CategoryPolicy, Explanation, PostText};

/// Everything tagging concludes about one tag the post's terms touch.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub(crate) rule: usize,
    pub(crate) includes: Vec<TermHits>,
    pub(crate) excluded_by: Option<TermHits>,
    /// Each include term's corpus weight and share of the literal score.
    pub(crate) weights: Vec<f32>,
    pub(crate) shares: Vec<f32>,
    /// The score from the terms, weighted by the corpus...
    pub(crate) literal: f32,
    /// ...and with every term weighing 1 (what makes a post a member of the tag's profile).
    pub(crate) plain: f32,
    /// Similarity to the tag's profile, what it added, and the profile's member count.
    pub(crate) profile: Option<(f32, f32, u32)>,
    /// What the learned model added.
    pub(crate) learned: Option<f32>,
    pub(crate) min: f32,
    pub(crate) score: f32,
    pub(crate) applied: bool,
    /// Whether the tag would apply without the learned model.
    pub(crate) applied_untrained: bool,
}

impl Verdict {
    fn profile_contribution(&self) -> f32 {
        self.profile.map_or(0.0, |(_, c, _)| c)
    }
}

/// A tag's standing in a post, for training: see [`crate::learn::Example`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub rule: usize,
    pub literal: f32,
    pub min: f32,
    pub profile: f32,
}

/// A tag whose verdict on a post the learned model changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingChange {
    pub tag: String,
    /// The model gives the tag (else it takes it away).
    pub gained: bool,
}

impl Tagger {
    /// Reads the post and judges every tag its terms touch, in tag-name order.
    pub(crate) fn evaluate(
        &self,
        post: &PostText<'_>,
        scratch: &mut Scratch,
    ) -> (Lang, Vec<Verdict>) {
        let lang = self.language_of(post);
        let words = self.scan(post, lang, scratch);
        let Scratch {
            hits,
            stems_seen,
            stem_counts,
            vector,
            vector_ready,
            ..
        } = scratch;
        let model = &self.model;
        let mut verdicts = Vec::new();
        for finding in self.findings(hits) {
            if finding.includes.is_empty() {
                continue;
            }
            let rule = finding.rule;
            let min = self.min_scores[rule];
            let includes: Vec<TermHits> = finding.includes.iter().map(|h| **h).collect();
            let weights: Vec<f32> = includes
                .iter()
                .map(|h| model.term_weight(h.posting.id) * h.posting.strength())
                .collect();
            let (literal, shares) = self.weights.score(&finding.includes, &weights, words);
            let ones: Vec<f32> = includes.iter().map(|h| h.posting.strength()).collect();
            let plain = self.weights.score(&finding.includes, &ones, words).0;
            let profile = match model.profile(rule) {
                Some(profile) if min > 0.0 => {
                    if !*vector_ready {
                        post_vector(stems_seen, stem_counts, &model.table.idf, vector);
                        *vector_ready = true;
                    }
                    let sim = similarity(vector, &profile.stems);
                    let added = self.weights.profile * (sim - self.weights.profile_center);
                    Some((sim, added, profile.members))
                }
                _ => None,
            };
            let added = profile.map_or(0.0, |(_, c, _)| c);
            let learned = match model.learned(rule) {
                Some(learned) if min > 0.0 => Some(learned.adjustment(literal, min, added)),
                _ => None,
            };
            let untrained = literal + added;
            let score = untrained + learned.unwrap_or(0.0);
            let excluded = finding.excluded_by.is_some();
            let passes = |score: f32| !excluded && (min == 0.0 || literal > 0.0) && score >= min;
            verdicts.push(Verdict {
                rule,
                includes,
                excluded_by: finding.excluded_by.copied(),
                weights,
                shares,
                literal,
                plain,
                profile,
                learned,
                min,
                score,
                applied: passes(score),
                applied_untrained: passes(untrained),
            });
        }
        (lang, verdicts)
    }

    /// Tags the post gets from term matches (origin [`TagOrigin::Term`]) and feed categories
    /// (origin [`TagOrigin::Category`]), one per tag (a term finding wins over a category),
    /// sorted by tag name. A term assignment's detail names the matched terms with their
    /// zones and the score, e.g. `score 2.4 (min 1.5): "kubernetes" x3 in title, lead, body;
    /// "k8s" in list; profile +0.4`; a category's says `feed category "X"`.
    ///
    /// Uses a per-thread [`Scratch`]; [`tag_with`](Self::tag_with) takes one explicitly.
    pub fn tag(&self, post: &PostText<'_>) -> Vec<TagAssignment> {
        self.scratch(|scratch| self.tag_with(post, scratch))
    }

    /// [`tag`](Self::tag) with caller-provided working memory, for streams of posts.
    pub fn tag_with(&self, post: &PostText<'_>, scratch: &mut Scratch) -> Vec<TagAssignment> {
        self.tag_comparing(post, scratch).0
    }

    /// [`tag_with`](Self::tag_with), and the tags whose verdict the learned models changed
    /// (what `syndic retag --dry-run` reports of training).
    pub fn tag_comparing(
        &self,
        post: &PostText<'_>,
        scratch: &mut Scratch,
    ) -> (Vec<TagAssignment>, Vec<TrainingChange>) {
        self.tag_comparing_under(post, scratch, self.settings.categories)
    }

    /// [`tag_comparing`](Self::tag_comparing) with the feed categories read under
    /// `categories` (a source's own policy) instead of `[tagging] categories`.
    pub fn tag_comparing_under(
        &self,
        post: &PostText<'_>,
        scratch: &mut Scratch,
        categories: CategoryPolicy,
    ) -> (Vec<TagAssignment>, Vec<TrainingChange>) {
        let (lang, verdicts) = self.evaluate(post, scratch);
        let mut tags: Vec<TagAssignment> = Vec::new();
        let mut changes = Vec::new();
        for verdict in &verdicts {
            let rule = &self.rules[verdict.rule];
            if verdict.applied != verdict.applied_untrained {
                changes.push(TrainingChange {
                    tag: rule.name.clone(),
                    gained: verdict.applied,
                });
            }
            if verdict.applied {
                tags.push(TagAssignment {
                    tag: rule.name.clone(),
                    origin: TagOrigin::Term,
                    detail: self.detail(verdict, post),
                });
            }
        }
        for category in self.categories(post, lang, categories) {
            if tags.iter().any(|t| t.tag == category.tag) {
                continue;
            }
            let detail = format!("feed category {:?}", category.category.unwrap_or_default());
            tags.push(TagAssignment {
                tag: category.tag,
                origin: TagOrigin::Category,
                detail,
            });
        }
        tags.sort();
        (tags, changes)
    }

    /// Every tag the post's terms touch, as training sees it: literal score, threshold and
    /// the profile's contribution (learned models left out). Excluded tags are left out.
    pub fn candidates(&self, post: &PostText<'_>, scratch: &mut Scratch) -> Vec<Candidate> {
        let (_, verdicts) = self.evaluate(post, scratch);
        verdicts
            .iter()
            .filter(|v| v.excluded_by.is_none())
            .map(|v| Candidate {
                rule: v.rule,
                literal: v.literal,
                min: v.min,
                profile: v.profile_contribution(),
            })
            .collect()
    }

    /// The tags (rule indexes) whose terms alone, every term weighing 1, give them to the
    /// post with a margin to spare: the posts a profile is built from.
    pub(crate) fn literal_members(&self, post: &PostText<'_>, scratch: &mut Scratch) -> Vec<usize> {
        let (_, verdicts) = self.evaluate(post, scratch);
        let margin = self.weights.member_margin;
        verdicts
            .iter()
            .filter(|v| v.excluded_by.is_none() && v.plain > 0.0 && v.plain >= v.min + margin)
            .map(|v| v.rule)
            .collect()
    }

    /// The vector of the post `scratch` last read (see [`crate::profile`]).
    pub(crate) fn vector_of<'s>(&self, scratch: &'s mut Scratch) -> &'s [(u32, f32)] {
        if !scratch.vector_ready {
            post_vector(
                &scratch.stems_seen,
                &scratch.stem_counts,
                &self.model.table.idf,
                &mut scratch.vector,
            );
            scratch.vector_ready = true;
        }
        &scratch.vector
    }

    /// `score 2.4 (min 1.5): "kubernetes" x3 in title, lead, body; "k8s" in list; profile
    /// +0.4; learned -0.2`.
    fn detail(&self, verdict: &Verdict, post: &PostText<'_>) -> String {
        let rule = &self.rules[verdict.rule];
        let mut order: Vec<usize> = (0..verdict.includes.len()).collect();
        order.sort_by(|&a, &b| verdict.shares[b].total_cmp(&verdict.shares[a]));
        let mut out = format!("score {:.1} (min {:.1}): ", verdict.score, verdict.min);
        for (n, &i) in order.iter().enumerate() {
            let hits = &verdict.includes[i];
            if n > 0 {
                out.push_str("; ");
            }
            let term = &rule.effective_terms()[hits.posting.term as usize];
            let zones = zone_counts(hits);
            let count: u32 = zones.iter().map(|(_, c)| c).sum();
            let _ = write!(out, "{term:?}");
            if hits.posting.variant {
                let _ = write!(out, " as {:?}", form(hits, post));
            }
            if count > 1 {
                let _ = write!(out, " x{count}");
            }
            out.push_str(" in ");
            for (k, (zone, _)) in zones.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                out.push_str(zone.as_str());
            }
        }
        if let Some((_, added, _)) = verdict.profile {
            let _ = write!(out, "; profile {added:+.1}");
        }
        if let Some(added) = verdict.learned {
            let _ = write!(out, "; learned {added:+.1}");
        }
        out
    }

    /// Tags the post's feed categories give under `policy` (`[tagging] categories`, or
    /// the post's source's own).
    pub(crate) fn categories(
        &self,
        post: &PostText<'_>,
        lang: Lang,
        policy: CategoryPolicy,
    ) -> Vec<Explanation> {
        let mut out: Vec<Explanation> = Vec::new();
        if policy == CategoryPolicy::None || post.categories.is_empty() {
            return out;
        }
        let index = self.lang_index(lang);
        let stemmer = Stemmer::create(LANGUAGES[lang].1);
        for category in post.categories {
            let key = normalized_words(category, Norm::Stem(&stemmer)).join(" ");
            let known = self.resolve(category).map(|r| r.name.clone()).or_else(|| {
                index
                    .categories
                    .get(&key)
                    .map(|&i| self.rules[i].name.clone())
            });
            let tag = match policy {
                CategoryPolicy::None => None,
                CategoryPolicy::Vocabulary => known,
                CategoryPolicy::All => known.or_else(|| new_category_tag(category)),
            };
            let Some(tag) = tag.filter(|t| !t.is_empty()) else {
                continue;
            };
            if out.iter().any(|e| slugify(&e.tag) == slugify(&tag)) {
                continue;
            }
            if out.len() == MAX_CATEGORY_TAGS {
                break;
            }
            out.push(Explanation::category(tag, category.clone()));
        }
        out.sort_by(|a, b| a.tag.cmp(&b.tag));
        out
    }
}

/// The tag a category outside the vocabulary becomes under `categories = "all"`: its words
/// joined by single spaces; `None` when it has no letters or digits (its slug would be a
/// placeholder shared by every such category) or its slug would be longer than
/// [`MAX_CATEGORY_SLUG_CHARS`].
fn new_category_tag(category: &str) -> Option<String> {
    if !category.chars().any(char::is_alphanumeric)
        || slugify(category).chars().count() > MAX_CATEGORY_SLUG_CHARS
    {
        return None;
    }
    Some(category.split_whitespace().collect::<Vec<_>>().join(" "))
}
