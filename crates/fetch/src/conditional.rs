//! Conditional GET and cache hints: the validators a response carries, the headers that send
//! them back, and how long the server says its answer stays fresh.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};

/// What a server gave us to ask "has it changed?" next time, stored exactly as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag`, quotes and `W/` included.
    pub etag: Option<String>,
    /// The `Last-Modified` date, as text.
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    /// The validators a response carries.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Validators {
        let text = |name| {
            headers
                .get(name)
                .and_then(|value: &HeaderValue| value.to_str().ok())
                .map(str::to_owned)
        };
        Validators {
            etag: text(header::ETAG),
            last_modified: text(header::LAST_MODIFIED),
        }
    }

    /// These validators, each one we lack taken from `sent` (a 304 need not repeat them).
    pub(crate) fn or(self, sent: &Validators) -> Validators {
        Validators {
            etag: self.etag.or_else(|| sent.etag.clone()),
            last_modified: self.last_modified.or_else(|| sent.last_modified.clone()),
        }
    }

    /// `If-None-Match` and `If-Modified-Since` for these validators; a value that cannot be a
    /// header (a control character from a damaged store) is left out rather than sent.
    pub(crate) fn request_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let pairs = [
            (header::IF_NONE_MATCH, &self.etag),
            (header::IF_MODIFIED_SINCE, &self.last_modified),
        ];
        for (name, value) in pairs {
            if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, value);
            }
        }
        headers
    }
}

/// How long the response stays fresh: `Cache-Control: max-age`, else `Expires` minus `Date`
/// (or minus `now` without a `Date`). An `Expires` that is not a date, like `0`, means
/// "already stale". Clamping to a sane polling interval is the scheduler's business.
pub(crate) fn max_age(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    if let Some(seconds) = cache_control_max_age(headers) {
        return Some(Duration::from_secs(seconds));
    }
    let expires = headers.get(header::EXPIRES)?;
    let Some(expires) = expires.to_str().ok().and_then(http_date) else {
        return Some(Duration::ZERO);
    };
    let date = headers
        .get(header::DATE)
        .and_then(|value| value.to_str().ok())
        .and_then(http_date)
        .unwrap_or(now);
    Some((expires - date).to_std().unwrap_or(Duration::ZERO))
}

fn cache_control_max_age(headers: &HeaderMap) -> Option<u64> {
    headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|directive| directive.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("max-age"))
        .and_then(|(_, value)| value.trim().trim_matches('"').parse().ok())
}

/// Reads an HTTP date in any of the three forms RFC 9110 accepts (IMF-fixdate, RFC 850 and
/// asctime), all in GMT. Useful for `Retry-After` too.
pub fn http_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(date) = DateTime::parse_from_rfc2822(text) {
        return Some(date.with_timezone(&Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for &(name, value) in pairs {
            map.append(name, HeaderValue::from_static(value));
        }
        map
    }

    fn now() -> DateTime<Utc> {
        http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("date")
    }

    #[test]
    fn the_three_http_date_forms_are_read() {
        for text in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(http_date(text), Some(now()), "{text}");
        }
        assert_eq!(http_date("120"), None);
        assert_eq!(http_date("soon"), None);
    }

    #[test]
    fn max_age_comes_from_cache_control_first() {
        let max_age = |pairs| super::max_age(&headers(pairs), now());
        assert_eq!(
            max_age(&[("cache-control", "public, Max-Age=\"600\"")]),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            max_age(&[
                ("cache-control", "no-transform"),
                ("cache-control", "max-age=60"),
                ("expires", "Sun, 06 Nov 1994 09:49:37 GMT"),
            ]),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            max_age(&[
                ("date", "Sun, 06 Nov 1994 08:00:00 GMT"),
                ("expires", "Sun, 06 Nov 1994 08:30:00 GMT"),
            ]),
            Some(Duration::from_secs(1800))
        );
        assert_eq!(
            max_age(&[("expires", "Sun, 06 Nov 1994 09:49:37 GMT")]),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(max_age(&[("expires", "0")]), Some(Duration::ZERO));
        assert_eq!(
            max_age(&[("expires", "Thu, 01 Jan 1970 00:00:00 GMT")]),
            Some(Duration::ZERO)
        );
        assert_eq!(max_age(&[("cache-control", "max-age=-5")]), None);
        assert_eq!(max_age(&[]), None);
    }

    #[test]
    fn a_304_keeps_the_validators_it_does_not_repeat() {
        let sent = Validators {
            etag: Some("\"abc\"".into()),
            last_modified: Some("Sun, 06 Nov 1994 08:49:37 GMT".into()),
        };
        let answer = Validators::from_headers(&headers(&[("etag", "W/\"def\"")])).or(&sent);
        assert_eq!(answer.etag.as_deref(), Some("W/\"def\""));
        assert_eq!(answer.last_modified, sent.last_modified);
    }

    #[test]
    fn validators_that_cannot_be_headers_are_not_sent() {
        let damaged = Validators {
            etag: Some("\"a\"\r\nX-Injected: 1".into()),
            last_modified: Some("Sun, 06 Nov 1994 08:49:37 GMT".into()),
        };
        let sent = damaged.request_headers();
        assert!(sent.get(header::IF_NONE_MATCH).is_none());
        assert_eq!(sent.len(), 1);
    }
}
