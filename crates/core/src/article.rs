//! When two feeds' entries are the same article: pure rules, no IO.
//!
//! Two tests, in this order. **The same page**: [`link_key`] normalises a link to the
//! page it names (scheme, `www.`, host case, default port, trailing slash, fragment and
//! tracking parameters such as `utm_*` ignored; the remaining query sorted), so a blog's
//! RSS and Atom feeds, a FeedBurner proxy's `origLink` and an aggregator's copy with
//! campaign parameters all name one page. **The same words**: [`Fingerprint`] is a 64-bit
//! SimHash over the three-word shingles of the title and text, so two copies of a post that
//! differ in a few words (a footer, a "read more" line) are a few bits apart
//! ([`Fingerprint::distance`]), and [`Fingerprint::bands`] cuts it into four 16-bit bands:
//! two fingerprints at most [`MAX_BANDED_DISTANCE`] bits apart agree on a whole band
//! (pigeonhole), which is how the store finds candidates with a few index seeks.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::SourceId;

/// Query parameters that only count visits: a link differing in these alone is the same
/// page. Names starting with `utm_` are tracking parameters too.
pub const TRACKING_PARAMETERS: &[&str] = &[
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid",
    "mc_eid", "_hsenc", "_hsmi", "mkt_tok",
];

/// Whether query parameter `name` only counts visits (`utm_*`, [`TRACKING_PARAMETERS`]),
/// whatever its case.
pub fn is_tracking_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_") || TRACKING_PARAMETERS.contains(&name.as_str())
}

