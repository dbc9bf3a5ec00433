//! The fast path of reading a post: ASCII words folded into a fixed-size key and looked up in
//! an open-addressing table of the numbers they were given before, without allocating or
//! calling `memcmp`. Most words of most posts are short ASCII words seen many times, so a
//! post costs little more than one pass over its bytes.

use crate::word_index::StemId;

/// Words up to this many bytes fit a key; longer ones take the general path.
pub(crate) const KEY_BYTES: usize = 24;

/// An ASCII word, lowercased and zero-padded (a word never contains a NUL byte, so the
/// padding cannot be confused with the word). All zeros marks an empty slot.
pub(crate) type Key = [u64; KEY_BYTES / 8];

#[derive(Clone, Copy)]
struct Slot {
    key: Key,
    ids: (StemId, StemId),
}

const EMPTY: Slot = Slot {
    key: [0; KEY_BYTES / 8],
    ids: (0, 0),
};

/// Slots to start with (a power of two).
const INITIAL_SLOTS: usize = 4_096;

/// Folded short ASCII word to (stem number, exact number), for one language and one tagger.
#[derive(Default)]
pub(crate) struct AsciiCache {
    slots: Vec<Slot>,
    len: usize,
}

impl AsciiCache {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn clear(&mut self) {
        self.slots.fill(EMPTY);
        self.len = 0;
    }

    fn index(key: &Key, mask: usize) -> usize {
        let h = (key[0].wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ key[1] ^ key[2].rotate_left(32))
            .wrapping_mul(0xD6E8_FEB8_6659_FD93);
        (h >> 40) as usize & mask
    }

    /// The numbers cached for `key`, if any.
    #[inline]
    pub(crate) fn get(&self, key: &Key) -> Option<(StemId, StemId)> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut at = Self::index(key, mask);
        loop {
            let slot = &self.slots[at];
            if slot.key == *key {
                return Some(slot.ids);
            }
            if slot.key[0] == 0 {
                return None;
            }
            at = (at + 1) & mask;
        }
    }

    /// Remembers `ids` for `key` (not already present); starts over past `max` words.
    pub(crate) fn insert(&mut self, key: Key, ids: (StemId, StemId), max: usize) {
        if self.len >= max {
            self.clear();
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = Self::index(&key, mask);
        while self.slots[at].key[0] != 0 {
            at = (at + 1) & mask;
        }
        self.slots[at] = Slot { key, ids };
        self.len += 1;
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(INITIAL_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        let mask = size - 1;
        for slot in old.into_iter().filter(|s| s.key[0] != 0) {
            let mut at = Self::index(&slot.key, mask);
            while self.slots[at].key[0] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
    }
}

/// The key of an ASCII word of at most [`KEY_BYTES`] bytes, lowercased; the folded word is
/// the key's bytes up to the word's length.
#[inline]
pub(crate) fn ascii_key(word: &[u8]) -> ([u8; KEY_BYTES], Key) {
    let mut bytes = [0u8; KEY_BYTES];
    bytes[..word.len()].copy_from_slice(word);
    for b in &mut bytes {
        *b |= u8::from(b.is_ascii_uppercase()) << 5;
    }
    let mut key = [0u64; KEY_BYTES / 8];
    for (k, chunk) in key.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut lane = [0u8; 8];
        lane.copy_from_slice(chunk);
        *k = u64::from_le_bytes(lane);
    }
    (bytes, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_case_and_find_what_was_stored() {
        let mut cache = AsciiCache::default();
        let (_, map) = ascii_key(b"Map");
        let (bytes, lower) = ascii_key(b"map");
        assert_eq!(map, lower);
        assert_eq!(&bytes[..3], b"map");
        assert_eq!(cache.get(&map), None);
        cache.insert(map, (1, 2), 100);
        assert_eq!(cache.get(&lower), Some((1, 2)));
        assert_eq!(cache.get(&ascii_key(b"maps").1), None);
    }

    #[test]
    fn the_cache_grows_and_starts_over_when_full() {
        let mut cache = AsciiCache::default();
        let words: Vec<String> = (0..10_000).map(|i| format!("w{i}")).collect();
        for (i, word) in words.iter().enumerate() {
            cache.insert(ascii_key(word.as_bytes()).1, (i as u32, 0), 20_000);
        }
        assert_eq!(cache.len(), 10_000);
        for (i, word) in words.iter().enumerate() {
            assert_eq!(
                cache.get(&ascii_key(word.as_bytes()).1),
                Some((i as u32, 0))
            );
        }
        cache.insert(ascii_key(b"again").1, (7, 7), 10_000);
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(&ascii_key(b"w1").1), None);
    }
}
