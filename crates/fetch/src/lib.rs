//! syndic-fetch: reads sources and runs what they hold through parse, tag and store.
//!
//! [`Fetcher::fetch`] reads one [`Location`] (a local file or an http(s) URL) through one
//! configured HTTP client: the caller's User-Agent (or the source's: [`Fetcher::fetch_as`]
//! with a [`SourceRequest`] adds a source's User-Agent, headers, credentials and deadline); connect, idle and total deadlines; a cap
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
//! With `[media] cache = true` a [`MediaCache`] on the pipeline caches the images of the
//! posts each fetch stores (see `media.rs`). For a source with `full_content`, a
//! [`FullText`] on the pipeline reads each new post's web page after the fetch (robots.txt
//! first, one request at a time per host) and stores its article when it is clearly
//! longer than the feed's text (see `full_text.rs` and `pipeline/full_text.rs`).
//!
//! [`find_feeds`] is feed discovery for `syndic add`: the address itself if it is a feed,
//! else the feeds its HTML page advertises or keeps at the usual paths, each read through
//! the same [`Fetcher`].
//!
//! WebSub: a [`Subscriber`] asks the hub a feed advertises to push it (callbacks under a
//! public `site.base_url`) and renews before the lease ends; [`Pipeline::ingest_pushed`]
//! stores pushed content; a [`Publisher`] pings the configured hubs when our feeds change.
//! Both post through [`Fetcher::post_form`], the same guarded client.
//!
//! Every fetch runs under a lease from the store, so any number of processes can fetch
//! from one store: no source is fetched by two at once, and the global and per-host
//! [`Limits`] hold for all of them together (the slots are leases too). [`Sweep`] is one
//! pass (`syndic fetch`, `syndic worker --once`); [`Scheduler::run`] is the loop inside
//! `syndic serve` and `syndic worker`: it claims each source when the store says it is due
//! and sleeps until the next one is; the timing maths is `syndic_core::schedule`, the state
//! and the leases live in the store. [`LeaseSettings`] name this process and its lease.

mod conditional;
mod discover;
mod error;
mod file;
mod fleet;
mod full_text;
mod guard;
mod http;
mod limits;
mod location;
mod media;
mod pipeline;
mod politeness;
mod redirect;
mod request;
mod robots;
mod scheduler;
mod sweep;
mod websub;

pub use conditional::{Validators, http_date};
pub use discover::{FoundFeed, find_feeds};
pub use error::{FetchError, SourceError, TimeoutPhase};
pub use fleet::{DEFAULT_LEASE, LeaseSettings, process_owner};
pub use full_text::{
    FullText, MAX_PAGE_BYTES, MAX_PAGES_PER_FETCH, MOST_TRIES, PAGE_DELAY, PageFailure,
    ROBOTS_KEPT, Verdict, judge, next_try,
};
pub use guard::{AddressPolicy, Refusal, Rule, classify};
pub use http::{Body, Fetched, Fetcher, FetcherOptions};
pub use limits::{Finished, Limits, host_key};
pub use location::{Location, LocationError};
pub use media::{MediaCache, MediaSettings, folder_files};
pub use pipeline::{
    BodyGate, FetchReport, FullTextStats, MAX_PAGE_TIME_PER_FETCH, Pipeline, SourceFilter,
    SourceJob, SourceOptions,
};
pub use request::{BasicAuth, HeaderRefusal, SourceHeader, SourceRequest, is_loopback};
pub use robots::{MAX_CRAWL_DELAY, MAX_ROBOTS_BYTES, ROBOTS_AGENT, Robots};
pub use scheduler::{
    Clock, FIRST_FETCH_SPREAD, FetchEvent, MAX_SLEEP, ManualClock, PING_EVERY, Scheduler,
    SystemClock,
};
pub use sweep::{RECHECK, Sweep, SweepEvent};
pub use websub::{
    LEASE_SECONDS, MAX_TAG_PINGS, Publisher, RENEW_BEFORE, RETRY_DENIED_AFTER,
    RETRY_REQUESTED_AFTER, SubscribeError, Subscriber, is_public,
};
