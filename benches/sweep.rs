//! Fetch sweep benchmark: 10,000 sources on a local server, read by the real `syndic fetch`
//! twice at the default limits (`[fetch] concurrency = 32`, `per_host = 2`). The first
//! sweep reads every feed (200 with a body); the second sends the stored ETags and is
//! answered mostly `304 Not Modified`, with a few feeds changed (new ETag, one new item).
//! For each sweep it prints wall seconds, sources per second, CPU seconds (user + system)
//! and its share of the wall time, peak resident memory and syndic's own summary line.
//! The aim (issue 4 item 11): the sweep is bound by the politeness limits, not by syndic's
//! CPU, and memory stays under 150 MB.
//!
//! Run: `cargo bench --bench sweep`.
//! Knobs: SYNDIC_SWEEP_SOURCES (default 10000), SYNDIC_SWEEP_HOSTS (64: loopback addresses
//! 127.0.0.1 … 127.0.0.N, one listener each), SYNDIC_SWEEP_CHANGED (percent of feeds changed
//! for the second sweep, 5), SYNDIC_SWEEP_DELAY_MS (a pause before every answer, 0; 50
//! shows the politeness-bound regime).
//!
//! The server (`common/feed_server.rs`, shared with the engines bench) runs in this process
//! on one thread and answers from memory. The sources are spread over 127.0.0.1 … 127.0.0.N,
//! one listener each, because the per-host limit would otherwise serialize them, and the
//! configuration allows `127.0.0.0/8` through the SSRF guard. Where only 127.0.0.1 can be
//! bound (macOS without aliases) the bench says so and uses the addresses it got.
//!
//! CPU and peak memory come from `/usr/bin/time -v` (Debian's `time` package) when present;
//! otherwise CPU is the change in this process's waited-for children's time
//! (`/proc/self/stat` cutime + cstime) and peak memory is the child's `VmHWM`, polled.
//! It prints figures; it asserts nothing, so a slow machine never fails a build.

#[path = "common/cpu.rs"]
mod cpu;
#[path = "common/feed_server.rs"]
mod feed_server;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use feed_server::Feeds;

/// The limits syndic uses when `[fetch]` does not set them (`src/config/fetch.rs`).
const CONCURRENCY: u64 = 32;
const PER_HOST: u64 = 2;

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn write_config(
    path: &Path,
    db: &Path,
    addresses: &[SocketAddr],
    sources: u64,
) -> std::io::Result<()> {
    let toml = format!(
        "[database]\nurl = \"sqlite://{}\"\n\n[fetch]\nallow_networks = [\"127.0.0.0/8\"]\n\n{}",
        db.display(),
        feed_server::sources_toml(addresses, sources)
    );
    std::fs::write(path, toml)
}

/// What one run of `syndic fetch` cost.
struct Measured {
    wall: f64,
    cpu: Option<f64>,
    /// The system (kernel) part of `cpu`, when `/usr/bin/time` measured it.
    system: Option<f64>,
    peak_rss_kib: Option<u64>,
    /// The last line syndic printed ("fetched … sources in …").
    summary: String,
    stdout_lines: u64,
    stderr: String,
    success: bool,
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// A figure from `/usr/bin/time -v`'s report ("\tUser time (seconds): 1.23").
fn time_field(report: &str, name: &str) -> Option<f64> {
    report
        .lines()
        .find_map(|line| line.trim().strip_prefix(name))
        .and_then(|v| v.trim_start_matches(':').trim().parse().ok())
}

fn run_fetch(config: &Path, dir: &Path, use_time: bool) -> Result<Measured, String> {
    let syndic = env!("CARGO_BIN_EXE_syndic");
    let report = dir.join("time.txt");
    let stderr_path = dir.join("stderr.txt");
    let stderr_file = std::fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
    let mut command = if use_time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg("-o").arg(&report).arg(syndic);
        c
    } else {
        Command::new(syndic)
    };
    command
        .arg("fetch")
        .arg("--config")
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr_file);
    let cpu_before = cpu::children_cpu();
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run syndic: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        let (mut lines, mut last) = (0u64, String::new());
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            lines += 1;
            if line.starts_with("fetched ") {
                last = line;
            }
        }
        (lines, last)
    });
    let mut peak = None;
    let status = loop {
        if !use_time {
            peak = vm_hwm_kib(child.id()).max(peak);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for syndic: {e}")),
        }
    };
    let wall = started.elapsed().as_secs_f64();
    let (stdout_lines, summary) = reader.join().map_err(|_| "stdout reader stopped")?;
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let (cpu, system, peak_rss_kib) = if use_time {
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        let system = time_field(&text, "System time (seconds)");
        let cpu = time_field(&text, "User time (seconds)")
            .zip(system)
            .map(|(user, system)| user + system);
        let peak = time_field(&text, "Maximum resident set size (kbytes)").map(|kib| kib as u64);
        (cpu, system, peak)
    } else {
        let cpu = cpu::children_cpu()
            .zip(cpu_before)
            .map(|(after, before)| after - before);
        (cpu, None, peak)
    };
    Ok(Measured {
        wall,
        cpu,
        system,
        peak_rss_kib,
        summary,
        stdout_lines,
        stderr,
        success: status.success(),
    })
}

