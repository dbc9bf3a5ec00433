//! When sources are due: what the scheduler asks the store between fetches.

use chrono::{DateTime, Utc};
use syndic_core::{SourceId, SourceStatus};

use crate::error::QueryContext;
use crate::{Result, Store, StoreError, from_secs, to_secs};

impl Store {
    /// Sources due at `now`, the longest overdue first (never fetched before all): not
    /// gone, not paused, next fetch unset or reached, and any `Retry-After` wait over.
    pub async fn due_sources(&self, now: DateTime<Utc>) -> Result<Vec<SourceId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM sources
             WHERE status <> 'gone'
                 AND (next_fetch_at IS NULL OR next_fetch_at <= $1)
                 AND (wait_until IS NULL OR wait_until <= $1)
                 AND paused = 0 AND paused_at IS NULL
             ORDER BY COALESCE(next_fetch_at, 0), id",
        )
        .bind(to_secs(now))
        .fetch_all(&self.pool)
        .await
        .during("listing due sources")?;
        Ok(ids.into_iter().map(SourceId).collect())
    }

    /// Sources never scheduled (no next fetch time) and not gone, by id: those a
    /// scheduler gives a spread-out first fetch time ([`Store::schedule_first_fetch`]).
    pub async fn unscheduled_sources(&self) -> Result<Vec<SourceId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM sources WHERE next_fetch_at IS NULL AND status <> 'gone' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .during("listing unscheduled sources")?;
        Ok(ids.into_iter().map(SourceId).collect())
    }

    /// Gives a never-scheduled `source` its first fetch time `at` (the scheduler spreads
    /// first fetches so that new sources do not all fetch at once). Does nothing when the
    /// source already has a next fetch or is gone; returns whether it was scheduled. Does
    /// not move the change clock: no page shows the next fetch time.
    pub async fn schedule_first_fetch(&self, source: SourceId, at: DateTime<Utc>) -> Result<bool> {
        let scheduled = sqlx::query(
            "UPDATE sources SET next_fetch_at = $1
             WHERE id = $2 AND next_fetch_at IS NULL AND status <> 'gone'",
        )
        .bind(to_secs(at))
        .bind(source.0)
        .execute(&self.pool)
        .await
        .during("scheduling a first fetch")?;
        Ok(scheduled.rows_affected() > 0)
    }

    /// The earliest time after `after` at which a source neither gone nor paused becomes
    /// due (the later of its next fetch and any `Retry-After` wait), or `None` when none is. Sources
    /// due at or before `after` are left out: the scheduler has just started them (or has
    /// no job for them), so they are no reason to wake up.
    pub async fn next_wakeup(&self, after: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let sql = format!(
            "SELECT MIN(due) FROM (
                 SELECT {greatest}(next_fetch_at, COALESCE(wait_until, next_fetch_at)) AS due
                 FROM sources
                 WHERE status <> 'gone' AND next_fetch_at IS NOT NULL
                     AND paused = 0 AND paused_at IS NULL
             ) AS upcoming WHERE due > $1",
            greatest = self.engine.greatest()
        );
        let secs: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(to_secs(after))
            .fetch_one(&self.pool)
            .await
            .during("finding the next fetch time")?;
        Ok(secs.map(from_secs))
    }

    /// How many sources stand in each status, every status listed (zero included) in the
    /// order ok, failing, waiting, gone: the `syndic_sources` gauge.
    pub async fn sources_by_status(&self) -> Result<Vec<(SourceStatus, u64)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM sources GROUP BY status")
                .fetch_all(&self.pool)
                .await
                .during("counting sources by status")?;
        let mut counts = [
            SourceStatus::Ok,
            SourceStatus::Failing,
            SourceStatus::Waiting,
            SourceStatus::Gone,
        ]
        .map(|status| (status, 0u64));
        for (status, count) in rows {
            let status: SourceStatus = status
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("a source's status: {e}")))?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == status) {
                slot.1 += u64::try_from(count).unwrap_or(0);
            }
        }
        Ok(counts.to_vec())
    }
}
