//! The scheduler inside `syndic serve` and `syndic worker`: fetches each source when the
//! store says it is due.
//!
//! The timing is decided elsewhere: [`Pipeline::ingest_claimed`] stores every source's next
//! fetch (adaptive, clamped, honouring the server's hints, backed off after failures,
//! never again once gone) with the fetch itself, releasing its lease in the same
//! transaction. The scheduler only claims what is due (under the fleet's [`Limits`]),
//! starts it, and sleeps until the next source is due (at most [`MAX_SLEEP`]) or a source
//! it had to leave may be free. Because all of it lives in the store, any number of
//! schedulers share one store, and a restarted one picks up exactly where the last one
//! stopped and re-polls nothing early.

mod clock;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use syndic_core::SourceId;
use syndic_core::schedule;
use tokio::sync::mpsc;
use tokio::task;

use syndic_store::Claimable;

pub use clock::{Clock, ManualClock, SystemClock};

use crate::fleet::{Done, LeaseSettings, LeasedFetches};
use crate::limits::Limits;
use crate::sweep::RECHECK;
use crate::{Pipeline, Publisher, SourceJob, Subscriber};

/// Longest sleep between two looks at the store, so that changes made behind the
/// scheduler's back (a `syndic fetch`, a source revived by hand) are noticed.
pub const MAX_SLEEP: Duration = Duration::seconds(60);
/// Shortest gap between two WebSub publish pings.
pub const PING_EVERY: Duration = Duration::minutes(1);
/// How often the scheduler looks for WebSub subscriptions to renew.
const RENEW_EVERY: Duration = Duration::hours(1);
/// Longest spread of first fetches; shorter when `min_interval` is.
pub const FIRST_FETCH_SPREAD: Duration = Duration::minutes(5);

/// One fetch the scheduler started, reported when it finishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchEvent {
    pub source: SourceId,
    /// When it started (the time the pipeline recorded it at).
    pub at: DateTime<Utc>,
    pub ok: bool,
}

/// Fetches the configured sources as they fall due, until shut down, each under a lease
/// from the store (so that any number of schedulers share the sources and the limits).
pub struct Scheduler {
    pipeline: Pipeline,
    jobs: Vec<SourceJob>,
    limits: Limits,
    clock: Arc<dyn Clock>,
    lease: LeaseSettings,
    events: Option<mpsc::UnboundedSender<FetchEvent>>,
    websub: Option<Subscriber>,
    publisher: Option<Publisher>,
}

impl Scheduler {
    /// A scheduler for `jobs` under `limits` (for the whole fleet), leasing as this
    /// process for [`DEFAULT_LEASE`](crate::DEFAULT_LEASE) unless told otherwise
    /// ([`Scheduler::with_lease`]).
    pub fn new(
        pipeline: Pipeline,
        jobs: Vec<SourceJob>,
        limits: Limits,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Scheduler {
            pipeline,
            jobs,
            limits,
            clock,
            lease: LeaseSettings::default(),
            events: None,
            websub: None,
            publisher: None,
        }
    }

    /// Leases sources as `lease` says (who this process is, how long a lease runs).
    #[must_use]
    pub fn with_lease(mut self, lease: LeaseSettings) -> Self {
        self.lease = lease;
        self
    }

    /// Pings `publisher`'s hubs after fetches stored new or updated posts: the site feed
    /// and the feeds of the tags those posts carry, each once a round (at most once per
    /// [`PING_EVERY`]; a change in between is pinged at the next turn).
    #[must_use]
    pub fn with_publisher(mut self, publisher: Publisher) -> Self {
        self.publisher = Some(publisher);
        self
    }

    /// Subscribes sources whose feeds advertise a WebSub hub after each successful fetch,
    /// and renews subscriptions before their lease ends (checked at most hourly).
    #[must_use]
    pub fn with_websub(mut self, subscriber: Subscriber) -> Self {
        self.websub = Some(subscriber);
        self
    }

