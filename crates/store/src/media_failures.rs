//! The images the media cache could not keep (`media_failures`, migration 21): why, and
//! when to try each again, so the wait survives a restart and `syndic explain` and
//! `syndic media status` can show them.
//!
//! The store only reads and writes rows; when to try again is
//! [`MediaFailure::after_failure`]'s decision. A row is keyed by the sha256 of its
//! address ([`url_key`]), since an address can outgrow an index entry.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use syndic_core::SourceId;
use syndic_core::media::{MOST_FORCED_TRIES, MediaFailure};

use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store, from_secs, text, to_secs};

const COLUMNS: &str =
    "url, source_id, error, failures, first_failed_at, last_failed_at, next_try_at";

/// Addresses looked up per statement (SQLite's statements carry at most 250 parameters).
const PER_STATEMENT: usize = 200;

impl Store {
    /// The recorded failures of those of `urls` that have one, in no order.
    pub async fn media_failures_of(&self, urls: &[String]) -> Result<Vec<MediaFailure>> {
        let mut found = Vec::new();
        for chunk in urls.chunks(PER_STATEMENT) {
            let mut sql = Sql::new(&format!(
                "SELECT {COLUMNS} FROM media_failures WHERE url_key IN ("
            ));
            sql.push_list(chunk, |sql, url| {
                sql.bind(url_key(url));
            });
            sql.push(")");
            let rows = sql
                .fetch_all(&self.pool, "reading the failures of cached images")
                .await?;
            for row in &rows {
                found.push(failure_from_row(row).during("reading an image failure")?);
            }
        }
        Ok(found)
    }

    /// Records `failure` (replacing what was recorded for its address).
    pub async fn record_media_failure(&self, failure: &MediaFailure) -> Result<()> {
        sqlx::query(
            "INSERT INTO media_failures (url_key, url, source_id, error, failures,
                 first_failed_at, last_failed_at, next_try_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (url_key) DO UPDATE SET
                 source_id = excluded.source_id, error = excluded.error,
                 failures = excluded.failures, first_failed_at = excluded.first_failed_at,
                 last_failed_at = excluded.last_failed_at, next_try_at = excluded.next_try_at",
        )
        .bind(url_key(&failure.url))
        .bind(text::clean(&failure.url).into_owned())
        .bind(failure.source.map(|s| s.0))
        .bind(text::clean(&failure.error).into_owned())
        .bind(i64::from(failure.failures))
        .bind(to_secs(failure.first_failed_at))
        .bind(to_secs(failure.last_failed_at))
        .bind(to_secs(failure.next_try_at))
        .execute(&self.pool)
        .await
        .during("recording an image the media cache could not keep")?;
        Ok(())
    }

    /// Forgets the failure of `url` (it is cached now).
    pub async fn forget_media_failure(&self, url: &str) -> Result<()> {
        sqlx::query("DELETE FROM media_failures WHERE url_key = $1")
            .bind(url_key(url))
            .execute(&self.pool)
            .await
            .during("forgetting an image failure")?;
        Ok(())
    }

    /// The failures of `source`'s images that are due at `now` and still make its feed be
    /// read again for them (fewer than [`MOST_FORCED_TRIES`] failures in a row).
    pub async fn due_media_failures(
        &self,
        source: SourceId,
        now: DateTime<Utc>,
    ) -> Result<Vec<MediaFailure>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM media_failures
             WHERE source_id = $1 AND next_try_at <= $2 AND failures < $3
             ORDER BY next_try_at LIMIT 200"
        )))
        .bind(source.0)
        .bind(to_secs(now))
        .bind(i64::from(MOST_FORCED_TRIES))
        .fetch_all(&self.pool)
        .await
        .during("reading a source's image failures that are due")?;
        rows.iter()
            .map(failure_from_row)
            .collect::<Result<_, _>>()
            .during("reading an image failure")
    }

    /// How many image failures are recorded, and the `limit` most recent.
    pub async fn media_failure_summary(&self, limit: u32) -> Result<(u64, Vec<MediaFailure>)> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media_failures")
            .fetch_one(&self.pool)
            .await
            .during("counting image failures")?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM media_failures
             ORDER BY last_failed_at DESC, url_key LIMIT $1"
        )))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .during("reading the latest image failures")?;
        let latest = rows
            .iter()
            .map(failure_from_row)
            .collect::<Result<_, _>>()
            .during("reading an image failure")?;
        Ok((u64::try_from(count).unwrap_or(0), latest))
    }
}

/// The key of `url`'s row: its sha256 in lowercase hex.
fn url_key(url: &str) -> String {
    crate::hex_sha256(url.as_bytes())
}

fn failure_from_row(row: &AnyRow) -> Result<MediaFailure, sqlx::Error> {
    Ok(MediaFailure {
        url: row.try_get("url")?,
        source: row.try_get::<Option<i64>, _>("source_id")?.map(SourceId),
        error: row.try_get("error")?,
        failures: u32::try_from(row.try_get::<i64, _>("failures")?).unwrap_or(u32::MAX),
        first_failed_at: from_secs(row.try_get("first_failed_at")?),
        last_failed_at: from_secs(row.try_get("last_failed_at")?),
        next_try_at: from_secs(row.try_get("next_try_at")?),
    })
}
