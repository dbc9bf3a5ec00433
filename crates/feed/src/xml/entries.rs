//! The per-document entry cap, applied while the tree is built.
//!
//! A feed of 100,000 items must cost no more than the items ingest keeps, so the tree
//! builder never holds more than [`EntryCap::max`] entry subtrees (`<item>`, `<entry>`):
//! each entry is built, ranked by its date and then kept or dropped at once. Kept are the
//! newest by date (dated before undated, then document order), the same choice whatever
//! order the document lists them in, so a feed written oldest first still gives its newest
//! posts. A kept entry waits outside the tree until the element it was found in closes,
//! because a newer one found later may still push it out; then it is put back exactly where
//! it was read, and the tree is the one an uncapped read gives, less the dropped entries.
//!
//! The builder does not know feed formats: the interpreter tells it what an entry is and
//! where its date is ([`EntryCap::is_entry`], [`EntryCap::date`]).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use chrono::{DateTime, Utc};

use super::{Element, Node};

/// How many entries one document keeps, and how to recognise and date them.
#[derive(Clone, Copy)]
pub(crate) struct EntryCap {
    /// The most entries kept.
    pub(crate) max: usize,
    /// Whether an element is an entry (an entry inside another entry is part of it).
    pub(crate) is_entry: fn(&Element) -> bool,
    /// An entry's date for ranking (its publication date, else its update date).
    pub(crate) date: fn(&Element) -> Option<DateTime<Utc>>,
}

/// Which entries a cap keeps: the largest. Dated before undated, newer before older, then
/// earlier in the document (the last member is `Reverse` of the entry's number).
pub(crate) type EntryRank = (bool, Option<DateTime<Utc>>, Reverse<usize>);

/// The rank of the entry numbered `seq` (from 0, in document order) dated `date`.
pub(crate) fn entry_rank(date: Option<DateTime<Utc>>, seq: usize) -> EntryRank {
    (date.is_some(), date, Reverse(seq))
}

/// Where an entry was read: below the open element numbered `parent`, after `index`
/// of its children, and `text` bytes into the last of them when that was text (text read
/// after the entry joined it).
#[derive(Clone, Copy)]
pub(crate) struct Place {
    pub(crate) parent: usize,
    pub(crate) index: usize,
    pub(crate) text: Option<usize>,
}

/// The place of an entry about to be withheld from `parent` (numbered `id`).
pub(crate) fn place(id: usize, children: &[Node]) -> Place {
    Place {
        parent: id,
        index: children.len(),
        text: match children.last() {
            Some(Node::Text(text)) => Some(text.len()),
            _ => None,
        },
    }
}

struct Held {
    place: Place,
    element: Element,
}

/// The entries read so far: those held for the tree, and counts.
pub(crate) struct Withheld {
    cap: EntryCap,
    /// Entries offered so far (their sequence numbers are `0..seen`).
    seen: usize,
    /// Entries put back into the tree for good.
    settled: usize,
    held: HashMap<usize, Held>,
    /// Rank and sequence number of every held entry, weakest on top; entries no longer
    /// held are skipped when met.
    weakest: BinaryHeap<Reverse<(EntryRank, usize)>>,
    /// The most entry subtrees held at any one time.
    peak: usize,
}

impl Withheld {
    pub(crate) fn new(cap: EntryCap) -> Self {
        Withheld {
            cap,
            seen: 0,
            settled: 0,
            held: HashMap::new(),
            weakest: BinaryHeap::new(),
            peak: 0,
        }
    }

    pub(crate) fn is_entry(&self, element: &Element) -> bool {
        (self.cap.is_entry)(element)
    }

    /// Entries offered, and entries dropped.
    pub(crate) fn counts(&self) -> (usize, usize) {
        (self.seen, self.seen - self.settled - self.held.len())
    }

    /// The most entry subtrees held at one time.
    pub(crate) fn peak(&self) -> usize {
        self.peak
    }

    /// A complete entry, read at `place`: kept (perhaps instead of a weaker one) or dropped.
    pub(crate) fn offer(&mut self, element: Element, place: Place) {
        let seq = self.seen;
        self.seen += 1;
        let rank = entry_rank((self.cap.date)(&element), seq);
        if self.held.len() + self.settled >= self.cap.max {
            let Some(weakest) = self.weakest_held() else {
                return;
            };
            if weakest.0 >= rank {
                return;
            }
            self.weakest.pop();
            self.held.remove(&weakest.1);
        }
        self.weakest.push(Reverse((rank, seq)));
        self.held.insert(seq, Held { place, element });
        self.peak = self.peak.max(self.held.len() + self.settled);
    }

    /// The rank and number of the weakest entry that could still give way.
    fn weakest_held(&mut self) -> Option<(EntryRank, usize)> {
        while let Some(Reverse((rank, seq))) = self.weakest.peek() {
            if self.held.contains_key(seq) {
                return Some((*rank, *seq));
            }
            self.weakest.pop();
        }
        None
    }

