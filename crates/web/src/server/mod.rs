//! The HTTP server: a small accept loop on hyper, so that no client can stall the site.
//!
//! At most [`ConnectionLimits::max_connections`] connections are open at once; when all
//! are taken, new ones wait in the listen queue until one closes (open connections are
//! never disturbed). Each connection keeps the deadlines of `watch`: a request's head must
//! arrive within the header-read timeout, a kept-alive connection may stay silent for the
//! idle timeout, a client that stops reading its answer is cut off after the same time.
//! Idle and half-sent connections cost a task each and delay nobody. Before routing,
//! `gate` refuses a request without `Host`, an over-long target or head, and an over-large
//! body, with the site's own error pages. On shutdown, idle connections close at once and
//! requests under way finish (for at most [`SHUTDOWN_GRACE`]).

mod gate;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch as signal};

pub use gate::{MAX_HEADER_BYTES, MAX_HEADER_FIELDS, MAX_TARGET_BYTES};

use crate::AppState;

/// How long requests under way may take to finish once shutdown is asked for.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Bounds on connections (`[server] header_read_timeout`, `idle_timeout`,
/// `max_connections`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a request's head may take to arrive in full, from the connection's opening
    /// or the request's first byte; a connection past it is closed.
    pub header_read_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request, and how long a
    /// client may leave its answer unread; then the connection is closed.
    pub idle_timeout: Duration,
    /// How many connections may be open at once; more wait to be accepted.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

/// Serves the site ([`crate::serving_router`] over `state`: the router with its page
/// cache) on `listener` within `limits` until `shutdown` completes, then lets requests under
/// way finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(server.address = %addr, "serving the site at http://{addr}/");
    }
    let app = crate::serving_router(state.clone());
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopping) = signal::channel(false);
    let mut http = http1::Builder::new();
    // Our own header-read deadline (module `watch`) replaces hyper's.
    http.header_read_timeout(None)
        .keep_alive(true)
        .max_headers(gate::HYPER_MAX_HEADERS);
    tokio::pin!(shutdown);
    while let Some((stream, peer, slot)) = accept(&listener, &slots, &mut shutdown).await {
        let connection = Connection {
            http: http.clone(),
            gate: gate::Gate {
                app: app.clone(),
                state: state.clone(),
                phases: watch::Phases::new(limits),
                peer,
            },
            stopping: stopping.clone(),
            _slot: slot,
        };
        tokio::spawn(connection.run(stream));
    }
    let _ = stop.send(true);
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    if tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("requests still under way after {SHUTDOWN_GRACE:?}; stopping anyway");
    }
    Ok(())
}

/// The next connection, once one of the `slots` is free; `None` once `shutdown` completes.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
    shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> Option<(TcpStream, std::net::SocketAddr, OwnedSemaphorePermit)> {
    let slot = tokio::select! {
        biased;
        () = shutdown.as_mut() => return None,
        slot = Arc::clone(slots).acquire_owned() => slot.ok()?,
    };
    loop {
        let accepted = tokio::select! {
            biased;
            () = shutdown.as_mut() => return None,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => return Some((stream, peer, slot)),
            Err(err) => {
                // Out of file descriptors, or a connection reset before it was accepted:
                // the listener stays usable; wait a moment rather than spin.
                tracing::warn!(error = %err, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// One accepted connection and what it needs.
struct Connection {
    http: http1::Builder,
    gate: gate::Gate,
    stopping: signal::Receiver<bool>,
    /// Its place among the open connections, given back when it closes.
    _slot: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(mut self, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(watch::Watched::new(stream, Arc::clone(&self.gate.phases)));
        let served = self.http.serve_connection(io, self.gate);
        tokio::pin!(served);
        let stopping = async {
            let _ = self.stopping.wait_for(|stop| *stop).await;
        };
        let result = tokio::select! {
            result = served.as_mut() => result,
            () = stopping => {
                served.as_mut().graceful_shutdown();
                served.await
            }
        };
        if let Err(err) = result {
            tracing::debug!(error = %err, "connection closed");
        }
    }
}
