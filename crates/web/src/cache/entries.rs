//! The cached responses: least recently used first out, bounded in bytes, every entry
//! tagged with the change stamp it was rendered under.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};
use lru::LruCache;
use syndic_store::ChangeStamp;

/// One cached `200`: a representation of one URL as rendered under one change stamp.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The store's change stamp read before it was rendered.
    pub(crate) stamp: ChangeStamp,
    /// Every header of the response but `Last-Modified` when the stamp gives it
    /// (`dated`), and `Content-Length`.
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// The tag of the uncompressed body (conditional requests compare with it).
    pub(crate) base_etag: Option<HeaderValue>,
    /// Whether `Last-Modified` is the stamp's time (store-backed pages and feeds).
    pub(crate) dated: bool,
}

impl Entry {
    /// Roughly what the entry holds in memory, its key included.
    pub(crate) fn size(&self, key: &str) -> u64 {
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 32)
            .sum();
        (self.body.len() + headers + key.len() + 128) as u64
    }
}

/// The cache's table. Every entry of an older change stamp is stale once a newer stamp is
/// seen, so seeing one empties the table at once (freeing its memory) and entries of older
/// stamps are not taken in.
#[derive(Debug)]
pub(crate) struct Entries {
    lru: LruCache<String, (Arc<Entry>, u64)>,
    bytes: u64,
    capacity: u64,
    /// The newest change-clock version seen.
    version: i64,
    /// Moves with every [`Entries::clear`]: a render that began before is not taken in.
    epoch: u64,
}

impl Entries {
    pub(crate) fn new(capacity: u64) -> Entries {
        Entries {
            lru: LruCache::unbounded(),
            bytes: 0,
            capacity,
            version: i64::MIN,
            epoch: 0,
        }
    }

    /// The entry of `key` rendered under exactly `stamp`, now the most recently used.
    pub(crate) fn get(&mut self, key: &str, stamp: ChangeStamp) -> Option<Arc<Entry>> {
        self.observe(stamp);
        let (entry, _) = self.lru.get(key)?;
        (entry.stamp == stamp).then(|| Arc::clone(entry))
    }

    /// The epoch a render starting now belongs to.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Takes in `entry` for `key`, rendered in `epoch`, unless it is stale already, too
    /// large for the bound, or the cache was cleared since; evicts the least recently used
    /// entries until the bound holds.
    pub(crate) fn insert(&mut self, key: String, entry: Arc<Entry>, epoch: u64) {
        self.observe(entry.stamp);
        let size = entry.size(&key);
        let fits = size <= self.capacity / 4;
        if epoch != self.epoch || entry.stamp.version < self.version || !fits {
            return;
        }
        if let Some((_, old)) = self.lru.put(key, (entry, size)) {
            self.bytes -= old;
        }
        self.bytes += size;
        while self.bytes > self.capacity {
            match self.lru.pop_lru() {
                Some((_, (_, evicted))) => self.bytes -= evicted,
                None => break,
            }
        }
    }

    /// Starts over from `stamp` after the change clock went backwards: every entry and any
    /// render under way is dropped, and `stamp` is the newest version from now on.
    pub(crate) fn restart(&mut self, stamp: ChangeStamp) {
        self.clear();
        self.version = stamp.version;
    }

    /// Drops every entry, and any render under way.
    pub(crate) fn clear(&mut self) {
        self.lru.clear();
        self.bytes = 0;
        self.epoch += 1;
    }

    /// How many bytes the entries take, by [`Entry::size`].
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    pub(crate) fn len(&self) -> usize {
        self.lru.len()
    }

    /// Notes that `stamp` was read; a newer version than any seen makes every entry stale.
    fn observe(&mut self, stamp: ChangeStamp) {
        if stamp.version > self.version {
            self.version = stamp.version;
            self.lru.clear();
            self.bytes = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(version: i64) -> ChangeStamp {
        ChangeStamp {
            version,
            changed_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("time"),
        }
    }

    fn entry(version: i64, bytes: usize) -> Arc<Entry> {
        Arc::new(Entry {
            stamp: stamp(version),
            headers: HeaderMap::new(),
            body: Bytes::from(vec![b'x'; bytes]),
            base_etag: None,
            dated: true,
        })
    }

    #[test]
    fn an_entry_answers_only_under_its_own_stamp() {
        let mut entries = Entries::new(1 << 20);
        entries.insert("/a".into(), entry(3, 10), entries.epoch());
        assert!(entries.get("/a", stamp(3)).is_some());
        assert!(entries.get("/a", stamp(2)).is_none(), "an older reader");
        assert!(entries.get("/a", stamp(4)).is_none(), "a newer change");
        assert_eq!(entries.len(), 0, "a newer stamp empties the table");
        entries.insert("/a".into(), entry(3, 10), entries.epoch());
        assert_eq!(
            entries.len(),
            0,
            "renders of an older stamp are not taken in"
        );
    }

    #[test]
    fn the_least_recently_used_entries_go_first_and_the_bound_holds() {
        let mut entries = Entries::new(4000);
        for key in ["/a", "/b", "/c"] {
            entries.insert(key.into(), entry(1, 800), entries.epoch());
        }
        assert!(entries.get("/a", stamp(1)).is_some());
        entries.insert("/d".into(), entry(1, 800), entries.epoch());
        entries.insert("/e".into(), entry(1, 800), entries.epoch());
        assert!(entries.bytes() <= 4000, "{}", entries.bytes());
        assert!(entries.get("/b", stamp(1)).is_none(), "least recently used");
        assert!(entries.get("/a", stamp(1)).is_some(), "used recently");
        assert!(entries.get("/e", stamp(1)).is_some(), "newest");
        entries.insert("/huge".into(), entry(1, 3000), entries.epoch());
        assert!(entries.get("/huge", stamp(1)).is_none(), "over a quarter");
    }

    #[test]
    fn a_clock_gone_back_starts_the_table_over() {
        let mut entries = Entries::new(1 << 20);
        entries.insert("/a".into(), entry(7, 10), entries.epoch());
        entries.insert("/b".into(), entry(2, 10), entries.epoch());
        assert_eq!(entries.len(), 1, "older than the newest seen");
        entries.restart(stamp(2));
        assert_eq!(entries.len(), 0);
        entries.insert("/b".into(), entry(2, 10), entries.epoch());
        assert!(
            entries.get("/b", stamp(2)).is_some(),
            "version 2 is kept again"
        );
    }

    #[test]
    fn a_clear_drops_entries_and_renders_under_way() {
        let mut entries = Entries::new(1 << 20);
        let before = entries.epoch();
        entries.insert("/a".into(), entry(1, 10), before);
        entries.clear();
        assert!(entries.get("/a", stamp(1)).is_none());
        entries.insert("/b".into(), entry(1, 10), before);
        assert!(
            entries.get("/b", stamp(1)).is_none(),
            "began before the clear"
        );
        entries.insert("/b".into(), entry(1, 10), entries.epoch());
        assert!(entries.get("/b", stamp(1)).is_some());
    }
}
