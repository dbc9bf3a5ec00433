//! `syndic audit [--since DATE]`: every decision about what is republished, oldest first.

use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};

use crate::cli::AuditArgs;
use crate::cmd::open_store_read_only;
use crate::config::Config;

pub async fn run(config: &Config, args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let store = open_store_read_only(config).await?;
    let mut entries = store
        .audit_log(since.map(|t| t.timestamp()), args.limit)
        .await
        .context("cannot read the audit log")?;
    entries.reverse();
    for entry in &entries {
        let reason = if entry.reason.is_empty() {
            String::new()
        } else {
            format!("  ({})", entry.reason)
        };
        outln!(
            "{}  {:<5}  {:<10}  {}{reason}",
            entry.time.format("%Y-%m-%dT%H:%M:%SZ"),
            entry.actor,
            entry.action,
            entry.target
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `2026-03-01` (the start of that day, UTC) or an RFC 3339 time.
fn parse_since(text: &str) -> anyhow::Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            anyhow::anyhow!(
                "--since {text:?} is not a date: write a day as 2026-03-01 or a time as \
                 2026-03-01T12:00:00Z"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::parse_since;

    #[test]
    fn since_takes_a_day_or_a_time_and_refuses_the_rest() {
        assert_eq!(
            parse_since("2026-03-01").expect("day").timestamp(),
            1_772_323_200
        );
        assert_eq!(
            parse_since("2026-03-01T01:00:00+01:00")
                .expect("time")
                .timestamp(),
            1_772_323_200
        );
        assert!(parse_since("yesterday").is_err());
    }
}
