//! Full-text search over post titles and texts, ranked, with highlighted snippets.
//!
//! The caller hands over what a reader typed; it never reaches the database's query
//! language as such. [`match_terms`] keeps only its words (letters and digits). On SQLite
//! [`search_expression`] writes them as quoted strings, which FTS5's `MATCH` takes as
//! words, so quotes, `*`, `:`, `^`, parentheses, `-`, `NEAR`, `AND`/`OR`/`NOT` are either
//! dropped or plain words; on PostgreSQL only the words' keys (integers, [`keys`]) reach
//! the server. All words must match; a text that tries query syntax (or SQL) is searched
//! as one literal phrase, so an injection attempt finds only a post that really contains
//! those words in that order.
//!
//! The engines only filter: their indexes say which posts hold every word (SQLite: the
//! contentless FTS5 table `posts_fts` with `detail = none`; PostgreSQL: the keys of each
//! post's words in `search_documents` with a GIN index), both stemming English, folding
//! Latin diacritics and keeping every word (no stop words); PostgreSQL's keys split and
//! stem words exactly as the ranking does, FTS5's tokenizer in its own way. The newest
//! stored
//! [`MAX_CANDIDATES`] of those posts are read, and Rust does the rest the same on both
//! engines, over their decompressed texts: phrases checked and matches ranked, a title
//! occurrence weighing [`TITLE_WEIGHT`] times a text one ([`rank`]), and snippets cut with
//! matches between [`MATCH_START`] and [`MATCH_END`] ([`snippet`]). So a search costs at
//! most [`MAX_CANDIDATES`] posts' reading whatever the store's size, and its total is a
//! lower bound when the candidates were cut ([`SearchResults::capped`]).
//!
//! The index is written in batches, not with each post: see [`index`].

use std::collections::HashMap;

use sqlx::Row;
use syndic_core::{Page, Post, SourceId, TagId};

use crate::error::QueryContext;
use crate::listing::attached;
use crate::rows::post_columns;
use crate::sql::Sql;
use crate::{Result, Store, body};

pub(crate) mod index;
pub(crate) mod keys;
mod rank;
mod snippet;

use rank::{Candidate, Ranked};
pub use rank::{MAX_CANDIDATES, TITLE_WEIGHT};

pub(crate) use index::record_pending;
pub use index::{DUE_AFTER, DUE_AFTER_POSTS};

/// Marks the start of a matched word in [`SearchHit::snippet`].
pub const MATCH_START: char = '\u{1}';
/// Marks the end of a matched word in [`SearchHit::snippet`].
pub const MATCH_END: char = '\u{2}';
/// Only this many characters of a search text are read.
pub const MAX_QUERY_CHARS: usize = 256;
/// Only this many distinct words of a search text are used.
pub const MAX_QUERY_TERMS: usize = 16;

/// What a reader searches for: words (as typed), optionally within one tag or one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// The reader's text, untrusted; see [`match_terms`] for how it is read.
    pub text: String,
    pub tag: Option<TagId>,
    pub source: Option<SourceId>,
}

/// One post that matched, with the passage of its text that shows why.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The post with its tags.
    pub post: Post,
    /// A plain-text passage of the post's text (its start when only the title matched),
    /// with matched words between [`MATCH_START`] and [`MATCH_END`]. Not escaped; the
    /// markers come from the store, but the text around them is the post's.
    pub snippet: String,
    /// Relevance: higher is better. Comparable only within one search.
    pub rank: f64,
}

/// The words of a search text: at most [`MAX_QUERY_CHARS`] characters are read, split at
/// everything that is not a Unicode letter or digit, lowercased, repeated words dropped,
/// and at most [`MAX_QUERY_TERMS`] kept. No words means no hits.
pub fn match_terms(text: &str) -> Vec<String> {
    let read: String = text.chars().take(MAX_QUERY_CHARS).collect();
    let mut terms: Vec<String> = Vec::new();
    for word in read.split(|c: char| !c.is_alphanumeric()) {
        if terms.len() == MAX_QUERY_TERMS {
            break;
        }
        let word = word.to_lowercase();
        if !word.is_empty() && !terms.contains(&word) {
            terms.push(word);
        }
    }
    terms
}

