//! The life of a fetch: read (conditionally), parse, tag, store, schedule the next one.
//! What a fetch is given and reports is in `job.rs`, a pushed document's path in `push.rs`,
//! parsing and tagging in `parse.rs`, the record and back-off in `record.rs`, page texts in
//! `full_text.rs`.

mod full_text;
mod gate;
mod job;
mod parse;
mod push;
mod record;

pub(crate) use syndic_store::hex_sha256;

use parse::{Prepared, touched_tags};

pub use full_text::{FullTextStats, MAX_PAGE_TIME_PER_FETCH};
pub use gate::BodyGate;
pub use job::{FetchReport, SourceFilter, SourceJob, SourceOptions};

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use syndic_core::schedule::{ScheduleSettings, ServerHints};
use syndic_core::{FetchMetrics, FetchOutcome};
use syndic_store::{Claim, FetchRecord, FetchState, IngestStats, Outcomes, Store};
use syndic_tag::SharedTagger;

use crate::{Body, Fetched, Fetcher, FullText, Location, MediaCache, SourceError, Validators};

/// The most items one fetch stores: the newest by date. The reader skips the others while
/// reading ([`syndic_feed::ReadOptions::max_entries`]), so a feed of 100,000 items costs
/// no more memory than its newest 500.
pub const MAX_ITEMS_PER_FETCH: usize = 500;

/// Fetcher, vocabulary, store and schedule, wired together.
#[derive(Clone)]
pub struct Pipeline {
    pub fetcher: Fetcher,
    /// The vocabulary; each fetch tags with the one current when it tags its posts, so
    /// `serve` can swap it ([`SharedTagger::replace`]) while fetches run. A deferred one
    /// ([`SharedTagger::deferred`]) reads its corpus model when the first body is tagged.
    pub tagger: Arc<SharedTagger>,
    pub store: Store,
    pub schedule: ScheduleSettings,
    /// Where every ingest counts its outcome, duration, bytes and posts; share it with
    /// whatever serves `/metrics` (`Arc::default()` when nobody reads it).
    pub metrics: Arc<FetchMetrics>,
    /// `[media] cache = true`: the images of the posts a fetch stores are cached and their
    /// addresses rewritten to `/media/<hash>` before they are stored. `None` hot-links.
    pub media: Option<Arc<MediaCache>>,
    /// Reads the pages of the posts of `full_content` sources (robots.txt, turns per
    /// host). `None` reads no page, whatever the sources say.
    pub full_text: Option<Arc<FullText>>,
    /// How many fetched bodies are in work (parsed, tagged, waiting for the store) at once,
    /// and the threads that parse and tag them ([`BodyGate`]).
    pub bodies: BodyGate,
}

impl Pipeline {
    /// Fetches one source (conditionally, from where it now lives), parses, tags and
    /// stores what changed, and schedules the next fetch, in one transaction with the
    /// posts. On failure the error and the next try (backed off, or as the server's
    /// `Retry-After` asks; never again after `410 Gone`) land on the source's row, its
    /// posts stay, and the error is returned.
    ///
    /// Every call is counted in [`Pipeline::metrics`]: its outcome, how long it took (the
    /// whole fetch, parse and store), the body bytes read and the posts stored.
    pub async fn ingest(&self, job: &SourceJob) -> Result<FetchReport, SourceError> {
        self.ingest_at(job, Utc::now()).await
    }

    /// [`Pipeline::ingest`] as at `now`: the time every record and schedule is based on
    /// (the scheduler passes its clock's time, so that a simulated clock works).
    pub async fn ingest_at(
        &self,
        job: &SourceJob,
        now: DateTime<Utc>,
    ) -> Result<FetchReport, SourceError> {
        self.ingest_timed(job, None, now).await
    }

