//! `syndic serve`: serve the site from the store until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use syndic_store::Store;

use crate::cmd::open_store;
use crate::config::Config;

pub async fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    serve(store, &config.site, config.listen).await?;
    Ok(ExitCode::SUCCESS)
}

/// Binds `listen`, prints the address and serves until a shutdown signal.
pub async fn serve(
    store: Store,
    site: &syndic_web::Site,
    listen: SocketAddr,
) -> anyhow::Result<()> {
    // The theme is read before binding, so a broken one stops start-up with its error.
    let state = syndic_web::AppState::new(store.clone(), Arc::new(site.clone()))
        .context("cannot use the theme folder (site.theme_dir)")?;
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| {
        format!("cannot listen on {listen}; is another server using that port? Choose another with --listen")
    })?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    println!("serving {} at http://{address}/ (Ctrl-C stops)", site.title);
    syndic_web::serve(listener, state, shutdown_signal())
        .await
        .context("the web server stopped with an error")?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
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