/// SQLite's candidate filter for `text`, in the syntax FTS5's `MATCH` reads as quoted
/// words: every word of every phrase once, each
/// quoted alone, all required (`"kubernetes" "tectonic"`). `None` when the text has no
/// words. The indexes keep no positions (migration 19), so a phrase's order is checked
/// afterwards, in Rust ([`rank`]), over the candidates' texts.
///
/// Terms hold only letters and digits, so no quote can end a string early; inside a
/// quoted string FTS5 reads no operators.
fn search_expression(text: &str) -> Option<String> {
    let phrases = search_phrases(text)?;
    let mut words: Vec<&String> = Vec::new();
    for word in phrases.iter().flatten() {
        if !words.contains(&word) {
            words.push(word);
        }
    }
    let quoted: Vec<String> = words.iter().map(|word| format!("\"{word}\"")).collect();
    Some(quoted.join(" "))
}

/// What a search looks for: each phrase its words, every phrase required. Plain words
/// are one-word phrases, in any order; a text that uses query syntax (see
/// [`uses_query_syntax`]) is taken literally instead: its words must appear together, in
/// order, as one phrase, so `' OR 1=1 --` looks for the words "or 1 1" side by side
/// rather than for "or" anywhere and "1" anywhere, and a quoted `"tide pools"` is the
/// phrase a reader meant.
fn search_phrases(text: &str) -> Option<Vec<Vec<String>>> {
    let terms = match_terms(text);
    if terms.is_empty() {
        return None;
    }
    if uses_query_syntax(text) {
        let read: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let words: Vec<String> = read
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .take(MAX_QUERY_TERMS)
            .map(str::to_lowercase)
            .collect();
        return Some(vec![words]);
    }
    Some(terms.into_iter().map(|term| vec![term]).collect())
}

/// Whether a search text looks like query-language or SQL syntax rather than words:
/// quotes, brackets, `*`, `:`, `^`, `=`, `;`, `|`, `\\`, a comment (`--`), a leading `-` or
/// `+`, an apostrophe that is not inside a word (`don't` is fine), or an operator word
/// (`AND`, `OR`, `NOT`, `NEAR`) in capitals.
fn uses_query_syntax(text: &str) -> bool {
    const SYNTAX: &[char] = &[
        '"', '(', ')', '[', ']', '{', '}', '<', '>', '*', ':', '^', '=', ';', '|', '\\', '`',
    ];
    let read: String = text.chars().take(MAX_QUERY_CHARS).collect();
    if read.contains(SYNTAX) || read.contains("--") {
        return true;
    }
    read.split_whitespace().any(|chunk| {
        let stray_apostrophe = chunk.char_indices().any(|(i, c)| {
            matches!(c, '\'' | '’')
                && !(chunk[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
                    && chunk[i + c.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric))
        });
        stray_apostrophe
            || chunk.starts_with(['-', '+'])
            || matches!(chunk, "AND" | "OR" | "NOT" | "NEAR")
    })
}

/// One page of what a search found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    /// The page's hits, best first.
    pub hits: Vec<SearchHit>,
    /// How many posts match in all, or, when `capped`, among the [`MAX_CANDIDATES`]
    /// newest stored posts that hold every word (then more may match: "at least").
    pub total: u64,
    /// Whether the candidates were cut at [`MAX_CANDIDATES`].
    pub capped: bool,
}

impl Store {
    /// One page of the posts matching `query`, best first (ties: newest first), each with
    /// its tags and a highlighted snippet, and how many posts match (see
    /// [`Store::search_results`] for the bound on that count).
    ///
    /// A text without words matches nothing; that is an empty result, not an error.
    pub async fn search(&self, query: &SearchQuery, page: Page) -> Result<(Vec<SearchHit>, u64)> {
        let results = self.search_results(query, page).await?;
        Ok((results.hits, results.total))
    }

