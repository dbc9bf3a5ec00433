//! The `[server]` section: where `syndic serve` listens, its page cache, and the bounds that
//! keep any one client or request from stalling the site.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;
use syndic_web::{ConnectionLimits, DEFAULT_PAGE_CACHE_BYTES, RequestLimits};

use super::fetch::parse_size;
use super::{ConfigError, Validator};

/// The shortest `[server]` timeout: tests and very fast networks may want less than the
/// one second other duration keys require.
const MIN_SERVER_DURATION: Duration = Duration::from_millis(100);

/// The longest header-read timeout accepted: a slow client may hold a connection no longer.
const MAX_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// `[server]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    pub(super) listen: Option<String>,
    page_cache: Option<String>,
    header_read_timeout: Option<String>,
    idle_timeout: Option<String>,
    max_connections: Option<i64>,
    request_timeout: Option<String>,
    search_concurrency: Option<i64>,
}

/// `[server]`, validated (the address is [`super::Config::listen`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Bytes of rendered pages kept in memory; 0 is no cache.
    pub page_cache: u64,
    pub connections: ConnectionLimits,
    pub requests: RequestLimits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            page_cache: DEFAULT_PAGE_CACHE_BYTES,
            connections: ConnectionLimits::default(),
            requests: RequestLimits::default(),
        }
    }
}

