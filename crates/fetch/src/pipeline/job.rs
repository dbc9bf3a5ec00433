//! What a fetch is given (one configured source) and what a successful one reports.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use syndic_core::SourceId;
use syndic_store::IngestStats;
use syndic_tag::CategoryPolicy;

use crate::{Location, SourceRequest};

/// One source to ingest, as the configuration describes it.
#[derive(Debug, Clone)]
pub struct SourceJob {
    pub id: SourceId,
    pub location: Location,
    /// Tags every post of this source gets.
    pub tags: Vec<String>,
    /// Hold this source's new posts for review (stored, tagged, not published until
    /// approved); updates to published posts stay published.
    pub review: bool,
    /// The source's own request settings and category policy.
    pub options: SourceOptions,
}

/// What a `[[source]]` changes in how its feed is read and tagged. The default changes
/// nothing.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// User-Agent, headers, credentials, deadline ([`crate::Fetcher::fetch_as`]).
    pub request: SourceRequest,
    /// How this source's feed categories become tags, instead of `[tagging] categories`.
    pub categories: Option<CategoryPolicy>,
    /// The keep/block rules and `only_tagged` its new posts pass.
    pub filter: SourceFilter,
    /// `full_content`: read each new post's page and take its article when it is clearly
    /// longer than the feed's text (with [`crate::Pipeline::full_text`]).
    pub full_content: Option<syndic_feed::ArticleRule>,
}

/// What decides whether a source's new posts are published or filtered: the compiled
/// `[[rule]]`s (shared by every source; `None` when there are none), the source's URL as
/// configured (which rules with `sources` compare), and its `only_tagged`. The default
/// filters nothing.
#[derive(Debug, Clone, Default)]
pub struct SourceFilter {
    pub rules: Option<Arc<syndic_tag::RuleSet>>,
    pub url: String,
    pub only_tagged: bool,
}

/// What one successful fetch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchReport {
    pub stats: IngestStats,
    /// Nothing to read: the server answered 304, or sent the same bytes as last time.
    pub unchanged: bool,
    /// The feed moved permanently (301/308) to this address, now stored as its URL.
    pub moved_to: Option<String>,
    pub next_fetch: DateTime<Utc>,
    /// The WebSub hubs and topic the feed advertises (only when it was parsed).
    pub websub: Option<syndic_feed::WebSubLinks>,
    /// The slugs of the (automatic) tags of the posts that were new or updated, each
    /// once, in order of first appearance: whose tag feeds changed.
    pub touched_tags: Vec<String>,
}