/// A link as the page it names: the same key whatever the scheme (http or https), a
/// leading `www.`, the case of the host, a default port, a fragment, a trailing slash,
/// tracking parameters ([`is_tracking_parameter`]) or the order of the other query
/// parameters. Text that is not an absolute URL is compared trimmed. `None` for an empty
/// link.
pub fn link_key(link: &str) -> Option<String> {
    let link = link.trim();
    if link.is_empty() {
        return None;
    }
    let Ok(url) = url::Url::parse(link) else {
        return Some(link.to_owned());
    };
    let Some(host) = url.host_str() else {
        return Some(link.to_owned());
    };
    let host = host.strip_prefix("www.").unwrap_or(host);
    let mut key = match url.scheme() {
        "http" | "https" => String::new(),
        other => format!("{other}://"),
    };
    key.push_str(host);
    if let Some(port) = url.port() {
        key.push_str(&format!(":{port}"));
    }
    key.push_str(url.path().trim_end_matches('/'));
    let mut query: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !is_tracking_parameter(name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if !query.is_empty() {
        query.sort();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        key.push('?');
        key.push_str(&query);
    }
    Some(key)
}

/// A stable 64-bit hash of a [`link_key`], as the store indexes it (FNV-1a, then a
/// splitmix64 finaliser). Stable across versions and platforms: it is stored.
pub fn link_hash(key: &str) -> i64 {
    i64::from_ne_bytes(mix(fnv1a(key.as_bytes())).to_ne_bytes())
}

/// How many bits two fingerprints may differ in and still be found through their bands:
/// four bands of 16 bits, so at most three differing bits leave one band whole.
pub const MAX_BANDED_DISTANCE: u32 = 3;

/// The bands [`Fingerprint::bands`] gives.
pub const BANDS: usize = 4;

/// A SimHash of a post's title and text: near-identical texts get fingerprints a few bits
/// apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub u64);

/// Words per shingle.
const SHINGLE: usize = 3;

impl Fingerprint {
    /// The fingerprint of a post's title and plain text: words (letters and digits,
    /// lower-cased), every run of three words hashed, each bit the majority vote of the
    /// shingles' hashes. `None` when there are fewer than [`MIN_WORDS`] words: too little
    /// to tell posts apart by.
    pub fn of(title: &str, text: &str) -> Option<Fingerprint> {
        let words = ShingleWords::of(title, text);
        if words.count() < MIN_WORDS {
            return None;
        }
        let mut ones = BitCounts::default();
        for shingle in words.shingles() {
            ones.add(mix(fnv1a(shingle)));
        }
        Some(Fingerprint(ones.majority()))
    }

    /// How many bits two fingerprints differ in (0 to 64).
    pub fn distance(self, other: Fingerprint) -> u32 {
        (self.0 ^ other.0).count_ones()
    }

    /// The four 16-bit bands, each tagged with its number (`band << 16 | bits`), so one
    /// indexed integer column holds them all.
    pub fn bands(self) -> [i64; BANDS] {
        std::array::from_fn(|band| {
            let bits = (self.0 >> (16 * band)) & 0xffff;
            ((band as i64) << 16) | bits as i64
        })
    }

    /// As the store keeps it (the same 64 bits, signed).
    pub fn as_stored(self) -> i64 {
        i64::from_ne_bytes(self.0.to_ne_bytes())
    }

    /// From the store's signed column.
    pub fn from_stored(value: i64) -> Fingerprint {
        Fingerprint(u64::from_ne_bytes(value.to_ne_bytes()))
    }
}

/// Fewer words than this give no fingerprint.
pub const MIN_WORDS: usize = 12;

/// A text's words (letters and digits, lower-cased), each followed by one space, in one
/// buffer: a shingle of [`SHINGLE`] words is then one slice of it, hashed as the words
/// one after the other, with no string made per word (ingest fingerprints every new post).
struct ShingleWords {
    joined: String,
    /// Where each word starts in `joined`, then its length.
    starts: Vec<usize>,
}

impl ShingleWords {
    fn of(title: &str, text: &str) -> ShingleWords {
        let mut words = ShingleWords {
            joined: String::with_capacity(title.len() + text.len()),
            starts: Vec::new(),
        };
        for part in [title, text] {
            for word in part.split(|c: char| !c.is_alphanumeric()) {
                words.push(word);
            }
        }
        words.starts.push(words.joined.len());
        words
    }

    fn push(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        self.starts.push(self.joined.len());
        if word.is_ascii() {
            self.joined
                .extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            // `str::to_lowercase`, not char by char: a final sigma lowers as a word's end.
            self.joined.push_str(&word.to_lowercase());
        }
        self.joined.push(' ');
    }

    fn count(&self) -> usize {
        self.starts.len() - 1
    }

    /// Every run of [`SHINGLE`] words, with the space after each word.
    fn shingles(&self) -> impl Iterator<Item = &[u8]> {
        self.starts
            .windows(SHINGLE + 1)
            .map(|w| &self.joined.as_bytes()[w[0]..w[SHINGLE]])
    }
}

/// How often each of 64 bits was set among the hashes added, counted eight bits at a
/// time: each byte of a hash picks a word whose eight bytes are its eight bits
/// ([`SPREAD`]), added to a word of eight byte-wide counters, which are moved into the
/// totals before they can overflow. Eight additions a hash instead of 64 votes.
struct BitCounts {
    /// Byte `i` of `lanes[k]` counts bit `8 * k + i` since the last flush.
    lanes: [u64; 8],
    pending: u32,
    totals: [u32; 64],
    hashes: u32,
}

impl Default for BitCounts {
    fn default() -> Self {
        BitCounts {
            lanes: [0; 8],
            pending: 0,
            totals: [0; 64],
            hashes: 0,
        }
    }
}

impl BitCounts {
    fn add(&mut self, hash: u64) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            *lane += SPREAD[((hash >> (8 * k)) & 0xff) as usize];
        }
        self.hashes += 1;
        self.pending += 1;
        if self.pending == u32::from(u8::MAX) {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            for (i, byte) in lane.to_le_bytes().into_iter().enumerate() {
                self.totals[8 * k + i] += u32::from(byte);
            }
            *lane = 0;
        }
        self.pending = 0;
    }

    /// The bits set in more than half the hashes (a +1/-1 vote per hash that ends above
    /// zero).
    fn majority(mut self) -> u64 {
        self.flush();
        (0..64)
            .filter(|&bit| 2 * self.totals[bit] > self.hashes)
            .fold(0_u64, |bits, bit| bits | 1 << bit)
    }
}

