//! Site benchmark: fills a store with 100,000 posts across 1,000 tags, serves it with the
//! real `syndic serve` (default `[server]` settings: the page cache on), and measures it with
//! `wrk` (Debian's package): requests per second and p50/p99 latency for a tag archive page,
//! a post page, a tag feed and a search; then, in the same run:
//! - the cached tag archive page at 16 connections beside nginx (Debian's package) serving
//!   the same bytes from a file, and their ratio;
//! - `/` latency while eight clients run searches: deep ones (refused before any query) and
//!   costly ones (a word nearly every post has, on the deepest page served);
//! - the page cache's counters (stamp reads per request) and the server's resident memory.
//!
//! Run: `cargo bench --bench site` (needs `wrk` on PATH; `apt-get install wrk nginx`; a
//! missing nginx skips that comparison with the reason).
//! Knobs: SYNDIC_BENCH_POSTS (default 100000), SYNDIC_BENCH_TAGS (1000),
//! SYNDIC_BENCH_SECONDS per URL (10), SYNDIC_BENCH_CONNECTIONS (a list, "1,16"), SYNDIC_BENCH_DB (a
//! database file to fill once and reuse on later runs; a temporary one by default).
//! It prints figures; it asserts nothing, so a slow machine never fails a build.

#[path = "common/fill.rs"]
mod fill;
#[path = "common/peers.rs"]
mod peers;

use std::process::Command;
use std::time::Instant;

use syndic_store::Store;

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Where `path` redirects to (the post's canonical, slugged address), or `path` itself.
fn canonical(address: &str, path: &str) -> Option<String> {
    let (_, head, _) = peers::get(address, path)?;
    let location = head.lines().find_map(|line| {
        line.strip_prefix("location: ")
            .or_else(|| line.strip_prefix("Location: "))
    });
    Some(location.unwrap_or(path).trim().to_owned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("skipping: wrk is not installed (apt-get install wrk)");
        return Ok(());
    }
    let (posts, tags) = (
        knob("SYNDIC_BENCH_POSTS", 100_000),
        knob("SYNDIC_BENCH_TAGS", 1000),
    );
    let seconds = knob("SYNDIC_BENCH_SECONDS", 10);
    let connections: Vec<u64> = std::env::var("SYNDIC_BENCH_CONNECTIONS")
        .unwrap_or_else(|_| "1,16".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let dir = tempfile::tempdir()?;
    let db = std::env::var_os("SYNDIC_BENCH_DB")
        .map_or_else(|| dir.path().join("bench.db"), std::path::PathBuf::from);

    if db.exists() {
        println!("reusing the store in {}", db.display());
    } else {
        let started = Instant::now();
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(async {
            let store = Store::open_sqlite_path(&db).await?;
            fill::fill(&store, posts, tags).await?;
            store.close().await;
            Ok::<_, Box<dyn std::error::Error>>(())
        })?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "filled {posts} posts across {tags} tags in {seconds:.1}s ({:.0} posts/s)",
            posts as f64 / seconds
        );
    }

    let cache = std::env::var("SYNDIC_BENCH_PAGE_CACHE")
        .map(|size| format!("\n[server]\npage_cache = \"{size}\"\n"))
        .unwrap_or_default();
    let config = dir.path().join("syndic.toml");
    std::fs::write(
        &config,
        format!("[database]\nurl = \"sqlite://{}\"\n{cache}", db.display()),
    )?;
    let server = peers::Serve::start(&config, &[])?;
    let address = server.address.clone();

    resident("started", server.pid());
    let measured = (|| {
        pages(&address, seconds, &connections)?;
        beside_nginx(&address, dir.path(), seconds);
        resident("after the pages and nginx", server.pid());
        home_during_searches(&address, dir.path(), seconds);
        memory(&address, server.pid());
        Ok::<_, Box<dyn std::error::Error>>(())
    })();
    drop(server);
    measured
}

/// The tag archive this benchmark compares with nginx.
const ARCHIVE: &str = "/tag/tag-7/";

/// Requests per second and latency of each kind of page, at each number of connections.
fn pages(
    address: &str,
    seconds: u64,
    connections: &[u64],
) -> Result<(), Box<dyn std::error::Error>> {
    let archive = format!("http://{address}{ARCHIVE}");
    let post = format!(
        "http://{address}{}",
        canonical(address, "/post/4242/").ok_or("no post 4242")?
    );
    let cases = [
        ("tag archive page", archive.clone()),
        ("tag archive, page 20", format!("{archive}page/20/")),
        ("post page", post),
        ("tag feed (Atom)", format!("{archive}feed.atom")),
        (
            "search",
            format!("http://{address}/search?q=kubernetes+tectonic"),
        ),
    ];
    for &connections in connections {
        println!(
            "{:<24} {:>12} {:>10} {:>10}   ({seconds}s each, {connections} connections)",
            "url", "requests/s", "p50", "p99"
        );
        for (name, url) in &cases {
            report(name, peers::wrk(url, seconds, connections));
        }
    }
    Ok(())
}

fn report(name: &str, figures: Option<peers::WrkFigures>) {
    match figures {
        Some(f) if f.non_2xx > 0 => println!(
            "{name:<24} {:>12} {:>10} {:>10}   ({} of {} not 2xx/3xx)",
            f.requests_per_sec, f.p50, f.p99, f.non_2xx, f.requests
        ),
        Some(f) => println!(
            "{name:<24} {:>12} {:>10} {:>10}",
            f.requests_per_sec, f.p50, f.p99
        ),
        None => println!("{name:<24} (wrk failed)"),
    }
}

/// The cached archive page at 16 connections, then nginx serving the same bytes from a
/// file, one after the other in this run.
fn beside_nginx(address: &str, scratch: &std::path::Path, seconds: u64) {
    println!("\ncached archive page beside nginx ({seconds}s each, 16 connections)");
    let Some((200, _, body)) = peers::get(address, ARCHIVE) else {
        println!("skipping: {ARCHIVE} did not answer 200");
        return;
    };
    let root = scratch.join("site");
    let file = root
        .join(ARCHIVE.trim_start_matches('/'))
        .join("index.html");
    let written = file
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&file, &body))
        .and_then(|()| open_to_all(scratch, &file));
    if let Err(err) = written {
        println!("skipping nginx: cannot write the page: {err}");
        return;
    }
    let nginx = match peers::Nginx::start(&root) {
        Ok(nginx) => nginx,
        Err(why) => {
            println!("skipping nginx: {why}");
            return;
        }
    };
    match peers::get(&nginx.address, ARCHIVE) {
        Some((200, _, same)) if same == body => {}
        _ => println!("warning: nginx does not serve the same bytes"),
    }
    let ours = peers::wrk(&format!("http://{address}{ARCHIVE}"), seconds, 16);
    let theirs = peers::wrk(&format!("http://{}{ARCHIVE}", nginx.address), seconds, 16);
    let rate = |f: &Option<peers::WrkFigures>| {
        f.as_ref()
            .and_then(|f| f.requests_per_sec.parse::<f64>().ok())
    };
    let ratio = rate(&ours).zip(rate(&theirs)).map(|(a, b)| a / b);
    report("syndic serve (cached)", ours);
    report("nginx (same bytes)", theirs);
    if let Some(ratio) = ratio {
        println!(
            "ratio syndic/nginx: {ratio:.2}x ({} bytes a page)",
            body.len()
        );
    }
}

