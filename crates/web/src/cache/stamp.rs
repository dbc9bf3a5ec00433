//! Reading the change stamp once for many requests (single flight).
//!
//! A request may share a read of the store's change stamp, but only one that *started
//! after the request arrived*: a read already under way may have begun before a change
//! the request must see was committed. So each request joins the next read, the one not
//! started yet; that read starts as soon as no other is running. With sixteen requests
//! in flight, one read answers all that arrived while the previous one ran.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use syndic_store::{ChangeStamp, Store};
use tokio::sync::watch;

use crate::error::chain;

/// What a read gave: the stamp, or why there is none (logged).
pub(crate) type Read = Result<Reading, StampFailure>;

/// Why a read of the change stamp gave none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StampFailure {
    /// The store could not be reached, or did not answer within the reader's deadline.
    Unreachable,
    /// The store answered with an error (a missing clock row, say).
    Failed,
}

/// One read of the change stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reading {
    pub(crate) stamp: ChangeStamp,
    /// Whether the version is lower than the previous read's: reads run one after another,
    /// so only a clock that went backwards (a database restored under the server) does
    /// that, and every cached page must go.
    pub(crate) went_back: bool,
}

/// The reads of one store's change stamp; see the module docs.
#[derive(Debug)]
pub(crate) struct StampReader {
    store: Store,
    /// How long one read may take.
    deadline: Duration,
    rounds: Mutex<Rounds>,
    /// How many reads went to the store.
    reads: AtomicU64,
}

#[derive(Debug, Default)]
struct Rounds {
    /// Whether a read is under way.
    running: bool,
    /// The next read, not started yet, with the requests waiting for it.
    next: Option<watch::Sender<Option<Read>>>,
    /// The version the last read returned.
    last_version: Option<i64>,
}

impl StampReader {
    pub(crate) fn new(store: Store, deadline: Duration) -> Arc<StampReader> {
        Arc::new(StampReader {
            store,
            deadline,
            rounds: Mutex::new(Rounds::default()),
            reads: AtomicU64::new(0),
        })
    }

    /// The change stamp as of a read that started after this call, or why the store
    /// could not say within the deadline.
    pub(crate) async fn read(self: &Arc<Self>) -> Read {
        let mut answer = {
            let mut rounds = self.rounds.lock().unwrap_or_else(PoisonError::into_inner);
            let answer = match &rounds.next {
                Some(next) => next.subscribe(),
                None => {
                    let (next, answer) = watch::channel(None);
                    rounds.next = Some(next);
                    answer
                }
            };
            if !rounds.running {
                self.start(&mut rounds);
            }
            answer
        };
        match answer.wait_for(Option::is_some).await {
            Ok(read) => read.unwrap_or(Err(StampFailure::Failed)),
            Err(_) => Err(StampFailure::Failed),
        }
    }

    /// Starts the next read in a task of its own (a request that gives up never strands
    /// the others); when it ends, the read queued meanwhile starts.
    fn start(self: &Arc<Self>, rounds: &mut Rounds) {
        let Some(next) = rounds.next.take() else {
            return;
        };
        rounds.running = true;
        let reader = Arc::clone(self);
        tokio::spawn(async move {
            let stamp = reader.read_store().await;
            let mut rounds = reader.rounds.lock().unwrap_or_else(PoisonError::into_inner);
            let read = stamp.map(|stamp| Reading {
                stamp,
                went_back: rounds.last_version.is_some_and(|last| stamp.version < last),
            });
            if let Ok(stamp) = stamp {
                rounds.last_version = Some(stamp.version);
            }
            let _ = next.send(Some(read));
            rounds.running = false;
            reader.start(&mut rounds);
        });
    }

    /// How many reads went to the store so far.
    pub(crate) fn store_reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    async fn read_store(&self) -> Result<ChangeStamp, StampFailure> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        match tokio::time::timeout(self.deadline, self.store.change_stamp()).await {
            Ok(Ok(stamp)) => Ok(stamp),
            Ok(Err(err)) if err.is_unreachable() => {
                tracing::warn!(error = %chain(&err), "cannot reach the store for the change clock");
                Err(StampFailure::Unreachable)
            }
            Ok(Err(err)) => {
                tracing::warn!(error = %chain(&err), "cannot read the change clock; not using the page cache");
                Err(StampFailure::Failed)
            }
            Err(_) => {
                tracing::warn!(
                    deadline_ms = self.deadline.as_millis(),
                    "the change clock did not answer in time: the store is taken for unreachable"
                );
                Err(StampFailure::Unreachable)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_read_sees_every_change_committed_before_it_was_asked_for() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open_sqlite_path(&dir.path().join("stamp.db"))
            .await
            .expect("store");
        let reader = StampReader::new(store.clone(), Duration::from_secs(5));
        let before = reader.read().await.expect("stamp").stamp;
        let spec = syndic_store::SourceSpec {
            url: "https://blog.example/feed".into(),
            name: None,
        };
        store
            .upsert_source(&spec, chrono::Utc::now())
            .await
            .expect("a change");
        let after = reader.read().await.expect("stamp").stamp;
        assert!(after.version > before.version, "{before:?} {after:?}");
    }

    #[tokio::test]
    async fn a_version_lower_than_the_last_read_says_the_clock_went_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("stamp.db");
        let store = Store::open_sqlite_path(&path).await.expect("store");
        let reader = StampReader::new(store.clone(), Duration::from_secs(5));
        let first = reader.read().await.expect("stamp");
        assert!(!first.went_back);
        syndic_store::testing::execute(
            &store,
            "UPDATE site_state SET version = version - 10 WHERE id = 1",
        )
        .await
        .expect("an older database");
        let back = reader.read().await.expect("stamp");
        assert!(back.went_back, "{first:?} then {back:?}");
        assert!(!reader.read().await.expect("stamp").went_back, "once");
    }

    #[tokio::test]
    async fn requests_waiting_together_share_one_read() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open_sqlite_path(&dir.path().join("stamp.db"))
            .await
            .expect("store");
        let reader = StampReader::new(store, Duration::from_secs(5));
        // On this one-thread runtime the 64 requests all arrive before the first read
        // runs: the first starts a read, the 63 others wait for the next one.
        let mut requests = tokio::task::JoinSet::new();
        for _ in 0..64 {
            let reader = Arc::clone(&reader);
            requests.spawn(async move { reader.read().await });
        }
        while let Some(read) = requests.join_next().await {
            assert!(read.expect("join").is_ok());
        }
        assert_eq!(reader.store_reads(), 2);
    }
}
