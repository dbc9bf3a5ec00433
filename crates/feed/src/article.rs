//! Full text (`[[source]] full_content`): the article a post's web page holds, found by
//! readability or by the operator's CSS selector, then sanitized exactly as feed content
//! is ([`crate::sanitize_html`], relative links resolved against the page) and rendered as
//! text ([`crate::html_to_text`]). Pure: the page's bytes come from the fetcher.
//!
//! A hostile page costs bounded work: the fetcher caps its bytes, nesting deeper than the
//! sanitizer's limit is flattened before anything parses it, readability gives up past
//! [`MAX_ELEMENTS`] elements, and anything the extractor panics on is a failure like any
//! other. Scripts, styles, forms and event handlers go with the sanitizer, as in feeds.

use std::fmt;

use url::Url;

use crate::nesting::{MAX_NESTING, limit_nesting};

/// The most elements readability scores; a page with more is refused (its feed text stays).
pub const MAX_ELEMENTS: usize = 30_000;

/// How the article is found in a post's page.
#[derive(Debug, Clone)]
pub enum ArticleRule {
    /// `full_content = "readability"`: Mozilla Readability's scoring (dom_smoothie).
    Readability,
    /// `full_content = "<CSS selector>"`: every element it matches, in page order.
    Selector(Box<SelectorRule>),
}

/// A CSS selector as written and compiled.
#[derive(Debug, Clone)]
pub struct SelectorRule {
    written: String,
    compiled: scraper::Selector,
}

impl PartialEq for ArticleRule {
    fn eq(&self, other: &ArticleRule) -> bool {
        self.to_string() == other.to_string()
    }
}

impl fmt::Display for ArticleRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArticleRule::Readability => f.write_str("readability"),
            ArticleRule::Selector(rule) => f.write_str(&rule.written),
        }
    }
}

/// Why `full_content` names no rule.
#[derive(Debug, thiserror::Error)]
#[error("{written:?} is neither \"readability\" nor a CSS selector: {reason}")]
pub struct BadRule {
    pub written: String,
    pub reason: String,
}

impl ArticleRule {
    /// `"readability"`, or a CSS selector (compiled now, so a typo is a load error).
    pub fn parse(written: &str) -> Result<ArticleRule, BadRule> {
        let written = written.trim();
        if written.eq_ignore_ascii_case("readability") {
            return Ok(ArticleRule::Readability);
        }
        if written.is_empty() {
            return Err(BadRule {
                written: written.to_owned(),
                reason: "it is empty".into(),
            });
        }
        let compiled = scraper::Selector::parse(written).map_err(|error| BadRule {
            written: written.to_owned(),
            reason: error.to_string(),
        })?;
        Ok(ArticleRule::Selector(Box::new(SelectorRule {
            written: written.to_owned(),
            compiled,
        })))
    }
}

/// The article of a page, sanitized, and its text rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub html: String,
    pub text: String,
}

/// Why a page gave no article.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArticleError {
    #[error("readability found no article in the page: {0}")]
    Readability(String),
    #[error("the selector {selector:?} matches nothing in the page")]
    NoMatch { selector: String },
    #[error("the article has no text once sanitized")]
    Empty,
    #[error("extracting the article failed on this page (the extractor gave up)")]
    Panicked,
}

/// The article of the page `html` read from `page`, by `rule`; sanitized against `page`.
pub fn extract_article(
    html: &str,
    page: &Url,
    rule: &ArticleRule,
) -> Result<Article, ArticleError> {
    let html = limit_nesting(html, MAX_NESTING);
    let found = std::panic::catch_unwind(|| match rule {
        ArticleRule::Readability => by_readability(&html, page),
        ArticleRule::Selector(rule) => by_selector(&html, rule),
    })
    .map_err(|_| ArticleError::Panicked)??;
    let clean = crate::sanitize_html(&found, Some(page));
    let text = crate::html_to_text(&clean);
    if text.trim().is_empty() {
        return Err(ArticleError::Empty);
    }
    Ok(Article { html: clean, text })
}

fn by_readability(html: &str, page: &Url) -> Result<String, ArticleError> {
    let config = dom_smoothie::Config {
        max_elements_to_parse: MAX_ELEMENTS,
        ..dom_smoothie::Config::default()
    };
    let mut readability = dom_smoothie::Readability::new(html, Some(page.as_str()), Some(config))
        .map_err(|error| ArticleError::Readability(error.to_string()))?;
    let article = readability
        .parse()
        .map_err(|error| ArticleError::Readability(error.to_string()))?;
    Ok(article.content.to_string())
}

fn by_selector(html: &str, rule: &SelectorRule) -> Result<String, ArticleError> {
    let document = scraper::Html::parse_document(html);
    let found: Vec<String> = document
        .select(&rule.compiled)
        .map(|element| element.html())
        .collect();
    if found.is_empty() {
        return Err(ArticleError::NoMatch {
            selector: rule.written.clone(),
        });
    }
    Ok(found.join("\n"))
}

/// A page's text replaces the feed's only when it has at least this many times the words…
pub const LONGER_RATIO: f64 = 1.5;
/// …and at least this many words more (a 20-word summary against a 35-word teaser page
/// is no gain).
pub const LONGER_BY_WORDS: usize = 100;

/// The words of a text, as the longer-than rule counts them.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count()
}

/// Whether a page's text of `page_words` words is clearly longer than the feed's of
/// `feed_words`: at least [`LONGER_RATIO`] times the words and [`LONGER_BY_WORDS`] more.
pub fn is_clearly_longer(feed_words: usize, page_words: usize) -> bool {
    page_words as f64 >= feed_words as f64 * LONGER_RATIO
        && page_words >= feed_words + LONGER_BY_WORDS
}

#[cfg(test)]
#[path = "article_tests.rs"]
mod tests;
