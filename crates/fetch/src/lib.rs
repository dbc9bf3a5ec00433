//! syndic-fetch: reads sources and runs what they hold through parse, tag and store.
//!
//! [`Fetcher::fetch`] reads one [`Location`] (a local file or an http(s) URL) through one
//! configured HTTP client: the caller's User-Agent; connect, idle and total deadlines; a cap
//! on the body counted after gzip/brotli/deflate decoding; at most five redirects, followed by
//! hand so that each hop is checked (http and https only, no loops, no https → http); no
//! proxy unless one is configured. Every address it connects to passes the SSRF guard
//! ([`AddressPolicy`]): only public unicast addresses, plus the operator's `allow_networks`,
//! checked after DNS on the address actually used and on IP literals before any connection.
//! Requests are conditional ([`Validators`] in, `If-None-Match`/`If-Modified-Since` out) and
//! outcomes are data: a [`Fetched`] says whether the body changed, the validators to keep,
//! where the feed moved permanently and how long the answer stays fresh; a [`FetchError`]
//! says gone, retry later (with the raw `Retry-After`), refused, timed out and so on.
//!
//! [`Pipeline::ingest`] is the life of a fetch: read the bytes, parse and sanitize them off
//! the async threads, tag every entry, and store the lot in one transaction. A failure is
//! data: it is recorded on the source's row and returned as a [`SourceError`], and never
//! touches the source's stored posts.
//!
//! Not here: deciding when to fetch (the schedule and its backoff read [`Fetched::max_age`]
//! and [`FetchError::retry_after`]), per-host concurrency limits, and keeping validators
//! between runs, which is the store's job.

mod conditional;
mod error;
mod guard;
mod http;
mod location;
mod pipeline;
mod redirect;

pub use conditional::{Validators, http_date};
pub use error::{FetchError, SourceError, TimeoutPhase};
pub use guard::{AddressPolicy, Refusal, Rule, classify};
pub use http::{Body, Fetched, Fetcher, FetcherOptions};
pub use location::{Location, LocationError};
pub use pipeline::{FetchReport, Pipeline, SourceJob, tags_for_post};
