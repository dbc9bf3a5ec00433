//! Per-host politeness for the requests a fetch makes beside its feed (the media cache's
//! images, full text's pages and robots.txt): at most one request to a host at a time in
//! this process, and at least a delay between the starts of two requests to it, so a
//! post with fifty images on one host is fifty requests one after the other, spaced, and
//! never fifty at once (whatever number of sources are being fetched meanwhile).
//!
//! With a store ([`HostGate::across_fleet`]) the delay holds for every process on it
//! together: after its lane here, a request also takes the host's turn in the store
//! ([`Store::take_host_turn`], one upsert), waiting while another process's request
//! started less than the delay ago. The lane stays the fast path: the tasks of one
//! process queue here, and only the one at the front asks the store. A store that cannot
//! answer falls back to this process's spacing (logged): politeness never fails a fetch.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use syndic_store::{HostTurn as StoreTurn, Store, TurnKind};
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

/// Hosts remembered before those without a request in flight are forgotten.
const MAX_HOSTS: usize = 10_000;

/// The longest single wait for the fleet's turn before asking again (a turn taken with a
/// long `Crawl-delay` is waited for in steps).
const MOST_FLEET_WAIT: Duration = Duration::from_secs(5);

/// Turns taken between two clean-ups of the store's past turns.
const FORGET_EVERY: u32 = 1_000;

/// One lane per host: who holds it, and when its last request started.
#[derive(Debug)]
pub(crate) struct HostGate {
    delay: Duration,
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Instant>>>>>,
    fleet: Option<FleetTurns>,
}

/// The store's turns of one kind, shared by every process on the store.
#[derive(Debug)]
struct FleetTurns {
    store: Store,
    kind: TurnKind,
    taken: AtomicU32,
}

/// The right to send one request to a host; the next waits until it is dropped (and the
/// delay has passed since this one started).
pub(crate) struct HostTurn {
    _held: OwnedMutexGuard<Option<Instant>>,
}

impl HostGate {
    pub(crate) fn new(delay: Duration) -> HostGate {
        HostGate {
            delay,
            hosts: Mutex::default(),
            fleet: None,
        }
    }

    /// The same gate, its delay also held across every process on `store` for requests
    /// of `kind`.
    pub(crate) fn across_fleet(self, store: Store, kind: TurnKind) -> HostGate {
        HostGate {
            fleet: Some(FleetTurns {
                store,
                kind,
                taken: AtomicU32::new(0),
            }),
            ..self
        }
    }

    /// Waits for `host`'s turn: until no other request to it is in flight here and the
    /// gate's delay has passed since the last one started (in the fleet, with a store).
    pub(crate) async fn turn(&self, host: &str) -> HostTurn {
        self.turn_after(host, self.delay).await
    }

    /// [`HostGate::turn`] with `pause` in place of the gate's delay (a site's
    /// `Crawl-delay`).
    pub(crate) async fn turn_after(&self, host: &str, pause: Duration) -> HostTurn {
        let lane = {
            let mut hosts = self
                .hosts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Hosts nobody is waiting on are forgotten once there are many.
            if hosts.len() > MAX_HOSTS {
                hosts.retain(|_, lane| Arc::strong_count(lane) > 1);
            }
            Arc::clone(hosts.entry(host.to_owned()).or_default())
        };
        let mut held = lane.lock_owned().await;
        if let Some(last) = *held {
            tokio::time::sleep_until(last + pause).await;
        }
        if let Some(fleet) = &self.fleet {
            fleet.turn(host, pause).await;
        }
        *held = Some(Instant::now());
        HostTurn { _held: held }
    }
}

impl FleetTurns {
    /// Waits until this process takes `host`'s turn in the store.
    async fn turn(&self, host: &str, pause: Duration) {
        loop {
            match self
                .store
                .take_host_turn(host, self.kind, pause, Utc::now())
                .await
            {
                Ok(StoreTurn::Taken) => break,
                Ok(StoreTurn::WaitUntil(at)) => {
                    let wait = (at - Utc::now()).to_std().unwrap_or_default();
                    tokio::time::sleep(wait.clamp(Duration::from_millis(1), MOST_FLEET_WAIT)).await;
                }
                Err(error) => {
                    tracing::warn!(
                        host,
                        "cannot take the host's turn in the store; spacing its {} requests in \
                         this process only: {error}",
                        self.kind.as_str()
                    );
                    return;
                }
            }
        }
        if self.taken.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1
            && let Err(error) = self.store.forget_past_host_turns(Utc::now()).await
        {
            tracing::warn!("cannot forget past host turns now (the next clean-up will): {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syndic_store::testing::{TestDatabase, TestEngine};

    #[tokio::test(start_paused = true)]
    async fn a_host_s_requests_take_turns_spaced_by_the_delay_and_other_hosts_do_not_wait() {
        let gate = Arc::new(HostGate::new(Duration::from_secs(2)));
        let start = Instant::now();
        let first = gate.turn("img.example").await;
        let other = gate.turn("cdn.example").await;
        assert_eq!(Instant::now(), start, "another host does not wait");
        drop(other);
        let waiting = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                let _turn = gate.turn("img.example").await;
                Instant::now()
            })
        };
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!waiting.is_finished(), "the host's lane is held");
        drop(first);
        let second_at = waiting.await.expect("the second turn");
        assert_eq!(
            second_at,
            start + Duration::from_secs(5),
            "after the first, which is past the delay"
        );
        let third = gate.turn("img.example").await;
        drop(third);
        assert_eq!(
            Instant::now(),
            second_at + Duration::from_secs(2),
            "the delay after the second"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_gates_on_one_store_space_a_host_s_requests_between_them_on_both_engines() {
        for engine in TestEngine::ALL {
            let test = "two_gates_on_one_store_space_a_host_s_requests_between_them";
            if let Some(database) = TestDatabase::new(engine, test) {
                two_processes_take_turns(&database).await;
            }
        }
    }

    /// Two gates on two stores over one database stand for two processes; each takes
    /// three turns of one host at once. No two turns start closer than the delay (less a
    /// tolerance for the time a turn takes to come back): without the store's turns the
    /// two would go at the same moment.
    async fn two_processes_take_turns(database: &TestDatabase) {
        const DELAY: Duration = Duration::from_millis(300);
        const TOLERANCE: chrono::Duration = chrono::Duration::milliseconds(100);
        let gates = [database.open().await, database.open().await]
            .map(|store| Arc::new(HostGate::new(DELAY).across_fleet(store, TurnKind::Image)));
        let mut asks = Vec::new();
        for gate in &gates {
            let gate = Arc::clone(gate);
            asks.push(tokio::spawn(async move {
                let mut starts = Vec::new();
                for _ in 0..3 {
                    let _turn = gate.turn("img.example").await;
                    starts.push(Utc::now());
                }
                starts
            }));
        }
        let mut starts = Vec::new();
        for ask in asks {
            starts.extend(ask.await.expect("turns"));
        }
        starts.sort();
        assert_eq!(starts.len(), 6);
        let gap = chrono::Duration::from_std(DELAY).expect("a short delay") - TOLERANCE;
        for pair in starts.windows(2) {
            assert!(
                pair[1] - pair[0] >= gap,
                "two requests {} ms apart: {starts:?}",
                (pair[1] - pair[0]).num_milliseconds()
            );
        }
    }
}
