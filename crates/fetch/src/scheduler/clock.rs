//! Where the scheduler reads the time and waits for it: the wall clock, or a simulated
//! one for tests.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};

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
