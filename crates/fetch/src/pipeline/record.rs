//! What a fetch records besides its posts: the validators, body hash and next fetch of a
//! success, the backoff (or the server's `Retry-After`) of a failure.

use chrono::{DateTime, Utc};
use syndic_core::SourceId;
use syndic_core::schedule::{self, ServerHints};
use syndic_store::{FetchRecord, FetchState, Outcomes};

use super::{Pipeline, SourceJob, Stored};
use crate::{FetchError, SourceError, Validators};

impl Pipeline {
    /// The validators, body hash and next fetch a success stores; `recent` are the
    /// publication dates of the source's newest stored posts when a claim read them (else
    /// they are read now), `fresh` those of posts just read and not stored yet.
    pub(super) async fn record(
        &self,
        Stored { state, recent }: Stored<'_>,
        validators: Validators,
        body_hash: Option<String>,
        hints: &ServerHints,
        fresh: &[DateTime<Utc>],
        now: DateTime<Utc>,
    ) -> Result<FetchRecord, syndic_store::StoreError> {
        let mut recent = match recent {
            Some(recent) => recent.to_vec(),
            None => {
                self.store
                    .recent_publications(state.source, schedule::RECENT_POSTS as u32)
                    .await?
            }
        };
        recent.extend_from_slice(fresh);
        recent.sort_unstable();
        recent.dedup();
        let seed = seed(state.source, state.error_count);
        let next_fetch = schedule::next_after_success(now, &recent, hints, &self.schedule, seed);
        Ok(FetchRecord {
            etag: validators.etag,
            last_modified: validators.last_modified,
            body_hash,
            next_fetch,
            hint: None,
        })
    }

    pub(super) async fn record_failure(
        &self,
        job: &SourceJob,
        outcomes: Outcomes<'_>,
        state: &FetchState,
        error: &SourceError,
        now: DateTime<Utc>,
    ) -> Result<(), syndic_store::StoreError> {
        let message = format!("{error:#}");
        let failures = u32::try_from(state.error_count + 1).unwrap_or(u32::MAX);
        let backoff = schedule::next_after_failure(
            now,
            failures,
            state.failing_since.unwrap_or(now),
            &self.schedule,
            seed(job.id, state.error_count),
        );
        match error {
            SourceError::Fetch(FetchError::Gone { .. }) => {
                outcomes.record_gone(&message, now).await
            }
            SourceError::Fetch(fetch_error @ FetchError::RetryLater { .. }) => {
                let asked = fetch_error
                    .retry_after()
                    .and_then(|value| schedule::parse_retry_after(value, now));
                let until = asked.map_or(backoff, |asked| asked.max(now));
                outcomes
                    .record_failure(&message, until, Some(until), now)
                    .await
            }
            _ => outcomes.record_failure(&message, backoff, None, now).await,
        }
    }
}

/// Jitter seed: stable for a source within one run of failures.
fn seed(source: SourceId, failures: i64) -> u64 {
    (source.0 as u64).rotate_left(17) ^ (failures as u64)
}
