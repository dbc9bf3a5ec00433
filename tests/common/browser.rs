//! Debian's headless Chromium, for the browser checks: found by name, run once per page.
//!
//! Chromium prints every console message (errors, CSP violations) to stderr as
//! `…:CONSOLE…` lines with `--enable-logging=stderr`; `--dump-dom` gives the document after
//! scripts would have run and `--virtual-time-budget` lets its images load first.

use std::path::Path;
use std::process::Command;

/// The installed Chromium's command name, `None` when there is none.
pub fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Loads `url` at `size` with its own `profile`; returns the DOM after load and the
/// console lines.
pub fn load(browser: &str, url: &str, size: &str, profile: &Path) -> (String, Vec<String>) {
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={size}"))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("run chromium");
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        console,
    )
}
