//! `syndic serve`: serve the site from the store until Ctrl-C or SIGTERM, and (unless
//! `--no-fetch`) keep the sources fresh with the scheduler, each fetched as it falls due.
//! One shutdown signal stops both.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use syndic_core::FetchMetrics;
use syndic_store::Store;

use syndic_fetch::{Limits, Pipeline, Scheduler, SourceJob, SystemClock};
use tokio::sync::watch;

use crate::cli::ServeArgs;
use crate::cmd::fetch::pipeline;
use crate::cmd::{open_store, sync_sources};
use crate::config::Config;

pub async fn run(config: &Config, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let fetching = if args.no_fetch {
        None
    } else {
        let jobs = sync_sources(&store, config).await?;
        Some(Fetching {
            pipeline: pipeline(config, store.clone())?,
            jobs,
            limits: Limits {
                concurrency: config.fetch.concurrency,
                per_host: config.fetch.per_host,
            },
        })
    };
    serve(store, &config.site, config.listen, fetching).await?;
    Ok(ExitCode::SUCCESS)
}

/// What the scheduler needs to fetch sources while the site is served.
pub struct Fetching {
    pub pipeline: Pipeline,
    pub jobs: Vec<SourceJob>,
    pub limits: Limits,
}

/// Binds `listen`, prints the address and serves until a shutdown signal; with `fetching`,
/// runs the scheduler beside the server until the same signal.
pub async fn serve(
    store: Store,
    site: &syndic_web::Site,
    listen: SocketAddr,
    fetching: Option<Fetching>,
) -> anyhow::Result<()> {
    // One fetch-metrics registry for the whole process: `/metrics` renders it, and every
    // `Pipeline` that fetches in this process must count into it (`pipeline.metrics =
    // Arc::clone(&metrics)`).
    let metrics = Arc::new(FetchMetrics::default());
    // The theme is read before binding, so a broken one stops start-up with its error.
    let state = syndic_web::AppState::new(store.clone(), Arc::new(site.clone()))
        .context("cannot use the theme folder (site.theme_dir)")?
        .with_metrics(Arc::clone(&metrics));
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
        let mut pipeline = fetching.pipeline;
        pipeline.metrics = Arc::clone(&metrics);
        let scheduler = Scheduler::new(
            pipeline,
            fetching.jobs,
            fetching.limits,
            Arc::new(SystemClock),
        );
        tokio::spawn(scheduler.run(stopped_by(stopped.clone())))
    });
    let served = syndic_web::serve(listener, state, stopped_by(stopped)).await;
    // The server may also stop on an error: the scheduler stops with it.
    let _ = stop.send(true);
    signal.abort();
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

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
