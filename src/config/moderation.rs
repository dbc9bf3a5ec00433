//! `[moderation]`: what the operator decides before posts are republished.

use serde::Deserialize;

use super::{ConfigError, Validator};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModeration {
    review: Option<toml::Value>,
    only_tagged: Option<toml::Value>,
}

/// `[moderation]`, validated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Moderation {
    /// Hold every source's new posts for review (a source's own `review` overrides it).
    pub(super) review: bool,
    /// Keep only posts that earn a vocabulary tag (a source's own `only_tagged` overrides
    /// it).
    pub(super) only_tagged: bool,
}

impl Validator<'_> {
    pub(super) fn moderation(&self, raw: &RawModeration) -> Result<Moderation, ConfigError> {
        let review = self.flag("moderation", "review", raw.review.as_ref())?;
        let only_tagged = self.flag("moderation", "only_tagged", raw.only_tagged.as_ref())?;
        Ok(Moderation {
            review,
            only_tagged,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{Config, Overrides};

    fn parse(text: &str) -> Result<Config, crate::config::ConfigError> {
        Config::parse(text, Path::new("/srv/syndic.toml"), &Overrides::default())
    }

    #[test]
    fn review_is_off_unless_asked_and_a_source_overrides_the_default() {
        let sources = "[[source]]\nurl = \"https://a.example/feed\"\n\
                       [[source]]\nurl = \"https://b.example/feed\"\nreview = false\n\
                       [[source]]\nurl = \"https://c.example/feed\"\nreview = true\n";
        let plain = parse(sources).expect("valid");
        let flags: Vec<bool> = plain.sources.iter().map(|s| s.review).collect();
        assert_eq!(flags, [false, false, true]);
        let held = parse(&format!("[moderation]\nreview = true\n{sources}")).expect("valid");
        let flags: Vec<bool> = held.sources.iter().map(|s| s.review).collect();
        assert_eq!(flags, [true, false, true]);
    }

    #[test]
    fn a_review_flag_that_is_not_a_boolean_names_its_key() {
        let error = parse("[[source]]\nurl = \"https://a.example/feed\"\nreview = \"yes\"\n")
            .expect_err("refused");
        assert_eq!(error.key, "source[1].review");
        let error = parse("[moderation]\nreview = 1\n").expect_err("refused");
        assert_eq!(error.key, "moderation.review");
    }
}
