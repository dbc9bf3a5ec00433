//! The `[fetch]` section: how syndic reads other people's servers.

use std::time::Duration;

use ipnet::IpNet;
use serde::Deserialize;

use super::duration::MIN_DURATION;
use super::{ConfigError, Validator};

/// `[fetch]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFetch {
    timeout: Option<String>,
    connect_timeout: Option<String>,
    idle_timeout: Option<String>,
    max_body: Option<String>,
    #[serde(default)]
    allow_networks: Vec<String>,
    min_interval: Option<String>,
    max_interval: Option<String>,
    concurrency: Option<i64>,
    per_host: Option<i64>,
    lease: Option<String>,
    proxy: Option<String>,
}

/// `[fetch]`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// Whole-request deadline.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of a response.
    pub idle_timeout: Duration,
    /// Largest response body accepted, after decompression.
    pub max_body: u64,
    /// Address ranges the SSRF guard lets through (for feeds on the local network).
    pub allow_networks: Vec<IpNet>,
    pub min_interval: Duration,
    pub max_interval: Duration,
    /// Requests in flight at once, in all.
    pub concurrency: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
    /// How long a process's claim on a source lasts unless renewed (it is renewed every
    /// third of it while the fetch runs); a killed worker's sources are fetched by others
    /// once it runs out.
    pub lease: Duration,
    pub proxy: Option<url::Url>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(15),
            max_body: 16 * 1024 * 1024,
            allow_networks: Vec::new(),
            min_interval: Duration::from_secs(15 * 60),
            max_interval: Duration::from_secs(24 * 3600),
            concurrency: 32,
            per_host: 2,
            lease: Duration::from_secs(10 * 60),
            proxy: None,
        }
    }
}

impl Validator<'_> {
    pub(super) fn fetch(&self, raw: RawFetch) -> Result<FetchConfig, ConfigError> {
        let defaults = FetchConfig::default();
        let duration = |key: &str, value: Option<String>, default: Duration| {
            let key = format!("fetch.{key}");
            self.duration(&key, value.as_deref(), default, MIN_DURATION)
        };
        let timeout = duration("timeout", raw.timeout, defaults.timeout)?;
        let connect_timeout = duration(
            "connect_timeout",
            raw.connect_timeout,
            defaults.connect_timeout,
        )?;
        let idle_timeout = duration("idle_timeout", raw.idle_timeout, defaults.idle_timeout)?;
        let min_interval = duration("min_interval", raw.min_interval, defaults.min_interval)?;
        let max_interval = duration("max_interval", raw.max_interval, defaults.max_interval)?;
        if min_interval > max_interval {
            return Err(self.error(
                "fetch.min_interval",
                "it is longer than fetch.max_interval",
                "make min_interval at most max_interval",
            ));
        }
        let max_body = match raw.max_body {
            None => defaults.max_body,
            Some(text) => parse_size(&text).filter(|n| *n > 0).ok_or_else(|| {
                self.error(
                    "fetch.max_body",
                    format!("{text:?} is not a size"),
                    "write it as \"16MiB\", \"512KiB\" or a number of bytes",
                )
            })?,
        };
        let mut allow_networks = Vec::with_capacity(raw.allow_networks.len());
        for (i, network) in raw.allow_networks.iter().enumerate() {
            let parsed = parse_network(network).ok_or_else(|| {
                self.error(
                    format!("fetch.allow_networks[{}]", i + 1),
                    format!("{network:?} is not an address range"),
                    "write it in CIDR form, as \"127.0.0.1/32\" or \"fd00::/8\"",
                )
            })?;
            allow_networks.push(parsed);
        }
        let count = |key: &str, value: Option<i64>, default: usize| match value {
            None => Ok(default),
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| (1..=1024).contains(n))
                .ok_or_else(|| {
                    self.error(
                        format!("fetch.{key}"),
                        format!("{n} is out of range"),
                        "use a number from 1 to 1024",
                    )
                }),
        };
        let concurrency = count("concurrency", raw.concurrency, defaults.concurrency)?;
        let per_host = count("per_host", raw.per_host, defaults.per_host)?;
        let lease = duration("lease", raw.lease, defaults.lease)?;
        let proxy = raw
            .proxy
            .map(|text| {
                url::Url::parse(&text)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https" | "socks5"))
                    .ok_or_else(|| {
                        self.error(
                            "fetch.proxy",
                            format!("{text:?} is not a proxy URL"),
                            "write it as \"http://proxy.example:3128\"",
                        )
                    })
            })
            .transpose()?;
        Ok(FetchConfig {
            timeout,
            connect_timeout,
            idle_timeout,
            max_body,
            allow_networks,
            min_interval,
            max_interval,
            concurrency,
            per_host,
            lease,
            proxy,
        })
    }
}

/// `"16MiB"`, `"512KiB"`, `"2MB"`, `"1GiB"`, or a plain number of bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let (number, unit) = super::duration::number_and_unit(text)?;
    let factor: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "kib" | "k" => 1024,
        "mb" => 1000 * 1000,
        "mib" | "m" => 1024 * 1024,
        "gb" => 1000 * 1000 * 1000,
        "gib" | "g" => 1024 * 1024 * 1024,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// A CIDR range such as `127.0.0.1/32` or `fd00::/8`; a bare address is one host.
fn parse_network(text: &str) -> Option<IpNet> {
    let text = text.trim();
    match text.parse::<IpNet>() {
        Ok(network) => Some(network),
        Err(_) => text.parse::<std::net::IpAddr>().ok().map(IpNet::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_accept_binary_and_decimal_units() {
        assert_eq!(parse_size("16MiB"), Some(16 * 1024 * 1024));
        assert_eq!(parse_size("512 KiB"), Some(512 * 1024));
        assert_eq!(parse_size("2MB"), Some(2_000_000));
        assert_eq!(parse_size("4096"), Some(4096));
        for bad in ["", "lots", "16 megs", "-1"] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn networks_are_cidr_ranges() {
        for good in ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8", "192.168.1.7"] {
            assert!(parse_network(good).is_some(), "{good}");
        }
        assert_eq!(
            parse_network("192.168.1.7").map(|n| n.prefix_len()),
            Some(32)
        );
        for bad in ["127.0.0.1/33", "localhost/32", "10.0.0.0/abc"] {
            assert!(parse_network(bad).is_none(), "{bad}");
        }
    }
}
