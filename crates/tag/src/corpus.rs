//! What the whole corpus says about a word: in how many of the site's posts each stem occurs
//! (its document frequency), so that a generic word needs more evidence than a rare one.
//!
//! The store keeps the counts ([`CorpusStats`]): ingest adds each new post's stems, and a
//! retag counts every post again ([`DfCounter`]) and replaces them. A stem is a word folded and
//! stemmed as tagging reads it; a vocabulary phrase is counted too, under its stems joined by
//! spaces (`machin learn`), so a phrase's weight is its own, not its words'.
//!
//! Two weights come from the counts:
//! - a vocabulary term's [`term_weight`]: how much each occurrence counts towards its tag's
//!   score, from 0.1 for a word in most posts to 1.5 for a rare one (1 for a term in one post
//!   out of twenty);
//! - a stem's inverse document frequency in post vectors ([`crate::profile`]), 0 for stems in
//!   a single post or in more than half of them (names, typos and function words tell nothing).

use std::collections::BTreeMap;

use crate::word_index::FxMap;

/// Fewer counted posts than this and frequencies mean little: every term weighs 1.
pub const MIN_CORPUS_POSTS: u64 = 50;

/// At most this many stems (the most frequent) are loaded into a tagger; rarer ones weigh as
/// stems seen once.
pub const MAX_MODEL_STEMS: usize = 262_144;

/// Stems found in fewer posts than this are not kept by the store after a retag (they weigh
/// nothing in post vectors, and a term found in one post weighs the most already).
pub const MIN_SAVED_POSTS: u64 = 2;

/// The share of posts at which a term weighs 1: rarer terms count more, commoner ones less.
pub const NEUTRAL_SHARE: f32 = 0.05;

/// The lightest and heaviest a term's occurrences can be made by its frequency.
pub const TERM_WEIGHT_RANGE: (f32, f32) = (0.1, 1.5);

pub use syndic_core::CorpusStats;

/// Stems longer than this many bytes are not counted (a run of letters that long is an
/// identifier or an encoded blob, not a word).
pub const MAX_STEM_BYTES: usize = 64;

/// How much each occurrence of a term found in `df` of `posts` posts counts: 1 at
/// [`NEUTRAL_SHARE`], more for rarer terms, less for commoner ones, within
/// [`TERM_WEIGHT_RANGE`]; 1 while the corpus is smaller than [`MIN_CORPUS_POSTS`].
pub fn term_weight(df: u64, posts: u64) -> f32 {
    if posts < MIN_CORPUS_POSTS {
        return 1.0;
    }
    let idf = ((posts as f64 + 1.0) / (df as f64 + 1.0)).ln() as f32;
    let neutral = (1.0 / NEUTRAL_SHARE).ln();
    (idf / neutral).clamp(TERM_WEIGHT_RANGE.0, TERM_WEIGHT_RANGE.1)
}

/// A stem's weight in a post vector: `ln(posts / df)` when it occurs in at least two posts and
/// at most half of them, else 0.
pub(crate) fn vector_idf(df: u64, posts: u64) -> f32 {
    if df < 2 || df * 2 > posts {
        return 0.0;
    }
    (posts as f64 / df as f64).ln() as f32
}

/// The stems a tagger numbers, with their frequencies: the loaded [`CorpusStats`] (at most
/// [`MAX_MODEL_STEMS`], most frequent first).
#[derive(Debug, Clone, Default)]
pub(crate) struct StemTable {
    pub(crate) posts: u64,
    ids: FxMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    df: Vec<u32>,
    /// [`vector_idf`] of each stem.
    pub(crate) idf: Vec<f32>,
}

impl StemTable {
    pub(crate) fn new(stats: &CorpusStats) -> StemTable {
        let mut stems: Vec<&(String, u64)> = stats.stems.iter().filter(|(_, n)| *n > 0).collect();
        stems.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        stems.truncate(MAX_MODEL_STEMS);
        let mut table = StemTable {
            posts: stats.posts,
            ..StemTable::default()
        };
        for (stem, df) in stems {
            let id = table.names.len() as u32;
            if table.ids.insert(stem.as_str().into(), id).is_none() {
                table.names.push(stem.as_str().into());
                table.df.push(u32::try_from(*df).unwrap_or(u32::MAX));
                table.idf.push(vector_idf(*df, stats.posts));
            }
        }
        table
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn id(&self, stem: &str) -> Option<u32> {
        self.ids.get(stem).copied()
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |n| n)
    }

    /// The posts `stem` occurs in (0 when unknown).
    pub(crate) fn df(&self, stem: &str) -> u64 {
        self.id(stem).map_or(0, |id| self.df_of(id))
    }

    /// The posts the stem numbered `id` occurs in.
    pub(crate) fn df_of(&self, id: u32) -> u64 {
        self.df.get(id as usize).map_or(0, |&n| u64::from(n))
    }
}

/// Document frequencies counted over a stream of posts: [`crate::Tagger::count`] adds the
/// post a [`crate::Scratch`] last read. Counters of several threads [`merge`](Self::merge).
#[derive(Debug, Default)]
pub struct DfCounter {
    posts: u64,
    stems: FxMap<Box<str>, u64>,
    /// Counts of the stems a tagger's [`StemTable`] numbers, by number (no string hashed
    /// per stem and post on the retag's hot path); named by [`Self::name_known`].
    known: Vec<u64>,
}

