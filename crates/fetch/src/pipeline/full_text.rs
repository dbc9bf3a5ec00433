//! Full text in the life of a fetch (`[[source]] full_content`).
//!
//! Before the store (and before tagging, so each post is tagged once, on its page text), a
//! post whose text is already its page's keeps it while its feed's HTML is the one the
//! page text replaced ([`Pipeline::keep_page_texts`]), so re-reading the feed never looks
//! like an edit. After the store, the new and edited posts are queued
//! and up to [`MAX_PAGES_PER_FETCH`] due pages are read, none started later than
//! [`MAX_PAGE_TIME_PER_FETCH`] after the first ([`Pipeline::follow_full_text`]); what each
//! gave is stored through [`Store::record_full_text`], the normal update path
//! (revision, search, tags). Nothing here fails a fetch: a store error is logged.
//!
//! [`Store::record_full_text`]: syndic_store::Store::record_full_text

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use syndic_core::{FeedEntry, PostForTagging, PostId};
use syndic_feed::{Article, ArticleRule};
use syndic_store::{FullTextCandidate, FullTextOutcome, FullTextState, StoreError};
use syndic_tag::{PostText, SourceTags};

use super::{Pipeline, SourceJob};
use crate::full_text::{FullText, MAX_PAGES_PER_FETCH, Verdict, judge, next_try};

/// After a fetch, no page read starts later than this after the first; the rest wait
/// for the source's next fetch (so a slow site cannot hold a fetch for long).
pub const MAX_PAGE_TIME_PER_FETCH: Duration = Duration::from_secs(60);

/// What one round of page reads did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FullTextStats {
    /// Posts whose text is now their page's.
    pub page: u32,
    /// Posts that kept their text (the page's was not clearly longer).
    pub kept: u32,
    /// Posts whose page could not be used.
    pub failed: u32,
}

impl std::ops::AddAssign for FullTextStats {
    fn add_assign(&mut self, other: FullTextStats) {
        self.page += other.page;
        self.kept += other.kept;
        self.failed += other.failed;
    }
}

impl Pipeline {
    /// For a `full_content` source: each entry whose stored post's text came from its
    /// page, and whose feed HTML is the one that page text replaced, gets the page text
    /// back before it is tagged and the store compares it. Says which entries did.
    pub(super) async fn keep_page_texts(
        &self,
        job: &SourceJob,
        entries: &mut [FeedEntry],
    ) -> Vec<bool> {
        let mut kept = vec![false; entries.len()];
        if job.options.full_content.is_none() || self.full_text.is_none() || entries.is_empty() {
            return kept;
        }
        let guids: Vec<&str> = entries.iter().map(|e| e.guid.as_str()).collect();
        let stored = match self.store.page_texts(job.id, &guids).await {
            Ok(stored) => stored,
            Err(error) => {
                tracing::warn!(source.id = %job.id, "cannot read the stored page texts: {error}");
                return kept;
            }
        };
        for (entry, kept) in entries.iter_mut().zip(kept.iter_mut()) {
            let Some(page) = stored.iter().find(|page| page.guid == entry.guid) else {
                continue;
            };
            if page.feed_digest == syndic_store::content_digest(&entry.content_html) {
                entry.content_html = page.html.clone();
                entry.content_text = page.text.clone();
                *kept = true;
            }
        }
        kept
    }

    /// After a fetch of a `full_content` source stored its posts (`ids`, as the store
    /// gave them back): queues the posts at `changed` (indexes into `ids`) that did not
    /// keep a page text, then reads the pages due (those, and earlier failures whose wait
    /// is over), at most [`MAX_PAGES_PER_FETCH`]. `only_unrecorded` queues only posts
    /// never looked at (a push, which does not say which posts changed).
    pub(super) async fn follow_full_text(
        &self,
        job: &SourceJob,
        ids: &[Option<PostId>],
        changed: &[usize],
        kept: &[bool],
        only_unrecorded: bool,
        now: DateTime<Utc>,
    ) {
        if job.options.full_content.is_none() || self.full_text.is_none() {
            return;
        }
        if let Err(error) = self
            .follow(job, ids, changed, kept, only_unrecorded, now)
            .await
        {
            tracing::warn!(source.id = %job.id, "full text: cannot read or store the page texts now (the next fetch tries again): {error}");
        }
    }

    async fn follow(
        &self,
        job: &SourceJob,
        ids: &[Option<PostId>],
        changed: &[usize],
        kept: &[bool],
        only_unrecorded: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut queued: Vec<PostId> = changed
            .iter()
            .filter(|&&index| !kept.get(index).copied().unwrap_or(false))
            .filter_map(|&index| ids.get(index).copied().flatten())
            .collect();
        queued.sort_unstable();
        queued.dedup();
        self.store
            .queue_full_text(&queued, only_unrecorded, now)
            .await?;
        let due = self
            .store
            .full_text_due(job.id, now, MAX_PAGES_PER_FETCH)
            .await?;
        let deadline = Instant::now() + MAX_PAGE_TIME_PER_FETCH;
        self.read_pages_within(job, &due, now, Some(deadline))
            .await?;
        Ok(())
    }

    /// Reads the pages of posts `ids` of `job`'s source now, whatever their record says
    /// (`syndic refetch-content`), and stores what they gave. Nothing for a source
    /// without `full_content`.
    pub async fn read_pages(
        &self,
        job: &SourceJob,
        ids: &[PostId],
        now: DateTime<Utc>,
    ) -> Result<FullTextStats, StoreError> {
        self.read_pages_within(job, ids, now, None).await
    }

