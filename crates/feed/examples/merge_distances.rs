//! Measures how far apart the fingerprints ([`syndic_core::Fingerprint`]) of the same
//! article and of different articles are, over a folder of real feeds: the figures the
//! merge threshold (`syndic_core::article::MAX_MERGE_DISTANCE`) was chosen on.
//!
//! ```text
//! cargo run -p syndic-feed --release --example merge_distances [DIR]
//! ```
//!
//! `DIR` defaults to `$SYNDIC_CORPUS_DIR`, else `corpus/real` in the shared folder. Every
//! file is parsed as ingest parses it. *Same article*: two entries of different files
//! whose links have the same [`syndic_core::article::link_key`] (a blog's RSS, RSS 1.0 and
//! Atom feeds carry the same posts, often one with the full text and one with a summary).
//! *Different, same title*: two entries with the same title and different link keys
//! (weekly notes, "Links", "Untitled"). *Different*: every other pair of entries of
//! different link keys (all pairs when few, else a deterministic sample). Prints, for each
//! kind, how many pairs lie at each distance up to 24, and how many pairs of each kind a
//! threshold k would merge, for k from 0 to 12.

use std::collections::HashMap;
use std::path::PathBuf;

use syndic_core::Fingerprint;
use syndic_core::article::link_key;

// Only the corpus folder's lookup is used here; the manifest reader is corpus_report's.
#[allow(dead_code)]
#[path = "../tests/support/corpus.rs"]
mod corpus;

struct Item {
    file: usize,
    key: Option<String>,
    title: String,
    print: Option<Fingerprint>,
}

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .or_else(corpus::corpus_dir)
        .unwrap_or_else(|| PathBuf::from("../shared/corpus/real"));
    let mut items = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    files.sort();
    for (file, path) in files.iter().enumerate() {
        if path.extension().is_some_and(|e| e == "tsv") {
            continue;
        }
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(parsed) = syndic_feed::parse(&bytes, None) else {
            continue;
        };
        for entry in parsed.entries {
            items.push(Item {
                file,
                key: entry.link.as_deref().and_then(link_key),
                print: Fingerprint::of(&entry.title, &entry.content_text),
                title: entry.title.trim().to_lowercase(),
            });
        }
    }
    let printed: Vec<&Item> = items.iter().filter(|i| i.print.is_some()).collect();
    println!(
        "{} files, {} entries, {} with a fingerprint",
        files.len(),
        items.len(),
        printed.len()
    );
    let mut same = vec![0_u64; 65];
    let mut titled = vec![0_u64; 65];
    let mut other = vec![0_u64; 65];
    let by_key = group(&printed, |i| i.key.clone());
    for group in by_key.values() {
        for (a, b) in pairs(group) {
            if a.file != b.file {
                same[distance(a, b)] += 1;
            }
        }
    }
    let by_title = group(&printed, |i| (!i.title.is_empty()).then(|| i.title.clone()));
    let mut shown = 0;
    for group in by_title.values() {
        for (a, b) in pairs(group) {
            if a.key != b.key {
                titled[distance(a, b)] += 1;
                if distance(a, b) <= 3 && shown < 8 {
                    shown += 1;
                    println!(
                        "  near, other link: {:?} {:?} | {:?} {:?}",
                        files[a.file].file_name().unwrap_or_default(),
                        a.key,
                        files[b.file].file_name().unwrap_or_default(),
                        b.key
                    );
                }
            }
        }
    }
    // Every pair when few, else every 7th: deterministic.
    let step = if printed.len() < 4000 { 1 } else { 7 };
    let mut n = 0_u64;
    for (i, a) in printed.iter().enumerate() {
        for b in &printed[i + 1..] {
            n += 1;
            if n.is_multiple_of(step) && a.key != b.key {
                other[distance(a, b)] += 1;
            }
        }
    }
    println!("\ndistance  same article  different, same title  different");
    for d in 0..=24 {
        println!(
            "{d:>8}  {:>12}  {:>21}  {:>9}",
            same[d], titled[d], other[d]
        );
    }
    let total = |v: &[u64]| v.iter().sum::<u64>();
    println!(
        "   total  {:>12}  {:>21}  {:>9}",
        total(&same),
        total(&titled),
        total(&other)
    );
    println!("\n       k  same merged  different-same-title merged  different merged");
    for k in 0..=12 {
        let upto = |v: &[u64]| v[..=k].iter().sum::<u64>();
        println!(
            "{k:>8}  {:>11}  {:>27}  {:>16}",
            upto(&same),
            upto(&titled),
            upto(&other)
        );
    }
}

fn group<'a>(
    items: &[&'a Item],
    key: impl Fn(&Item) -> Option<String>,
) -> HashMap<String, Vec<&'a Item>> {
    let mut groups: HashMap<String, Vec<&Item>> = HashMap::new();
    for item in items {
        if let Some(k) = key(item) {
            groups.entry(k).or_default().push(item);
        }
    }
    groups
}

fn pairs<'a>(group: &'a [&'a Item]) -> impl Iterator<Item = (&'a Item, &'a Item)> + 'a {
    group
        .iter()
        .enumerate()
        .flat_map(move |(i, a)| group[i + 1..].iter().map(move |b| (*a, *b)))
}

fn distance(a: &Item, b: &Item) -> usize {
    match (a.print, b.print) {
        (Some(x), Some(y)) => x.distance(y) as usize,
        _ => 64,
    }
}
