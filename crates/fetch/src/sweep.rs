//! One pass over the sources, under leases: `syndic fetch` (the sources it chose, due or
//! not) and `syndic worker --once` (every source due now, new ones included).
//!
//! A [`Sweep`] claims as many sources as it has room for, starts them, and claims again
//! once half the fetches in flight after the last claim have ended (or nothing runs), so that a claim takes a batch of sources,
//! not one per fetch that ends. A source another process is fetching is never fetched: `fetch` reports it
//! and moves on ([`SweepEvent::Held`]); `worker --once` waits for it to be released (or
//! for its lease to run out, when its holder died) and ends only when nothing it could
//! fetch is due or leased anywhere. Sources left for want of a free slot (other processes
//! are fetching from the same host, or the fleet is full) are tried again every
//! [`RECHECK`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use chrono::Utc;
use syndic_core::SourceId;
use syndic_store::{ClaimOutcome, Claimable, SourceLease, StoreError};

use crate::fleet::{Done, LeaseSettings, LeasedFetches};
use crate::limits::{Finished, Limits};
use crate::scheduler::SystemClock;
use crate::{Pipeline, SourceJob};

/// How often a sweep tries again for sources it had to leave (no free slot, or leased by
/// another process).
pub const RECHECK: std::time::Duration = std::time::Duration::from_millis(500);

/// What a sweep reports, one source at a time.
#[derive(Debug)]
pub enum SweepEvent {
    /// A fetch this process made, and what came of it.
    Fetched(Finished),
    /// A source another process is fetching: left to it (`syndic fetch` only).
    Held { job: SourceJob, lease: SourceLease },
}

/// Which sources a sweep fetches.
enum Scope {
    /// These, due or not, in order; those not started yet.
    Listed(VecDeque<SourceId>),
    /// Every due source among these, until none is due or leased anywhere.
    Due(HashSet<SourceId>),
}

/// What of the list a later claim must still consider after `outcome`: what waits for a
/// slot, then what the claim never read (it reads the list a page at a time and stops once
/// it is full). What it started, what another process holds and what the store does not
/// know are done with.
fn still_to_claim(outcome: &ClaimOutcome) -> VecDeque<SourceId> {
    outcome
        .waiting
        .iter()
        .chain(&outcome.unread)
        .copied()
        .collect()
}

/// One pass over the sources under leases; read its events with [`Sweep::next`].
pub struct Sweep {
    fetches: LeasedFetches,
    jobs: HashMap<SourceId, SourceJob>,
    scope: Scope,
    events: VecDeque<SweepEvent>,
    /// Whether to claim before waiting again.
    claim_now: bool,
    /// Whether the last claim left sources it must come back for.
    left: bool,
}

impl Sweep {
    /// Fetches each of `jobs` once, due or not, in their order (`syndic fetch`), at most
    /// `limits` at once in the whole fleet.
    pub fn listed(
        pipeline: Pipeline,
        jobs: Vec<SourceJob>,
        limits: Limits,
        lease: LeaseSettings,
    ) -> Sweep {
        let order = jobs.iter().map(|job| job.id).collect();
        Sweep::new(pipeline, jobs, Scope::Listed(order), limits, lease)
    }

    /// Fetches every source of `jobs` that is due, new ones included, until none is due
    /// nor leased by a live process (`syndic worker --once`).
    pub fn due_now(
        pipeline: Pipeline,
        jobs: Vec<SourceJob>,
        limits: Limits,
        lease: LeaseSettings,
    ) -> Sweep {
        let configured = jobs.iter().map(|job| job.id).collect();
        Sweep::new(pipeline, jobs, Scope::Due(configured), limits, lease)
    }

    fn new(
        pipeline: Pipeline,
        jobs: Vec<SourceJob>,
        scope: Scope,
        limits: Limits,
        lease: LeaseSettings,
    ) -> Sweep {
        let fetches = LeasedFetches::new(pipeline, lease, limits, Arc::new(SystemClock));
        Sweep {
            fetches,
            jobs: jobs.into_iter().map(|job| (job.id, job)).collect(),
            scope,
            events: VecDeque::new(),
            claim_now: true,
            left: false,
        }
    }

