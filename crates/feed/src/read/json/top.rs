//! The top level of a JSON Feed, read in one pass with its items capped.
//!
//! `serde_json::Value` for the whole document would hold every item; instead the top-level
//! object is read member by member, and the `items` array item by item: each item is
//! ranked by its date when it has been read and kept or dropped at once, so at most
//! [`ReadOptions::max_entries`](crate::ReadOptions) items are held, as in the XML reader
//! (the same rank: dated before undated, newer before older, then document order).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::date::parse_date;
use crate::xml::{EntryRank, entry_rank};

/// A JSON document as the feed reader needs it.
pub(super) enum Top {
    /// An object: its members but `items`, and what `items` held.
    Object {
        feed: Map<String, Value>,
        items: Items,
    },
    /// Anything else, by its type name (`an array`, `a string`, …).
    Other(&'static str),
}

/// The `items` member.
pub(super) enum Items {
    /// Absent or `null`.
    Missing,
    /// Not an array: its type name.
    NotArray(&'static str),
    Array(KeptItems),
}

/// The items of an array, read under a cap.
pub(super) struct KeptItems {
    /// The items kept, in document order (objects and others alike).
    pub(super) kept: Vec<Value>,
    /// Items read, and items dropped under the cap.
    pub(super) seen: usize,
    pub(super) dropped: usize,
    /// The most items held at one time.
    #[cfg_attr(not(test), allow(dead_code))] // the tests check the cap holds while reading
    pub(super) peak: usize,
}

/// Reads `text` as a JSON document, keeping at most `max` items.
pub(super) fn read(text: &str, max: Option<usize>) -> Result<Top, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let top = TopSeed {
        max: max.unwrap_or(usize::MAX),
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(top)
}

struct TopSeed {
    max: usize,
}

impl<'de> DeserializeSeed<'de> for TopSeed {
    type Value = Top;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Top, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Visits a value that is not what was hoped for, keeping only its type name.
macro_rules! other_types {
    ($out:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($out("a boolean"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($out("a number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($out("a number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($out("a number"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($out("a string"))
        }
    };
}

impl<'de> Visitor<'de> for TopSeed {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON Feed object")
    }

    other_types!(Top::Other);

    fn visit_unit<E: de::Error>(self) -> Result<Top, E> {
        Ok(Top::Other("null"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Top::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut feed = Map::new();
        let mut items = Items::Missing;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                items = map.next_value_seed(ItemsSeed { max: self.max })?;
            } else {
                let value = map.next_value::<Value>()?;
                feed.insert(key, value);
            }
        }
        Ok(Top::Object { feed, items })
    }
}

struct ItemsSeed {
    max: usize,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed {
    type Value = Items;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Items, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed {
    type Value = Items;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of items")
    }

    other_types!(Items::NotArray);

    fn visit_unit<E: de::Error>(self) -> Result<Items, E> {
        Ok(Items::Missing)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Items, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Items::NotArray("an object"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items, A::Error> {
        let mut held: BinaryHeap<Reverse<Held>> = BinaryHeap::new();
        let mut seen = 0;
        let mut peak = 0;
        while let Some(item) = seq.next_element::<Value>()? {
            let rank = entry_rank(item_date(&item), seen);
            seen += 1;
            if held.len() >= self.max {
                match held.peek() {
                    Some(Reverse(weakest)) if weakest.rank < rank => {
                        held.pop();
                    }
                    _ => continue,
                }
            }
            held.push(Reverse(Held { rank, item }));
            peak = peak.max(held.len());
        }
        let mut kept: Vec<Held> = held.into_iter().map(|Reverse(h)| h).collect();
        kept.sort_unstable_by_key(|h| h.rank.2.0);
        Ok(Items::Array(KeptItems {
            dropped: seen - kept.len(),
            kept: kept.into_iter().map(|h| h.item).collect(),
            seen,
            peak,
        }))
    }
}

/// An item held, ordered by its rank alone.
struct Held {
    rank: EntryRank,
    item: Value,
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.rank == other.rank
    }
}

impl Eq for Held {}

impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Held {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank.cmp(&other.rank)
    }
}

/// An item's date for the cap: `date_published`, else `date_modified`.
fn item_date(item: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    let date = |key: &str| item.get(key).and_then(Value::as_str).and_then(parse_date);
    date("date_published").or_else(|| date("date_modified"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> String {
        let items: Vec<String> = (1..=n)
            .map(|i| {
                format!(
                    r#"{{"id":"{i}","date_published":"2026-01-{:02}T00:00:00Z","content_html":"{}"}}"#,
                    i % 28 + 1,
                    "x".repeat(50)
                )
            })
            .collect();
        format!(
            r#"{{"version":"https://jsonfeed.org/version/1.1","items":[{}]}}"#,
            items.join(",")
        )
    }

    fn kept(top: Top) -> KeptItems {
        match top {
            Top::Object {
                items: Items::Array(items),
                ..
            } => items,
            _ => panic!("not a feed with items"),
        }
    }

    #[test]
    fn a_long_item_array_never_holds_more_items_than_the_cap() {
        let items = kept(read(&items(10_000), Some(5)).expect("reads"));
        assert!(items.peak <= 5, "held {}", items.peak);
        assert_eq!((items.seen, items.dropped), (10_000, 9_995));
        let ids: Vec<&str> = items
            .kept
            .iter()
            .filter_map(|item| item.get("id")?.as_str())
            .collect();
        assert_eq!(ids, ["27", "55", "83", "111", "139"]);
    }

    #[test]
    fn without_a_cap_every_item_is_kept_in_order() {
        let items = kept(read(&items(30), None).expect("reads"));
        assert_eq!((items.kept.len(), items.dropped), (30, 0));
        assert_eq!(items.kept[29].get("id").and_then(Value::as_str), Some("30"));
    }

    #[test]
    fn what_is_not_a_feed_object_is_named_by_its_type() {
        assert!(matches!(read("[1, 2]", None), Ok(Top::Other("an array"))));
        assert!(matches!(
            read(r#"{"items": "none"}"#, None),
            Ok(Top::Object {
                items: Items::NotArray("a string"),
                ..
            })
        ));
        assert!(read(r#"{"items": [1, 2"#, None).is_err());
    }
}