/// For each byte value, a word whose byte `i` is bit `i` of the value.
const SPREAD: [u64; 256] = {
    let mut table = [0_u64; 256];
    let mut value = 0;
    while value < 256 {
        let mut bit = 0;
        while bit < 8 {
            if value >> bit & 1 == 1 {
                table[value] |= 1 << (8 * bit);
            }
            bit += 1;
        }
        value += 1;
    }
    table
};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_from(FNV_OFFSET, bytes)
}

fn fnv1a_from(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// splitmix64's finaliser: spreads FNV's weak high bits over all 64.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Why a source's copy belongs to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MergeReason {
    /// The copy the post was stored from.
    Own,
    /// Its item link is the post's page ([`link_key`]).
    Link,
    /// A FeedBurner `origLink` or an Atom `via` link, its own or the post's, names the
    /// same page.
    OriginalLink,
    /// The entry's `<source>` (an aggregator's note of the feed it came from) names the
    /// post's source by its feed address, and the entry keeps that copy's guid.
    Origin,
    /// Near-identical title and text: the fingerprints are `distance` bits apart.
    Fingerprint { distance: u32 },
}

impl MergeReason {
    /// As the store keeps it (`post_sources.why`).
    pub fn as_str(self) -> &'static str {
        match self {
            MergeReason::Own => "own",
            MergeReason::Link => "link",
            MergeReason::OriginalLink => "original link",
            MergeReason::Origin => "origin",
            MergeReason::Fingerprint { .. } => "fingerprint",
        }
    }

    /// From the store's `why` and `distance`; `None` for text it never writes.
    pub fn from_stored(why: &str, distance: Option<i64>) -> Option<MergeReason> {
        Some(match why {
            "own" => MergeReason::Own,
            "link" => MergeReason::Link,
            "original link" => MergeReason::OriginalLink,
            "origin" => MergeReason::Origin,
            "fingerprint" => MergeReason::Fingerprint {
                distance: u32::try_from(distance?).ok()?,
            },
            _ => return None,
        })
    }

    /// For a person: "first stored from it", "same link", "fingerprint distance 2".
    pub fn describe(self) -> String {
        match self {
            MergeReason::Own => "first stored from it".to_owned(),
            MergeReason::Link => "same link".to_owned(),
            MergeReason::OriginalLink => "same original link (origLink or via)".to_owned(),
            MergeReason::Origin => {
                "its <source> names this post's source, with the same guid".to_owned()
            }
            MergeReason::Fingerprint { distance } => format!(
                "near-identical title and text (fingerprint distance {distance} of at most \
                 {MAX_MERGE_DISTANCE})"
            ),
        }
    }
}

/// One source that carries a post: its copy's item link and guid, when it was first seen
/// and why it is this post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostCopy {
    pub source_id: SourceId,
    pub source_slug: String,
    /// The source's configured name, else its feed's title, else its URL.
    pub source_name: String,
    /// The source's feed URL, as configured.
    pub source_url: String,
    pub guid: String,
    /// The copy's own item link.
    pub link: Option<String>,
    pub seen_at: DateTime<Utc>,
    pub why: MergeReason,
    /// The source the post is credited to (`Post::source_id`).
    pub credited: bool,
}

/// Two fingerprints at most this many bits apart are the same article (for entries of
/// different sources dated at most [`MERGE_WINDOW_DAYS`] apart). Chosen on the real-feed
/// corpus: see ARCHITECTURE.md ("Merging").
pub const MAX_MERGE_DISTANCE: u32 = 3;

/// How far apart two entries' dates may be for their fingerprints to be compared.
pub const MERGE_WINDOW_DAYS: i64 = 14;

#[cfg(test)]
#[path = "article_tests.rs"]
mod tests;
