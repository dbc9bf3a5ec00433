//! Store size against the raw HTML it keeps (issue 14, point 4; issue 11's store-size aim).
//!
//! The posts are those of the benchmark corpus (`../shared/bench/gen_corpus.py`: post HTML
//! log-uniform between 2 and 40 KB). Every feed of the corpus is parsed as ingest parses it
//! (sanitized HTML, its text, the feed's first three categories as tags) and stored through
//! `Store::ingest`, one batch per feed; when SYNDIC_BENCH_POSTS is more than the corpus
//! holds, the corpus is stored again as new sources (copy `k` of a post has its guid
//! suffixed with `#k`, its link with `/copy-k`, and is published `15 k` days later, so that
//! cross-source merging keeps it apart), so a copy is a new post with the same words. One
//! indexing pass runs after the first 2,000 posts (it trains the store's body dictionary:
//! the ingests after it compress with it), and one at the end (`Store::index_search`);
//! then every body is rewritten with the dictionary (`testing::settle_bodies`), as the
//! indexing passes of a store in service would over time.
//!
//! **Raw HTML** is, for every stored post, the byte length (UTF-8) of its entry's content
//! HTML as the feed carries it: the text of `content:encoded`, Atom `content` or JSON
//! `content_html` after XML or JSON decoding (entities and CDATA resolved), before
//! sanitizing (`syndic_feed::read_document` with `raw_html`). Feed markup, titles,
//! summaries and enclosures are not counted. Copies count again.
//!
//! For SQLite, and for PostgreSQL when `SYNDIC_TEST_POSTGRES_URL` names a server (a schema
//! of its own, dropped afterwards), it prints: posts, raw HTML bytes, the store's bytes and
//! their ratio to the raw HTML (the aim: at most 0.5), bytes a post, the ingest and
//! indexing rates, the time of three searches (a word in most posts, a rare tag term, a
//! phrase), common words at three candidate caps (see `probes::caps`), and where the bytes are: bodies (their own bytes, then the posts table with its
//! pages), search index, tags, other tables and indexes (SQLite: `dbstat`; PostgreSQL:
//! `pg_table_size` per table, TOAST included, and `pg_relation_size` per index).
//!
//! Run: `cargo bench --bench size`. Knobs: SYNDIC_BENCH_POSTS (100000), SYNDIC_BENCH_CORPUS
//! (a corpus folder to reuse; else SYNDIC_BENCH_FEEDS feeds, default 500, are generated in a
//! temporary folder), SYNDIC_BENCH_ENGINES ("sqlite,postgres"), SYNDIC_BENCH_LEVERS (1; 0
//! skips the levers, whose level-19 runs take minutes), SYNDIC_BENCH_PROBES (1; 0 skips the
//! timed searches, which take minutes in a debug build). Without `../shared` it says
//! so and stops. It prints figures and asserts nothing.

#[path = "size/codec.rs"]
mod codec;
#[path = "size/probes.rs"]
mod probes;
#[path = "../tests/common/shared_folder.rs"]
mod shared_folder;

use std::path::{Path, PathBuf};
use std::time::Instant;

use syndic_core::{FeedEntry, FeedMeta, TagAssignment, TagOrigin};
use syndic_store::testing::{StoreSize, TestDatabase, TestEngine};
use syndic_store::{IncomingPost, SourceSpec, Store};

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// The aim: the store at most this many times the raw HTML.
const AIM: f64 = 0.5;

/// Days between a post's copies: more than the 14 days within which near-identical posts
/// are merged.
const COPY_DAYS_APART: u64 = 15;

/// Posts the levers on bodies and on the search index are measured on.
pub const LEVER_POSTS: usize = 10_000;

/// One feed of the corpus, parsed.
pub struct Feed {
    name: String,
    meta: FeedMeta,
    /// Each entry with the bytes of its content HTML as the feed carries it.
    pub entries: Vec<(FeedEntry, u64)>,
}

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let Some(shared) = shared_folder::shared_dir() else {
        println!("size bench skipped: ../shared (with bench/gen_corpus.py) is not there");
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    let corpus = match std::env::var_os("SYNDIC_BENCH_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => work.path().join("corpus"),
    };
    if !corpus.join("feeds").is_dir() {
        generate(&shared, &corpus, knob("SYNDIC_BENCH_FEEDS", 500))?;
    }
    let feeds = read_corpus(&corpus)?;
    let in_corpus: usize = feeds.iter().map(|f| f.entries.len()).sum();
    println!("corpus: {} feeds, {in_corpus} posts", feeds.len());
    let posts = knob("SYNDIC_BENCH_POSTS", 100_000);
    let sample: Vec<(&FeedEntry, u64)> = feeds
        .iter()
        .flat_map(|f| f.entries.iter().map(|(e, raw)| (e, *raw)))
        .take(LEVER_POSTS)
        .collect();
    if knob("SYNDIC_BENCH_LEVERS", 1) == 1 {
        codec::compare(&sample)?;
    }
    let engines =
        std::env::var("SYNDIC_BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    for engine in TestEngine::ALL {
        let wanted = match engine {
            TestEngine::Sqlite => engines.contains("sqlite"),
            TestEngine::Postgres => engines.contains("postgres"),
        };
        let Some(db) = wanted
            .then(|| TestDatabase::new(engine, "the size bench"))
            .flatten()
        else {
            continue;
        };
        if let Err(e) = runtime.block_on(one_engine(&db, &feeds, posts)) {
            println!("{:?}: the size bench failed: {e}", db.engine());
        }
    }
    Ok(())
}

