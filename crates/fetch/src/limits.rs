//! How many fetches run at once: at most `concurrency` in all and `per_host` to one host,
//! counted over every process that fetches from one store (the slots are leases in the
//! store: [`syndic_store::Store::claim`]). `syndic fetch`, `syndic worker` and the
//! scheduler in `syndic serve` all fetch under them.

use crate::{FetchReport, Location, SourceError, SourceJob};

/// The two limits, as `[fetch] concurrency` and `[fetch] per_host` set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fetches in flight at once, in all (at least 1).
    pub concurrency: usize,
    /// Fetches in flight at once to one host (at least 1). Local files share one "host",
    /// read sixteen at once whatever this says (the store's `lease::plan`).
    pub per_host: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: 32,
            per_host: 2,
        }
    }
}

/// A finished job and what came of it.
pub type Finished = (SourceJob, Result<FetchReport, SourceError>);

/// A location's host, for the per-host limit (lower case; files have the empty host, which
/// the limit leaves alone):
/// the same rule the store's slots follow ([`syndic_store::host_of`]).
pub fn host_key(location: &Location) -> String {
    match location {
        Location::Http(url) => syndic_store::host_of(url.as_str()),
        Location::File(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_ignore_case_and_files_share_one() {
        let a = Location::Http("https://Blog.Example/a".parse().expect("url"));
        let b = Location::Http("https://blog.example/b".parse().expect("url"));
        assert_eq!(host_key(&a), host_key(&b));
        assert_eq!(host_key(&a), "blog.example");
        assert_eq!(host_key(&Location::File("/a".into())), "");
        assert_eq!(syndic_store::host_of("feeds/blog.rss"), "");
    }
}
