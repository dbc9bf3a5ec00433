//! zstd dictionaries trained on a store's own bodies (migration 27), and which of them a
//! store encodes with.
//!
//! Why: a post is a few KB, and a frame made on its own learns the post's words and
//! markup from nothing; a dictionary made of the store's own posts hands zstd that
//! vocabulary up front, which matters most for short posts (figures in ARCHITECTURE.md,
//! "Post bodies").
//!
//! A dictionary is named by a hash of its bytes ([`id_of`]): a body names the same
//! dictionary in every copy of the store, and the process-wide registry ([`lookup`])
//! holds each distinct dictionary once however many stores the process opens (`store
//! copy`, tests). The registry is a cache of immutable values keyed by their content, not
//! a store's state; which dictionary a store encodes with ([`Dictionaries::current`]) is
//! the store's own.
//!
//! **Invariant: every process of a store knows a dictionary before it reads a body made
//! with it.** A new dictionary is written with a `usable_from` [`GRACE`] ahead; nothing
//! encodes with it before then; and every process reads the table again before it hands
//! out a connection whenever its last reading is [`REFRESH`] old (the pool's
//! `before_acquire`, [`Dictionaries::due`]). A body made after `usable_from` is read
//! through a connection acquired after it, and that acquire read the table unless the
//! process had read it within `REFRESH`, that is after the dictionary was written (GRACE
//! is longer than REFRESH, with room for clocks that disagree by a few minutes).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use zstd::dict::{DecoderDictionary, EncoderDictionary};

use crate::error::QueryContext;
use crate::{Result, StoreError};

/// How long after it is written a dictionary may be encoded with (see the module docs).
pub const GRACE: Duration = Duration::from_secs(10 * 60);

/// zstd's level with a dictionary: the bodies' own ([`super::LEVEL`], 3). Over 2,000 posts
/// of the benchmark corpus (`zstd` 1.5's CLI, user CPU): level 3 alone 0.22 s, with the
/// dictionary 0.27 s (bodies 12 % smaller), level 6 with it 0.93 s (17 % smaller), that is
/// 0.36 ms more a post, a fifth of a release `syndic fetch`'s whole CPU per post.
pub(crate) const LEVEL: i32 = super::LEVEL;

/// How old a process's reading of the table may grow before an acquire reads it again.
pub(crate) const REFRESH: Duration = Duration::from_secs(60);

/// A dictionary, prepared for both directions at the bodies' level.
pub(crate) struct Dictionary {
    pub(crate) id: i64,
    pub(crate) encoder: EncoderDictionary<'static>,
    pub(crate) decoder: DecoderDictionary<'static>,
}

/// Every dictionary this process has read, by id: each leaked once, so that compressors
/// kept per thread can hold it. Distinct dictionaries are few (one a store, trained once).
static REGISTRY: RwLock<Option<HashMap<i64, &'static Dictionary>>> = RwLock::new(None);

/// The id of a dictionary: the first 8 bytes of its SHA-256.
pub(crate) fn id_of(bytes: &[u8]) -> i64 {
    let digest = Sha256::digest(bytes);
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_le_bytes(first)
}

/// The dictionary of `id`, if this process has read it.
pub(crate) fn lookup(id: i64) -> Option<&'static Dictionary> {
    let registry = REGISTRY.read().unwrap_or_else(PoisonError::into_inner);
    registry.as_ref()?.get(&id).copied()
}

/// Adds the dictionary of `bytes` to the registry (once) and returns it.
pub(crate) fn register(bytes: &[u8]) -> &'static Dictionary {
    let id = id_of(bytes);
    if let Some(known) = lookup(id) {
        return known;
    }
    let mut registry = REGISTRY.write().unwrap_or_else(PoisonError::into_inner);
    let registry = registry.get_or_insert_with(HashMap::new);
    registry.entry(id).or_insert_with(|| {
        Box::leak(Box::new(Dictionary {
            id,
            encoder: EncoderDictionary::copy(bytes, LEVEL),
            decoder: DecoderDictionary::copy(bytes),
        }))
    })
}

