//! `/websub/<source id>`: the WebSub subscriber callback.
//!
//! GET is the hub verifying our intent: a `subscribe` for the topic we asked about is
//! confirmed by echoing `hub.challenge` (and its `hub.lease_seconds` stored); syndic never
//! asks to unsubscribe, so an `unsubscribe` is confirmed only for a subscription already
//! given up; `denied` is recorded. Anything else is `404`.
//!
//! POST is content pushed by the hub. It is passed on to the [`PushSink`](crate::PushSink)
//! only when its `X-Hub-Signature` is the HMAC of the raw body under the subscription's
//! secret; otherwise it is dropped with a warning, yet still answered `202`, as the spec
//! asks (the subscriber must not tell a forger whether the signature was right).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use syndic_core::SourceId;
use syndic_store::{Subscription, SubscriptionState};

use crate::push::signature_matches;
use crate::{AppState, WebError};

/// The lease assumed when a hub verifies a subscription without `hub.lease_seconds`: the
/// ten days syndic asks for.
const DEFAULT_LEASE_SECONDS: u32 = 864_000;

/// What a verification request carries.
#[derive(Debug, Default)]
struct Verification {
    mode: String,
    topic: String,
    challenge: Option<String>,
    lease_seconds: Option<u32>,
}

impl Verification {
    fn parse(query: &str) -> Verification {
        let mut asked = Verification::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "hub.mode" => asked.mode = value.into_owned(),
                "hub.topic" => asked.topic = value.into_owned(),
                "hub.challenge" => asked.challenge = Some(value.into_owned()),
                "hub.lease_seconds" => asked.lease_seconds = value.trim().parse().ok(),
                _ => {}
            }
        }
        asked
    }
}

/// GET: the hub verifies a subscription (or tells us it was denied).
pub(crate) async fn verify(
    State(state): State<AppState>,
    Path(source): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let source = source_id(&source)?;
    let asked = Verification::parse(query.as_deref().unwrap_or_default());
    let subscription = subscription(&state, source).await?;
    if asked.topic != subscription.topic {
        tracing::warn!(source.id = %source, websub.mode = %asked.mode, "a hub verification names another topic; refused");
        return Err(WebError::NotFound);
    }
    let confirm = match asked.mode.as_str() {
        "subscribe" if subscription.state != SubscriptionState::Denied => {
            let lease = asked.lease_seconds.unwrap_or(DEFAULT_LEASE_SECONDS);
            state
                .store
                .verify_subscription(source, lease, Utc::now())
                .await?;
            tracing::info!(source.id = %source, websub.hub = %subscription.hub, websub.lease_seconds = lease, "subscription verified by the hub");
            true
        }
        "unsubscribe" => subscription.state == SubscriptionState::Denied,
        "denied" => {
            state.store.deny_subscription(source, Utc::now()).await?;
            tracing::warn!(source.id = %source, websub.hub = %subscription.hub, "the hub denied the subscription; polling carries on");
            return Ok(plain(String::new()));
        }
        _ => false,
    };
    match (confirm, asked.challenge) {
        (true, Some(challenge)) => Ok(plain(challenge)),
        _ => Err(WebError::NotFound),
    }
}

/// POST: content pushed by the hub.
pub(crate) async fn receive(
    State(state): State<AppState>,
    Path(source): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let source = source_id(&source)?;
    let subscription = subscription(&state, source).await?;
    let signature = headers
        .get("x-hub-signature")
        .and_then(|value| value.to_str().ok());
    let signed = signature
        .is_some_and(|header| signature_matches(header, subscription.secret.as_bytes(), &body));
    if !signed {
        tracing::warn!(source.id = %source, http.body_bytes = body.len(), signed = signature.is_some(), "ignored pushed content: missing or wrong X-Hub-Signature");
    } else if subscription.state == SubscriptionState::Denied {
        tracing::warn!(source.id = %source, "ignored pushed content for a denied subscription");
    } else if let Some(sink) = state.push_sink() {
        tracing::debug!(source.id = %source, http.body_bytes = body.len(), "pushed content accepted");
        sink.accept(source, body.to_vec());
    } else {
        tracing::debug!(source.id = %source, "pushed content dropped: nothing ingests pushes here");
    }
    Ok((StatusCode::ACCEPTED, [(CACHE_CONTROL, "no-store")]).into_response())
}

fn source_id(text: &str) -> Result<SourceId, WebError> {
    text.parse().map(SourceId).map_err(|_| WebError::NotFound)
}

async fn subscription(state: &AppState, source: SourceId) -> Result<Subscription, WebError> {
    state
        .store
        .subscription(source)
        .await?
        .ok_or(WebError::NotFound)
}

/// A `text/plain` answer no cache may keep.
fn plain(text: String) -> Response {
    (
        [
            (CONTENT_TYPE, "text/plain; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}