    /// Reports every finished fetch on `events` (for tests and monitoring).
    #[must_use]
    pub fn with_events(mut self, events: mpsc::UnboundedSender<FetchEvent>) -> Self {
        self.events = Some(events);
        self
    }

    /// Runs until `shutdown` resolves; fetches in flight then are dropped and every lease
    /// given back (their sources stay due, so the next claim fetches them). Errors are
    /// logged and never stop it.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let jobs: HashMap<SourceId, SourceJob> =
            self.jobs.iter().map(|job| (job.id, job.clone())).collect();
        let configured: HashSet<SourceId> = jobs.keys().copied().collect();
        let spread = FIRST_FETCH_SPREAD.min(self.pipeline.schedule.min_interval);
        let mut fetches = LeasedFetches::new(
            self.pipeline.clone(),
            self.lease.clone(),
            self.limits,
            Arc::clone(&self.clock),
        )
        .with_websub(self.websub.clone());
        tokio::pin!(shutdown);
        tracing::info!(sources = jobs.len(), lease.owner = %fetches.owner(), "scheduler started");
        let mut renewed_at: Option<DateTime<Utc>> = None;
        let (mut changed, mut pinged_at) = (false, None::<DateTime<Utc>>);
        // Whether posts were stored since the last indexing pass began.
        let mut unindexed = false;
        // Slugs of the tags the changes since the last ping touched, each once.
        let mut touched: Vec<String> = Vec::new();
        loop {
            let now = self.clock.now();
            if fetches.renew_at().is_some_and(|at| at <= now) {
                fetches.renew(now).await;
            }
            if changed
                && let Some(publisher) = &self.publisher
                && pinged_at.is_none_or(|at| now - at >= PING_EVERY)
            {
                (changed, pinged_at) = (false, Some(now));
                let publisher = publisher.clone();
                let tags = std::mem::take(&mut touched);
                tokio::spawn(async move { publisher.ping(&tags).await });
            }
            if let Some(subscriber) = &self.websub
                && renewed_at.is_none_or(|at| now - at >= RENEW_EVERY)
            {
                renewed_at = Some(now);
                // Hubs may be slow: renewals never hold up the loop.
                let subscriber = subscriber.clone();
                tokio::spawn(async move { subscriber.renew_due(now).await });
            }
            let look_again = self
                .start_due(now, &jobs, &configured, spread, &mut fetches)
                .await;
            if unindexed && fetches.running() == 0 {
                unindexed = false;
                self.index_search();
            }
            let mut wake = match self.pipeline.store.next_wakeup(now).await {
                Ok(next) => next.map_or(now + MAX_SLEEP, |next| next.min(now + MAX_SLEEP)),
                Err(error) => {
                    tracing::error!("scheduler: cannot read the next fetch time: {error}");
                    now + MAX_SLEEP
                }
            };
            if self.clock.is_simulated() {
                // Simulated time stands still while fetches run.
                let mut stop = false;
                while fetches.running() > 0 {
                    tokio::select! {
                        biased;
                        () = &mut shutdown => { stop = true; break; }
                        Some(done) = fetches.join_next() => {
                            let stored = self.finished(done, &mut touched);
                            (changed, unindexed) = (changed | stored, unindexed | stored);
                        }
                    }
                }
                if stop {
                    break;
                }
                if look_again.is_some() {
                    // Left only for want of a slot: the slots are free again.
                    continue;
                }
            }
            wake = [look_again, fetches.renew_at()]
                .into_iter()
                .flatten()
                .fold(wake, DateTime::min);
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(done) = fetches.join_next(), if fetches.running() > 0 => {
                    let stored = self.finished(done, &mut touched);
                    (changed, unindexed) = (changed | stored, unindexed | stored);
                }
                () = self.clock.sleep_until(wake) => {}
            }
        }
        tracing::info!(in_flight = fetches.running(), "scheduler stopping");
        fetches.stop().await;
        tracing::info!("scheduler stopped");
    }

    /// Nothing is in flight: what the last fetches stored becomes searchable now (during
    /// long rounds, [`Pipeline::ingest_at`] indexes as posts pile up). In a task of its own,
    /// so a long pass never holds up the loop; the store runs one pass at a time.
    fn index_search(&self) {
        let store = self.pipeline.store.clone();
        tokio::spawn(async move {
            if let Err(error) = store.index_search().await {
                tracing::warn!("scheduler: cannot bring the search index in step: {error}");
            }
        });
    }

    /// Gives never-fetched sources a spread-out first fetch time, then claims and starts
    /// every due source there is room and a free slot for. Returns when to look again
    /// for sources it had to leave (no free slot, or a lease of another process that may
    /// run out), if any.
    async fn start_due(
        &self,
        now: DateTime<Utc>,
        jobs: &HashMap<SourceId, SourceJob>,
        configured: &HashSet<SourceId>,
        spread: Duration,
        fetches: &mut LeasedFetches,
    ) -> Option<DateTime<Utc>> {
        self.spread_first_fetches(now, configured, spread).await;
        if fetches.capacity() == 0 {
            return None; // A fetch that finishes wakes the loop.
        }
        match fetches.claim(Claimable::Due(configured), jobs, now).await {
            Ok(outcome) => {
                let recheck = Duration::from_std(RECHECK).unwrap_or(Duration::seconds(1));
                let waiting = (!outcome.waiting.is_empty()).then_some(now + recheck);
                let runs_out = outcome.held.iter().map(|lease| lease.until).min();
                waiting.into_iter().chain(runs_out).min()
            }
            Err(error) => {
                tracing::error!("scheduler: cannot claim due sources: {error}");
                None
            }
        }
    }

    /// A source never fetched gets a first fetch time spread over `spread` instead of a
    /// fetch now (unless its time is now), so a new configuration does not fetch
    /// everything in the same second.
    async fn spread_first_fetches(
        &self,
        now: DateTime<Utc>,
        configured: &HashSet<SourceId>,
        spread: Duration,
    ) {
        let store = &self.pipeline.store;
        let unscheduled = match store.unscheduled_sources().await {
            Ok(unscheduled) => unscheduled,
            Err(error) => {
                tracing::error!("scheduler: cannot list unscheduled sources: {error}");
                return;
            }
        };
        for id in unscheduled.into_iter().filter(|id| configured.contains(id)) {
            let offset = schedule::first_fetch_offset(id.0.cast_unsigned(), spread);
            if offset >= Duration::seconds(1)
                && let Err(error) = store.schedule_first_fetch(id, now + offset).await
            {
                tracing::error!(source.id = %id, "scheduler: cannot schedule a first fetch: {error}");
            }
        }
    }

    /// Logs a finished fetch. Whether it stored new or updated posts; the slugs of their
    /// tags are added to `touched` (each once).
    fn finished(&self, done: Result<Done, task::JoinError>, touched: &mut Vec<String>) -> bool {
        let Done {
            finished: (job, result),
            at,
        } = match done {
            Ok(done) => done,
            Err(error) => {
                tracing::error!("scheduler: a fetch stopped: {error}");
                return false;
            }
        };
        let ok = result.is_ok();
        let stored = result
            .as_ref()
            .is_ok_and(|report| report.stats.new + report.stats.updated > 0);
        if let Ok(report) = &result {
            for slug in &report.touched_tags {
                if !touched.contains(slug) {
                    touched.push(slug.clone());
                }
            }
        }
        match result {
            Ok(report) => tracing::info!(
                source.id = %job.id,
                "fetched {}: {} new, {} updated{}; next at {}",
                job.location,
                report.stats.new,
                report.stats.updated,
                if report.unchanged { " (not modified)" } else { "" },
                report.next_fetch
            ),
            Err(error) if error.is_lease_lost() => {
                tracing::warn!(source.id = %job.id, "{}: {error:#}", job.location);
            }
            Err(error) => tracing::warn!(source.id = %job.id, "{} failed: {error:#}", job.location),
        }
        if let Some(events) = &self.events {
            let _ = events.send(FetchEvent {
                source: job.id,
                at,
                ok,
            });
        }
        stored
    }
}
