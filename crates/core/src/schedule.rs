//! When to fetch a source next: pure schedule maths, no clock and no IO.
//!
//! The fetcher asks three questions and answers them with these functions, passing in the
//! current time and a per-source `seed` (its id will do):
//!
//! - after a successful fetch, [`next_after_success`]: about twice per new post, judged
//!   from the newest publication dates, never sooner than the server's own hints
//!   ([`ServerHints`]: Cache-Control `max-age`/`Expires`, RSS `ttl`, `sy:updatePeriod`),
//!   always within [`ScheduleSettings`]' bounds;
//! - after a failed one, [`next_after_failure`]: exponential back-off from the minimum
//!   interval, capped at [`MAX_BACKOFF`]; a source failing for [`DORMANT_AFTER`] is only
//!   checked every [`DORMANT_INTERVAL`];
//! - before a source's first fetch, [`first_fetch_offset`], so that a hundred new sources
//!   do not all fetch in the same second.
//!
//! Every time gets ±10 % of jitter so that sources fetched together drift apart. The
//! jitter is a hash of the seed and the current second (a tiny splitmix64, stable across
//! Rust versions and platforms, unlike `std`'s `DefaultHasher`), so the same inputs always
//! give the same answer and tests can pin them down.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

mod hints;

pub use hints::{freshness_hint, parse_http_date, parse_retry_after, update_period_hint};

/// Longest back-off after failures (before a source turns dormant).
pub const MAX_BACKOFF: Duration = Duration::hours(24);
/// Longest wait a `Retry-After` may impose; later times are cut down to this.
pub const MAX_RETRY_AFTER: Duration = Duration::hours(24);
/// A source failing for this long is only checked every [`DORMANT_INTERVAL`].
pub const DORMANT_AFTER: Duration = Duration::days(30);
/// How often a dormant source is checked.
pub const DORMANT_INTERVAL: Duration = Duration::days(7);
/// How many of the newest publication dates the adaptive interval reads.
pub const RECENT_POSTS: usize = 10;

/// Jitter, in thousandths of the interval, either way.
const JITTER_PERMILLE: i64 = 100;

/// Where a source stands with the fetcher. Stored on the source's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceStatus {
    /// The last fetch succeeded (or there has been none yet).
    Ok,
    /// The last fetch failed; it is retried with back-off.
    Failing,
    /// The server asked us to wait (`429`/`503` with `Retry-After`).
    Waiting,
    /// The server said the feed is gone for good (`410`); it is no longer fetched.
    Gone,
}

impl SourceStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            SourceStatus::Ok => "ok",
            SourceStatus::Failing => "failing",
            SourceStatus::Waiting => "waiting",
            SourceStatus::Gone => "gone",
        }
    }

    /// Whether the scheduler still fetches a source in this state.
    pub const fn is_polled(self) -> bool {
        !matches!(self, SourceStatus::Gone)
    }
}

impl fmt::Display for SourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored status string that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSourceStatus(pub String);

impl fmt::Display for UnknownSourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown source status {:?}", self.0)
    }
}

impl std::error::Error for UnknownSourceStatus {}

impl FromStr for SourceStatus {
    type Err = UnknownSourceStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ok" => Ok(SourceStatus::Ok),
            "failing" => Ok(SourceStatus::Failing),
            "waiting" => Ok(SourceStatus::Waiting),
            "gone" => Ok(SourceStatus::Gone),
            other => Err(UnknownSourceStatus(other.to_owned())),
        }
    }
}

/// The bounds of a healthy source's fetch interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleSettings {
    /// Never fetch a source more often than this (also the first back-off step).
    pub min_interval: Duration,
    /// Never leave a healthy source unfetched longer than this.
    pub max_interval: Duration,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        ScheduleSettings {
            min_interval: Duration::minutes(15),
            max_interval: Duration::hours(24),
        }
    }
}

impl ScheduleSettings {
    /// `(min, max)` made safe to use: the minimum at least a second, the maximum at least
    /// the minimum. The configuration validates them; this only keeps the maths sane.
    fn bounds(&self) -> (Duration, Duration) {
        let min = self.min_interval.max(Duration::seconds(1));
        (min, self.max_interval.max(min))
    }
}

/// How often the server says its feed is worth reading. Each is optional; negative values
/// are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerHints {
    /// Cache-Control `max-age`, else `Expires` minus now ([`freshness_hint`]).
    pub max_age: Option<Duration>,
    /// RSS `<ttl>` (minutes in the feed).
    pub ttl: Option<Duration>,
    /// `sy:updatePeriod` / `sy:updateFrequency` ([`update_period_hint`]).
    pub update_period: Option<Duration>,
}

