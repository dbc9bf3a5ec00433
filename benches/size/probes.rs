//! What the size bench measures on a filled store besides its size: three timed searches,
//! and search index variants built beside the store's own.

use std::time::Instant;

use syndic_core::Page;
use syndic_store::testing::IndexVariant;
use syndic_store::{SearchQuery, Store};

use crate::{Feed, LEVER_POSTS, Result};

/// The search index variants measured beside the store's own (since migration 19: FTS5
/// with `detail = none`; since migration 25 on PostgreSQL: the keys of the words), on
/// each engine: PostgreSQL's own `tsvector`s, with and without positions.
const SQLITE_INDEXES: &[IndexVariant] = &[
    IndexVariant::Fts5(", contentless_delete = 1"),
    IndexVariant::Fts5(""),
    IndexVariant::Fts5(", columnsize = 0"),
    IndexVariant::Fts5(", detail = column"),
    IndexVariant::Fts5(", detail = none"),
];
const POSTGRES_INDEXES: &[IndexVariant] = &[
    IndexVariant::Tsvector(
        "to_tsvector('english', title) || to_tsvector('english', left(body, 200000))",
    ),
    IndexVariant::Tsvector(
        "strip(to_tsvector('english', title) || to_tsvector('english', left(body, 200000)))",
    ),
];

/// Times three searches, each run a few times (the median printed).
pub async fn searches(name: &str, store: &Store, feeds: &[Feed]) -> Result<()> {
    let topic = feeds
        .iter()
        .flat_map(|f| &f.entries)
        .find_map(|(entry, _)| entry.categories.first().cloned())
        .unwrap_or_else(|| "the".into());
    let phrase = feeds
        .iter()
        .flat_map(|f| &f.entries)
        .nth(7)
        .map(|(entry, _)| {
            let words: Vec<&str> = entry.title.split_whitespace().take(3).collect();
            format!("\"{}\"", words.join(" "))
        })
        .unwrap_or_default();
    for text in ["the", topic.as_str(), phrase.as_str()] {
        let query = SearchQuery {
            text: text.to_owned(),
            ..Default::default()
        };
        let page = Page::new(1, 20).ok_or("a page")?;
        let mut times = Vec::new();
        let mut found = String::new();
        for _ in 0..5 {
            let started = Instant::now();
            let results = store.search_results(&query, page).await?;
            times.push(started.elapsed().as_secs_f64() * 1e3);
            let plus = if results.capped { "+" } else { "" };
            found = format!("{}{plus}", results.total);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name}: search {text:?}: {found} posts, median {:.1} ms of 5",
            times[times.len() / 2]
        );
    }
    Ok(())
}

/// Candidate caps compared for a common word (issue 11): the store's own
/// ([`syndic_store::MAX_CANDIDATES`]) and smaller ones.
const CAPS: &[usize] = &[500, 1_000, 2_000];

/// Times searches for a word most posts hold at each cap of [`CAPS`], the caps taking
/// turns (seven rounds, the median printed), on the first page and on page 5; and how many
/// of each first page's 20 hits the largest cap's first page shows too (what a smaller
/// cap costs in ranking: it ranks only the newest candidates).
pub async fn caps(name: &str, store: &Store, words: &[&str]) -> Result<()> {
    for text in words {
        let query = SearchQuery {
            text: (*text).to_owned(),
            ..Default::default()
        };
        for page_number in [1, 5] {
            let page = Page::new(page_number, 20).ok_or("a page")?;
            let mut times: Vec<Vec<f64>> = vec![Vec::new(); CAPS.len()];
            let mut pages = vec![Vec::new(); CAPS.len()];
            for _ in 0..7 {
                for (n, cap) in CAPS.iter().enumerate() {
                    let started = Instant::now();
                    let results =
                        syndic_store::testing::search_results_among(store, &query, page, *cap)
                            .await?;
                    times[n].push(started.elapsed().as_secs_f64() * 1e3);
                    pages[n] = results.hits.iter().map(|h| h.post.id.0).collect::<Vec<_>>();
                }
            }
            let widest = pages.last().cloned().unwrap_or_default();
            for (n, cap) in CAPS.iter().enumerate() {
                times[n].sort_by(f64::total_cmp);
                let shared = pages[n].iter().filter(|id| widest.contains(id)).count();
                println!(
                    "{name}: search {text:?} page {page_number}, cap {cap}: median {:.1} ms of 7; \
                     {shared} of its {} hits on cap {}'s page",
                    times[n][times[n].len() / 2],
                    pages[n].len(),
                    CAPS[CAPS.len() - 1]
                );
            }
        }
    }
    Ok(())
}

/// The search index's size a post built the store's way and the other ways, over the same
/// [`LEVER_POSTS`] posts.
pub async fn index_levers(name: &str, store: &Store, feeds: &[Feed]) -> Result<()> {
    let posts: Vec<(i64, String, String)> = feeds
        .iter()
        .flat_map(|f| &f.entries)
        .take(LEVER_POSTS)
        .enumerate()
        .map(|(n, (e, _))| (n as i64 + 1, e.title.clone(), e.content_text.clone()))
        .collect();
    let raw: u64 = feeds
        .iter()
        .flat_map(|f| &f.entries)
        .take(LEVER_POSTS)
        .map(|(_, raw)| raw)
        .sum();
    let variants = match store.engine_name() {
        "sqlite" => SQLITE_INDEXES,
        _ => POSTGRES_INDEXES,
    };
    println!("{name}: search index levers over {} posts", posts.len());
    for variant in variants {
        let started = Instant::now();
        let bytes = match syndic_store::testing::index_variant_bytes(store, *variant, &posts).await
        {
            Ok(bytes) => bytes,
            Err(e) => {
                let cause = std::error::Error::source(&e).map(ToString::to_string);
                println!("  {variant:?} failed: {e} ({})", cause.unwrap_or_default());
                continue;
            }
        };
        println!(
            "  {:>7.0} B/post {:.3}x raw HTML, built in {:.1} s: {variant:?}",
            bytes as f64 / posts.len().max(1) as f64,
            bytes as f64 / raw.max(1) as f64,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
