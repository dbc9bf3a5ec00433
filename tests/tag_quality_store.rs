//! Tagging quality the way the outside check measures it (issue 15), through the binary: the
//! feeds of the 219 labeled real posts (`tests/fixtures/tag-quality/real-labels.toml`) are
//! fetched into an empty store and retagged once, and the tags the store then holds are
//! compared with the labels. Then, for a few seeds, an editor decides on a random 30% of the
//! posts (`tag add` for each missing tag, `tag remove` for each wrong one), retags, and the
//! other 70% are compared again. Fails below floors set just under what is reached.
//!
//! `TAG_QUALITY_DETAIL=1` prints each draw's retag report and per tag the support and
//! false positives and negatives before and after the decisions, with the misses no term of
//! the tag touches; `TAG_QUALITY_KEEP=DIR` keeps the retagged store, `TAG_QUALITY_DUMP=FILE`
//! writes each labelled post's number, labels and tags and the draws (JSON).
//!
//! Skipped with a printed reason where `../shared` is absent.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use common::{ok, quoted, run, shared_dir, skip_reason, write_config};
use syndic_core::{PostId, slugify};
use syndic_store::Store;

use common::real_labels::{LabelledFeeds, RealPost, real_labels};

type RealLabels = common::real_labels::RealLabels<toml::Table>;

/// The configuration: every labeled post's feed as a source, the labels' vocabulary. One
/// fetch at a time, so posts are numbered in the same order on every run: the profiles,
/// the presumed-right posts and so the measure then do not move between runs.
fn config_body(shared: &Path, labels: &RealLabels) -> String {
    let files: BTreeSet<&str> = labels.post.iter().map(|p| p.file.as_str()).collect();
    let mut body = String::from("[fetch]\nconcurrency = 1\nper_host = 1\n\n");
    for file in files {
        let path = shared.join(file);
        let url = quoted(path.to_str().expect("utf-8 path"));
        body.push_str(&format!("[[source]]\nurl = {url}\n\n"));
    }
    for tag in &labels.tag {
        let mut one = toml::Table::new();
        one.insert("tag".into(), toml::Value::Array(vec![tag.clone().into()]));
        body.push_str(&toml::to_string(&one).expect("tag serializes"));
        body.push('\n');
    }
    body
}

/// Each labeled post's number in the store (in label order), found as the quality test
/// finds it in its feed: by id, else link, else position.
fn post_ids(shared: &Path, labels: &RealLabels, store: &Store, rt: &Runtime) -> Vec<PostId> {
    let sources: HashMap<String, syndic_core::SourceId> = rt
        .block_on(store.sources())
        .expect("sources")
        .into_iter()
        .map(|s| (s.url, s.id))
        .collect();
    let mut feeds = LabelledFeeds::new(shared);
    labels
        .post
        .iter()
        .map(|label| {
            let entry = feeds.entry(label);
            let path = shared.join(&label.file);
            let source = sources[path.to_str().expect("utf-8 path")];
            // The post carrying the entry: its own, or the one of another labelled feed it
            // was merged into (whichever was fetched first).
            rt.block_on(store.post_carrying(source, &entry.guid))
                .expect("look-up")
                .unwrap_or_else(|| panic!("{} {} not stored", label.file, label.id))
        })
        .collect()
}

type Runtime = tokio::runtime::Runtime;

/// Every tag each post carries, by slug.
fn stored_tags(dir: &Path, ids: &[PostId], rt: &Runtime) -> Vec<BTreeSet<String>> {
    let store = rt
        .block_on(Store::open_sqlite_path_read_only(&dir.join("test.db")))
        .expect("store opens");
    let tags = ids
        .iter()
        .map(|&id| {
            rt.block_on(store.tag_reasons(id))
                .expect("tags")
                .into_iter()
                .map(|r| r.tag.slug)
                .collect()
        })
        .collect();
    rt.block_on(store.close());
    tags
}

