//! Every page rendered, on every core, and written only when its bytes changed.
//!
//! The site map hands out URLs in batches; each becomes a task on the multi-thread
//! runtime that renders it through the router (CPU work: templates, and the store's
//! queries on its own connection threads), then moves to the blocking pool to digest the
//! bytes, compare the digest with the previous build's and, only when they differ or the
//! file is gone, write the file. At most `jobs` pages are in flight, so memory holds at
//! most `jobs` pages whatever the size of the site.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use indicatif::ProgressBar;
use syndic_web::AppState;
use syndic_web::static_site::{Renderer, SiteMap, SitePage};
use tokio::task::{JoinError, JoinSet};

use super::manifest::{Digest, Journal, Previous, digest};
use super::output;
use crate::cmd::media::StaticMedia;
use crate::cmd::progress::progress_bar;

/// What the page tasks share.
#[derive(Debug)]
pub struct Shared {
    pub out: PathBuf,
    pub previous: Previous,
    pub journal: Journal,
    /// The images the build holds: each page's `/media/<hash>` becomes `<hash>.<ext>`.
    pub media: StaticMedia,
    /// The site's URL ending in `/`: its absolute media addresses are renamed too.
    pub site_base: String,
}

/// What rendering every page did.
#[derive(Debug, Default)]
pub struct Built {
    pub written: usize,
    pub unchanged: usize,
    /// Every file of the site, with the digest of its bytes.
    pub files: BTreeMap<String, Digest>,
}

/// What became of one page.
#[derive(Debug)]
struct Page {
    file: String,
    digest: Digest,
    written: bool,
}

impl Built {
    /// Counts a finished page task, or passes its failure on.
    fn add(
        &mut self,
        page: Result<anyhow::Result<Page>, JoinError>,
        progress: Option<&ProgressBar>,
    ) -> anyhow::Result<()> {
        let page = page.context("a page task failed")??;
        if let Some(bar) = progress {
            bar.inc(1);
        }
        if page.written {
            self.written += 1;
        } else {
            self.unchanged += 1;
        }
        self.files.insert(page.file, page.digest);
        Ok(())
    }
}

/// Renders every page of the site over `state`, at most `jobs` at a time, writing those
/// that changed under `shared.out`. The first failure stops the build.
pub async fn render_all(
    state: &AppState,
    shared: Arc<Shared>,
    jobs: usize,
) -> anyhow::Result<Built> {
    let renderer = Renderer::new(state);
    let mut map = SiteMap::read(state)
        .await
        .context("cannot list the site's pages")?;
    let progress = progress_bar(
        usize::try_from(map.len()).unwrap_or(usize::MAX),
        "building",
        "pages",
    );
    let mut running = JoinSet::new();
    let mut built = Built::default();
    while let Some(batch) = map
        .next_batch(state)
        .await
        .context("cannot list the site's posts")?
    {
        for page in batch {
            if running.len() >= jobs
                && let Some(finished) = running.join_next().await
            {
                built.add(finished, progress.as_ref())?;
            }
            running.spawn(render(renderer.clone(), page, Arc::clone(&shared)));
        }
    }
    while let Some(finished) = running.join_next().await {
        built.add(finished, progress.as_ref())?;
    }
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    Ok(built)
}

/// Renders one page, then keeps or writes its file off the async threads.
async fn render(renderer: Renderer, page: SitePage, shared: Arc<Shared>) -> anyhow::Result<Page> {
    let body = renderer.render(&page).await?;
    tokio::task::spawn_blocking(move || keep_or_write(&shared, page.path.file, &body))
        .await
        .context("a page writer failed")?
}

/// Writes `body`, its media addresses typed, as `file` unless the previous build recorded
/// the same digest for it and the file is still there.
fn keep_or_write(shared: &Shared, file: String, body: &[u8]) -> anyhow::Result<Page> {
    let body = &*shared.media.typed(body, &shared.site_base);
    let digest = digest(body);
    let target = output::safe_join(&shared.out, &file)?;
    let written = !(shared.previous.has(&file, &digest) && output::is_file(&target));
    if written {
        shared.journal.record(&file)?;
        output::write_file(&target, body)?;
    }
    Ok(Page {
        file,
        digest,
        written,
    })
}
