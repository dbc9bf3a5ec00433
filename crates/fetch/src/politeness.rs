//! Per-host politeness for the requests a fetch makes beside its feed (the media cache's
//! images, full text's pages and robots.txt): at most one request to a host at a time in
//! this process, and at least a delay between the starts of two requests to it, so a
//! post with fifty images on one host is fifty requests one after the other, spaced, and
//! never fifty at once (whatever number of sources are being fetched meanwhile).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

/// Hosts remembered before those without a request in flight are forgotten.
const MAX_HOSTS: usize = 10_000;

/// One lane per host: who holds it, and when its last request started.
#[derive(Debug)]
pub(crate) struct HostGate {
    delay: Duration,
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Instant>>>>>,
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
        }
    }

    /// Waits for `host`'s turn: until no other request to it is in flight here and the
    /// gate's delay has passed since the last one started.
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
        *held = Some(Instant::now());
        HostTurn { _held: held }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
