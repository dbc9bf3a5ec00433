//! The corpus model a [`Tagger`] weighs its vocabulary with: the corpus's document
//! frequencies ([`crate::corpus`]), each tag's profile ([`crate::profile`]) and learned model
//! ([`crate::learn`]).
//!
//! The store keeps them apart from the vocabulary: document frequencies as (stem, posts)
//! rows, and one [`SavedTagModel`] per tag (profile stems by name, so it survives a rebuild
//! of the frequencies). [`Tagger::with_corpus`] compiles them for one vocabulary; a tag the
//! vocabulary no longer has is ignored, and a new tag has no profile until the next retag.

use serde::{Deserialize, Serialize};

use crate::Tagger;
use crate::corpus::{StemTable, term_weight};
use crate::learn::Learned;
use crate::profile::Profile;

/// One tag's learned state as the store keeps it (as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedTagModel {
    /// The tag's name.
    pub tag: String,
    /// Posts its profile was built from.
    pub members: u32,
    /// Profile stems and weights, heaviest first (empty: no profile).
    #[serde(default)]
    pub profile: Vec<(String, f32)>,
    /// What people's decisions taught it, when they taught anything.
    #[serde(default)]
    pub learned: Option<Learned>,
}

impl SavedTagModel {
    /// The JSON the store keeps.
    pub fn to_json(&self) -> String {
        // Strings, numbers and options only: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A saved model read back; `None` for text this version cannot read (the tag then
    /// goes without until the next retag).
    pub fn from_json(text: &str) -> Option<SavedTagModel> {
        serde_json::from_str(text).ok()
    }
}

/// A corpus model compiled for one vocabulary.
#[derive(Debug, Default)]
pub(crate) struct CorpusModel {
    pub(crate) table: StemTable,
    /// By rule index.
    pub(crate) profiles: Vec<Option<Profile>>,
    pub(crate) learned: Vec<Option<Learned>>,
    /// By term number: what each occurrence weighs.
    term_weights: Vec<f32>,
}

impl CorpusModel {
    /// `saved` (by tag name) compiled for `tagger`'s vocabulary over `table`.
    pub(crate) fn compile(
        tagger: &Tagger,
        table: StemTable,
        saved: &[SavedTagModel],
    ) -> CorpusModel {
        let rules = tagger.rules().len();
        let mut model = CorpusModel {
            profiles: vec![None; rules],
            learned: vec![None; rules],
            ..CorpusModel::default()
        };
        for tag in saved {
            let Some(rule) = tagger.rule_index(&tag.tag) else {
                continue;
            };
            if !tag.profile.is_empty() {
                model.profiles[rule] = Some(Profile::from_named(&tag.profile, tag.members, &table));
            }
            model.learned[rule] = tag.learned;
        }
        model.table = table;
        model.term_weights = model.weights_for(tagger);
        model
    }

    /// A model of `table` with the given profiles and learned models (by rule index), as a
    /// retag builds it.
    pub(crate) fn from_parts(
        tagger: &Tagger,
        table: StemTable,
        profiles: Vec<Option<Profile>>,
        learned: Vec<Option<Learned>>,
    ) -> CorpusModel {
        let mut model = CorpusModel {
            table,
            profiles,
            learned,
            term_weights: Vec::new(),
        };
        model.term_weights = model.weights_for(tagger);
        model
    }

    /// This model without its learned models.
    pub(crate) fn without_learning(&self) -> CorpusModel {
        CorpusModel::with_learned(self, vec![None; self.learned.len()])
    }

    /// This model with other learned models (by rule index).
    pub(crate) fn with_learned(&self, learned: Vec<Option<Learned>>) -> CorpusModel {
        CorpusModel {
            table: self.table.clone(),
            profiles: self.profiles.clone(),
            learned,
            term_weights: self.term_weights.clone(),
        }
    }

    fn weights_for(&self, tagger: &Tagger) -> Vec<f32> {
        let posts = self.table.posts;
        (0..tagger.term_count() as u32)
            .map(|id| match tagger.term_key(id) {
                Some(key) => term_weight(self.table.df(key), posts),
                None => 1.0,
            })
            .collect()
    }

