//! Entity tags, conditional requests and caching headers.
//!
//! Every `200` answer to GET or HEAD gets a strong `ETag` (the first 128 bits of the
//! SHA-256 of its uncompressed body), `Vary: Accept-Encoding` and, unless its handler chose
//! one, `Cache-Control: public, max-age=60`. A request whose `If-None-Match` names that tag
//! (weak comparison, lists and `*` understood), or, without `If-None-Match`, whose
//! `If-Modified-Since` is no older than the response's `Last-Modified` (set by a handler or
//! by [`last_modified`](super::last_modified)), gets `304 Not Modified` with the same
//! validators and no body. A `Last-Modified` of the current second never answers `304`:
//! HTTP dates count whole seconds, so another change in that second would look the same.
//! Errors are `no-store`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// Pages and feeds: fresh for a minute, then revalidated with the ETag.
const PAGE_CACHE: &str = "public, max-age=60";
/// Redirects (a post's old or short address to its canonical one).
const REDIRECT_CACHE: &str = "public, max-age=300";
/// Error pages are never stored: the next request may well succeed.
const ERROR_CACHE: &str = "no-store";

/// The suffixes [`encoded_etag`] adds to the tag of a compressed representation.
const ENCODING_SUFFIXES: [&str; 2] = ["-br", "-gzip"];

