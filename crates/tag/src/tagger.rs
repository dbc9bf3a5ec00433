//! The compiled vocabulary and the calls that tag a post.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use rust_stemmers::Stemmer;
use syndic_core::{TagAssignment, TagOrigin, slugify};

use crate::lang::{self, ENGLISH, LANGUAGES, Lang};
use crate::regex_index::{RegexIndex, RegexIndexBuilder};
use crate::score::{ScoreWeights, zone_counts};
use crate::substring::{Lowered, SubstringIndex, SubstringIndexBuilder};
use crate::verdict::{Field, Hits, Posting, TermHits};
use crate::word_cache::{AsciiCache, KEY_BYTES, Key, hash, key_at, key_str};
use crate::word_index::{FxMap, NO_ID, Norm, StemId, Tok, WordIndex, normalized_words};
use crate::words::{Token, fold, tokens_into};
use crate::zones::{Span, segment};
use crate::{
    CategoryPolicy, DEFAULT_MIN_SCORE, Explanation, MAX_TERM_CHARS, MatchMode, PostText, TagError,
    TagRule, TaggingSettings, TermMatch, Zone,
};

/// Most tags one post gets from its feed categories.
pub(crate) const MAX_CATEGORY_TAGS: usize = 50;

/// Longest archive slug (in characters) a feed category may create under
/// `categories = "all"`; a longer "category" is a sentence, not a tag.
pub(crate) const MAX_CATEGORY_SLUG_CHARS: usize = 64;

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

/// Distinct words whose numbers a [`Scratch`] remembers per language; past this the cache
/// starts over (a stream of hostile posts of unique words cannot grow it without bound).
const MAX_CACHED_WORDS: usize = 65_536;

/// Characters of context a snippet shows before the first occurrence...
const SNIPPET_BEFORE: usize = 30;
/// ...and in all.
const SNIPPET_CHARS: usize = 80;

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
    /// Normalized name, alias or term to rule index.
    categories: HashMap<String, usize>,
}

/// A vocabulary compiled for matching: every term of every rule in one table per match
/// kind (stemmed words per language, folded words, one Aho-Corasick automaton, one regex
/// set), so tagging reads a post once whatever the number of tags.
///
/// Immutable once built; `Send + Sync`, so share one behind an `Arc` across threads.
pub struct Tagger {
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
    default_lang: Option<Lang>,
    weights: ScoreWeights,
    /// Tells a [`Scratch`] whether its cached word numbers are this tagger's.
    id: u64,
}

/// Reusable per-thread working memory for [`Tagger::tag_with`] and [`Tagger::explain_with`]:
/// buffers, and a cache from words to their stem numbers that makes stemming nearly free on
/// a stream of posts. Belongs to one thread; works with any tagger (it starts over when
/// handed a different one).
#[derive(Default)]
pub struct Scratch {
    tagger: u64,
    /// Per language: folded word to (stem number, exact number); short ASCII words...
    ascii: Vec<AsciiCache>,
    /// ...and the others.
    caches: Vec<FxMap<Box<str>, (StemId, StemId)>>,
    words: Vec<Tok>,
    pending: Vec<Pending>,
    spans: Vec<Span>,
    hits: Hits,
    folded: String,
    lowered: Lowered,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch::default()
    }

    fn prepare(&mut self, tagger: &Tagger) {
        if self.tagger != tagger.id {
            self.tagger = tagger.id;
            self.caches.clear();
            self.ascii.clear();
        }
        if self.ascii.len() != LANGUAGES.len() {
            self.ascii.resize_with(LANGUAGES.len(), AsciiCache::default);
        }
        if self.caches.len() != LANGUAGES.len() {
            self.caches.resize_with(LANGUAGES.len(), FxMap::default);
        }
        self.hits.reset(tagger.term_count);
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

/// One rule's findings in a post.
struct Finding<'h> {
    rule: usize,
    includes: Vec<&'h TermHits>,
    excluded_by: Option<&'h TermHits>,
}

