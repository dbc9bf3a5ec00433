//! Reading a post: zones, words and their numbers (one cache lookup per word), the term hits
//! of every matcher, and the post's stems (for document frequencies and its vector).

use rust_stemmers::Stemmer;

use super::{LangIndex, MAX_CACHED_WORDS, Scratch, Tagger};
use crate::corpus::{DfCounter, MAX_STEM_BYTES};
use crate::lang::{LANGUAGES, Lang};
use crate::verdict::{Field, Hits, TermHits};
use crate::word_cache::{AsciiCache, KEY_BYTES, Key, WordIds, hash, key_at, key_str};
use crate::word_index::{FxMap, NO_ID, StemId, Tok};
use crate::words::{Token, fold, tokens_into};
use crate::zones::{Span, segment};
use crate::{PostText, Zone};

/// New stems a scratch numbers before it stops counting new ones (a stream of unique junk
/// words cannot grow it without bound)...
const MAX_NEW_STEMS: usize = 1 << 17;
/// ...and a scratch made to count a whole corpus ([`Scratch::for_counting`]).
pub(crate) const MAX_NEW_STEMS_COUNTING: usize = 1 << 21;

/// How much a word counts in its post's vector, by where it is.
fn vector_weight(zone: Zone, short_item: bool) -> f32 {
    match zone {
        Zone::Title => 2.0,
        Zone::Lead | Zone::Heading => 1.5,
        Zone::Body => 1.0,
        Zone::List if short_item => 0.3,
        Zone::List => 0.6,
        Zone::Quote => 0.5,
        Zone::Boilerplate => 0.0,
    }
}

/// Stems the tagger's corpus model does not number, numbered by a scratch after the model's
/// own (so a stream of posts counts them without a string per word).
#[derive(Debug, Default)]
pub(crate) struct NewStems {
    pub(crate) ids: FxMap<Box<str>, u32>,
    pub(crate) names: Vec<Box<str>>,
    /// 0 for [`MAX_NEW_STEMS`].
    pub(crate) limit: usize,
}

impl NewStems {
    /// The number of `stem` (after the model's `known` stems), given on first sight.
    fn id(&mut self, stem: &str, known: usize) -> StemId {
        if let Some(&id) = self.ids.get(stem) {
            return id;
        }
        let limit = if self.limit == 0 {
            MAX_NEW_STEMS
        } else {
            self.limit
        };
        if self.names.len() >= limit {
            return NO_ID;
        }
        let id = (known + self.names.len()) as StemId;
        self.names.push(stem.into());
        self.ids.insert(stem.into(), id);
        id
    }

    fn name(&self, id: u32, known: usize) -> &str {
        self.names
            .get((id as usize).wrapping_sub(known))
            .map_or("", |n| n)
    }
}

/// A word of a span awaiting its lookup: byte range in the field, whether it takes the
/// ASCII fast path and if so its key and hash; `len == 0` for a skipped URL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pending {
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
    family: NO_ID,
    start: 0,
    end: 0,
    zone: Zone::Body,
    short_item: false,
};

/// One rule's findings in a post.
pub(crate) struct Finding<'h> {
    pub(crate) rule: usize,
    pub(crate) includes: Vec<&'h TermHits>,
    pub(crate) excluded_by: Option<&'h TermHits>,
}

/// The caches and buffers [`Tagger::read_words`] works in.
struct WordBuffers<'s> {
    ascii: &'s mut AsciiCache,
    cache: &'s mut FxMap<Box<str>, WordIds>,
    pending: &'s mut Vec<Pending>,
    folded: &'s mut String,
    toks: &'s mut Vec<Tok>,
    stem_counts: &'s mut Vec<f32>,
    stems_seen: &'s mut Vec<u32>,
    new_stems: &'s mut NewStems,
}

