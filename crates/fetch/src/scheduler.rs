//! The scheduler inside `syndic serve`: fetches each source when the store says it is due.
//!
//! The timing is decided elsewhere: [`Pipeline::ingest_at`] stores every source's next
//! fetch (adaptive, clamped, honouring the server's hints, backed off after failures,
//! never again once gone) with the fetch itself. The scheduler only asks the store what is
//! due, starts it under the shared [`Limits`], and sleeps until the next source is due
//! (at most [`MAX_SLEEP`]). Because all of it lives in the store, a restarted scheduler
//! picks up exactly where the last one stopped and re-polls nothing early.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use syndic_core::SourceId;
use syndic_core::schedule;
use tokio::sync::mpsc;
use tokio::task::{self, JoinSet};

use crate::limits::{Finished, Limiter, Limits};
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

/// Where the scheduler reads the time and waits for it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// Resolves at `deadline` (at once when it has passed).
    fn sleep_until(&self, deadline: DateTime<Utc>)
    -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
    /// Whether time stands still while fetches run (a simulated clock): the scheduler then
    /// lets every fetch in flight finish before it sleeps, so simulations are repeatable.
    fn is_simulated(&self) -> bool {
        false
    }
}

/// The wall clock and tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(
        &self,
        deadline: DateTime<Utc>,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let wait = deadline
            .signed_duration_since(Utc::now())
            .to_std()
            .unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A simulated clock for tests: it stands still until the scheduler sleeps, and a sleep
/// jumps straight to its deadline (after calling the `on_advance` hook with the new time,
/// so that a test can change the world as time passes).
pub struct ManualClock {
    now: std::sync::Mutex<DateTime<Utc>>,
    #[allow(clippy::type_complexity)]
    on_advance: Box<dyn Fn(DateTime<Utc>) + Send + Sync>,
}

impl ManualClock {
    pub fn new(
        start: DateTime<Utc>,
        on_advance: impl Fn(DateTime<Utc>) + Send + Sync + 'static,
    ) -> Self {
        ManualClock {
            now: std::sync::Mutex::new(start),
            on_advance: Box::new(on_advance),
        }
    }

    /// Moves time forward to `to` (never back).
    pub fn advance_to(&self, to: DateTime<Utc>) {
        let now = {
            let mut now = self
                .now
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *now = (*now).max(to);
            *now
        };
        (self.on_advance)(now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn sleep_until(
        &self,
        deadline: DateTime<Utc>,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            self.advance_to(deadline);
            // Let the shutdown future and others see the new time.
            tokio::task::yield_now().await;
        })
    }

    fn is_simulated(&self) -> bool {
        true
    }
}

/// The fetches running now: by source (never started twice) and by task.
#[derive(Default)]
struct InFlight {
    sources: HashSet<SourceId>,
    tasks: HashMap<task::Id, SourceId>,
}

/// One fetch the scheduler started, reported when it finishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchEvent {
    pub source: SourceId,
    /// When it started (the time the pipeline recorded it at).
    pub at: DateTime<Utc>,
    pub ok: bool,
}

/// Fetches the configured sources as they fall due, until shut down.
pub struct Scheduler {
    pipeline: Pipeline,
    jobs: Vec<SourceJob>,
    concurrency: usize,
    per_host: usize,
    clock: Arc<dyn Clock>,
    events: Option<mpsc::UnboundedSender<FetchEvent>>,
    websub: Option<Subscriber>,
    publisher: Option<Publisher>,
}