fn generate(shared: &Path, corpus: &Path, feeds: u64) -> Result<()> {
    println!(
        "generating the corpus: {feeds} feeds into {}",
        corpus.display()
    );
    let status = std::process::Command::new("python3")
        .arg(shared.join("bench/gen_corpus.py"))
        .args(["--out".as_ref(), corpus.as_os_str()])
        .args(["--feeds", &feeds.to_string(), "--jobs", "2"])
        .status()?;
    if !status.success() {
        return Err(format!("gen_corpus.py failed: {status}").into());
    }
    Ok(())
}

/// Every feed of the corpus, in name order, parsed twice: as ingest parses it, and without
/// sanitizing to count its raw HTML.
fn read_corpus(corpus: &Path) -> Result<Vec<Feed>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join("feeds"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut feeds = Vec::with_capacity(files.len());
    for file in files {
        let bytes = std::fs::read(&file)?;
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let raw = syndic_feed::read_document(
            &bytes,
            &syndic_feed::ReadOptions {
                raw_html: true,
                ..Default::default()
            },
        )?;
        let parsed = syndic_feed::parse(&bytes, None)?;
        if raw.entries.len() != parsed.entries.len() {
            return Err(format!("{name}: the two readings disagree on the entries").into());
        }
        let entries = parsed
            .entries
            .into_iter()
            .zip(raw.entries.iter())
            .map(|(entry, raw)| {
                let html = raw.content.as_deref().map_or(0, str::len) as u64;
                (entry, html)
            })
            .collect();
        feeds.push(Feed {
            name,
            meta: parsed.meta,
            entries,
        });
    }
    Ok(feeds)
}

/// What a fill did.
#[derive(Default)]
struct Filled {
    posts: u64,
    raw_html: u64,
    ingest: f64,
    index: f64,
}

async fn one_engine(db: &TestDatabase, feeds: &[Feed], posts: u64) -> Result<()> {
    let name = match db.engine() {
        TestEngine::Sqlite => "SQLite",
        TestEngine::Postgres => "PostgreSQL",
    };
    // Dictionaries usable at once: this process is the store's only one.
    let options = syndic_store::StoreOptions {
        dictionary_grace: Some(std::time::Duration::ZERO),
        ..Default::default()
    };
    let store = Store::open_with(db.url(), &options).await?;
    let filled = fill(&store, feeds, posts).await?;
    // Every body rewritten with the store's dictionary, as indexing passes would over time.
    let started = Instant::now();
    let rewritten = syndic_store::testing::settle_bodies(&store).await?;
    let formats = syndic_store::testing::body_formats(&store).await?;
    println!(
        "{name}: bodies settled in {:.1} s ({rewritten} read); bodies by format \
         (0 plain, 1 zstd, 2 zstd with the store's dictionary): {formats:?}",
        started.elapsed().as_secs_f64()
    );
    syndic_store::testing::checkpoint(&store).await?;
    let size = syndic_store::testing::store_size(&store).await?;
    let total = size.total();
    println!(
        "{name}: {} posts, raw HTML {:.1} MB ({:.0} bytes a post); store {:.1} MB ({:.0} bytes \
         a post) = {:.3}x the raw HTML (aim <= {AIM}: {})",
        filled.posts,
        filled.raw_html as f64 / 1e6,
        filled.raw_html as f64 / filled.posts.max(1) as f64,
        total as f64 / 1e6,
        total as f64 / filled.posts.max(1) as f64,
        total as f64 / filled.raw_html.max(1) as f64,
        if (total as f64) <= AIM * filled.raw_html as f64 {
            "met"
        } else {
            "missed"
        }
    );
    println!(
        "{name}: ingest {:.1} s = {:.0} posts/s; search indexing {:.1} s = {:.0} posts/s; \
         both {:.0} posts/s",
        filled.ingest,
        filled.posts as f64 / filled.ingest,
        filled.index,
        filled.posts as f64 / filled.index,
        filled.posts as f64 / (filled.ingest + filled.index)
    );
    print_breakdown(name, &size, filled.raw_html);
    if knob("SYNDIC_BENCH_PROBES", 1) == 1 {
        probes::searches(name, &store, feeds).await?;
        probes::caps(name, &store, &["the", "the and"]).await?;
    }
    if knob("SYNDIC_BENCH_LEVERS", 1) == 1 {
        probes::index_levers(name, &store, feeds).await?;
    }
    store.close().await;
    Ok(())
}

