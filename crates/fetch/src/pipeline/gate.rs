//! How many fetched bodies one process parses, tags and stores at once, and the threads
//! that parse and tag them.
//!
//! The threads are the gate's own, one a core (at least two), rather than the runtime's
//! blocking pool: that pool starts a thread for each blocking call in flight (a sweep's
//! file reads alone are up to `[fetch] concurrency` of them), and glibc's allocator gives
//! each thread that allocates its own arena (up to eight per core), which keeps the
//! largest parse it ever held. Parsing on whichever pool thread is free spread the work
//! over every arena: a first fetch of 300 local files (debug build) peaked at 217 MB with
//! eight read at once, 160 MB with `MALLOC_ARENA_MAX=2`, about 155 MB on the gate's
//! threads, where the parse and tag allocations stay in as many arenas as there are
//! threads. A changed local file is read here too (`file::read_gated`). For SQLite the
//! gate lets in more bodies than it has threads (`BODIES_PER_THREAD`), so that the
//! threads keep parsing while parsed bodies wait for the store's one writer.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// Bodies in work per parsing thread for a store with one writer ([`BodyGate::for_store`]):
/// one being parsed or tagged, the others parsed and waiting for the writer (or read and
/// waiting for a thread). With one body a thread, a body kept its turn until it was
/// stored, so while SQLite's one writer was busy (an ingest, an indexing pass) both threads
/// soon held bodies waiting for it and stood idle: on the ingest bench they idled through
/// every indexing pass. Four a thread keep them parsing through the writer's shorter waits,
/// at the cost of a few more parsed feeds in memory (SQLite's peak stayed within its
/// noise). PostgreSQL takes writers in parallel, so more bodies there only meant more
/// ingests at once: its peak went from about 210 to 300 MB, for no gain; it keeps one.
const BODIES_PER_THREAD: usize = 4;

/// A piece of CPU work for the gate's threads.
type Work = Box<dyn FnOnce() + Send>;

/// Bounds the bodies in work at once (read, parse, tag, store) to the machine's cores (at
/// least two; `BODIES_PER_THREAD` times that for a store with one writer), and parses and tags them on a thread a core
/// of its own. A sweep may have `[fetch] concurrency` reads in flight (32), but parsing is
/// CPU work: 32 feeds parsed at once on two cores only hold 32 documents and their posts
/// in memory together. Clones
/// share the bound and the threads; an unchanged fetch (no body) never waits for it.
#[derive(Debug, Clone)]
pub struct BodyGate(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    bodies: Arc<Semaphore>,
    threads: usize,
    /// Where work goes; the threads start with the first piece and end once every clone
    /// of the gate is dropped.
    queue: OnceLock<Sender<Work>>,
}

impl BodyGate {
    /// At most `bodies` in work at once (at least one), on as many threads.
    pub fn new(bodies: usize) -> BodyGate {
        BodyGate::with_threads(bodies, bodies)
    }

    /// At most `bodies` in work at once (at least one), parsed and tagged on `threads`
    /// threads (at least one, at most `bodies`).
    pub fn with_threads(threads: usize, bodies: usize) -> BodyGate {
        let bodies = bodies.max(1);
        BodyGate(Arc::new(Inner {
            bodies: Arc::new(Semaphore::new(bodies)),
            threads: threads.clamp(1, bodies),
            queue: OnceLock::new(),
        }))
    }

    /// Waits for a turn; the body is in work until the permit is dropped.
    pub(crate) async fn enter(&self) -> Option<OwnedSemaphorePermit> {
        // The semaphore is never closed: `None` cannot happen, and would only mean no bound.
        Arc::clone(&self.0.bodies).acquire_owned().await.ok()
    }

    /// Runs `work` on one of the gate's threads; `None` when it panicked (or no thread
    /// could be started).
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (done, result) = oneshot::channel();
        let work: Work = Box::new(move || {
            if let Ok(value) = std::panic::catch_unwind(AssertUnwindSafe(work)) {
                let _ = done.send(value);
            }
        });
        let queue = self.0.queue.get_or_init(|| start(self.0.threads));
        queue.send(work).ok()?;
        result.await.ok()
    }
}

