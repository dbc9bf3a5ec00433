//! The fast path of reading a post: ASCII words folded into a fixed-size key and looked up in
//! an open-addressing table of the numbers they were given before, without allocating or
//! calling `memcmp`. Most words of most posts are short ASCII words seen many times, so a
//! post costs little more than one pass over its bytes.

use crate::word_index::StemId;

/// The numbers of one word: its stem in the word-mode index, its folded form in the
/// exact-mode index, its stem among the corpus's (see [`crate::corpus`]) and its family
/// among the vocabulary's (see [`crate::family`]).
pub(crate) type WordIds = [StemId; 4];

/// Words up to this many bytes fit a key; longer ones take the general path.
pub(crate) const KEY_BYTES: usize = 24;

/// An ASCII word, lowercased and zero-padded (a word never contains a NUL byte, so the
/// padding cannot be confused with the word). All zeros marks an empty slot.
pub(crate) type Key = [u64; KEY_BYTES / 8];

#[derive(Clone, Copy)]
struct Slot {
    key: Key,
    ids: WordIds,
}

const EMPTY: Slot = Slot {
    key: [0; KEY_BYTES / 8],
    ids: [0; 4],
};

/// Slots to start with (a power of two).
const INITIAL_SLOTS: usize = 4_096;

/// Folded short ASCII word to its [`WordIds`], for one language and one tagger.
///
/// Bounded: when it holds `max` words it keeps only those looked up again since the last
/// time it was full (a stream's common words stay, one-off names and identifiers go), or
/// starts over if those are still too many.
#[derive(Default)]
pub(crate) struct AsciiCache {
    slots: Vec<Slot>,
    /// One bit per slot: found by a lookup since it was stored or last kept.
    used: Vec<u64>,
    len: usize,
}

impl AsciiCache {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn clear(&mut self) {
        self.slots.fill(EMPTY);
        self.used.fill(0);
        self.len = 0;
    }

    fn index(key: &Key, mask: usize) -> usize {
        (hash(key) >> 40) as usize & mask
    }

    /// The numbers cached for `key`, if any.
    #[cfg(test)]
    pub(crate) fn get(&mut self, key: &Key) -> Option<WordIds> {
        self.get_hashed(key, hash(key))
    }

    /// [`get`](Self::get) with the key's [`hash`] already computed.
    #[inline]
    pub(crate) fn get_hashed(&mut self, key: &Key, hash: u64) -> Option<WordIds> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut at = (hash >> 40) as usize & mask;
        loop {
            let slot = &self.slots[at];
            if slot.key == *key {
                let ids = slot.ids;
                let bit = 1u64 << (at % 64);
                if let Some(word) = self.used.get_mut(at / 64)
                    && *word & bit == 0
                {
                    *word |= bit;
                }
                return Some(ids);
            }
            if slot.key[0] == 0 {
                return None;
            }
            at = (at + 1) & mask;
        }
    }

    /// Remembers `ids` for `key` (not already present), making room past `max` words.
    pub(crate) fn insert(&mut self, key: Key, ids: WordIds, max: usize) {
        if self.len >= max {
            self.rebuild(self.slots.len(), true);
            if self.len > max / 2 {
                self.clear();
            }
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.rebuild((self.slots.len() * 2).max(INITIAL_SLOTS), false);
        }
        let mask = self.slots.len() - 1;
        let mut at = Self::index(&key, mask);
        while self.slots[at].key[0] != 0 {
            at = (at + 1) & mask;
        }
        self.slots[at] = Slot { key, ids };
        self.len += 1;
    }

    /// Moves the entries into `size` slots: all of them (with their marks), or with
    /// `used_only` those marked, unmarked.
    fn rebuild(&mut self, size: usize, used_only: bool) {
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        let old_used = std::mem::replace(&mut self.used, vec![0; size.div_ceil(64)]);
        let mask = size - 1;
        self.len = 0;
        for (i, slot) in old.into_iter().enumerate() {
            let used = old_used
                .get(i / 64)
                .is_some_and(|w| w & (1 << (i % 64)) != 0);
            if slot.key[0] == 0 || (used_only && !used) {
                continue;
            }
            let mut at = Self::index(&slot.key, mask);
            while self.slots[at].key[0] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
            if used && !used_only {
                self.used[at / 64] |= 1 << (at % 64);
            }
            self.len += 1;
        }
    }
}

/// The hash a key's slot is found by.
#[inline]
pub(crate) fn hash(key: &Key) -> u64 {
    (key[0].wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ key[1] ^ key[2].rotate_left(32))
        .wrapping_mul(0xD6E8_FEB8_6659_FD93)
}

