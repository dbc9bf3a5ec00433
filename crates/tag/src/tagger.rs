//! The compiled vocabulary: every term of every rule in one table per match kind, and the
//! corpus model tagging weighs them with.
//!
//! Reading a post is in [`read`] (zones, words, term hits, the post's stems), deciding in
//! [`decide`] (scores, profiles, learned models, categories) and saying why in [`explain`].

pub(crate) mod decide;
mod explain;
mod read;

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use rust_stemmers::Stemmer;
use syndic_core::slugify;

use crate::corpus::{CorpusStats, StemTable};
use crate::family::{FamilyIndex, family_key};
use crate::lang::{self, ENGLISH, LANGUAGES, Lang};
use crate::model::{CorpusModel, SavedTagModel};
use crate::regex_index::{RegexIndex, RegexIndexBuilder};
use crate::score::ScoreWeights;
use crate::substring::{Lowered, SubstringIndex, SubstringIndexBuilder};
use crate::verdict::{Hits, Posting};
use crate::word_cache::{AsciiCache, WordIds};
use crate::word_index::{FxMap, NO_ID, Norm, Tok, WordIndex, normalized_words};
use crate::zones::Span;
use crate::{
    DEFAULT_MIN_SCORE, MAX_TERM_CHARS, MatchMode, PostText, TagError, TagRule, TaggingSettings,
};

pub(crate) use read::NewStems;

/// Most tags one post gets from its feed categories.
pub(crate) const MAX_CATEGORY_TAGS: usize = 50;

/// Longest archive slug (in characters) a feed category may create under
/// `categories = "all"`; a longer "category" is a sentence, not a tag.
pub(crate) const MAX_CATEGORY_SLUG_CHARS: usize = 64;

/// Distinct words whose numbers a [`Scratch`] remembers per language; past this the cache
/// starts over (a stream of hostile posts of unique words cannot grow it without bound).
const MAX_CACHED_WORDS: usize = 65_536;

static NEXT_TAGGER_ID: AtomicU64 = AtomicU64::new(1);

/// A word-mode term kept for compiling the index of another language on demand.
#[derive(Debug)]
struct WordTerm {
    rule: usize,
    term: String,
    posting: Posting,
}

/// What one language needs: the word-mode terms stemmed in it, and the category keys.
#[derive(Debug, Default)]
struct LangIndex {
    words: WordIndex,
    /// The include terms' word families (English only; see [`crate::family`]).
    families: FamilyIndex,
    /// Normalized name, alias or term to rule index.
    categories: HashMap<String, usize>,
}

/// A vocabulary compiled for matching: every term of every rule in one table per match
/// kind (stemmed words per language, folded words, one Aho-Corasick automaton, one regex
/// set), so tagging reads a post once whatever the number of tags; and, once attached with
/// [`Tagger::with_corpus`], what the corpus and people's decisions taught it.
///
/// Immutable once built; `Send + Sync`, so share one behind an `Arc` across threads. The
/// compiled vocabulary is shared between a tagger and the ones [`with_corpus`] makes of it.
///
/// [`with_corpus`]: Tagger::with_corpus
pub struct Tagger {
    compiled: Arc<Compiled>,
    weights: ScoreWeights,
    model: Arc<CorpusModel>,
    /// Tells a [`Scratch`] whether its cached word numbers are this tagger's.
    id: u64,
}

