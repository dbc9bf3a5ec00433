//! Failed logins, limited per client address: after [`MAX_FAILURES`] failures within
//! [`WINDOW`] an address is refused (`429`) until the oldest of them is a window old. The
//! window slides, so no minute ever sees more failures than the limit. IPv6 addresses count
//! by their /64 (what one client usually holds). Memory is bounded: at most
//! [`MAX_ADDRESSES`] addresses are remembered, the least recently seen forgotten first.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

/// Failed logins allowed per address within [`WINDOW`].
pub const MAX_FAILURES: usize = 10;
/// The sliding window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(60);
/// The most addresses remembered at once.
const MAX_ADDRESSES: usize = 4096;

/// Recent failed logins by client address.
pub(crate) struct LoginLimiter {
    failures: Mutex<LruCache<IpAddr, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub(crate) fn new() -> LoginLimiter {
        let bound = NonZeroUsize::new(MAX_ADDRESSES).unwrap_or(NonZeroUsize::MIN);
        LoginLimiter {
            failures: Mutex::new(LruCache::new(bound)),
        }
    }

    /// How long `address` must wait before it may try again, if it must.
    pub(crate) fn wait(&self, address: IpAddr, now: Instant) -> Option<Duration> {
        let mut table = self.lock();
        let times = table.get_mut(&key(address))?;
        forget_old(times, now);
        if times.len() < MAX_FAILURES {
            return None;
        }
        let oldest = *times.front()?;
        Some(WINDOW.saturating_sub(now.saturating_duration_since(oldest)))
    }

    /// Counts a failed login from `address` at `now`.
    pub(crate) fn failed(&self, address: IpAddr, now: Instant) {
        let mut table = self.lock();
        let times = table.get_or_insert_mut(key(address), VecDeque::new);
        forget_old(times, now);
        if times.len() == MAX_FAILURES {
            times.pop_front();
        }
        times.push_back(now);
    }

    /// Forgets the failures of `address` (after a login that succeeded).
    pub(crate) fn succeeded(&self, address: IpAddr) {
        self.lock().pop(&key(address));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<IpAddr, VecDeque<Instant>>> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Drops the failures of `times` that are a window old at `now`.
fn forget_old(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|at| now.saturating_duration_since(*at) >= WINDOW)
    {
        times.pop_front();
    }
}

/// What an address counts as: itself (IPv4, or an IPv4-mapped IPv6), or its /64.
fn key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn an_address_is_refused_after_ten_failures_within_a_minute() {
        let limiter = LoginLimiter::new();
        let start = Instant::now();
        let client = ip("192.0.2.7");
        for second in 0..10 {
            assert_eq!(limiter.wait(client, start), None, "failure {second}");
            limiter.failed(client, start + Duration::from_secs(second));
        }
        let now = start + Duration::from_secs(10);
        assert_eq!(limiter.wait(client, now), Some(Duration::from_secs(50)));
        assert_eq!(limiter.wait(ip("192.0.2.8"), now), None, "others may try");
        assert_eq!(
            limiter.wait(client, start + WINDOW),
            None,
            "the oldest aged out"
        );
    }

    #[test]
    fn the_window_slides_so_no_minute_holds_more_than_ten_failures() {
        let limiter = LoginLimiter::new();
        let start = Instant::now();
        let client = ip("192.0.2.7");
        for second in 50..60 {
            limiter.failed(client, start + Duration::from_secs(second));
        }
        // A fixed minute would restart at 60 s; the sliding window still refuses.
        assert!(
            limiter
                .wait(client, start + Duration::from_secs(61))
                .is_some()
        );
        assert_eq!(limiter.wait(client, start + Duration::from_secs(110)), None);
    }

    #[test]
    fn a_success_forgets_the_failures() {
        let limiter = LoginLimiter::new();
        let now = Instant::now();
        let client = ip("192.0.2.7");
        for _ in 0..10 {
            limiter.failed(client, now);
        }
        limiter.succeeded(client);
        assert_eq!(limiter.wait(client, now), None);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        let limiter = LoginLimiter::new();
        let now = Instant::now();
        for host in 0..10 {
            limiter.failed(ip(&format!("2001:db8:1:2::{host:x}")), now);
        }
        assert!(limiter.wait(ip("2001:db8:1:2::ffff"), now).is_some());
        assert_eq!(limiter.wait(ip("2001:db8:1:3::1"), now), None);
        assert_eq!(key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn memory_is_bounded_by_the_number_of_addresses() {
        let limiter = LoginLimiter::new();
        let now = Instant::now();
        for n in 0..(MAX_ADDRESSES as u32 + 100) {
            limiter.failed(IpAddr::V4(n.into()), now);
        }
        assert_eq!(limiter.lock().len(), MAX_ADDRESSES);
    }
}
