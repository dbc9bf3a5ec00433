//! The audit log: every decision about what is republished, with its time, who made it
//! (`cli`, `admin`, `api`), the action, its target and the reason given.
//!
//! Decisions the store makes (takedowns, restores, approvals, rejections, a rule that
//! filtered a new post) are recorded in the transaction that makes them; others (a manual
//! tag, pausing a source) through [`Store::record_audit`]. The log changes no page, so
//! recording never moves the change clock.

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use syndic_core::Actor;

use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store, StoreError, from_secs, text, to_secs};

/// One decision of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub time: DateTime<Utc>,
    pub actor: Actor,
    /// What was decided: `remove`, `restore`, `approve`, `reject`, `purge`, `filter`,
    /// `tag add`, `tag remove`, `pause`, `resume`, ...
    pub action: String,
    /// What it was decided on: `post 12`, `source 3 (40 posts)`, ...
    pub target: String,
    /// Why, as given (empty when none was).
    pub reason: String,
}

impl Store {
    /// Records a decision made outside the store's own moderation calls (a manual tag, a
    /// paused source): `action` on `target` by `actor` at `at`, for `reason`.
    pub async fn record_audit(
        &self,
        actor: Actor,
        action: &str,
        target: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write("starting to record a decision").await?;
        record(&mut tx, actor, action, target, reason, at).await?;
        tx.commit().await.during("committing a decision")?;
        Ok(())
    }

    /// The decisions made at or after `since` (seconds since the epoch; all when `None`),
    /// newest first, at most `limit`.
    pub async fn audit_log(&self, since: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>> {
        let mut select =
            Sql::new("SELECT at, actor, action, target, reason FROM audit_log WHERE at >= ");
        select
            .bind(since.unwrap_or(i64::MIN))
            .push(" ORDER BY at DESC, id DESC LIMIT ")
            .bind(i64::from(limit));
        let rows = select
            .fetch_all(&self.pool, "reading the audit log")
            .await?;
        rows.iter().map(entry_from_row).collect()
    }
}

/// Records one decision inside the caller's transaction.
pub(crate) async fn record(
    tx: &mut AnyConnection,
    actor: Actor,
    action: &str,
    target: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, reason) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(to_secs(at))
    .bind(actor.as_str())
    .bind(text::clean(action).into_owned())
    .bind(text::clean(target).into_owned())
    .bind(text::clean(reason).into_owned())
    .execute(&mut *tx)
    .await
    .during("recording a decision")?;
    Ok(())
}

fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    let read = || -> Result<_, sqlx::Error> {
        Ok((
            row.try_get::<i64, _>(0)?,
            row.try_get::<String, _>(1)?,
            row.try_get::<String, _>(2)?,
            row.try_get::<String, _>(3)?,
            row.try_get::<String, _>(4)?,
        ))
    };
    let (at, actor, action, target, reason) = read().during("reading the audit log")?;
    let actor = Actor::parse(&actor).ok_or_else(|| {
        StoreError::Corrupt(format!("an audit entry names the unknown actor {actor:?}"))
    })?;
    Ok(AuditEntry {
        time: from_secs(at),
        actor,
        action,
        target,
        reason,
    })
}
