use std::fmt;

use syndic_core::FetchOutcome;
use thiserror::Error;

/// Why reading a source's bytes failed. Every message names the URL (or path) it is about;
/// after a redirect that is the hop where it went wrong.
#[derive(Debug, Error)]
pub enum FetchError {
    #[error("cannot read {path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is larger than the {limit}-byte limit")]
    FileTooLarge { path: String, limit: u64 },
    /// The SSRF guard refused the address (or, with a proxy, the name) before connecting.
    #[error("not fetching {url}: {reason}")]
    Refused { url: String, reason: String },
    /// HTTP 410: the feed is gone for good; stop polling it.
    #[error("{url} answered HTTP 410 Gone: the feed was removed")]
    Gone { url: String },
    /// HTTP 429 or 503: the server asks us to come back later, maybe saying when.
    #[error("{url} answered HTTP {status}{}", retry_after_note(.retry_after.as_deref()))]
    RetryLater {
        url: String,
        status: u16,
        /// The raw `Retry-After` value (seconds or an HTTP date), as sent.
        retry_after: Option<String>,
    },
    #[error("{url} answered HTTP {status}{}", status_note(*.status))]
    Status { url: String, status: u16 },
    /// The chain started at `url` had more redirects than allowed.
    #[error("{url}: too many redirects")]
    TooManyRedirects { url: String },
    /// The chain came back to `url`, which it had already visited.
    #[error("{url}: redirect loop (this address was already visited in the chain)")]
    RedirectLoop { url: String },
    /// `url` redirected somewhere syndic will not follow.
    #[error("{url} redirected to {location:?}, which is refused: {reason}")]
    BadRedirect {
        url: String,
        location: String,
        reason: &'static str,
    },
    #[error(
        "{url} sent more than the {limit}-byte limit; the feed is too large or the server is misbehaving"
    )]
    BodyTooLarge { url: String, limit: u64 },
    #[error("{url} timed out {phase}")]
    Timeout { url: String, phase: TimeoutPhase },
    #[error("request to {url} failed: {reason}")]
    Http { url: String, reason: String },
}

impl FetchError {
    /// How `syndic_fetches_total` counts this error.
    pub fn outcome(&self) -> FetchOutcome {
        match self {
            FetchError::Refused { .. } => FetchOutcome::Refused,
            FetchError::Gone { .. } => FetchOutcome::Gone,
            FetchError::RetryLater { .. } => FetchOutcome::RetryLater,
            FetchError::Timeout { .. } => FetchOutcome::Timeout,
            FetchError::FileTooLarge { .. } | FetchError::BodyTooLarge { .. } => {
                FetchOutcome::TooLarge
            }
            FetchError::File { .. }
            | FetchError::Status { .. }
            | FetchError::TooManyRedirects { .. }
            | FetchError::RedirectLoop { .. }
            | FetchError::BadRedirect { .. }
            | FetchError::Http { .. } => FetchOutcome::Failed,
        }
    }

    /// The raw `Retry-After` value of a 429 or 503 answer, for the scheduler to read.
    pub fn retry_after(&self) -> Option<&str> {
        match self {
            FetchError::RetryLater { retry_after, .. } => retry_after.as_deref(),
            _ => None,
        }
    }
}

/// What a person can do about a refusal: 401 wants credentials, 403 often a known client.
fn status_note(status: u16) -> &'static str {
    match status {
        401 => {
            " (the feed wants credentials: set `username` and `password_env`, or `headers`, \
             on its [[source]])"
        }
        403 => {
            " (refused: some servers turn away unknown clients; try `user_agent` or `headers` \
             on its [[source]])"
        }
        _ => "",
    }
}

fn retry_after_note(retry_after: Option<&str>) -> String {
    match retry_after {
        Some(value) => format!(" (retry after {value:?})"),
        None => String::new(),
    }
}

/// Which deadline a fetch missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutPhase {
    /// Opening the connection took longer than the connect deadline.
    Connect,
    /// The server went quiet for longer than the idle deadline (headers or body).
    Idle,
    /// The whole fetch, redirects and body included, took longer than the total deadline.
    Total,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "while connecting",
            TimeoutPhase::Idle => "waiting for data (the server went quiet)",
            TimeoutPhase::Total => "before the whole fetch finished",
        })
    }
}

/// Why one source could not be ingested. The message names the source.
#[derive(Debug, Error)]
pub enum SourceError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{location} is not a usable feed: {source}")]
    Parse {
        location: String,
        #[source]
        source: syndic_feed::FeedError,
    },
    #[error("could not store posts of {location}: {source}")]
    Store {
        location: String,
        #[source]
        source: syndic_store::StoreError,
    },
    #[error("parsing {location} stopped unexpectedly")]
    Worker { location: String },
    /// The corpus model a deferred tagger reads on first use could not be read.
    #[error("could not tag posts of {location}: {source}")]
    Tagger {
        location: String,
        #[source]
        source: syndic_tag::LearningUnreadable,
    },
}

impl SourceError {
    /// Whether the fetch ran under a lease that ran out and that another process took
    /// meanwhile: its outcome is that process's to write, and this is no failure of the
    /// source ([`syndic_store::StoreError::LeaseLost`]).
    pub fn is_lease_lost(&self) -> bool {
        matches!(
            self,
            SourceError::Store {
                source: syndic_store::StoreError::LeaseLost { .. },
                ..
            }
        )
    }

    /// How `syndic_fetches_total` counts this failure: the fetch error's own outcome, else
    /// (parse, store, worker, tagger) `failed`.
    pub fn outcome(&self) -> FetchOutcome {
        match self {
            SourceError::Fetch(error) => error.outcome(),
            SourceError::Parse { .. }
            | SourceError::Store { .. }
            | SourceError::Worker { .. }
            | SourceError::Tagger { .. } => FetchOutcome::Failed,
        }
    }
}
