//! This process's part in the fleet: who it is, how long its leases run, and the fetches
//! it holds leases for.
//!
//! Every fetch runs under a lease from the store ([`syndic_store::Store::claim`]): the
//! source is this process's until the lease runs out, and the fetch holds a slot of its
//! host and one of the fleet, so `[fetch] per_host` and `concurrency` hold for all
//! processes on one store together. [`LeasedFetches`] claims as many sources as it has
//! room for, runs each through [`Pipeline::ingest_claimed`] (whose outcome releases the
//! lease), renews the leases of the fetches still running every third of a lease, and
//! gives back everything it holds when it stops.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use syndic_core::SourceId;
use syndic_store::{
    Claim, ClaimOutcome, ClaimRequest, Claimable, LeaseOwner, SlotLimits, StoreError,
};
use tokio::task::{self, JoinError, JoinSet};

use crate::limits::{Finished, Limits};
use crate::scheduler::Clock;
use crate::{Pipeline, SourceJob, Subscriber};

/// How long a lease runs when `[fetch] lease` does not say.
pub const DEFAULT_LEASE: Duration = Duration::minutes(10);

/// Who this process is to the fleet, and how long its leases run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseSettings {
    pub owner: LeaseOwner,
    /// How long a lease runs unless renewed (renewed every third of it while a fetch runs).
    pub length: Duration,
}

impl LeaseSettings {
    /// Leases of `length` held by this process ([`process_owner`]).
    pub fn new(length: std::time::Duration) -> LeaseSettings {
        LeaseSettings {
            owner: process_owner(),
            length: Duration::from_std(length).unwrap_or(DEFAULT_LEASE),
        }
    }

    fn renew_every(&self) -> Duration {
        self.length / 3
    }
}

impl Default for LeaseSettings {
    fn default() -> Self {
        LeaseSettings {
            owner: process_owner(),
            length: DEFAULT_LEASE,
        }
    }
}

/// This process's name in leases: `host:pid:random` (the random part tells apart two
/// processes that had the same pid on the same host, one after the other).
pub fn process_owner() -> LeaseOwner {
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    let mut random = [0_u8; 4];
    // Without randomness the pid still tells processes of one host apart.
    let _ = getrandom::getrandom(&mut random);
    let random: String = random.iter().map(|b| format!("{b:02x}")).collect();
    LeaseOwner::new(format!("{host}:{}:{random}", std::process::id()))
}

/// A fetch that ran under a claim, and when it started.
pub(crate) struct Done {
    pub(crate) finished: Finished,
    pub(crate) at: DateTime<Utc>,
}

/// The fetches this process holds leases for.
pub(crate) struct LeasedFetches {
    pipeline: Pipeline,
    lease: LeaseSettings,
    limits: Limits,
    clock: Arc<dyn Clock>,
    websub: Option<Subscriber>,
    tasks: JoinSet<Done>,
    running: HashMap<task::Id, Claim>,
    /// Claims made so far.
    claims: usize,
    /// How many fetches ran right after the last claim started its own, and how many
    /// fetches ended since.
    in_flight_after_claim: usize,
    ended_since_claim: usize,
    /// When the leases of the running fetches were last given a full length.
    renewed_at: DateTime<Utc>,
}

impl LeasedFetches {
    pub(crate) fn new(
        pipeline: Pipeline,
        lease: LeaseSettings,
        limits: Limits,
        clock: Arc<dyn Clock>,
    ) -> LeasedFetches {
        let renewed_at = clock.now();
        LeasedFetches {
            pipeline,
            lease,
            limits,
            clock,
            websub: None,
            tasks: JoinSet::new(),
            running: HashMap::new(),
            claims: 0,
            in_flight_after_claim: 0,
            ended_since_claim: 0,
            renewed_at,
        }
    }

    /// After each successful fetch, subscribe to the WebSub hubs its feed advertises.
    pub(crate) fn with_websub(mut self, websub: Option<Subscriber>) -> Self {
        self.websub = websub;
        self
    }

    pub(crate) fn owner(&self) -> &LeaseOwner {
        &self.lease.owner
    }

    pub(crate) fn running(&self) -> usize {
        self.running.len()
    }

    /// How many claims were made so far.
    pub(crate) fn claims(&self) -> usize {
        self.claims
    }

    /// How many more fetches this process may start now.
    pub(crate) fn capacity(&self) -> usize {
        self.limits.concurrency.saturating_sub(self.running.len())
    }

    /// Whether a claim now is worth its statements: nothing runs, or half the fetches in
    /// flight after the last claim have ended since (or all that `left` sources still to
    /// claim need, when fewer). Claiming again as each fetch ends would cost a whole claim
    /// per source. The measure is what ran after the claim, not what it started (slots,
    /// per host or the sixteen for local files, may cap a claim below its room): a claim
    /// made once half of the fetches ended takes about that half back, so the batches keep
    /// their size; measured by what the last claim started, each batch would be half the
    /// one before, down to one source a claim (and, in between, claims that find every slot
    /// still held).
    pub(crate) fn worth_claiming(&self, left: Option<usize>) -> bool {
        let half = self
            .in_flight_after_claim
            .clamp(1, self.limits.concurrency.max(1))
            .div_ceil(2);
        let wanted = left.map_or(half, |left| left.clamp(1, half));
        self.running.is_empty() || self.ended_since_claim >= wanted
    }