impl DfCounter {
    pub fn new() -> DfCounter {
        DfCounter::default()
    }

    /// Counts one post whose distinct stems are `stems`.
    pub(crate) fn add<'a>(&mut self, stems: impl IntoIterator<Item = &'a str>) {
        self.posts += 1;
        for stem in stems {
            match self.stems.get_mut(stem) {
                Some(n) => *n += 1,
                None => {
                    self.stems.insert(stem.into(), 1);
                }
            }
        }
    }

    /// Counts one post whose distinct stems are `known` (numbers of a tagger's table) and
    /// `others` (by name).
    pub(crate) fn add_numbered<'a>(
        &mut self,
        known: impl IntoIterator<Item = u32>,
        others: impl IntoIterator<Item = &'a str>,
    ) {
        for id in known {
            let at = id as usize;
            if at >= self.known.len() {
                self.known.resize(at + 1, 0);
            }
            self.known[at] += 1;
        }
        self.add(others);
    }

    /// Moves the counts kept by number to their names in `table` (the table of the tagger
    /// that counted them).
    pub(crate) fn name_known(&mut self, table: &StemTable) {
        for (id, n) in std::mem::take(&mut self.known).into_iter().enumerate() {
            if n > 0 {
                *self.stems.entry(table.name(id as u32).into()).or_insert(0) += n;
            }
        }
    }

    /// Posts counted so far.
    pub fn posts(&self) -> u64 {
        self.posts
    }

    pub fn merge(&mut self, other: DfCounter) {
        self.posts += other.posts;
        if self.known.len() < other.known.len() {
            self.known.resize(other.known.len(), 0);
        }
        for (mine, theirs) in self.known.iter_mut().zip(other.known) {
            *mine += theirs;
        }
        for (stem, n) in other.stems {
            *self.stems.entry(stem).or_insert(0) += n;
        }
    }

    /// The counts, stems in byte order (so the same posts always give the same list).
    /// Counts a retag kept by stem number are named before this.
    pub fn finish(self) -> CorpusStats {
        debug_assert!(
            self.known.iter().all(|&n| n == 0),
            "numbered counts not named"
        );
        let sorted: BTreeMap<Box<str>, u64> = self.stems.into_iter().collect();
        CorpusStats {
            posts: self.posts,
            stems: sorted
                .into_iter()
                .map(|(stem, n)| (stem.into_string(), n))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_terms_weigh_more_than_common_ones() {
        let posts = 10_000;
        assert!(
            (term_weight(500, posts) - 1.0).abs() < 0.01,
            "one in twenty is neutral"
        );
        assert!(term_weight(20, posts) > 1.4);
        assert!(term_weight(3_000, posts) < 0.5);
        assert_eq!(term_weight(9_999, posts), TERM_WEIGHT_RANGE.0);
        assert_eq!(term_weight(0, posts), TERM_WEIGHT_RANGE.1);
    }

    #[test]
    fn a_small_corpus_weighs_every_term_alike() {
        assert_eq!(term_weight(40, 49), 1.0);
        assert_eq!(term_weight(0, 0), 1.0);
    }

    #[test]
    fn vectors_ignore_stems_of_one_post_or_most_posts() {
        assert_eq!(vector_idf(1, 100), 0.0);
        assert_eq!(vector_idf(51, 100), 0.0);
        assert!(vector_idf(2, 100) > vector_idf(50, 100));
        assert!(vector_idf(50, 100) > 0.0);
    }

    #[test]
    fn counters_merge_and_finish_in_stem_order() {
        let mut a = DfCounter::new();
        a.add(["map", "rust"]);
        let mut b = DfCounter::new();
        b.add(["map"]);
        b.add(["zebra", "map"]);
        a.merge(b);
        let stats = a.finish();
        assert_eq!(stats.posts, 3);
        assert_eq!(
            stats.stems,
            [("map".into(), 3), ("rust".into(), 1), ("zebra".into(), 1)]
        );
    }

    #[test]
    fn counts_kept_by_number_are_named_by_the_table() {
        let table = StemTable::new(&CorpusStats {
            posts: 10,
            stems: vec![("map".into(), 6), ("rust".into(), 2)],
        });
        let (map, rust) = (
            table.id("map").expect("map"),
            table.id("rust").expect("rust"),
        );
        let mut a = DfCounter::new();
        a.add_numbered([map], ["zebra"]);
        let mut b = DfCounter::new();
        b.add_numbered([map, rust], []);
        b.add(["map"]);
        a.merge(b);
        a.name_known(&table);
        let stats = a.finish();
        assert_eq!(stats.posts, 3);
        assert_eq!(
            stats.stems,
            [("map".into(), 3), ("rust".into(), 1), ("zebra".into(), 1)]
        );
    }

    #[test]
    fn the_table_keeps_the_most_frequent_stems_and_answers_by_name() {
        let stats = CorpusStats {
            posts: 10,
            stems: vec![("b".into(), 2), ("a".into(), 6), ("z".into(), 0)],
        };
        let table = StemTable::new(&stats);
        assert_eq!(table.len(), 2);
        assert_eq!(table.id("a"), Some(0));
        assert_eq!(table.name(1), "b");
        assert_eq!(table.df("b"), 2);
        assert_eq!(table.df("z"), 0);
        assert_eq!(table.idf[0], 0.0, "in more than half the posts");
        assert!(table.idf[1] > 0.0);
    }
}