/// The vocabulary compiled: what every tagger made of it shares (a [`Tagger`] derefs to it
/// for its rules and settings).
pub struct Compiled {
    rules: Vec<TagRule>,
    settings: TaggingSettings,
    /// Folded names and aliases to rule indexes.
    names: HashMap<String, usize>,
    /// Each rule's position in tag-name order, the order tags are reported in.
    rank: Vec<u32>,
    /// Each rule's [`min_score`](Tagger::min_score), kept apart so that deciding a tag
    /// touches no rule but the ones applied.
    min_scores: Vec<f32>,
    word_terms: Vec<WordTerm>,
    /// One index per Snowball language, compiled the first time a post needs it.
    langs: Vec<OnceLock<LangIndex>>,
    exact: WordIndex,
    substrings: Option<SubstringIndex>,
    regexes: Option<RegexIndex>,
    /// Terms and exclude terms of all rules.
    term_count: usize,
    /// Per term number: the key its document frequency is kept under (its stems in the
    /// default language, joined by spaces) for word-mode include terms.
    term_keys: Vec<Option<Box<str>>>,
    default_lang: Option<Lang>,
}

impl std::ops::Deref for Tagger {
    type Target = Compiled;

    fn deref(&self) -> &Compiled {
        &self.compiled
    }
}

/// Reusable per-thread working memory for [`Tagger::tag_with`] and the other calls that read
/// a post: buffers, and a cache from words to their numbers that makes stemming nearly free
/// on a stream of posts. Belongs to one thread; works with any tagger (it starts over when
/// handed a different one).
#[derive(Default)]
pub struct Scratch {
    tagger: u64,
    /// Per language: folded word to its numbers; short ASCII words...
    ascii: Vec<AsciiCache>,
    /// ...and the others.
    caches: Vec<FxMap<Box<str>, WordIds>>,
    words: Vec<Tok>,
    pending: Vec<read::Pending>,
    spans: Vec<Span>,
    hits: Hits,
    folded: String,
    lowered: Lowered,
    /// The last post's stems: weighted counts by corpus stem number, and the numbers seen.
    stem_counts: Vec<f32>,
    stems_seen: Vec<u32>,
    /// Stems the corpus model does not know, numbered after its own.
    new_stems: NewStems,
    /// The last post's vector over the model's stems (built on demand).
    vector: Vec<(u32, f32)>,
    vector_ready: bool,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch::default()
    }

    /// A scratch for counting a whole corpus's stems ([`Tagger::count`]): it numbers many
    /// more new stems than a tagging scratch before it stops counting new ones.
    pub fn for_counting() -> Scratch {
        let mut scratch = Scratch::default();
        scratch.new_stems.limit = read::MAX_NEW_STEMS_COUNTING;
        scratch
    }

    fn prepare(&mut self, tagger: &Tagger) {
        if self.tagger != tagger.id {
            self.tagger = tagger.id;
            self.caches.clear();
            self.ascii.clear();
            self.new_stems = NewStems {
                limit: self.new_stems.limit,
                ..NewStems::default()
            };
            self.stem_counts.clear();
            self.stems_seen.clear();
        }
        if self.ascii.len() != LANGUAGES.len() {
            self.ascii.resize_with(LANGUAGES.len(), AsciiCache::default);
        }
        if self.caches.len() != LANGUAGES.len() {
            self.caches.resize_with(LANGUAGES.len(), FxMap::default);
        }
        self.hits.reset(tagger.term_count);
        for &stem in &self.stems_seen {
            if let Some(count) = self.stem_counts.get_mut(stem as usize) {
                *count = 0.0;
            }
        }
        self.stems_seen.clear();
        self.vector_ready = false;
    }
}

impl fmt::Debug for Scratch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scratch")
            .field(
                "cached_words",
                &(self.caches.iter().map(|c| c.len()).sum::<usize>()
                    + self.ascii.iter().map(AsciiCache::len).sum::<usize>()),
            )
            .finish_non_exhaustive()
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

impl Tagger {
    /// Compiles `rules` with default [`TaggingSettings`].
    pub fn new(rules: &[TagRule]) -> Result<Tagger, TagError> {
        Tagger::with_settings(rules, &TaggingSettings::default())
    }

