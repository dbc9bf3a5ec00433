//! Starting a long-running process (`serve`, `worker`): a store that cannot be
//! reached yet (a database server still starting, a network not up) is waited for with
//! backoff, logged, until it answers or Ctrl-C/SIGTERM; anything else it says stops
//! start-up at once. And the one shutdown signal such processes stop on.

use std::time::Duration;

use syndic_store::{Store, StoreError};

/// The first wait before trying the store again; each later wait doubles, up to
/// [`MAX_RETRY_WAIT`].
const FIRST_RETRY_WAIT: Duration = Duration::from_secs(1);
const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);

/// Opens the store with `open` (e.g. [`crate::cmd::open_store`]), trying again while it
/// cannot be reached. `None` when a shutdown signal came first.
pub async fn open_store_patiently<F, Opening>(open: F) -> anyhow::Result<Option<Store>>
where
    F: Fn() -> Opening,
    Opening: std::future::Future<Output = anyhow::Result<Store>>,
{
    let stop = shutdown_signal();
    tokio::pin!(stop);
    let mut wait = FIRST_RETRY_WAIT;
    loop {
        let error = match open().await {
            Ok(store) => return Ok(Some(store)),
            Err(error) if is_unreachable(&error) => error,
            Err(error) => return Err(error),
        };
        tracing::warn!(
            retry_in_s = wait.as_secs(),
            "the store cannot be reached yet: {error:#}; trying again in {}s (Ctrl-C stops)",
            wait.as_secs()
        );
        tokio::select! {
            () = &mut stop => return Ok(None),
            () = tokio::time::sleep(wait) => {}
        }
        wait = (wait * 2).min(MAX_RETRY_WAIT);
    }
}

/// Whether `error` comes from a store that could not be reached (as opposed to one that
/// refused: a wrong password, a missing database, a schema too new).
fn is_unreachable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<StoreError>()
            .is_some_and(StoreError::is_unreachable)
    })
}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
