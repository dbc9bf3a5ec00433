//! WebSub pushes, from the web callback to the pipeline: the web crate hands each verified
//! body to a [`ChannelSink`] (never blocking a request), and one task feeds them to
//! `Pipeline::ingest_pushed` in arrival order.

use std::collections::HashMap;
use std::sync::Arc;

use syndic_core::SourceId;
use syndic_fetch::{Pipeline, SourceJob};
use syndic_web::PushSink;
use tokio::sync::mpsc;

/// Pushed bodies waiting to be ingested; more are dropped (polling still finds them).
const QUEUE: usize = 64;

/// The [`PushSink`] `syndic serve` gives the site: a bounded queue.
pub struct ChannelSink {
    queue: mpsc::Sender<(SourceId, Vec<u8>)>,
}

impl PushSink for ChannelSink {
    fn accept(&self, source: SourceId, body: Vec<u8>) {
        if let Err(error) = self.queue.try_send((source, body)) {
            let reason = match error {
                mpsc::error::TrySendError::Full(_) => "the queue is full",
                mpsc::error::TrySendError::Closed(_) => "nothing ingests pushes any more",
            };
            tracing::warn!(source.id = %source, "dropped pushed content: {reason}; polling will catch up");
        }
    }
}

/// A sink and the task that ingests what it receives, for the configured `jobs`. The task
/// ends when the sink (every clone of the site's state) is gone.
pub fn ingest_pushes(
    pipeline: Pipeline,
    jobs: &[SourceJob],
) -> (Arc<ChannelSink>, tokio::task::JoinHandle<()>) {
    let (queue, mut received) = mpsc::channel::<(SourceId, Vec<u8>)>(QUEUE);
    let jobs: HashMap<SourceId, SourceJob> = jobs.iter().map(|job| (job.id, job.clone())).collect();
    let task = tokio::spawn(async move {
        while let Some((source, body)) = received.recv().await {
            let Some(job) = jobs.get(&source) else {
                tracing::warn!(source.id = %source, "dropped pushed content for a source not in the configuration");
                continue;
            };
            match pipeline.ingest_pushed(job, body).await {
                Ok(stats) => tracing::info!(
                    source.id = %source,
                    "pushed content of source {source} ({}): {} new posts, {} updated",
                    job.location, stats.new, stats.updated
                ),
                Err(error) => {
                    tracing::warn!(source.id = %source, "pushed content not stored: {error:#}")
                }
            }
        }
    });
    (Arc::new(ChannelSink { queue }), task)
}