/// Starts `threads` threads that run the work sent on the returned queue, until it closes.
fn start(threads: usize) -> Sender<Work> {
    let (queue, work) = mpsc::channel::<Work>();
    let work = Arc::new(Mutex::new(work));
    for n in 0..threads {
        let work = Arc::clone(&work);
        let started = std::thread::Builder::new()
            .name(format!("syndic-body-{n}"))
            .spawn(move || serve(&work));
        if let Err(error) = started {
            tracing::warn!("cannot start a thread for parsing: {error}");
        }
    }
    queue
}

/// Runs the queue's work, one piece at a time, until the queue closes.
fn serve(work: &Mutex<Receiver<Work>>) {
    loop {
        let next = match work.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match next {
            Ok(piece) => piece(),
            Err(_) => return,
        }
    }
}

impl BodyGate {
    /// The gate for ingests into `store`: [`BodyGate::default`]'s threads, and
    /// `BODIES_PER_THREAD` bodies a thread when the store has one writer.
    pub fn for_store(store: &syndic_store::Store) -> BodyGate {
        let threads = BodyGate::default().0.threads;
        let per_thread = if store.one_writer() {
            BODIES_PER_THREAD
        } else {
            1
        };
        BodyGate::with_threads(threads, threads * per_thread)
    }
}

impl Default for BodyGate {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        BodyGate::new(cores.max(2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_gate_lets_in_as_many_bodies_as_it_has_room_for() {
        let gate = BodyGate::new(2);
        let (first, second) = (gate.enter().await, gate.enter().await);
        assert!(first.is_some() && second.is_some());
        assert_eq!(gate.0.bodies.available_permits(), 0, "a third waits");
        drop(first);
        assert!(gate.enter().await.is_some(), "room again once one is done");
    }

    #[tokio::test]
    async fn a_gate_lets_in_more_bodies_than_it_has_threads() {
        let gate = BodyGate::with_threads(2, 8);
        let mut permits = Vec::new();
        for _ in 0..8 {
            permits.push(gate.enter().await);
        }
        assert!(permits.iter().all(Option::is_some));
        assert_eq!(gate.0.bodies.available_permits(), 0, "a ninth waits");
        assert_eq!(gate.0.threads, 2);
        let names = futures_names(&gate).await;
        let mut distinct: Vec<_> = names.into_iter().flatten().collect();
        distinct.sort();
        distinct.dedup();
        assert!(
            distinct
                .iter()
                .all(|n| n == "syndic-body-0" || n == "syndic-body-1"),
            "{distinct:?}"
        );
    }

    #[tokio::test]
    async fn a_store_with_one_writer_gets_room_for_bodies_waiting_for_it() {
        let store = syndic_store::Store::open("sqlite::memory:")
            .await
            .expect("an in-memory store");
        let gate = BodyGate::for_store(&store);
        assert!(gate.0.threads >= 2);
        assert_eq!(
            gate.0.bodies.available_permits(),
            gate.0.threads * BODIES_PER_THREAD
        );
        let plain = BodyGate::default();
        assert_eq!(plain.0.bodies.available_permits(), plain.0.threads);
    }

    #[tokio::test]
    async fn work_runs_on_the_gates_own_threads_and_a_panic_is_none() {
        let gate = BodyGate::new(2);
        let names: Vec<Option<String>> = futures_names(&gate).await;
        assert!(
            names.iter().all(|name| name
                .as_deref()
                .is_some_and(|n| n.starts_with("syndic-body-"))),
            "{names:?}"
        );
        let panicked: Option<()> = gate.run(|| panic!("a parser bug")).await;
        assert_eq!(panicked, None);
        assert_eq!(gate.run(|| 2 + 2).await, Some(4), "the threads live on");
    }

    async fn futures_names(gate: &BodyGate) -> Vec<Option<String>> {
        let mut names = Vec::new();
        for _ in 0..4 {
            let name = gate
                .run(|| std::thread::current().name().map(str::to_owned))
                .await;
            names.push(name.flatten());
        }
        names
    }
}
