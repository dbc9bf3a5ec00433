//! `syndic build OUTDIR`: the whole site as static files.
//!
//! Pages, archives with their pagination, feeds, the OPML list, the stylesheet and the 404
//! page are rendered through the same router `syndic serve` runs (`syndic_web::static_site`)
//! and written under OUTDIR with the same URLs (`/tag/map/` → `tag/map/index.html`).
//!
//! A build reads the store's change stamp first, then compares it and the build's
//! fingerprint (site settings, theme, binary, database) with what the last build recorded
//! (`manifest`): when both are the same and every file is still there, nothing is
//! rendered. Otherwise every page is rendered on every core (`pages`), each file is written
//! only when its digest differs from the recorded one, files the site no longer has are
//! removed, and the new manifest is recorded. Nothing else in OUTDIR is touched.

mod manifest;
mod output;
mod pages;

use std::num::NonZeroUsize;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use sha2::{Digest as _, Sha256};
use syndic_store::ChangeStamp;
use syndic_web::AppState;
use syndic_web::static_site;

use crate::cli::BuildArgs;
use crate::cmd::media::StaticMedia;
use crate::cmd::open_store_read_only;
use crate::config::Config;
use manifest::{Journal, Manifest, Previous};
use pages::Shared;

/// What one build did to the output folder.
#[derive(Debug, Default)]
struct Outcome {
    written: usize,
    unchanged: usize,
    removed: usize,
    /// Whether the build found nothing to render at all.
    nothing_changed: bool,
}

pub async fn run(config: &Config, args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let store = open_store_read_only(config).await?;
    // Read before anything is listed: a change committed while the build runs leaves the
    // recorded stamp behind the store's, so the next build renders again.
    let stamp = store
        .change_stamp()
        .await
        .context("cannot read the store's change clock")?;
    let state = AppState::new(store.clone(), config.site.clone())
        .context("cannot use the theme folder (site.theme_dir)")?;
    let out = &args.outdir;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;

    // The images first: the pages name them by their type's extension.
    let media = crate::cmd::media::copy_referenced(config, &store, out).await?;
    let fingerprint = format!("{}-{}", fingerprint(config, &state), media.digest());
    let copied = media.copied;
    let previous = Previous::read(out)?;
    let outcome = if previous.is_current(&fingerprint, stamp) && all_present(out, &previous) {
        Outcome {
            unchanged: previous.files.len(),
            nothing_changed: true,
            ..Outcome::default()
        }
    } else {
        let jobs = args.jobs.map_or_else(default_jobs, NonZeroUsize::get);
        rebuild(&state, out, previous, fingerprint, stamp, jobs, media).await?
    };
    store.close().await;
    if copied > 0 {
        println!(
            "copied {copied} cached image(s) into {}",
            out.join("media").display()
        );
    }
    println!(
        "built {} files into {} in {:.1}s: {} written, {} unchanged, {} removed{}",
        outcome.written + outcome.unchanged,
        out.display(),
        started.elapsed().as_secs_f64(),
        outcome.written,
        outcome.unchanged,
        outcome.removed,
        if outcome.nothing_changed {
            " (nothing changed since the last build)"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Renders every page, writes what changed, removes what the site no longer has and
/// records the new manifest.
async fn rebuild(
    state: &AppState,
    out: &Path,
    previous: Previous,
    fingerprint: String,
    stamp: ChangeStamp,
    jobs: usize,
    media: StaticMedia,
) -> anyhow::Result<Outcome> {
    let shared = Arc::new(Shared {
        out: out.to_path_buf(),
        journal: Journal::open(out)?,
        previous,
        media,
        site_base: state.site.url("/"),
    });
    let built = pages::render_all(state, Arc::clone(&shared), jobs).await?;
    let stale = shared
        .previous
        .files
        .keys()
        .filter(|file| !built.files.contains_key(*file));
    let removed = output::remove_stale(out, stale.map(String::as_str));
    let manifest = Manifest {
        fingerprint,
        stamp,
        files: built.files,
    };
    manifest.write(out)?;
    Ok(Outcome {
        written: built.written,
        unchanged: built.unchanged,
        removed,
        nothing_changed: false,
    })
}

/// Two pages per core: while one waits for the store, the other renders.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get() * 2)
}

/// Whether every file the previous build recorded is still in `out`.
fn all_present(out: &Path, previous: &Previous) -> bool {
    previous
        .files
        .keys()
        .all(|file| output::safe_join(out, file).is_ok_and(|target| output::is_file(&target)))
}

/// What besides the store decides the files: the site's settings and theme
/// (`static_site::fingerprint`), this binary (a new build of it may render differently)
/// and the database (another store may carry the same change stamp).
fn fingerprint(config: &Config, state: &AppState) -> String {
    let binary = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|meta| format!("{} {:?}", meta.len(), meta.modified().ok()))
        .unwrap_or_default();
    let identity = format!(
        "syndic {} | {binary} | {:?}",
        env!("CARGO_PKG_VERSION"),
        config.database
    );
    let digest = Sha256::digest(identity.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", static_site::fingerprint(state))
}
