//! The configuration file: read once at start-up, validated into typed values.
//!
//! Precedence: defaults < `syndic.toml` < `SYNDIC_*` environment < command-line flags.
//! Any problem is a [`ConfigError`] naming the file, the key and what to do; the binary
//! exits with code 2 on it.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

mod admin;
mod database;
mod duration;
pub mod edit;
mod fetch;
mod full_content;
mod media;
mod moderation;
mod rules;
mod server;
mod site;
mod source;
mod websub;
pub use fetch::FetchConfig;
pub use media::MediaConfig;
pub use server::ServerConfig;
pub use source::SourceConfig;
use syndic_tag::{
    CategoryPolicy, FieldSet, MatchMode, TagRule, Tagger, TaggingSettings, VocabularyKey,
};

/// The starter file `syndic init` writes.
pub const EXAMPLE: &str = include_str!("../syndic.example.toml");

/// A configuration problem: which file, which key, what is wrong and how to fix it.
#[derive(Debug)]
pub struct ConfigError {
    pub file: PathBuf,
    pub key: String,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration in {}", self.file.display())?;
        if !self.key.is_empty() {
            write!(f, ", at {}", self.key)?;
        }
        write!(f, ": {}", self.problem)?;
        if !self.fix.is_empty() {
            write!(f, "\n  to fix: {}", self.fix)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub site: syndic_web::Site,
    pub database: Database,
    /// `[database] pool_size` and `statement_timeout`.
    pub store_options: syndic_store::StoreOptions,
    pub listen: SocketAddr,
    /// `[server]` but its address: page cache and the bounds on connections and requests.
    pub server: ServerConfig,
    pub sources: Vec<SourceConfig>,
    pub tags: Vec<TagRule>,
    /// `[[rule]]`: keep/block rules, in the file's order (checked: they compile).
    pub rules: Vec<syndic_tag::FilterRule>,
    /// `[tagging]`: the global threshold, feed categories, default language.
    pub tagging: TaggingSettings,
    pub fetch: FetchConfig,
    /// `[admin]`: the admin's password hash and API token; `None` keeps it off.
    pub admin: Option<syndic_web::AdminSettings>,
    /// `[media]`: local copies of posts' images.
    pub media: MediaConfig,
}

/// Where posts are stored.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A database file (a `sqlite:` URL), resolved against the configuration's folder.
    File(PathBuf),
    /// A server (`postgres://…`) or an in-memory database, handed to the store as is.
    Url(String),
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::File(path) => f.debug_tuple("File").field(path).finish(),
            // A server URL may carry a password: never print it.
            Database::Url(url) => f
                .debug_tuple("Url")
                .field(&syndic_store::redact(url))
                .finish(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    site: site::RawSite,
    #[serde(default)]
    database: database::RawDatabase,
    #[serde(default)]
    server: server::RawServer,
    #[serde(default)]
    source: Vec<source::RawSource>,
    #[serde(default)]
    tag: Vec<RawTag>,
    #[serde(default)]
    tagging: RawTagging,
    #[serde(default)]
    fetch: fetch::RawFetch,
    #[serde(default)]
    websub: websub::RawWebsub,
    #[serde(default)]
    admin: admin::RawAdmin,
    #[serde(default)]
    moderation: moderation::RawModeration,
    #[serde(default)]
    rule: Vec<rules::RawRule>,
    #[serde(default)]
    media: media::RawMedia,
}

/// Values whose type is checked here rather than by serde keep their key path in errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTag {
    name: Option<String>,
    terms: Option<Vec<String>>,
    #[serde(rename = "match")]
    mode: Option<toml::Value>,
    #[serde(default)]
    exclude: Vec<String>,
    fields: Option<toml::Value>,
    min_score: Option<toml::Value>,
    #[serde(default)]
    aliases: Vec<String>,
    description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTagging {
    min_score: Option<toml::Value>,
    categories: Option<toml::Value>,
    language: Option<String>,
}

/// Overrides from the environment and the command line.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub database_url: Option<String>,
    pub listen: Option<String>,
}

