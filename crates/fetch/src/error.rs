use thiserror::Error;

/// Why reading a source's bytes failed.
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
    #[error("request to {url} failed: {reason}")]
    Http { url: String, reason: String },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error(
        "{url} sent more than the {limit}-byte limit; the feed is too large or the server is misbehaving"
    )]
    BodyTooLarge { url: String, limit: u64 },
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
}
