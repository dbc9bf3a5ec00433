//! How many fetched bodies one process parses, tags and stores at once.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bounds the bodies in work at once (parse, tag, store) to the machine's cores, at least
/// two. A sweep may have `[fetch] concurrency` reads in flight (32), but parsing is CPU
/// work: 32 feeds parsed at once on two cores only hold 32 documents and their posts in
/// memory together. Clones share the bound; an unchanged fetch (no body) never waits for
/// it.
#[derive(Debug, Clone)]
pub struct BodyGate(Arc<Semaphore>);

impl BodyGate {
    /// At most `bodies` in work at once (at least one).
    pub fn new(bodies: usize) -> BodyGate {
        BodyGate(Arc::new(Semaphore::new(bodies.max(1))))
    }

    /// Waits for a turn; the body is in work until the permit is dropped.
    pub(crate) async fn enter(&self) -> Option<OwnedSemaphorePermit> {
        // The semaphore is never closed: `None` cannot happen, and would only mean no bound.
        Arc::clone(&self.0).acquire_owned().await.ok()
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
        assert_eq!(gate.0.available_permits(), 0, "a third waits");
        drop(first);
        assert!(gate.enter().await.is_some(), "room again once one is done");
    }
}
