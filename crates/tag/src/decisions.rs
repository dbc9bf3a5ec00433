//! People's decisions as training data: what `tag add`, `tag remove` and `tag label` left in
//! the store, turned into one [`Example`] per (decided post, tag its terms touch).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use syndic_core::{PostForTagging, PostId, slugify};

use crate::learn::{Example, IMPLIED_WEIGHT};
use crate::{PostText, Scratch, Tagger};

/// At most this many decided posts are read for training (the most recently decided).
pub const MAX_TRAINING_POSTS: usize = 20_000;

pub use syndic_core::TagDecisions as Decisions;

/// One post's decisions, by rule index of a tagger.
#[derive(Debug, Default, Clone)]
pub(crate) struct PostDecisions {
    pub(crate) added: BTreeSet<usize>,
    pub(crate) removed: BTreeSet<usize>,
    pub(crate) carried: BTreeSet<usize>,
    pub(crate) reviewed: bool,
}

/// The posts with any decision or review, in id order; at most [`MAX_TRAINING_POSTS`] (the
/// newest).
pub fn training_posts(decisions: &Decisions) -> Vec<PostId> {
    let mut posts: BTreeSet<PostId> = decisions.reviewed.iter().copied().collect();
    posts.extend(decisions.added.iter().map(|(p, _)| *p));
    posts.extend(decisions.removed.iter().map(|(p, _)| *p));
    let skip = posts.len().saturating_sub(MAX_TRAINING_POSTS);
    posts.into_iter().skip(skip).collect()
}

/// The decisions per post, by `tagger`'s rule indexes (tags outside the vocabulary are left
/// out).
pub(crate) fn by_post(decisions: &Decisions, tagger: &Tagger) -> BTreeMap<PostId, PostDecisions> {
    let this = decisions;
    let mut out: BTreeMap<PostId, PostDecisions> = BTreeMap::new();
    let mut put =
        |post: PostId, tag: &str, field: fn(&mut PostDecisions) -> &mut BTreeSet<usize>| {
            if let Some(rule) = tagger.rule_index(tag) {
                field(out.entry(post).or_default()).insert(rule);
            }
        };
    for (post, tag) in &this.added {
        put(*post, tag, |d| &mut d.added);
    }
    for (post, tag) in &this.removed {
        put(*post, tag, |d| &mut d.removed);
    }
    for (post, tag) in &this.carried {
        put(*post, tag, |d| &mut d.carried);
    }
    let reviewed: HashSet<PostId> = this.reviewed.iter().copied().collect();
    for (post, decisions) in out.iter_mut() {
        decisions.reviewed =
            reviewed.contains(post) || !decisions.added.is_empty() || !decisions.removed.is_empty();
    }
    out
}

/// Training examples: every tag the terms of a decided post touch, labeled by the decision
/// (weight 1) or, on a reviewed post, by whether it carries the tag ([`IMPLIED_WEIGHT`]).
pub fn examples(
    decisions: &Decisions,
    tagger: &Tagger,
    posts: &[PostForTagging],
    scratch: &mut Scratch,
) -> Vec<Example> {
    let decided = by_post(decisions, tagger);
    let mut out = Vec::new();
    for post in posts {
        let Some(decisions) = decided.get(&post.id) else {
            continue;
        };
        for candidate in tagger.candidates(&PostText::from(post), scratch) {
            let rule = candidate.rule;
            let (positive, weight) = if decisions.added.contains(&rule) {
                (true, 1.0)
            } else if decisions.removed.contains(&rule) {
                (false, 1.0)
            } else if decisions.reviewed {
                (decisions.carried.contains(&rule), IMPLIED_WEIGHT)
            } else {
                continue;
            };
            out.push(Example {
                rule,
                post: post.id.0,
                literal: candidate.literal,
                min: candidate.min,
                profile: candidate.profile,
                positive,
                weight,
            });
        }
    }
    out
}

/// Examples from posts nobody decided on, labeled by what the untrained rule gives them
/// ([`IMPLIED_WEIGHT`]): people decide where tagging was wrong, so their decisions alone are
/// a sample of its errors, and a model fitted and cross-validated on them alone learns to
/// flip the rule near its threshold everywhere. The retag adds as many of the newest
/// untouched posts as there are decided ones, taken as right (what an editor who looked
/// and left them would say), so learning is kept only when it fixes people's corrections
/// without undoing what the rule gets right.
pub fn presumed(tagger: &Tagger, posts: &[PostForTagging], scratch: &mut Scratch) -> Vec<Example> {
    let mut out = Vec::new();
    for post in posts {
        for candidate in tagger.candidates(&PostText::from(post), scratch) {
            out.push(Example {
                rule: candidate.rule,
                post: post.id.0,
                literal: candidate.literal,
                min: candidate.min,
                profile: candidate.profile,
                positive: candidate.literal > 0.0
                    && candidate.literal + candidate.profile >= candidate.min,
                weight: IMPLIED_WEIGHT,
            });
        }
    }
    out
}

