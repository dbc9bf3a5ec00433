//! Identity of an item within its source.
//!
//! Re-reading a feed must find the same posts again, so an identity is never random: the
//! item's own guid/id when it has one, else its link, else a hash of what is left (title and
//! date). Two items of one document that end up with the same identity are told apart by
//! position (`#2`, `#3`, …), which is stable as long as the feed keeps its order.

use std::collections::HashSet;

use crate::model::Entry;
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// The identity of one item: `id` (trimmed) if non-empty, else `link`, else
/// `"sha256:" + hex(sha256(title + "\n" + published as RFC 3339, or ""))`.
pub(crate) fn entry_guid(
    id: &str,
    link: Option<&str>,
    title: &str,
    published: Option<DateTime<Utc>>,
) -> String {
    let id = id.trim();
    if !id.is_empty() {
        return id.to_owned();
    }
    if let Some(link) = link.map(str::trim).filter(|l| !l.is_empty()) {
        return link.to_owned();
    }
    let date = published
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{title}\n{date}").as_bytes());
    format!("sha256:{}", hex(&digest))
}

/// Makes the guids of one document unique. The first item keeps its guid; a later item
/// with the same guid gets `#` and 8 hex digits of a hash of its link, title and date, so
/// the suffix stays the same when the feed gains or loses other items (a plain position
/// such as `#2` would move to another item). Identical repeats get `-2`, `-3`, … on top.
/// Each repeated guid is reported once in `warnings`.
pub(crate) fn disambiguate(entries: &mut [Entry], warnings: &mut Vec<String>) {
    let mut seen: HashSet<String> = HashSet::with_capacity(entries.len());
    let all: HashSet<String> = entries.iter().map(|e| e.id.clone()).collect();
    // Repeated guid → (numbers of the items that repeat it, their new guids).
    let mut repeats: Vec<(String, Vec<usize>, Vec<String>)> = Vec::new();
    for (index, entry) in entries.iter_mut().enumerate() {
        if seen.insert(entry.id.clone()) {
            continue;
        }
        let stem = format!("{}#{}", entry.id, &content_hash(entry)[..8]);
        let mut renamed = stem.clone();
        let mut n = 2usize;
        while seen.contains(&renamed) || all.contains(&renamed) {
            renamed = format!("{stem}-{n}");
            n += 1;
        }
        let original = std::mem::replace(&mut entry.id, renamed.clone());
        seen.insert(renamed.clone());
        match repeats.iter_mut().find(|(guid, _, _)| *guid == original) {
            Some((_, items, renamed_as)) => {
                items.push(index + 1);
                renamed_as.push(renamed);
            }
            None => repeats.push((original, vec![index + 1], vec![renamed])),
        }
    }
    for (guid, items, renamed_as) in repeats {
        let message = match items.len() {
            1 => format!(
                "item {} repeats the id {guid:?} of an earlier item; kept as {:?}",
                items[0], renamed_as[0]
            ),
            n => format!(
                "{n} later items (first: item {}) repeat the id {guid:?} of an earlier item; \
                 kept with a suffix each, such as {:?}",
                items[0], renamed_as[0]
            ),
        };
        warnings.push(message);
    }
}

/// Hex SHA-256 of an entry's link, title and publication time.
fn content_hash(entry: &Entry) -> String {
    let date = entry
        .published
        .or(entry.updated)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default();
    let link = entry.link.as_deref().unwrap_or_default();
    hex(&Sha256::digest(
        format!(
            "{link}\n{}\n{date}",
            entry.title.as_deref().unwrap_or_default()
        )
        .as_bytes(),
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(guid: &str) -> Entry {
        Entry {
            id: guid.to_owned(),
            id_is_native: true,
            title: None,
            link: None,
            authors: Vec::new(),
            published: None,
            updated: None,
            summary: None,
            content: None,
            categories: Vec::new(),
            enclosures: Vec::new(),
            comments: None,
            language: None,
            origin: None,
            original_links: Vec::new(),
        }
    }

    #[test]
    fn guid_is_the_trimmed_id_when_present() {
        let guid = entry_guid(
            "  tag:example.org,2024:1 \n",
            Some("https://x.test/a"),
            "T",
            None,
        );
        assert_eq!(guid, "tag:example.org,2024:1");
    }

    #[test]
    fn guid_falls_back_to_the_link() {
        assert_eq!(
            entry_guid("  ", Some("https://x.test/a"), "T", None),
            "https://x.test/a"
        );
    }

    #[test]
    fn guid_falls_back_to_a_hash_of_title_and_date() {
        let date = Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).single();
        let a = entry_guid("", None, "A title", date);
        let b = entry_guid("", None, "A title", date);
        assert_eq!(a, b, "stable across calls");
        assert!(a.starts_with("sha256:") && a.len() == 7 + 64, "{a}");
        // sha256("A title\n2024-03-01T12:00:00Z")
        let expected = Sha256::digest(b"A title\n2024-03-01T12:00:00Z");
        let hex: String = expected.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(a, format!("sha256:{hex}"));
        assert_ne!(
            a,
            entry_guid("", None, "A title", None),
            "the date takes part"
        );
        assert_ne!(
            a,
            entry_guid("", None, "Another", date),
            "the title takes part"
        );
    }

    fn entry_with(guid: &str, link: &str) -> Entry {
        Entry {
            link: Some(link.to_owned()),
            ..entry(guid)
        }
    }

    #[test]
    fn duplicate_guids_get_content_suffixes_and_one_warning_each() {
        let mut entries = vec![
            entry_with("a", "https://x.test/1"),
            entry("b"),
            entry_with("a", "https://x.test/2"),
            entry_with("a", "https://x.test/3"),
        ];
        let mut warnings = Vec::new();
        disambiguate(&mut entries, &mut warnings);
        let guids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(guids[..2], ["a", "b"]);
        assert!(
            guids[2].starts_with("a#") && guids[2].len() == 10,
            "{guids:?}"
        );
        assert!(
            guids[3].starts_with("a#") && guids[3] != guids[2],
            "{guids:?}"
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("2 later items (first: item 3) repeat the id \"a\""));
    }

    #[test]
    fn suffixes_do_not_move_when_the_feed_gains_an_item() {
        let poll = |links: &[&str]| {
            let mut entries: Vec<_> = links.iter().map(|l| entry_with("same", l)).collect();
            disambiguate(&mut entries, &mut Vec::new());
            entries
                .into_iter()
                .map(|e| (e.link, e.id))
                .collect::<Vec<_>>()
        };
        let before = poll(&["https://x.test/b", "https://x.test/c"]);
        let after = poll(&["https://x.test/a", "https://x.test/b", "https://x.test/c"]);
        assert_eq!(before[1], after[2], "item c keeps its identity");
    }

    #[test]
    fn identical_repeats_get_numbered_too() {
        let mut entries = vec![entry("a"), entry("a"), entry("a")];
        disambiguate(&mut entries, &mut Vec::new());
        let guids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(guids[2], format!("{}-2", guids[1]));
    }
}
