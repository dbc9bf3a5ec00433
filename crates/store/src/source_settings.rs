//! Per-source settings the store needs at run time: whether a source is paused (by its
//! `[[source]]` or by the admin), how its posts follow changes, its attribution line,
//! whether its posts' pages are read (`full_content`).
//!
//! The configuration's part is synced at start-up ([`Store::sync_source_settings`]: read
//! the row, compare in Rust, write only what changed); the admin's pause is its own column
//! ([`Store::set_source_paused`]), so a restart never undoes it. A source is paused when
//! either says so: the scheduler never claims it and `syndic fetch` skips it.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use syndic_core::{Actor, SourceId};

use crate::error::QueryContext;
use crate::{Result, Store, StoreError, audit, clock, text, to_secs};

/// How a source's stored posts follow its feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UpdatePolicy {
    /// A changed item updates its post (the default).
    #[default]
    Follow,
    /// A post never changes after it was first stored.
    Freeze,
}

impl UpdatePolicy {
    /// As the store (and the configuration) writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdatePolicy::Follow => "follow",
            UpdatePolicy::Freeze => "freeze",
        }
    }

    fn from_stored(text: &str) -> Result<UpdatePolicy> {
        match text {
            "follow" => Ok(UpdatePolicy::Follow),
            "freeze" => Ok(UpdatePolicy::Freeze),
            other => Err(StoreError::Corrupt(format!(
                "source row: {other:?} is not an update policy"
            ))),
        }
    }
}

/// The settings of one `[[source]]` that the store keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceSettings {
    /// `paused = true` in the configuration.
    pub paused: bool,
    pub updates: UpdatePolicy,
    /// The attribution template as written; `None` for the default line.
    pub attribution: Option<String>,
    /// Credit an aggregator's items to the feed each came from, when it says.
    pub credit_original: bool,
    /// Take down a post when the feed says it was deleted (an Atom tombstone).
    pub honor_deletions: bool,
    /// Whose credit a post several sources carry keeps: the highest priority's (the
    /// first source's on a tie). Default 0.
    pub priority: i64,
    /// `full_content` as written (`readability` or a CSS selector): the source's posts
    /// take their page's article when it is clearly longer. `None`: the feed's text only.
    pub full_content: Option<String>,
}

impl Store {
    /// Makes `source`'s stored settings those of its `[[source]]`. Writes (and moves the
    /// change clock, since pages show the attribution) only when something differs;
    /// returns whether it wrote. Never touches the admin's pause. A changed `priority`
    /// credits every merged post the source carries again (see `merging/recredit.rs`).
    pub async fn sync_source_settings(
        &self,
        source: SourceId,
        settings: &SourceSettings,
    ) -> Result<bool> {
        let wanted = wanted_settings(settings);
        let stored = self.source_settings(source).await?;
        if stored == wanted {
            return Ok(false);
        }
        let mut tx = self.write("starting to store a source's settings").await?;
        sqlx::query(
            "UPDATE sources SET paused = $1, updates = $2, attribution = $3, credit_original = $4,
                 honor_deletions = $5, priority = $6, full_content = $7
             WHERE id = $8",
        )
        .bind(i64::from(wanted.paused))
        .bind(wanted.updates.as_str())
        .bind(&wanted.attribution)
        .bind(i64::from(wanted.credit_original))
        .bind(i64::from(wanted.honor_deletions))
        .bind(wanted.priority)
        .bind(&wanted.full_content)
        .bind(source.0)
        .execute(&mut *tx)
        .await
        .during("storing a source's settings")?;
        if stored.priority != wanted.priority {
            crate::merging::recredit::recredit(&mut tx, source).await?;
        }
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing a source's settings")?;
        Ok(true)
    }

    /// The settings stored for `source` (the configuration's part).
    pub async fn source_settings(&self, source: SourceId) -> Result<SourceSettings> {
        let row: Option<SettingsRow> = sqlx::query_as(
            "SELECT paused, updates, attribution, credit_original, honor_deletions, priority,
                 full_content
             FROM sources WHERE id = $1",
        )
        .bind(source.0)
        .fetch_optional(&self.pool)
        .await
        .during("reading a source's settings")?;
        settings_of(row.ok_or(StoreError::UnknownSource { id: source })?)
    }

