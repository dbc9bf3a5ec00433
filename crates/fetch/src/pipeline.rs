//! The life of a fetch: read, parse, tag, store.

use std::sync::Arc;

use chrono::Utc;
use syndic_core::{SourceId, TagAssignment, TagOrigin};
use syndic_store::{IncomingPost, IngestStats, Store};
use syndic_tag::Tagger;

use crate::{Fetcher, Location, SourceError};

/// One source to ingest, as the configuration describes it.
#[derive(Debug, Clone)]
pub struct SourceJob {
    pub id: SourceId,
    pub location: Location,
    /// Tags every post of this source gets.
    pub tags: Vec<String>,
}

/// Fetcher, vocabulary and store, wired together.
#[derive(Clone)]
pub struct Pipeline {
    pub fetcher: Fetcher,
    pub tagger: Arc<Tagger>,
    pub store: Store,
}

impl Pipeline {
    /// Fetches, parses, tags and stores one source. On failure the error is recorded on
    /// the source's row (its posts stay) and returned.
    pub async fn ingest(&self, job: &SourceJob) -> Result<IngestStats, SourceError> {
        let result = self.try_ingest(job).await;
        if let Err(error) = &result {
            let message = format!("{error:#}");
            if let Err(store_error) = self
                .store
                .record_fetch_failure(job.id, &message, Utc::now())
                .await
            {
                tracing::error!(source.id = %job.id, "could not record the failure: {store_error}");
            }
        }
        result
    }

    async fn try_ingest(&self, job: &SourceJob) -> Result<IngestStats, SourceError> {
        let location = job.location.to_string();
        let fetched = self.fetcher.fetch(&job.location).await?;
        let tagger = Arc::clone(&self.tagger);
        let source_tags = job.tags.clone();
        let worker_location = location.clone();
        // Parsing, sanitizing and tagging are CPU work: keep them off the async threads.
        let parsed = tokio::task::spawn_blocking(move || {
            let parsed = syndic_feed::parse(&fetched.bytes, fetched.base_url.as_ref()).map_err(
                |source| SourceError::Parse {
                    location: worker_location.clone(),
                    source,
                },
            )?;
            let posts: Vec<IncomingPost> = parsed
                .entries
                .into_iter()
                .map(|entry| {
                    let tags = tags_for_post(
                        &tagger,
                        &entry.title,
                        &entry.content_text,
                        &source_tags,
                        &worker_location,
                    );
                    IncomingPost { entry, tags }
                })
                .collect();
            for warning in &parsed.warnings {
                tracing::warn!(source.location = %worker_location, "{warning}");
            }
            Ok::<_, SourceError>((parsed.meta, posts))
        })
        .await
        .map_err(|_| SourceError::Worker {
            location: location.clone(),
        })?;
        let (meta, posts) = parsed?;
        self.store
            .ingest(job.id, &meta, &posts, Utc::now())
            .await
            .map_err(|source| SourceError::Store { location, source })
    }
}

/// Every automatic tag a post gets: vocabulary matches on its title and text, then the
/// tags its source gives to all its posts.
pub fn tags_for_post(
    tagger: &Tagger,
    title: &str,
    text: &str,
    source_tags: &[String],
    source_location: &str,
) -> Vec<TagAssignment> {
    let mut tags = tagger.tag(title, text);
    tags.extend(source_tags.iter().map(|tag| TagAssignment {
        tag: tag.clone(),
        origin: TagOrigin::Source,
        detail: format!("every post of {source_location}"),
    }));
    tags
}