fn print_sweep(name: &str, sources: u64, m: &Measured, served: (u64, u64)) {
    println!("{name}");
    println!("  sources            {sources}");
    println!("  wall               {:.2} s", m.wall);
    println!("  sources/second     {:.0}", sources as f64 / m.wall);
    match m.cpu {
        Some(cpu) => {
            match m.system {
                Some(system) => println!(
                    "  CPU (user+sys)     {cpu:.2} s ({:.2} user + {system:.2} sys)",
                    cpu - system
                ),
                None => println!("  CPU (user+sys)     {cpu:.2} s"),
            }
            println!(
                "  CPU share of wall  {:.0} % (of one core; this machine has {})",
                100.0 * cpu / m.wall,
                std::thread::available_parallelism().map_or(1, usize::from)
            );
        }
        None => println!("  CPU (user+sys)     (unknown)"),
    }
    match m.peak_rss_kib {
        Some(kib) => println!("  peak RSS           {:.1} MB", kib as f64 / 1024.0),
        None => println!("  peak RSS           (unknown)"),
    }
    println!(
        "  server answered    {} requests, {} of them 304",
        served.0, served.1
    );
    println!("  syndic printed     {} lines; summary:", m.stdout_lines);
    println!("    {}", m.summary);
    if !m.success {
        println!("  syndic exited with a failure");
    }
    let errors: Vec<&str> = m.stderr.lines().collect();
    if !errors.is_empty() {
        println!("  stderr ({} lines), first few:", errors.len());
        for line in errors.iter().take(5) {
            println!("    {line}");
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let sources = knob("SYNDIC_SWEEP_SOURCES", 10_000).max(1);
    let hosts = knob("SYNDIC_SWEEP_HOSTS", 64).clamp(1, 254);
    let changed_percent = knob("SYNDIC_SWEEP_CHANGED", 5).min(100);
    let delay_ms = knob("SYNDIC_SWEEP_DELAY_MS", 0);

    let feeds = Arc::new(Feeds {
        changed_per_10k: changed_percent * 100,
        delay: Duration::from_millis(delay_ms),
        ..Feeds::new(5, 0)
    });
    let addresses = feed_server::start(hosts, Arc::clone(&feeds))?;
    if (addresses.len() as u64) < hosts {
        println!(
            "note: bound {} of {hosts} loopback addresses (127.0.0.2 and up need Linux)",
            addresses.len()
        );
    }
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("syndic.toml");
    write_config(&config, &dir.path().join("sweep.db"), &addresses, sources)?;

    let use_time = Command::new("/usr/bin/time")
        .args(["-v", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let slots = CONCURRENCY.min(addresses.len() as u64 * PER_HOST);
    println!(
        "{sources} sources on {} hosts; limits: concurrency {CONCURRENCY}, per_host {PER_HOST} \
         ({slots} fetches in flight at most); {changed_percent} % change for sweep 2; \
         server delay {delay_ms} ms; measured with {}",
        addresses.len(),
        if use_time {
            "/usr/bin/time -v"
        } else {
            "/proc (polled peak)"
        }
    );
    if delay_ms > 0 {
        println!(
            "politeness bound: {sources} / {slots} x {delay_ms} ms = {:.1} s per sweep",
            sources as f64 / slots as f64 * delay_ms as f64 / 1000.0
        );
    }

    for sweep in 1..=2u32 {
        feeds.sweep.store(sweep, Ordering::Relaxed);
        let before = (
            feeds.requests.load(Ordering::Relaxed),
            feeds.not_modified.load(Ordering::Relaxed),
        );
        let measured = run_fetch(&config, dir.path(), use_time)?;
        let served = (
            feeds.requests.load(Ordering::Relaxed) - before.0,
            feeds.not_modified.load(Ordering::Relaxed) - before.1,
        );
        let name = if sweep == 1 {
            "sweep 1 (every feed new: 200 with a body)"
        } else {
            "sweep 2 (conditional: mostly 304)"
        };
        print_sweep(name, sources, &measured, served);
    }
    Ok(())
}
