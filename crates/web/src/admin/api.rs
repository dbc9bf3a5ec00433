//! The admin's JSON API for scripts (behind a bearer token, `guard::bearer`):
//! `GET /admin/api/review`, `GET /admin/api/audit` (`?since=` RFC 3339 time or Unix
//! seconds), `POST /admin/api/posts/<id>/{remove,restore,approve,reject}` (`remove` wants
//! `{"reason": "…"}`; `reject` takes one), `GET /admin/api/sources` (each with its health
//! and whether it is paused), `POST /admin/api/sources/<id>/{pause,resume,fetch}`.
//! Failures answer `{"error": "…"}`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::moderation::{self, Actor, Decision, SourceAction};
use super::render;
use crate::AppState;

/// `GET /admin/api/review`: the pending posts, each with `id`, `title`, `link`, `source`.
pub(crate) async fn review(State(state): State<AppState>) -> Response {
    match moderation::pending(&state.store).await {
        Ok(posts) => json(StatusCode::OK, &posts),
        Err(error) => failed(&error),
    }
}

/// `GET /admin/api/audit`: the decisions, each with `time`, `actor`, `action`, `target`,
/// `reason`; `?since=` keeps those at or after a time.
pub(crate) async fn audit(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let since = query.as_deref().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "since")
            .map(|(_, value)| value.into_owned())
    });
    let since = match since.as_deref().map(parse_time) {
        None => None,
        Some(Some(time)) => Some(time),
        Some(None) => {
            return failure(
                StatusCode::BAD_REQUEST,
                "since must be an RFC 3339 time (2026-01-31T12:00:00Z) or Unix seconds",
            );
        }
    };
    match moderation::audit(&state.store, since).await {
        Ok(entries) => json(StatusCode::OK, &entries),
        Err(error) => failed(&error),
    }
}

/// `GET /admin/api/sources`: every source with its health, as `/sources/` shows it, and
/// whether it is paused.
pub(crate) async fn sources(State(state): State<AppState>) -> Response {
    match moderation::sources(&state.store).await {
        Ok(sources) => json(StatusCode::OK, &sources),
        Err(error) => failed(&error),
    }
}

/// `POST /admin/api/sources/<id>/<action>`: pause, resume or fetch now.
pub(crate) async fn act_on_source(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    let (Some(id), Some(action)) = (
        crate::pages::parse_positive::<i64>(&id),
        SourceAction::named(&name),
    ) else {
        return failure(
            StatusCode::NOT_FOUND,
            "use /admin/api/sources/<id>/{pause,resume,fetch}",
        );
    };
    match moderation::act_on_source(&state.store, action, id, Actor::Api).await {
        Ok(()) => json(
            StatusCode::OK,
            &json!({ "id": id, "action": action.as_str(), "ok": true }),
        ),
        Err(error) => failed(&error),
    }
}

/// The body `remove` and `reject` read.
#[derive(Debug, serde::Deserialize)]
struct ReasonBody {
    reason: Option<String>,
}

/// `POST /admin/api/posts/<id>/<decision>`.
pub(crate) async fn act(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (Some(id), Some(decision)) = (
        crate::pages::parse_positive::<i64>(&id),
        Decision::named(&name),
    ) else {
        return failure(
            StatusCode::NOT_FOUND,
            "use /admin/api/posts/<id>/{remove,restore,approve,reject}",
        );
    };
    let reason = match reason_of(decision, &body) {
        Ok(reason) => reason,
        Err(why) => return failure(StatusCode::BAD_REQUEST, why),
    };
    let done = async {
        let id = moderation::find_post(&state.store, &id.to_string()).await?;
        moderation::decide(&state.store, decision, id, reason.as_deref(), Actor::Api).await
    };
    match done.await {
        Ok(()) => json(
            StatusCode::OK,
            &json!({ "id": id, "action": decision.as_str(), "ok": true }),
        ),
        Err(error) => failed(&error),
    }
}

/// The reason `body` gives: required for a takedown, optional for a rejection, ignored
/// otherwise.
fn reason_of(decision: Decision, body: &[u8]) -> Result<Option<String>, &'static str> {
    let wanted = matches!(decision, Decision::Remove | Decision::Reject);
    if !wanted || (decision == Decision::Reject && body.iter().all(u8::is_ascii_whitespace)) {
        return Ok(None);
    }
    let parsed: ReasonBody = serde_json::from_slice(body)
        .map_err(|_| "send a JSON object such as {\"reason\": \"asked by the author\"}")?;
    let reason = parsed
        .reason
        .map(|reason| reason.trim().to_owned())
        .filter(|reason| !reason.is_empty());
    if decision == Decision::Remove && reason.is_none() {
        return Err("a takedown needs a reason: {\"reason\": \"asked by the author\"}");
    }
    Ok(reason)
}

/// `text` as a time: RFC 3339, or whole Unix seconds.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            text.parse::<i64>()
                .ok()
                .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
        })
}

fn failed(error: &super::AdminError) -> Response {
    let status = render::status_of(error);
    if status.is_server_error() {
        tracing::error!(error = %crate::error::chain(error), "admin API call failed");
    }
    failure(status, &render::words_for(error))
}

/// A failure as JSON: `{"error": why}` with `status`.
pub(crate) fn failure(status: StatusCode, why: &str) -> Response {
    json(status, &json!({ "error": why }))
}

/// `value` as a JSON answer with `status`.
fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (
            status,
            [
                (CONTENT_TYPE, "application/json"),
                (CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(error = %error, "cannot write an admin API answer");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_takedown_needs_a_reason_and_a_rejection_may_have_one() {
        assert_eq!(
            reason_of(Decision::Remove, br#"{"reason": " spam "}"#),
            Ok(Some("spam".to_owned()))
        );
        assert!(reason_of(Decision::Remove, b"").is_err());
        assert!(reason_of(Decision::Remove, br#"{"reason": ""}"#).is_err());
        assert!(reason_of(Decision::Remove, b"reason=spam").is_err());
        assert_eq!(reason_of(Decision::Reject, b""), Ok(None));
        assert_eq!(
            reason_of(Decision::Reject, br#"{"reason": "off topic"}"#),
            Ok(Some("off topic".to_owned()))
        );
        assert_eq!(reason_of(Decision::Approve, b"anything"), Ok(None));
    }

    #[test]
    fn since_is_rfc_3339_or_unix_seconds() {
        let expected = DateTime::from_timestamp(1_767_225_600, 0);
        assert_eq!(parse_time("2026-01-01T00:00:00Z"), expected);
        assert_eq!(parse_time("1767225600"), expected);
        assert_eq!(parse_time("yesterday"), None);
    }
}
