//! `syndic serve`: serve the site from the store until Ctrl-C or SIGTERM, and (unless
//! `--no-fetch`) keep the sources fresh with the scheduler, each fetched as it falls due.
//! A store that cannot be reached at start-up is waited for (`startup`); `/healthz`
//! reports the role, `serve` or `web` (`--no-fetch`).
//! One shutdown signal stops both. While fetching, content WebSub hubs push to
//! `/websub/<source id>` is ingested too (`push`). The tag vocabulary reloads when the
//! configuration file changes or on SIGHUP (`reload`); everything else needs a restart.

mod push;
pub mod reload;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use syndic_core::FetchMetrics;
use syndic_store::Store;
use syndic_tag::SharedTagger;
use syndic_web::{PageCache, Role};

use syndic_fetch::{
    LeaseSettings, Limits, Pipeline, Publisher, Scheduler, SourceJob, Subscriber, SystemClock,
};
use tokio::sync::watch;

use crate::cli::ServeArgs;
use crate::cmd::fetch::pipeline;
use crate::cmd::startup::{open_store_patiently, shutdown_signal};
use crate::cmd::{open_store, open_store_read_only, sync_sources};
use crate::config::{Config, Overrides, ServerConfig};

/// Serves `config` (as loaded with `overrides`, which a reload applies again).
pub async fn run(
    config: &Config,
    args: &ServeArgs,
    overrides: Overrides,
) -> anyhow::Result<ExitCode> {
    let no_fetch = args.no_fetch;
    let opened = open_store_patiently(|| async move {
        if no_fetch {
            open_for_serving(config).await
        } else {
            open_store(config).await
        }
    });
    let Some(store) = opened.await? else {
        eprintln!("stopped before the store could be reached");
        return Ok(ExitCode::FAILURE);
    };
    // The vocabulary in force, swapped by the reloader.
    let tagger = Arc::new(SharedTagger::new(
        crate::cmd::learned_tagger(config, &store).await?,
    ));
    let fetching = if args.no_fetch {
        None
    } else {
        let jobs = sync_sources(&store, config).await?;
        let mut pipeline = pipeline(config, store.clone()).await?;
        // Each fetch asks the SharedTagger for the vocabulary in force when it starts.
        pipeline.tagger = Arc::clone(&tagger);
        Some(Fetching {
            pipeline,
            jobs,
            limits: Limits {
                concurrency: config.fetch.concurrency,
                per_host: config.fetch.per_host,
            },
            lease: LeaseSettings::new(config.fetch.lease),
        })
    };
    let reloader = reload::Reloader::new(config, overrides, store.clone(), tagger);
    let server = Server {
        listen: config.listen,
        bounds: config.server.clone(),
        admin: config.admin.clone(),
        media: config.media.cache.then(|| config.media.storage()),
    };
    serve(store, &config.site, &server, fetching, Some(reloader)).await?;
    Ok(ExitCode::SUCCESS)
}

/// The store of a web node (`--no-fetch`): its only writes are the vocabulary's rows, so
/// that a new tag's archive answers at once. A store it may not write (a read-only file or
/// folder, a read-only database user) is served read-only instead, without them.
async fn open_for_serving(config: &Config) -> anyhow::Result<Store> {
    let refused = match open_store(config).await {
        Ok(store) => return Ok(store),
        Err(error) => error,
    };
    let Ok(store) = open_store_read_only(config).await else {
        return Err(refused);
    };
    tracing::info!(
        "serving the store read-only: {refused:#}; the configuration's tags and sources are \
         recorded by a command that can write it (`syndic fetch`, `syndic serve`)"
    );
    Ok(store)
}

/// Where and how the site is served: `server.listen` and the rest of `[server]`, and the
/// admin when `[admin]` turns it on.
pub struct Server {
    pub listen: SocketAddr,
    pub bounds: ServerConfig,
    pub admin: Option<syndic_web::AdminSettings>,
    /// Where the images served at `/media/` are kept, when `[media] cache = true`.
    pub media: Option<syndic_core::media::MediaStorage>,
}

/// What the scheduler needs to fetch sources while the site is served.
pub struct Fetching {
    pub pipeline: Pipeline,
    pub jobs: Vec<SourceJob>,
    /// For the whole fleet: every process fetching from the same database counts.
    pub limits: Limits,
    /// Who this process is in leases, and how long they run.
    pub lease: LeaseSettings,
}

