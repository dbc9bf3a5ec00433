//! The site-wide change clock: when anything a page or feed shows last changed.
//!
//! Post times cannot say that (a retag changes archives without touching a post, a failed
//! fetch changes `/sources/`, and ingests stamped at their start commit in any order), so
//! every write that can change a page calls [`bump`] inside its own transaction, as its
//! last statement before the commit. The bump uses the wall clock at that moment, not the
//! caller's `now`: a transaction that waited for the write lock must still land after every
//! change a reader could already have seen. The clock never goes backwards.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::error::QueryContext;
use crate::{Result, Store, StoreError, from_secs, to_secs};

/// Moves the change clock forward to the current time (never backwards). Call it inside
/// the transaction that makes the change, right before committing.
pub(crate) async fn bump(tx: &mut SqliteConnection) -> Result<()> {
    let now = to_secs(Utc::now());
    sqlx::query("UPDATE site_state SET changed_at = $1 WHERE id = 1 AND changed_at < $1")
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
        let secs: Option<i64> =
            sqlx::query_scalar("SELECT changed_at FROM site_state WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
                .during("reading the change clock")?;
        secs.map(from_secs).ok_or_else(|| {
            StoreError::Corrupt("the change clock (table site_state) has no row".into())
        })
    }
}

#[cfg(test)]
mod tests;