impl Tagger {
    /// Compiles `rules` with default [`TaggingSettings`].
    pub fn new(rules: &[TagRule]) -> Result<Tagger, TagError> {
        Tagger::with_settings(rules, &TaggingSettings::default())
    }

    /// Compiles `rules`, checking that every tag has a name of its own, usable terms and a
    /// sensible `min_score`, and that the configured language is one Snowball knows.
    pub fn with_settings(
        rules: &[TagRule],
        settings: &TaggingSettings,
    ) -> Result<Tagger, TagError> {
        let names = check_names(rules)?;
        let default_lang = match &settings.language {
            Some(language) => {
                Some(
                    lang::from_tag(language).ok_or_else(|| TagError::UnknownLanguage {
                        language: language.clone(),
                    })?,
                )
            }
            None => None,
        };
        if let Some(value) = settings.min_score.filter(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(TagError::BadMinScore {
                tag: "[tagging]".into(),
                value,
            });
        }
        let mut word_terms = Vec::new();
        let mut exact = WordIndex::default();
        let mut substrings = SubstringIndexBuilder::default();
        let mut regexes = RegexIndexBuilder::default();
        let mut next_id = 0u32;
        for (rule_index, rule) in (0..).zip(rules) {
            if let Some(value) = rule.min_score.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(TagError::BadMinScore {
                    tag: rule.name.clone(),
                    value,
                });
            }
            let includes = rule.effective_terms().iter().map(|t| (t, false));
            let excludes = rule.exclude.iter().map(|t| (t, true));
            let terms = (0..).zip(includes).chain((0..).zip(excludes));
            for (term_index, (term, exclude)) in terms {
                let chars = term.chars().count();
                if chars > MAX_TERM_CHARS {
                    return Err(TagError::TermTooLong {
                        tag: rule.name.clone(),
                        start: term.chars().take(40).collect(),
                        chars,
                    });
                }
                let posting = Posting {
                    rule: rule_index,
                    term: term_index,
                    exclude,
                    id: next_id,
                    fields: rule.fields,
                };
                next_id += 1;
                match rule.mode {
                    MatchMode::Word => word_terms.push(WordTerm {
                        rule: rule_index as usize,
                        term: term.clone(),
                        posting,
                    }),
                    MatchMode::Exact => exact.add(&rule.name, term, posting, Norm::Fold)?,
                    MatchMode::Substring => substrings.add(&rule.name, term, posting)?,
                    MatchMode::Regex => regexes.add(&rule.name, term, posting)?,
                }
            }
        }
        let mut by_name: Vec<usize> = (0..rules.len()).collect();
        by_name.sort_by(|&a, &b| rules[a].name.cmp(&rules[b].name));
        let mut rank = vec![0u32; rules.len()];
        for (position, &rule) in by_name.iter().enumerate() {
            rank[rule] = position as u32;
        }
        let mut tagger = Tagger {
            rules: rules.to_vec(),
            settings: settings.clone(),
            names,
            rank,
            min_scores: Vec::new(),
            word_terms,
            langs: (0..LANGUAGES.len()).map(|_| OnceLock::new()).collect(),
            exact,
            substrings: substrings.build()?,
            regexes: regexes.build()?,
            term_count: next_id as usize,
            default_lang,
            weights: ScoreWeights::default(),
            id: NEXT_TAGGER_ID.fetch_add(1, Ordering::Relaxed),
        };
        tagger.min_scores = tagger.rules.iter().map(|r| tagger.min_score(r)).collect();
        // Compile the usual language now: it reports bad word terms, and the first post
        // should not pay for it.
        let build = tagger.build_lang(default_lang.unwrap_or(ENGLISH))?;
        let _ = tagger.langs[default_lang.unwrap_or(ENGLISH)].set(build);
        Ok(tagger)
    }

    /// The same vocabulary scored with other weights (for calibration; the defaults are
    /// what `syndic` uses).
    #[doc(hidden)]
    pub fn with_weights(mut self, weights: ScoreWeights) -> Tagger {
        self.weights = weights;
        self
    }

    fn build_lang(&self, lang: Lang) -> Result<LangIndex, TagError> {
        let stemmer = Stemmer::create(LANGUAGES[lang].1);
        let mut index = LangIndex::default();
        for term in &self.word_terms {
            let rule = &self.rules[term.rule];
            index
                .words
                .add(&rule.name, &term.term, term.posting, Norm::Stem(&stemmer))?;
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
    fn language_of(&self, post: &PostText<'_>) -> Lang {
        post.language
            .and_then(lang::from_tag)
            .or(self.default_lang)
            .or_else(|| lang::detect(post.title, post.text))
            .unwrap_or(ENGLISH)
    }

    /// Tags the post gets from term matches (origin [`TagOrigin::Term`]) and feed categories
    /// (origin [`TagOrigin::Category`]), one per tag (a term finding wins over a category),
    /// sorted by tag name. A term assignment's detail names the matched terms with their
    /// zones and the score, e.g. `score 2.4 (min 1.0): "kubernetes" x3 in title, lead, body;
    /// "k8s" in list`; a category's says `feed category "X"`.
    ///
    /// Uses a per-thread [`Scratch`]; [`tag_with`](Self::tag_with) takes one explicitly.
    pub fn tag(&self, post: &PostText<'_>) -> Vec<TagAssignment> {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.tag_with(post, &mut scratch),
            Err(_) => self.tag_with(post, &mut Scratch::new()),
        })
    }

    /// [`tag`](Self::tag) with the feed categories read under `categories` instead of
    /// `[tagging] categories` (a source's own policy).
    pub fn tag_under(&self, post: &PostText<'_>, categories: CategoryPolicy) -> Vec<TagAssignment> {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.tag_with_policy(post, &mut scratch, categories),
            Err(_) => self.tag_with_policy(post, &mut Scratch::new(), categories),
        })
    }

    /// [`tag`](Self::tag) with caller-provided working memory, for streams of posts.
    pub fn tag_with(&self, post: &PostText<'_>, scratch: &mut Scratch) -> Vec<TagAssignment> {
        self.tag_with_policy(post, scratch, self.settings.categories)
    }

    fn tag_with_policy(
        &self,
        post: &PostText<'_>,
        scratch: &mut Scratch,
        categories: CategoryPolicy,
    ) -> Vec<TagAssignment> {
        let lang = self.language_of(post);
        let words = self.scan(post, lang, scratch);
        let findings = self.findings(&scratch.hits);
        let mut tags: Vec<TagAssignment> = Vec::new();
        for finding in &findings {
            if finding.excluded_by.is_some() || finding.includes.is_empty() {
                continue;
            }
            let min_score = self.min_scores[finding.rule];
            let (score, shares) = self.weights.score(&finding.includes, words);
            if score < min_score {
                continue;
            }
            let rule = &self.rules[finding.rule];
            tags.push(TagAssignment {
                tag: rule.name.clone(),
                origin: TagOrigin::Term,
                detail: detail(rule, &finding.includes, &shares, score, min_score),
            });
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
        tags
    }

    /// What tagging concludes about every tag the post's terms or categories touch, applied
    /// or not: score, threshold, each matched term with its zones, share of the score and a
    /// snippet, and the exclude term that vetoed it. Sorted by tag name, term findings before
    /// category ones.
    pub fn explain(&self, post: &PostText<'_>) -> Vec<Explanation> {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.explain_with(post, &mut scratch),
            Err(_) => self.explain_with(post, &mut Scratch::new()),
        })
    }

    /// [`explain`](Self::explain) with caller-provided working memory.
    pub fn explain_with(&self, post: &PostText<'_>, scratch: &mut Scratch) -> Vec<Explanation> {
        let lang = self.language_of(post);
        let words = self.scan(post, lang, scratch);
        let findings = self.findings(&scratch.hits);
        let mut out: Vec<Explanation> = Vec::new();
        for finding in &findings {
            if finding.includes.is_empty() {
                continue;
            }
            let rule = &self.rules[finding.rule];
            let min_score = self.min_score(rule);
            let (score, shares) = self.weights.score(&finding.includes, words);
            let mut matches: Vec<(f32, TermMatch)> = finding
                .includes
                .iter()
                .zip(&shares)
                .map(|(hits, &weight)| {
                    let (field, start, end) = hits.first;
                    let text = match field {
                        Field::Title => post.title,
                        Field::Content => post.text,
                    };
                    let term = &rule.effective_terms()[hits.posting.term as usize];
                    (
                        weight,
                        TermMatch {
                            term: term.clone(),
                            field: field.as_str(),
                            zones: zone_counts(hits),
                            weight,
                            snippet: snippet(text, start, end),
                        },
                    )
                })
                .collect();
            matches.sort_by(|a, b| b.0.total_cmp(&a.0));
            let excluded_by = finding
                .excluded_by
                .map(|h| rule.exclude[h.posting.term as usize].clone());
            out.push(Explanation {
                tag: rule.name.clone(),
                origin: TagOrigin::Term,
                applied: excluded_by.is_none() && score >= min_score,
                score,
                min_score,
                matches: matches.into_iter().map(|(_, m)| m).collect(),
                excluded_by,
                category: None,
            });
        }
        out.extend(self.categories(post, lang, self.settings.categories));
        out
    }

    /// Reads the post's title and content with every matcher into `scratch.hits`; returns
    /// the content's word count.
    fn scan(&self, post: &PostText<'_>, lang: Lang, scratch: &mut Scratch) -> usize {
        scratch.prepare(self);
        let words = segment(post.text, &mut scratch.spans);
        let index = self.lang_index(lang);
        let Scratch {
            ascii,
            caches,
            words: toks,
            pending,
            spans,
            hits,
            folded,
            lowered,
            ..
        } = scratch;
        let title_span = [Span {
            start: 0,
            end: post.title.len(),
            zone: Zone::Title,
            short: false,
        }];
        let fields = [
            (Field::Title, post.title, &title_span[..]),
            (Field::Content, post.text, &spans[..]),
        ];
        let has_words = !index.words.is_empty() || !self.exact.is_empty();
        if has_words {
            let stemmer = Stemmer::create(LANGUAGES[lang].1);
            let (ascii, cache) = (&mut ascii[lang], &mut caches[lang]);
            for (field, text, field_spans) in fields {
                let caches = (&mut *ascii, &mut *cache);
                let buffers = (&mut *pending, &mut *folded, &mut *toks);
                self.read_words(text, field_spans, index, &stemmer, caches, buffers);
                index.words.scan(toks, |t| t.stem, field, hits);
                self.exact.scan(toks, |t| t.exact, field, hits);
            }
        }
        if let Some(substrings) = &self.substrings {
            for (field, text, field_spans) in fields {
                substrings.scan(text, field, field_spans, lowered, hits);
            }
        }
        if let Some(regexes) = &self.regexes {
            for (field, text, field_spans) in fields {
                regexes.scan(text, field, field_spans, hits);
            }
        }
        words
    }

    /// The numbers of the words of `text` (spans zone it; a phrase never crosses spans).
    ///
    /// Only words some term contains are kept: a run of other words (and skipped URLs, and
    /// span ends) becomes a single [`BREAK`], which keeps exactly the adjacencies phrases
    /// need. A span is cut into words first and its words looked up after, so that the
    /// lookups, which are mostly cache misses, overlap.
    fn read_words(
        &self,
        text: &str,
        spans: &[Span],
        index: &LangIndex,
        stemmer: &Stemmer,
        (ascii, cache): (&mut AsciiCache, &mut FxMap<Box<str>, (StemId, StemId)>),
        (pending, folded, toks): (&mut Vec<Pending>, &mut String, &mut Vec<Tok>),
    ) {
        toks.clear();
        let base = text.as_ptr() as usize;
        let bytes = text.as_bytes();
        let push_break = |toks: &mut Vec<Tok>| {
            if toks
                .last()
                .is_some_and(|t| t.stem != NO_ID || t.exact != NO_ID)
            {
                toks.push(BREAK);
            }
        };
        let mut key_buf = [0u8; KEY_BYTES];
        for span in spans {
            let Some(span_text) = text.get(span.start..span.end) else {
                continue;
            };
            pending.clear();
            tokens_into(span_text, pending, |token, is_ascii| match token {
                Token::Word(word) => {
                    let start = word.as_ptr() as usize - base;
                    let fast = is_ascii && word.len() <= KEY_BYTES;
                    let key = if fast {
                        key_at(bytes, start, word.len())
                    } else {
                        Key::default()
                    };
                    Pending {
                        start: start as u32,
                        len: word.len() as u32,
                        fast,
                        hash: hash(&key),
                        key,
                    }
                }
                Token::Break => Pending::BREAK,
            });
            for &Pending {
                start,
                len,
                fast,
                key,
                hash,
            } in pending.iter()
            {
                if len == 0 {
                    push_break(toks);
                    continue;
                }
                let (from, to) = (start as usize, (start + len) as usize);
                let (stem, exact) = if fast {
                    match ascii.get_hashed(&key, hash) {
                        Some(ids) => ids,
                        None => {
                            let lower = key_str(&key, to - from, &mut key_buf);
                            let ids = (index.words.id(&stemmer.stem(lower)), self.exact.id(lower));
                            ascii.insert(key, ids, MAX_CACHED_WORDS);
                            ids
                        }
                    }
                } else {
                    fold(text.get(from..to).unwrap_or_default(), folded);
                    match cache.get(folded.as_str()) {
                        Some(&ids) => ids,
                        None => {
                            let ids =
                                (index.words.id(&stemmer.stem(folded)), self.exact.id(folded));
                            if cache.len() >= MAX_CACHED_WORDS {
                                cache.clear();
                            }
                            cache.insert(folded.as_str().into(), ids);
                            ids
                        }
                    }
                };
                if stem == NO_ID && exact == NO_ID {
                    push_break(toks);
                    continue;
                }
                toks.push(Tok {
                    stem,
                    exact,
                    start,
                    end: start + len,
                    zone: span.zone,
                    short_item: span.short,
                });
            }
            push_break(toks);
        }
    }

    /// The findings of `hits`, one per rule with any, in tag-name order.
    fn findings<'h>(&self, hits: &'h Hits) -> Vec<Finding<'h>> {
        let mut by_rule: Vec<&TermHits> = hits.found.iter().collect();
        by_rule.sort_by_key(|h| (h.posting.rule, h.posting.exclude, h.posting.term));
        let mut findings: Vec<Finding<'h>> = Vec::new();
        for hit in by_rule {
            let rule = hit.posting.rule as usize;
            if findings.last().is_none_or(|f| f.rule != rule) {
                findings.push(Finding {
                    rule,
                    includes: Vec::new(),
                    excluded_by: None,
                });
            }
            if let Some(finding) = findings.last_mut() {
                if hit.posting.exclude {
                    finding.excluded_by.get_or_insert(hit);
                } else {
                    finding.includes.push(hit);
                }
            }
        }
        findings.sort_by_key(|f| self.rank[f.rule]);
        findings
    }

    /// Tags the post's feed categories give under `policy` (normally `[tagging]
    /// categories`).
    fn categories(
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
            out.push(Explanation {
                tag,
                origin: TagOrigin::Category,
                applied: true,
                score: 0.0,
                min_score: 0.0,
                matches: Vec::new(),
                excluded_by: None,
                category: Some(category.clone()),
            });
        }
        out.sort_by(|a, b| a.tag.cmp(&b.tag));
        out
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

    /// The rule a tag name or alias means (compared by archive slug, so case and punctuation
    /// do not matter).
    pub fn resolve(&self, name: &str) -> Option<&TagRule> {
        self.names.get(&slugify(name)).map(|&i| &self.rules[i])
    }

    /// The settings this tagger was built with.
    pub fn settings(&self) -> &TaggingSettings {
        &self.settings
    }

    /// The rules this tagger was built from, in the order given.
    pub fn rules(&self) -> &[TagRule] {
        &self.rules
    }
}

