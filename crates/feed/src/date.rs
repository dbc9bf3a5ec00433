//! Dates as feeds write them → UTC.
//!
//! STUB: the real parser (RFC 822 variants, ISO 8601, W3C-DTF, named zones, two-digit
//! years, localized month names) replaces this.

use chrono::{DateTime, Utc};

/// Reads one date as written in a feed; `None` when it cannot be understood or is outside
/// the plausible range.
pub(crate) fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc2822(text)
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|d| d.with_timezone(&Utc))
}
