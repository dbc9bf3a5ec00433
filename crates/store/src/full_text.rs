//! Full text (`[[source]] full_content`, migration 20): where each post's text came from,
//! the posts whose page waits to be read, and replacing a post's feed text by its page's.
//!
//! The fetcher decides (robots.txt, the page, the extraction, whether the page's text is
//! clearly longer); this module reads what it decides on and writes what it decided.
//! A page text goes in the way an upstream edit does: the version it replaces is kept as a
//! revision when the change is more than trivial ([`crate::revisions`]), the post is
//! queued for the search index, and its automatic tags are replaced by the ones the caller
//! computed on the new text, all in one transaction that moves the change clock.
//! `feed_digest` remembers the feed's HTML the page text replaced, so that the next fetch
//! of an unchanged item keeps the page text ([`Store::page_texts`]).

use chrono::{DateTime, Utc};
use sqlx::Row;
use syndic_core::{PostId, SourceId, TagAssignment};

mod record;

use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store, body, from_secs, text, to_secs};

/// Where a post's text stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FullTextState {
    /// Its page waits to be read.
    Pending,
    /// Its text is the article of its page.
    Page,
    /// Its page was read and its feed's text kept (not clearly longer, say).
    Feed,
    /// Its page could not be used (robots.txt, the fetch, the extraction).
    Failed,
}

impl FullTextState {
    pub fn as_str(self) -> &'static str {
        match self {
            FullTextState::Pending => "pending",
            FullTextState::Page => "page",
            FullTextState::Feed => "feed",
            FullTextState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> FullTextState {
        match text {
            "page" => FullTextState::Page,
            "feed" => FullTextState::Feed,
            "failed" => FullTextState::Failed,
            _ => FullTextState::Pending,
        }
    }
}

/// The record of where a post's text came from (no record: its feed's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentOrigin {
    pub state: FullTextState,
    /// The page read (or to be read).
    pub page_url: Option<String>,
    /// When the page was last read or tried.
    pub checked_at: Option<DateTime<Utc>>,
    /// Why the feed's text was kept, or why the page failed.
    pub reason: String,
    /// Failed tries in a row.
    pub failures: u32,
    /// When the next try is due (`None`: none planned).
    pub retry_at: Option<DateTime<Utc>>,
    /// The digest ([`content_digest`]) and words of the feed's text a page text replaced.
    pub feed_digest: Option<String>,
    pub feed_words: Option<u64>,
}

/// A stored post the fetcher may read the page of: what it needs to decide and to tag.
#[derive(Debug, Clone)]
pub struct FullTextCandidate {
    pub post: PostId,
    pub source: SourceId,
    pub link: Option<String>,
    pub title: String,
    pub content_html: String,
    pub content_text: String,
    pub categories: Vec<String>,
    pub language: Option<String>,
    pub origin: Option<ContentOrigin>,
}

/// A page text kept for one of a source's posts, with the digest of the feed HTML it
/// replaced (see [`content_digest`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageText {
    pub guid: String,
    pub feed_digest: String,
    pub html: String,
    pub text: String,
}

/// What the fetcher decided for one post.
#[derive(Debug, Clone)]
pub enum FullTextOutcome {
    /// The page's article replaces the post's text; `tags` are its automatic tags on it.
    Page {
        post: PostId,
        url: String,
        html: String,
        text: String,
        tags: Vec<TagAssignment>,
        /// The feed's HTML and word count, as the page text replaces them.
        feed_digest: String,
        feed_words: u64,
    },
    /// The post keeps its text (its feed's, or a page text stored before), for `reason`.
    Kept {
        post: PostId,
        url: String,
        reason: String,
    },
    /// The page could not be used; tried again at `retry_at`, if ever.
    Failed {
        post: PostId,
        url: Option<String>,
        reason: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

impl FullTextOutcome {
    fn post(&self) -> PostId {
        match self {
            FullTextOutcome::Page { post, .. }
            | FullTextOutcome::Kept { post, .. }
            | FullTextOutcome::Failed { post, .. } => *post,
        }
    }
}

/// The digest the full-text record keeps of a feed's HTML: SHA-256 (hex) of the HTML as
/// an ingest stores it.
pub fn content_digest(html: &str) -> String {
    crate::hex_sha256(text::clean(html).as_bytes())
}

const ORIGIN_COLUMNS: &str = "f.state, f.page_url, f.checked_at, f.reason, f.failures, f.retry_at, f.feed_digest, \
     f.feed_words";

impl Store {
    /// Where post `id`'s text came from; `None` when nothing was recorded (its feed's).
    pub async fn content_origin(&self, id: PostId) -> Result<Option<ContentOrigin>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORIGIN_COLUMNS} FROM post_full_text f WHERE f.post_id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .during("reading where a post's text came from")?;
        row.map(|row| origin_from_row(&row))
            .transpose()
            .during("reading where a post's text came from")
    }

