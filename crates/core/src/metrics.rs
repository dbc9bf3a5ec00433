//! Fetch metrics, kept in atomics and written in the Prometheus text exposition format
//! (version 0.0.4).
//!
//! One [`FetchMetrics`] is shared (behind an `Arc`) by the pipelines that fetch and the web
//! server that answers `/metrics`. Recording is a handful of relaxed atomic additions; no
//! lock, no IO. [`FetchMetrics::render`] reads a snapshot and writes every series under the
//! `syndic_` prefix:
//!
//! - `syndic_fetches_total{outcome}` (counter): fetches by [`FetchOutcome`];
//! - `syndic_fetch_duration_seconds` (histogram, [`DURATION_BUCKETS`]);
//! - `syndic_fetch_bytes_total` (counter): body bytes read (after decoding);
//! - `syndic_posts_new_total`, `syndic_posts_updated_total` (counters);
//! - `syndic_sources{status}` (gauge): sources by status, as the caller read them;
//! - `syndic_scheduler_lag_seconds` (gauge): how late the scheduler is, as it last said.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How one fetch ended, as `syndic_fetches_total` counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FetchOutcome {
    /// Read, parsed and stored.
    Ok,
    /// `304 Not Modified`, or the same bytes as last time.
    NotModified,
    /// Any other failure: HTTP status, connection, redirects, parse, store.
    Failed,
    /// The SSRF guard refused the address.
    Refused,
    /// `410 Gone`.
    Gone,
    /// `429`/`503`: the server asked us to come back later.
    RetryLater,
    /// A connect, idle or total deadline passed.
    Timeout,
    /// The body went over the size limit.
    TooLarge,
}

impl FetchOutcome {
    /// Every outcome, in the order they are rendered.
    pub const ALL: [FetchOutcome; 8] = [
        FetchOutcome::Ok,
        FetchOutcome::NotModified,
        FetchOutcome::Failed,
        FetchOutcome::Refused,
        FetchOutcome::Gone,
        FetchOutcome::RetryLater,
        FetchOutcome::Timeout,
        FetchOutcome::TooLarge,
    ];

