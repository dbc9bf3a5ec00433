//! The store behind the admin's actions, in one place: what the pages and the API read
//! (pending, filtered and removed posts, sources, the audit log) and what they decide
//! (approve, reject, take down, restore, pause, resume, fetch now), each decision recorded
//! in the audit log with its actor (`admin` for the pages, `api` for the API).
//!
//! The moderation and per-source functions of the store are written on other branches;
//! until they are merged, those actions answer [`AdminError::NotAvailableYet`].

use chrono::{DateTime, Utc};
use serde::Serialize;
use syndic_core::SourceSummary;
use syndic_store::Store;

use super::AdminError;

/// How many rows a list shows at most.
pub(crate) const LIST_LIMIT: u32 = 500;

const MODERATION: &str = "moderation (review, takedowns, filtered posts, the audit log)";
const SOURCE_SETTINGS: &str = "pausing, resuming and fetching a source now";

/// Who decided: the pages or the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Actor {
    Admin,
    Api,
}

/// A post waiting for review, or hidden (filtered by a rule, taken down).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PostRow {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) link: String,
    pub(crate) source: String,
    /// Why it is hidden: the rule that filtered it, or the takedown's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) why: Option<String>,
}

/// One decision of the audit log.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AuditRow {
    /// RFC 3339, UTC.
    pub(crate) time: String,
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) target: String,
    pub(crate) reason: Option<String>,
}

/// A decision about one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Approve,
    Reject,
    Remove,
    Restore,
}

impl Decision {
    /// The decision an API path names (`/admin/api/posts/<id>/<name>`).
    pub(crate) fn named(name: &str) -> Option<Decision> {
        match name {
            "approve" => Some(Decision::Approve),
            "reject" => Some(Decision::Reject),
            "remove" => Some(Decision::Remove),
            "restore" => Some(Decision::Restore),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::Remove => "remove",
            Decision::Restore => "restore",
        }
    }
}

pub(crate) async fn pending(_store: &Store) -> Result<Vec<PostRow>, AdminError> {
    Err(AdminError::NotAvailableYet(MODERATION))
}

pub(crate) async fn filtered(_store: &Store) -> Result<Vec<PostRow>, AdminError> {
    Err(AdminError::NotAvailableYet(MODERATION))
}

pub(crate) async fn removed(_store: &Store) -> Result<Vec<PostRow>, AdminError> {
    Err(AdminError::NotAvailableYet(MODERATION))
}

pub(crate) async fn audit(
    _store: &Store,
    _since: Option<DateTime<Utc>>,
) -> Result<Vec<AuditRow>, AdminError> {
    Err(AdminError::NotAvailableYet(MODERATION))
}

/// The post `text` names: its id, or its original URL.
pub(crate) async fn find_post(_store: &Store, text: &str) -> Result<i64, AdminError> {
    let _ = text;
    Err(AdminError::NotAvailableYet(MODERATION))
}

/// Applies `decision` to post `id`, with `reason` (required to take down).
pub(crate) async fn decide(
    _store: &Store,
    decision: Decision,
    id: i64,
    reason: Option<&str>,
    actor: Actor,
) -> Result<(), AdminError> {
    let _ = (decision, id, reason, actor);
    Err(AdminError::NotAvailableYet(MODERATION))
}

/// Every source with its health (as `/sources/` shows it).
pub(crate) async fn sources(store: &Store) -> Result<Vec<SourceSummary>, AdminError> {
    Ok(store.sources().await?)
}

/// Pauses or resumes source `id`.
pub(crate) async fn set_paused(
    _store: &Store,
    id: i64,
    paused: bool,
    actor: Actor,
) -> Result<(), AdminError> {
    let _ = (id, paused, actor);
    Err(AdminError::NotAvailableYet(SOURCE_SETTINGS))
}

/// Makes source `id` due at once.
pub(crate) async fn fetch_now(_store: &Store, id: i64, actor: Actor) -> Result<(), AdminError> {
    let _ = (id, actor);
    Err(AdminError::NotAvailableYet(SOURCE_SETTINGS))
}
