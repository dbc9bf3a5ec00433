//! The site-wide change clock: when anything a page or feed shows last changed.
//!
//! Post times cannot say that (a retag changes archives without touching a post, a failed
//! fetch changes `/sources/`, and ingests stamped at their start commit in any order), so
//! every write that can change a page calls [`bump`] inside its own transaction, as its
//! last statement before the commit. The bump uses the wall clock at that moment, not the
//! caller's `now`: a transaction that waited for the write lock must still land after every
//! change a reader could already have seen. The clock never goes backwards.
//!
//! Beside the time, every bump adds one to a counter ([`ChangeStamp::version`]): the time
//! counts whole seconds, so two commits within one second would look the same to a cache
//! keyed by it. The counter tells them apart.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use crate::error::QueryContext;
use crate::{Result, Store, StoreError, from_secs, to_secs};

/// One read of the change clock: when the site last changed and how many changes it has
/// seen. Two equal stamps mean nothing a page shows was committed in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeStamp {
    /// Moves by one (or more) with every committed change; never goes backwards.
    pub version: i64,
    /// The wall-clock time of the last change, to the second (the site's `Last-Modified`).
    pub changed_at: DateTime<Utc>,
}

/// Moves the change clock forward to the current time (never backwards) and counts the
/// change. Call it inside the transaction that makes the change, right before committing.
pub(crate) async fn bump(tx: &mut AnyConnection) -> Result<()> {
    let now = to_secs(Utc::now());
    sqlx::query(
        "UPDATE site_state SET version = version + 1,
             changed_at = CASE WHEN changed_at < $1 THEN $1 ELSE changed_at END
         WHERE id = 1",
    )
    .bind(now)
    .execute(tx)
    .await
    .during("moving the change clock")?;
    Ok(())
}

impl Store {
    /// When anything a page or feed shows last changed, to the second: the site's
    /// `Last-Modified`. One indexed row; never goes backwards.
    pub async fn last_change(&self) -> Result<DateTime<Utc>> {
        Ok(self.change_stamp().await?.changed_at)
    }

    /// The change clock and its counter in one read: what a page cache keys on.
    pub async fn change_stamp(&self) -> Result<ChangeStamp> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT version, changed_at FROM site_state WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
                .during("reading the change clock")?;
        let (version, secs) = row.ok_or_else(|| {
            StoreError::Corrupt("the change clock (table site_state) has no row".into())
        })?;
        Ok(ChangeStamp {
            version,
            changed_at: from_secs(secs),
        })
    }
}

#[cfg(test)]
mod tests;
