//! What the fetcher and its scheduler keep per source, and the transitions between its
//! states: ok → failing or waiting (back-off, `Retry-After`) → ok again; gone (HTTP 410)
//! stops polling; a permanent redirect moves the source's URL and keeps the old one.
//!
//! Each transition is one transaction that also moves the change clock, and a successful
//! fetch stores its posts, validators and next fetch time together
//! ([`Store::ingest_fetch`]), so a crash can never leave new validators in front of posts
//! that were not stored (the next conditional GET would answer `304` and lose them).
//! A fetch made under a lease ([`crate::lease`]) writes its outcome through
//! [`Store::outcomes_under`], which releases the lease in that same transaction.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use syndic_core::{FeedMeta, SourceId, SourceStatus};

use crate::error::QueryContext;
use crate::ingest::{IncomingPost, IngestStats, StoredPosts};
use crate::lease::Claim;
use crate::sql::Sql;
use crate::{Result, Store, StoreError, clock, from_secs, text, to_secs};

mod due;
mod outcomes;

pub use outcomes::Outcomes;

/// Sources whose newest posts one statement reads: within SQLite's 500 terms of a
/// compound `SELECT`, and one parameter each.
const SOURCES_PER_RECENT_READ: usize = 100;

/// [`Store::recent_publications_of`] inside `conn` (a claim reads them with its leases).
/// One `UNION ALL` of the per-source query, so each source still reads only its newest
/// `limit` posts (by `posts`' `UNIQUE (source_id, guid)` index), whatever its archive holds.
pub(crate) async fn recent_publications_in(
    conn: &mut AnyConnection,
    sources: &[SourceId],
    limit: u32,
) -> Result<HashMap<SourceId, Vec<DateTime<Utc>>>> {
    let mut recent: HashMap<SourceId, Vec<DateTime<Utc>>> = HashMap::with_capacity(sources.len());
    for chunk in sources.chunks(SOURCES_PER_RECENT_READ) {
        let mut select = Sql::new("");
        for (n, source) in chunk.iter().enumerate() {
            if n > 0 {
                select.push(" UNION ALL ");
            }
            select.push(
                "SELECT * FROM (SELECT source_id, published_at FROM posts WHERE source_id = ",
            );
            select.bind(source.0);
            // `limit` is a number, never text: written in, it leaves the parameters to ids.
            select.push(&format!(
                " ORDER BY published_at DESC, id DESC LIMIT {limit}) AS recent_{n}"
            ));
        }
        for row in select
            .fetch_all(&mut *conn, "reading sources' publication dates")
            .await?
        {
            let get = || -> std::result::Result<(i64, i64), sqlx::Error> {
                Ok((row.try_get(0)?, row.try_get(1)?))
            };
            let (source, secs) = get().during("reading sources' publication dates")?;
            recent
                .entry(SourceId(source))
                .or_default()
                .push(from_secs(secs));
        }
    }
    Ok(recent)
}

/// Where a source stands with the fetcher, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchState {
    pub source: SourceId,
    /// Where to fetch it: the configured URL, or where a permanent redirect moved it.
    pub url: String,
    pub status: SourceStatus,
    /// Validators of the last response, exactly as received, for a conditional GET.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Hash of the last body parsed; an equal body need not be parsed again.
    pub body_hash: Option<String>,
    /// When it is due; `None` before its first scheduled fetch and once it is gone.
    pub next_fetch: Option<DateTime<Utc>>,
    /// Not before this time, as the server asked (`Retry-After`).
    pub wait_until: Option<DateTime<Utc>>,
    /// Failed fetches in a row.
    pub error_count: i64,
    /// When the current run of failures began.
    pub failing_since: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    /// The feed's own schedule hint (RSS `ttl`, `sy:updatePeriod`) from the last body
    /// parsed: a `304` or an unchanged body brings none, so the scheduler reuses this one.
    pub hint: Option<Duration>,
}

/// What a successful fetch leaves for the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRecord {
    /// The response's `ETag`, exactly as received.
    pub etag: Option<String>,
    /// The response's `Last-Modified`, exactly as received.
    pub last_modified: Option<String>,
    /// Hash of the body.
    pub body_hash: Option<String>,
    /// When to fetch again.
    pub next_fetch: DateTime<Utc>,
    /// The feed's own schedule hint (RSS `ttl`, `sy:updatePeriod`), from a parsed body.
    /// [`Store::ingest_fetch`] stores it as given (`None` clears it: the new body gave
    /// none); [`Store::record_unchanged`] keeps the stored one when this is `None`.
    pub hint: Option<Duration>,
}

impl Store {
    /// The fetch state of `source`.
    pub async fn fetch_state(&self, source: SourceId) -> Result<FetchState> {
        let mut select = Sql::new(&format!(
            "SELECT {FETCH_STATE_COLUMNS} FROM sources WHERE id = "
        ));
        select.bind(source.0);
        let rows = select
            .fetch_all(&self.pool, "reading a source's fetch state")
            .await?;
        let row = rows
            .first()
            .ok_or(StoreError::UnknownSource { id: source })?;
        fetch_state_of(source, row)
    }

