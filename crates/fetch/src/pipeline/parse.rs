//! Parsing and tagging a fetched body (CPU work, run off the async threads), and what is
//! done to its posts in between, before they are stored: their images cached, and the
//! page texts of a `full_content` source kept, so that each post is tagged once, on the
//! text it is stored with. The new posts are then prepared for the store on the same
//! threads (fingerprints and compressed bodies: [`Store::prepare_posts`]), so that the
//! store's one writer only writes.

use syndic_core::schedule::{self, ServerHints};
use syndic_core::{FeedEntry, FeedMeta, SourceId};
use syndic_feed::WebSubLinks;
use syndic_store::{IncomingPost, PreparedPosts, Store};
use syndic_tag::{FilterPost, FilterSource, PostText, SourceTags};

use std::sync::Arc;

use super::{BodyGate, MAX_ITEMS_PER_FETCH, Pipeline, SourceJob};
use crate::SourceError;

/// What [`Pipeline::prepare`] makes of a body.
pub(super) struct Prepared {
    pub(super) meta: FeedMeta,
    /// The feed's posts, tagged, ready to store.
    pub(super) posts: Vec<IncomingPost>,
    /// What the ingest of `posts` can take instead of computing it under the write lock.
    pub(super) prepared: PreparedPosts,
    /// Which posts got their stored page text back ([`Pipeline::keep_page_texts`]).
    pub(super) kept: Vec<bool>,
    /// The feed's own pacing hints (RSS `ttl`, `sy:updatePeriod`/`sy:updateFrequency`).
    pub(super) hints: ServerHints,
    pub(super) websub: Option<WebSubLinks>,
}

/// What [`Pipeline::parse`] makes of a body: the feed's metadata, its entries, its pacing
/// hints and its WebSub links.
type Parsed = (FeedMeta, Vec<FeedEntry>, ServerHints, Option<WebSubLinks>);

impl Pipeline {
    /// A fetched body's posts, ready to store: parsed, their images cached, the page texts
    /// kept, then tagged and admitted.
    pub(super) async fn prepare(
        &self,
        job: &SourceJob,
        location: &str,
        bytes: Vec<u8>,
        content_type: Option<String>,
        base_url: Option<url::Url>,
    ) -> Result<Prepared, SourceError> {
        let (meta, mut entries, hints, websub) =
            parse(&self.bodies, location, bytes, content_type, base_url).await?;
        self.localize_images(&mut entries, job.id).await;
        let kept = self.keep_page_texts(job, &mut entries).await;
        let (posts, prepared) = self.tag(job, location, entries).await?;
        Ok(Prepared {
            meta,
            posts,
            prepared,
            kept,
            hints,
            websub,
        })
    }

    /// With a media cache, points every post's images and enclosure thumbnails at their
    /// cached copies (fetching those not cached yet), before the posts are stored and
    /// compared with stored ones.
    async fn localize_images(&self, entries: &mut [FeedEntry], source: SourceId) {
        let Some(media) = &self.media else {
            return;
        };
        media.localize_entries(entries, source).await;
    }

    /// Tags each entry and decides its admission, then prepares the posts the source does
    /// not have yet for the store (CPU work, on the [`BodyGate`]'s threads).
    async fn tag(
        &self,
        job: &SourceJob,
        location: &str,
        entries: Vec<FeedEntry>,
    ) -> Result<(Vec<IncomingPost>, PreparedPosts), SourceError> {
        let stored = self
            .store
            .stored_guids(job.id, entries.iter().map(|e| e.guid.as_str()))
            .await
            .map_err(|source| SourceError::Store {
                location: location.to_owned(),
                source,
            })?;
        let store: Store = self.store.clone();
        let shared = Arc::clone(&self.tagger);
        let source_tags = job.tags.clone();
        let review = job.review;
        let filter = job.options.filter.clone();
        let categories = job.options.categories;
        let worker_location = location.to_owned();
        let tagged = self
            .bodies
            .run(move || {
                // A deferred tagger reads its corpus here, off the async threads, the
                // first time a body needs tagging.
                let tagger = shared.current()?;
                // syndic-tag decides every automatic tag (terms, profile, learned model,
                // categories, source) and names the stems the corpus counts.
                let source = SourceTags {
                    tags: &source_tags,
                    location: &worker_location,
                    categories,
                };
                let posts: Vec<IncomingPost> = entries
                    .into_iter()
                    .map(|entry| {
                        let (tags, stems) = tagger.assign_counting(&PostText::from(&entry), source);
                        // The rules decide once the tags are known (only_tagged reads them).
                        let tagged = filter.only_tagged
                            && syndic_tag::filter::earns_vocabulary_tag_of(&tagger, &tags);
                        let admission = syndic_tag::filter::admission(
                            filter.rules.as_deref(),
                            &FilterPost::from(&entry),
                            FilterSource {
                                url: &filter.url,
                                only_tagged: filter.only_tagged,
                            },
                            tagged,
                            review,
                        );
                        IncomingPost {
                            entry,
                            tags,
                            stems,
                            admission,
                        }
                    })
                    .collect();
                let prepared = store.prepare_posts(&posts, &stored);
                Ok((posts, prepared))
            })
            .await
            .ok_or_else(|| SourceError::Worker {
                location: location.to_owned(),
            })?;
        tagged.map_err(|source| SourceError::Tagger {
            location: location.to_owned(),
            source,
        })
    }
}