impl Config {
    /// Reads and validates the file at `path`; an empty file (white space only) is refused.
    pub fn load(path: &Path, overrides: &Overrides) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            let fix = if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "run `syndic init` to write a starter file at {}, or pass --config PATH",
                    path.display()
                )
            } else {
                "check the path and its permissions".into()
            };
            ConfigError {
                file: path.to_path_buf(),
                key: String::new(),
                problem: format!("cannot read it: {e}"),
                fix,
            }
        })?;
        if text.trim().is_empty() {
            // Far more often a truncated or mistaken file than a wish for every default.
            return Err(ConfigError {
                file: path.to_path_buf(),
                key: String::new(),
                problem: "the file is empty".to_owned(),
                fix: format!(
                    "run `syndic init --force --config {}` to write the starter file there, or \
                     write at least one setting (a comment will do to run on the defaults)",
                    path.display()
                ),
            });
        }
        Self::parse(&text, path, overrides)
    }

    /// Validates `text` as if read from `path` (relative paths resolve against its folder).
    pub fn parse(text: &str, path: &Path, overrides: &Overrides) -> Result<Config, ConfigError> {
        Self::parse_with_env(text, path, overrides, &|name| std::env::var(name).ok())
    }

    /// [`Config::parse`], reading `"env:NAME"` values and `password_env` through `env`
    /// instead of the process's environment.
    pub fn parse_with_env(
        text: &str,
        path: &Path,
        overrides: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| syntax_error(path, text, &e))?;
        Validator {
            file: path,
            dir: path.parent().unwrap_or(Path::new(".")),
            env,
        }
        .validate(raw, overrides)
    }

    /// The compiled vocabulary with the `[tagging]` settings (validation already compiled
    /// it once, so this succeeds).
    pub fn tagger(&self) -> Result<Tagger, syndic_tag::VocabularyError> {
        syndic_tag::compile(&self.tags, &self.tagging)
    }

    /// The compiled `[[rule]]`s (validation already compiled them once, so this succeeds).
    pub fn rule_set(&self) -> Result<syndic_tag::RuleSet, syndic_tag::VocabularyError> {
        syndic_tag::RuleSet::compile(self.rules.clone(), self.tagging.language.as_deref())
    }
}

