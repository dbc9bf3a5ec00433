//! Keep/block rules: which posts are republished at all (`[[rule]]`, `only_tagged`).
//!
//! A rule reads a post with the same matchers as a tag (`match = word|exact|substring|regex`,
//! its `terms`), in the fields it names (title, content, author, categories, link), and
//! *matches* when any of its terms occurs there at all (a rule has no threshold). What the
//! matches decide, in this order, the first that decides being the one named:
//!
//! 1. a **block** rule that applies to the post's source and matches hides the post;
//! 2. if any **keep** rule applies to the post's source, the post must match at least one of
//!    them, else the first such keep rule hides it;
//! 3. with **`only_tagged`** (the source's, else `[moderation]`'s), a post that earns no
//!    vocabulary tag is hidden by `only_tagged`;
//! 4. otherwise the post is published (review, when the source has it, applies on top).
//!
//! A rule applies to every source unless it lists `sources` (URLs as written in
//! `[[source]]`). Matching is [`RuleSet::matches`]; deciding is the pure [`decide`], so
//! both ingest and `syndic refilter` reach the same verdict from the same facts.

use syndic_core::{Admission, FeedEntry, TagAssignment, TagOrigin};

use crate::{
    CategoryPolicy, FieldSet, MatchMode, PostText, TagRule, Tagger, TaggingSettings,
    VocabularyError, VocabularyKey,
};

/// The name a post hidden by `only_tagged` is filtered under.
pub const ONLY_TAGGED: &str = "only_tagged";

/// What a rule does to the posts it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    /// Hide the posts it matches.
    Block,
    /// Keep only the posts it (or another keep rule of the source) matches.
    Keep,
}

impl RuleAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleAction::Block => "block",
            RuleAction::Keep => "keep",
        }
    }
}

/// The parts of a post a rule reads (`fields`); by default the title and the content, as
/// for tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleFields {
    pub title: bool,
    pub content: bool,
    pub author: bool,
    pub categories: bool,
    pub link: bool,
}

impl Default for RuleFields {
    fn default() -> RuleFields {
        RuleFields {
            title: true,
            content: true,
            author: false,
            categories: false,
            link: false,
        }
    }
}

impl RuleFields {
    /// The fields named, each `title`, `content`, `author`, `categories` or `link`; an
    /// unknown name or an empty list is an error saying what to write.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<RuleFields, String> {
        let mut set = RuleFields {
            title: false,
            content: false,
            author: false,
            categories: false,
            link: false,
        };
        for name in names {
            match name.trim().to_ascii_lowercase().as_str() {
                "title" => set.title = true,
                "content" => set.content = true,
                "author" => set.author = true,
                "categories" => set.categories = true,
                "link" => set.link = true,
                other => return Err(format!("unknown field {other:?}")),
            }
        }
        if !set.any() {
            return Err("no field named".into());
        }
        Ok(set)
    }

    fn any(self) -> bool {
        self.title || self.content || self.author || self.categories || self.link
    }
}

/// One `[[rule]]`, as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterRule {
    /// Its name, or `rule N` (N counted from 1 in the file) when it has none: what a
    /// filtered post keeps.
    pub name: String,
    pub action: RuleAction,
    /// The sources it applies to (URLs as written in `[[source]]`); empty means all.
    pub sources: Vec<String>,
    pub mode: MatchMode,
    pub terms: Vec<String>,
    pub fields: RuleFields,
}

impl FilterRule {
    /// Whether the rule applies to posts of the source configured as `source`.
    pub fn applies_to(&self, source: &str) -> bool {
        self.sources.is_empty() || self.sources.iter().any(|s| s == source)
    }
}

/// What the rules read of a post.
#[derive(Debug, Clone, Copy, Default)]
pub struct FilterPost<'a> {
    pub title: &'a str,
    /// The plain text of the content, as tagging reads it.
    pub text: &'a str,
    pub author: Option<&'a str>,
    pub categories: &'a [String],
    pub link: Option<&'a str>,
    pub language: Option<&'a str>,
}

impl<'a> From<&'a FeedEntry> for FilterPost<'a> {
    /// What the rules read of an entry a feed gave (ingest).
    fn from(entry: &'a FeedEntry) -> FilterPost<'a> {
        FilterPost {
            title: &entry.title,
            text: &entry.content_text,
            author: entry.author.as_deref(),
            categories: &entry.categories,
            link: entry.link.as_deref(),
            language: entry.language.as_deref(),
        }
    }
}

