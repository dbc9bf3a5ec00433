//! Feed parsing throughput and peak memory (issue 5 item 9).
//!
//! For two corpora — the real feeds in `../shared/corpus/real/` (skipped, with a printed
//! reason, when absent) and a synthetic corpus generated deterministically at start — it
//! prints MB/s, entries/s and peak memory for four modes over the same bytes:
//!
//! 1. `scan`: a bare quick-xml pass (every event read, no tree, no decoding; JSON Feed files
//!    go through `serde_json::from_slice` to a `Value`) — the ceiling;
//! 2. `feed-rs`: `feed_rs::parser::parse` used directly;
//! 3. `read`: `syndic_feed::read_document` with `raw_html: true` — parsing alone, no
//!    sanitizing ("n/a" while it refuses every document);
//! 4. `full`: `syndic_feed::parse` — the ingest pipeline: parse + sanitize + text extraction.
//!
//! and the ratio full pipeline / feed-rs (the aim is at most 2x). Two more rows show where
//! the full pipeline's time goes: `sanitize` and `text` run `syndic_feed::sanitize_html`
//! (summary and content) and `syndic_feed::html_to_text` (content, sanitized first, as the
//! pipeline has it) alone over the bodies feed-rs found, extracted before the clock starts; their MB/s are feed bytes per second
//! spent in that stage, their "entries" the number of bodies.
//!
//! Each mode runs in a child process (this binary re-executes itself with
//! `--child MODE DIR`), which loads the corpus into memory, resets its high-water mark
//! (`/proc/self/clear_refs`), runs the mode over every file (repeating the whole corpus
//! until `SYNDIC_BENCH_MIN_SECS` have passed, at most 20 times) and reports its `VmHWM`.
//! "peak MB" is that high-water mark minus the resident size after loading the corpus, i.e.
//! the memory the parser itself needed at its worst; the absolute figure is beside it.
//! MB/s and entries/s are per CPU second of the child (user + system, from
//! `/proc/self/stat`; wall seconds where that cannot be read), so that a busy shared machine
//! does not skew them; "secs" is the wall time and "cpu%" the child's share of it.
//! Entries are counted by each mode itself (items/entries found), so they can differ.
//! Files a mode refuses are counted under "errors" (their time is still included).
//!
//! Run (release builds only; `cargo bench` uses the release profile):
//!
//! ```text
//! cargo bench -p syndic-feed --bench parse
//! SYNDIC_BENCH_MB=50 cargo bench -p syndic-feed --bench parse        # smaller synthetic corpus
//! cargo bench -p syndic-feed --bench parse -- --write-synthetic DIR  # write it, then exit
//! python3 crates/feed/benches/feedparser_bench.py --real ../shared/corpus/real --synthetic DIR
//! ```
//!
//! Knobs: `SYNDIC_BENCH_MB` (synthetic corpus size, default 200), `SYNDIC_BENCH_REAL` (the
//! real corpus folder, default `../shared/corpus/real` beside the repository),
//! `SYNDIC_BENCH_MODES` (comma-separated subset of `scan,feed-rs,read,full,sanitize,text`),
//! `SYNDIC_BENCH_CORPORA` (`real,synthetic`), `SYNDIC_BENCH_MIN_SECS` (default 1),
//! `SYNDIC_BENCH_VERBOSE` (set: each child names every file its mode refused, on stderr).
//!
//! The synthetic corpus (about 200 KB per feed): RSS 2.0 with `content:encoded` (CDATA),
//! Atom 1.0 with `type="html"` and `type="xhtml"` content (with `xml:base`), RSS 1.0 with
//! Dublin Core, JSON Feed 1.1, RSS 2.0 in ISO-8859-1, and two 700-item podcasts (iTunes
//! tags, enclosures). Post bodies are 2–20 KB of HTML: paragraphs with links, emphasis,
//! inline code and entities, lists, code blocks, headings, images, quotes and tables.
//! It prints figures and asserts nothing: a slow machine never fails a build.

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use quick_xml::events::Event;
use syndic_feed::{ReadOptions, html_to_text, sanitize_html};
use url::Url;

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

const MODES: [(&str, &str); 6] = [
    ("scan", "quick-xml scan (ceiling)"),
    ("feed-rs", "feed-rs parse"),
    ("read", "syndic read_document raw"),
    ("full", "syndic parse (full)"),
    ("sanitize", "  stage: sanitize_html"),
    ("text", "  stage: html_to_text"),
];