    /// The fetch states of `sources` that exist, by source: one statement for many (what
    /// `syndic fetch` reads to choose which sources to read).
    pub async fn fetch_states(
        &self,
        sources: &[SourceId],
    ) -> Result<HashMap<SourceId, FetchState>> {
        let mut states = HashMap::with_capacity(sources.len());
        for chunk in sources.chunks(self.engine.rows_per_statement(1)) {
            let mut select = Sql::new(&format!(
                "SELECT id, {FETCH_STATE_COLUMNS} FROM sources WHERE id IN ("
            ));
            select.push_list(chunk, |sql, id| {
                sql.bind(id.0);
            });
            select.push(")");
            for row in select
                .fetch_all(&self.pool, "reading sources' fetch states")
                .await?
            {
                let id: i64 = row.try_get("id").during("reading a fetch state")?;
                let state = fetch_state_of(SourceId(id), &row)?;
                states.insert(state.source, state);
            }
        }
        Ok(states)
    }

    /// Publication dates of the newest `limit` posts of `source`, newest first: what
    /// [`syndic_core::schedule::next_after_success`] reads.
    pub async fn recent_publications(
        &self,
        source: SourceId,
        limit: u32,
    ) -> Result<Vec<DateTime<Utc>>> {
        let secs: Vec<i64> = sqlx::query_scalar(
            "SELECT published_at FROM posts WHERE source_id = $1
             ORDER BY published_at DESC, id DESC LIMIT $2",
        )
        .bind(source.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .during("reading a source's publication dates")?;
        Ok(secs.into_iter().map(from_secs).collect())
    }

    /// [`Store::recent_publications`] of many sources in one statement, by source (each
    /// newest first; a source without posts has none).
    pub async fn recent_publications_of(
        &self,
        sources: &[SourceId],
        limit: u32,
    ) -> Result<HashMap<SourceId, Vec<DateTime<Utc>>>> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .during("reading sources' publication dates")?;
        recent_publications_in(&mut conn, sources, limit).await
    }

    /// Stores a successful fetch with a body: everything [`Store::ingest`] does, and in
    /// the same transaction the response's validators and body hash (replacing the old
    /// ones: a response without an `ETag` leaves none) and the next fetch time. The source
    /// is ok again: no error, no wait, no failure run. Moves the change clock.
    pub async fn ingest_fetch(
        &self,
        source: SourceId,
        meta: &FeedMeta,
        posts: &[IncomingPost],
        record: &FetchRecord,
        now: DateTime<Utc>,
    ) -> Result<IngestStats> {
        let (stats, _) = self
            .ingest_fetch_changes(source, meta, posts, record, now)
            .await?;
        Ok(stats)
    }

    /// [`Store::ingest_fetch`], also saying which posts it stored where (and which of them
    /// were new or updated).
    pub async fn ingest_fetch_changes(
        &self,
        source: SourceId,
        meta: &FeedMeta,
        posts: &[IncomingPost],
        record: &FetchRecord,
        now: DateTime<Utc>,
    ) -> Result<(IngestStats, StoredPosts)> {
        self.outcomes(source)
            .ingest_fetch_changes(meta, posts, record, now)
            .await
    }

    /// Stores a successful fetch that brought nothing new (`304 Not Modified`, or a body
    /// whose hash is unchanged): the validators and hash given replace the stored ones
    /// (those not given are kept), the last success and the next fetch time are set, and
    /// the source is ok again. Its posts are untouched. Moves the change clock.
    pub async fn record_unchanged(
        &self,
        source: SourceId,
        record: &FetchRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.outcomes(source).record_unchanged(record, now).await
    }

    /// Records a failed fetch: the error, one more failure in the run (which began now if
    /// none was running) and the next try. With `wait_until` (a `Retry-After`) the source
    /// is waiting, else failing; a gone source stays gone and unscheduled. Its posts are
    /// untouched. Moves the change clock: the sources page shows the error.
    pub async fn record_failure(
        &self,
        source: SourceId,
        error: &str,
        next_fetch: DateTime<Utc>,
        wait_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.outcomes(source)
            .record_failure(error, next_fetch, wait_until, now)
            .await
    }

    /// Records that the server said the feed is gone for good (`410 Gone`): the source is
    /// gone and no longer due until a successful fetch (by hand) revives it. Moves the
    /// change clock.
    pub async fn record_gone(
        &self,
        source: SourceId,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.outcomes(source).record_gone(error, now).await
    }