/// The post's source as the rules see it.
#[derive(Debug, Clone, Copy, Default)]
pub struct FilterSource<'a> {
    /// The source's URL as written in `[[source]]` (empty for a source no longer configured:
    /// only rules without `sources` apply to it).
    pub url: &'a str,
    /// Keep only posts that earn at least one vocabulary tag.
    pub only_tagged: bool,
}

/// One rule as checked against one post, for `syndic explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCheck {
    pub rule: String,
    pub action: RuleAction,
    /// Whether the rule applies to the post's source at all.
    pub applies: bool,
    /// Whether one of its terms occurs in its fields.
    pub matched: bool,
}

/// Which of the post's fields a compiled matcher reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Title and content, each rule reading the ones it names.
    Text,
    Author,
    Categories,
    Link,
}

/// The rules compiled: one tag matcher per part of a post that any rule reads, each rule a
/// "tag" of it that applies on any mention.
pub struct RuleSet {
    rules: Vec<FilterRule>,
    /// Each matcher with, per tag of it, the index of its rule.
    matchers: Vec<(Part, Tagger, Vec<usize>)>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

impl RuleSet {
    /// Compiles `rules`, checking their names and terms as a vocabulary's (a rule's name
    /// must have a letter or digit and be its own); `language` is `[tagging] language`. An
    /// error names the rule (its index in `rules`) and key.
    pub fn compile(
        rules: Vec<FilterRule>,
        language: Option<&str>,
    ) -> Result<RuleSet, VocabularyError> {
        let settings = TaggingSettings {
            min_score: Some(0.0),
            categories: CategoryPolicy::None,
            language: language.map(str::to_owned),
        };
        // Every name once, as one vocabulary (so two rules never share a name).
        let names: Vec<TagRule> = rules
            .iter()
            .map(|r| TagRule::new(r.name.clone(), &["x"]))
            .collect();
        crate::compile(&names, &settings)?;
        let mut matchers = Vec::new();
        for part in [Part::Text, Part::Author, Part::Categories, Part::Link] {
            let mut tags = Vec::new();
            let mut owners = Vec::new();
            for (index, rule) in rules.iter().enumerate() {
                if let Some(fields) = part.fields(rule.fields) {
                    tags.push(TagRule {
                        terms: rule.terms.clone(),
                        mode: rule.mode,
                        fields,
                        min_score: Some(0.0),
                        ..TagRule::new(rule.name.clone(), &[])
                    });
                    owners.push(index);
                }
            }
            if tags.is_empty() {
                continue;
            }
            let tagger = crate::compile(&tags, &settings).map_err(|mut e| {
                e.rule = e.rule.map(|i| owners[i]);
                if e.key != VocabularyKey::Language {
                    e.key = VocabularyKey::Terms;
                }
                e
            })?;
            matchers.push((part, tagger, owners));
        }
        Ok(RuleSet { rules, matchers })
    }

    /// The rules, in the order given.
    pub fn rules(&self) -> &[FilterRule] {
        &self.rules
    }

    /// Whether there is nothing to check (no rules).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Per rule, whether one of its terms occurs in the fields it reads.
    pub fn matches(&self, post: &FilterPost<'_>) -> Vec<bool> {
        let mut matched = vec![false; self.rules.len()];
        let categories = post.categories.join("\n\n");
        for (part, tagger, owners) in &self.matchers {
            let (title, text) = match part {
                Part::Text => (post.title, post.text),
                Part::Author => ("", post.author.unwrap_or_default()),
                Part::Categories => ("", categories.as_str()),
                Part::Link => ("", post.link.unwrap_or_default()),
            };
            if title.is_empty() && text.is_empty() {
                continue;
            }
            let read = PostText {
                title,
                text,
                language: post.language,
                categories: &[],
            };
            for tag in tagger.tag(&read) {
                if let Some(index) = tagger.rule_index(&tag.tag) {
                    matched[owners[index]] = true;
                }
            }
        }
        matched
    }