/// Posts stored before one indexing pass runs, which trains the store's body dictionary
/// (after 1,000 posts), so that the ingests after it compress with it as in service.
const FIRST_PASS_AFTER: u64 = 2_000;

/// Stores `posts` posts of the corpus (copies after the first pass), then indexes them.
/// One indexing pass runs after [`FIRST_PASS_AFTER`] posts.
async fn fill(store: &Store, feeds: &[Feed], posts: u64) -> Result<Filled> {
    let base = chrono::Utc::now();
    let mut filled = Filled::default();
    'copies: for copy in 0u64.. {
        for feed in feeds {
            if filled.posts >= posts {
                break 'copies;
            }
            let take = usize::try_from(posts - filled.posts).unwrap_or(usize::MAX);
            let batch: Vec<IncomingPost> = feed
                .entries
                .iter()
                .take(take)
                .map(|(entry, _)| incoming(entry, copy))
                .collect();
            let spec = SourceSpec {
                url: format!("https://copy{copy}.example/{}.xml", feed.name),
                name: Some(format!("{} (copy {copy})", feed.name)),
            };
            let started = Instant::now();
            let source = store.upsert_source(&spec, base).await?;
            store.ingest(source, &feed.meta, &batch, base).await?;
            filled.ingest += started.elapsed().as_secs_f64();
            let before = filled.posts;
            filled.posts += batch.len() as u64;
            if before < FIRST_PASS_AFTER && filled.posts >= FIRST_PASS_AFTER {
                let started = Instant::now();
                store.index_search().await?;
                filled.index += started.elapsed().as_secs_f64();
            }
            filled.raw_html += feed
                .entries
                .iter()
                .take(take)
                .map(|(_, raw)| raw)
                .sum::<u64>();
        }
    }
    let started = Instant::now();
    store.index_search().await?;
    filled.index += started.elapsed().as_secs_f64();
    Ok(filled)
}

/// Copy `copy` of a corpus entry: the first is the entry itself. A copy must stay a post
/// of its own, not be merged into the first (issue 14's cross-source merging): its link
/// has a path of its own (a fragment is ignored when links are compared) and it is
/// published [`COPY_DAYS_APART`] days later per copy (near-identical posts are merged only
/// within 14 days).
fn incoming(entry: &FeedEntry, copy: u64) -> IncomingPost {
    let mut entry = entry.clone();
    if copy > 0 {
        entry.guid = format!("{}#{copy}", entry.guid);
        entry.link = entry.link.map(|link| format!("{link}/copy-{copy}"));
        let later = chrono::Duration::days(i64::try_from(copy * COPY_DAYS_APART).unwrap_or(0));
        entry.published = entry.published.map(|at| at + later);
    }
    let tags = entry
        .categories
        .iter()
        .take(3)
        .map(|category| TagAssignment {
            tag: category.clone(),
            origin: TagOrigin::Category,
            detail: category.clone(),
        })
        .collect();
    IncomingPost {
        entry,
        tags,
        stems: Vec::new(),
        admission: Default::default(),
    }
}

/// The part of the store an object belongs to, by its name.
fn part(object: &str) -> &'static str {
    if object.starts_with("posts_fts") || object.starts_with("search_") {
        "search index"
    } else if object == "posts" || object.starts_with("sqlite_autoindex_posts") {
        "posts table (bodies and columns)"
    } else if object.contains("tag") {
        "tags"
    } else if object.starts_with("posts_") || object.starts_with("idx_posts") {
        "posts' other indexes"
    } else {
        "everything else"
    }
}

fn print_breakdown(name: &str, size: &StoreSize, raw_html: u64) {
    let posts = size.posts.max(1) as f64;
    let share = |bytes: u64| {
        format!(
            "{:>8.1} MB {:>7.0} B/post {:>6.3}x raw",
            bytes as f64 / 1e6,
            bytes as f64 / posts,
            bytes as f64 / raw_html.max(1) as f64
        )
    };
    println!("{name}: breakdown");
    println!(
        "  {:<34} {}",
        "bodies' own bytes (in posts)",
        share(size.body_bytes)
    );
    let parts = [
        "posts table (bodies and columns)",
        "search index",
        "tags",
        "posts' other indexes",
        "everything else",
    ];
    for wanted in parts {
        let objects: Vec<&(String, u64)> = size
            .objects
            .iter()
            .filter(|(object, _)| part(object) == wanted)
            .collect();
        let bytes: u64 = objects.iter().map(|(_, b)| b).sum();
        println!("  {wanted:<34} {}", share(bytes));
        for (object, bytes) in objects.iter().take(6) {
            if *bytes * 200 >= size.total() {
                println!("    {object:<32} {}", share(*bytes));
            }
        }
    }
}
