//! The `[database]` section: where posts are kept (`url`, overridden by `--database-url`
//! and `SYNDIC_DATABASE_URL`) and how the store's connections are set up (`pool_size`,
//! `statement_timeout`).

use std::num::NonZeroU32;

use serde::Deserialize;
use syndic_store::{DEFAULT_POOL_SIZE, StoreOptions};

use super::{ConfigError, Database, Validator, duration::MIN_DURATION};

/// The largest pool accepted: a PostgreSQL server allows 100 connections by default, to
/// be shared by every process.
const MAX_POOL_SIZE: i64 = 200;

/// `[database]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatabase {
    pub(super) url: Option<String>,
    pool_size: Option<i64>,
    statement_timeout: Option<String>,
}

impl Validator<'_> {
    /// The store's location: `url` (the override before the file's), a `sqlite:` path
    /// resolved against the configuration's folder.
    pub(super) fn database(&self, url: Option<String>) -> Result<Database, ConfigError> {
        let url = url.unwrap_or_else(|| "sqlite://syndic.db".into());
        const FIX: &str =
            "write it as \"sqlite://syndic.db\" (a file) or \"postgres://USER@HOST/DATABASE\"";
        let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        else {
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                return Ok(Database::Url(url));
            }
            let problem = match url.split_once("://") {
                Some((scheme, _)) => {
                    format!("{scheme:?} is not a database syndic can use (SQLite or PostgreSQL)")
                }
                None => format!("{:?} is not a database URL", syndic_store::redact(&url)),
            };
            return Err(self.error("database.url", problem, FIX));
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path.is_empty() {
            return Err(self.error("database.url", "the SQLite URL names no file", FIX));
        }
        if path == ":memory:" {
            return Ok(Database::Url("sqlite::memory:".into()));
        }
        if !query.is_empty() {
            // Parameters such as `mode=ro` or `immutable=1` are the store's to read.
            let path = self.dir.join(path);
            return Ok(Database::Url(format!(
                "sqlite://{}?{query}",
                path.display()
            )));
        }
        Ok(Database::File(self.dir.join(path)))
    }

    /// `pool_size` and `statement_timeout`; the pool must leave pages a connection beside
    /// the `search_concurrency` searches that may run at once.
    pub(super) fn store_options(
        &self,
        raw: &RawDatabase,
        search_concurrency: usize,
    ) -> Result<StoreOptions, ConfigError> {
        let pool_size = match raw.pool_size {
            None => None,
            Some(n) => Some(
                u32::try_from(n)
                    .ok()
                    .filter(|n| (2..=MAX_POOL_SIZE.unsigned_abs()).contains(&u64::from(*n)))
                    .and_then(NonZeroU32::new)
                    .ok_or_else(|| {
                        self.error(
                            "database.pool_size",
                            format!("{n} is out of range"),
                            format!("use a number from 2 to {MAX_POOL_SIZE}"),
                        )
                    })?,
            ),
        };
        let size = pool_size.map_or(DEFAULT_POOL_SIZE, NonZeroU32::get);
        if usize::try_from(size).is_ok_and(|size| size <= search_concurrency) {
            return Err(self.error(
                "database.pool_size",
                format!(
                    "{size} connections leave pages none beside the {search_concurrency} \
                     searches server.search_concurrency lets run at once"
                ),
                "make pool_size larger than server.search_concurrency",
            ));
        }
        let statement_timeout = match raw.statement_timeout.as_deref() {
            None | Some("0") => None,
            Some(text) => Some(self.duration(
                "database.statement_timeout",
                Some(text),
                MIN_DURATION,
                MIN_DURATION,
            )?),
        };
        Ok(StoreOptions {
            pool_size,
            statement_timeout,
            ..StoreOptions::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::*;
    use crate::config::{Config, Overrides};

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/srv/syndic.toml"), &Overrides::default())
    }

    #[test]
    fn pool_size_and_statement_timeout_are_read_and_default_to_none() {
        let config =
            parse("[database]\npool_size = 16\nstatement_timeout = \"30s\"\n").expect("valid");
        assert_eq!(config.store_options.pool_size, NonZeroU32::new(16));
        assert_eq!(
            config.store_options.statement_timeout,
            Some(Duration::from_secs(30))
        );
        let plain = parse("[database]\nurl = \"sqlite://s.db\"\n").expect("valid");
        assert_eq!(plain.store_options, StoreOptions::default());
        let off = parse("[database]\nstatement_timeout = \"0\"\n").expect("valid");
        assert_eq!(off.store_options.statement_timeout, None);
    }

    #[test]
    fn the_starter_file_shows_the_real_database_defaults() {
        let mut inside = false;
        let text: String = crate::config::EXAMPLE
            .lines()
            .map(|line| {
                if line.starts_with('[') || line.is_empty() {
                    inside = line == "[database]";
                }
                let setting = line.strip_prefix("# ").filter(|rest| {
                    inside
                        && (rest.starts_with("pool_size = ")
                            || rest.starts_with("statement_timeout = "))
                });
                format!("{}\n", setting.unwrap_or(line))
            })
            .collect();
        assert!(text.contains("\npool_size = ") && text.contains("\nstatement_timeout = "));
        let config = parse(&text).expect("the starter file with its [database] keys");
        assert_eq!(
            config.store_options.pool_size.map(NonZeroU32::get),
            Some(DEFAULT_POOL_SIZE)
        );
        assert_eq!(config.store_options.statement_timeout, None);
    }

    #[test]
    fn a_pool_too_small_or_too_large_and_a_bad_timeout_are_refused_by_key() {
        let cases = [
            ("[database]\npool_size = 1\n", "out of range"),
            ("[database]\npool_size = 5000\n", "out of range"),
            (
                "[database]\npool_size = 3\n[server]\nsearch_concurrency = 3\n",
                "leave pages none",
            ),
            (
                "[database]\nstatement_timeout = \"soon\"\n",
                "not a duration",
            ),
            ("[database]\nstatement_timeout = \"500ms\"\n", "too short"),
        ];
        for (text, problem) in cases {
            let error = parse(text).expect_err(text);
            assert!(error.key.starts_with("database."), "{text}: {error}");
            assert!(error.problem.contains(problem), "{text}: {error}");
        }
    }
}