    /// What the rules decide for `post` of `source`, which `tagged` says earned a
    /// vocabulary tag: [`Admission::Publish`] or [`Admission::Filter`] naming the rule.
    pub fn decide(
        &self,
        post: &FilterPost<'_>,
        source: FilterSource<'_>,
        tagged: bool,
    ) -> Admission {
        if self.rules.is_empty() {
            return decide(&[], &[], source, tagged);
        }
        decide(&self.rules, &self.matches(post), source, tagged)
    }

    /// Every rule checked against `post`, and the verdict: what `syndic explain` prints.
    pub fn explain(
        &self,
        post: &FilterPost<'_>,
        source: FilterSource<'_>,
        tagged: bool,
    ) -> (Vec<RuleCheck>, Admission) {
        let matched = self.matches(post);
        let checks = self
            .rules
            .iter()
            .zip(&matched)
            .map(|(rule, &matched)| RuleCheck {
                rule: rule.name.clone(),
                action: rule.action,
                applies: rule.applies_to(source.url),
                matched,
            })
            .collect();
        (checks, decide(&self.rules, &matched, source, tagged))
    }
}

impl Part {
    /// The tag fields this part gives a rule reading `fields`, or `None` when it reads
    /// nothing of this part.
    fn fields(self, fields: RuleFields) -> Option<FieldSet> {
        let content = FieldSet::CONTENT;
        match self {
            Part::Text => match (fields.title, fields.content) {
                (true, true) => Some(FieldSet::BOTH),
                (true, false) => Some(FieldSet::TITLE),
                (false, true) => Some(content),
                (false, false) => None,
            },
            Part::Author => fields.author.then_some(content),
            Part::Categories => fields.categories.then_some(content),
            Part::Link => fields.link.then_some(content),
        }
    }
}

/// The decision itself, from the facts: `matched[i]` says whether `rules[i]` matched the
/// post, `tagged` whether it earned a vocabulary tag. See the module's documentation for
/// the order.
pub fn decide(
    rules: &[FilterRule],
    matched: &[bool],
    source: FilterSource<'_>,
    tagged: bool,
) -> Admission {
    let applying = || {
        rules
            .iter()
            .zip(matched.iter().copied().chain(std::iter::repeat(false)))
            .filter(|(rule, _)| rule.applies_to(source.url))
    };
    let filter = |rule: &str| Admission::Filter {
        rule: rule.to_owned(),
    };
    if let Some((rule, _)) =
        applying().find(|(rule, matched)| rule.action == RuleAction::Block && *matched)
    {
        return filter(&rule.name);
    }
    let mut keeps = applying().filter(|(rule, _)| rule.action == RuleAction::Keep);
    if let Some((first, _)) = keeps.clone().next()
        && !keeps.any(|(_, matched)| matched)
    {
        return filter(&first.name);
    }
    if source.only_tagged && !tagged {
        return filter(ONLY_TAGGED);
    }
    Admission::Publish
}

/// Whether a post carrying `tags` (name and origin) earned a vocabulary tag: one of
/// `vocabulary`'s tags given by its terms, a feed category or a person; a tag every post of
/// the source gets, or a category outside the vocabulary, does not count.
pub fn earns_vocabulary_tag<'a>(
    vocabulary: &Tagger,
    tags: impl IntoIterator<Item = (&'a str, TagOrigin)>,
) -> bool {
    tags.into_iter()
        .any(|(name, origin)| origin != TagOrigin::Source && vocabulary.resolve(name).is_some())
}

/// How a post enters (or, on refilter, stands in) the store: what `filter` (when there
/// are rules) and `only_tagged` decide for it, `tagged` saying whether it earned a
/// vocabulary tag ([`earns_vocabulary_tag`]), then review on top (a post the rules keep
/// from a source under `review` is held; a filtered one stays filtered).
pub fn admission(
    filter: Option<&RuleSet>,
    post: &FilterPost<'_>,
    source: FilterSource<'_>,
    tagged: bool,
    review: bool,
) -> Admission {
    let verdict = match filter {
        Some(filter) => filter.decide(post, source, tagged),
        None => decide(&[], &[], source, tagged),
    };
    match verdict {
        Admission::Publish if review => Admission::Review,
        verdict => verdict,
    }
}

/// [`earns_vocabulary_tag`] for the tags tagging just gave a post.
pub fn earns_vocabulary_tag_of(vocabulary: &Tagger, tags: &[TagAssignment]) -> bool {
    earns_vocabulary_tag(vocabulary, tags.iter().map(|t| (t.tag.as_str(), t.origin)))
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
