//! Duration keys: one reading and one refusal for all of them.

use std::time::Duration;

use super::{ConfigError, Validator};

/// The shortest duration any key accepts: a zero (or sub-second) timeout or interval is
/// always a mistake.
pub const MIN_DURATION: Duration = Duration::from_secs(1);

impl Validator<'_> {
    /// The duration at `key` (`"30s"`, `"15m"`, …), `default` when absent; refused with
    /// the minimum named when shorter than `min`.
    pub(super) fn duration(
        &self,
        key: &str,
        text: Option<&str>,
        default: Duration,
        min: Duration,
    ) -> Result<Duration, ConfigError> {
        let Some(text) = text else {
            return Ok(default);
        };
        let duration = parse_duration(text).ok_or_else(|| {
            self.error(
                key,
                format!("{text:?} is not a duration"),
                format!(
                    "write it as \"30s\", \"15m\", \"24h\" or \"7d\" (at least {})",
                    shown(min)
                ),
            )
        })?;
        if duration < min {
            return Err(self.error(
                key,
                format!("{text:?} is too short: the minimum is {}", shown(min)),
                format!(
                    "write \"{}\" or longer (the default is \"{}\")",
                    shown(min),
                    shown(default)
                ),
            ));
        }
        Ok(duration)
    }
}

/// `"30s"`, `"15m"`, `"15min"`, `"24h"`, `"7d"`, `"500ms"`, or a plain number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let (number, unit) = number_and_unit(text)?;
    let seconds = match unit {
        "ms" => return Some(Duration::from_millis(number)),
        "" | "s" | "sec" | "secs" => number,
        "m" | "min" | "mins" => number.checked_mul(60)?,
        "h" | "hour" | "hours" => number.checked_mul(3600)?,
        "d" | "day" | "days" => number.checked_mul(86_400)?,
        _ => return None,
    };
    Some(Duration::from_secs(seconds))
}

/// A quantity as written in the file, `"15m"` or `"16 MiB"`: the whole number in front and
/// the unit after it (trimmed; empty when there is none).
pub(super) fn number_and_unit(text: &str) -> Option<(u64, &str)> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    Some((number.parse().ok()?, unit.trim()))
}

/// A duration as people write it in the file: `"500ms"`, `"30s"`, `"15m"`, `"24h"`, `"7d"`.
fn shown(duration: Duration) -> String {
    let secs = duration.as_secs();
    if duration.subsec_millis() != 0 || secs == 0 {
        format!("{}ms", duration.as_millis())
    } else if secs.is_multiple_of(86_400) {
        format!("{}d", secs / 86_400)
    } else if secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else if secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("15min"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        for bad in [
            "",
            "abc",
            "10 parsecs",
            "-5s",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn durations_are_shown_in_their_largest_whole_unit() {
        assert_eq!(shown(Duration::from_secs(1)), "1s");
        assert_eq!(shown(Duration::from_secs(90)), "90s");
        assert_eq!(shown(Duration::from_secs(900)), "15m");
        assert_eq!(shown(Duration::from_secs(86_400)), "1d");
        assert_eq!(shown(Duration::from_millis(1500)), "1500ms");
        assert_eq!(shown(Duration::ZERO), "0ms");
    }
}