fn main() -> BoxResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let mode = args.get(i + 1).ok_or("--child needs MODE DIR")?;
        let dir = args.get(i + 2).ok_or("--child needs MODE DIR")?;
        return child(mode, Path::new(dir));
    }
    let megabytes: usize = env_or("SYNDIC_BENCH_MB", 200);
    if let Some(i) = args.iter().position(|a| a == "--write-synthetic") {
        let dir = PathBuf::from(args.get(i + 1).ok_or("--write-synthetic needs DIR")?);
        let (files, bytes) = write_synthetic(&dir, megabytes * 1_000_000)?;
        println!(
            "wrote {files} synthetic feeds ({:.1} MB) to {}",
            bytes as f64 / 1e6,
            dir.display()
        );
        return Ok(());
    }

    let modes = std::env::var("SYNDIC_BENCH_MODES")
        .unwrap_or_else(|_| "scan,feed-rs,read,full,sanitize,text".to_owned());
    let corpora =
        std::env::var("SYNDIC_BENCH_CORPORA").unwrap_or_else(|_| "real,synthetic".to_owned());
    let selected: Vec<(&str, &str)> = MODES
        .iter()
        .copied()
        .filter(|(m, _)| modes.split(',').any(|s| s.trim() == *m))
        .collect();

    if corpora.split(',').any(|c| c.trim() == "real") {
        let real = std::env::var("SYNDIC_BENCH_REAL").map_or_else(
            |_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real"),
            PathBuf::from,
        );
        match corpus_size(&real) {
            Ok((0, _)) | Err(_) => println!(
                "corpus real: skipped, no feed files in {} (set SYNDIC_BENCH_REAL)",
                real.display()
            ),
            Ok((files, bytes)) => {
                let title = format!("real ({files} files, {:.1} MB)", bytes as f64 / 1e6);
                run_corpus(&title, &real, &selected)?;
            }
        }
    }
    if corpora.split(',').any(|c| c.trim() == "synthetic") {
        let dir = std::env::temp_dir().join(format!("syndic-bench-{}", std::process::id()));
        let started = Instant::now();
        let result = write_synthetic(&dir, megabytes * 1_000_000).and_then(|(files, bytes)| {
            let title = format!(
                "synthetic ({files} files, {:.1} MB, generated in {:.1} s)",
                bytes as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
            run_corpus(&title, &dir, &selected)
        });
        let _ = std::fs::remove_dir_all(&dir);
        result?;
    }
    Ok(())
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The feed files of a corpus folder (everything but `MANIFEST.tsv`), sorted.
fn corpus_files(dir: &Path) -> BoxResult<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "MANIFEST.tsv"))
        .collect();
    files.sort();
    Ok(files)
}

fn corpus_size(dir: &Path) -> BoxResult<(usize, u64)> {
    let files = corpus_files(dir)?;
    let mut bytes = 0;
    for f in &files {
        bytes += std::fs::metadata(f)?.len();
    }
    Ok((files.len(), bytes))
}

/// What one child reports.
#[derive(Default)]
struct Figures {
    bytes: f64,
    entries: f64,
    errors: u64,
    files: u64,
    secs: f64,
    cpu_secs: f64,
    passes: u64,
    hwm_kb: f64,
    base_kb: f64,
    first_error: String,
}

fn run_corpus(title: &str, dir: &Path, modes: &[(&str, &str)]) -> BoxResult<()> {
    println!("\ncorpus {title}");
    println!(
        "{:<26} {:>8} {:>11} {:>9} {:>7} {:>7} {:>5} {:>6} {:>14}",
        "mode", "MB/s", "entries/s", "entries", "errors", "secs", "cpu%", "passes", "peak MB (abs)"
    );
    let exe = std::env::current_exe()?;
    let mut rates = Vec::new();
    for (mode, label) in modes {
        let output = Command::new(&exe)
            .arg("--child")
            .arg(mode)
            .arg(dir)
            .stderr(std::process::Stdio::inherit())
            .output()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let Some(figures) = stdout.lines().find_map(parse_result_line) else {
            println!("{label:<26} n/a (child failed: {})", output.status);
            continue;
        };
        if figures.errors == figures.files {
            println!(
                "{label:<26} n/a (every file refused: {})",
                figures.first_error
            );
            continue;
        }
        // Rates per CPU second of the child when it could be read (the machine may be shared).
        let secs = if figures.cpu_secs > 0.0 {
            figures.cpu_secs
        } else {
            figures.secs
        };
        let mbps = figures.bytes / 1e6 / secs;
        rates.push((*mode, mbps));
        println!(
            "{label:<26} {mbps:>8.1} {:>11.0} {:>9.0} {:>7} {:>7.2} {:>5.0} {:>6} {:>6.1} ({:>5.1})",
            figures.entries / secs,
            figures.entries / figures.passes as f64,
            figures.errors,
            figures.secs,
            100.0 * figures.cpu_secs / figures.secs,
            figures.passes,
            (figures.hwm_kb - figures.base_kb).max(0.0) / 1024.0,
            figures.hwm_kb / 1024.0,
        );
    }
    let rate = |m: &str| rates.iter().find(|(n, _)| *n == m).map(|(_, r)| *r);
    if let Some(feed_rs) = rate("feed-rs") {
        for (mode, what) in [("read", "parse alone"), ("full", "full pipeline")] {
            if let Some(r) = rate(mode) {
                println!(
                    "time {what} / feed-rs: {:.2}x{}",
                    feed_rs / r,
                    if mode == "full" { " (aim <= 2x)" } else { "" }
                );
            }
        }
    }
    Ok(())
}