impl Validator<'_> {
    /// `server.listen` (overridden by `--listen`) and the rest of `[server]`.
    pub(super) fn server(
        &self,
        mut raw: RawServer,
        listen: Option<String>,
    ) -> Result<(SocketAddr, ServerConfig), ConfigError> {
        let listen_text = listen
            .or(raw.listen.take())
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_text.parse().map_err(|_| {
            self.error(
                "server.listen",
                format!("{listen_text:?} is not an address and port"),
                "write it as \"127.0.0.1:8080\"",
            )
        })?;
        let defaults = ServerConfig::default();
        let page_cache = match raw.page_cache.take() {
            None => defaults.page_cache,
            Some(text) => parse_size(&text).ok_or_else(|| {
                self.error(
                    "server.page_cache",
                    format!("{text:?} is not a size"),
                    "write it as \"16MiB\", \"64MB\", or \"0\" to turn the page cache off",
                )
            })?,
        };
        let (connections, requests) = self.server_limits(raw)?;
        let server = ServerConfig {
            page_cache,
            connections,
            requests,
        };
        Ok((listen, server))
    }

    /// The bounds on connections and on requests.
    fn server_limits(
        &self,
        raw: RawServer,
    ) -> Result<(ConnectionLimits, RequestLimits), ConfigError> {
        let defaults = ServerConfig::default();
        let header_read_timeout = self.server_duration(
            "header_read_timeout",
            raw.header_read_timeout,
            defaults.connections.header_read_timeout,
        )?;
        if header_read_timeout > MAX_HEADER_READ_TIMEOUT {
            return Err(self.error(
                "server.header_read_timeout",
                format!("{header_read_timeout:?} is longer than 30s"),
                "use at most \"30s\": a client that slow holds a connection for nothing",
            ));
        }
        let connections = ConnectionLimits {
            header_read_timeout,
            idle_timeout: self.server_duration(
                "idle_timeout",
                raw.idle_timeout,
                defaults.connections.idle_timeout,
            )?,
            max_connections: self.server_count(
                "max_connections",
                raw.max_connections,
                defaults.connections.max_connections,
                1..=65_536,
            )?,
        };
        let deadline = self.server_duration(
            "request_timeout",
            raw.request_timeout,
            defaults.requests.deadline,
        )?;
        let requests = RequestLimits {
            deadline,
            search_concurrency: self.server_count(
                "search_concurrency",
                raw.search_concurrency,
                defaults.requests.search_concurrency,
                1..=6,
            )?,
            search_wait: defaults.requests.search_wait,
            store_wait: defaults.requests.store_wait.min(deadline),
        };
        Ok((connections, requests))
    }

    /// A `[server]` duration: at least [`MIN_SERVER_DURATION`], read as every duration key is.
    fn server_duration(
        &self,
        key: &str,
        value: Option<String>,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        self.duration(
            &format!("server.{key}"),
            value.as_deref(),
            default,
            MIN_SERVER_DURATION,
        )
    }

    fn server_count(
        &self,
        key: &str,
        value: Option<i64>,
        default: usize,
        range: std::ops::RangeInclusive<usize>,
    ) -> Result<usize, ConfigError> {
        let Some(n) = value else {
            return Ok(default);
        };
        usize::try_from(n)
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                self.error(
                    format!("server.{key}"),
                    format!("{n} is out of range"),
                    format!("use a number from {} to {}", range.start(), range.end()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::{Config, Overrides};

    fn parse(server: &str) -> Result<Config, ConfigError> {
        Config::parse(
            &format!("[server]\n{server}"),
            Path::new("/tmp/syndic.toml"),
            &Overrides::default(),
        )
    }

    #[test]
    fn server_bounds_have_defaults_and_read_sizes_durations_and_counts() {
        let config = parse("").expect("defaults");
        assert_eq!(config.server, ServerConfig::default());
        assert!(config.server.connections.header_read_timeout <= MAX_HEADER_READ_TIMEOUT);
        assert!(config.server.connections.max_connections >= 1024);
        let config = parse(
            "page_cache = \"64MB\"\nheader_read_timeout = \"2s\"\nidle_timeout = \"1m\"\n\
             max_connections = 4096\nrequest_timeout = \"3s\"\nsearch_concurrency = 3\n",
        )
        .expect("valid");
        let server = config.server;
        assert_eq!(server.page_cache, 64_000_000);
        assert_eq!(
            server.connections.header_read_timeout,
            Duration::from_secs(2)
        );
        assert_eq!(server.connections.idle_timeout, Duration::from_secs(60));
        assert_eq!(server.connections.max_connections, 4096);
        assert_eq!(server.requests.deadline, Duration::from_secs(3));
        assert_eq!(server.requests.search_concurrency, 3);
        assert_eq!(
            parse("page_cache = \"0\"\n")
                .expect("off")
                .server
                .page_cache,
            0
        );
    }

    #[test]
    fn the_starter_file_shows_the_real_server_defaults() {
        // Uncomment every `# key = value` line of its [server] section (up to a blank line).
        let mut in_server = false;
        let text: String = crate::config::EXAMPLE
            .lines()
            .map(|line| {
                if line.starts_with('[') || line.is_empty() {
                    in_server = line == "[server]";
                }
                let setting = line.strip_prefix("# ").filter(|rest| {
                    in_server
                        && rest
                            .split_once(" = ")
                            .is_some_and(|(key, _)| !key.contains(' '))
                });
                format!("{}\n", setting.unwrap_or(line))
            })
            .collect();
        assert!(text.contains("\nmax_connections = "), "{text}");
        let config = Config::parse(&text, Path::new("/tmp/syndic.toml"), &Overrides::default())
            .expect("the starter file with its [server] keys");
        assert_eq!(config.server, ServerConfig::default());
    }

    #[test]
    fn bad_server_bounds_are_refused_with_their_key() {
        let rows = [
            ("page_cache = \"lots\"", "server.page_cache"),
            ("header_read_timeout = \"1h\"", "server.header_read_timeout"),
            ("header_read_timeout = \"0s\"", "server.header_read_timeout"),
            ("idle_timeout = \"soon\"", "server.idle_timeout"),
            ("max_connections = 0", "server.max_connections"),
            ("request_timeout = \"10ms\"", "server.request_timeout"),
            ("search_concurrency = 8", "server.search_concurrency"),
        ];
        for (line, key) in rows {
            let error = parse(line).expect_err(line);
            assert_eq!(error.key, key, "{line}");
            assert!(!error.fix.is_empty(), "{line}");
        }
        let zero = parse("idle_timeout = \"0s\"").expect_err("zero");
        assert!(
            zero.problem.contains("the minimum is 100ms"),
            "{}",
            zero.problem
        );
    }
}
