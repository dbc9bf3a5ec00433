//! `[site]`: the site's name and address, its paging and theme, and how many earlier
//! versions of an edited post it keeps.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

use super::{ConfigError, Validator};

/// The most `keep_revisions` may say: a post edited more often than this keeps the newest.
const MAX_KEEP_REVISIONS: i64 = 1000;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSite {
    title: Option<String>,
    base_url: Option<String>,
    posts_per_page: Option<i64>,
    theme_dir: Option<PathBuf>,
    pub(super) keep_revisions: Option<toml::Value>,
}

impl Validator<'_> {
    pub(super) fn site(&self, raw: RawSite) -> Result<syndic_web::Site, ConfigError> {
        let base_text = raw
            .base_url
            .unwrap_or_else(|| "http://127.0.0.1:8080/".into());
        let mut base_url = Url::parse(&base_text)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                self.error(
                    "site.base_url",
                    format!("{base_text:?} is not an absolute http(s) URL"),
                    "write it as \"https://planet.example.org/\"",
                )
            })?;
        if !base_url.path().ends_with('/') {
            let path = format!("{}/", base_url.path());
            base_url.set_path(&path);
        }
        let per_page = raw.posts_per_page.unwrap_or(10);
        let posts_per_page = u32::try_from(per_page)
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                self.error(
                    "site.posts_per_page",
                    format!("{per_page} is out of range"),
                    "use a number from 1 to 1000",
                )
            })?;
        let title = raw.title.unwrap_or_else(|| "syndic".into());
        let theme_dir = raw.theme_dir.map(|dir| self.theme_dir(&dir)).transpose()?;
        Ok(syndic_web::Site {
            title,
            base_url,
            posts_per_page,
            theme_dir,
            hubs: Vec::new(),
            local_media: false,
        })
    }

    /// `site.theme_dir`, resolved against the config file's folder: an existing folder.
    fn theme_dir(&self, dir: &Path) -> Result<PathBuf, ConfigError> {
        let path = self.dir.join(dir);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => Ok(path),
            Ok(_) => Err(self.error(
                "site.theme_dir",
                format!("{} is not a folder", path.display()),
                "point it at a folder holding style.css and/or templates/*.html",
            )),
            Err(e) => Err(self.error(
                "site.theme_dir",
                format!("cannot use {}: {e}", path.display()),
                "create the folder, correct the path, or remove the key for the built-in theme",
            )),
        }
    }

    /// `site.keep_revisions`: earlier versions kept per post, 0 to [`MAX_KEEP_REVISIONS`].
    pub(super) fn keep_revisions(
        &self,
        value: Option<&toml::Value>,
    ) -> Result<Option<u32>, ConfigError> {
        let Some(value) = value else {
            return Ok(None);
        };
        value
            .as_integer()
            .filter(|n| (0..=MAX_KEEP_REVISIONS).contains(n))
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| {
                self.error(
                    "site.keep_revisions",
                    format!("{value} is not a number of versions from 0 to {MAX_KEEP_REVISIONS}"),
                    format!(
                        "write a whole number without quotes, such as keep_revisions = {} \
                         (0 keeps no earlier versions)",
                        syndic_store::DEFAULT_KEEP_REVISIONS
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{Config, ConfigError, Overrides};

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(
            text,
            Path::new("/etc/syndic/syndic.toml"),
            &Overrides::default(),
        )
    }

    #[test]
    fn keep_revisions_is_read_and_defaults_to_the_stores_default() {
        let config = parse("[site]\nkeep_revisions = 5\n").expect("valid");
        assert_eq!(config.store_options.keep_revisions, Some(5));
        let none = parse("[site]\nkeep_revisions = 0\n").expect("valid");
        assert_eq!(none.store_options.keep_revisions(), 0);
        let default = parse("[site]\ntitle = \"x\"\n").expect("valid");
        assert_eq!(default.store_options.keep_revisions, None);
        assert_eq!(
            default.store_options.keep_revisions(),
            syndic_store::DEFAULT_KEEP_REVISIONS
        );
    }

    #[test]
    fn the_starter_files_keep_revisions_is_the_default() {
        let example = crate::config::EXAMPLE.replace("# keep_revisions", "keep_revisions");
        let config = parse(&example).expect("the example parses");
        assert_eq!(
            config.store_options.keep_revisions,
            Some(syndic_store::DEFAULT_KEEP_REVISIONS)
        );
    }

    #[test]
    fn bad_keep_revisions_values_are_refused_with_their_key_path() {
        for value in ["-1", "1001", "\"20\"", "2.5", "true"] {
            match parse(&format!("[site]\nkeep_revisions = {value}\n")) {
                Ok(_) => panic!("{value} was accepted"),
                Err(error) => {
                    assert_eq!(error.key, "site.keep_revisions", "{value}: {error}");
                    assert!(error.fix.contains("keep_revisions = 20"), "{error}");
                }
            }
        }
    }
}
