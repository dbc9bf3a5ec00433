//! The store behind the admin's actions, in one place: what the pages and the API read
//! (pending, filtered and removed posts, sources, the audit log) and what they decide
//! (approve, reject, take down, restore, pause, resume, fetch now), each decision recorded
//! in the audit log with its actor (`admin` for the pages, `api` for the API).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use syndic_core::{PostId, SourceId, SourceSummary};
use syndic_store::{ModeratedPost, Store, StoreError};

pub(crate) use syndic_core::Actor;

use super::AdminError;

/// How many rows a list shows at most.
pub(crate) const LIST_LIMIT: u32 = 500;

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

    fn past(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Reject => "rejected",
            Decision::Remove => "taken down",
            Decision::Restore => "restored",
        }
    }

    /// What the post must be for this decision to change anything.
    fn needs(self) -> &'static str {
        match self {
            Decision::Approve => "it is not waiting for review (or filtered)",
            Decision::Reject | Decision::Remove => "it is already taken down",
            Decision::Restore => "it is not taken down",
        }
    }
}

pub(crate) async fn pending(store: &Store) -> Result<Vec<PostRow>, AdminError> {
    Ok(rows(store.pending_posts(LIST_LIMIT).await?))
}

pub(crate) async fn filtered(store: &Store) -> Result<Vec<PostRow>, AdminError> {
    Ok(rows(store.filtered_posts(LIST_LIMIT).await?))
}

pub(crate) async fn removed(store: &Store) -> Result<Vec<PostRow>, AdminError> {
    Ok(rows(store.removed_posts(LIST_LIMIT).await?))
}

/// The newest decisions (at most [`LIST_LIMIT`]), those at or after `since` when given.
pub(crate) async fn audit(
    store: &Store,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<AuditRow>, AdminError> {
    let entries = store
        .audit_log(since.map(|time| time.timestamp()), LIST_LIMIT)
        .await?;
    Ok(entries
        .into_iter()
        .map(|entry| AuditRow {
            time: entry.time.to_rfc3339_opts(SecondsFormat::Secs, true),
            actor: entry.actor.as_str().to_owned(),
            action: entry.action,
            target: entry.target,
            reason: Some(entry.reason).filter(|reason| !reason.is_empty()),
        })
        .collect())
}

/// The post `text` names: its id, or its original URL.
pub(crate) async fn find_post(store: &Store, text: &str) -> Result<PostId, AdminError> {
    store
        .find_post(text)
        .await?
        .ok_or_else(|| AdminError::UnknownPost(text.to_owned()))
}

/// Applies `decision` to post `id`, with `reason` (required to take down); recorded in the
/// audit log by the store. A post that is not in a state the decision applies to (approving
/// a published post, restoring one that is not down) is [`AdminError::NoChange`].
pub(crate) async fn decide(
    store: &Store,
    decision: Decision,
    id: PostId,
    reason: Option<&str>,
    actor: Actor,
) -> Result<(), AdminError> {
    let now = Utc::now();
    let reason = reason.unwrap_or_default();
    let changed = match decision {
        Decision::Approve => store.approve_posts(&[id], actor, now).await? > 0,
        Decision::Reject => store.reject_posts(&[id], reason, actor, now).await? > 0,
        Decision::Remove => store.remove_post(id, reason, actor, now).await?,
        Decision::Restore => store.restore_post(id, actor, now).await?,
    };
    if changed {
        Ok(())
    } else {
        Err(AdminError::NoChange(format!(
            "post {id} cannot be {}: {}",
            decision.past(),
            decision.needs()
        )))
    }
}

fn rows(posts: Vec<ModeratedPost>) -> Vec<PostRow> {
    posts
        .into_iter()
        .map(|post| PostRow {
            id: post.id.0,
            title: post.title,
            link: post.link.unwrap_or_default(),
            source: post.source,
            why: Some(post.detail).filter(|detail| !detail.is_empty()),
        })
        .collect()
}

/// Every source with its health (as `/sources/` shows it).
pub(crate) async fn sources(store: &Store) -> Result<Vec<SourceSummary>, AdminError> {
    Ok(store.sources().await?)
}

/// What the admin can do to a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceAction {
    /// Not fetched until resumed (its posts stay).
    Pause,
    /// Fetched again on its schedule.
    Resume,
    /// Due at once.
    FetchNow,
}

impl SourceAction {
    /// The action a URL names (`pause`, `resume`, `fetch`).
    pub(crate) fn named(name: &str) -> Option<SourceAction> {
        match name {
            "pause" => Some(SourceAction::Pause),
            "resume" => Some(SourceAction::Resume),
            "fetch" => Some(SourceAction::FetchNow),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SourceAction::Pause => "pause",
            SourceAction::Resume => "resume",
            SourceAction::FetchNow => "fetch",
        }
    }

    /// Why the action changed nothing.
    fn refused(self) -> &'static str {
        match self {
            SourceAction::Pause => "it is already paused here",
            SourceAction::Resume => "the admin has not paused it",
            SourceAction::FetchNow => "it is paused or gone; resume it first",
        }
    }
}

/// Applies `action` to source `id`, recorded in the audit log (by the store) when it
/// changed something; a change of nothing is [`AdminError::NoChange`].
pub(crate) async fn act_on_source(
    store: &Store,
    action: SourceAction,
    id: i64,
    actor: Actor,
) -> Result<(), AdminError> {
    let now = Utc::now();
    let source = SourceId(id);
    let done = match action {
        SourceAction::Pause => store.set_source_paused(source, true, actor, now).await,
        SourceAction::Resume => store.set_source_paused(source, false, actor, now).await,
        SourceAction::FetchNow => store.fetch_source_now(source, actor, now).await,
    };
    match done {
        Ok(true) => Ok(()),
        Ok(false) => Err(AdminError::NoChange(format!(
            "source {id} was not changed: {}",
            action.refused()
        ))),
        Err(StoreError::UnknownSource { .. }) => Err(AdminError::UnknownSource(id)),
        Err(error) => Err(error.into()),
    }
}
