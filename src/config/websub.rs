//! The `[websub]` section: the hubs syndic's own feeds advertise and pings when they
//! change.

use serde::Deserialize;
use url::Url;

use super::{ConfigError, Validator};

/// The most hubs accepted.
const MAX_HUBS: usize = 10;

/// `[websub]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWebsub {
    #[serde(default)]
    hubs: Vec<String>,
}

impl Validator<'_> {
    /// `websub.hubs`: absolute http(s) URLs, at most [`MAX_HUBS`], duplicates dropped.
    pub(super) fn websub(&self, raw: RawWebsub) -> Result<Vec<Url>, ConfigError> {
        if raw.hubs.len() > MAX_HUBS {
            return Err(self.error(
                "websub.hubs",
                format!("{} hubs are listed", raw.hubs.len()),
                format!("list at most {MAX_HUBS}"),
            ));
        }
        let mut hubs: Vec<Url> = Vec::new();
        for text in raw.hubs {
            let hub = Url::parse(text.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .ok_or_else(|| {
                    self.error(
                        "websub.hubs",
                        format!("{text:?} is not an absolute http(s) URL"),
                        "write each hub as \"https://pubsubhubbub.appspot.com/\"",
                    )
                })?;
            if !hubs.contains(&hub) {
                hubs.push(hub);
            }
        }
        Ok(hubs)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{Config, Overrides};

    fn parse(text: &str) -> Result<Config, crate::config::ConfigError> {
        Config::parse(
            text,
            Path::new("/etc/syndic/syndic.toml"),
            &Overrides::default(),
        )
    }

    #[test]
    fn hubs_are_read_into_the_site_and_deduplicated() {
        let config = parse(
            "[websub]\nhubs = [\"https://hub.example/\", \"https://hub.example/\", \"http://b.example/h\"]\n",
        )
        .expect("valid");
        let hubs: Vec<&str> = config.site.hubs.iter().map(url::Url::as_str).collect();
        assert_eq!(hubs, ["https://hub.example/", "http://b.example/h"]);
        assert!(parse("").expect("valid").site.hubs.is_empty());
    }

    #[test]
    fn bad_hubs_and_unknown_keys_are_refused() {
        for text in [
            "[websub]\nhubs = [\"ftp://hub.example/\"]\n",
            "[websub]\nhubs = [\"not a url\"]\n",
            "[websub]\nhub = [\"https://hub.example/\"]\n",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
        let error = parse("[websub]\nhubs = [\"/relative\"]\n").expect_err("refused");
        assert_eq!(error.key, "websub.hubs");
    }
}