    /// How many sources a sweep of listed sources reports (held ones included); `None` for
    /// a sweep of due sources, which cannot know.
    pub fn planned(&self) -> Option<usize> {
        match &self.scope {
            Scope::Listed(_) => Some(self.jobs.len()),
            Scope::Due(_) => None,
        }
    }

    /// How many claims the sweep made so far (each one transaction on the store).
    pub fn claims(&self) -> usize {
        self.fetches.claims()
    }

    /// The next source done (`Ok(None)` when the sweep is over). Fails only when the
    /// store cannot be asked for sources to claim; fetch failures are events.
    pub async fn next(&mut self) -> Result<Option<SweepEvent>, StoreError> {
        loop {
            if let Some(event) = self.events.pop_front() {
                return Ok(Some(event));
            }
            // Collect everything already finished, so one claim refills every free place.
            while let Some(done) = self.fetches.try_join_next().await {
                self.finished(done);
            }
            if !self.events.is_empty() {
                continue;
            }
            if self.claim_now
                && self.fetches.capacity() > 0
                && self.more_to_claim()
                && self.fetches.worth_claiming(self.left_to_claim())
            {
                self.claim().await?;
                continue;
            }
            let renew_at = self.fetches.renew_at();
            if self.fetches.running() == 0 {
                if !self.left || !self.more_to_claim() {
                    return Ok(None);
                }
                tokio::time::sleep(RECHECK).await;
                self.claim_now = true;
                continue;
            }
            let renew_in = renew_at
                .and_then(|at| (at - Utc::now()).to_std().ok())
                .unwrap_or_default();
            tokio::select! {
                Some(done) = self.fetches.join_next() => self.finished(done),
                () = tokio::time::sleep(renew_in), if renew_at.is_some() => {
                    self.fetches.renew(Utc::now()).await;
                }
                () = tokio::time::sleep(RECHECK), if self.left => self.claim_now = true,
            }
        }
    }

    /// Stops the fetches still running and gives back every lease this process holds.
    pub async fn stop(mut self) {
        self.fetches.stop().await;
    }

    fn more_to_claim(&self) -> bool {
        match &self.scope {
            Scope::Listed(remaining) => !remaining.is_empty(),
            Scope::Due(_) => true,
        }
    }

    /// How many listed sources are still to claim (`None` for due sources: unknown).
    fn left_to_claim(&self) -> Option<usize> {
        match &self.scope {
            Scope::Listed(remaining) => Some(remaining.len()),
            Scope::Due(_) => None,
        }
    }

    fn finished(&mut self, done: Result<Done, tokio::task::JoinError>) {
        self.claim_now = true;
        match done {
            Ok(done) => self.events.push_back(SweepEvent::Fetched(done.finished)),
            Err(error) => tracing::error!("a fetch stopped: {error}"),
        }
    }

    async fn claim(&mut self) -> Result<(), StoreError> {
        self.claim_now = false;
        let now = Utc::now();
        match &mut self.scope {
            Scope::Listed(remaining) => {
                let listed: Vec<SourceId> = remaining.iter().copied().collect();
                let outcome = self
                    .fetches
                    .claim(Claimable::Listed(&listed), &self.jobs, now)
                    .await?;
                *remaining = still_to_claim(&outcome);
                for lease in outcome.held {
                    if let Some(job) = self.jobs.get(&lease.source) {
                        let job = job.clone();
                        self.events.push_back(SweepEvent::Held { job, lease });
                    }
                }
                self.left = !remaining.is_empty();
            }
            Scope::Due(configured) => {
                let outcome = self
                    .fetches
                    .claim(Claimable::Due(configured), &self.jobs, now)
                    .await?;
                self.left = !outcome.waiting.is_empty() || !outcome.held.is_empty();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_waits_comes_back_before_what_the_claim_never_read() {
        let outcome = ClaimOutcome {
            waiting: vec![SourceId(3)],
            unread: vec![SourceId(4), SourceId(5)],
            ..ClaimOutcome::default()
        };
        let left: Vec<SourceId> = still_to_claim(&outcome).into();
        assert_eq!(left, vec![SourceId(3), SourceId(4), SourceId(5)]);
    }
}