impl ServerHints {
    /// The longest of the hints, if any is positive.
    pub fn largest(&self) -> Option<Duration> {
        [self.max_age, self.ttl, self.update_period]
            .into_iter()
            .flatten()
            .filter(|hint| *hint > Duration::zero())
            .max()
    }
}

/// When to fetch again after a successful fetch at `now`.
///
/// The interval is half the typical gap between the source's newest posts
/// (`recent_publications`, any order; only the newest [`RECENT_POSTS`] not in the future
/// count), so that a new post waits about half a gap to be seen. The typical gap is the
/// median gap, or the time since the newest post when that is longer, so a source that
/// went quiet slows down. With fewer than two dates the interval is the maximum. The
/// result is never sooner than the largest server hint, then jittered by ±10 % and kept
/// within `[min_interval, max_interval]` (a hint above the maximum gives the maximum).
pub fn next_after_success(
    now: DateTime<Utc>,
    recent_publications: &[DateTime<Utc>],
    hints: &ServerHints,
    settings: &ScheduleSettings,
    seed: u64,
) -> DateTime<Utc> {
    let (min, max) = settings.bounds();
    let adaptive = typical_gap(now, recent_publications).map_or(max, |gap| gap / 2);
    let floor = hints.largest().map_or(min, |hint| hint.clamp(min, max));
    let interval = jitter(adaptive.max(floor), seed, now).clamp(floor, max);
    later(now, interval)
}

/// When to try again after a failed fetch at `now`.
///
/// `consecutive_failures` counts the failures in a row including this one (0 is taken as
/// 1); `failing_since` is when the first of them happened. The wait starts at the minimum
/// interval and doubles with each failure up to [`MAX_BACKOFF`], with ±10 % jitter; once
/// the source has been failing for [`DORMANT_AFTER`] it is [`DORMANT_INTERVAL`] instead.
pub fn next_after_failure(
    now: DateTime<Utc>,
    consecutive_failures: u32,
    failing_since: DateTime<Utc>,
    settings: &ScheduleSettings,
    seed: u64,
) -> DateTime<Utc> {
    if now.signed_duration_since(failing_since) >= DORMANT_AFTER {
        return later(now, jitter(DORMANT_INTERVAL, seed, now));
    }
    let (min, _) = settings.bounds();
    let cap = MAX_BACKOFF.max(min);
    let doublings = consecutive_failures.saturating_sub(1).min(30);
    let backoff = min
        .checked_mul(1_i32 << doublings)
        .map_or(cap, |backoff| backoff.min(cap));
    later(now, jitter(backoff, seed, now).clamp(min, cap))
}

/// A deterministic offset in `[0, spread)` for a source's first fetch, so that sources
/// added together are spread over `spread` instead of all fetching at once. Zero when
/// `spread` is not positive.
pub fn first_fetch_offset(seed: u64, spread: Duration) -> Duration {
    match u64::try_from(spread.num_milliseconds()) {
        Ok(span) if span > 0 => {
            let offset = splitmix64(seed) % span;
            i64::try_from(offset)
                .ok()
                .and_then(Duration::try_milliseconds)
                .unwrap_or_else(Duration::zero)
        }
        _ => Duration::zero(),
    }
}

/// The typical gap between the newest publications, or `None` with fewer than two dates.
fn typical_gap(now: DateTime<Utc>, publications: &[DateTime<Utc>]) -> Option<Duration> {
    let mut dates: Vec<_> = publications
        .iter()
        .copied()
        .filter(|date| *date <= now)
        .collect();
    dates.sort_unstable_by(|a, b| b.cmp(a));
    dates.truncate(RECENT_POSTS);
    let newest = *dates.first()?;
    let mut gaps: Vec<Duration> = dates
        .windows(2)
        .map(|pair| pair[0].signed_duration_since(pair[1]))
        .collect();
    gaps.sort_unstable();
    let median = *gaps.get(gaps.len() / 2)?;
    Some(median.max(now.signed_duration_since(newest)))
}

/// `interval` moved by up to ±10 %, decided by `seed` and `now` (to the second).
fn jitter(interval: Duration, seed: u64, now: DateTime<Utc>) -> Duration {
    let roll = splitmix64(seed ^ splitmix64(now.timestamp().cast_unsigned()));
    let span = 2 * JITTER_PERMILLE + 1;
    let permille = i64::try_from(roll % span.cast_unsigned()).unwrap_or(0) - JITTER_PERMILLE;
    let millis = i128::from(interval.num_milliseconds());
    let shift = millis * i128::from(permille) / 1000;
    i64::try_from(millis + shift)
        .ok()
        .and_then(Duration::try_milliseconds)
        .unwrap_or(interval)
}

/// `now + interval`, saturating at the latest representable time.
fn later(now: DateTime<Utc>, interval: Duration) -> DateTime<Utc> {
    now.checked_add_signed(interval)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// splitmix64's output function: a small, well-mixed hash that is the same everywhere.
const fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests;
