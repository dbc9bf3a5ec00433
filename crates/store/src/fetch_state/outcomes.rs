//! A fetch's outcome, written in one transaction that also moves the change clock and,
//! for a fetch made under a lease, releases it.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use syndic_core::{FeedMeta, SourceId};

use super::{FetchRecord, save_record};
use crate::error::QueryContext;
use crate::ingest::{self, IncomingPost, IngestStats, PreparedPosts, StoredPosts};
use crate::lease::{self, Claim};
use crate::sql::Sql;
use crate::{Result, Store, StoreError, clock, text, to_secs};

/// Writes the outcome of one fetch of one source, each in one transaction that also moves
/// the change clock (and, under a claim, releases it): see [`Store::outcomes`] and
/// [`Store::outcomes_under`].
#[derive(Debug, Clone, Copy)]
pub struct Outcomes<'a> {
    pub(super) store: &'a Store,
    pub(super) source: SourceId,
    pub(super) claim: Option<&'a Claim>,
}

impl Outcomes<'_> {
    /// [`Store::ingest_fetch_changes`].
    pub async fn ingest_fetch_changes(
        &self,
        meta: &FeedMeta,
        posts: &[IncomingPost],
        record: &FetchRecord,
        now: DateTime<Utc>,
    ) -> Result<(IngestStats, StoredPosts)> {
        self.ingest_fetch_prepared(meta, posts, PreparedPosts::none(), record, now)
            .await
    }

    /// [`Outcomes::ingest_fetch_changes`] with what [`Store::prepare_posts`] computed of
    /// `posts` beforehand, so the write lock is held for less.
    pub async fn ingest_fetch_prepared(
        &self,
        meta: &FeedMeta,
        posts: &[IncomingPost],
        prepared: PreparedPosts,
        record: &FetchRecord,
        now: DateTime<Utc>,
    ) -> Result<(IngestStats, StoredPosts)> {
        let (store, source) = (self.store, self.source);
        let mut tx = store.write("starting an ingest").await?;
        let stored =
            ingest::store_posts(&mut tx, store, source, meta, (posts, prepared), now).await?;
        save_record(&mut tx, source, record).await?;
        self.release(&mut tx).await?;
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing an ingest")?;
        Ok(stored)
    }

    /// [`Store::record_unchanged`].
    ///
    /// The most frequent outcome of all, so one `UPDATE` marks the success, keeps the
    /// validators and releases the lease together (then the slots are freed and the clock
    /// moved): three statements.
    pub async fn record_unchanged(&self, record: &FetchRecord, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.store.write("starting an unchanged fetch").await?;
        let mut update = Sql::new(
            "UPDATE sources SET last_error = NULL, error_count = 0, status = 'ok',
                 failing_since = NULL, wait_until = NULL, gone_at = NULL,
                 last_status_code = NULL, last_fetch_at = ",
        );
        let now = update.placeholder(to_secs(now));
        update.push(&format!("{now}, last_success_at = {now}, etag = COALESCE("));
        update
            .bind(record.etag.clone())
            .push(", etag), last_modified = COALESCE(");
        update.bind(record.last_modified.clone());
        update.push(", last_modified), body_hash = COALESCE(");
        update
            .bind(record.body_hash.clone())
            .push(", body_hash), hint_seconds = COALESCE(");
        update.bind(record.hint.map(|hint| hint.num_seconds()));
        update.push(", hint_seconds), next_fetch_at = ");
        update.bind(to_secs(record.next_fetch));
        if self.claim.is_some() {
            update.push(", leased_by = NULL, leased_until = NULL");
        }
        update.push(" WHERE id = ").bind(self.source.0);
        if let Some(claim) = self.claim {
            update
                .push(" AND leased_by = ")
                .bind(claim.owner.to_string());
        }
        let updated = update
            .execute(&mut tx, "recording an unchanged fetch")
            .await?;
        if updated.rows_affected() == 0 {
            return Err(self.why_not_written(&mut tx).await);
        }
        if let Some(claim) = self.claim {
            lease::free_slots(&mut tx, claim).await?;
        }
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing an unchanged fetch")
    }

    /// Why an outcome's `UPDATE` of its source changed no row: the source is unknown, or
    /// (under a claim) the lease is no longer the claim's.
    async fn why_not_written(&self, tx: &mut AnyConnection) -> StoreError {
        let known: Result<Option<i64>, _> =
            sqlx::query_scalar("SELECT id FROM sources WHERE id = $1")
                .bind(self.source.0)
                .fetch_optional(&mut *tx)
                .await
                .during("reading a source");
        match (known, self.claim) {
            (Err(error), _) => error,
            (Ok(Some(_)), Some(claim)) => StoreError::LeaseLost {
                id: claim.source,
                owner: claim.owner.to_string(),
            },
            (Ok(_), _) => StoreError::UnknownSource { id: self.source },
        }
    }

    /// [`Store::record_failure`].
    pub async fn record_failure(
        &self,
        error: &str,
        next_fetch: DateTime<Utc>,
        wait_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.store.write("starting to record a failure").await?;
        let recorded = sqlx::query(
            "UPDATE sources SET last_fetch_at = $1, last_error = $2,
                 error_count = error_count + 1, failing_since = COALESCE(failing_since, $1),
                 status = CASE WHEN status = 'gone' THEN 'gone'
                     WHEN $3 IS NOT NULL THEN 'waiting' ELSE 'failing' END,
                 wait_until = CASE WHEN status = 'gone' THEN NULL ELSE $3 END,
                 next_fetch_at = CASE WHEN status = 'gone' THEN NULL ELSE $4 END
             WHERE id = $5",
        )
        .bind(to_secs(now))
        .bind(text::clean(error).into_owned())
        .bind(wait_until.map(to_secs))
        .bind(to_secs(next_fetch))
        .bind(self.source.0)
        .execute(&mut *tx)
        .await
        .during("recording a failed fetch")?;
        self.finish(tx, recorded.rows_affected(), "committing a failure")
            .await
    }

    /// [`Store::record_gone`].
    pub async fn record_gone(&self, error: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.store.write("starting to mark a source gone").await?;
        let recorded = sqlx::query(
            "UPDATE sources SET status = 'gone', gone_at = COALESCE(gone_at, $1),
                 last_fetch_at = $1, last_error = $2, error_count = error_count + 1,
                 failing_since = COALESCE(failing_since, $1), last_status_code = 410,
                 next_fetch_at = NULL, wait_until = NULL
             WHERE id = $3",
        )
        .bind(to_secs(now))
        .bind(text::clean(error).into_owned())
        .bind(self.source.0)
        .execute(&mut *tx)
        .await
        .during("marking a source gone")?;
        self.finish(tx, recorded.rows_affected(), "committing a gone source")
            .await
    }

    /// Releases the claim, if any, inside `tx`; fails when its lease was lost.
    async fn release(&self, tx: &mut AnyConnection) -> Result<()> {
        match self.claim {
            Some(claim) if !lease::release_in(tx, claim).await? => Err(StoreError::LeaseLost {
                id: claim.source,
                owner: claim.owner.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// Commits a one-row transition (releasing the claim, moving the clock), or fails when
    /// the source is unknown.
    async fn finish(
        &self,
        mut tx: crate::writer::WriteTx,
        rows: u64,
        action: &'static str,
    ) -> Result<()> {
        if rows == 0 {
            return Err(StoreError::UnknownSource { id: self.source });
        }
        self.release(&mut tx).await?;
        clock::bump(&mut tx).await?;
        tx.commit().await.during(action)
    }
}
