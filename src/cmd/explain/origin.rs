//! Where a post's text came from, for `syndic explain`: its feed, or its web page
//! (`[[source]] full_content`), as the store recorded it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use syndic_store::{ContentOrigin, FullTextState};

/// `content_origin` in `--format json`.
#[derive(Serialize)]
pub(super) struct ContentOriginReport {
    /// `feed` (the feed's text) or `page` (the article of `page_url`).
    pub from: &'static str,
    /// Where the page stands: `none` (never looked at), `pending`, `page`, `feed` (read,
    /// not clearly longer), `failed`.
    pub page_state: &'static str,
    pub page_url: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
    /// Why the feed's text was kept, or why the page failed.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub failures: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<DateTime<Utc>>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl ContentOriginReport {
    pub(super) fn of(origin: Option<ContentOrigin>) -> ContentOriginReport {
        let Some(origin) = origin else {
            return ContentOriginReport {
                from: "feed",
                page_state: "none",
                page_url: None,
                checked_at: None,
                reason: String::new(),
                failures: 0,
                retry_at: None,
            };
        };
        ContentOriginReport {
            from: match origin.state {
                FullTextState::Page => "page",
                _ => "feed",
            },
            page_state: origin.state.as_str(),
            page_url: origin.page_url,
            checked_at: origin.checked_at,
            reason: origin.reason,
            failures: origin.failures,
            retry_at: origin.retry_at,
        }
    }

    /// The `text:` line for people.
    pub(super) fn line(&self) -> String {
        let url = self.page_url.as_deref().unwrap_or("(no link)");
        let at = self.checked_at.map_or(String::new(), |at| {
            format!(" at {}", at.format("%Y-%m-%d %H:%M UTC"))
        });
        match self.page_state {
            "page" => format!("from its page {url} (read{at})"),
            "pending" => "from the feed; its page waits to be read".to_owned(),
            "feed" => format!(
                "from the feed; its page {url} was read{at}: {}",
                self.reason
            ),
            "failed" => {
                let next = match self.retry_at {
                    Some(retry) => format!("next try {}", retry.format("%Y-%m-%d %H:%M UTC")),
                    None => "no further try".to_owned(),
                };
                format!(
                    "from the feed; its page {url} failed{at} ({} tries, {next}): {}",
                    self.failures, self.reason
                )
            }
            _ => "from the feed".to_owned(),
        }
    }
}