    /// Puts the entries held for the element numbered `id`, which is closing with
    /// `children`, back where they were read. They stay for good: the element is about
    /// to leave the builder's reach.
    pub(crate) fn settle(&mut self, id: usize, children: &mut Vec<Node>) {
        if self.held.is_empty() {
            return;
        }
        let mut mine: Vec<(usize, Held)> = self
            .held
            .extract_if(|_, held| held.place.parent == id)
            .collect();
        self.settled += mine.len();
        // Last first, so that the places of earlier entries are still as recorded.
        mine.sort_unstable_by_key(|(seq, _)| Reverse(*seq));
        for (_, held) in mine {
            let Place { index, text, .. } = held.place;
            let Some(cut) = text else {
                children.insert(index, Node::Element(held.element));
                continue;
            };
            // Text read after the entry was appended to the text before it: split it.
            let before = index - 1;
            let tail = match &mut children[before] {
                Node::Text(text) if cut < text.len() => Some(text.split_off(cut)),
                _ => None,
            };
            children.insert(index, Node::Element(held.element));
            if let Some(tail) = tail {
                children.insert(index + 1, Node::Text(tail));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::xml::reader::{read, read_capped};

    fn is_item(el: &Element) -> bool {
        el.local == "item"
    }

    /// `<d>N</d>` as day N of January 2026.
    fn day(item: &Element) -> Option<DateTime<Utc>> {
        let d = item.elements().find(|e| e.local == "d")?;
        let n: u32 = d.text().trim().parse().ok()?;
        Utc.with_ymd_and_hms(2026, 1, n, 0, 0, 0).single()
    }

    fn capped(xml: &str, max: usize) -> super::super::Tree {
        let cap = EntryCap {
            max,
            is_entry: is_item,
            date: day,
        };
        read_capped(xml.as_bytes(), None, Some(cap)).expect("reads")
    }

    /// The `<t>` of every item, in tree order.
    fn titles(tree: &super::super::Tree) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![&tree.root];
        while let Some(el) = stack.pop() {
            if el.local == "item" {
                out.push(el.elements().find(|e| e.local == "t").expect("t").text());
            }
            stack.extend(el.elements().collect::<Vec<_>>().into_iter().rev());
        }
        out
    }

    fn feed(items: impl IntoIterator<Item = String>) -> String {
        let items: String = items.into_iter().collect();
        format!("<rss><channel><title>c</title>\n{items}<link>l</link></channel></rss>")
    }

    #[test]
    fn a_long_feed_never_holds_more_item_trees_than_the_cap() {
        let xml = feed((1..=10_000).map(|i| {
            format!(
                "<item><t>{i}</t><d>{}</d><p>{}</p></item>\n",
                i % 28 + 1,
                "x".repeat(50)
            )
        }));
        let tree = capped(&xml, 5);
        assert!(tree.entries_peak <= 5, "held {}", tree.entries_peak);
        assert_eq!((tree.entries_seen, tree.entries_dropped), (10_000, 9_995));
        // The newest (day 28) come first in rank; among equals, the earliest.
        assert_eq!(titles(&tree), ["27", "55", "83", "111", "139"]);
    }

    #[test]
    fn a_feed_written_oldest_first_keeps_its_newest_items() {
        let xml = feed((1..=28).map(|i| format!("<item><t>{i}</t><d>{i}</d></item>")));
        assert_eq!(titles(&capped(&xml, 3)), ["26", "27", "28"]);
    }

    #[test]
    fn undated_items_come_after_dated_ones_in_document_order() {
        let xml = feed(
            ["<item><t>u1</t></item>", "<item><t>d</t><d>3</d></item>"]
                .into_iter()
                .chain(["<item><t>u2</t></item>", "<item><t>u3</t></item>"])
                .map(str::to_owned),
        );
        assert_eq!(titles(&capped(&xml, 3)), ["u1", "d", "u2"]);
    }

    #[test]
    fn kept_items_are_back_exactly_where_they_were_read() {
        let xml = "<rss><channel> a <item><t>1</t><d>1</d></item> b <item><t>2</t><d>2</d>\
                   <item><t>inner</t></item></item><x>c<item><t>3</t><d>3</d></item>d</x>\
                   <item><t>4</t><d>4</d></item>e<item/></channel></rss>";
        let uncapped = read(xml.as_bytes(), None).expect("reads");
        let roomy = capped(xml, 10);
        assert_eq!(roomy.root, uncapped.root);
        assert_eq!(roomy.entries_dropped, 0);
        // Without the oldest item (and the empty one), the rest is the same tree.
        let tight = capped(xml, 3);
        let without = xml
            .replace("<item><t>1</t><d>1</d></item>", "")
            .replace("<item/>", "");
        assert_eq!(
            tight.root,
            read(without.as_bytes(), None).expect("reads").root
        );
        assert_eq!((tight.entries_seen, tight.entries_dropped), (5, 2));
    }

    #[test]
    fn a_cut_document_still_gives_its_items() {
        let xml = "<rss><channel><item><t>1</t><d>1</d></item><item><t>2</t><d>2</d></item>\
                   <item><t>3</t><d>3</d>";
        let tree = capped(xml, 2);
        assert!(tree.truncated);
        assert_eq!(titles(&tree), ["2", "3"]);
    }
}