    /// [`Store::search`], saying whether the count was capped. The index gives the posts
    /// holding every word, newest stored first, at most [`MAX_CANDIDATES`] of them; their
    /// texts are read, phrases checked and the matches ranked in Rust (`search/rank.rs`), so a
    /// search for a word every post holds costs the same on any store.
    pub async fn search_results(&self, query: &SearchQuery, page: Page) -> Result<SearchResults> {
        self.search_results_among(query, page, MAX_CANDIDATES).await
    }

    /// [`Store::search_results`] reading at most `most` candidates instead of
    /// [`MAX_CANDIDATES`] (the benchmarks compare caps with it).
    pub(crate) async fn search_results_among(
        &self,
        query: &SearchQuery,
        page: Page,
        most: usize,
    ) -> Result<SearchResults> {
        let Some(phrases) = search_phrases(&query.text) else {
            return Ok(SearchResults::default());
        };
        let Some(expression) = search_expression(&query.text) else {
            return Ok(SearchResults::default());
        };
        let mut candidates = self
            .search_candidates(query, (&expression, &phrases), most)
            .await?;
        let capped = candidates.len() > most;
        candidates.truncate(most);
        let ranked = body::off_async(|| rank::rank(&candidates, &phrases));
        let total = ranked.len() as u64;
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        let shown: Vec<Ranked> = ranked.into_iter().skip(offset).take(limit).collect();
        let posts = self.posts_by_ids(&shown).await?;
        let hits = posts
            .into_iter()
            .zip(&shown)
            .map(|(post, ranked)| SearchHit {
                snippet: snippet::snippet(&post.content_text, &phrases),
                post,
                rank: ranked.rank,
            })
            .collect();
        Ok(SearchResults {
            hits,
            total,
            capped,
        })
    }

    /// Up to `most` + 1 published posts (in the query's tag and source) whose index entry
    /// holds every word of the search (its `expression` and its `phrases`), newest
    /// stored first, with their texts.
    async fn search_candidates(
        &self,
        query: &SearchQuery,
        (expression, phrases): (&str, &[Vec<String>]),
        most: usize,
    ) -> Result<Vec<Candidate>> {
        let mut select = Sql::new("SELECT p.id, p.published_at, p.title, p.body");
        self.engine
            .push_search_candidates(&mut select, expression, phrases);
        push_filters(&mut select, query);
        select
            .push(self.engine.candidate_order())
            .push(" LIMIT ")
            .bind(i64::try_from(most).unwrap_or(i64::MAX).saturating_add(1));
        let rows = select.fetch_all(&self.pool, "searching posts").await?;
        let mut read = Vec::with_capacity(rows.len());
        for row in &rows {
            let columns = || -> Result<(i64, i64, String, Vec<u8>), sqlx::Error> {
                Ok((
                    row.try_get("id")?,
                    row.try_get("published_at")?,
                    row.try_get("title")?,
                    row.try_get("body")?,
                ))
            };
            read.push(columns().during("reading search candidates")?);
        }
        body::off_async(|| {
            read.into_iter()
                .map(|(id, published_at, title, blob)| {
                    Ok(Candidate {
                        id,
                        published_at,
                        title,
                        text: body::decode_text(&blob, id)?,
                    })
                })
                .collect()
        })
    }

    /// The posts `shown`, in that order.
    async fn posts_by_ids(&self, shown: &[Ranked]) -> Result<Vec<Post>> {
        if shown.is_empty() {
            return Ok(Vec::new());
        }
        // The posts with their tags and enclosures, in one statement as a page reads them.
        let mut select = Sql::new(concat!("SELECT ", post_columns!()));
        select
            .push(&attached::lists_columns(self.engine))
            .push(" FROM posts p JOIN sources s ON s.id = p.source_id WHERE p.id IN (");
        select.push_list(shown, |sql, ranked| {
            sql.bind(ranked.id);
        });
        select.push(")");
        // A page of hits: one shape per page size.
        let rows = select
            .prepared()
            .fetch_all(&self.pool, "reading search hits")
            .await?;
        let mut by_id: HashMap<i64, Post> = HashMap::with_capacity(rows.len());
        for row in &rows {
            let post = attached::post_with_lists(row)?;
            by_id.insert(post.id.0, post);
        }
        Ok(shown
            .iter()
            .filter_map(|ranked| by_id.remove(&ranked.id))
            .collect())
    }
}