    /// Where the outcome of a fetch of `source` made without a lease is written (what the
    /// methods above do).
    pub fn outcomes(&self, source: SourceId) -> Outcomes<'_> {
        Outcomes {
            store: self,
            source,
            claim: None,
        }
    }

    /// Where the outcome of a fetch made under `claim` is written: each write also
    /// releases the claim's lease and slots, in its own transaction, so the source is
    /// never free while its outcome is unstored nor due again for the time just served.
    /// When the lease is no longer the claim's (it ran out and another process claimed
    /// the source), the write fails with [`StoreError::LeaseLost`] and changes nothing:
    /// the outcome is the new holder's to write.
    pub fn outcomes_under<'a>(&'a self, claim: &'a Claim) -> Outcomes<'a> {
        Outcomes {
            store: self,
            source: claim.source,
            claim: Some(claim),
        }
    }

    /// Moves `source` to `new_url` after a permanent redirect (`301`/`308`), keeping the
    /// old URL in its history (so the configuration's URL still finds it). Fails with
    /// [`StoreError::UrlTaken`], changing nothing, when another source reads `new_url`.
    /// Moving to the current URL does nothing. Moves the change clock.
    pub async fn record_moved(
        &self,
        source: SourceId,
        new_url: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let new_url = &*text::clean(new_url);
        let mut tx = self.write("starting to move a source").await?;
        let current: String = sqlx::query_scalar("SELECT url FROM sources WHERE id = $1")
            .bind(source.0)
            .fetch_optional(&mut *tx)
            .await
            .during("reading a source's URL")?
            .ok_or(StoreError::UnknownSource { id: source })?;
        if current == new_url {
            return Ok(());
        }
        let owner: Option<i64> = sqlx::query_scalar("SELECT id FROM sources WHERE url = $1")
            .bind(new_url)
            .fetch_optional(&mut *tx)
            .await
            .during("looking up a source by URL")?;
        if let Some(owner) = owner {
            return Err(StoreError::UrlTaken {
                id: source,
                url: new_url.to_owned(),
                owner: SourceId(owner),
            });
        }
        sqlx::query("INSERT INTO source_urls (source_id, url, replaced_at) VALUES ($1, $2, $3)")
            .bind(source.0)
            .bind(&current)
            .bind(to_secs(now))
            .execute(&mut *tx)
            .await
            .during("keeping a source's old URL")?;
        sqlx::query("UPDATE sources SET url = $1 WHERE id = $2")
            .bind(new_url)
            .bind(source.0)
            .execute(&mut *tx)
            .await
            .during("moving a source")?;
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing a moved source")
    }
}

/// The columns [`fetch_state_of`] reads, for a `SELECT` or a `RETURNING`.
pub(crate) const FETCH_STATE_COLUMNS: &str = "url, status, etag, last_modified, body_hash,
    next_fetch_at, wait_until, error_count, failing_since, last_success_at, hint_seconds";

/// A source's fetch state from a row with [`FETCH_STATE_COLUMNS`].
pub(crate) fn fetch_state_of(source: SourceId, row: &AnyRow) -> Result<FetchState> {
    let status: String = row.try_get("status").during("reading a fetch state")?;
    let status = status
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("source {source}: {e}")))?;
    let time = |column| -> Result<_, sqlx::Error> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(from_secs))
    };
    let read = || -> Result<FetchState, sqlx::Error> {
        Ok(FetchState {
            source,
            url: row.try_get("url")?,
            status,
            etag: row.try_get("etag")?,
            last_modified: row.try_get("last_modified")?,
            body_hash: row.try_get("body_hash")?,
            next_fetch: time("next_fetch_at")?,
            wait_until: time("wait_until")?,
            error_count: row.try_get("error_count")?,
            failing_since: time("failing_since")?,
            last_success: time("last_success_at")?,
            hint: row
                .try_get::<Option<i64>, _>("hint_seconds")?
                .map(Duration::seconds),
        })
    };
    read().during("reading a fetch state")
}

/// Marks a fetch of `source` at `now` successful: last success, no error, no failure run,
/// no wait, status ok (a gone source that answers again is back).
pub(crate) async fn mark_success(
    tx: &mut AnyConnection,
    source: SourceId,
    now: DateTime<Utc>,
) -> Result<()> {
    let marked = sqlx::query(
        "UPDATE sources SET last_fetch_at = $1, last_success_at = $1, last_error = NULL,
             error_count = 0, status = 'ok', failing_since = NULL, wait_until = NULL,
             gone_at = NULL, last_status_code = NULL
         WHERE id = $2",
    )
    .bind(to_secs(now))
    .bind(source.0)
    .execute(tx)
    .await
    .during("recording a successful fetch")?;
    if marked.rows_affected() == 0 {
        return Err(StoreError::UnknownSource { id: source });
    }
    Ok(())
}

/// Saves a full response's record: its validators are the only valid ones (a missing one
/// clears the stored one), and so is its hint. (An unchanged fetch keeps what it does not
/// bring: `Outcomes::record_unchanged`.)
pub(crate) async fn save_record(
    tx: &mut AnyConnection,
    source: SourceId,
    record: &FetchRecord,
) -> Result<()> {
    sqlx::query(
        "UPDATE sources SET etag = $1, last_modified = $2, body_hash = $3,
             next_fetch_at = $4, hint_seconds = $5
         WHERE id = $6",
    )
    .bind(&record.etag)
    .bind(&record.last_modified)
    .bind(&record.body_hash)
    .bind(to_secs(record.next_fetch))
    .bind(record.hint.map(|hint| hint.num_seconds()))
    .bind(source.0)
    .execute(tx)
    .await
    .during("saving a source's validators")?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
