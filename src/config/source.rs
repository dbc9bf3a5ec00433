//! `[[source]]`: a feed to follow, and how to read, tag, keep and credit its posts.
//!
//! Every key is checked here, with its key path (`source[2].headers.X-Token`) in the
//! error. Secrets stay out of the file: a header value written `"env:NAME"` and the
//! password named by `password_env` are read from the environment once, at load; a
//! missing variable is an error naming the key and the variable, never the value.

use std::collections::BTreeMap;

use serde::Deserialize;
use syndic_core::AttributionTemplate;
use syndic_fetch::{BasicAuth, Location, SourceHeader, SourceRequest, is_loopback};
use syndic_store::{SourceSettings, UpdatePolicy};
use syndic_tag::CategoryPolicy;

use super::duration::MIN_DURATION;
use super::moderation::Moderation;
use super::{ConfigError, Validator};

/// One `[[source]]`, validated.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// As written in the file; the source's identity in the store.
    pub url: String,
    pub location: Location,
    pub name: Option<String>,
    pub tags: Vec<String>,
    /// `user_agent`, `headers`, `username` + `password_env`, `timeout` (secrets hidden
    /// from `Debug`).
    pub request: SourceRequest,
    /// `paused`, `updates`, `attribution`, `credit_original`, `honor_deletions`,
    /// `priority`: what the store keeps.
    pub settings: SourceSettings,
    /// `categories`: this source's category policy, over `[tagging] categories`.
    pub categories: Option<CategoryPolicy>,
    /// `review`: hold new posts for review (else `[moderation] review`).
    pub review: bool,
    /// `only_tagged`: keep only posts that earn a vocabulary tag (else `[moderation]
    /// only_tagged`).
    pub only_tagged: bool,
    /// `full_content`: how to find the article in each new post's page, if at all.
    pub full_content: Option<syndic_feed::ArticleRule>,
}

/// `[[source]]` as written. Keys whose type is checked here keep their path in errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    url: String,
    name: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    user_agent: Option<toml::Value>,
    headers: Option<toml::Value>,
    username: Option<toml::Value>,
    password_env: Option<toml::Value>,
    timeout: Option<toml::Value>,
    paused: Option<toml::Value>,
    updates: Option<toml::Value>,
    attribution: Option<toml::Value>,
    credit_original: Option<toml::Value>,
    honor_deletions: Option<toml::Value>,
    priority: Option<toml::Value>,
    categories: Option<toml::Value>,
    review: Option<toml::Value>,
    only_tagged: Option<toml::Value>,
    full_content: Option<toml::Value>,
}