/// ` AND` the post is published and in the query's tag and source (after the engine's
/// `WHERE`): a hidden post is never found.
fn push_filters(sql: &mut Sql, query: &SearchQuery) {
    sql.push(crate::listing::PUBLISHED);
    if let Some(tag) = query.tag {
        sql.push(
            " AND EXISTS (SELECT 1 FROM post_tags pt WHERE pt.post_id = p.id AND pt.tag_id = ",
        )
        .bind(tag.0)
        .push(")");
    }
    if let Some(source) = query.source {
        sql.push(" AND p.source_id = ").bind(source.0);
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod expression_tests {
    use super::*;

    #[test]
    fn search_text_becomes_quoted_words_only_each_alone() {
        let long_word = "x".repeat(300);
        let many_words: String = (1..=20).map(|n| format!("w{n} ")).collect();
        let rows: &[(&str, Option<&str>)] = &[
            ("kelp", Some(r#""kelp""#)),
            ("Kelp  Forests", Some(r#""kelp" "forests""#)),
            (r#""tide pools""#, Some(r#""tide" "pools""#)),
            ("map*", Some(r#""map""#)),
            ("title:harbor", Some(r#""title" "harbor""#)),
            ("^start", Some(r#""start""#)),
            ("NEAR(a b)", Some(r#""near" "a" "b""#)),
            ("kelp OR tide", Some(r#""kelp" "or" "tide""#)),
            ("kelp or tide", Some(r#""kelp" "or" "tide""#)),
            ("NOT kelp AND tide", Some(r#""not" "kelp" "and" "tide""#)),
            ("-kelp +tide", Some(r#""kelp" "tide""#)),
            ("kelp)", Some(r#""kelp""#)),
            (r#"un"balanced"#, Some(r#""un" "balanced""#)),
            ("'; DROP TABLE posts; --", Some(r#""drop" "table" "posts""#)),
            ("' OR 1=1 --", Some(r#""or" "1""#)),
            ("don't panic", Some(r#""don" "t" "panic""#)),
            ("grafana 4.5", Some(r#""grafana" "4" "5""#)),
            (
                "café Ünïcode 東京 42",
                Some(r#""café" "ünïcode" "東京" "42""#),
            ),
            ("map map MAP", Some(r#""map""#)),
            ("", None),
            ("   ", None),
            (r#"*"():^-+{}"#, None),
            ("\u{1}\u{2}\0", None),
        ];
        for (text, expected) in rows {
            assert_eq!(
                search_expression(text).as_deref(),
                *expected,
                "search text {text:?}"
            );
        }
        // Query syntax makes the words one phrase, checked in order over the candidates.
        let phrase = |words: &[&str]| Some(vec![words.iter().map(|w| w.to_string()).collect()]);
        assert_eq!(search_phrases("' OR 1=1 --"), phrase(&["or", "1", "1"]));
        assert_eq!(
            search_phrases(r#""tide pools""#),
            phrase(&["tide", "pools"])
        );
        assert_eq!(
            search_phrases("kelp or tide").map(|p| p.len()),
            Some(3),
            "plain words are one-word phrases"
        );
        let bounded = search_expression(&long_word).expect("one word");
        assert_eq!(bounded.len(), MAX_QUERY_CHARS + 2);
        assert_eq!(match_terms(&many_words).len(), MAX_QUERY_TERMS);
        assert_eq!(
            match_terms(&many_words).last().map(String::as_str),
            Some("w16")
        );
    }
}