fn parse_result_line(line: &str) -> Option<Figures> {
    let rest = line.strip_prefix("RESULT ")?;
    let mut f = Figures::default();
    for field in rest.split('\t') {
        let (key, value) = field.split_once('=')?;
        let number = || value.parse::<f64>().unwrap_or(0.0);
        match key {
            "bytes" => f.bytes = number(),
            "entries" => f.entries = number(),
            "errors" => f.errors = number() as u64,
            "files" => f.files = number() as u64,
            "secs" => f.secs = number(),
            "cpu_secs" => f.cpu_secs = number(),
            "passes" => f.passes = number() as u64,
            "hwm_kb" => f.hwm_kb = number(),
            "base_kb" => f.base_kb = number(),
            "first_error" => f.first_error = value.to_owned(),
            _ => {}
        }
    }
    (f.secs > 0.0 && f.passes > 0).then_some(f)
}

// ---------------------------------------------------------------------------------------
// The child: one mode over one corpus.

fn child(mode: &str, dir: &Path) -> BoxResult<()> {
    let verbose = std::env::var_os("SYNDIC_BENCH_VERBOSE").is_some();
    let mut docs = Vec::new();
    let mut names = Vec::new();
    for path in corpus_files(dir)? {
        docs.push(std::fs::read(&path)?);
        names.push(path.file_name().map(|n| n.to_string_lossy().into_owned()));
    }
    // Panics inside a parser are counted as errors, silently.
    std::panic::set_hook(Box::new(|_| {}));
    // The stage modes work on the HTML bodies feed-rs finds, extracted (and for `text`
    // sanitized) before the clock.
    let base = Url::parse("https://example.com/feed/")?;
    let bodies: Vec<Vec<String>> = docs
        .iter()
        .map(|doc| {
            if mode != "sanitize" && mode != "text" {
                return Vec::new();
            }
            let Ok(Ok(feed)) = catch_unwind(|| feed_rs::parser::parse(doc.as_slice())) else {
                return Vec::new();
            };
            let mut found = Vec::new();
            for entry in feed.entries {
                if let Some(body) = entry.content.and_then(|c| c.body) {
                    // The pipeline lays out sanitized content.
                    found.push(if mode == "text" {
                        sanitize_html(&body, Some(&base))
                    } else {
                        body
                    });
                }
                if mode == "sanitize"
                    && let Some(summary) = entry.summary
                {
                    found.push(summary.content);
                }
            }
            found
        })
        .collect();
    let min_secs: f64 = env_or("SYNDIC_BENCH_MIN_SECS", 1.0);
    let base_kb = proc_status_kb("VmRSS").unwrap_or(0.0);
    // Start the high-water mark afresh, from the loaded corpus (Linux >= 4.0).
    let _ = std::fs::write("/proc/self/clear_refs", "5");

    let (mut bytes, mut entries, mut errors, mut passes) = (0usize, 0usize, 0usize, 0u64);
    let mut first_error = String::new();
    let cpu_started = cpu_seconds();
    let started = Instant::now();
    while passes < 20 {
        for ((doc, name), html) in docs.iter().zip(&names).zip(&bodies) {
            bytes += doc.len();
            match catch_unwind(AssertUnwindSafe(|| run_mode(mode, doc, html, &base))) {
                Ok(Ok(n)) => entries += n,
                Ok(Err(message)) => {
                    if verbose && passes == 0 {
                        eprintln!("{mode}: {}: {message}", name.as_deref().unwrap_or("?"));
                    }
                    errors += 1;
                    if first_error.is_empty() {
                        first_error = message;
                    }
                }
                Err(_) => {
                    errors += 1;
                    if first_error.is_empty() {
                        first_error = "panic".to_owned();
                    }
                }
            }
        }
        passes += 1;
        if started.elapsed().as_secs_f64() >= min_secs {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu_secs = match (cpu_started, cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => 0.0,
    };
    let hwm_kb = proc_status_kb("VmHWM").unwrap_or(0.0);
    let first_error: String = first_error
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    println!(
        "RESULT bytes={bytes}\tentries={entries}\terrors={}\tfiles={}\tsecs={secs}\tcpu_secs={cpu_secs}\tpasses={passes}\thwm_kb={hwm_kb}\tbase_kb={base_kb}\tfirst_error={first_error}",
        errors as u64 / passes,
        docs.len(),
    );
    Ok(())
}

/// Runs one mode over one document: the number of entries found, or why it was refused.
fn run_mode(mode: &str, doc: &[u8], bodies: &[String], base: &Url) -> Result<usize, String> {
    match mode {
        "sanitize" => {
            for html in bodies {
                std::hint::black_box(sanitize_html(html, Some(base)));
            }
            Ok(bodies.len())
        }
        "text" => {
            for html in bodies {
                std::hint::black_box(html_to_text(html));
            }
            Ok(bodies.len())
        }
        "scan" => scan(doc),
        "feed-rs" => feed_rs::parser::parse(doc)
            .map(|feed| feed.entries.len())
            .map_err(|e| e.to_string()),
        "read" => {
            let options = ReadOptions {
                base_url: Some(base.clone()),
                content_type: None,
                raw_html: true,
                max_entries: None,
            };
            syndic_feed::read_document(doc, &options)
                .map(|d| d.entries.len())
                .map_err(|e| e.to_string())
        }
        "full" => syndic_feed::parse(doc, Some(base))
            .map(|p| p.entries.len())
            .map_err(|e| e.to_string()),
        other => Err(format!("unknown mode {other}")),
    }
}

/// The ceiling: every XML event read (no tree, no unescaping), items and entries counted;
/// a document that is not UTF-8 is decoded first (BOM, else the declared encoding, else
/// windows-1252), as any reader must. A JSON document is read into a `serde_json::Value`.
fn scan(doc: &[u8]) -> Result<usize, String> {
    let body = doc.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(doc);
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        return Ok(value
            .get("items")
            .and_then(|i| i.as_array())
            .map_or(0, Vec::len));
    }
    let text = decoded(body);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut entries = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.local_name();
                if name.as_ref() == "item" || name.as_ref() == "entry" {
                    entries += 1;
                }
            }
            Ok(Event::Eof) => return Ok(entries),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// The document as UTF-8 text: borrowed when it already is.
fn decoded(body: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(body) {
        return encoding.decode_without_bom_handling(&body[bom..]).0;
    }
    if let Ok(text) = std::str::from_utf8(body) {
        return text.into();
    }
    let head = &body[..body.len().min(512)];
    let declared = head
        .windows(9)
        .position(|w| w == b"encoding=")
        .and_then(|at| {
            let rest = head.get(at + 10..)?;
            let end = rest.iter().position(|&b| b == b'"' || b == b'\'')?;
            encoding_rs::Encoding::for_label(&rest[..end])
        })
        .filter(|e| *e != encoding_rs::UTF_8)
        .unwrap_or(encoding_rs::WINDOWS_1252);
    declared.decode_without_bom_handling(body).0
}

/// This process's user + system CPU time (`/proc/self/stat`, in clock ticks of 1/100 s as
/// on every Linux this runs on), in seconds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// A `kB` line of `/proc/self/status` (Linux), in kB.
fn proc_status_kb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))?;
    line[key.len() + 1..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

// ---------------------------------------------------------------------------------------
// The synthetic corpus.

/// Writes the synthetic corpus (at least `target` bytes) into `dir`: (files, bytes).
fn write_synthetic(dir: &Path, target: usize) -> BoxResult<(usize, usize)> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng(0x5EED_F33D);
    let (mut files, mut bytes) = (0usize, 0usize);
    let mut index = 0usize;
    while bytes < target {
        let (name, body) = synthetic_feed(&mut rng, index);
        std::fs::write(dir.join(format!("{index:05}-{name}")), &body)?;
        bytes += body.len();
        files += 1;
        index += 1;
    }
    Ok((files, bytes))
}

