//! Reading the server's timing hints out of header and feed values: `Retry-After`,
//! HTTP dates, Cache-Control `max-age` / `Expires`, `sy:updatePeriod`.
//!
//! Every function takes the raw text as received and answers `None` for anything it cannot
//! read: a bad hint is ignored, never an error.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::{MAX_RETRY_AFTER, later};

/// Longest freshness or update-period hint taken in before the settings clamp it.
const MAX_HINT: Duration = Duration::days(366);

/// When a `Retry-After` value allows the next request, given the response came at `now`.
///
/// Reads delta-seconds (`120`) and the three HTTP-date forms. A date already past means
/// "now"; anything later than [`MAX_RETRY_AFTER`] from `now` is cut down to it. Garbage,
/// signs, fractions and empty values give `None`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let at = match seconds(value, MAX_RETRY_AFTER) {
        Some(delay) => later(now, delay),
        None => parse_http_date(value)?.max(now),
    };
    Some(at.min(later(now, MAX_RETRY_AFTER)))
}

/// Reads an HTTP date (RFC 9110 §5.6.7): the IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`,
/// the obsolete RFC 850 form `Sunday, 06-Nov-94 08:49:37 GMT` and asctime's
/// `Sun Nov  6 08:49:37 1994`. The weekday is not checked against the date. RFC 850's
/// two-digit years 69–99 are read as 19xx and 00–68 as 20xx (a fixed rule, so parsing
/// does not depend on the clock; the form is long obsolete). An RFC 2822 date with a
/// numeric zone (`+0000`), which some servers send, is read too.
pub fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let naive = match value.split_once(',') {
        Some((weekday, rest)) if is_word(weekday) => {
            let rest = rest.trim();
            NaiveDateTime::parse_from_str(rest, "%d %b %Y %H:%M:%S GMT")
                .or_else(|_| NaiveDateTime::parse_from_str(rest, "%d-%b-%y %H:%M:%S GMT"))
                .ok()
        }
        _ => asctime(value),
    };
    naive.map(|naive| naive.and_utc()).or_else(|| {
        DateTime::parse_from_rfc2822(value)
            .ok()
            .map(|date| date.with_timezone(&Utc))
    })
}

/// `Sun Nov  6 08:49:37 1994` (the day may be padded with a space or a zero).
fn asctime(value: &str) -> Option<NaiveDateTime> {
    let mut words = value.split_whitespace();
    if !is_word(words.next()?) {
        return None;
    }
    let rest: Vec<&str> = words.collect();
    NaiveDateTime::parse_from_str(&rest.join(" "), "%b %d %H:%M:%S %Y").ok()
}

fn is_word(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphabetic())
}

/// How long a response stays fresh by its `Cache-Control` and `Expires` headers, received
/// at `now`: `max-age` when present (it overrides `Expires`), else the time until
/// `Expires`. `None` when neither gives a positive time, and for `no-store`/`no-cache`.
pub fn freshness_hint(
    cache_control: Option<&str>,
    expires: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let mut max_age = None;
    for directive in cache_control.unwrap_or_default().split(',') {
        let (name, argument) = match directive.split_once('=') {
            Some((name, argument)) => (name.trim(), argument.trim().trim_matches('"')),
            None => (directive.trim(), ""),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return None;
        }
        if name.eq_ignore_ascii_case("max-age") {
            max_age = seconds(argument, MAX_HINT);
        }
    }
    let fresh = match max_age {
        Some(max_age) => max_age,
        None => parse_http_date(expires?)?.signed_duration_since(now),
    };
    (fresh > Duration::zero()).then(|| fresh.min(MAX_HINT))
}

/// Whole non-negative seconds (digits only, as HTTP writes them), capped at `cap`.
fn seconds(text: &str, cap: Duration) -> Option<Duration> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Digits only: parsing fails only on overflow, and a huge value is capped anyway.
    let secs = text.parse::<i64>().unwrap_or(i64::MAX);
    Some(Duration::seconds(secs.min(cap.num_seconds())))
}

/// The interval the RSS syndication module announces: `sy:updatePeriod` (`hourly`,
/// `daily`, `weekly`, `monthly` as 30 days, `yearly` as 365; any case) divided by
/// `sy:updateFrequency` (default 1). `None` for an unknown period or a frequency that is
/// not a positive whole number. The module's default period is `daily`: a caller that
/// found only a frequency passes `"daily"`.
pub fn update_period_hint(period: &str, frequency: Option<&str>) -> Option<Duration> {
    let period = match period.trim().to_ascii_lowercase().as_str() {
        "hourly" => Duration::hours(1),
        "daily" => Duration::days(1),
        "weekly" => Duration::weeks(1),
        "monthly" => Duration::days(30),
        "yearly" => Duration::days(365),
        _ => return None,
    };
    let frequency = match frequency.map(str::trim) {
        None | Some("") => 1,
        Some(text) => text.parse::<i32>().ok().filter(|n| *n > 0)?,
    };
    Some(period / frequency)
}

#[cfg(test)]
mod tests;