/// Lets nginx's workers (another user) read the page: folders 0755, the file 0644.
fn open_to_all(top: &std::path::Path, file: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644))?;
    let mut dir = file.parent();
    while let Some(folder) = dir.filter(|d| d.starts_with(top)) {
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755))?;
        dir = folder.parent();
    }
    Ok(())
}

/// `/` latency at one connection while eight clients search: first deep searches (refused
/// before any query), then costly ones (a word in nearly every post, on the deepest page
/// served, each URL new so that none comes from the page cache), with what became of the
/// searches.
fn home_during_searches(address: &str, scratch: &std::path::Path, seconds: u64) {
    let deepest = syndic_web::MAX_SEARCH_PAGE;
    println!("\n/ at 1 connection while 8 connections search ({seconds}s each)");
    report(
        "/ alone",
        peers::wrk(&format!("http://{address}/"), seconds, 1),
    );
    let deep = format!("http://{address}/search?q=the&page=100000");
    let costly = format!("http://{address}/search?q=kalo&page={deepest}");
    let loads = [
        (
            "deep (page 100000)",
            peers::Load::start(&deep, seconds + 2, 8),
        ),
        (
            "costly (q=kalo)",
            peers::Load::start_unique(&costly, scratch, seconds + 2, 8),
        ),
    ];
    for (name, load) in loads {
        std::thread::sleep(std::time::Duration::from_secs(1));
        let home = peers::wrk(&format!("http://{address}/"), seconds, 1);
        report(&format!("/ during {name}"), home);
        match load.and_then(peers::Load::finish) {
            Some(searches) => println!(
                "{:<24} {:>12} {:>10} {:>10}   ({} of {} answered 4xx/5xx: refused or busy)",
                "  the searches",
                searches.requests_per_sec,
                searches.p50,
                searches.p99,
                searches.non_2xx,
                searches.requests
            ),
            None => println!("  the searches: wrk failed"),
        }
    }
}

/// The page cache's counters and the server's resident memory after everything above.
fn memory(address: &str, pid: u32) {
    println!();
    if let Some((200, _, body)) = peers::get(address, "/metrics") {
        let text = String::from_utf8_lossy(&body);
        let hits = peers::sample(&text, "syndic_page_cache_hits_total").unwrap_or(0);
        let misses = peers::sample(&text, "syndic_page_cache_misses_total").unwrap_or(0);
        let reads = peers::sample(&text, "syndic_page_cache_stamp_reads_total").unwrap_or(0);
        let bytes = peers::sample(&text, "syndic_page_cache_bytes").unwrap_or(0);
        let asked = (hits + misses).max(1);
        println!(
            "page cache: {hits} hits, {misses} renders, {reads} stamp reads ({:.3} a request), {} KiB held",
            reads as f64 / asked as f64,
            bytes / 1024
        );
    }
    resident("at the end", pid);
}

/// Prints the server's resident memory now and at its peak.
fn resident(when: &str, pid: u32) {
    match peers::resident_kib(pid) {
        Some((now, peak)) => println!(
            "server memory {when}: {:.1} MiB resident, {:.1} MiB at peak",
            now as f64 / 1024.0,
            peak as f64 / 1024.0
        ),
        None => println!("server memory: unknown (no /proc)"),
    }
}