/// A store's dictionaries: which it encodes with, and when it last read them.
#[derive(Default)]
pub(crate) struct Dictionaries {
    state: Mutex<State>,
    /// Set when zstd found too little to train on (posts too short): this process does
    /// not read the newest bodies again at every pass to try once more.
    pub(crate) gave_up_training: std::sync::atomic::AtomicBool,
}

#[derive(Default)]
struct State {
    /// The store's dictionaries with their `usable_from` (seconds), oldest usable first.
    known: Vec<(i64, &'static Dictionary)>,
    /// When this process last read the table; `None` before the first reading (the
    /// table may not exist before the migrations ran).
    read_at: Option<Instant>,
}

impl std::fmt::Debug for Dictionaries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let ids: Vec<i64> = state.known.iter().map(|(_, d)| d.id).collect();
        f.debug_struct("Dictionaries").field("known", &ids).finish()
    }
}

impl Dictionaries {
    /// The dictionary to encode with now: the newest usable one.
    pub(crate) fn current(&self) -> Option<&'static Dictionary> {
        let now = crate::to_secs(chrono::Utc::now());
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state
            .known
            .iter()
            .rev()
            .find(|(usable_from, _)| *usable_from <= now)
            .map(|(_, dictionary)| *dictionary)
    }

    /// Whether the table should be read again before a connection is handed out: it was
    /// read once (so it exists) and [`REFRESH`] ago or more. Marks it read, so that one
    /// acquire reads it rather than every acquire at once.
    pub(crate) fn due(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match state.read_at {
            Some(at) if at.elapsed() >= REFRESH => {
                state.read_at = Some(Instant::now());
                true
            }
            _ => false,
        }
    }

    /// Reads the store's dictionaries into the registry and this handle.
    pub(crate) async fn read(&self, conn: &mut AnyConnection) -> Result<()> {
        let known = register_all(conn).await?;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.known = known;
        state.read_at = Some(Instant::now());
        Ok(())
    }
}

/// Reads every dictionary of the store on `conn` into the registry; returns them with
/// their `usable_from`, oldest usable first. Only the ids are read again once known (the
/// pool reads them every [`REFRESH`]). A dictionary whose bytes do not hash to its id is
/// damaged: an error.
pub(crate) async fn register_all(
    conn: &mut AnyConnection,
) -> Result<Vec<(i64, &'static Dictionary)>> {
    const DURING: &str = "reading the body dictionaries";
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, usable_from FROM body_dictionaries ORDER BY usable_from, id")
            .fetch_all(&mut *conn)
            .await
            .during(DURING)?;
    let mut known = Vec::with_capacity(rows.len());
    for (id, usable_from) in rows {
        let dictionary = match lookup(id) {
            Some(known) => known,
            None => {
                let bytes: Vec<u8> =
                    sqlx::query_scalar("SELECT dictionary FROM body_dictionaries WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *conn)
                        .await
                        .during(DURING)?;
                if id_of(&bytes) != id {
                    return Err(StoreError::Corrupt(format!(
                        "body dictionary {id} does not hash to its id"
                    )));
                }
                super::off_async(|| register(&bytes))
            }
        };
        known.push((usable_from, dictionary));
    }
    Ok(known)
}

/// Trains a dictionary of at most `max_bytes` on `samples` (body payloads); `None` when
/// zstd finds too little to learn from.
pub(crate) fn train(samples: &[Vec<u8>], max_bytes: usize) -> Option<Vec<u8>> {
    zstd::dict::from_samples(samples, max_bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dictionary_is_registered_once_under_the_hash_of_its_bytes() {
        let bytes = b"a dictionary that is only raw content, which zstd accepts".repeat(4);
        let first = register(&bytes);
        let again = register(&bytes);
        assert!(std::ptr::eq(first, again));
        assert_eq!(first.id, id_of(&bytes));
        assert!(lookup(first.id).is_some());
        assert_ne!(id_of(b"another"), first.id);
    }
}
