//! Checking a vocabulary before it is compiled, and saying which rule and which of its keys
//! is at fault, so that the configuration can point at `tag[3].aliases` rather than at the
//! whole file. One pass, one compilation: the configuration keeps the [`Tagger`] it checked.

use std::collections::HashMap;

use syndic_core::slugify;

use crate::lang;
use crate::{TagError, TagRule, Tagger, TaggingSettings};

/// The key of a rule (or of `[tagging]`) a vocabulary problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VocabularyKey {
    Name,
    Terms,
    Aliases,
    MinScore,
    /// `[tagging] language`.
    Language,
}

impl VocabularyKey {
    pub const fn as_str(self) -> &'static str {
        match self {
            VocabularyKey::Name => "name",
            VocabularyKey::Terms => "terms",
            VocabularyKey::Aliases => "aliases",
            VocabularyKey::MinScore => "min_score",
            VocabularyKey::Language => "language",
        }
    }
}

/// Why a vocabulary does not compile, and where.
#[derive(thiserror::Error, Debug)]
#[error("{error}")]
pub struct VocabularyError {
    /// The rule at fault (its index in the rules given); `None` for `[tagging]`.
    pub rule: Option<usize>,
    pub key: VocabularyKey,
    #[source]
    pub error: TagError,
}

/// Checks and compiles `rules` with `settings`, once.
pub fn compile(rules: &[TagRule], settings: &TaggingSettings) -> Result<Tagger, VocabularyError> {
    let global = |key, error| VocabularyError {
        rule: None,
        key,
        error,
    };
    if let Some(value) = settings.min_score.filter(|v| !usable_min(*v)) {
        return Err(global(
            VocabularyKey::MinScore,
            TagError::BadMinScore {
                tag: "[tagging]".into(),
                value,
            },
        ));
    }
    let default_lang = match &settings.language {
        Some(language) => Some(lang::from_tag(language).ok_or_else(|| {
            global(
                VocabularyKey::Language,
                TagError::UnknownLanguage {
                    language: language.clone(),
                },
            )
        })?),
        None => None,
    };
    for (index, rule) in rules.iter().enumerate() {
        let at = |key, error| VocabularyError {
            rule: Some(index),
            key,
            error,
        };
        if rule.name.trim().is_empty() {
            return Err(at(VocabularyKey::Name, TagError::EmptyName));
        }
        if !rule.name.chars().any(char::is_alphanumeric) {
            return Err(at(
                VocabularyKey::Name,
                TagError::NameWithoutWords {
                    name: rule.name.clone(),
                },
            ));
        }
        if let Some(value) = rule.min_score.filter(|v| !usable_min(*v)) {
            let tag = rule.name.clone();
            return Err(at(
                VocabularyKey::MinScore,
                TagError::BadMinScore { tag, value },
            ));
        }
        if rule
            .aliases
            .iter()
            .any(|a| !a.chars().any(char::is_alphanumeric))
        {
            let tag = rule.name.clone();
            return Err(at(
                VocabularyKey::Aliases,
                TagError::AliasWithoutWords { tag },
            ));
        }
    }
    let names = check_names(rules)?;
    Tagger::build(rules, settings, names, default_lang).map_err(|(index, error)| VocabularyError {
        rule: (index < rules.len()).then_some(index),
        key: VocabularyKey::Terms,
        error,
    })
}

fn usable_min(value: f32) -> bool {
    value.is_finite() && value >= 0.0
}

/// No two rules may share an archive (their slugs would collide), nor an alias. Returns the
/// slugs of names and aliases to rule indexes.
fn check_names(rules: &[TagRule]) -> Result<HashMap<String, usize>, VocabularyError> {
    let mut names: HashMap<String, usize> = HashMap::with_capacity(rules.len());
    for (index, rule) in rules.iter().enumerate() {
        let slug = slugify(&rule.name);
        if let Some(&first) = names.get(&slug) {
            return Err(VocabularyError {
                rule: Some(index),
                key: VocabularyKey::Name,
                error: TagError::DuplicateTag {
                    first: rules[first].name.clone(),
                    second: rule.name.clone(),
                    slug,
                },
            });
        }
        names.insert(slug, index);
    }
    for (index, rule) in rules.iter().enumerate() {
        for alias in &rule.aliases {
            let slug = slugify(alias);
            match names.get(&slug) {
                Some(&other) if other != index => {
                    return Err(VocabularyError {
                        rule: Some(index),
                        key: VocabularyKey::Aliases,
                        error: TagError::DuplicateAlias {
                            tag: rule.name.clone(),
                            alias: alias.clone(),
                            other: rules[other].name.clone(),
                        },
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
mod tests {
    use super::*;

    fn fails(rules: &[TagRule]) -> (Option<usize>, VocabularyKey) {
        let e = compile(rules, &TaggingSettings::default()).expect_err("refused");
        (e.rule, e.key)
    }

    #[test]
    fn problems_name_the_rule_and_key() {
        let map = TagRule::new("map", &[]);
        let bad_term = TagRule::new("cpp", &["C++"]);
        assert_eq!(
            fails(&[map.clone(), bad_term]),
            (Some(1), VocabularyKey::Terms)
        );
        let twin = TagRule::new("Map", &[]);
        assert_eq!(fails(&[map.clone(), twin]), (Some(1), VocabularyKey::Name));
        let alias = TagRule {
            aliases: vec!["map".into()],
            ..TagRule::new("maps", &[])
        };
        assert_eq!(
            fails(&[map.clone(), alias]),
            (Some(1), VocabularyKey::Aliases)
        );
        let symbols = TagRule::new("!!", &["x"]);
        assert_eq!(fails(&[symbols]), (Some(0), VocabularyKey::Name));
        let min = TagRule {
            min_score: Some(-1.0),
            ..map.clone()
        };
        assert_eq!(fails(&[min]), (Some(0), VocabularyKey::MinScore));
    }

    #[test]
    fn tagging_settings_are_checked_too() {
        let settings = TaggingSettings {
            language: Some("klingon".into()),
            ..TaggingSettings::default()
        };
        let e = compile(&[], &settings).expect_err("refused");
        assert_eq!((e.rule, e.key), (None, VocabularyKey::Language));
    }

    #[test]
    fn a_good_vocabulary_compiles_once_into_a_tagger() {
        let tagger = compile(&[TagRule::new("map", &[])], &TaggingSettings::default());
        assert_eq!(tagger.map(|t| t.rules().len()).ok(), Some(1));
    }
}