impl Validator<'_> {
    pub(super) fn sources(
        &self,
        raw: Vec<RawSource>,
        moderation: &Moderation,
    ) -> Result<Vec<SourceConfig>, ConfigError> {
        let mut sources: Vec<SourceConfig> = Vec::with_capacity(raw.len());
        for (i, source) in raw.into_iter().enumerate() {
            let key = format!("source[{}]", i + 1);
            let location = Location::parse(&source.url, self.dir).map_err(|e| {
                self.error(
                    format!("{key}.url"),
                    e.to_string(),
                    "use an http(s):// or file:// URL, or a path to a local file",
                )
            })?;
            if let Some(first) = sources.iter().position(|s| s.location == location) {
                return Err(self.error(
                    format!("{key}.url"),
                    format!("{:?} is already source[{}]", source.url, first + 1),
                    "remove one of the two [[source]] entries",
                ));
            }
            sources.push(self.source(&key, source, location, moderation)?);
        }
        Ok(sources)
    }

    fn source(
        &self,
        key: &str,
        source: RawSource,
        location: Location,
        moderation: &Moderation,
    ) -> Result<SourceConfig, ConfigError> {
        if source.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(self.error(
                format!("{key}.name"),
                "the name is empty",
                "remove `name` or give it a value",
            ));
        }
        if source
            .tags
            .iter()
            .any(|t| !t.chars().any(char::is_alphanumeric))
        {
            return Err(self.error(
                format!("{key}.tags"),
                "a tag name is empty (or has no letters or digits, so no archive URL)",
                "remove it, or give the tag a name with a letter or digit",
            ));
        }
        let request = self.source_request(key, &source, &location)?;
        let full_content = self.full_content(key, source.full_content.as_ref())?;
        let settings = SourceSettings {
            paused: self.flag(key, "paused", source.paused.as_ref())?,
            updates: self.updates(key, source.updates.as_ref())?,
            attribution: self.attribution(key, source.attribution.as_ref())?,
            credit_original: self.flag(key, "credit_original", source.credit_original.as_ref())?,
            honor_deletions: self.flag(key, "honor_deletions", source.honor_deletions.as_ref())?,
            priority: self.priority(key, source.priority.as_ref())?,
            full_content: full_content.as_ref().map(ToString::to_string),
        };
        let review = self
            .optional_flag(key, "review", source.review.as_ref())?
            .unwrap_or(moderation.review);
        let only_tagged = self
            .optional_flag(key, "only_tagged", source.only_tagged.as_ref())?
            .unwrap_or(moderation.only_tagged);
        let categories = source
            .categories
            .as_ref()
            .map(|value| self.category_policy(&format!("{key}.categories"), value))
            .transpose()?;
        Ok(SourceConfig {
            url: source.url.trim().to_owned(),
            location,
            name: source.name.map(|n| n.trim().to_owned()),
            tags: source.tags.iter().map(|t| t.trim().to_owned()).collect(),
            request,
            settings,
            categories,
            review,
            only_tagged,
            full_content,
        })
    }

    /// `user_agent`, `headers`, `username` + `password_env` and `timeout`.
    fn source_request(
        &self,
        key: &str,
        source: &RawSource,
        location: &Location,
    ) -> Result<SourceRequest, ConfigError> {
        let user_agent = source
            .user_agent
            .as_ref()
            .map(|value| self.user_agent(&format!("{key}.user_agent"), value))
            .transpose()?;
        let headers = match &source.headers {
            None => Vec::new(),
            Some(value) => self.headers(&format!("{key}.headers"), value)?,
        };
        let basic_auth = self.basic_auth(key, source, location)?;
        if basic_auth.is_some() && headers.iter().any(|h| h.name() == "authorization") {
            return Err(self.error(
                format!("{key}.headers"),
                "an Authorization header and `username` both set the credentials",
                "keep one: `username` + `password_env` for HTTP basic, or the header",
            ));
        }
        let timeout = match &source.timeout {
            None => None,
            Some(value) => {
                let text = self.string(&format!("{key}.timeout"), value, "\"45s\"")?;
                let default = self.fetch_timeout_default();
                Some(self.duration(
                    &format!("{key}.timeout"),
                    Some(&text),
                    default,
                    MIN_DURATION,
                )?)
            }
        };
        let request = SourceRequest {
            user_agent,
            headers,
            basic_auth,
            timeout,
            origin: None,
        };
        Ok(match location {
            Location::Http(url) => request.scoped_to(url),
            Location::File(_) => request,
        })
    }

    fn fetch_timeout_default(&self) -> std::time::Duration {
        super::FetchConfig::default().timeout
    }

    fn user_agent(&self, key: &str, value: &toml::Value) -> Result<String, ConfigError> {
        let text = self.string(key, value, "\"Mozilla/5.0 (compatible; syndic)\"")?;
        let text = text.trim();
        if text.is_empty() || SourceHeader::new("x-user-agent", text).is_err() {
            return Err(self.error(
                key,
                "the user agent is empty or holds line breaks or control characters",
                "write it on one line, as \"Mozilla/5.0 (compatible; syndic)\"",
            ));
        }
        Ok(text.to_owned())
    }

    /// `headers = { "X-Token" = "env:TOKEN", Accept-Language = "en" }`.
    fn headers(&self, key: &str, value: &toml::Value) -> Result<Vec<SourceHeader>, ConfigError> {
        let Some(table) = value.as_table() else {
            return Err(self.error(
                key,
                format!("{} is not a table of headers", value.type_str()),
                "write it as headers = { \"X-Token\" = \"env:FEED_TOKEN\" }",
            ));
        };
        let mut headers = Vec::with_capacity(table.len());
        let table: BTreeMap<&String, &toml::Value> = table.iter().collect();
        for (name, value) in table {
            let header_key = format!("{key}.{name}");
            let Some(written) = value.as_str() else {
                return Err(self.error(
                    &header_key,
                    format!("{} is not a header value", value.type_str()),
                    "write the value as a string, or \"env:NAME\" to read it from the environment",
                ));
            };
            let value = self.secret(&header_key, written)?;
            let header = SourceHeader::new(name, &value).map_err(|refusal| {
                self.error(
                    &header_key,
                    refusal.to_string(),
                    "remove it; syndic sets the connection's headers itself",
                )
            })?;
            headers.push(header);
        }
        Ok(headers)
    }

    /// A value as written, or the environment variable it names (`"env:NAME"`).
    fn secret(&self, key: &str, written: &str) -> Result<String, ConfigError> {
        let Some(variable) = written.strip_prefix("env:") else {
            return Ok(written.to_owned());
        };
        self.environment(key, variable.trim())
    }

    /// The environment variable `variable`, for the key at `key`.
    fn environment(&self, key: &str, variable: &str) -> Result<String, ConfigError> {
        if variable.is_empty() {
            return Err(self.error(
                key,
                "no environment variable is named after \"env:\"",
                "write \"env:NAME\" with the variable's name",
            ));
        }
        (self.env)(variable).ok_or_else(|| {
            self.error(
                key,
                format!("the environment variable {variable} is not set"),
                format!("set {variable} in syndic's environment (the service's unit or the shell)"),
            )
        })
    }

    /// `username` + `password_env`: both or neither; over plain http only to this machine.
    fn basic_auth(
        &self,
        key: &str,
        source: &RawSource,
        location: &Location,
    ) -> Result<Option<BasicAuth>, ConfigError> {
        let username = source
            .username
            .as_ref()
            .map(|v| self.string(&format!("{key}.username"), v, "\"reader\""))
            .transpose()?;
        let password_env = source
            .password_env
            .as_ref()
            .map(|v| self.string(&format!("{key}.password_env"), v, "\"FEED_PASSWORD\""))
            .transpose()?;
        let (username, variable) = match (username, password_env) {
            (None, None) => return Ok(None),
            (Some(username), Some(variable)) => (username, variable),
            (Some(_), None) => {
                return Err(self.error(
                    format!("{key}.password_env"),
                    "`username` is set without `password_env`",
                    "add password_env = \"NAME\", the environment variable holding the password",
                ));
            }
            (None, Some(_)) => {
                return Err(self.error(
                    format!("{key}.username"),
                    "`password_env` is set without `username`",
                    "add username = \"…\", or remove password_env",
                ));
            }
        };
        if username.contains(':') || username.trim().is_empty() {
            return Err(self.error(
                format!("{key}.username"),
                "the user name is empty or holds a colon, which HTTP basic cannot carry",
                "write the account's user name",
            ));
        }
        match location {
            Location::Http(url) if url.scheme() == "https" || is_loopback(url) => {}
            Location::Http(_) => {
                return Err(self.error(
                    format!("{key}.username"),
                    "the feed is read over plain http, which would send the password unencrypted",
                    "use the feed's https:// address",
                ));
            }
            Location::File(_) => {
                return Err(self.error(
                    format!("{key}.username"),
                    "the source is a local file: there is nobody to send credentials to",
                    "remove username and password_env",
                ));
            }
        }
        let password = self.environment(&format!("{key}.password_env"), variable.trim())?;
        Ok(Some(BasicAuth { username, password }))
    }

    fn updates(&self, key: &str, value: Option<&toml::Value>) -> Result<UpdatePolicy, ConfigError> {
        match value.map(|v| (v, v.as_str())) {
            None => Ok(UpdatePolicy::Follow),
            Some((_, Some("follow"))) => Ok(UpdatePolicy::Follow),
            Some((_, Some("freeze"))) => Ok(UpdatePolicy::Freeze),
            Some((value, _)) => Err(self.error(
                format!("{key}.updates"),
                format!("{value} is not an update policy"),
                "use \"follow\" (a changed item updates its post, the default) or \"freeze\" \
                 (a post never changes once stored)",
            )),
        }
    }

    fn attribution(
        &self,
        key: &str,
        value: Option<&toml::Value>,
    ) -> Result<Option<String>, ConfigError> {
        let Some(value) = value else {
            return Ok(None);
        };
        let key = format!("{key}.attribution");
        let text = self.string(
            &key,
            value,
            "\"Post Syndicated from {author} original {link}\"",
        )?;
        AttributionTemplate::parse(&text).map_err(|e| {
            self.error(
                &key,
                e.to_string(),
                "use {author}, {source}, {link} and {title}, as in \
                 \"Post Syndicated from {author} original {link}\"",
            )
        })?;
        Ok(Some(text))
    }

    /// A true/false key, false when absent.
    /// `priority`: an integer (default 0); a merged post is credited to the copy of the
    /// highest priority, the first one on a tie.
    fn priority(&self, key: &str, value: Option<&toml::Value>) -> Result<i64, ConfigError> {
        match value {
            None => Ok(0),
            Some(toml::Value::Integer(priority)) => Ok(*priority),
            Some(value) => Err(self.error(
                format!("{key}.priority"),
                format!("{value} is not an integer"),
                "write priority = 10 (without quotes); a higher priority wins the credit of a \
                 post several sources carry, and the default is 0",
            )),
        }
    }

    pub(super) fn flag(
        &self,
        key: &str,
        name: &str,
        value: Option<&toml::Value>,
    ) -> Result<bool, ConfigError> {
        Ok(self.optional_flag(key, name, value)?.unwrap_or(false))
    }

    /// A true/false key, `None` when absent (so another setting gives the default).
    pub(super) fn optional_flag(
        &self,
        key: &str,
        name: &str,
        value: Option<&toml::Value>,
    ) -> Result<Option<bool>, ConfigError> {
        match value {
            None => Ok(None),
            Some(toml::Value::Boolean(flag)) => Ok(Some(*flag)),
            Some(value) => Err(self.error(
                format!("{key}.{name}"),
                format!("{value} is not true or false"),
                format!("write {name} = true or {name} = false (without quotes)"),
            )),
        }
    }

    /// A string key; `example` shows how to write it.
    fn string(&self, key: &str, value: &toml::Value, example: &str) -> Result<String, ConfigError> {
        value.as_str().map(str::to_owned).ok_or_else(|| {
            self.error(
                key,
                format!("{} is not a string", value.type_str()),
                format!("write it in quotes, as {example}"),
            )
        })
    }
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;
