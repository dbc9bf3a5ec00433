//! Deadlines on a connection's reads and writes, by what the connection is doing.
//!
//! A connection is in one of three phases. **Head**: a request's head is awaited or
//! arriving; it must be complete by the header-read deadline (from the connection's
//! opening, or from the first byte of a later request). **Busy**: the site is answering a
//! request; no read deadline (the request deadline bounds the work). **Idle**: between
//! requests on a kept-alive connection, until the next request's first byte; it may last
//! the idle timeout. A read past its phase's deadline fails with `TimedOut`, and hyper
//! closes the connection. A write that makes no progress for the idle timeout (a client
//! that does not read its answer) fails the same way.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use super::ConnectionLimits;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Head { deadline: Instant },
    Busy,
    Idle { deadline: Instant },
}

/// What one connection is doing; shared by its reads and writes and its requests.
#[derive(Debug)]
pub(super) struct Phases {
    limits: ConnectionLimits,
    phase: Mutex<Phase>,
    /// Who waits on the last read that found nothing: hyper may not read again on its own
    /// once a request is answered, so going idle wakes it to arm the idle deadline.
    reader: Mutex<Option<Waker>>,
}

impl Phases {
    /// A connection just accepted: its first request's head is due.
    pub(super) fn new(limits: ConnectionLimits) -> Arc<Phases> {
        Arc::new(Phases {
            limits,
            phase: Mutex::new(Phase::Head {
                deadline: Instant::now() + limits.header_read_timeout,
            }),
            reader: Mutex::new(None),
        })
    }

    /// A request's head is complete: the site is answering it.
    pub(super) fn busy(&self) {
        self.set(Phase::Busy);
    }

    /// The answer is handed over: the connection waits for another request.
    pub(super) fn idle(&self) {
        self.set(Phase::Idle {
            deadline: Instant::now() + self.limits.idle_timeout,
        });
        let reader = self
            .reader
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(reader) = reader {
            reader.wake();
        }
    }

    /// Notes who to wake when the phase changes under a read that found nothing.
    fn waiting(&self, waker: &Waker) {
        let mut reader = self.reader.lock().unwrap_or_else(PoisonError::into_inner);
        if !reader.as_ref().is_some_and(|known| known.will_wake(waker)) {
            *reader = Some(waker.clone());
        }
    }

    fn set(&self, phase: Phase) {
        *self.phase.lock().unwrap_or_else(PoisonError::into_inner) = phase;
    }

    /// The current read deadline, after noting whether bytes just arrived (the first
    /// byte after an idle spell starts a request's head).
    fn read_deadline(&self, arrived: bool) -> Option<Instant> {
        let mut phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        if arrived && matches!(*phase, Phase::Idle { .. }) {
            *phase = Phase::Head {
                deadline: Instant::now() + self.limits.header_read_timeout,
            };
        }
        match *phase {
            Phase::Head { deadline } | Phase::Idle { deadline } => Some(deadline),
            Phase::Busy => None,
        }
    }
}

/// A stream whose reads and writes keep the deadlines of [`Phases`].
pub(super) struct Watched<S> {
    inner: S,
    phases: Arc<Phases>,
    read_timer: Pin<Box<Sleep>>,
    /// Since when writes have made no progress, and the timer for it.
    write_stall: Option<Pin<Box<Sleep>>>,
}

impl<S> Watched<S> {
    pub(super) fn new(inner: S, phases: Arc<Phases>) -> Watched<S> {
        let first = phases.read_deadline(false).unwrap_or_else(Instant::now);
        Watched {
            inner,
            phases,
            read_timer: Box::pin(tokio::time::sleep_until(first)),
            write_stall: None,
        }
    }

    /// `Ready(Err)` once `deadline` has passed; otherwise the timer is armed for it.
    fn read_expired(&mut self, deadline: Instant, cx: &mut Context<'_>) -> bool {
        if self.read_timer.deadline() != deadline {
            self.read_timer.as_mut().reset(deadline);
        }
        self.read_timer.as_mut().poll(cx).is_ready()
    }

    /// For a write that could not proceed: whether it has been stuck for the idle
    /// timeout.
    fn write_expired(&mut self, cx: &mut Context<'_>) -> bool {
        let limit = self.phases.limits.idle_timeout;
        let timer = self
            .write_stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        timer.as_mut().poll(cx).is_ready()
    }

    fn written<T>(
        &mut self,
        result: Poll<io::Result<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<T>> {
        match result {
            Poll::Pending if self.write_expired(cx) => Poll::Ready(Err(timed_out("writing"))),
            Poll::Pending => Poll::Pending,
            ready => {
                self.write_stall = None;
                ready
            }
        }
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, format!("client too slow {what}"))
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let arrived = buf.filled().len() > before;
                // A head trickling in byte by byte still ends at its deadline.
                match this.phases.read_deadline(arrived) {
                    Some(deadline) if arrived && Instant::now() >= deadline => {
                        Poll::Ready(Err(timed_out("sending a request")))
                    }
                    _ => Poll::Ready(Ok(())),
                }
            }
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => {
                this.phases.waiting(cx.waker());
                match this.phases.read_deadline(false) {
                    Some(deadline) if this.read_expired(deadline, cx) => {
                        Poll::Ready(Err(timed_out("sending a request")))
                    }
                    _ => Poll::Pending,
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.written(result, cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.written(result, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_flush(cx);
        this.written(result, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut this.inner).poll_shutdown(cx))?;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    fn limits(head: u64, idle: u64) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(head),
            idle_timeout: Duration::from_secs(idle),
            max_connections: 8,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_not_complete_by_its_deadline_fails_the_read() {
        let (client, server) = tokio::io::duplex(64);
        let phases = Phases::new(limits(2, 60));
        let mut watched = Watched::new(server, Arc::clone(&phases));
        let mut client = client;
        client.write_all(b"GET / HT").await.expect("write");
        let mut buf = [0u8; 64];
        assert_eq!(watched.read(&mut buf).await.expect("first bytes"), 8);
        let failed = watched.read(&mut buf).await;
        assert_eq!(
            failed.map_err(|e| e.kind()).err(),
            Some(io::ErrorKind::TimedOut)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_connection_has_no_read_deadline_and_an_idle_one_has_its_own() {
        let (client, server) = tokio::io::duplex(64);
        let phases = Phases::new(limits(2, 30));
        let mut watched = Watched::new(server, Arc::clone(&phases));
        phases.busy();
        let mut buf = [0u8; 64];
        let waited = tokio::time::timeout(Duration::from_secs(10), watched.read(&mut buf)).await;
        assert!(waited.is_err(), "still waiting after 10 s while busy");
        phases.idle();
        let started = Instant::now();
        let failed = watched.read(&mut buf).await;
        assert_eq!(
            failed.map_err(|e| e.kind()).err(),
            Some(io::ErrorKind::TimedOut)
        );
        assert_eq!(
            started.elapsed().as_secs(),
            30,
            "the idle timeout, not the head's"
        );
        drop(client);
    }
}