#[derive(Default, Clone, Copy, Debug)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Counts {
    fn precision(self) -> f64 {
        f64::from(self.tp) / f64::from((self.tp + self.fp).max(1))
    }
    fn recall(self) -> f64 {
        f64::from(self.tp) / f64::from((self.tp + self.fn_).max(1))
    }
    fn f1(self) -> f64 {
        f64::from(2 * self.tp) / f64::from((2 * self.tp + self.fp + self.fn_).max(1))
    }
}

fn gold(label: &RealPost) -> BTreeSet<String> {
    label.tags.iter().map(|t| slugify(t)).collect()
}

/// Micro counts over the posts `which` (indexes into the labels).
fn measure(labels: &RealLabels, given: &[BTreeSet<String>], which: &[usize]) -> Counts {
    let mut c = Counts::default();
    for &k in which {
        let wanted = gold(&labels.post[k]);
        c.tp += given[k].intersection(&wanted).count() as u32;
        c.fp += given[k].difference(&wanted).count() as u32;
        c.fn_ += wanted.difference(&given[k]).count() as u32;
    }
    c
}

/// A random 30% of `n` posts, fixed by `seed` (splitmix64).
fn sample(n: usize, seed: u64) -> BTreeSet<usize> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order.into_iter().take((n * 3).div_ceil(10)).collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

/// Per tag over the posts `which`: (support, false positives, false negatives).
fn per_tag(
    labels: &RealLabels,
    given: &[BTreeSet<String>],
    which: &[usize],
) -> std::collections::BTreeMap<String, (u32, u32, u32)> {
    let mut out: std::collections::BTreeMap<String, (u32, u32, u32)> = Default::default();
    for &k in which {
        let wanted = gold(&labels.post[k]);
        for t in &wanted {
            out.entry(t.clone()).or_default().0 += 1;
        }
        for t in given[k].difference(&wanted) {
            out.entry(t.clone()).or_default().1 += 1;
        }
        for t in wanted.difference(&given[k]) {
            out.entry(t.clone()).or_default().2 += 1;
        }
    }
    out
}

/// With `TAG_QUALITY_DETAIL=1`: per tag, support and FP/FN before and after the decisions,
/// and how many of the misses after them had no literal hit at all (`syndic explain`).
fn detail(
    config: &Path,
    labels: &RealLabels,
    ids: &[PostId],
    before: &[BTreeSet<String>],
    after: &[BTreeSet<String>],
    rest: &[usize],
) {
    let (b, a) = (per_tag(labels, before, rest), per_tag(labels, after, rest));
    let mut no_hit: HashMap<String, u32> = HashMap::new();
    for &k in rest {
        let wanted = gold(&labels.post[k]);
        let missed: Vec<&String> = wanted.difference(&after[k]).collect();
        if missed.is_empty() {
            continue;
        }
        let out = ok(
            config,
            &["explain", &ids[k].0.to_string(), "--format", "json"],
        );
        let json: serde_json::Value = serde_json::from_str(&out).expect("explain json");
        let seen: BTreeSet<String> = json["analysis"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["tag"].as_str().map(slugify))
                    .collect()
            })
            .unwrap_or_default();
        for m in missed {
            if !seen.contains(m) {
                *no_hit.entry(m.clone()).or_default() += 1;
            }
        }
    }
    println!(
        "{:<16} {:>4} {:>9} {:>9} {:>6}",
        "tag", "sup", "fp b->a", "fn b->a", "nohit"
    );
    for (tag, (sup, fp, fn_)) in &a {
        let (_, fp0, fn0) = b.get(tag).copied().unwrap_or_default();
        println!(
            "{tag:<16} {sup:>4} {fp0:>4}->{fp:<4} {fn0:>4}->{fn_:<4} {:>6}",
            no_hit.get(tag).copied().unwrap_or(0)
        );
    }
}

/// Seeds of the held-out measure (each a fresh copy of the retagged store).
const SEEDS: [u64; 3] = [1, 2, 3];