/// Feed number `index`: its file name suffix and bytes.
fn synthetic_feed(rng: &mut Rng, index: usize) -> (&'static str, Vec<u8>) {
    // Two big podcasts early on, so that even small corpora have them.
    if index == 3 || index == 40 {
        return (
            "podcast.xml",
            rss2(rng, index, 700, Flavour::Podcast).into_bytes(),
        );
    }
    let items = 10 + rng.below(31);
    match rng.below(100) {
        0..35 => (
            "rss2.xml",
            rss2(rng, index, items, Flavour::Blog).into_bytes(),
        ),
        35..55 => ("atom-html.xml", atom(rng, index, items, false).into_bytes()),
        55..65 => ("atom-xhtml.xml", atom(rng, index, items, true).into_bytes()),
        65..75 => ("rss1.rdf", rss1(rng, index, items).into_bytes()),
        75..90 => ("feed.json", json_feed(rng, index, items)),
        _ => (
            "latin1.xml",
            // Every character of a Latin-1 feed is below U+0100 by construction.
            rss2(rng, index, items, Flavour::Latin1)
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
        ),
    }
}

/// splitmix64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "with",
    "was",
    "on",
    "be",
    "by",
    "this",
    "are",
    "from",
    "at",
    "or",
    "an",
    "have",
    "not",
    "which",
    "but",
    "we",
    "all",
    "can",
    "data",
    "feed",
    "server",
    "cache",
    "query",
    "index",
    "thread",
    "memory",
    "parser",
    "release",
    "version",
    "update",
    "latency",
    "request",
    "token",
    "build",
    "module",
    "function",
    "library",
    "network",
    "error",
    "value",
    "record",
    "schema",
    "stream",
    "buffer",
    "message",
    "compiler",
    "runtime",
    "kernel",
    "process",
    "signal",
    "driver",
    "storage",
    "backup",
    "cluster",
    "metric",
    "window",
    "layout",
    "render",
    "font",
    "garden",
    "river",
    "mountain",
    "coffee",
    "morning",
    "journey",
    "history",
    "museum",
    "recipe",
    "season",
    "harvest",
    "bicycle",
    "weekend",
    "village",
    "market",
    "letter",
    "summer",
    "winter",
    "autumn",
    "spring",
    "quietly",
    "quickly",
    "finally",
    "because",
    "although",
    "between",
    "through",
    "without",
    "another",
    "several",
    "interesting",
    "important",
    "different",
];
/// Words with Latin-1 letters, in every flavour.
const LATIN1_WORDS: &[&str] = &[
    "café",
    "naïve",
    "façade",
    "résumé",
    "Zürich",
    "señor",
    "déjà",
    "über",
    "crème",
    "brûlée",
    "jalapeño",
    "smörgåsbord",
    "Ångström",
    "garçon",
    "Köln",
    "mañana",
];
/// Beyond Latin-1: UTF-8 feeds only.
const WIDE_WORDS: &[&str] = &[
    "—",
    "“quoted”",
    "…",
    "東京",
    "Пример",
    "€",
    "naïve’s",
    "καλημέρα",
];
const HTML_ENTITIES: &[&str] = &["&mdash;", "&hellip;", "&rsquo;", "&nbsp;", "&eacute;"];
const NUMERIC_ENTITIES: &[&str] = &["&#8212;", "&#8230;", "&#8217;", "&#160;", "&#233;"];
const CODE_LINES: &[&str] = &[
    "let total = items.iter().filter(|x| x.len() < 3 && x.ok()).count();",
    "if (a < b && b > c) { return \"<done>\"; }",
    "for i in 0..n { buf.push(i as u8); }",
    "SELECT id, title FROM posts WHERE score >= 10 AND tag = 'rust';",
    "curl -s https://example.com/api?q=1&page=2 | jq '.items[]'",
    "    println!(\"{} & {}\", left, right);",
];