/// Binds `server.listen`, prints the address and serves until a shutdown signal, with the
/// page cache and bounds of `server`; with `fetching`, runs the scheduler beside the server
/// until the same signal, and with `reloader` keeps the tag vocabulary in step with the
/// configuration file (each reload empties the page cache).
pub async fn serve(
    store: Store,
    site: &syndic_web::Site,
    server: &Server,
    fetching: Option<Fetching>,
    reloader: Option<reload::Reloader>,
) -> anyhow::Result<()> {
    let listen = server.listen;
    let page_cache = PageCache::new(server.bounds.page_cache);
    // One fetch-metrics registry for the whole process: `/metrics` renders it, and every
    // `Pipeline` that fetches in this process must count into it (`pipeline.metrics =
    // Arc::clone(&metrics)`).
    let metrics = Arc::new(FetchMetrics::default());
    // The theme is read before binding, so a broken one stops start-up with its error.
    let mut state = syndic_web::AppState::new(store.clone(), Arc::new(site.clone()))
        .context("cannot use the theme folder (site.theme_dir)")?
        .with_metrics(Arc::clone(&metrics))
        .with_limits(server.bounds.requests)
        .with_page_cache(page_cache.clone())
        .with_role(if fetching.is_some() {
            Role::Serve
        } else {
            Role::Web
        });
    if let Some(storage) = server.media.clone() {
        state = state.with_media(storage);
    }
    if let Some(admin) = server.admin.clone() {
        tracing::info!("the admin is on at /admin/");
        state = state.with_admin(admin);
    }
    let fetching = fetching.map(|mut fetching| {
        fetching.pipeline.metrics = Arc::clone(&metrics);
        fetching
    });
    if let Some(fetching) = &fetching {
        // Pushes go through the same pipeline; the task ends with the server's state.
        let (sink, _task) = push::ingest_pushes(fetching.pipeline.clone(), &fetching.jobs);
        state = state.with_push_sink(sink);
    }
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| {
        format!("cannot listen on {listen}; is another server using that port? Choose another with --listen")
    })?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    println!("serving {} at http://{address}/ (Ctrl-C stops)", site.title);
    // One signal, two listeners: the web server and the scheduler.
    let (stop, stopped) = watch::channel(false);
    let signal = tokio::spawn({
        let stop = stop.clone();
        async move {
            shutdown_signal().await;
            let _ = stop.send(true);
        }
    });
    let scheduler = fetching.map(|fetching| {
        let publisher = Publisher::new(
            fetching.pipeline.fetcher.clone(),
            site.hubs.clone(),
            &site.base_url,
        );
        let subscriber = Subscriber::new(
            fetching.pipeline.fetcher.clone(),
            store.clone(),
            &site.base_url,
        );
        let mut scheduler = Scheduler::new(
            fetching.pipeline,
            fetching.jobs,
            fetching.limits,
            Arc::new(SystemClock),
        )
        .with_lease(fetching.lease);
        // WebSub needs a site hubs can call back; otherwise polling alone.
        if let Some(subscriber) = subscriber {
            scheduler = scheduler.with_websub(subscriber);
        }
        if let Some(publisher) = publisher {
            scheduler = scheduler.with_publisher(publisher);
        }
        tokio::spawn(scheduler.run(stopped_by(stopped.clone())))
    });
    let reloading = reloader.map(|reloader| {
        tracing::info!(
            "the tag vocabulary reloads when the configuration file changes or on SIGHUP; \
             other settings need a restart"
        );
        tokio::spawn(reloader.with_page_cache(page_cache).run(stopped.clone()))
    });
    let served = syndic_web::serve(
        listener,
        state,
        server.bounds.connections,
        stopped_by(stopped),
    )
    .await;
    // The server may also stop on an error: the scheduler stops with it.
    let _ = stop.send(true);
    signal.abort();
    if let Some(reloading) = reloading {
        let _ = reloading.await;
    }
    if let Some(scheduler) = scheduler
        && let Err(error) = scheduler.await
    {
        tracing::error!("the scheduler stopped abnormally: {error}");
    }
    served.context("the web server stopped with an error")?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves once `stop` turns true (or its sender is gone).
async fn stopped_by(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
