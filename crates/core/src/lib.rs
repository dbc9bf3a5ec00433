//! Domain types shared by every syndic crate.
//!
//! A post flows one way: fetch → parse → sanitize → tag → store → render. The types here
//! are the vocabulary of that flow: what a parser hands on ([`FeedEntry`], [`FeedMeta`]),
//! what tagging decides ([`TagAssignment`]), and what the store gives back to pages and
//! exports ([`Post`], [`Tag`], [`SourceSummary`]); [`Enclosure`] is a file a post carries
//! and [`keep_enclosures`] what a post may carry. [`schedule`] holds the pure maths of
//! when to fetch a source next (adaptive intervals, back-off, `Retry-After`); [`metrics`]
//! counts fetches in atomics and writes them in the Prometheus text format; [`PostState`],
//! [`Admission`] and [`Actor`] name what the operator decides about posts and who decided;
//! [`media`] sniffs raster images and names their content-addressed copies.
//!
//! This crate does no IO and knows nothing of HTTP, SQL or HTML parsing; it is the inner
//! ring every other crate depends on.

pub mod article;
mod attribution;
mod enclosure;
mod learning;
pub mod media;
pub mod metrics;
mod moderation;
mod paging;
mod post;
pub mod schedule;
mod slug;
mod source;
mod tag;

pub use article::{Fingerprint, MergeReason, PostCopy};
pub use attribution::{
    AttributionTemplate, AttributionValues, DEFAULT_ATTRIBUTION, Filled, Placeholder, TemplateError,
};
pub use enclosure::{
    Enclosure, KeptEnclosures, MAX_ENCLOSURE_TITLE_CHARS, MAX_ENCLOSURE_URL_BYTES, MAX_ENCLOSURES,
    MAX_MEDIA_TYPE_BYTES, MediaKind, keep_enclosures,
};
pub use learning::{CorpusStats, TagDecisions};
pub use metrics::{FetchMetrics, FetchOutcome};
pub use moderation::{Actor, Admission, PostState};
pub use paging::{MAX_PAGE, Page};
pub use post::{DeletedEntry, EntryOrigin, FeedEntry, FeedMeta, Post, PostForTagging, PostId};
pub use schedule::{ScheduleSettings, ServerHints, SourceStatus, UnknownSourceStatus};
pub use slug::slugify;
pub use source::{SourceId, SourceSummary};
pub use tag::{Tag, TagAssignment, TagId, TagOrigin, TagRef, UnknownTagOrigin};