impl Scheduler {
    pub fn new(
        pipeline: Pipeline,
        jobs: Vec<SourceJob>,
        limits: Limits,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Scheduler {
            pipeline,
            jobs,
            concurrency: limits.concurrency,
            per_host: limits.per_host,
            clock,
            events: None,
            websub: None,
            publisher: None,
        }
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

    /// Runs until `shutdown` resolves; fetches in flight then are dropped (their sources
    /// stay due, so the next start fetches them). Errors are logged and never stop it.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let limiter = Limiter::new(Limits {
            concurrency: self.concurrency,
            per_host: self.per_host,
        });
        let jobs: HashMap<SourceId, SourceJob> =
            self.jobs.iter().map(|job| (job.id, job.clone())).collect();
        let spread = FIRST_FETCH_SPREAD.min(self.pipeline.schedule.min_interval);
        let mut in_flight = InFlight::default();
        let mut tasks: JoinSet<(Finished, DateTime<Utc>)> = JoinSet::new();
        tokio::pin!(shutdown);
        tracing::info!(sources = jobs.len(), "scheduler started");
        let mut renewed_at: Option<DateTime<Utc>> = None;
        let (mut changed, mut pinged_at) = (false, None::<DateTime<Utc>>);
        // Slugs of the tags the changes since the last ping touched, each once.
        let mut touched: Vec<String> = Vec::new();
        loop {
            let now = self.clock.now();
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
            self.start_due(now, &jobs, spread, &limiter, &mut in_flight, &mut tasks)
                .await;
            if tasks.is_empty() {
                self.index_search();
            }
            let wake = match self.pipeline.store.next_wakeup(now).await {
                Ok(next) => next.map_or(now + MAX_SLEEP, |next| next.min(now + MAX_SLEEP)),
                Err(error) => {
                    tracing::error!("scheduler: cannot read the next fetch time: {error}");
                    now + MAX_SLEEP
                }
            };
            if self.clock.is_simulated() {
                // Simulated time stands still while fetches run.
                let mut stop = false;
                while !tasks.is_empty() {
                    tokio::select! {
                        biased;
                        () = &mut shutdown => { stop = true; break; }
                        Some(joined) = tasks.join_next_with_id() => {
                            changed |= self.finished(joined, &mut in_flight, &mut touched);
                        }
                    }
                }
                if stop {
                    break;
                }
            }
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(joined) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                    changed |= self.finished(joined, &mut in_flight, &mut touched);
                }
                () = self.clock.sleep_until(wake) => {}
            }
        }
        tasks.abort_all();
        tracing::info!(in_flight = in_flight.sources.len(), "scheduler stopped");
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

    /// Starts every due source that has a job and is not in flight; gives never-fetched
    /// sources a spread-out first fetch time instead (or starts them, when theirs is now).
    async fn start_due(
        &self,
        now: DateTime<Utc>,
        jobs: &HashMap<SourceId, SourceJob>,
        spread: Duration,
        limiter: &Limiter,
        in_flight: &mut InFlight,
        tasks: &mut JoinSet<(Finished, DateTime<Utc>)>,
    ) {
        let due = match self.pipeline.store.due_sources(now).await {
            Ok(due) => due,
            Err(error) => {
                tracing::error!("scheduler: cannot list due sources: {error}");
                return;
            }
        };
        for id in due {
            let Some(job) = jobs.get(&id) else {
                continue; // In the store but no longer configured.
            };
            if in_flight.sources.contains(&id) {
                continue;
            }
            match self.pipeline.store.fetch_state(id).await {
                Ok(state) if state.next_fetch.is_none() => {
                    let offset = schedule::first_fetch_offset(id.0.cast_unsigned(), spread);
                    if offset >= Duration::seconds(1) {
                        if let Err(error) = self
                            .pipeline
                            .store
                            .schedule_first_fetch(id, now + offset)
                            .await
                        {
                            tracing::error!(source.id = %id, "scheduler: cannot schedule a first fetch: {error}");
                        }
                        continue;
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::error!(source.id = %id, "scheduler: cannot read the fetch state: {error}");
                    continue;
                }
            }
            let clock = Arc::clone(&self.clock);
            let limiter = limiter.clone();
            let pipeline = self.pipeline.clone();
            let job = job.clone();
            let websub = self.websub.clone();
            let task = tasks.spawn(async move {
                let _permit = limiter.acquire(&job.location).await;
                let at = clock.now();
                let result = pipeline.ingest_at(&job, at).await;
                if let (Some(subscriber), Ok(report)) = (&websub, &result)
                    && let Some(links) = &report.websub
                    && let Err(error) = subscriber.after_fetch(job.id, links, at).await
                {
                    tracing::warn!(source.id = %job.id, "cannot subscribe to the feed's WebSub hub: {}; polling carries on", crate::websub::error_chain(&error));
                }
                ((job, result), at)
            });
            in_flight.sources.insert(id);
            in_flight.tasks.insert(task.id(), id);
        }
    }

    /// Logs a finished fetch and frees its source for the next one. Whether it stored new
    /// or updated posts; the slugs of their tags are added to `touched` (each once).
    fn finished(
        &self,
        joined: Result<(task::Id, (Finished, DateTime<Utc>)), task::JoinError>,
        in_flight: &mut InFlight,
        touched: &mut Vec<String>,
    ) -> bool {
        let task = match &joined {
            Ok((task, _)) => *task,
            Err(error) => error.id(),
        };
        if let Some(source) = in_flight.tasks.remove(&task) {
            in_flight.sources.remove(&source);
        }
        let ((job, result), at) = match joined {
            Ok((_, done)) => done,
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