    pub(crate) fn term_weight(&self, posting: u32) -> f32 {
        self.term_weights
            .get(posting as usize)
            .copied()
            .unwrap_or(1.0)
    }

    pub(crate) fn profile(&self, rule: usize) -> Option<&Profile> {
        self.profiles.get(rule).and_then(Option::as_ref)
    }

    pub(crate) fn learned(&self, rule: usize) -> Option<&Learned> {
        self.learned.get(rule).and_then(Option::as_ref)
    }

    /// Every tag's state as the store keeps it: profile stems by name, heaviest first.
    pub(crate) fn saved(&self, tagger: &Tagger) -> Vec<SavedTagModel> {
        tagger
            .rules()
            .iter()
            .enumerate()
            .filter_map(|(rule, tag)| {
                let profile = self.profile(rule);
                let learned = self.learned(rule).copied();
                if profile.is_none() && learned.is_none() {
                    return None;
                }
                let mut stems: Vec<(String, f32)> = profile
                    .map(|p| {
                        p.stems
                            .iter()
                            .map(|&(id, w)| (self.table.name(id).to_owned(), w))
                            .collect()
                    })
                    .unwrap_or_default();
                stems.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                Some(SavedTagModel {
                    tag: tag.name.clone(),
                    members: profile.map_or(0, |p| p.members),
                    profile: stems,
                    learned,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CorpusStats, PostText, TagRule};

    fn stats() -> CorpusStats {
        let mut stems: Vec<(String, u64)> = (0..60).map(|i| (format!("filler{i}"), 30)).collect();
        stems.extend([
            ("kubernet".to_owned(), 3),
            ("cluster".to_owned(), 4),
            ("test".to_owned(), 90),
        ]);
        CorpusStats { posts: 100, stems }
    }

    #[test]
    fn saved_models_round_trip_through_json() {
        let saved = SavedTagModel {
            tag: "k8s".into(),
            members: 4,
            profile: vec![("kubernet".into(), 0.8), ("cluster".into(), 0.6)],
            learned: None,
        };
        assert_eq!(SavedTagModel::from_json(&saved.to_json()), Some(saved));
        assert_eq!(SavedTagModel::from_json("not json"), None);
    }

    #[test]
    fn the_corpus_weighs_generic_terms_down() {
        let rules = [
            TagRule::new("testing", &["test"]),
            TagRule::new("k8s", &["kubernetes"]),
        ];
        let tagger = Tagger::new(&rules)
            .expect("compiles")
            .with_corpus(&stats(), &[]);
        let post = PostText {
            title: "",
            text: "We run the test and kubernetes here, twice: test, kubernetes.",
            ..PostText::default()
        };
        let explained = tagger.explain(&post);
        let weight = |tag: &str| {
            let e = explained.iter().find(|e| e.tag == tag).expect("candidate");
            e.matches[0].frequency.expect("counted").weight
        };
        assert!(weight("testing") < 0.2, "in 90 of 100 posts");
        assert!(weight("k8s") > 1.0, "in 3 of 100 posts");
    }

    #[test]
    fn saved_profiles_of_unknown_tags_are_ignored_and_known_ones_kept() {
        let rules = [TagRule::new("k8s", &["kubernetes"])];
        let saved = [
            SavedTagModel {
                tag: "K8S".into(),
                members: 5,
                profile: vec![("kubernet".into(), 0.8), ("cluster".into(), 0.6)],
                learned: None,
            },
            SavedTagModel {
                tag: "gone".into(),
                members: 5,
                profile: vec![("cluster".into(), 1.0)],
                learned: None,
            },
        ];
        let tagger = Tagger::new(&rules)
            .expect("compiles")
            .with_corpus(&stats(), &saved);
        assert_eq!(tagger.corpus_summary().profiles, 1);
        let back = tagger.model().saved(&tagger);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].tag, "k8s");
        assert_eq!(back[0].profile[0].0, "kubernet");
    }
}
