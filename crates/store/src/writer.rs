//! Write transactions, and on SQLite this process's writers taking turns in a queue.
//!
//! SQLite has one writer at a time. Two of this process's tasks that both begin a write
//! (`BEGIN IMMEDIATE`) would otherwise meet in SQLite's busy handler, which sleeps and
//! tries again at growing intervals (1, 2, 5, 10, … 100 ms): the second writer wakes up to
//! a lock released milliseconds before, or keeps sleeping after it was. During a first
//! fetch, where one ingest follows another, that idled the one writer for a good part of
//! the run. So a SQLite store's writes first take this process's turn (a fair async
//! mutex, handed to the next waiter the moment a transaction ends), then begin; other
//! processes still meet in the busy handler. A task that waits for its turn longer than
//! the busy timeout begins anyway (SQLite's own wait then decides), so a write begun
//! while another of the same task's is open still fails, after both waits, rather than
//! hanging.
//! PostgreSQL has row locks: its writers run side by side, without turns.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// This process's turns to write to one SQLite store (shared by the store's clones).
#[derive(Debug, Clone)]
pub(crate) struct Turns {
    queue: Arc<Mutex<()>>,
    /// How long a writer waits for its turn before it begins anyway.
    patience: Duration,
}

impl Turns {
    pub(crate) fn new(patience: Duration) -> Turns {
        Turns {
            queue: Arc::default(),
            patience,
        }
    }

    /// Waits for this process's turn to write (at most the patience).
    pub(crate) async fn take(&self) -> Option<OwnedMutexGuard<()>> {
        tokio::time::timeout(self.patience, Arc::clone(&self.queue).lock_owned())
            .await
            .ok()
    }
}

/// A write transaction, holding this process's turn to write until it ends.
pub(crate) struct WriteTx {
    // Dropped first: a transaction dropped without a commit rolls back, then the turn
    // passes on.
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) fn new(tx: Transaction<'static, Any>, turn: Option<OwnedMutexGuard<()>>) -> Self {
        WriteTx { tx, _turn: turn }
    }

    /// Commits, then passes the turn on.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_turn_is_held_until_its_transaction_ends_and_then_passed_on() {
        let turns = Turns::new(Duration::from_millis(50));
        let first = turns.take().await;
        assert!(first.is_some(), "a free turn is taken at once");
        assert!(
            turns.take().await.is_none(),
            "a second writer waits (here: past its patience, and begins without a turn)"
        );
        drop(first);
        assert!(
            turns.take().await.is_some(),
            "free again once the first ends"
        );
    }

    #[tokio::test]
    async fn a_sqlite_store_s_writes_take_turns_and_a_read_only_one_s_do_not() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("turns.db");
        let store = crate::Store::open_sqlite_path(&path).await.expect("open");
        let turns = store.turns.clone().expect("a SQLite store takes turns");
        let tx = store.write("a test write").await.expect("write");
        assert!(
            turns.queue.try_lock().is_err(),
            "the open write holds the turn"
        );
        tx.commit().await.expect("commit");
        assert!(turns.queue.try_lock().is_ok(), "the commit passed it on");
        store.close().await;
        let reader = crate::Store::open_sqlite_path_read_only(&path)
            .await
            .expect("read-only");
        assert!(reader.turns.is_none());
        reader.close().await;
    }
}