    /// [`Pipeline::ingest_at`] for a source this process claimed: the outcome is stored
    /// through [`Store::outcomes_under`], which releases the lease in the same transaction
    /// (and writes nothing when the lease was lost: [`SourceError::is_lease_lost`]). When no
    /// outcome can be stored, the lease is given back, so the source stays due.
    pub async fn ingest_claimed(
        &self,
        job: &SourceJob,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<FetchReport, SourceError> {
        self.ingest_timed(job, Some(claim), now).await
    }

    async fn ingest_timed(
        &self,
        job: &SourceJob,
        claim: Option<&Claim>,
        now: DateTime<Utc>,
    ) -> Result<FetchReport, SourceError> {
        let started = Instant::now();
        let mut bytes = 0;
        let result = self.ingest_counting(job, claim, now, &mut bytes).await;
        let outcome = match &result {
            Ok(report) if report.unchanged => FetchOutcome::NotModified,
            Ok(_) => FetchOutcome::Ok,
            Err(error) => error.outcome(),
        };
        self.metrics.record_fetch(outcome, started.elapsed(), bytes);
        if let Ok(report) = &result {
            self.metrics
                .record_posts(u64::from(report.stats.new), u64::from(report.stats.updated));
            self.index_search_if_due(report.stats).await;
        }
        result
    }

    /// After posts were stored: brings the search index in step once enough posts wait
    /// for it (or they have waited long enough; see [`Store::index_search_if_due`]). The
    /// posts are stored either way: a failure is logged, and the next pass catches up.
    pub(super) async fn index_search_if_due(&self, stats: IngestStats) {
        if stats.new + stats.updated == 0 {
            return;
        }
        if let Err(error) = self.store.index_search_if_due().await {
            tracing::warn!(
                "cannot bring the search index in step now (the next pass will): {error}"
            );
        }
    }

    /// [`Pipeline::ingest`], leaving the number of body bytes read in `bytes`.
    async fn ingest_counting(
        &self,
        job: &SourceJob,
        claim: Option<&Claim>,
        now: DateTime<Utc>,
        bytes: &mut u64,
    ) -> Result<FetchReport, SourceError> {
        // Under a claim the lease brought the state; nobody else writes it meanwhile.
        let read = match claim {
            Some(claim) => Ok(claim.state.clone()),
            None => self.store.fetch_state(job.id).await,
        };
        let state = match read {
            Ok(state) => state,
            Err(source) => {
                self.give_back(claim).await;
                return Err(SourceError::Store {
                    location: job.location.to_string(),
                    source,
                });
            }
        };
        let outcomes = self.outcomes(job, claim);
        // Under a claim the lease brought the newest posts' dates too.
        let recent = claim.map(|claim| claim.recent.as_slice());
        let result = self
            .try_ingest(
                job,
                outcomes,
                Stored {
                    state: &state,
                    recent,
                },
                now,
                bytes,
            )
            .await;
        if let Err(error) = &result
            && !error.is_lease_lost()
            && let Err(store_error) = self.record_failure(job, outcomes, &state, error, now).await
        {
            tracing::error!(source.id = %job.id, "could not record the failure: {store_error}");
            if !matches!(store_error, syndic_store::StoreError::LeaseLost { .. }) {
                self.give_back(claim).await;
            }
        }
        result
    }

    /// Where this fetch's outcome is written: under its claim, if it has one.
    fn outcomes<'a>(&'a self, job: &SourceJob, claim: Option<&'a Claim>) -> Outcomes<'a> {
        match claim {
            Some(claim) => self.store.outcomes_under(claim),
            None => self.store.outcomes(job.id),
        }
    }

    /// Gives `claim` back without an outcome (best effort: otherwise its lease runs out).
    async fn give_back(&self, claim: Option<&Claim>) {
        if let Some(claim) = claim
            && let Err(error) = self.store.release(claim).await
        {
            tracing::warn!(source.id = %claim.source, "could not give back the lease (it runs out at {}): {error}", claim.until);
        }
    }

    /// Fetches, parses, tags and stores one source from its stored `state` (and, under a
    /// claim, its newest posts' dates as the claim read them: `recent`).
    async fn try_ingest(
        &self,
        job: &SourceJob,
        outcomes: Outcomes<'_>,
        stored_before @ Stored { state, .. }: Stored<'_>,
        now: DateTime<Utc>,
        read: &mut u64,
    ) -> Result<FetchReport, SourceError> {
        let location = current_location(job, state);
        let shown = location.to_string();
        // Images of stored posts that failed and are due again: read the feed whole.
        let retry_media = match &self.media {
            Some(media) => media.retry_due(job.id).await,
            None => false,
        };
        let validators = match retry_media {
            true => Validators::default(),
            false => Validators {
                etag: state.etag.clone(),
                last_modified: state.last_modified.clone(),
            },
        };
        // A changed file comes with its turn in the gate: read only once it can be parsed.
        let (fetched, in_work) = self
            .fetcher
            .fetch_gated(&location, &validators, &job.options.request, &self.bodies)
            .await?;
        let store_error = |source| SourceError::Store {
            location: shown.clone(),
            source,
        };
        // A 304 or an unchanged body brings no feed hints: the ones stored with the last
        // body parsed still hold (in `ttl`, the largest hint is what counts).
        let hints = ServerHints {
            max_age: fetched
                .max_age
                .and_then(|d| chrono::Duration::from_std(d).ok()),
            ttl: state.hint,
            update_period: None,
        };
        let Fetched {
            body,
            validators,
            base_url,
            moved_to,
            ..
        } = fetched;

        // A 304, or the same bytes as last time, leave the posts alone: only the validators,
        // the hash and the next fetch are stored.
        let (bytes, hash, content_type) = match body {
            Body::Changed {
                bytes,
                content_type,
            } => {
                *read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                let hash = hex_sha256(&bytes);
                (Some(bytes), Some(hash), content_type)
            }
            Body::NotModified => (None, state.body_hash.clone(), None),
        };
        let Some(bytes) = bytes.filter(|_| retry_media || hash != state.body_hash) else {
            drop(in_work);
            let record = self
                .record(stored_before, validators, hash, &hints, &[], now)
                .await
                .map_err(store_error)?;
            outcomes
                .record_unchanged(&record, now)
                .await
                .map_err(store_error)?;
            // Pages that failed earlier may be due again.
            self.follow_full_text(job, &[], &[], &[], false, now).await;
            return Ok(FetchReport {
                stats: IngestStats::default(),
                unchanged: true,
                moved_to: None,
                next_fetch: record.next_fetch,
                websub: None,
                touched_tags: Vec::new(),
            });
        };

        let in_work = match in_work {
            Some(in_work) => Some(in_work),
            None => self.bodies.enter().await,
        };
        let Prepared {
            meta,
            posts,
            prepared,
            kept,
            hints: feed_hints,
            websub,
        } = self
            .prepare(job, &shown, bytes, content_type, base_url)
            .await?;
        let hints = ServerHints {
            ttl: feed_hints.ttl,
            update_period: feed_hints.update_period,
            ..hints
        };
        let feed_hint = feed_hints.largest();
        // The posts just read count for the pace too (the store has not seen them yet).
        let fresh: Vec<DateTime<Utc>> = posts.iter().filter_map(|p| p.entry.published).collect();
        let record = self
            .record(stored_before, validators, hash, &hints, &fresh, now)
            .await
            .map_err(store_error)?;
        let record = FetchRecord {
            hint: feed_hint,
            ..record
        };
        let (stats, stored) = outcomes
            .ingest_fetch_prepared(&meta, &posts, prepared, &record, now)
            .await
            .map_err(store_error)?;
        drop(in_work);
        let touched_tags =
            touched_tags(stored.changed.iter().filter_map(|&index| posts.get(index)));
        if let Some(media) = self.media.as_ref().filter(|_| retry_media) {
            media.defer_unseen(job.id).await;
        }
        // Only a feed that parsed is worth following to its new address.
        let moved_to = match moved_to {
            Some(url) => match self.store.record_moved(job.id, url.as_str(), now).await {
                Ok(()) => Some(url.to_string()),
                Err(e) => {
                    tracing::warn!(source.id = %job.id, "{shown} moved to {url}, but the move was not stored: {e}");
                    None
                }
            },
            None => None,
        };
        self.follow_full_text(job, &stored.ids, &stored.changed, &kept, false, now)
            .await;
        Ok(FetchReport {
            stats,
            unchanged: false,
            moved_to,
            next_fetch: record.next_fetch,
            websub,
            touched_tags,
        })
    }
}

/// What the store said of a source before its fetch: its fetch state and, under a claim,
/// the publication dates of its newest posts as the claim read them (else `None`: read
/// them when needed).
#[derive(Debug, Clone, Copy)]
struct Stored<'a> {
    state: &'a FetchState,
    recent: Option<&'a [DateTime<Utc>]>,
}

/// Where to read the source now: where a permanent redirect moved it, else as configured.
fn current_location(job: &SourceJob, state: &FetchState) -> Location {
    match (&job.location, url::Url::parse(&state.url)) {
        (Location::Http(configured), Ok(stored))
            if *configured != stored && matches!(stored.scheme(), "http" | "https") =>
        {
            Location::Http(stored)
        }
        _ => job.location.clone(),
    }
}