/// A word of a span awaiting its lookup: byte range in the field, whether it takes the
/// ASCII fast path and if so its key and hash; `len == 0` for a skipped URL.
#[derive(Debug, Clone, Copy)]
struct Pending {
    start: u32,
    len: u32,
    fast: bool,
    key: Key,
    hash: u64,
}

impl Pending {
    const BREAK: Pending = Pending {
        start: 0,
        len: 0,
        fast: false,
        key: [0; KEY_BYTES / 8],
        hash: 0,
    };
}

const BREAK: Tok = Tok {
    stem: NO_ID,
    exact: NO_ID,
    start: 0,
    end: 0,
    zone: Zone::Body,
    short_item: false,
};

/// `score 2.4 (min 1.0): "kubernetes" x3 in title, lead, body; "k8s" in list`.
fn detail(
    rule: &TagRule,
    includes: &[&TermHits],
    shares: &[f32],
    score: f32,
    min_score: f32,
) -> String {
    let mut order: Vec<usize> = (0..includes.len()).collect();
    order.sort_by(|&a, &b| shares[b].total_cmp(&shares[a]));
    let mut out = format!("score {score:.1} (min {min_score:.1}): ");
    for (n, &i) in order.iter().enumerate() {
        let hits = includes[i];
        if n > 0 {
            out.push_str("; ");
        }
        let term = &rule.effective_terms()[hits.posting.term as usize];
        let zones = zone_counts(hits);
        let count: u32 = zones.iter().map(|(_, c)| c).sum();
        let _ = write!(out, "{term:?}");
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
    out
}

/// About [`SNIPPET_CHARS`] characters of `text` around `start..end`, on one line, with `…`
/// where it was cut.
fn snippet(text: &str, start: usize, end: usize) -> String {
    let (start, end) = (start.min(text.len()), end.min(text.len()));
    let before: Vec<(usize, char)> = text[..start]
        .char_indices()
        .rev()
        .take(SNIPPET_BEFORE)
        .collect();
    let from = before.last().map_or(start, |(at, _)| *at);
    let matched = text.get(start..end).map_or(0, |m| m.chars().count());
    let after = SNIPPET_CHARS.saturating_sub(before.len() + matched);
    let to = text[end..]
        .char_indices()
        .nth(after)
        .map_or(text.len(), |(at, _)| end + at);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(
        &text[from..to]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    );
    if to < text.len() {
        out.push('…');
    }
    out
}

impl fmt::Debug for Tagger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tagger")
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

/// Every rule needs a name, and no two may share an archive (their slugs would collide), nor
/// an alias. Returns the slugs of names and aliases to rule indexes.
fn check_names(rules: &[TagRule]) -> Result<HashMap<String, usize>, TagError> {
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(rules.len());
    let mut names: HashMap<String, usize> = HashMap::with_capacity(rules.len());
    for (index, rule) in rules.iter().enumerate() {
        if rule.name.trim().is_empty() {
            return Err(TagError::EmptyName);
        }
        let slug = slugify(&rule.name);
        if let Some(first) = seen.insert(slug.clone(), &rule.name) {
            return Err(TagError::DuplicateTag {
                first: first.to_owned(),
                second: rule.name.clone(),
                slug,
            });
        }
        names.insert(slug, index);
    }
    for (index, rule) in rules.iter().enumerate() {
        for alias in &rule.aliases {
            let slug = slugify(alias);
            match names.get(&slug) {
                Some(&other) if other != index => {
                    return Err(TagError::DuplicateAlias {
                        tag: rule.name.clone(),
                        alias: alias.clone(),
                        other: rules[other].name.clone(),
                    });
                }
                _ => {
                    names.insert(slug, index);
                }
            }
        }
    }
    Ok(names)
}

#[cfg(test)]
#[path = "tagger_tests.rs"]
mod tests;