#[derive(Clone, Copy, PartialEq)]
enum Flavour {
    Blog,
    Latin1,
    Podcast,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// How post text may be written.
#[derive(Clone, Copy)]
struct Style {
    /// Only characters below U+0100.
    latin1: bool,
    /// Well-formed XML: numeric entities only (void elements are always self-closed).
    xhtml: bool,
}

fn words(rng: &mut Rng, n: usize, style: Style) -> String {
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        let roll = rng.below(100);
        out.push_str(if roll < 4 {
            rng.pick(LATIN1_WORDS)
        } else if roll < 6 && !style.latin1 {
            rng.pick(WIDE_WORDS)
        } else {
            rng.pick(WORDS)
        });
    }
    out
}

/// `min` to `min + extra` words.
fn some_words(rng: &mut Rng, min: usize, extra: usize, style: Style) -> String {
    let n = min + rng.below(extra + 1);
    words(rng, n, style)
}

fn title(rng: &mut Rng, style: Style) -> String {
    let n = 3 + rng.below(8);
    let mut t = words(rng, n, style);
    if let Some(first) = t.get(..1) {
        let upper = first.to_ascii_uppercase();
        t.replace_range(..1, &upper);
    }
    t
}

fn link(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!(
            "/{}/{:02}/{}.html",
            2015 + rng.below(10),
            1 + rng.below(12),
            rng.pick(WORDS)
        ),
        1 => format!(
            "https://en.example.org/wiki/{}_{}",
            rng.pick(WORDS),
            rng.below(1000)
        ),
        _ => format!(
            "https://www.example{}.com/{}/{}?ref=feed&amp;utm_source=rss",
            rng.below(50),
            rng.pick(WORDS),
            rng.below(100_000)
        ),
    }
}

