//! The fleet's turns per host (migration 24): the requests a fetch makes beside its feed
//! (full text's pages and robots.txt, the media cache's images) are spaced per host
//! across every process on the store, not only within one.
//!
//! A turn is one row per host and kind holding when the next request may start
//! (`next_at_ms`, UTC milliseconds: image gaps are under a second). A process takes a turn
//! with one statement: an upsert that moves the time to its start plus the gap only where
//! that time has passed, `RETURNING` the row it wrote; no row back means another process
//! holds the host for now, and [`Store::take_host_turn`] says until when. On PostgreSQL
//! the upsert locks the row, so of two processes asking at once the second sees the
//! first's new time and gets nothing; on SQLite the write runs alone. Turns space the
//! *starts* of requests; a process still keeps one request per host in flight at a time
//! (`syndic-fetch`'s in-process gate). Times are the callers' clocks, as leases' are.

use chrono::{DateTime, Utc};

use crate::error::QueryContext;
use crate::{Result, Store};

/// Which requests a turn spaces; each kind keeps its own turns per host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TurnKind {
    /// Full text's reads of posts' pages and of robots.txt.
    Page,
    /// The media cache's image reads.
    Image,
}

impl TurnKind {
    /// As the store writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TurnKind::Page => "page",
            TurnKind::Image => "image",
        }
    }
}

/// What asking for a host's turn got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostTurn {
    /// The request may start now; the next one to the host waits for the gap.
    Taken,
    /// Another request to the host started less than its gap ago: ask again at this time.
    WaitUntil(DateTime<Utc>),
}

/// Turns whose time is older than this are forgotten (nobody is waiting on them).
const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;

impl Store {
    /// Takes `kind`'s turn of `host` at `now` when its time has passed, setting the next
    /// one to `now + gap`; else says when to ask again. See the module documentation.
    pub async fn take_host_turn(
        &self,
        host: &str,
        kind: TurnKind,
        gap: std::time::Duration,
        now: DateTime<Utc>,
    ) -> Result<HostTurn> {
        let now_ms = now.timestamp_millis();
        let gap_ms = i64::try_from(gap.as_millis()).unwrap_or(i64::MAX);
        let taken: Option<i64> = sqlx::query_scalar(
            "INSERT INTO host_turns (host, kind, next_at_ms) VALUES ($1, $2, $3)
             ON CONFLICT (host, kind) DO UPDATE SET next_at_ms = excluded.next_at_ms
             WHERE host_turns.next_at_ms <= $4
             RETURNING next_at_ms",
        )
        .bind(host)
        .bind(kind.as_str())
        .bind(now_ms.saturating_add(gap_ms))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await
        .during("taking a host's turn")?;
        if taken.is_some() {
            return Ok(HostTurn::Taken);
        }
        let next: Option<i64> =
            sqlx::query_scalar("SELECT next_at_ms FROM host_turns WHERE host = $1 AND kind = $2")
                .bind(host)
                .bind(kind.as_str())
                .fetch_optional(&self.pool)
                .await
                .during("reading a host's turn")?;
        // Gone or past meanwhile: ask again at once.
        let at = next.unwrap_or(now_ms).max(now_ms);
        Ok(HostTurn::WaitUntil(
            DateTime::from_timestamp_millis(at).unwrap_or(now),
        ))
    }

    /// Forgets the turns whose time passed more than a day before `now`; how many.
    pub async fn forget_past_host_turns(&self, now: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM host_turns WHERE next_at_ms < $1")
            .bind(now.timestamp_millis().saturating_sub(FORGET_AFTER_MS))
            .execute(&self.pool)
            .await
            .during("forgetting past host turns")?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
#[path = "host_turns_tests.rs"]
mod tests;