    /// Pauses (`paused = true`) or resumes `source` for the admin, from `at`. The admin's
    /// pause lasts until the admin resumes it, restarts included; the configuration's
    /// `paused = true` is separate: a source is fetched only when neither pauses it, so
    /// resuming here does not fetch a source its `[[source]]` pauses. Returns whether the
    /// admin's pause changed (pausing a paused source changes nothing). When it did, the
    /// decision is recorded in the audit log (`pause` or `resume` by `actor`) and the
    /// change clock moves (the sources page shows it), in one transaction.
    pub async fn set_source_paused(
        &self,
        source: SourceId,
        paused: bool,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write("starting to pause a source").await?;
        let update = if paused {
            sqlx::query("UPDATE sources SET paused_at = $1 WHERE id = $2 AND paused_at IS NULL")
                .bind(to_secs(at))
        } else {
            sqlx::query(
                "UPDATE sources SET paused_at = NULL WHERE id = $1 AND paused_at IS NOT NULL",
            )
        };
        let changed = update
            .bind(source.0)
            .execute(&mut *tx)
            .await
            .during("pausing or resuming a source")?
            .rows_affected()
            > 0;
        if !changed {
            let known: Option<i64> = sqlx::query_scalar("SELECT id FROM sources WHERE id = $1")
                .bind(source.0)
                .fetch_optional(&mut *tx)
                .await
                .during("looking up a source")?;
            known.ok_or(StoreError::UnknownSource { id: source })?;
            return Ok(false);
        }
        let action = if paused { "pause" } else { "resume" };
        audit::record(&mut tx, actor, action, &target(source), "", at).await?;
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing a source's pause")?;
        Ok(true)
    }

    /// Makes `source` due at `at`: its next fetch set to `at` and any `Retry-After` wait
    /// dropped, so the scheduler (or the next `syndic fetch`) reads it at once. A paused
    /// source stays paused and a gone one gone: returns whether the source will now be
    /// fetched (false for those). The request is recorded in the audit log (`fetch now`
    /// by `actor`) when it made the source due.
    pub async fn fetch_source_now(
        &self,
        source: SourceId,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write("starting to make a source due").await?;
        let row: Option<(i64, Option<i64>, String)> =
            sqlx::query_as("SELECT paused, paused_at, status FROM sources WHERE id = $1")
                .bind(source.0)
                .fetch_optional(&mut *tx)
                .await
                .during("looking up a source")?;
        let (paused, paused_at, status) = row.ok_or(StoreError::UnknownSource { id: source })?;
        if paused != 0 || paused_at.is_some() || status == "gone" {
            return Ok(false);
        }
        sqlx::query("UPDATE sources SET next_fetch_at = $1, wait_until = NULL WHERE id = $2")
            .bind(to_secs(at))
            .bind(source.0)
            .execute(&mut *tx)
            .await
            .during("making a source due")?;
        audit::record(&mut tx, actor, "fetch now", &target(source), "", at).await?;
        tx.commit()
            .await
            .during("committing a source's fetch now")?;
        Ok(true)
    }

    /// The sources paused by their `[[source]]` or by the admin, by id.
    pub async fn paused_sources(&self) -> Result<Vec<SourceId>> {
        let sql = format!("SELECT id FROM sources WHERE NOT ({NOT_PAUSED}) ORDER BY id");
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .during("listing paused sources")?;
        Ok(ids.into_iter().map(SourceId).collect())
    }
}

/// The condition a source the fetcher may read meets: paused by neither the configuration
/// nor the admin. Every query that picks sources to fetch adds it.
pub(crate) const NOT_PAUSED: &str = "paused = 0 AND paused_at IS NULL";

/// What an ingest follows of its source's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct IngestPolicy {
    pub(crate) updates: UpdatePolicy,
    pub(crate) honor_deletions: bool,
    /// The source's `priority` (merging).
    pub(crate) priority: i64,
}

/// Reads the update policy and deletion setting of `source` inside an ingest.
pub(crate) async fn ingest_policy(
    tx: &mut sqlx::AnyConnection,
    source: SourceId,
) -> Result<IngestPolicy> {
    let row: Option<(String, i64, i64)> =
        sqlx::query_as("SELECT updates, honor_deletions, priority FROM sources WHERE id = $1")
            .bind(source.0)
            .fetch_optional(&mut *tx)
            .await
            .during("reading a source's update policy")?;
    let Some((updates, honor_deletions, priority)) = row else {
        return Ok(IngestPolicy::default());
    };
    Ok(IngestPolicy {
        updates: UpdatePolicy::from_stored(&updates)?,
        honor_deletions: honor_deletions != 0,
        priority,
    })
}

/// How the audit log names a source.
fn target(source: SourceId) -> String {
    format!("source {}", source.0)
}

/// The configuration's settings columns of a source row, in the order
/// [`Store::source_settings`] reads them.
pub(crate) type SettingsRow = (i64, String, Option<String>, i64, i64, i64, Option<String>);

/// The settings a row holds.
pub(crate) fn settings_of(row: SettingsRow) -> Result<SourceSettings> {
    let (paused, updates, attribution, credit_original, honor_deletions, priority, full_content) =
        row;
    Ok(SourceSettings {
        paused: paused != 0,
        updates: UpdatePolicy::from_stored(&updates)?,
        attribution,
        credit_original: credit_original != 0,
        honor_deletions: honor_deletions != 0,
        priority,
        full_content,
    })
}

/// `settings` as the store keeps them (texts cleaned), to compare with what it holds.
pub(crate) fn wanted_settings(settings: &SourceSettings) -> SourceSettings {
    SourceSettings {
        attribution: text::clean_opt(settings.attribution.as_deref()).map(Cow::into_owned),
        full_content: text::clean_opt(settings.full_content.as_deref()).map(Cow::into_owned),
        ..settings.clone()
    }
}