    /// [`Pipeline::read_pages`], starting no page after `deadline` (the posts left keep
    /// their record: still due for the next fetch).
    async fn read_pages_within(
        &self,
        job: &SourceJob,
        ids: &[PostId],
        now: DateTime<Utc>,
        deadline: Option<Instant>,
    ) -> Result<FullTextStats, StoreError> {
        let (Some(rule), Some(full_text)) = (&job.options.full_content, &self.full_text) else {
            return Ok(FullTextStats::default());
        };
        let candidates = self.store.full_text_candidates(ids).await?;
        let mut outcomes = Vec::with_capacity(candidates.len());
        let mut stats = FullTextStats::default();
        for candidate in candidates.iter().filter(|c| c.source == job.id) {
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                break;
            }
            let outcome = self.read_page(full_text, job, rule, candidate, now).await;
            match &outcome {
                FullTextOutcome::Page { .. } => stats.page += 1,
                FullTextOutcome::Kept { .. } => stats.kept += 1,
                FullTextOutcome::Failed { .. } => stats.failed += 1,
            }
            outcomes.push(outcome);
        }
        self.store.record_full_text(&outcomes, now).await?;
        if stats.page > 0
            && let Err(error) = self.store.index_search_if_due().await
        {
            tracing::warn!(
                "cannot bring the search index in step now (the next pass will): {error}"
            );
        }
        Ok(stats)
    }

    /// Reads one post's page and decides what becomes of its text.
    async fn read_page(
        &self,
        full_text: &FullText,
        job: &SourceJob,
        rule: &ArticleRule,
        candidate: &FullTextCandidate,
        now: DateTime<Utc>,
    ) -> FullTextOutcome {
        let failures = candidate
            .origin
            .as_ref()
            .filter(|origin| origin.state == FullTextState::Failed)
            .map_or(0, |origin| origin.failures);
        let Some(link) = candidate.link.as_deref() else {
            return failed(candidate, None, "the post has no link to read".into(), None);
        };
        let (url, article) = match full_text.read_article(link, rule).await {
            Ok(found) => found,
            Err(failure) => {
                let retry_at = next_try(failures, now);
                return failed(candidate, failure.url, failure.reason, retry_at);
            }
        };
        let article = match &self.media {
            Some(media) => Article {
                html: media.localize(&article.html, job.id).await,
                text: article.text,
            },
            None => article,
        };
        self.outcome(job, candidate, url, article, failures, now)
            .await
    }

    /// What becomes of `candidate`'s text, now that its page at `url` gave `article`.
    async fn outcome(
        &self,
        job: &SourceJob,
        candidate: &FullTextCandidate,
        url: url::Url,
        article: Article,
        failures: u32,
        now: DateTime<Utc>,
    ) -> FullTextOutcome {
        let post = candidate.post;
        match judge(candidate, &article) {
            Verdict::UsePage {
                feed_digest,
                feed_words,
            } => {
                let tags = match self.tags_on(job, candidate, &article.text).await {
                    Ok(tags) => tags,
                    Err(reason) => {
                        return failed(
                            candidate,
                            Some(url.to_string()),
                            reason,
                            next_try(failures, now),
                        );
                    }
                };
                tracing::info!(post.id = %post, page.url = %url, "post {post}: its text is now its page's ({} words; the feed's had {feed_words})", syndic_feed::word_count(&article.text));
                FullTextOutcome::Page {
                    post,
                    url: url.to_string(),
                    html: article.html,
                    text: article.text,
                    tags,
                    feed_digest,
                    feed_words,
                }
            }
            Verdict::Keep(reason) => {
                tracing::info!(post.id = %post, page.url = %url, "post {post} keeps its text: {reason}");
                FullTextOutcome::Kept {
                    post,
                    url: url.to_string(),
                    reason,
                }
            }
        }
    }

    /// The automatic tags of `candidate` with `text` as its text, or why there are none.
    async fn tags_on(
        &self,
        job: &SourceJob,
        candidate: &FullTextCandidate,
        text: &str,
    ) -> Result<Vec<syndic_core::TagAssignment>, String> {
        let post = PostForTagging {
            id: candidate.post,
            source_id: candidate.source,
            title: candidate.title.clone(),
            content_text: text.to_owned(),
            categories: candidate.categories.clone(),
            language: candidate.language.clone(),
        };
        let shared = Arc::clone(&self.tagger);
        let (tags, location, categories) = (
            job.tags.clone(),
            job.location.to_string(),
            job.options.categories,
        );
        tokio::task::spawn_blocking(move || {
            // A deferred tagger reads its corpus here, off the async threads.
            let tagger = shared.current().map_err(|error| error.to_string())?;
            let source = SourceTags {
                tags: &tags,
                location: &location,
                categories,
            };
            Ok(tagger.assign(&PostText::from(&post), source))
        })
        .await
        .unwrap_or_else(|_| Err("tagging the page's text stopped unexpectedly".to_owned()))
    }
}

fn failed(
    candidate: &FullTextCandidate,
    url: Option<String>,
    reason: String,
    retry_at: Option<DateTime<Utc>>,
) -> FullTextOutcome {
    let post = candidate.post;
    tracing::warn!(post.id = %post, page.url = url.as_deref().unwrap_or(""), "post {post}: its page was not used, its text stays: {reason}");
    FullTextOutcome::Failed {
        post,
        url,
        reason,
        retry_at,
    }
}