    /// The `outcome` label value.
    pub const fn as_str(self) -> &'static str {
        match self {
            FetchOutcome::Ok => "ok",
            FetchOutcome::NotModified => "not_modified",
            FetchOutcome::Failed => "failed",
            FetchOutcome::Refused => "refused",
            FetchOutcome::Gone => "gone",
            FetchOutcome::RetryLater => "retry_later",
            FetchOutcome::Timeout => "timeout",
            FetchOutcome::TooLarge => "too_large",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for FetchOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Upper bounds (in seconds, inclusive) of the finite `fetch_duration_seconds` buckets;
/// `+Inf` follows.
pub const DURATION_BUCKETS: [f64; 9] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The fetch metrics registry. `Default` is all zeros.
#[derive(Debug, Default)]
pub struct FetchMetrics {
    fetches: [AtomicU64; FetchOutcome::ALL.len()],
    /// Per-bucket (not cumulative) counts; the last slot is above every finite bound.
    duration_buckets: [AtomicU64; DURATION_BUCKETS.len() + 1],
    duration_sum_nanos: AtomicU64,
    bytes: AtomicU64,
    posts_new: AtomicU64,
    posts_updated: AtomicU64,
    /// `f64` bits of the scheduler lag in seconds (0 bits = 0.0).
    scheduler_lag: AtomicU64,
}

impl FetchMetrics {
    pub fn new() -> FetchMetrics {
        FetchMetrics::default()
    }

    /// Records one fetch: how it ended, how long it took, how many body bytes it read.
    pub fn record_fetch(&self, outcome: FetchOutcome, duration: Duration, bytes: u64) {
        self.fetches[outcome.index()].fetch_add(1, Ordering::Relaxed);
        let seconds = duration.as_secs_f64();
        let bucket = DURATION_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(DURATION_BUCKETS.len());
        self.duration_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.duration_sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Records the posts one fetch stored: `new` inserted, `updated` changed in place.
    pub fn record_posts(&self, new: u64, updated: u64) {
        self.posts_new.fetch_add(new, Ordering::Relaxed);
        self.posts_updated.fetch_add(updated, Ordering::Relaxed);
    }

    /// Sets the scheduler lag gauge: how far behind its due times the scheduler runs.
    pub fn set_scheduler_lag(&self, seconds: f64) {
        self.scheduler_lag
            .store(seconds.to_bits(), Ordering::Relaxed);
    }

    /// The scheduler lag gauge, in seconds.
    pub fn scheduler_lag(&self) -> f64 {
        f64::from_bits(self.scheduler_lag.load(Ordering::Relaxed))
    }

    /// Fetches counted with `outcome` so far.
    pub fn fetches(&self, outcome: FetchOutcome) -> u64 {
        self.fetches[outcome.index()].load(Ordering::Relaxed)
    }

    /// Every metric in the Prometheus text format, with `syndic_sources{status}` from
    /// `sources_by_status` (status label, number of sources).
    pub fn render(&self, sources_by_status: &[(&str, u64)]) -> String {
        let mut out = String::with_capacity(2048);
        // Writing to a String cannot fail.
        let _ = self.write(&mut out, sources_by_status);
        out
    }

    fn write(&self, out: &mut String, sources_by_status: &[(&str, u64)]) -> fmt::Result {
        let load = |atomic: &AtomicU64| atomic.load(Ordering::Relaxed);

        header(
            out,
            "syndic_fetches_total",
            "counter",
            "Fetches of sources, by outcome.",
        )?;
        for outcome in FetchOutcome::ALL {
            writeln!(
                out,
                "syndic_fetches_total{{outcome=\"{}\"}} {}",
                escape_label(outcome.as_str()),
                self.fetches(outcome)
            )?;
        }

        header(
            out,
            "syndic_fetch_duration_seconds",
            "histogram",
            "Time one fetch of one source took, from request to stored posts.",
        )?;
        let mut cumulative = 0u64;
        for (bound, count) in DURATION_BUCKETS.iter().zip(&self.duration_buckets) {
            cumulative += load(count);
            writeln!(
                out,
                "syndic_fetch_duration_seconds_bucket{{le=\"{}\"}} {cumulative}",
                float(*bound)
            )?;
        }
        cumulative += load(&self.duration_buckets[DURATION_BUCKETS.len()]);
        writeln!(
            out,
            "syndic_fetch_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
        )?;
        let sum = load(&self.duration_sum_nanos) as f64 / 1e9;
        writeln!(out, "syndic_fetch_duration_seconds_sum {}", float(sum))?;
        writeln!(out, "syndic_fetch_duration_seconds_count {cumulative}")?;

        header(
            out,
            "syndic_fetch_bytes_total",
            "counter",
            "Body bytes read from sources, after decoding.",
        )?;
        writeln!(out, "syndic_fetch_bytes_total {}", load(&self.bytes))?;

        header(
            out,
            "syndic_posts_new_total",
            "counter",
            "Posts stored for the first time.",
        )?;
        writeln!(out, "syndic_posts_new_total {}", load(&self.posts_new))?;

        header(
            out,
            "syndic_posts_updated_total",
            "counter",
            "Stored posts changed in place by a later fetch.",
        )?;
        writeln!(
            out,
            "syndic_posts_updated_total {}",
            load(&self.posts_updated)
        )?;

        header(out, "syndic_sources", "gauge", "Sources by fetch status.")?;
        for (status, count) in sources_by_status {
            writeln!(
                out,
                "syndic_sources{{status=\"{}\"}} {count}",
                escape_label(status)
            )?;
        }

        header(
            out,
            "syndic_scheduler_lag_seconds",
            "gauge",
            "How far behind the due time of its sources the scheduler runs.",
        )?;
        writeln!(
            out,
            "syndic_scheduler_lag_seconds {}",
            float(self.scheduler_lag())
        )
    }
}

/// How the site's posts are tagged, in the Prometheus text format: posts per tag
/// (`syndic_tag_posts{tag}`, every tag given, by name) and posts with no tag at all
/// (`syndic_untagged_posts`).
pub fn render_tagging(posts_per_tag: &[(&str, i64)], untagged: i64) -> String {
    let mut out = String::new();
    let _ = write_tagging(&mut out, posts_per_tag, untagged);
    out
}

fn write_tagging(out: &mut String, posts_per_tag: &[(&str, i64)], untagged: i64) -> fmt::Result {
    header(out, "syndic_tag_posts", "gauge", "Posts carrying each tag.")?;
    for (tag, posts) in posts_per_tag {
        writeln!(
            out,
            "syndic_tag_posts{{tag=\"{}\"}} {posts}",
            escape_label(tag)
        )?;
    }
    header(
        out,
        "syndic_untagged_posts",
        "gauge",
        "Posts with no tag at all.",
    )?;
    writeln!(out, "syndic_untagged_posts {untagged}")
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) -> fmt::Result {
    writeln!(out, "# HELP {name} {}", escape_help(help))?;
    writeln!(out, "# TYPE {name} {kind}")
}

/// A float as Prometheus reads it: `+Inf`, `-Inf`, `NaN`, else Rust's shortest form.
fn float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value == f64::INFINITY {
        "+Inf".to_owned()
    } else if value == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        format!("{value}")
    }
}

/// A label value: backslash, double quote and line feed escaped.
fn escape_label(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A HELP text: backslash and line feed escaped.
fn escape_help(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests;