/// The key of the ASCII word of `len` (at most [`KEY_BYTES`]) bytes at `start` of `text`:
/// read as three little-endian lanes (in one fixed-size load when the text goes on far
/// enough), cut to the word and lowercased eight bytes at a time.
#[inline]
pub(crate) fn key_at(text: &[u8], start: usize, len: usize) -> Key {
    const LANES: usize = KEY_BYTES / 8;
    let mut window = [0u8; KEY_BYTES];
    match text.get(start..start + KEY_BYTES) {
        Some(bytes) => window.copy_from_slice(bytes),
        None => {
            let rest = text.get(start..).unwrap_or_default();
            let n = rest.len().min(KEY_BYTES);
            window[..n].copy_from_slice(&rest[..n]);
        }
    }
    let mut key = [0u64; LANES];
    for (lane, (k, chunk)) in key.iter_mut().zip(window.chunks_exact(8)).enumerate() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let valid = len.saturating_sub(lane * 8).min(8);
        let mask = if valid == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * valid)) - 1
        };
        *k = lowercase(u64::from_le_bytes(bytes) & mask);
    }
    key
}

/// ASCII lowercase of eight bytes below 0x80 at once: a byte is upper case when adding
/// `0x80 - b'A'` sets its top bit and adding `0x80 - b'Z' - 1` does not.
#[inline]
fn lowercase(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let upper = (x.wrapping_add(0x3F * ONES) & !x.wrapping_add(0x25 * ONES)) & (0x80 * ONES);
    x | (upper >> 2)
}

/// The folded word a key holds (its bytes up to `len`), written into `buf`.
pub(crate) fn key_str<'b>(key: &Key, len: usize, buf: &'b mut [u8; KEY_BYTES]) -> &'b str {
    for (chunk, lane) in buf.chunks_exact_mut(8).zip(key) {
        chunk.copy_from_slice(&lane.to_le_bytes());
    }
    std::str::from_utf8(&buf[..len.min(KEY_BYTES)]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(word: &str) -> Key {
        key_at(word.as_bytes(), 0, word.len())
    }

    #[test]
    fn keys_fold_ascii_case_only_within_the_word() {
        let text = b"Map-ZEBRA_@[`{ Kubernetes";
        let mut buf = [0u8; KEY_BYTES];
        assert_eq!(key_str(&key_at(text, 0, 3), 3, &mut buf), "map");
        assert_eq!(key_at(text, 0, 3), key("map"));
        assert_eq!(key_str(&key_at(text, 4, 10), 10, &mut buf), "zebra_@[`{");
        assert_eq!(key_str(&key_at(text, 15, 10), 10, &mut buf), "kubernetes");
        let long = "ABCDEFGHIJKLMNOPQRSTUVWX";
        assert_eq!(
            key_str(&key(long), long.len(), &mut buf),
            long.to_ascii_lowercase()
        );
    }

    #[test]
    fn keys_find_what_was_stored() {
        let mut cache = AsciiCache::default();
        assert_eq!(cache.get(&key("Map")), None);
        cache.insert(key("Map"), [1, 2, 3, 4], 100);
        assert_eq!(cache.get(&key("map")), Some([1, 2, 3, 4]));
        assert_eq!(cache.get(&key("maps")), None);
    }

    #[test]
    fn the_cache_grows_and_starts_over_when_full() {
        let mut cache = AsciiCache::default();
        let words: Vec<String> = (0..10_000).map(|i| format!("w{i}")).collect();
        for (i, word) in words.iter().enumerate() {
            cache.insert(key(word), [i as u32, 0, 0, 0], 20_000);
        }
        assert_eq!(cache.len(), 10_000);
        for (i, word) in words.iter().enumerate() {
            assert_eq!(cache.get(&key(word)), Some([i as u32, 0, 0, 0]));
        }
        // Full: every word was looked up again, too many to keep, so it starts over.
        cache.insert(key("again"), [7, 7, 7, 7], 10_000);
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(&key("w1")), None);
    }

    #[test]
    fn a_full_cache_keeps_the_words_looked_up_again() {
        let mut cache = AsciiCache::default();
        for i in 0..1_000u32 {
            cache.insert(key(&format!("w{i}")), [i, 0, 0, 0], 1_000);
            // Growing keeps the marks.
            if i % 10 == 0 {
                assert_eq!(cache.get(&key(&format!("w{i}"))), Some([i, 0, 0, 0]));
            }
        }
        cache.insert(key("new"), [1, 1, 1, 1], 1_000);
        assert_eq!(cache.len(), 101);
        assert_eq!(cache.get(&key("w990")), Some([990, 0, 0, 0]));
        assert_eq!(cache.get(&key("w991")), None);
        assert_eq!(cache.get(&key("new")), Some([1, 1, 1, 1]));
    }
}
