//! Where the tests find `../shared`: the real feeds, seed archives and benchmark data kept
//! beside the repository and never copied into it. One file for the whole workspace: the
//! root tests reach it through `common`, other crates' tests include it with `#[path]`, so
//! every lookup honours the same rules.
//!
//! - The folder is `shared` beside the workspace, or beside the folder that holds it (a
//!   git worktree one level down); a fresh clone has none, and the tests that need it skip
//!   with a printed reason.
//! - `SYNDIC_NO_SHARED=1` hides it even where it exists, so that the suite can be run as a
//!   newcomer's clone runs it (`.ci/run` does, after the normal run). It wins over
//!   `SYNDIC_CORPUS_DIR`.
//! - `SYNDIC_CORPUS_DIR` points the real-feed corpus elsewhere.

#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};

/// The environment variable that hides the shared folder.
pub const HIDE_SHARED: &str = "SYNDIC_NO_SHARED";

/// Whether [`HIDE_SHARED`] is set (to anything but empty or `0`).
pub fn shared_hidden() -> bool {
    std::env::var_os(HIDE_SHARED).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The shared folder, unless it is absent or hidden.
pub fn shared_dir() -> Option<PathBuf> {
    if shared_hidden() {
        return None;
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .unwrap_or(manifest);
    workspace
        .ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join("shared"))
        .find(|dir| dir.is_dir())
}

/// `relative` inside the shared folder (`"fixtures/seed-feeds"`), when it is there.
pub fn shared_path(relative: &str) -> Option<PathBuf> {
    shared_dir()
        .map(|dir| dir.join(relative))
        .filter(|path| path.exists())
}

/// The real-feed corpus: `$SYNDIC_CORPUS_DIR`, else `corpus/real` in the shared folder;
/// `None` when the shared folder is hidden.
pub fn corpus_dir() -> Option<PathBuf> {
    if shared_hidden() {
        return None;
    }
    match std::env::var_os("SYNDIC_CORPUS_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => shared_path("corpus/real"),
    }
}

/// Why a test that needs `what` from the shared folder skips, to print before returning.
pub fn skip_reason(what: &str) -> String {
    if shared_hidden() {
        format!("skipping: {HIDE_SHARED} hides the shared folder, so {what} cannot be read")
    } else {
        format!(
            "skipping: no ../shared beside the workspace (a fresh clone has none), so {what} \
             cannot be read"
        )
    }
}