/// Labels given in bulk (`syndic tag label`, `syndic tag eval`): each post's complete list
/// of tags.
pub type Labels = HashMap<PostId, BTreeSet<String>>;

/// `labels` as decisions: each listed tag added, each tag the post carries now (any origin)
/// and the list lacks removed, every labeled post reviewed. `carries` gives a post's current
/// tags; names compare by archive slug or by the vocabulary tag they mean.
pub fn from_labels(
    labels: &Labels,
    carries: impl Fn(PostId) -> Vec<String>,
    tagger: &Tagger,
) -> Decisions {
    let mut out = Decisions::default();
    let mut posts: Vec<&PostId> = labels.keys().collect();
    posts.sort();
    for &post in posts {
        let wanted = &labels[&post];
        let slugs: HashSet<String> = wanted.iter().map(|t| slugify(t)).collect();
        let rules: HashSet<usize> = wanted.iter().filter_map(|t| tagger.rule_index(t)).collect();
        out.reviewed.push(post);
        out.added
            .extend(wanted.iter().map(|tag| (post, tag.clone())));
        for tag in carries(post) {
            let listed = slugs.contains(&slugify(&tag))
                || tagger.rule_index(&tag).is_some_and(|r| rules.contains(&r));
            if !listed {
                out.removed.push((post, tag.clone()));
            }
            out.carried.push((post, tag));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TagRule;
    use syndic_core::SourceId;

    fn post(id: i64, title: &str) -> PostForTagging {
        PostForTagging {
            id: PostId(id),
            source_id: SourceId(1),
            title: title.into(),
            content_text: String::new(),
            categories: Vec::new(),
            language: None,
        }
    }

    #[test]
    fn decisions_and_reviews_become_weighted_examples() {
        let tagger =
            Tagger::new(&[TagRule::new("map", &[]), TagRule::new("rust", &[])]).expect("compiles");
        let decisions = Decisions {
            added: vec![(PostId(1), "map".into())],
            removed: vec![(PostId(2), "map".into())],
            reviewed: vec![PostId(3)],
            carried: vec![(PostId(3), "rust".into())],
        };
        let posts = [
            post(1, "Maps and rust"),
            post(2, "A map"),
            post(3, "Rust and a map"),
            post(4, "Maps"),
        ];
        let examples = examples(&decisions, &tagger, &posts, &mut Scratch::new());
        let seen: Vec<(i64, usize, bool, f32)> = examples
            .iter()
            .map(|e| (e.post, e.rule, e.positive, e.weight))
            .collect();
        assert_eq!(
            seen,
            [
                (1, 0, true, 1.0),
                (1, 1, false, IMPLIED_WEIGHT),
                (2, 0, false, 1.0),
                (3, 0, false, IMPLIED_WEIGHT),
                (3, 1, true, IMPLIED_WEIGHT),
            ]
        );
        assert_eq!(
            training_posts(&decisions),
            [PostId(1), PostId(2), PostId(3)]
        );
    }

    #[test]
    fn untouched_posts_are_presumed_tagged_as_the_rule_tags_them() {
        let tagger = Tagger::new(&[TagRule::new("map", &[])]).expect("compiles");
        let posts = [
            post(1, "Maps"),
            PostForTagging {
                content_text: format!(
                    "{} A map was in a pocket. {}",
                    "We walked through the hills talking of bread and trains. ".repeat(30),
                    "The weather held and the river ran low all day. ".repeat(30)
                ),
                ..post(2, "Notes")
            },
            post(3, "Nothing here"),
        ];
        let presumed = presumed(&tagger, &posts, &mut Scratch::new());
        let seen: Vec<(i64, bool, f32)> = presumed
            .iter()
            .map(|e| (e.post, e.positive, e.weight))
            .collect();
        assert_eq!(
            seen,
            [(1, true, IMPLIED_WEIGHT), (2, false, IMPLIED_WEIGHT)],
            "a title hit is tagged, a passing mention is not, a post without one is no example"
        );
    }

    #[test]
    fn a_label_adds_its_tags_and_removes_the_vocabulary_tags_it_lacks() {
        let tagger =
            Tagger::new(&[TagRule::new("map", &[]), TagRule::new("rust", &[])]).expect("compiles");
        let labels: Labels = [(PostId(7), BTreeSet::from(["Map".to_owned()]))].into();
        let carries = |_| vec!["map".to_owned(), "rust".to_owned(), "from-feed".to_owned()];
        let decisions = from_labels(&labels, carries, &tagger);
        assert_eq!(decisions.added, [(PostId(7), "Map".to_owned())]);
        assert_eq!(
            decisions.removed,
            [
                (PostId(7), "rust".to_owned()),
                (PostId(7), "from-feed".to_owned())
            ]
        );
        assert_eq!(decisions.reviewed, [PostId(7)]);
    }
}
