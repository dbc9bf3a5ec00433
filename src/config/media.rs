//! The `[media]` section: whether the images of new posts are cached locally, and where
//! the copies are kept (`keep`: the media folder, or the store so that web nodes on other
//! machines serve what a worker fetched without a shared disk).

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use syndic_core::media::MediaStorage;

use super::fetch::parse_size;
use super::{ConfigError, Database, Validator};

/// `[media]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMedia {
    cache: Option<bool>,
    keep: Option<String>,
    max_file: Option<String>,
    budget: Option<String>,
    dir: Option<String>,
    host_delay: Option<String>,
}

/// `[media]`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaConfig {
    /// Cache the images of new posts and serve them from `/media/<hash>`.
    pub cache: bool,
    /// Where the copies are kept: `keep = "disk"` (the default) or `"store"`.
    pub keep: Keep,
    /// The largest image kept, in bytes.
    pub max_file: u64,
    /// The most bytes the media folder holds.
    pub budget: u64,
    /// The media folder (default: `media` beside the SQLite file, else beside the config).
    pub dir: PathBuf,
    /// The least time between the starts of two image requests to one host (one at a
    /// time per host in any case).
    pub host_delay: Duration,
}

/// `[media] keep`: where cached images are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Files in the media folder (`dir`).
    Disk,
    /// Rows of the store (migration 23), served by every node that reads it.
    Store,
}

/// 10 MiB per image.
pub const DEFAULT_MAX_FILE: u64 = 10 * 1024 * 1024;
/// 5 GiB in all.
pub const DEFAULT_BUDGET: u64 = 5 * 1024 * 1024 * 1024;
/// Half a second between two image requests to one host.
pub const DEFAULT_HOST_DELAY: Duration = Duration::from_millis(500);

impl MediaConfig {
    /// Where the copies are kept, as the fetcher and the web server name it.
    pub fn storage(&self) -> MediaStorage {
        match self.keep {
            Keep::Disk => MediaStorage::Folder(self.dir.clone()),
            Keep::Store => MediaStorage::Store,
        }
    }

    /// What the fetcher needs, when caching is on.
    pub fn settings(&self) -> Option<syndic_fetch::MediaSettings> {
        self.cache.then(|| syndic_fetch::MediaSettings {
            storage: self.storage(),
            max_file: self.max_file,
            budget: self.budget,
            host_delay: self.host_delay,
        })
    }
}

impl Validator<'_> {
    pub(super) fn media(
        &self,
        raw: RawMedia,
        database: &Database,
    ) -> Result<MediaConfig, ConfigError> {
        let size = |key: &str, value: Option<String>, default: u64| match value {
            None => Ok(default),
            Some(text) => parse_size(&text).filter(|n| *n > 0).ok_or_else(|| {
                self.error(
                    format!("media.{key}"),
                    format!("{text:?} is not a size"),
                    "write it as \"10MiB\", \"5GiB\" or a number of bytes",
                )
            }),
        };
        let max_file = size("max_file", raw.max_file, DEFAULT_MAX_FILE)?;
        let budget = size("budget", raw.budget, DEFAULT_BUDGET)?;
        if max_file > budget {
            return Err(self.error(
                "media.max_file",
                "it is larger than media.budget",
                "make max_file at most budget",
            ));
        }
        let dir = match raw.dir.as_deref() {
            Some("") => {
                return Err(self.error(
                    "media.dir",
                    "the folder is empty",
                    "name a folder, as \"media\" (relative to this file) or an absolute path",
                ));
            }
            Some(dir) => self.dir.join(dir),
            None => match database {
                Database::File(path) => path
                    .parent()
                    .map_or_else(|| self.dir.join("media"), |parent| parent.join("media")),
                Database::Url(_) => self.dir.join("media"),
            },
        };
        let host_delay = self.duration(
            "media.host_delay",
            raw.host_delay.as_deref(),
            DEFAULT_HOST_DELAY,
            Duration::ZERO,
        )?;
        let keep = match raw.keep.as_deref() {
            None | Some("disk") => Keep::Disk,
            Some("store") => Keep::Store,
            Some(other) => {
                return Err(self.error(
                    "media.keep",
                    format!("{other:?} is not a place to keep images"),
                    "write \"disk\" (files in media.dir) or \"store\" (rows of the database, \
                     served by every node that reads it)",
                ));
            }
        };
        Ok(MediaConfig {
            cache: raw.cache.unwrap_or(false),
            keep,
            max_file,
            budget,
            dir,
            host_delay,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::{Config, Overrides};

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(
            text,
            Path::new("/etc/syndic/syndic.toml"),
            &Overrides::default(),
        )
    }

    #[test]
    fn media_is_off_by_default_with_its_folder_beside_the_store() {
        let media = parse("").expect("an empty config").media;
        assert!(!media.cache);
        assert_eq!(media.keep, Keep::Disk);
        assert_eq!(media.settings(), None);
        assert_eq!(media.max_file, DEFAULT_MAX_FILE);
        assert_eq!(media.dir, Path::new("/etc/syndic/media"));
        let beside = parse("[database]\nurl = \"sqlite:///var/lib/syndic/s.db\"\n")
            .expect("a store elsewhere")
            .media;
        assert_eq!(beside.dir, Path::new("/var/lib/syndic/media"));
    }

    #[test]
    fn media_reads_sizes_and_folder() {
        let media =
            parse("[media]\ncache = true\nmax_file = \"1MiB\"\nbudget = \"2MiB\"\ndir = \"img\"\nhost_delay = \"2s\"\n")
                .expect("a media section")
                .media;
        let settings = media.settings().expect("on");
        assert_eq!(settings.max_file, 1024 * 1024);
        assert_eq!(settings.budget, 2 * 1024 * 1024);
        assert_eq!(
            settings.storage,
            MediaStorage::Folder(Path::new("/etc/syndic/img").to_path_buf())
        );
        assert_eq!(settings.host_delay, Duration::from_secs(2));
    }

    #[test]
    fn media_can_be_kept_in_the_store() {
        let media = parse("[media]\ncache = true\nkeep = \"store\"\n")
            .expect("keep in the store")
            .media;
        assert_eq!(media.keep, Keep::Store);
        assert_eq!(media.settings().expect("on").storage, MediaStorage::Store);
    }

    #[test]
    fn bad_media_values_are_refused_with_their_key() {
        for (text, key) in [
            ("[media]\nmax_file = \"big\"\n", "media.max_file"),
            ("[media]\nbudget = \"0\"\n", "media.budget"),
            (
                "[media]\nmax_file = \"2MiB\"\nbudget = \"1MiB\"\n",
                "media.max_file",
            ),
            ("[media]\ndir = \"\"\n", "media.dir"),
            ("[media]\nhost_delay = \"soon\"\n", "media.host_delay"),
            ("[media]\nkeep = \"cloud\"\n", "media.keep"),
        ] {
            let error = parse(text).expect_err(text);
            assert_eq!(error.key, key, "{text}");
        }
    }
}