fn sentence(rng: &mut Rng, out: &mut String, style: Style) {
    let n = 8 + rng.below(18);
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        match rng.below(40) {
            0 => {
                let href = link(rng);
                let text = some_words(rng, 1, 4, style);
                let _ = write!(out, "<a href=\"{href}\">{text}</a>");
            }
            1 => {
                let _ = write!(out, "<em>{}</em>", some_words(rng, 1, 3, style));
            }
            2 => {
                let _ = write!(out, "<strong>{}</strong>", some_words(rng, 1, 3, style));
            }
            3 => {
                let _ = write!(
                    out,
                    "<code>{}_{}()</code>",
                    rng.pick(WORDS),
                    rng.pick(WORDS)
                );
            }
            4 => out.push_str("&amp;"),
            5 => out.push_str(if style.xhtml {
                rng.pick(NUMERIC_ENTITIES)
            } else {
                rng.pick(HTML_ENTITIES)
            }),
            _ => out.push_str(&words(rng, 1, style)),
        }
    }
    out.push_str(". ");
}

/// A post body of `min` to `min + extra` bytes of HTML (a little more: whole blocks).
fn post_html(rng: &mut Rng, min: usize, extra: usize, style: Style) -> String {
    let size = min + rng.below(extra + 1);
    let mut out = String::with_capacity(size + 2048);
    while out.len() < size {
        match rng.below(100) {
            0..50 => {
                out.push_str("<p>");
                for _ in 0..2 + rng.below(5) {
                    sentence(rng, &mut out, style);
                }
                out.push_str("</p>\n");
            }
            50..60 => {
                let tag = if rng.below(2) == 0 { "ul" } else { "ol" };
                let _ = write!(out, "<{tag}>");
                for _ in 0..2 + rng.below(6) {
                    out.push_str("<li>");
                    sentence(rng, &mut out, style);
                    out.push_str("</li>");
                }
                let _ = writeln!(out, "</{tag}>");
            }
            60..70 => {
                out.push_str("<pre><code>");
                for _ in 0..3 + rng.below(12) {
                    out.push_str(&escape(rng.pick(CODE_LINES)));
                    out.push('\n');
                }
                out.push_str("</code></pre>\n");
            }
            70..78 => {
                let h = 2 + rng.below(2);
                let _ = writeln!(out, "<h{h}>{}</h{h}>", title(rng, style));
            }
            78..85 => {
                let src = if rng.below(3) == 0 {
                    format!("/images/{}.png", rng.below(10_000))
                } else {
                    format!(
                        "https://cdn.example.net/img/{}/{}.jpg",
                        rng.below(100),
                        rng.below(10_000)
                    )
                };
                let alt = some_words(rng, 2, 5, style);
                let _ = writeln!(
                    out,
                    "<p><img src=\"{src}\" alt=\"{alt}\" width=\"640\" height=\"480\" /><br />{}</p>",
                    words(rng, 4, style)
                );
            }
            85..95 => {
                out.push_str("<blockquote><p>");
                sentence(rng, &mut out, style);
                sentence(rng, &mut out, style);
                out.push_str("</p></blockquote>\n");
            }
            _ => {
                out.push_str("<table><tr><th>name</th><th>value</th><th>note</th></tr>");
                for _ in 0..2 + rng.below(6) {
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                        rng.pick(WORDS),
                        rng.below(100_000),
                        words(rng, 3, style)
                    );
                }
                out.push_str("</table>\n");
            }
        }
    }
    out
}