/// Middleware: validators, conditional answers and `Cache-Control`; see the module docs.
pub(crate) async fn conditional(req: Request, next: Next) -> Response {
    let readable = matches!(*req.method(), Method::GET | Method::HEAD);
    let asked = Conditions::of(req.headers());
    let response = next.run(req).await;
    if !readable || response.status() != StatusCode::OK {
        return with_default_cache(response);
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "cannot read a response body");
            let mut failed = Response::new(Body::empty());
            *failed.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            failed
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static(ERROR_CACHE));
            return failed;
        }
    };
    let headers = &mut parts.headers;
    if !headers.contains_key(ETAG) {
        headers.insert(ETAG, entity_tag(&bytes));
    }
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(PAGE_CACHE));
    }
    if !varies_by_encoding(headers) {
        headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Some(matched) = asked.matches(headers) {
        return not_modified(parts, matched);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The `304` for a `200` whose `parts` (uncompressed: no `Content-Encoding`, the base
/// ETag) the client already holds: no content headers, no body, and the client's matching
/// tag echoed when it named one (maybe the tag of a compressed representation).
pub(crate) fn not_modified(
    mut parts: axum::http::response::Parts,
    matched: Option<HeaderValue>,
) -> Response {
    let headers = &mut parts.headers;
    headers.remove(CONTENT_TYPE);
    headers.remove(CONTENT_LENGTH);
    if let Some(tag) = matched {
        headers.insert(ETAG, tag);
    }
    parts.status = StatusCode::NOT_MODIFIED;
    Response::from_parts(parts, Body::empty())
}

/// The tag of the uncompressed body, from the tag [`encoded_etag`] gave a representation
/// in `encoding` (`"…-br"` → `"…"`).
pub(crate) fn base_tag(tag: &HeaderValue, encoding: Option<&HeaderValue>) -> HeaderValue {
    let suffix = encoding
        .and_then(|value| value.to_str().ok())
        .filter(|coding| matches!(*coding, "br" | "gzip"));
    let base = suffix.and_then(|coding| {
        let text = tag.to_str().ok()?;
        let inner = text.strip_suffix(&format!("-{coding}\""))?;
        HeaderValue::try_from(format!("{inner}\"")).ok()
    });
    base.unwrap_or_else(|| tag.clone())
}

/// Middleware, outside compression: the tag of a compressed representation is the tag of
/// its uncompressed body with the encoding appended (`"…-br"`, `"…-gzip"`), so that the
/// strong tag of each representation is its own. [`conditional`] accepts either.
pub(crate) async fn encoded_etag(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let encoding = headers
        .get(CONTENT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .filter(|coding| matches!(*coding, "br" | "gzip"))
        .map(str::to_owned);
    let tag = headers.get(ETAG).and_then(|value| value.to_str().ok());
    if let (Some(encoding), Some(tag)) = (encoding, tag) {
        let encoded = tag
            .strip_suffix('"')
            .filter(|inner| inner.starts_with('"'))
            .map(|inner| format!("{inner}-{encoding}\""));
        if let Some(value) = encoded.and_then(|text| HeaderValue::try_from(text).ok()) {
            headers.insert(ETAG, value);
        }
    }
    response
}

/// Whether a modification at `modified` is over as an HTTP date seen at `now`: at least
/// one whole second before it, so that no later change can share its date.
pub(crate) fn settled(modified: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    modified.timestamp() < now.timestamp()
}

/// A time as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`), for `Last-Modified`.
pub(crate) fn http_date(time: DateTime<Utc>) -> HeaderValue {
    let text = time.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    HeaderValue::try_from(text)
        .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
}

fn parse_http_date(value: &HeaderValue) -> Option<DateTime<Utc>> {
    let text = value.to_str().ok()?;
    DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

/// `"<32 hex digits>"`: the first 128 bits of the body's SHA-256.
fn entity_tag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let mut text = String::with_capacity(34);
    text.push('"');
    for byte in &digest[..16] {
        text.push_str(&format!("{byte:02x}"));
    }
    text.push('"');
    HeaderValue::try_from(text).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

fn varies_by_encoding(headers: &HeaderMap) -> bool {
    headers.get_all(VARY).iter().any(|value| {
        value.to_str().is_ok_and(|text| {
            text.split(',').any(|name| {
                name.trim().eq_ignore_ascii_case("accept-encoding") || name.trim() == "*"
            })
        })
    })
}

fn with_default_cache(mut response: Response) -> Response {
    let status = response.status();
    let policy = if status.is_redirection() {
        REDIRECT_CACHE
    } else if status.is_success() {
        PAGE_CACHE
    } else {
        ERROR_CACHE
    };
    response
        .headers_mut()
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(policy));
    response
}

/// The preconditions a GET or HEAD request carries.
pub(crate) struct Conditions {
    if_none_match: Option<String>,
    if_modified_since: Option<DateTime<Utc>>,
    /// When the request arrived.
    asked_at: DateTime<Utc>,
}

impl Conditions {
    pub(crate) fn of(headers: &HeaderMap) -> Conditions {
        Conditions::at(headers, Utc::now())
    }

    fn at(headers: &HeaderMap, asked_at: DateTime<Utc>) -> Conditions {
        // Several If-None-Match fields are one list.
        let tags: Vec<&str> = headers
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        Conditions {
            if_none_match: (!tags.is_empty()).then(|| tags.join(", ")),
            if_modified_since: headers.get(IF_MODIFIED_SINCE).and_then(parse_http_date),
            asked_at,
        }
    }

    /// Whether the request carries any precondition.
    pub(crate) fn any(&self) -> bool {
        self.if_none_match.is_some() || self.if_modified_since.is_some()
    }

    /// When the request arrived.
    pub(crate) fn asked_at(&self) -> DateTime<Utc> {
        self.asked_at
    }

    /// `Some` when the representation described by `headers` is not modified for this
    /// request: `Some(Some(tag))` with the client's matching tag, `Some(None)` when `*` or
    /// the date decided. If-None-Match, when present, decides alone (RFC 9110, 13.2.2); a
    /// date decides only for a `Last-Modified` at least a second before the request.
    pub(crate) fn matches(&self, headers: &HeaderMap) -> Option<Option<HeaderValue>> {
        if let Some(list) = &self.if_none_match {
            let ours = headers.get(ETAG)?.to_str().ok()?;
            let ours = opaque(ours)?;
            if list.trim() == "*" {
                return Some(None);
            }
            return entity_tags(list)
                .find(|theirs| opaque(theirs).is_some_and(|tag| same_content(tag, ours)))
                .map(|theirs| HeaderValue::try_from(theirs.trim_start_matches("W/")).ok());
        }
        let since = self.if_modified_since?;
        let modified = headers.get(LAST_MODIFIED).and_then(parse_http_date)?;
        (modified <= since && settled(modified, self.asked_at)).then_some(None)
    }
}

/// The entity tags of an `If-None-Match` list, as written (`W/"x"` or `"x"`); a tag may
/// hold commas, so the list is split on quotes, not on commas.
fn entity_tags(list: &str) -> impl Iterator<Item = &str> {
    let mut rest = list;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        let start_quote = rest.find('"')?;
        let end_quote = start_quote + 1 + rest[start_quote + 1..].find('"')?;
        let tag = &rest[..=end_quote];
        rest = &rest[end_quote + 1..];
        Some(tag)
    })
}

/// The opaque part of an entity tag (between the quotes), weak or strong.
fn opaque(tag: &str) -> Option<&str> {
    tag.trim()
        .trim_start_matches("W/")
        .strip_prefix('"')?
        .strip_suffix('"')
}

/// Weak comparison of the client's tag with ours, ignoring an encoding suffix.
fn same_content(theirs: &str, ours: &str) -> bool {
    theirs == ours
        || ENCODING_SUFFIXES
            .iter()
            .any(|suffix| theirs.strip_suffix(suffix) == Some(ours))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn not_modified(if_none_match: &str, ours: &str) -> Option<Option<HeaderValue>> {
        let mut request = HeaderMap::new();
        request.insert(
            IF_NONE_MATCH,
            HeaderValue::from_str(if_none_match).expect("header"),
        );
        let mut response = HeaderMap::new();
        response.insert(ETAG, HeaderValue::from_str(ours).expect("header"));
        Conditions::of(&request).matches(&response)
    }

    #[test]
    fn if_none_match_compares_weakly_and_reads_lists() {
        assert!(not_modified("\"abc\"", "\"abc\"").is_some());
        assert!(not_modified("W/\"abc\"", "\"abc\"").is_some());
        assert!(not_modified("\"x\", \"abc\"", "\"abc\"").is_some());
        assert!(not_modified("\"x,y\",W/\"abc-br\"", "\"abc\"").is_some());
        assert!(not_modified("\"abc-gzip\"", "\"abc\"").is_some());
        assert!(not_modified("*", "\"abc\"").is_some());
        assert!(not_modified("\"abd\"", "\"abc\"").is_none());
        assert!(not_modified("\"abc-zstd\"", "\"abc\"").is_none());
        assert!(not_modified("abc", "\"abc\"").is_none());
        assert!(not_modified("\"", "\"abc\"").is_none());
        let echoed = not_modified("W/\"abc-br\"", "\"abc\"").flatten();
        assert_eq!(echoed, Some(HeaderValue::from_static("\"abc-br\"")));
    }

    fn time(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).expect("time")
    }

    /// Whether a request with `request` headers, arriving at `asked_at`, gets `304` for a
    /// response with `Last-Modified: modified` and the ETag `"abc"`.
    fn not_modified_since(request: &[(&'static str, &str)], modified: i64, asked_at: i64) -> bool {
        let mut headers = HeaderMap::new();
        for (name, value) in request {
            headers.append(*name, HeaderValue::from_str(value).expect("header"));
        }
        let mut response = HeaderMap::new();
        response.insert(ETAG, HeaderValue::from_static("\"abc\""));
        response.insert(LAST_MODIFIED, http_date(time(modified)));
        Conditions::at(&headers, time(asked_at))
            .matches(&response)
            .is_some()
    }

    #[test]
    fn if_modified_since_needs_a_settled_last_modified_and_yields_to_if_none_match() {
        let t = 784_111_777;
        let date = http_date(time(t));
        let date = date.to_str().expect("ascii");
        let earlier = http_date(time(t - 1));
        let earlier = earlier.to_str().expect("ascii");
        let ims = |value| [("if-modified-since", value)];
        assert!(not_modified_since(&ims(date), t, t + 1));
        assert!(not_modified_since(&ims(date), t - 5, t + 1));
        assert!(!not_modified_since(&ims(earlier), t, t + 1));
        // Modified within the second the request arrived in: another change may follow.
        assert!(!not_modified_since(&ims(date), t, t));
        assert!(!not_modified_since(&ims(date), t + 3, t));
        // If-None-Match decides alone, either way.
        let stale_tag = [("if-none-match", "\"other\""), ("if-modified-since", date)];
        assert!(!not_modified_since(&stale_tag, t, t + 10));
        let same_tag = [("if-none-match", "\"abc\""), ("if-modified-since", earlier)];
        assert!(not_modified_since(&same_tag, t, t + 10));
        assert!(!not_modified_since(&[], t, t + 10));
    }

    #[test]
    fn a_time_is_settled_once_its_second_is_over() {
        let t = time(784_111_777);
        assert!(!settled(t, t));
        assert!(!settled(t, t + chrono::Duration::milliseconds(999)));
        assert!(settled(t, t + chrono::Duration::seconds(1)));
        assert!(!settled(t + chrono::Duration::seconds(5), t));
    }

    #[test]
    fn http_dates_round_trip() {
        let time = DateTime::from_timestamp(784_111_777, 0).expect("time");
        let value = http_date(time);
        assert_eq!(value, "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse_http_date(&value), Some(time));
        assert_eq!(
            parse_http_date(&HeaderValue::from_static("yesterday")),
            None
        );
    }
}