/// Parses a body (CPU work, on the [`BodyGate`]'s threads), also returning the feed's own
/// hints and its WebSub links.
async fn parse(
    gate: &BodyGate,
    location: &str,
    bytes: Vec<u8>,
    content_type: Option<String>,
    base_url: Option<url::Url>,
) -> Result<Parsed, SourceError> {
    let worker_location = location.to_owned();
    gate.run(move || {
        let options = syndic_feed::ReadOptions {
            base_url: base_url.clone(),
            content_type,
            raw_html: false,
            max_entries: Some(MAX_ITEMS_PER_FETCH),
        };
        // A web page instead of a feed: the feed it advertises, for the error message.
        let advertised = advertised_feed(&bytes, base_url.as_ref());
        // The body is handed over and freed once read: one copy of a feed at a time.
        let parsed =
            syndic_feed::parse_owned(bytes, &options).map_err(|source| SourceError::Parse {
                location: worker_location.clone(),
                source: with_feed_hint(source, advertised.as_ref()),
            })?;
        for warning in &parsed.warnings {
            tracing::warn!(source.location = %worker_location, "{warning}");
        }
        let hints = feed_hints(&parsed);
        Ok((parsed.meta, parsed.entries, hints, parsed.websub))
    })
    .await
    .ok_or_else(|| SourceError::Worker {
        location: location.to_owned(),
    })?
}

/// The hints a feed gives about itself: RSS `ttl` (minutes) and the syndication module's
/// `sy:updatePeriod` / `sy:updateFrequency` (the period defaults to daily).
fn feed_hints(parsed: &syndic_feed::Parsed) -> ServerHints {
    let update_period = match (&parsed.update_period, &parsed.update_frequency) {
        (None, None) => None,
        (period, frequency) => {
            schedule::update_period_hint(period.as_deref().unwrap_or("daily"), frequency.as_deref())
        }
    };
    ServerHints {
        max_age: None,
        ttl: parsed
            .ttl
            .map(|minutes| chrono::Duration::minutes(i64::from(minutes))),
        update_period,
    }
}

/// The first feed a web page at `page` advertises, when `bytes` are a web page.
fn advertised_feed(bytes: &[u8], page: Option<&url::Url>) -> Option<url::Url> {
    let page = page?;
    if !syndic_feed::looks_like_html(bytes) {
        return None;
    }
    let html = String::from_utf8_lossy(bytes);
    syndic_feed::discover(&html, page)
        .into_iter()
        .next()
        .map(|feed| feed.url)
}

/// A web page that is not a feed but links to one (`advertised`): say which feed to use
/// instead.
fn with_feed_hint(
    error: syndic_feed::FeedError,
    advertised: Option<&url::Url>,
) -> syndic_feed::FeedError {
    match (&error, advertised) {
        (syndic_feed::FeedError::NotAFeed { .. }, Some(feed)) => syndic_feed::FeedError::NotAFeed {
            reason: format!(
                "the document is a web page; it links to the feed {feed} — use that URL \
                 (syndic add finds it for you)"
            ),
        },
        _ => error,
    }
}

/// The slugs of the automatic tags of `posts`, each once, in order of first appearance.
pub(super) fn touched_tags<'a>(posts: impl Iterator<Item = &'a IncomingPost>) -> Vec<String> {
    let mut slugs: Vec<String> = Vec::new();
    for assignment in posts.flat_map(|post| &post.tags) {
        if !assignment.origin.is_automatic() {
            continue;
        }
        let slug = syndic_core::slugify(&assignment.tag);
        if !slugs.contains(&slug) {
            slugs.push(slug);
        }
    }
    slugs
}
