//! Storing what the fetcher decided about posts' pages: page texts over the feed's, the
//! way an ingest's update goes in, and every post's record.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use syndic_core::TagAssignment;

use super::FullTextOutcome;
use crate::error::QueryContext;
use crate::ingest::StoredPost;
use crate::revisions::edit::{self, Version};
use crate::sql::Sql;
use crate::{Result, Store, body, clock, ingest, revisions, text, to_secs};

impl Store {
    /// Stores what the fetcher decided, in one transaction: page texts replace the posts'
    /// text (keeping the replaced version as a revision when more than a trivial edit,
    /// queueing the post for search, replacing its automatic tags), and every post's
    /// record is written. Moves the change clock when a text changed.
    pub async fn record_full_text(
        &self,
        outcomes: &[FullTextOutcome],
        now: DateTime<Utc>,
    ) -> Result<()> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let mut tx = self.write("storing page texts").await?;
        let changed = replace_texts(&mut tx, self, outcomes, now).await?;
        write_records(&mut tx, self, outcomes, now).await?;
        if changed {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("storing page texts")?;
        Ok(())
    }
}

/// Writes the page texts of `outcomes` over the posts' text; whether any changed.
async fn replace_texts(
    tx: &mut AnyConnection,
    store: &Store,
    outcomes: &[FullTextOutcome],
    now: DateTime<Utc>,
) -> Result<bool> {
    let pages: Vec<(i64, &str, &str, &[TagAssignment])> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            FullTextOutcome::Page {
                post,
                html,
                text,
                tags,
                ..
            } => Some((post.0, html.as_str(), text.as_str(), tags.as_slice())),
            _ => None,
        })
        .collect();
    if pages.is_empty() {
        return Ok(false);
    }
    let ids: Vec<i64> = pages.iter().map(|(id, ..)| *id).collect();
    let stored = read_stored(tx, store, &ids).await?;
    // The decision: which texts change, and which changes are revisions.
    let mut replaced: Vec<&StoredPost> = Vec::new();
    let mut changed: Vec<(i64, &str, &str)> = Vec::new();
    for (id, html, page_text, _) in &pages {
        let Some(post) = stored.iter().find(|p| p.id == *id) else {
            continue;
        };
        if post.content_html == text::clean(html) {
            continue;
        }
        let old = Version {
            title: &post.title,
            text: &post.content_text,
            html: &post.content_html,
        };
        let new = Version {
            title: &post.title,
            text: page_text,
            html,
        };
        if edit::is_revision(old, new) {
            replaced.push(post);
        }
        changed.push((*id, html, page_text));
    }
    revisions::record(tx, store, &replaced, now).await?;
    write_bodies(tx, store, &changed, now).await?;
    let mut pending: Vec<i64> = changed.iter().map(|(id, ..)| *id).collect();
    crate::search::record_pending(tx, store.engine, &mut pending).await?;
    let tagged: Vec<(i64, &[TagAssignment])> = pages
        .iter()
        .filter(|(id, ..)| stored.iter().any(|p| p.id == *id))
        .map(|(id, .., tags)| (*id, *tags))
        .collect();
    let existing: Vec<i64> = tagged.iter().map(|(id, _)| *id).collect();
    ingest::write_automatic_tags(tx, store.engine, &tagged, &existing, now).await?;
    Ok(!changed.is_empty())
}

/// Writes the page texts `changed` (post id, HTML, text) as the posts' bodies, compressed
/// off the async threads, many posts a statement (as an ingest's updates).
async fn write_bodies(
    tx: &mut AnyConnection,
    store: &Store,
    changed: &[(i64, &str, &str)],
    now: DateTime<Utc>,
) -> Result<()> {
    let dictionary = store.dictionaries.current();
    let bodies: Vec<(i64, Vec<u8>)> = body::off_async(|| {
        changed
            .iter()
            .map(|(id, html, page_text)| {
                let blob =
                    body::encode_with(&text::clean(page_text), &text::clean(html), dictionary);
                (*id, blob)
            })
            .collect()
    });
    for chunk in bodies.chunks(store.engine.rows_per_statement(3)) {
        let mut update =
            Sql::new("UPDATE posts SET body = v.column2, updated_at = v.column3 FROM (VALUES ");
        update.push_list(chunk, |sql, (id, blob)| {
            sql.push("(").bind(*id).push(", ").bind(blob.clone());
            sql.push(", ").bind(to_secs(now)).push(")");
        });
        update.push(") AS v WHERE posts.id = v.column1");
        update.execute(&mut *tx, "storing page texts").await?;
    }
    Ok(())
}