    /// Claims what `which` allows, as many as there is room for, and starts each claimed
    /// source's fetch. A claimed source without a job (never, as callers claim only their
    /// jobs) is given back.
    pub(crate) async fn claim(
        &mut self,
        which: Claimable<'_>,
        jobs: &HashMap<SourceId, SourceJob>,
        now: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError> {
        let request = ClaimRequest {
            owner: &self.lease.owner,
            which,
            capacity: self.capacity(),
            limits: SlotLimits {
                concurrency: self.limits.concurrency,
                per_host: self.limits.per_host,
            },
            now,
            until: now + self.lease.length,
        };
        let outcome = self.pipeline.store.claim(&request).await?;
        self.claims += 1;
        tracing::debug!(
            "claimed {} sources (room for {}); {} waiting for a slot, {} held elsewhere",
            outcome.claimed.len(),
            request.capacity,
            outcome.waiting.len(),
            outcome.held.len()
        );
        if self.running.is_empty() {
            self.renewed_at = now;
        }
        self.ended_since_claim = 0;
        for claim in &outcome.claimed {
            match jobs.get(&claim.source) {
                Some(job) => self.start(job.clone(), claim.clone()),
                None => {
                    self.pipeline.store.release(claim).await?;
                }
            }
        }
        self.in_flight_after_claim = self.running.len();
        Ok(outcome)
    }

    fn start(&mut self, job: SourceJob, claim: Claim) {
        let pipeline = self.pipeline.clone();
        let clock = Arc::clone(&self.clock);
        let websub = self.websub.clone();
        let held = claim.clone();
        let task = self.tasks.spawn(async move {
            let at = clock.now();
            // Boxed: the fetch's whole state (client, parser and store futures) is large.
            let result = Box::pin(pipeline.ingest_claimed(&job, &claim, at)).await;
            if let (Some(subscriber), Ok(report)) = (&websub, &result)
                && let Some(links) = &report.websub
                && let Err(error) = subscriber.after_fetch(job.id, links, at).await
            {
                tracing::warn!(source.id = %job.id, "cannot subscribe to the feed's WebSub hub: {}; polling carries on", crate::websub::error_chain(&error));
            }
            Done {
                finished: (job, result),
                at,
            }
        });
        self.running.insert(task.id(), held);
    }

    /// The next fetch to finish (`None` when none runs). A fetch that panicked or was
    /// aborted stored no outcome: its lease is given back.
    pub(crate) async fn join_next(&mut self) -> Option<Result<Done, JoinError>> {
        let joined = self.tasks.join_next_with_id().await?;
        Some(self.finished(joined).await)
    }

    /// A fetch that has finished already, without waiting.
    pub(crate) async fn try_join_next(&mut self) -> Option<Result<Done, JoinError>> {
        let joined = self.tasks.try_join_next_with_id()?;
        Some(self.finished(joined).await)
    }

    async fn finished(
        &mut self,
        joined: Result<(task::Id, Done), JoinError>,
    ) -> Result<Done, JoinError> {
        self.ended_since_claim += 1;
        match joined {
            Ok((id, done)) => {
                self.running.remove(&id);
                Ok(done)
            }
            Err(error) => {
                if let Some(claim) = self.running.remove(&error.id())
                    && let Err(store_error) = self.pipeline.store.release(&claim).await
                {
                    tracing::warn!(source.id = %claim.source, "could not give back the lease of a fetch that stopped: {store_error}");
                }
                Err(error)
            }
        }
    }

    /// When the running fetches' leases are next renewed (`None` when none runs).
    pub(crate) fn renew_at(&self) -> Option<DateTime<Utc>> {
        (!self.running.is_empty()).then(|| self.renewed_at + self.lease.renew_every())
    }

    /// Renews the leases of the running fetches for a full length from `now`. A lease
    /// another process took meanwhile is not renewed; its fetch's outcome will be dropped.
    pub(crate) async fn renew(&mut self, now: DateTime<Utc>) {
        let sources: Vec<SourceId> = self.running.values().map(|claim| claim.source).collect();
        if sources.is_empty() {
            return;
        }
        let until = now + self.lease.length;
        match (self.pipeline.store)
            .renew_leases(&self.lease.owner, &sources, until)
            .await
        {
            Ok(renewed) => {
                self.renewed_at = now;
                if renewed < sources.len() as u64 {
                    tracing::warn!(
                        "renewed {renewed} of {} leases: the others ran out and were claimed by another process",
                        sources.len()
                    );
                }
            }
            Err(error) => tracing::warn!(
                "cannot renew leases (they run out at the latest at {}): {error}",
                self.renewed_at + self.lease.length
            ),
        }
    }

    /// Stops every running fetch and gives back every lease and slot this process holds.
    pub(crate) async fn stop(&mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        self.running.clear();
        match self.pipeline.store.release_all(&self.lease.owner).await {
            Ok(0) => {}
            Ok(released) => tracing::info!("gave back {released} leases"),
            Err(error) => {
                tracing::warn!("cannot give back leases (they run out on their own): {error}")
            }
        }
    }
}
