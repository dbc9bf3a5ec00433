//! `syndic demo`: the whole product on bundled sample feeds, with nothing set up.
//!
//! The sample feeds and their configuration (`demo/` in the repository) are compiled into
//! the binary, written to a temporary folder, fetched into a temporary SQLite database and
//! served. Everything is removed when the demo stops.

use std::process::ExitCode;

use anyhow::Context;
use syndic_fetch::{LeaseSettings, Limits, Sweep};

use crate::cli::DemoArgs;
use crate::cmd::fetch::{Report, fetch_all, pipeline};
use crate::cmd::serve::{Server, serve};
use crate::cmd::{open_store, sync_sources};
use crate::config::{Config, Overrides};

/// The demo's files: (path relative to the demo folder, contents).
const FILES: &[(&str, &str)] = &[
    ("syndic.toml", include_str!("../../demo/syndic.toml")),
    (
        "feeds/tidepool.rss",
        include_str!("../../demo/feeds/tidepool.rss"),
    ),
    (
        "feeds/lamplight.atom",
        include_str!("../../demo/feeds/lamplight.atom"),
    ),
    (
        "feeds/ferrous-notes.json",
        include_str!("../../demo/feeds/ferrous-notes.json"),
    ),
    (
        "feeds/kernel-digest.rdf",
        include_str!("../../demo/feeds/kernel-digest.rdf"),
    ),
    (
        "feeds/oldschool.xml",
        include_str!("../../demo/feeds/oldschool.xml"),
    ),
];

pub async fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::Builder::new()
        .prefix("syndic-demo-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    for (name, contents) in FILES {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let config_path = dir.path().join("syndic.toml");
    let overrides = Overrides {
        database_url: None,
        listen: Some(args.listen.clone()),
    };
    let config = Config::load(&config_path, &overrides)?;

    let store = open_store(&config).await?;
    let jobs = sync_sources(&store, &config).await?;
    let limits = Limits {
        concurrency: 4,
        per_host: 4,
    };
    let sweep = Sweep::listed(
        pipeline(&config, store.clone()).await?,
        jobs,
        limits,
        LeaseSettings::default(),
    );
    let summary = fetch_all(&store, sweep, Report::Failures).await?;
    if let Some(error) = &summary.search_index_error {
        eprintln!("demo: search will find nothing yet: {error}");
    }
    println!(
        "demo: {} sample sources, {} posts, {} tags, in {}",
        summary.sources,
        summary.totals.new,
        config.tags.len(),
        dir.path().display()
    );
    // Absolute links should point at where the demo really listens.
    let mut site = config.site.clone();
    if config.listen.port() != 0 {
        site.base_url =
            url::Url::parse(&format!("http://{}/", config.listen)).unwrap_or(site.base_url);
    }
    let server = Server {
        listen: config.listen,
        bounds: config.server.clone(),
        admin: None,
        media: None,
    };
    serve(store, &site, &server, None, None).await?;
    Ok(ExitCode::SUCCESS)
}
