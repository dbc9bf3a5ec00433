//! Admin sessions, kept in this process's memory: a random 256-bit id in an HttpOnly,
//! `SameSite=Strict` cookie, a random 256-bit CSRF token every form carries, and an
//! absolute lifetime. Only the SHA-256 of an id is kept as the key, so the table's lookup
//! reveals nothing about live ids by its timing.
//!
//! In memory means one web node: a session made by one `syndic serve` is unknown to
//! another, and a restart signs everyone out. Serve the admin from one node.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AdminError;

/// How long a session lasts from its login, whatever is done with it.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 60 * 60);
/// The most sessions kept at once; beyond it the least recently used is signed out.
const MAX_SESSIONS: usize = 256;

/// One signed-in session, as a request sees it.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The token every form of this session must send back (`csrf`).
    pub(crate) csrf: String,
    expires: Instant,
}

impl Session {
    /// Whether `sent` is this session's CSRF token (constant-time comparison).
    pub(crate) fn csrf_matches(&self, sent: &str) -> bool {
        self.csrf.as_bytes().ct_eq(sent.as_bytes()).into()
    }
}

/// Every live session, by the digest of its id.
pub(crate) struct Sessions {
    table: Mutex<LruCache<[u8; 32], Session>>,
}

impl Sessions {
    pub(crate) fn new() -> Sessions {
        let bound = NonZeroUsize::new(MAX_SESSIONS).unwrap_or(NonZeroUsize::MIN);
        Sessions {
            table: Mutex::new(LruCache::new(bound)),
        }
    }

    /// Starts a session at `now`; returns its id (for the cookie, never stored) and the
    /// session.
    pub(crate) fn start(&self, now: Instant) -> Result<(String, Session), AdminError> {
        let id = random_token()?;
        let session = Session {
            csrf: random_token()?,
            expires: now + SESSION_LIFETIME,
        };
        self.lock().put(digest(&id), session.clone());
        Ok((id, session))
    }

    /// The live session whose id is `id`, if any; an expired one is dropped.
    pub(crate) fn find(&self, id: &str, now: Instant) -> Option<Session> {
        let key = digest(id);
        let mut table = self.lock();
        let session = table.get(&key)?.clone();
        if session.expires <= now {
            table.pop(&key);
            return None;
        }
        Some(session)
    }

    /// Ends the session whose id is `id` (signing out).
    pub(crate) fn end(&self, id: &str) {
        self.lock().pop(&digest(id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<[u8; 32], Session>> {
        // A panic while holding the lock leaves a table that is still consistent.
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn digest(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

/// 256 random bits from the operating system, as 64 lowercase hex digits.
fn random_token() -> Result<String, AdminError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(AdminError::Random)?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_started_session_is_found_by_its_id_until_it_expires() {
        let sessions = Sessions::new();
        let now = Instant::now();
        let (id, session) = sessions.start(now).expect("started");
        assert_eq!(id.len(), 64);
        assert_eq!(session.csrf.len(), 64);
        assert_ne!(id, session.csrf);
        let found = sessions.find(&id, now).expect("found");
        assert!(found.csrf_matches(&session.csrf));
        assert!(!found.csrf_matches(&id));
        assert!(!found.csrf_matches(""));
        assert!(sessions.find(&session.csrf, now).is_none());
        assert!(sessions.find(&id, now + SESSION_LIFETIME).is_none());
        assert!(
            sessions.find(&id, now).is_none(),
            "an expired session is gone"
        );
    }

    #[test]
    fn an_ended_session_is_not_found() {
        let sessions = Sessions::new();
        let now = Instant::now();
        let (id, _) = sessions.start(now).expect("started");
        sessions.end(&id);
        assert!(sessions.find(&id, now).is_none());
    }

    #[test]
    fn the_table_keeps_at_most_its_bound() {
        let sessions = Sessions::new();
        let now = Instant::now();
        let (first, _) = sessions.start(now).expect("started");
        for _ in 0..MAX_SESSIONS {
            sessions.start(now).expect("started");
        }
        assert_eq!(sessions.lock().len(), MAX_SESSIONS);
        assert!(
            sessions.find(&first, now).is_none(),
            "the oldest was dropped"
        );
    }
}