    /// The page texts stored for `source`'s posts with these guids.
    pub async fn page_texts(&self, source: SourceId, guids: &[&str]) -> Result<Vec<PageText>> {
        let mut conn = self.pool.acquire().await.during("reading page texts")?;
        let mut found = Vec::new();
        for chunk in guids.chunks(self.engine.rows_per_statement(1)) {
            let mut select = Sql::new(
                "SELECT p.id, p.guid, p.body, f.feed_digest FROM posts p
                 JOIN post_full_text f ON f.post_id = p.id
                 WHERE f.state = 'page' AND f.feed_digest IS NOT NULL AND p.source_id = ",
            );
            select.bind(source.0).push(" AND p.guid IN (");
            select.push_list(chunk, |sql, guid| {
                sql.bind((*guid).to_owned());
            });
            select.push(")");
            let rows = select.fetch_all(&mut *conn, "reading page texts").await?;
            // Decompressing the bodies is CPU work: off the async threads.
            let texts = body::off_async(|| {
                rows.iter()
                    .map(page_text_from_row)
                    .collect::<Result<Vec<_>>>()
            })?;
            found.extend(texts);
        }
        Ok(found)
    }

    /// The ids of `source`'s posts with these guids.
    pub async fn post_ids_by_guid(&self, source: SourceId, guids: &[&str]) -> Result<Vec<PostId>> {
        let mut conn = self.pool.acquire().await.during("looking up posts")?;
        let mut ids = Vec::new();
        for chunk in guids.chunks(self.engine.rows_per_statement(1)) {
            let mut select = Sql::new("SELECT id FROM posts WHERE source_id = ");
            select.bind(source.0).push(" AND guid IN (");
            select.push_list(chunk, |sql, guid| {
                sql.bind((*guid).to_owned());
            });
            select.push(") ORDER BY id");
            for row in select.fetch_all(&mut *conn, "looking up posts").await? {
                ids.push(PostId(row.try_get(0).during("looking up posts")?));
            }
        }
        Ok(ids)
    }

    /// Every post `source` credits, oldest id first (what `refetch-content` reads).
    pub async fn source_post_ids(&self, source: SourceId) -> Result<Vec<PostId>> {
        let rows = sqlx::query("SELECT id FROM posts WHERE source_id = $1 ORDER BY id")
            .bind(source.0)
            .fetch_all(&self.pool)
            .await
            .during("listing a source's posts")?;
        rows.iter()
            .map(|row| row.try_get(0).map(PostId))
            .collect::<Result<_, _>>()
            .during("listing a source's posts")
    }

    /// Queues `posts` for a page read from `now` (their record says `pending`): posts
    /// whose text an ingest just wrote from their feed, a page text before included. With
    /// `only_unrecorded` a post that has a record keeps it.
    pub async fn queue_full_text(
        &self,
        posts: &[PostId],
        only_unrecorded: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if posts.is_empty() {
            return Ok(());
        }
        let mut tx = self.write("queueing page reads").await?;
        for chunk in posts.chunks(self.engine.rows_per_statement(2)) {
            let mut insert =
                Sql::new("INSERT INTO post_full_text (post_id, state, retry_at) VALUES ");
            insert.push_list(chunk, |sql, post| {
                sql.push("(")
                    .bind(post.0)
                    .push(", 'pending', ")
                    .bind(to_secs(now))
                    .push(")");
            });
            insert.push(if only_unrecorded {
                " ON CONFLICT (post_id) DO NOTHING"
            } else {
                " ON CONFLICT (post_id) DO UPDATE SET state = 'pending', failures = 0,
                  retry_at = excluded.retry_at, feed_digest = NULL, feed_words = NULL"
            });
            insert.execute(&mut tx, "queueing page reads").await?;
        }
        tx.commit().await.during("queueing page reads")?;
        Ok(())
    }

