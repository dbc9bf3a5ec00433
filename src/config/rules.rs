//! `[[rule]]`: keep/block rules that decide which posts are republished at all.
//!
//! Each key is checked here with its path (`rule[2].match`); the matchers are the tags'
//! (`match`, `terms`), compiled once by syndic-tag, which names the rule and key at fault.

use serde::Deserialize;
use syndic_fetch::Location;
use syndic_tag::{FilterRule, RuleAction, RuleFields, RuleSet, TaggingSettings};

use super::source::SourceConfig;
use super::{ConfigError, Validator, vocabulary_hint};

/// `[[rule]]` as written. Keys whose type is checked here keep their path in errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    name: Option<String>,
    action: Option<toml::Value>,
    sources: Option<Vec<String>>,
    #[serde(rename = "match")]
    mode: Option<toml::Value>,
    terms: Option<Vec<String>>,
    fields: Option<toml::Value>,
}

impl Validator<'_> {
    pub(super) fn rules(
        &self,
        raw: Vec<RawRule>,
        sources: &[SourceConfig],
        tagging: &TaggingSettings,
    ) -> Result<Vec<FilterRule>, ConfigError> {
        let mut rules = Vec::with_capacity(raw.len());
        for (i, rule) in raw.into_iter().enumerate() {
            rules.push(self.rule(&format!("rule[{}]", i + 1), i + 1, rule, sources)?);
        }
        // Names, terms and patterns: one compilation, in syndic-tag.
        if let Err(e) = RuleSet::compile(rules.clone(), tagging.language.as_deref()) {
            let key = match e.rule {
                Some(i) => format!("rule[{}].{}", i + 1, e.key.as_str()),
                None => format!("tagging.{}", e.key.as_str()),
            };
            return Err(self.error(key, e.error.to_string(), vocabulary_hint(e.key)));
        }
        Ok(rules)
    }

    fn rule(
        &self,
        key: &str,
        number: usize,
        rule: RawRule,
        sources: &[SourceConfig],
    ) -> Result<FilterRule, ConfigError> {
        let name = match rule.name.map(|n| n.trim().to_owned()) {
            None => format!("rule {number}"),
            Some(name) if name.is_empty() => {
                return Err(self.error(
                    format!("{key}.name"),
                    "the name is empty",
                    "remove `name` (the rule is then called \"rule N\") or give it a value",
                ));
            }
            Some(name) => name,
        };
        let action = match rule.action.as_ref().map(|v| (v, v.as_str())) {
            Some((_, Some("block"))) => RuleAction::Block,
            Some((_, Some("keep"))) => RuleAction::Keep,
            found => {
                let problem = match found {
                    None => "the rule has no action".to_owned(),
                    Some((value, _)) => format!("{value} is not an action"),
                };
                return Err(self.error(
                    format!("{key}.action"),
                    problem,
                    "use action = \"block\" (hide the posts it matches) or \"keep\" (keep only \
                     the posts it matches)",
                ));
            }
        };
        let terms = rule.terms.unwrap_or_default();
        if terms.is_empty() || terms.iter().any(|t| t.trim().is_empty()) {
            return Err(self.error(
                format!("{key}.terms"),
                format!("rule {name:?} has no terms or an empty term"),
                "list at least one word, phrase or pattern the rule looks for",
            ));
        }
        let mode = rule
            .mode
            .map(|value| self.match_mode(&format!("{key}.match"), &value))
            .transpose()?
            .unwrap_or_default();
        let fields = rule
            .fields
            .map(|value| self.rule_fields(&format!("{key}.fields"), &value))
            .transpose()?
            .unwrap_or_default();
        let sources = rule
            .sources
            .unwrap_or_default()
            .iter()
            .map(|url| self.rule_source(&format!("{key}.sources"), url, sources))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FilterRule {
            name,
            action,
            sources,
            mode,
            terms,
            fields,
        })
    }

    /// `fields`: a name or a list of names among the five.
    fn rule_fields(&self, key: &str, value: &toml::Value) -> Result<RuleFields, ConfigError> {
        let names: Option<Vec<&str>> = match value {
            toml::Value::String(name) => Some(vec![name.as_str()]),
            toml::Value::Array(names) => names.iter().map(toml::Value::as_str).collect(),
            _ => None,
        };
        let problem = match names.map(RuleFields::from_names) {
            Some(Ok(fields)) => return Ok(fields),
            Some(Err(problem)) => format!("{value} is not a set of fields: {problem}"),
            None => format!("{value} is not a list of field names"),
        };
        Err(self.error(
            key,
            problem,
            "use any of [\"title\", \"content\", \"author\", \"categories\", \"link\"]",
        ))
    }

    /// A source a rule names: one of the `[[source]]` entries, as its URL is written there.
    fn rule_source(
        &self,
        key: &str,
        url: &str,
        sources: &[SourceConfig],
    ) -> Result<String, ConfigError> {
        let location = Location::parse(url.trim(), self.dir).ok();
        sources
            .iter()
            .find(|s| s.url == url.trim() || location.as_ref() == Some(&s.location))
            .map(|s| s.url.clone())
            .ok_or_else(|| {
                self.error(
                    key,
                    format!("{url:?} is not the url of any [[source]]"),
                    "write a source's url exactly as its [[source]] entry does, or add that source",
                )
            })
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
