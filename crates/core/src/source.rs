use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::SourceStatus;

/// Primary key of a stored source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SourceId(pub i64);

impl std::fmt::Display for SourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A source as listed on pages and in the CLI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceSummary {
    pub id: SourceId,
    pub slug: String,
    pub url: String,
    /// Configured name, else the feed's title, else the URL.
    pub name: String,
    pub site_url: Option<String>,
    pub post_count: i64,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Where the source stands with the fetcher.
    pub status: SourceStatus,
    /// Failed fetches in a row (0 after a success).
    pub error_count: i64,
    /// When the scheduler fetches it next; `None` before its first scheduled fetch and
    /// once it is gone.
    pub next_fetch: Option<DateTime<Utc>>,
    /// Not fetched: `paused = true` in its `[[source]]`, or paused by the admin (until
    /// resumed). Its posts stay.
    pub paused: bool,
    /// `full_content` as its `[[source]]` writes it (`readability` or a CSS selector):
    /// its posts' pages are read for their article. `None`: the feed's text only.
    pub full_content: Option<String>,
}
