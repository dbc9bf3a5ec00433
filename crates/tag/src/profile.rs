//! Tag profiles: the words that go with a tag in the posts that are plainly about it.
//!
//! A post is read into a vector over its stems: each stem's zone-weighted count (title words
//! twice) as `ln(1 + count)`, times the stem's inverse document frequency
//! ([`crate::corpus`]), scaled to unit length. A tag's *members* are the posts its terms alone
//! give it with a margin ([`MEMBER_MARGIN`] above the tag's threshold, every term weighing 1)
//! and the posts people tagged with it by hand, never those they removed it from. Its
//! profile sums the members' vectors, keeps stems found in posts of [`MIN_SOURCES`] sources
//! (not one feed's boilerplate), favours stems rare in the corpus (each sum divided by the
//! square root of the stem's share of posts: a tag's own distinctive words, not the words
//! every post uses), keeps the heaviest [`PROFILE_STEMS`] and scales them to unit length.
//!
//! A post's *similarity* to a tag is the cosine of its vector and the profile. It adds
//! [`PROFILE_WEIGHT`] × (similarity − [`PROFILE_CENTER`]) to the tag's score: a post that reads
//! like the tag's posts earns it on fewer literal hits, and a literal hit in a post unlike
//! them counts less. Tags with fewer than [`MIN_MEMBERS`] members have no profile.
//!
//! Bounded: a profile is at most [`PROFILE_STEMS`] (stem, weight) pairs, so the profiles of
//! a 10,000-tag vocabulary take about 16 MB, and a builder keeps at most
//! [`MAX_ACCUMULATED`] stems per tag while it sums.

use crate::corpus::StemTable;
use crate::word_index::FxMap;

/// Stems kept per profile.
pub const PROFILE_STEMS: usize = 200;

/// Fewer members than this and a tag gets no profile (one or two posts say more about
/// themselves than about the tag).
pub const MIN_MEMBERS: u32 = 3;

/// What a unit of similarity adds to a score...
pub const PROFILE_WEIGHT: f32 = 6.0;

/// ...above this similarity (below it, it takes away).
pub const PROFILE_CENTER: f32 = 0.085;

/// A post is a member of a tag's profile when its terms alone, every term weighing 1, score
/// this much above the tag's threshold: posts plainly about the tag, not borderline ones.
pub const MEMBER_MARGIN: f32 = 0.2;

/// The most stems a builder sums per tag before it drops the lightest.
pub const MAX_ACCUMULATED: usize = 8 * PROFILE_STEMS;

/// A profile keeps only stems found in posts of at least this many sources (or of every
/// source, on a site with fewer): a feed's own boilerplate, its authors' names and its
/// podcast platforms are not what a tag is about.
pub const MIN_SOURCES: usize = 3;

/// How strongly a profile favours rare stems: sums are divided by `share^RARITY`.
const RARITY: f64 = 0.5;

/// No source yet (source ids are positive).
const NO_SOURCE: i64 = i64::MIN;

/// A tag's profile, over the stem numbers of the tagger it belongs to.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Profile {
    /// (stem number, weight), by stem number; unit length.
    pub(crate) stems: Vec<(u32, f32)>,
    /// The posts it was built from.
    pub(crate) members: u32,
}

impl Profile {
    /// The profile as saved: stems by name, heaviest first.
    pub(crate) fn from_named(named: &[(String, f32)], members: u32, table: &StemTable) -> Profile {
        let mut stems: Vec<(u32, f32)> = named
            .iter()
            .filter_map(|(stem, weight)| Some((table.id(stem)?, *weight)))
            .filter(|(_, w)| w.is_finite() && *w > 0.0)
            .collect();
        stems.sort_by_key(|(id, _)| *id);
        stems.dedup_by_key(|(id, _)| *id);
        let norm = stems.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut stems {
                *w /= norm;
            }
        }
        Profile { stems, members }
    }
}

