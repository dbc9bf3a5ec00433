//! `[[source]] full_content`: read each new post's web page and take its article when it
//! is clearly longer than the feed's text: `"readability"` or a CSS selector, checked at
//! load so that a typo stops start-up with the key's path.

use syndic_feed::ArticleRule;

use super::{ConfigError, Validator};

impl Validator<'_> {
    /// `full_content = "readability"` or `full_content = "<CSS selector>"`; `None` when
    /// absent.
    pub(super) fn full_content(
        &self,
        key: &str,
        value: Option<&toml::Value>,
    ) -> Result<Option<ArticleRule>, ConfigError> {
        let Some(value) = value else {
            return Ok(None);
        };
        let key = format!("{key}.full_content");
        let Some(written) = value.as_str() else {
            return Err(self.error(
                &key,
                format!("{} is not a string", value.type_str()),
                "write full_content = \"readability\", or a CSS selector such as \
                 full_content = \"article .entry-content\"",
            ));
        };
        ArticleRule::parse(written).map(Some).map_err(|bad| {
            self.error(
                &key,
                bad.to_string(),
                "write \"readability\" to let syndic find the article, or a CSS selector \
                 that matches it on the post's page (as in \"article .entry-content\")",
            )
        })
    }
}
