//! A feed document a WebSub hub pushed: parsed, tagged and stored as a fetched body is,
//! without touching what polling keeps (validators, body hash, next poll).

use chrono::{DateTime, Utc};
use syndic_store::IngestStats;

use super::parse::Prepared;
use super::{Pipeline, SourceJob};
use crate::SourceError;

impl Pipeline {
    /// Stores a feed document a WebSub hub pushed for `job`'s source: parsed, sanitized,
    /// tagged and stored exactly as a fetched body is (relative links resolved against the
    /// source's address; the source's last success set, as [`syndic_store::Store::ingest`] does), but
    /// validators, body hash and next poll stay: polling carries on as the fallback. Counts the posts in
    /// [`Pipeline::metrics`]; a failure is returned and logged by the caller, and recorded
    /// nowhere (a bad push says nothing about the source's feed).
    pub async fn ingest_pushed(
        &self,
        job: &SourceJob,
        bytes: Vec<u8>,
    ) -> Result<IngestStats, SourceError> {
        self.ingest_pushed_at(job, bytes, Utc::now()).await
    }

    /// [`Pipeline::ingest_pushed`] as at `now`.
    pub async fn ingest_pushed_at(
        &self,
        job: &SourceJob,
        bytes: Vec<u8>,
        now: DateTime<Utc>,
    ) -> Result<IngestStats, SourceError> {
        let shown = job.location.to_string();
        let base_url = job.location.base_url();
        let Prepared {
            meta, posts, kept, ..
        } = self.prepare(job, &shown, bytes, None, base_url).await?;
        let (stats, stored) = self
            .store
            .ingest_changes(job.id, &meta, &posts, now)
            .await
            .map_err(|source| SourceError::Store {
                location: shown,
                source,
            })?;
        self.metrics
            .record_posts(u64::from(stats.new), u64::from(stats.updated));
        self.index_search_if_due(stats).await;
        // A push's posts are queued only when never looked at (a hub may push the same
        // items again).
        let every: Vec<usize> = (0..posts.len()).collect();
        self.follow_full_text(job, &stored.ids, &every, &kept, true, now)
            .await;
        Ok(stats)
    }
}
