//! syndic-fetch: reads sources and runs what they hold through parse, tag and store.
//!
//! [`Fetcher`] reads one [`Location`] (a local file or an http(s) URL) with sane limits:
//! connect and total deadlines, a cap on the body, gzip, at most five redirects.
//! [`Pipeline::ingest`] is the life of a fetch: read the bytes, parse and sanitize them off
//! the async threads, tag every entry, and store the lot in one transaction. A failure is
//! data: it is recorded on the source's row and returned as a [`SourceError`], and never
//! touches the source's stored posts.
//!
//! Not here (yet): conditional GET, scheduling, per-host limits, SSRF guards; the polite
//! fetcher issue adds them behind the same [`Fetcher`].

mod error;
mod http;
mod location;
mod pipeline;

pub use error::{FetchError, SourceError};
pub use http::{Fetched, Fetcher, FetcherOptions};
pub use location::{Location, LocationError};
pub use pipeline::{Pipeline, SourceJob, tags_for_post};