/// The cosine of two unit vectors given as (stem number, weight) sorted by stem number.
pub(crate) fn similarity(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// What a profile adds to a score at `similarity`, with the default weights.
#[cfg(test)]
pub(crate) fn contribution(similarity: f32) -> f32 {
    PROFILE_WEIGHT * (similarity - PROFILE_CENTER)
}

/// Sums members' vectors per tag. Deterministic: the same vectors added in the same order
/// give the same profiles.
#[derive(Debug, Default)]
pub struct ProfileBuilder {
    sums: Vec<FxMap<u32, f64>>,
    members: Vec<u32>,
    /// Per stem, up to [`MIN_SOURCES`] sources whose posts have it...
    stem_sources: Vec<[i64; MIN_SOURCES]>,
    /// ...and the sources seen at all (up to [`MIN_SOURCES`]).
    sources: Vec<i64>,
}

impl ProfileBuilder {
    /// A builder for `tags` tags (a tagger's rules, by index).
    pub(crate) fn new(tags: usize) -> ProfileBuilder {
        ProfileBuilder {
            sums: (0..tags).map(|_| FxMap::default()).collect(),
            members: vec![0; tags],
            ..ProfileBuilder::default()
        }
    }

    /// Notes that a post of `source` has the stems of `vector` (every post read, member or
    /// not).
    pub(crate) fn note_source(&mut self, source: i64, vector: &[(u32, f32)]) {
        if self.sources.len() < MIN_SOURCES && !self.sources.contains(&source) {
            self.sources.push(source);
        }
        for &(stem, _) in vector {
            let at = stem as usize;
            if at >= self.stem_sources.len() {
                self.stem_sources.resize(at + 1, [NO_SOURCE; MIN_SOURCES]);
            }
            let seen = &mut self.stem_sources[at];
            if !seen.contains(&source)
                && let Some(slot) = seen.iter_mut().find(|s| **s == NO_SOURCE)
            {
                *slot = source;
            }
        }
    }

    /// Whether `stem` was seen in posts of enough sources.
    fn spread(&self, stem: u32) -> bool {
        let seen = self
            .stem_sources
            .get(stem as usize)
            .map_or(0, |s| s.iter().filter(|s| **s != NO_SOURCE).count());
        seen >= self.sources.len().min(MIN_SOURCES)
    }

    /// Adds a member of tag `rule` whose post vector is `vector`.
    pub(crate) fn add(&mut self, rule: usize, vector: &[(u32, f32)], table: &StemTable) {
        let (Some(sum), Some(members)) = (self.sums.get_mut(rule), self.members.get_mut(rule))
        else {
            return;
        };
        *members += 1;
        for &(stem, weight) in vector {
            *sum.entry(stem).or_insert(0.0) += f64::from(weight);
        }
        if sum.len() > MAX_ACCUMULATED {
            prune(sum, MAX_ACCUMULATED / 2, table);
        }
    }

    /// Each tag's profile (by rule index); `None` below [`MIN_MEMBERS`].
    #[cfg(test)]
    pub(crate) fn finish(self, table: &StemTable) -> Vec<Option<Profile>> {
        self.profiles(table, &[])
    }

    /// Each tag's profile (by rule index) from the members summed so far with people's
    /// `corrections` applied; `None` below [`MIN_MEMBERS`]. The builder is left as it is,
    /// so one builder gives the profiles with and without them.
    pub(crate) fn profiles(
        &self,
        table: &StemTable,
        corrections: &[Correction],
    ) -> Vec<Option<Profile>> {
        let mut by_rule: Vec<Vec<&Correction>> = vec![Vec::new(); self.sums.len()];
        for c in corrections {
            if let Some(list) = by_rule.get_mut(c.rule) {
                list.push(c);
            }
        }
        self.sums
            .iter()
            .zip(&self.members)
            .zip(by_rule)
            .map(|((sum, &members), corrections)| {
                let mut sum = sum.clone();
                let mut members = members;
                for c in corrections {
                    let sign = if c.joins { 1.0 } else { -1.0 };
                    members = if c.joins {
                        members + 1
                    } else {
                        members.saturating_sub(1)
                    };
                    for &(stem, weight) in &c.vector {
                        *sum.entry(stem).or_insert(0.0) += sign * f64::from(weight);
                    }
                }
                self.profile(sum, members, table)
            })
            .collect()
    }

    /// One tag's profile from its summed members.
    fn profile(
        &self,
        mut sum: FxMap<u32, f64>,
        members: u32,
        table: &StemTable,
    ) -> Option<Profile> {
        if members < MIN_MEMBERS {
            return None;
        }
        sum.retain(|stem, w| *w > 0.0 && self.spread(*stem));
        prune(&mut sum, PROFILE_STEMS, table);
        let mut stems: Vec<(u32, f64)> = sum
            .into_iter()
            .map(|(stem, w)| (stem, rare(w, stem, table)))
            .filter(|(_, w)| *w > 0.0)
            .collect();
        stems.sort_by_key(|(stem, _)| *stem);
        let norm = stems.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        if norm <= 0.0 {
            return None;
        }
        let stems = stems
            .into_iter()
            .map(|(stem, w)| (stem, (w / norm) as f32))
            .collect();
        Some(Profile { stems, members })
    }
}

/// A decision that changes a tag's members: a post people gave the tag by hand joins it,
/// one whose terms made it a member but people took the tag from leaves it.
#[derive(Debug, Clone)]
pub(crate) struct Correction {
    pub(crate) rule: usize,
    pub(crate) joins: bool,
    pub(crate) vector: Vec<(u32, f32)>,
}

/// A summed weight favouring rare stems.
fn rare(sum: f64, stem: u32, table: &StemTable) -> f64 {
    let share = table.df_of(stem) as f64 / (table.posts.max(1)) as f64;
    sum / share.max(1e-9).powf(RARITY)
}

/// Keeps the `keep` heaviest stems of `sum` (by [`rare`] weight; ties by stem number).
fn prune(sum: &mut FxMap<u32, f64>, keep: usize, table: &StemTable) {
    if sum.len() <= keep {
        return;
    }
    let mut ranked: Vec<(u32, f64)> = sum
        .iter()
        .map(|(&stem, &w)| (stem, rare(w, stem, table)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    for (stem, _) in &ranked[keep..] {
        sum.remove(stem);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CorpusStats;

    fn table() -> StemTable {
        StemTable::new(&CorpusStats {
            posts: 100,
            stems: vec![
                ("kubernet".into(), 5),
                ("cluster".into(), 10),
                ("the".into(), 40),
                ("pod".into(), 4),
            ],
        })
    }

    fn id(table: &StemTable, stem: &str) -> u32 {
        table.id(stem).expect("known stem")
    }

    #[test]
    fn similarity_is_the_dot_product_of_sorted_vectors() {
        let a = [(1, 0.6), (3, 0.8)];
        let b = [(0, 1.0), (3, 0.5)];
        assert!((similarity(&a, &b) - 0.4).abs() < 1e-6);
        assert_eq!(similarity(&a, &[]), 0.0);
    }

    #[test]
    fn a_profile_needs_members_and_favours_rare_stems() {
        let table = table();
        let mut builder = ProfileBuilder::new(2);
        let vector = |t: &StemTable| {
            let mut v = vec![
                (id(t, "kubernet"), 0.5),
                (id(t, "the"), 0.5),
                (id(t, "pod"), 0.5),
            ];
            v.sort_by_key(|x| x.0);
            v
        };
        for source in 0..MIN_MEMBERS {
            builder.note_source(i64::from(source), &vector(&table));
            builder.add(0, &vector(&table), &table);
        }
        builder.add(1, &vector(&table), &table);
        let profiles = builder.finish(&table);
        assert!(profiles[1].is_none(), "one member is not enough");
        let profile = profiles[0].clone().expect("profile");
        assert_eq!(profile.members, MIN_MEMBERS);
        let mut stems = profile.stems.clone();
        stems.sort_by(|a, b| b.1.total_cmp(&a.1));
        let names: Vec<&str> = stems.iter().map(|(s, _)| table.name(*s)).collect();
        assert_eq!(names, ["pod", "kubernet", "the"]);
        let norm: f32 = stems.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-4);
    }

    #[test]
    fn stems_of_one_source_stay_out_of_profiles() {
        let table = table();
        let mut builder = ProfileBuilder::new(1);
        let common = [(id(&table, "kubernet"), 1.0)];
        let own = [(id(&table, "pod"), 1.0)];
        for source in 1..=3 {
            builder.note_source(source, &common);
        }
        builder.note_source(1, &own);
        for _ in 0..MIN_MEMBERS {
            let mut v = vec![common[0], own[0]];
            v.sort_by_key(|x| x.0);
            builder.add(0, &v, &table);
        }
        let profile = builder.finish(&table)[0].clone().expect("profile");
        assert_eq!(profile.stems, [(id(&table, "kubernet"), 1.0)]);
    }

    #[test]
    fn decided_posts_join_and_leave_a_profile_and_leave_the_builder_as_it_was() {
        let table = table();
        let mut builder = ProfileBuilder::new(1);
        let kube = [(id(&table, "kubernet"), 1.0)];
        for source in 0..3 {
            builder.note_source(source, &kube);
            builder.note_source(source, &[(id(&table, "pod"), 1.0)]);
        }
        for _ in 1..MIN_MEMBERS {
            builder.add(0, &kube, &table);
        }
        let by_hand = [Correction {
            rule: 0,
            joins: true,
            vector: vec![(id(&table, "pod"), 1.0)],
        }];
        assert!(
            builder.profiles(&table, &[])[0].is_none(),
            "one member short"
        );
        let joined = builder.profiles(&table, &by_hand)[0]
            .clone()
            .expect("profile");
        assert_eq!(joined.members, MIN_MEMBERS);
        assert_eq!(joined.stems.len(), 2, "{joined:?}");
        assert!(builder.profiles(&table, &[])[0].is_none(), "unchanged");
        let taken_back = [
            by_hand[0].clone(),
            Correction {
                joins: false,
                ..by_hand[0].clone()
            },
        ];
        assert!(builder.profiles(&table, &taken_back)[0].is_none());
    }

    #[test]
    fn a_saved_profile_maps_onto_the_tagger_stems_it_knows() {
        let table = table();
        let named = vec![
            ("pod".to_owned(), 3.0),
            ("gone".to_owned(), 1.0),
            ("cluster".to_owned(), 4.0),
        ];
        let profile = Profile::from_named(&named, 7, &table);
        assert_eq!(profile.members, 7);
        assert_eq!(profile.stems.len(), 2);
        assert!(profile.stems.windows(2).all(|w| w[0].0 < w[1].0));
        let norm: f32 = profile.stems.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }

    #[test]
    fn contributions_change_sign_at_the_center() {
        assert!(contribution(PROFILE_CENTER + 0.1) > 0.0);
        assert!(contribution(PROFILE_CENTER - 0.1) < 0.0);
        assert_eq!(contribution(PROFILE_CENTER), 0.0);
    }
}
