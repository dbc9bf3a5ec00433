//! Saying why: every tag a post's terms or categories touch, applied or not, with each
//! term's zones, corpus weight, share of the score and a snippet, and what the profile and
//! the learned model added.

use super::{Scratch, Tagger};
use crate::post::{ProfileMatch, TermFrequency};
use crate::score::zone_counts;
use crate::verdict::{Field, TermHits};
use crate::{Explanation, PostText, TermMatch};
use syndic_core::TagOrigin;

/// Characters of context a snippet shows before the first occurrence...
const SNIPPET_BEFORE: usize = 30;
/// ...and in all.
const SNIPPET_CHARS: usize = 80;

impl Tagger {
    /// What tagging concludes about every tag the post's terms or categories touch, applied
    /// or not: score, threshold, each matched term with its zones, corpus weight, share of
    /// the score and a snippet, what the tag's profile and learned model added, and the
    /// exclude term that vetoed it. Sorted by tag name, term findings before category ones.
    pub fn explain(&self, post: &PostText<'_>) -> Vec<Explanation> {
        self.scratch(|scratch| self.explain_with(post, scratch))
    }

    /// [`explain`](Self::explain) with caller-provided working memory.
    pub fn explain_with(&self, post: &PostText<'_>, scratch: &mut Scratch) -> Vec<Explanation> {
        let (lang, verdicts) = self.evaluate(post, scratch);
        let table = &self.model().table;
        let mut out: Vec<Explanation> = Vec::new();
        for verdict in &verdicts {
            let rule = &self.rules[verdict.rule];
            let mut matches: Vec<(f32, TermMatch)> = verdict
                .includes
                .iter()
                .zip(&verdict.shares)
                .zip(&verdict.weights)
                .map(|((hits, &share), &weight)| {
                    let (field, start, end) = hits.first;
                    let text = field_text(post, field);
                    let term = &rule.effective_terms()[hits.posting.term as usize];
                    let frequency = self.term_key(hits.posting.id).and_then(|key| {
                        (table.posts > 0).then(|| TermFrequency {
                            posts: table.df(key),
                            of: table.posts,
                            weight,
                        })
                    });
                    (
                        share,
                        TermMatch {
                            term: term.clone(),
                            field: field.as_str(),
                            zones: zone_counts(hits),
                            weight: share,
                            frequency,
                            snippet: snippet(text, start, end),
                            form: hits.posting.variant.then(|| form(hits, post)),
                        },
                    )
                })
                .collect();
            matches.sort_by(|a, b| b.0.total_cmp(&a.0));
            let excluded_by = verdict
                .excluded_by
                .map(|h| rule.exclude[h.posting.term as usize].clone());
            out.push(Explanation {
                tag: rule.name.clone(),
                origin: TagOrigin::Term,
                applied: verdict.applied,
                score: verdict.score,
                min_score: verdict.min,
                literal: verdict.literal,
                profile: verdict
                    .profile
                    .map(|(similarity, contribution, members)| ProfileMatch {
                        similarity,
                        contribution,
                        members,
                    }),
                learned: verdict.learned,
                matches: matches.into_iter().map(|(_, m)| m).collect(),
                excluded_by,
                category: None,
            });
        }
        out.extend(self.categories(post, lang, self.settings.categories));
        out
    }
}

fn field_text<'p>(post: &PostText<'p>, field: Field) -> &'p str {
    match field {
        Field::Title => post.title,
        Field::Content => post.text,
    }
}

/// The word a term's first occurrence is written as in the post (for another form of the
/// term, see [`crate::family`]: `Hacked` for `hacker`).
pub(crate) fn form(hits: &TermHits, post: &PostText<'_>) -> String {
    let (field, start, end) = hits.first;
    field_text(post, field)
        .get(start..end)
        .unwrap_or_default()
        .to_owned()
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