struct Validator<'a> {
    file: &'a Path,
    dir: &'a Path,
    /// Where `"env:NAME"` values are read (the process's environment, but in tests).
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Validator<'_> {
    fn error(
        &self,
        key: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            file: self.file.to_path_buf(),
            key: key.into(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    fn validate(&self, raw: RawConfig, overrides: &Overrides) -> Result<Config, ConfigError> {
        let keep_revisions = self.keep_revisions(raw.site.keep_revisions.as_ref())?;
        let mut site = self.site(raw.site)?;
        site.hubs = self.websub(raw.websub)?;
        let database = self.database(
            overrides
                .database_url
                .clone()
                .or_else(|| raw.database.url.clone()),
        )?;
        let (listen, server) = self.server(raw.server, overrides.listen.clone())?;
        let store_options = syndic_store::StoreOptions {
            keep_revisions,
            ..self.store_options(&raw.database, server.requests.search_concurrency)?
        };
        let moderation = self.moderation(&raw.moderation)?;
        let sources = self.sources(raw.source, &moderation)?;
        let tagging = self.tagging(raw.tagging)?;
        let tags = self.tags(raw.tag, &tagging)?;
        let rules = self.rules(raw.rule, &sources, &tagging)?;
        let fetch = self.fetch(raw.fetch)?;
        let media = self.media(raw.media, &database)?;
        site.local_media = media.cache;
        // The only read of the environment after start-up's overrides: the API's token.
        let admin = self.admin(raw.admin)?;
        Ok(Config {
            path: self.file.to_path_buf(),
            site,
            database,
            store_options,
            listen,
            server,
            sources,
            tags,
            rules,
            tagging,
            fetch,
            admin,
            media,
        })
    }

    fn tagging(&self, raw: RawTagging) -> Result<TaggingSettings, ConfigError> {
        let min_score = raw
            .min_score
            .map(|v| self.min_score("tagging.min_score", &v))
            .transpose()?;
        let categories = match raw.categories {
            None => CategoryPolicy::default(),
            Some(value) => self.category_policy("tagging.categories", &value)?,
        };
        let language = raw.language.map(|l| l.trim().to_owned());
        let settings = TaggingSettings {
            min_score,
            categories,
            language,
        };
        Ok(settings)
    }

    /// A category policy, at `key`.
    fn category_policy(
        &self,
        key: &str,
        value: &toml::Value,
    ) -> Result<CategoryPolicy, ConfigError> {
        match value.as_str() {
            Some("vocabulary") => Ok(CategoryPolicy::Vocabulary),
            Some("all") => Ok(CategoryPolicy::All),
            Some("none") => Ok(CategoryPolicy::None),
            _ => Err(self.error(
                key,
                format!("{value} is not a category policy"),
                "use \"vocabulary\" (categories naming a tag), \"all\" (every category \
                 becomes a tag) or \"none\"",
            )),
        }
    }

    /// A match mode (`[[tag]]` and `[[rule]]` `match`), at `key`.
    fn match_mode(&self, key: &str, value: &toml::Value) -> Result<MatchMode, ConfigError> {
        match value.as_str() {
            Some("word") => Ok(MatchMode::Word),
            Some("exact") => Ok(MatchMode::Exact),
            Some("substring") => Ok(MatchMode::Substring),
            Some("regex") => Ok(MatchMode::Regex),
            _ => Err(self.error(
                key,
                format!("{value} is not a match mode"),
                "use \"word\" (stemmed whole words, the default), \"exact\" (whole words as \
                 written), \"substring\" or \"regex\"",
            )),
        }
    }

    /// A threshold: a number from 0 upwards.
    fn min_score(&self, key: &str, value: &toml::Value) -> Result<f32, ConfigError> {
        let number = match value {
            toml::Value::Integer(n) => Some(*n as f64),
            toml::Value::Float(f) => Some(*f),
            _ => None,
        };
        number
            .filter(|n| n.is_finite() && *n >= 0.0 && *n <= f64::from(f32::MAX))
            .map(|n| n as f32)
            .ok_or_else(|| {
                self.error(
                    key,
                    format!("{value} is not a usable threshold"),
                    format!(
                        "use a number from 0 upwards: 0 tags on any mention, {} is the default, \
                         higher asks for more evidence",
                        syndic_tag::DEFAULT_MIN_SCORE
                    ),
                )
            })
    }

    fn tags(
        &self,
        raw: Vec<RawTag>,
        settings: &TaggingSettings,
    ) -> Result<Vec<TagRule>, ConfigError> {
        let mut rules: Vec<TagRule> = Vec::with_capacity(raw.len());
        for (i, tag) in raw.into_iter().enumerate() {
            let key = format!("tag[{}]", i + 1);
            let name = tag
                .name
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .ok_or_else(|| {
                    self.error(
                        format!("{key}.name"),
                        "the tag has no name",
                        "add name = \"…\" to this [[tag]]",
                    )
                })?;
            let terms = tag.terms.unwrap_or_else(|| vec![name.clone()]);
            if terms.is_empty()
                || terms
                    .iter()
                    .chain(&tag.exclude)
                    .any(|t| t.trim().is_empty())
            {
                return Err(self.error(
                    format!("{key}.terms"),
                    format!("tag {name:?} has an empty term list or an empty term"),
                    "list at least one word or phrase, or drop `terms` to use the name",
                ));
            }
            let mode = tag
                .mode
                .map(|value| self.match_mode(&format!("{key}.match"), &value))
                .transpose()?
                .unwrap_or_default();
            let fields = match tag.fields {
                None => FieldSet::default(),
                Some(value) => {
                    let text = value.to_string();
                    FieldSet::deserialize(value).map_err(|e| {
                        self.error(
                            format!("{key}.fields"),
                            format!("{text} is not a set of fields: {}", e.message().trim()),
                            "use \"title\", \"content\" or [\"title\", \"content\"]",
                        )
                    })?
                }
            };
            let min_score = tag
                .min_score
                .map(|v| self.min_score(&format!("{key}.min_score"), &v))
                .transpose()?;
            let description = tag
                .description
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty());
            let rule = TagRule {
                name,
                terms,
                mode,
                exclude: tag.exclude,
                fields,
                min_score,
                aliases: tag.aliases.iter().map(|a| a.trim().to_owned()).collect(),
                description,
            };
            rules.push(rule);
        }
        // Everything about the words: names, slugs, aliases, terms, the language. One
        // compilation, in syndic-tag, which names the rule and key at fault.
        if let Err(e) = syndic_tag::compile(&rules, settings) {
            let key = match e.rule {
                Some(i) => format!("tag[{}].{}", i + 1, e.key.as_str()),
                None => format!("tagging.{}", e.key.as_str()),
            };
            return Err(self.error(key, e.error.to_string(), vocabulary_hint(e.key)));
        }
        Ok(rules)
    }
}

/// What to do about a vocabulary problem in `key`.
fn vocabulary_hint(key: VocabularyKey) -> &'static str {
    match key {
        VocabularyKey::Name => {
            "give every tag a name of its own with a letter or digit (its archive URL); put \
             symbols in `terms`, or merge two [[tag]] entries that mean the same"
        }
        VocabularyKey::Aliases => {
            "give every tag aliases of its own, each with a letter or digit, or remove the alias"
        }
        VocabularyKey::Terms => "change or remove that term, or pick another match mode",
        VocabularyKey::MinScore => "use a number from 0 upwards",
        VocabularyKey::Language => {
            "use an ISO 639-1 code such as \"en\", or remove the key for English"
        }
    }
}

/// A TOML syntax or shape error, with its line.
fn syntax_error(path: &Path, text: &str, error: &toml::de::Error) -> ConfigError {
    let key = error
        .span()
        .map(|span| {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}")
        })
        .unwrap_or_default();
    let problem = error.message().trim().to_owned();
    let fix = if problem.contains("unknown field") {
        "remove or correct the key; `syndic init --print` shows every key syndic knows".to_owned()
    } else {
        "correct the TOML there".to_owned()
    };
    ConfigError {
        file: path.to_path_buf(),
        key,
        problem,
        fix,
    }
}

#[cfg(test)]
mod tests;