    /// Compiles `rules`, checking that every tag has a name of its own, usable terms and a
    /// sensible `min_score`, and that the configured language is one Snowball knows.
    /// [`crate::compile`] does the same and says which rule and key are at fault.
    pub fn with_settings(
        rules: &[TagRule],
        settings: &TaggingSettings,
    ) -> Result<Tagger, TagError> {
        crate::vocabulary::compile(rules, settings).map_err(|e| e.error)
    }

    /// The compilation proper; `crate::vocabulary` checks names and shapes first.
    pub(crate) fn build(
        rules: &[TagRule],
        settings: &TaggingSettings,
        names: HashMap<String, usize>,
        default_lang: Option<Lang>,
    ) -> Result<Tagger, (usize, TagError)> {
        let mut word_terms = Vec::new();
        let mut exact = WordIndex::default();
        let mut substrings = SubstringIndexBuilder::default();
        let mut regexes = RegexIndexBuilder::default();
        let mut next_id = 0u32;
        for (rule_index, rule) in (0..).zip(rules) {
            let at = |e: TagError| (rule_index as usize, e);
            let includes = rule.effective_terms().iter().map(|t| (t, false));
            let excludes = rule.exclude.iter().map(|t| (t, true));
            let terms = (0..).zip(includes).chain((0..).zip(excludes));
            for (term_index, (term, exclude)) in terms {
                let chars = term.chars().count();
                if chars > MAX_TERM_CHARS {
                    return Err(at(TagError::TermTooLong {
                        tag: rule.name.clone(),
                        start: term.chars().take(40).collect(),
                        chars,
                    }));
                }
                let posting = Posting {
                    rule: rule_index,
                    term: term_index,
                    exclude,
                    id: next_id,
                    fields: rule.fields,
                    variant: false,
                };
                next_id += 1;
                match rule.mode {
                    MatchMode::Word => word_terms.push(WordTerm {
                        rule: rule_index as usize,
                        term: term.clone(),
                        posting,
                    }),
                    MatchMode::Exact => exact
                        .add(&rule.name, term, posting, Norm::Fold)
                        .map_err(at)?,
                    MatchMode::Substring => {
                        substrings.add(&rule.name, term, posting).map_err(at)?
                    }
                    MatchMode::Regex => regexes.add(&rule.name, term, posting).map_err(at)?,
                }
            }
        }
        let mut by_name: Vec<usize> = (0..rules.len()).collect();
        by_name.sort_by(|&a, &b| rules[a].name.cmp(&rules[b].name));
        let mut rank = vec![0u32; rules.len()];
        for (position, &rule) in by_name.iter().enumerate() {
            rank[rule] = position as u32;
        }
        let whole = |e: TagError| (usize::MAX, e);
        let lang = default_lang.unwrap_or(ENGLISH);
        let mut compiled = Compiled {
            rules: rules.to_vec(),
            settings: settings.clone(),
            names,
            rank,
            min_scores: Vec::new(),
            word_terms,
            langs: (0..LANGUAGES.len()).map(|_| OnceLock::new()).collect(),
            exact,
            substrings: substrings.build().map_err(whole)?,
            regexes: regexes.build().map_err(whole)?,
            term_count: next_id as usize,
            term_keys: Vec::new(),
            default_lang,
        };
        compiled.min_scores = rules.iter().map(|r| compiled.min_score(r)).collect();
        compiled.term_keys = compiled.term_keys(lang);
        // Compile the usual language now: it reports bad word terms, and the first post
        // should not pay for it.
        let build = compiled.build_lang(lang).map_err(|e| {
            let index = rules.iter().position(|r| Some(r.name.as_str()) == e.tag());
            (index.unwrap_or(usize::MAX), e)
        })?;
        let _ = compiled.langs[lang].set(build);
        Ok(Tagger {
            compiled: Arc::new(compiled),
            weights: ScoreWeights::default(),
            model: Arc::default(),
            id: NEXT_TAGGER_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The same vocabulary with what the corpus says (`stats`: document frequencies) and what
    /// was learned per tag (`saved`: profiles and trained models, by tag name; tags not in
    /// the vocabulary are ignored), in place of any model this one has. Cheap: the compiled
    /// vocabulary is shared.
    pub fn with_corpus(&self, stats: &CorpusStats, saved: &[SavedTagModel]) -> Tagger {
        let table = StemTable::new(stats);
        self.with_model(CorpusModel::compile(self, table, saved))
    }

    /// The same vocabulary with `model` (compiled for it).
    pub(crate) fn with_model(&self, model: CorpusModel) -> Tagger {
        Tagger {
            compiled: Arc::clone(&self.compiled),
            weights: self.weights,
            model: Arc::new(model),
            id: NEXT_TAGGER_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The same vocabulary with no corpus model: terms weigh 1, no profiles, nothing
    /// learned (what a first ingest into an empty store has).
    pub fn without_corpus(&self) -> Tagger {
        self.with_model(CorpusModel::default())
    }

    /// The same vocabulary scored with other weights (for calibration; the defaults are
    /// what `syndic` uses).
    #[doc(hidden)]
    pub fn with_weights(mut self, weights: ScoreWeights) -> Tagger {
        self.weights = weights;
        self
    }

    /// The rule a tag name or alias means (compared by archive slug, so case and punctuation
    /// do not matter).
    pub fn resolve(&self, name: &str) -> Option<&TagRule> {
        self.rule_index(name).map(|i| &self.rules[i])
    }

    /// The index (in [`rules`](Self::rules)) of the rule a tag name or alias means.
    pub fn rule_index(&self, name: &str) -> Option<usize> {
        self.names.get(&slugify(name)).copied()
    }

    /// The settings this tagger was built with.
    pub fn settings(&self) -> &TaggingSettings {
        &self.settings
    }

    /// The rules this tagger was built from, in the order given.
    pub fn rules(&self) -> &[TagRule] {
        &self.rules
    }

    /// What the attached corpus model holds: posts counted, stems known, tags with a
    /// profile, tags with a learned model.
    pub fn corpus_summary(&self) -> CorpusSummary {
        CorpusSummary {
            posts: self.model.table.posts,
            stems: self.model.table.len(),
            profiles: self.model.profiles.iter().flatten().count(),
            learned: self.model.learned.iter().flatten().count(),
        }
    }

    pub(crate) fn model(&self) -> &CorpusModel {
        &self.model
    }

    /// Terms and exclude terms of all rules.
    pub(crate) fn term_count(&self) -> usize {
        self.term_count
    }

    pub(crate) fn term_key(&self, posting: u32) -> Option<&str> {
        self.term_keys
            .get(posting as usize)
            .and_then(|k| k.as_deref())
    }

    pub(crate) fn scratch<R>(&self, f: impl FnOnce(&mut Scratch) -> R) -> R {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => f(&mut scratch),
            Err(_) => f(&mut Scratch::new()),
        })
    }
}

/// Adds an include word term of stems `stems` to its family: a single word's own family, a
/// phrase's written together (`open source` → `opensource`).
fn add_family(
    index: &mut LangIndex,
    term: &str,
    stems: &[String],
    stemmer: &Stemmer,
    posting: Posting,
) {
    match stems {
        [stem] => {
            let own = index.words.id(stem);
            index.families.add(&family_key(stem), own, posting);
        }
        [_, _, ..] => {
            let joined: String = normalized_words(term, Norm::Fold).concat();
            index
                .families
                .add(&family_key(&stemmer.stem(&joined)), NO_ID, posting);
        }
        [] => {}
    }
}

impl Compiled {
    /// Each include word term's document-frequency key: its stems in `lang`, joined by
    /// spaces.
    fn term_keys(&self, lang: Lang) -> Vec<Option<Box<str>>> {
        let stemmer = Stemmer::create(LANGUAGES[lang].1);
        let mut keys = vec![None; self.term_count];
        for term in self.word_terms.iter().filter(|t| !t.posting.exclude) {
            let stems = normalized_words(&term.term, Norm::Stem(&stemmer));
            if let Some(slot) = keys.get_mut(term.posting.id as usize) {
                *slot = Some(stems.join(" ").into_boxed_str());
            }
        }
        keys
    }

    /// Compiles the word-mode terms for `lang`. Terms of one rule that stem alike (`game`,
    /// `games`, `gaming`) are one term: a word counts once for its tag, however many of
    /// the tag's terms it matches.
    fn build_lang(&self, lang: Lang) -> Result<LangIndex, TagError> {
        let stemmer = Stemmer::create(LANGUAGES[lang].1);
        let mut index = LangIndex::default();
        let mut seen: std::collections::HashSet<(usize, bool, Vec<String>)> = Default::default();
        for term in &self.word_terms {
            let rule = &self.rules[term.rule];
            let stems = normalized_words(&term.term, Norm::Stem(&stemmer));
            if !stems.is_empty() && !seen.insert((term.rule, term.posting.exclude, stems.clone())) {
                continue;
            }
            index
                .words
                .add(&rule.name, &term.term, term.posting, Norm::Stem(&stemmer))?;
            if lang == ENGLISH && !term.posting.exclude {
                add_family(&mut index, &term.term, &stems, &stemmer, term.posting);
            }
        }
        let key = |text: &str| normalized_words(text, Norm::Stem(&stemmer)).join(" ");
        for (i, rule) in self.rules.iter().enumerate() {
            for name in std::iter::once(&rule.name).chain(&rule.aliases) {
                index.categories.entry(key(name)).or_insert(i);
            }
        }
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.mode == MatchMode::Regex {
                continue;
            }
            for term in rule.effective_terms() {
                index.categories.entry(key(term)).or_insert(i);
            }
        }
        index.categories.remove("");
        Ok(index)
    }

    fn lang_index(&self, lang: Lang) -> &LangIndex {
        self.langs[lang].get_or_init(|| {
            // Every term compiled for the default language at construction; stemming in
            // another language cannot make a term invalid except by stemming a word to
            // nothing, in which case that term is left out for this language.
            self.build_lang(lang)
                .unwrap_or_else(|_| self.build_lang_lenient(lang))
        })
    }

    fn build_lang_lenient(&self, lang: Lang) -> LangIndex {
        let stemmer = Stemmer::create(LANGUAGES[lang].1);
        let mut index = LangIndex::default();
        for term in &self.word_terms {
            let rule = &self.rules[term.rule];
            let _ = index
                .words
                .add(&rule.name, &term.term, term.posting, Norm::Stem(&stemmer));
        }
        index
    }

    /// The language a post is stemmed in: its own, else `[tagging] language`, else a guess
    /// from its opening words, else English.
    pub(crate) fn language_of(&self, post: &PostText<'_>) -> Lang {
        post.language
            .and_then(lang::from_tag)
            .or(self.default_lang)
            .or_else(|| lang::detect(post.title, post.text))
            .unwrap_or(ENGLISH)
    }

    /// The threshold `rule` needs: its own, else (except for substring rules, which tag on
    /// any occurrence as the site we replace did) `[tagging] min_score`, else
    /// [`DEFAULT_MIN_SCORE`].
    pub fn min_score(&self, rule: &TagRule) -> f32 {
        match (rule.min_score, rule.mode, self.settings.min_score) {
            (Some(own), _, _) => own,
            (None, MatchMode::Substring, _) => 0.0,
            (None, _, Some(global)) => global,
            (None, _, None) => DEFAULT_MIN_SCORE,
        }
    }
}

/// What a tagger's corpus model holds (see [`Tagger::corpus_summary`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CorpusSummary {
    pub posts: u64,
    pub stems: usize,
    pub profiles: usize,
    pub learned: usize,
}

impl fmt::Debug for Tagger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tagger")
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "tagger_tests.rs"]
mod tests;
