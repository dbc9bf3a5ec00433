//! `/healthz`: whether this process reaches its store, for load balancers and service
//! managers. Answers JSON, never cached:
//! `{"store": "ok" | "unreachable", "schema_version": N, "role": "serve" | "web" | "worker"}`,
//! `200` when the store answered within [`RequestLimits::store_wait`](crate::RequestLimits)
//! and `503` when it did not.

use std::sync::atomic::{AtomicI64, Ordering};

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::AppState;
use crate::error::chain;

/// What a syndic process does, as `/healthz` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// `syndic serve`: the site, and fetching.
    #[default]
    Serve,
    /// `syndic serve --no-fetch`: the site only.
    Web,
    /// `syndic worker`: fetching only.
    Worker,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Serve => "serve",
            Role::Web => "web",
            Role::Worker => "worker",
        }
    }
}

/// The schema version last read from the store, reported while it cannot be read. It
/// starts at the version this syndic migrates to, which the store had when this process
/// opened it.
#[derive(Debug)]
pub(crate) struct LastSchemaVersion(AtomicI64);

impl Default for LastSchemaVersion {
    fn default() -> Self {
        LastSchemaVersion(AtomicI64::new(syndic_store::current_schema_version()))
    }
}

#[derive(Serialize)]
struct Health {
    store: &'static str,
    schema_version: i64,
    role: &'static str,
}

pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    let probe = tokio::time::timeout(state.limits().store_wait, state.store.schema_version());
    let (status, store) = match probe.await {
        Ok(Ok(version)) => {
            state
                .last_schema_version()
                .0
                .store(version, Ordering::Relaxed);
            (StatusCode::OK, "ok")
        }
        Ok(Err(error)) => {
            tracing::warn!(error = %chain(&error), "health check: the store did not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "unreachable")
        }
        Err(_) => {
            tracing::warn!(
                wait_ms = state.limits().store_wait.as_millis(),
                "health check: the store did not answer in time"
            );
            (StatusCode::SERVICE_UNAVAILABLE, "unreachable")
        }
    };
    let health = Health {
        store,
        schema_version: state.last_schema_version().0.load(Ordering::Relaxed),
        role: state.role().as_str(),
    };
    let body = serde_json::to_string(&health).unwrap_or_default();
    (
        status,
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