#[test]
fn real_labeled_posts_fetched_retagged_and_taught_by_an_editor() {
    let Some(shared) = shared_dir() else {
        println!("{}", skip_reason("the real-post corpus"));
        return;
    };
    let labels: RealLabels = real_labels();
    assert_eq!(labels.post.len(), 219);
    let rt = Runtime::new().expect("runtime");
    let base = tempfile::tempdir().expect("temp dir");
    // TAG_QUALITY_KEEP=DIR keeps the fetched and retagged store there (for a closer look).
    let keep = std::env::var_os("TAG_QUALITY_KEEP");
    let body = config_body(&shared, &labels);
    let config = write_config(base.path(), &body);
    // Some feeds of the corpus are damaged on purpose: fetch exits 1 for them.
    let _ = run(&config, &["fetch"]);
    ok(&config, &["retag"]);
    if let Some(keep) = &keep {
        copy_dir(base.path(), Path::new(keep));
    }
    let store = rt
        .block_on(Store::open_sqlite_path_read_only(
            &base.path().join("test.db"),
        ))
        .expect("store opens");
    let ids = post_ids(&shared, &labels, &store, &rt);
    rt.block_on(store.close());
    let all: Vec<usize> = (0..ids.len()).collect();
    let given = stored_tags(base.path(), &ids, &rt);
    let default = measure(&labels, &given, &all);
    println!(
        "default (fetch, retag): P {:.3} R {:.3} F1 {:.3} {default:?}",
        default.precision(),
        default.recall(),
        default.f1()
    );

    if let Some(dump) = std::env::var_os("TAG_QUALITY_DUMP") {
        let rows: Vec<serde_json::Value> = labels
            .post
            .iter()
            .zip(&given)
            .zip(&ids)
            .map(|((l, g), id)| {
                serde_json::json!({"file": l.file, "id": id.0, "gold": gold(l), "given": g})
            })
            .collect();
        let chosen: Vec<Vec<usize>> = SEEDS
            .iter()
            .map(|&s| sample(ids.len(), s).into_iter().collect())
            .collect();
        let all = serde_json::json!({"posts": rows, "chosen": chosen});
        std::fs::write(dump, all.to_string()).expect("dump");
    }
    let mut held_out = Vec::new();
    for seed in SEEDS {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(base.path(), dir.path());
        let config = write_config(dir.path(), &body);
        let chosen = sample(ids.len(), seed);
        let rest: Vec<usize> = all
            .iter()
            .copied()
            .filter(|k| !chosen.contains(k))
            .collect();
        let before = measure(&labels, &given, &rest);
        for &k in &chosen {
            let (wanted, post) = (gold(&labels.post[k]), ids[k].0.to_string());
            let names: HashMap<String, &String> = labels.post[k]
                .tags
                .iter()
                .map(|t| (slugify(t), t))
                .collect();
            for missing in wanted.difference(&given[k]) {
                ok(&config, &["tag", "add", &post, names[missing]]);
            }
            for wrong in given[k].difference(&wanted) {
                ok(&config, &["tag", "remove", &post, wrong]);
            }
        }
        let report = ok(&config, &["retag"]);
        let after_tags = stored_tags(dir.path(), &ids, &rt);
        let after = measure(&labels, &after_tags, &rest);
        if std::env::var_os("TAG_QUALITY_DETAIL").is_some() {
            println!("{report}");
            detail(&config, &labels, &ids, &given, &after_tags, &rest);
        }
        let learning: Vec<&str> = report
            .lines()
            .filter(|l| l.contains("decisions") || l.contains("learn"))
            .collect();
        println!(
            "seed {seed}: held-out F1 {:.3} -> {:.3} (P {:.3} R {:.3}); {}",
            before.f1(),
            after.f1(),
            after.precision(),
            after.recall(),
            learning.join(" / ")
        );
        held_out.push(after.f1());
    }
    let mean = held_out.iter().sum::<f64>() / held_out.len() as f64;
    println!(
        "held-out F1 after decisions, mean of {}: {mean:.3}",
        held_out.len()
    );
    // Reached (the same on every run, one fetch at a time): P 0.754, R 0.734, F1 0.744;
    // held-out 0.739 (0.740 before the decisions); before word families P 0.755, R 0.726,
    // F1 0.740, held-out 0.737. Issue 15 aims at 0.75 and 0.82.
    assert!(default.recall() >= 0.71, "default recall floor");
    assert!(default.f1() >= 0.73, "default F1 floor");
    assert!(mean >= 0.72, "held-out F1 floor");
}
