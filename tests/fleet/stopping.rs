//! A `syndic fetch` stopped early gives back the leases and slots it holds, so the next run
//! need not wait for them to run out: on Ctrl-C (SIGINT), SIGTERM, and when its standard
//! output is closed (`syndic fetch | head -1`), which used to panic holding them. SIGKILL
//! cannot be caught: that is what the leases' expiry is for.

use std::path::Path;
use std::process::{Child, Stdio};

use super::feeds::FeedServer;
use super::{PATIENCE, config, exited, ok, output_of};
use crate::common::syndic;

/// Starts `syndic fetch` on `config`, its standard error in a file beside it and its
/// standard output a pipe the caller holds.
fn fetch(config: &Path) -> Child {
    let folder = config.parent().expect("folder");
    let err = std::fs::File::create(folder.join("stderr")).expect("stderr file");
    syndic()
        .args(["fetch", "--config"])
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(err))
        .spawn()
        .expect("start a fetch")
}

/// Whether no source is leased, as `syndic sources` shows them.
fn leases_left(config: &Path) -> Vec<serde_json::Value> {
    let listed: serde_json::Value =
        serde_json::from_str(&ok(config, &["sources", "--format", "json"])).expect("JSON");
    listed
        .as_array()
        .expect("an array")
        .iter()
        .filter(|source| !source["leased_by"].is_null() || !source["leased_until"].is_null())
        .cloned()
        .collect()
}

/// Runs a fetch whose first request the server holds, stops it with `stop` once that
/// request arrived, and checks that it exited by itself (1: interrupted, not a panic) and
/// left no lease behind.
fn stopped_fetch_gives_back_its_leases(name: &str, stop: impl FnOnce(&mut Child, &FeedServer)) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("fleet.db").display());
    let server = FeedServer::start(1, Some(&format!("{name}.example")));
    let config = config(dir.path(), name, &url, &server);
    let mut child = fetch(&config);
    assert!(
        server.wait_for(PATIENCE, |seen| seen.held.is_some()),
        "the fetch made no request:\n{}",
        output_of(&config)
    );
    stop(&mut child, &server);
    let status = exited(&mut child, &config);
    server.release();
    let said = output_of(&config);
    assert_eq!(status.code(), Some(1), "interrupted, not crashed:\n{said}");
    assert!(!said.contains("panicked"), "{said}");
    let left = leases_left(&config);
    assert!(left.is_empty(), "leases left behind: {left:?}\n{said}");
}

fn signal(child: &Child, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

#[test]
fn a_fetch_stopped_by_sigint_gives_back_its_leases() {
    stopped_fetch_gives_back_its_leases("int", |child, _| signal(child, "INT"));
}

#[test]
fn a_fetch_stopped_by_sigterm_gives_back_its_leases() {
    stopped_fetch_gives_back_its_leases("term", |child, _| signal(child, "TERM"));
}

#[test]
fn a_fetch_whose_output_is_closed_gives_back_its_leases() {
    // The reader leaves: the next line the fetch writes (another source, answered while
    // the first is held) finds the pipe closed. On a machine so slow that every other
    // source was written before, the held one's own line finds it closed once let go.
    stopped_fetch_gives_back_its_leases("pipe", |child, server| {
        drop(child.stdout.take());
        std::thread::sleep(std::time::Duration::from_secs(2));
        server.release();
    });
}