/// The stored posts `ids` as an ingest reads them (for revisions).
async fn read_stored(
    tx: &mut AnyConnection,
    store: &Store,
    ids: &[i64],
) -> Result<Vec<StoredPost>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(store.engine.rows_per_statement(1)) {
        let mut select = Sql::new(ingest::STORED_BY_ID);
        select.push_list(chunk, |sql, id| {
            sql.bind(*id);
        });
        select.push(")");
        let rows = select
            .fetch_all(&mut *tx, "reading posts for full text")
            .await?;
        // Reading a row decompresses its body: off the async threads.
        let posts = body::off_async(|| {
            rows.iter()
                .map(ingest::stored_from_row)
                .collect::<Result<Vec<_>>>()
        })?;
        found.extend(posts);
    }
    Ok(found)
}

/// The three kinds of record an outcome writes, each with what an existing record
/// becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordKind {
    Page,
    Kept,
    Failed,
}

impl RecordKind {
    fn of(outcome: &FullTextOutcome) -> RecordKind {
        match outcome {
            FullTextOutcome::Page { .. } => RecordKind::Page,
            FullTextOutcome::Kept { .. } => RecordKind::Kept,
            FullTextOutcome::Failed { .. } => RecordKind::Failed,
        }
    }

    /// The `DO UPDATE SET` of this kind's upsert.
    fn on_conflict(self) -> &'static str {
        match self {
            RecordKind::Page => {
                "state = 'page', page_url = excluded.page_url, checked_at = excluded.checked_at,
                 reason = '', failures = 0, retry_at = NULL,
                 feed_digest = excluded.feed_digest, feed_words = excluded.feed_words"
            }
            // A page text stored before stays what it was.
            RecordKind::Kept => {
                "state = CASE WHEN post_full_text.state = 'page' THEN 'page' ELSE 'feed' END,
                 checked_at = excluded.checked_at, reason = excluded.reason, failures = 0,
                 retry_at = NULL,
                 page_url = CASE WHEN post_full_text.state = 'page' THEN post_full_text.page_url
                            ELSE excluded.page_url END"
            }
            RecordKind::Failed => {
                "state = CASE WHEN post_full_text.state = 'page' THEN 'page' ELSE 'failed' END,
                 checked_at = excluded.checked_at, reason = excluded.reason,
                 failures = post_full_text.failures + 1,
                 retry_at = CASE WHEN post_full_text.state = 'page' THEN NULL
                            ELSE excluded.retry_at END"
            }
        }
    }
}

/// Upserts every outcome's record: one statement per kind of outcome (and per chunk),
/// the last outcome of a post winning.
async fn write_records(
    tx: &mut AnyConnection,
    store: &Store,
    outcomes: &[FullTextOutcome],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut last: Vec<&FullTextOutcome> = Vec::with_capacity(outcomes.len());
    for outcome in outcomes.iter().rev() {
        if !last.iter().any(|kept| kept.post() == outcome.post()) {
            last.push(outcome);
        }
    }
    for kind in [RecordKind::Page, RecordKind::Kept, RecordKind::Failed] {
        let of_kind: Vec<&FullTextOutcome> = last
            .iter()
            .copied()
            .filter(|outcome| RecordKind::of(outcome) == kind)
            .collect();
        for chunk in of_kind.chunks(store.engine.rows_per_statement(9)) {
            let mut upsert = Sql::new(
                "INSERT INTO post_full_text (post_id, state, page_url, checked_at, reason,
                     failures, retry_at, feed_digest, feed_words) VALUES ",
            );
            upsert.push_list(chunk, |sql, outcome| push_record(sql, outcome, now));
            upsert.push(" ON CONFLICT (post_id) DO UPDATE SET ");
            upsert.push(kind.on_conflict());
            upsert
                .execute(&mut *tx, "recording where posts' text came from")
                .await?;
        }
    }
    Ok(())
}

/// One outcome's row: `(post_id, state, page_url, checked_at, reason, failures, retry_at,
/// feed_digest, feed_words)`.
fn push_record(sql: &mut Sql, outcome: &FullTextOutcome, now: DateTime<Utc>) {
    sql.push("(").bind(outcome.post().0).push(", ");
    match outcome {
        FullTextOutcome::Page {
            url,
            feed_digest,
            feed_words,
            ..
        } => {
            sql.push("'page', ").bind(url.clone()).push(", ");
            sql.bind(to_secs(now)).push(", '', 0, NULL, ");
            sql.bind(feed_digest.clone()).push(", ");
            sql.bind(i64::try_from(*feed_words).unwrap_or(i64::MAX));
        }
        FullTextOutcome::Kept { url, reason, .. } => {
            sql.push("'feed', ").bind(url.clone()).push(", ");
            sql.bind(to_secs(now)).push(", ");
            sql.bind(text::clean(reason).into_owned());
            sql.push(", 0, NULL, NULL, NULL");
        }
        FullTextOutcome::Failed {
            url,
            reason,
            retry_at,
            ..
        } => {
            sql.push("'failed', ").bind(url.clone()).push(", ");
            sql.bind(to_secs(now)).push(", ");
            sql.bind(text::clean(reason).into_owned());
            sql.push(", 1, ").bind(retry_at.map(to_secs));
            sql.push(", NULL, NULL");
        }
    }
    sql.push(")");
}