impl Tagger {
    /// Reads the post's title and content with every matcher into `scratch.hits`, and its
    /// stems into the scratch; returns the content's word count.
    pub(crate) fn scan(&self, post: &PostText<'_>, lang: Lang, scratch: &mut Scratch) -> usize {
        scratch.prepare(self);
        let words = segment(post.text, &mut scratch.spans);
        let index = self.lang_index(lang);
        let title_span = [Span {
            start: 0,
            end: post.title.len(),
            zone: Zone::Title,
            short: false,
        }];
        let Scratch {
            ascii,
            caches,
            words: toks,
            pending,
            spans,
            hits,
            folded,
            lowered,
            stem_counts,
            stems_seen,
            new_stems,
            ..
        } = scratch;
        let fields = [
            (Field::Title, post.title, &title_span[..]),
            (Field::Content, post.text, &spans[..]),
        ];
        let stemmer = Stemmer::create(LANGUAGES[lang].1);
        for (field, text, field_spans) in fields {
            let mut buffers = WordBuffers {
                ascii: &mut ascii[lang],
                cache: &mut caches[lang],
                pending: &mut *pending,
                folded: &mut *folded,
                toks: &mut *toks,
                stem_counts: &mut *stem_counts,
                stems_seen: &mut *stems_seen,
                new_stems: &mut *new_stems,
            };
            self.read_words(text, field_spans, index, &stemmer, &mut buffers);
            index.words.scan(toks, |t| t.stem, field, hits);
            index.families.scan(toks, field, hits);
            self.exact.scan(toks, |t| t.exact, field, hits);
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

    /// The numbers of the words of `text` (spans zone it; a phrase never crosses spans), and
    /// each word's weight added to its stem's count.
    ///
    /// Only words some term contains are kept as tokens: a run of other words (and skipped
    /// URLs, and span ends) becomes a single [`BREAK`], which keeps exactly the adjacencies
    /// phrases need. A span is cut into words first and its words looked up after, so that
    /// the lookups, which are mostly cache misses, overlap.
    fn read_words(
        &self,
        text: &str,
        spans: &[Span],
        index: &LangIndex,
        stemmer: &Stemmer,
        b: &mut WordBuffers<'_>,
    ) {
        b.toks.clear();
        let base = text.as_ptr() as usize;
        let bytes = text.as_bytes();
        let push_break = |toks: &mut Vec<Tok>| {
            if toks
                .last()
                .is_some_and(|t| t.stem != NO_ID || t.exact != NO_ID || t.family != NO_ID)
            {
                toks.push(BREAK);
            }
        };
        let known = self.model.table.len();
        let mut key_buf = [0u8; KEY_BYTES];
        for span in spans {
            let Some(span_text) = text.get(span.start..span.end) else {
                continue;
            };
            let weight = vector_weight(span.zone, span.short);
            b.pending.clear();
            tokens_into(span_text, b.pending, |token, is_ascii| match token {
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
            } in b.pending.iter()
            {
                if len == 0 {
                    push_break(b.toks);
                    continue;
                }
                let (from, to) = (start as usize, (start + len) as usize);
                let [stem, exact, corpus, family] = if fast {
                    match b.ascii.get_hashed(&key, hash) {
                        Some(ids) => ids,
                        None => {
                            let lower = key_str(&key, to - from, &mut key_buf);
                            let stemmed = stemmer.stem(lower);
                            let ids = [
                                index.words.id(&stemmed),
                                self.exact.id(lower),
                                self.corpus_id(&stemmed, known, b.new_stems),
                                index.families.id(&stemmed),
                            ];
                            b.ascii.insert(key, ids, MAX_CACHED_WORDS);
                            ids
                        }
                    }
                } else {
                    fold(text.get(from..to).unwrap_or_default(), b.folded);
                    match b.cache.get(b.folded.as_str()) {
                        Some(&ids) => ids,
                        None => {
                            let stemmed = stemmer.stem(b.folded);
                            let ids = [
                                index.words.id(&stemmed),
                                self.exact.id(b.folded),
                                self.corpus_id(&stemmed, known, b.new_stems),
                                index.families.id(&stemmed),
                            ];
                            if b.cache.len() >= MAX_CACHED_WORDS {
                                b.cache.clear();
                            }
                            b.cache.insert(b.folded.as_str().into(), ids);
                            ids
                        }
                    }
                };
                if corpus != NO_ID {
                    count_stem(b.stem_counts, b.stems_seen, corpus, weight);
                }
                // An acronym (`GAM`, `ORM`) is a name, not another form of a term's word.
                let family = if family != NO_ID && is_acronym(&bytes[from..to]) {
                    NO_ID
                } else {
                    family
                };
                if stem == NO_ID && exact == NO_ID && family == NO_ID {
                    push_break(b.toks);
                    continue;
                }
                b.toks.push(Tok {
                    stem,
                    exact,
                    family,
                    start,
                    end: start + len,
                    zone: span.zone,
                    short_item: span.short,
                });
            }
            push_break(b.toks);
        }
    }

    fn corpus_id(&self, stem: &str, known: usize, new_stems: &mut NewStems) -> StemId {
        if stem.len() > MAX_STEM_BYTES {
            return NO_ID;
        }
        match self.model.table.id(stem) {
            Some(id) => id,
            None => new_stems.id(stem, known),
        }
    }

    /// The findings of `hits`, one per rule with any, in tag-name order.
    pub(crate) fn findings<'h>(&self, hits: &'h Hits) -> Vec<Finding<'h>> {
        let mut by_rule: Vec<&TermHits> = hits.found.iter().collect();
        by_rule.sort_by_key(|h| {
            let p = h.posting;
            (p.rule, p.exclude, p.term, p.variant)
        });
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

    /// Counts the post `scratch` last read into `counter`: its distinct stems, and the
    /// vocabulary phrases found in it.
    pub fn count(&self, scratch: &Scratch, counter: &mut DfCounter) {
        counter.add(self.last_stems(scratch));
    }

    /// The distinct stems (and matched vocabulary phrases) of the post `scratch` last read:
    /// what ingest adds to the document frequencies.
    pub fn post_stems(&self, scratch: &Scratch) -> Vec<String> {
        let mut stems: Vec<String> = self.last_stems(scratch).map(str::to_owned).collect();
        stems.sort_unstable();
        stems.dedup();
        stems
    }

    /// [`count`](Self::count), keeping the stems this tagger's table numbers by number
    /// (what a retag counts with; see [`DfCounter::name_known`]).
    pub(crate) fn count_numbered(&self, scratch: &Scratch, counter: &mut DfCounter) {
        let known = self.model.table.len();
        let numbered = scratch
            .stems_seen
            .iter()
            .copied()
            .filter(|&id| (id as usize) < known && !self.model.table.name(id).is_empty());
        let new = scratch
            .stems_seen
            .iter()
            .filter(|&&id| id as usize >= known)
            .map(|&id| scratch.new_stems.name(id, known))
            .filter(|s| !s.is_empty());
        counter.add_numbered(numbered, new.chain(self.found_phrases(scratch)));
    }

    fn last_stems<'s>(&'s self, scratch: &'s Scratch) -> impl Iterator<Item = &'s str> + 's {
        let known = self.model.table.len();
        let words = scratch.stems_seen.iter().map(move |&id| {
            if (id as usize) < known {
                self.model.table.name(id)
            } else {
                scratch.new_stems.name(id, known)
            }
        });
        words
            .filter(|s| !s.is_empty())
            .chain(self.found_phrases(scratch))
    }

    /// The vocabulary phrases found in the post `scratch` last read, by their stems.
    fn found_phrases<'s>(&'s self, scratch: &'s Scratch) -> Vec<&'s str> {
        let mut phrases: Vec<&str> = scratch
            .hits
            .found
            .iter()
            // A phrase written as one word (see `crate::family`) is that word's, not the phrase's.
            .filter(|h| !h.posting.variant)
            .filter_map(|h| self.term_key(h.posting.id))
            .filter(|k| k.contains(' ') && k.len() <= 4 * MAX_STEM_BYTES)
            .collect();
        phrases.sort_unstable();
        phrases.dedup();
        phrases
    }
}

/// Whether a word is written in capitals only (two or more, no lowercase letter).
fn is_acronym(word: &[u8]) -> bool {
    let text = String::from_utf8_lossy(word);
    text.chars().filter(|c| c.is_uppercase()).count() >= 2 && !text.chars().any(char::is_lowercase)
}

/// Adds `weight` to `stem`'s count, noting a stem seen for the first time in this post.
fn count_stem(counts: &mut Vec<f32>, seen: &mut Vec<u32>, stem: StemId, weight: f32) {
    let at = stem as usize;
    if at >= counts.len() {
        counts.resize((at + 1).next_power_of_two(), 0.0);
    }
    if counts[at] == 0.0 {
        seen.push(stem);
        // A word of zero weight (boilerplate) still makes the stem seen in the post.
        counts[at] = f32::MIN_POSITIVE;
    }
    counts[at] += weight;
}

/// The vector of the post whose stems are `seen` with weighted `counts`, over stems of
/// inverse document frequency `idf` (see [`crate::profile`]), into `vector`.
pub(crate) fn post_vector(seen: &[u32], counts: &[f32], idf: &[f32], vector: &mut Vec<(u32, f32)>) {
    vector.clear();
    let mut norm = 0.0f32;
    for &stem in seen {
        let (Some(&count), Some(&weight)) = (counts.get(stem as usize), idf.get(stem as usize))
        else {
            continue;
        };
        if count > 0.0 && weight > 0.0 {
            let w = count.ln_1p() * weight;
            norm += w * w;
            vector.push((stem, w));
        }
    }
    let norm = norm.sqrt();
    if norm > 0.0 {
        for (_, w) in vector.iter_mut() {
            *w /= norm;
        }
    }
    vector.sort_unstable_by_key(|(stem, _)| *stem);
}