    /// Up to `limit` of `source`'s posts whose page read is due at `now`, longest waiting
    /// first.
    pub async fn full_text_due(
        &self,
        source: SourceId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<PostId>> {
        let rows = sqlx::query(
            "SELECT f.post_id FROM post_full_text f JOIN posts p ON p.id = f.post_id
             WHERE f.retry_at IS NOT NULL AND f.retry_at <= $1 AND p.source_id = $2
             ORDER BY f.retry_at, f.post_id LIMIT $3",
        )
        .bind(to_secs(now))
        .bind(source.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .during("reading the page reads due")?;
        rows.iter()
            .map(|row| row.try_get(0).map(PostId))
            .collect::<Result<_, _>>()
            .during("reading the page reads due")
    }

    /// The posts `ids` (those that exist), with their record, for the fetcher to decide on.
    pub async fn full_text_candidates(&self, ids: &[PostId]) -> Result<Vec<FullTextCandidate>> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .during("reading posts for full text")?;
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(self.engine.rows_per_statement(1)) {
            let mut select = Sql::new(&format!(
                "SELECT p.id, p.source_id, p.link, p.title, p.body, p.categories, p.language,
                        f.post_id AS recorded, {ORIGIN_COLUMNS}
                 FROM posts p LEFT JOIN post_full_text f ON f.post_id = p.id WHERE p.id IN ("
            ));
            select.push_list(chunk, |sql, id| {
                sql.bind(id.0);
            });
            select.push(") ORDER BY p.id");
            let rows = select
                .fetch_all(&mut *conn, "reading posts for full text")
                .await?;
            // Decompressing the bodies is CPU work: off the async threads.
            let candidates = body::off_async(|| {
                rows.iter()
                    .map(candidate_from_row)
                    .collect::<Result<Vec<_>>>()
            })?;
            found.extend(candidates);
        }
        Ok(found)
    }
}

fn page_text_from_row(row: &sqlx::any::AnyRow) -> Result<PageText> {
    let read = || -> Result<_, sqlx::Error> {
        Ok((
            row.try_get::<i64, _>(0)?,
            row.try_get::<String, _>(1)?,
            row.try_get::<Vec<u8>, _>(2)?,
            row.try_get::<String, _>(3)?,
        ))
    };
    let (id, guid, blob, feed_digest) = read().during("reading page texts")?;
    let (text, html) = body::decode(&blob, id)?;
    Ok(PageText {
        guid,
        feed_digest,
        html,
        text,
    })
}

fn origin_from_row(row: &sqlx::any::AnyRow) -> Result<ContentOrigin, sqlx::Error> {
    let state: String = row.try_get("state")?;
    let checked_at: Option<i64> = row.try_get("checked_at")?;
    let retry_at: Option<i64> = row.try_get("retry_at")?;
    let failures: i64 = row.try_get("failures")?;
    let feed_words: Option<i64> = row.try_get("feed_words")?;
    Ok(ContentOrigin {
        state: FullTextState::parse(&state),
        page_url: row.try_get("page_url")?,
        checked_at: checked_at.map(from_secs),
        reason: row.try_get("reason")?,
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        retry_at: retry_at.map(from_secs),
        feed_digest: row.try_get("feed_digest")?,
        feed_words: feed_words.and_then(|w| u64::try_from(w).ok()),
    })
}

fn candidate_from_row(row: &sqlx::any::AnyRow) -> Result<FullTextCandidate> {
    let read = || -> Result<(FullTextCandidate, Vec<u8>, String), sqlx::Error> {
        let recorded: Option<i64> = row.try_get("recorded")?;
        let candidate = FullTextCandidate {
            post: PostId(row.try_get("id")?),
            source: SourceId(row.try_get("source_id")?),
            link: row.try_get("link")?,
            title: row.try_get("title")?,
            content_html: String::new(),
            content_text: String::new(),
            categories: Vec::new(),
            language: row.try_get("language")?,
            origin: recorded.map(|_| origin_from_row(row)).transpose()?,
        };
        Ok((candidate, row.try_get("body")?, row.try_get("categories")?))
    };
    let (mut candidate, blob, categories) = read().during("reading posts for full text")?;
    (candidate.content_text, candidate.content_html) = body::decode(&blob, candidate.post.0)?;
    candidate.categories = serde_json::from_str(&categories).unwrap_or_default();
    Ok(candidate)
}
