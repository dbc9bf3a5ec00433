//! `syndic build OUTDIR`: the whole site as static files.
//!
//! Pages, archives with their pagination, feeds, the OPML list and the stylesheet are
//! rendered through the same router `syndic serve` runs and written under OUTDIR with the
//! same URLs (`/tag/map/` → `tag/map/index.html`). A file whose bytes did not change is not
//! rewritten, and files an earlier build wrote that the site no longer has are removed
//! (the list lives in OUTDIR/.syndic-build); nothing else in OUTDIR is touched.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use syndic_web::static_site::{self, SitePath};

use crate::cli::BuildArgs;
use crate::cmd::open_store_read_only;
use crate::cmd::progress::progress_bar;
use crate::config::Config;

/// Where a build lists the files it wrote, so the next one can remove stale ones.
const MANIFEST: &str = ".syndic-build";

/// What one build did to the output folder.
#[derive(Debug, Default)]
struct Outcome {
    written: usize,
    unchanged: usize,
    removed: usize,
}

pub async fn run(config: &Config, args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let store = open_store_read_only(config).await?;
    let state = syndic_web::AppState::new(store.clone(), config.site.clone())
        .context("cannot use the theme folder (site.theme_dir)")?;
    let site = syndic_web::router(state.clone());
    let paths = static_site::paths(&state)
        .await
        .context("cannot list the site's pages")?;
    let out = &args.outdir;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;

    let mut outcome = Outcome::default();
    let mut files = BTreeSet::new();
    let progress = progress_bar(paths.len(), "building", "pages");
    for path in &paths {
        let body = static_site::render(&site, &path.url).await?;
        write(out, path, &body, &mut outcome)?;
        files.insert(path.file.clone());
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let not_found = SitePath {
        url: "/404".into(),
        file: "404.html".into(),
    };
    write(
        out,
        &not_found,
        &static_site::not_found_page(&site).await?,
        &mut outcome,
    )?;
    files.insert(not_found.file);
    outcome.removed = remove_stale(out, &files)?;
    store.close().await;
    println!(
        "built {} files into {} in {:.1}s: {} written, {} unchanged, {} removed",
        files.len(),
        out.display(),
        started.elapsed().as_secs_f64(),
        outcome.written,
        outcome.unchanged,
        outcome.removed
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes `body` to the path's file unless it already holds exactly those bytes.
fn write(out: &Path, path: &SitePath, body: &[u8], outcome: &mut Outcome) -> anyhow::Result<()> {
    let target = safe_join(out, &path.file)?;
    if std::fs::read(&target).is_ok_and(|existing| existing == body) {
        outcome.unchanged += 1;
        return Ok(());
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(&target, body).with_context(|| format!("cannot write {}", target.display()))?;
    outcome.written += 1;
    Ok(())
}

/// `out/file`, refusing anything that would land outside `out`.
fn safe_join(out: &Path, file: &str) -> anyhow::Result<PathBuf> {
    let relative = Path::new(file);
    let plain = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        bail!("refusing to write {file:?}: it is not a plain relative path");
    }
    Ok(out.join(relative))
}

/// Removes the files the previous build wrote that this one did not, then records this
/// build's list.
fn remove_stale(out: &Path, files: &BTreeSet<String>) -> anyhow::Result<usize> {
    let manifest = out.join(MANIFEST);
    let previous = std::fs::read_to_string(&manifest).unwrap_or_default();
    let mut removed = 0;
    for stale in previous
        .lines()
        .filter(|line| !line.is_empty() && !files.contains(*line))
    {
        let Ok(target) = safe_join(out, stale) else {
            continue;
        };
        if std::fs::remove_file(&target).is_ok() {
            removed += 1;
        }
    }
    let list: String = files.iter().map(|file| format!("{file}\n")).collect();
    std::fs::write(&manifest, list)
        .with_context(|| format!("cannot write {}", manifest.display()))?;
    Ok(removed)
}