/// Seconds since the epoch of item `i` of feed `index`, newest first.
fn when(rng: &mut Rng, index: usize, i: usize) -> chrono::DateTime<chrono::Utc> {
    let ts =
        1_730_000_000 - (index as i64 * 7_919) - (i as i64 * 86_400) - rng.below(80_000) as i64;
    chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default()
}

fn rss2(rng: &mut Rng, index: usize, items: usize, flavour: Flavour) -> String {
    let style = Style {
        latin1: flavour == Flavour::Latin1,
        xhtml: false,
    };
    let site = format!("https://blog{index}.example.com");
    let mut out = String::new();
    let encoding = if style.latin1 { "ISO-8859-1" } else { "UTF-8" };
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"{encoding}\"?>");
    out.push_str(
        "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" \
         xmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\">\n<channel>\n",
    );
    let _ = writeln!(
        out,
        "<title>{}</title>\n<link>{site}/</link>\n<description>{}</description>\n\
         <language>en-us</language>\n<lastBuildDate>{}</lastBuildDate>\n\
         <atom:link href=\"{site}/feed/\" rel=\"self\" type=\"application/rss+xml\"/>\n\
         <generator>bench 1.0</generator>",
        escape(&title(rng, style)),
        escape(&words(rng, 12, style)),
        when(rng, index, 0).to_rfc2822()
    );
    if flavour == Flavour::Podcast {
        let _ = writeln!(
            out,
            "<itunes:author>{}</itunes:author><itunes:explicit>no</itunes:explicit>\
             <itunes:image href=\"{site}/cover.jpg\"/><itunes:category text=\"Technology\"/>",
            escape(&title(rng, style))
        );
    }
    for i in 0..items {
        let t = escape(&title(rng, style));
        let slug = format!("{site}/{}/post-{i}", 2024 - i / 300);
        let date = when(rng, index, i).to_rfc2822();
        out.push_str("<item>\n");
        let _ = writeln!(
            out,
            "<title>{t}</title>\n<link>{slug}</link>\n<pubDate>{date}</pubDate>"
        );
        let _ = writeln!(
            out,
            "<dc:creator>{}</dc:creator>",
            escape(&title(rng, style))
        );
        if rng.below(5) != 0 {
            let _ = writeln!(out, "<guid isPermaLink=\"false\">{slug}#{index}-{i}</guid>");
        }
        for _ in 0..rng.below(4) {
            let _ = writeln!(out, "<category>{}</category>", rng.pick(WORDS));
        }
        if flavour == Flavour::Podcast {
            let notes = post_html(rng, 300, 1_200, style);
            let _ = writeln!(
                out,
                "<description><![CDATA[{notes}]]></description>\n\
                 <enclosure url=\"{site}/media/episode-{i}.mp3\" length=\"{}\" type=\"audio/mpeg\"/>\n\
                 <itunes:duration>{}:{:02}:{:02}</itunes:duration>\n<itunes:summary>{}</itunes:summary>\n\
                 <itunes:episode>{}</itunes:episode>",
                10_000_000 + rng.below(90_000_000),
                rng.below(2),
                rng.below(60),
                rng.below(60),
                escape(&words(rng, 30, style)),
                items - i
            );
        } else {
            let body = post_html(rng, 2_000, 18_000, style);
            let summary = words(rng, 40, style);
            let _ = writeln!(
                out,
                "<description>{}</description>\n<content:encoded><![CDATA[{body}]]></content:encoded>\n\
                 <slash:comments>{}</slash:comments>",
                escape(&format!("<p>{summary}&hellip;</p>")),
                rng.below(50)
            );
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn atom(rng: &mut Rng, index: usize, items: usize, xhtml: bool) -> String {
    let style = Style {
        latin1: false,
        xhtml,
    };
    let site = format!("https://journal{index}.example.org");
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        out,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\" xml:base=\"{site}/\">\n\
         <title type=\"text\">{}</title>\n<subtitle type=\"html\">{}</subtitle>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"/\"/>\n\
         <link rel=\"self\" href=\"{site}/atom.xml\"/>\n<id>tag:journal{index}.example.org,2024:feed</id>\n\
         <updated>{}</updated>\n<author><name>{}</name><email>me@example.org</email></author>",
        escape(&title(rng, style)),
        escape(&format!("<em>{}</em>", words(rng, 8, style))),
        when(rng, index, 0).to_rfc3339(),
        escape(&title(rng, style)),
    );
    for i in 0..items {
        let date = when(rng, index, i).to_rfc3339();
        let _ = writeln!(
            out,
            "<entry>\n<title type=\"html\">{}</title>\n<link rel=\"alternate\" href=\"posts/{i}.html\"/>\n\
             <id>tag:journal{index}.example.org,2024:post-{i}</id>\n<published>{date}</published>\n\
             <updated>{date}</updated>",
            escape(&title(rng, style))
        );
        for _ in 0..rng.below(4) {
            let _ = writeln!(out, "<category term=\"{}\"/>", rng.pick(WORDS));
        }
        let _ = writeln!(
            out,
            "<summary type=\"text\">{}</summary>",
            escape(&words(rng, 40, style))
        );
        let body = post_html(rng, 2_000, 18_000, style);
        if xhtml {
            let _ = writeln!(
                out,
                "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">{body}</div></content>"
            );
        } else {
            let _ = writeln!(out, "<content type=\"html\">{}</content>", escape(&body));
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn rss1(rng: &mut Rng, index: usize, items: usize) -> String {
    let style = Style {
        latin1: false,
        xhtml: false,
    };
    let site = format!("https://notes{index}.example.net");
    let mut out = String::new();
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF \
         xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n",
    );
    let _ = writeln!(
        out,
        "<channel rdf:about=\"{site}/index.rdf\">\n<title>{}</title>\n<link>{site}/</link>\n\
         <description>{}</description>\n<dc:date>{}</dc:date>\n<items><rdf:Seq>",
        escape(&title(rng, style)),
        escape(&words(rng, 12, style)),
        when(rng, index, 0).to_rfc3339()
    );
    for i in 0..items {
        let _ = writeln!(out, "<rdf:li rdf:resource=\"{site}/{i}.html\"/>");
    }
    out.push_str("</rdf:Seq></items>\n</channel>\n");
    for i in 0..items {
        let body = post_html(rng, 2_000, 18_000, style);
        let _ = writeln!(
            out,
            "<item rdf:about=\"{site}/{i}.html\">\n<title>{}</title>\n<link>{site}/{i}.html</link>\n\
             <description>{}</description>\n<dc:creator>{}</dc:creator>\n<dc:subject>{}</dc:subject>\n\
             <dc:date>{}</dc:date>\n<content:encoded><![CDATA[{body}]]></content:encoded>\n</item>",
            escape(&title(rng, style)),
            escape(&words(rng, 40, style)),
            escape(&title(rng, style)),
            rng.pick(WORDS),
            when(rng, index, i).to_rfc3339()
        );
    }
    out.push_str("</rdf:RDF>\n");
    out
}

fn json_feed(rng: &mut Rng, index: usize, items: usize) -> Vec<u8> {
    let style = Style {
        latin1: false,
        xhtml: false,
    };
    let site = format!("https://micro{index}.example.com");
    let entries: Vec<serde_json::Value> = (0..items)
        .map(|i| {
            let tags: Vec<&str> = (0..rng.below(4)).map(|_| rng.pick(WORDS)).collect();
            let mut item = serde_json::json!({
                "id": format!("{site}/{i}"),
                "url": format!("{site}/{i}.html"),
                "title": title(rng, style),
                "summary": words(rng, 30, style),
                "content_html": post_html(rng, 2_000, 18_000, style),
                "date_published": when(rng, index, i).to_rfc3339(),
                "authors": [{"name": title(rng, style)}],
                "tags": tags,
            });
            if rng.below(10) == 0 {
                item["attachments"] = serde_json::json!([{
                    "url": format!("{site}/media/{i}.m4a"),
                    "mime_type": "audio/x-m4a",
                    "size_in_bytes": 1_000_000 + rng.below(9_000_000),
                }]);
            }
            item
        })
        .collect();
    let feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": title(rng, style),
        "home_page_url": format!("{site}/"),
        "feed_url": format!("{site}/feed.json"),
        "description": words(rng, 12, style),
        "language": "en",
        "items": entries,
    });
    serde_json::to_vec_pretty(&feed).unwrap_or_default()
}
