//! Storing what one fetch of a source produced, atomically.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection};
use syndic_core::{FeedEntry, FeedMeta, PostId, SourceId, TagAssignment};

use crate::error::QueryContext;
use crate::{Result, Store, clock, sources, to_secs};

/// A parsed entry together with the tags automatic tagging gave it.
#[derive(Debug, Clone)]
pub struct IncomingPost {
    pub entry: FeedEntry,
    pub tags: Vec<TagAssignment>,
}

/// What one ingest did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    pub new: u32,
    pub updated: u32,
    pub unchanged: u32,
}

impl Store {
    /// Stores the posts of one successful fetch of `source` in one transaction: new posts
    /// are inserted, changed ones updated in place (first-seen time kept, updated time
    /// set), unchanged ones left alone. Every post's automatic tags are replaced by
    /// `tags`; manual tags are never touched. Moves the change clock
    /// ([`Store::last_change`]).
    pub async fn ingest(
        &self,
        source: SourceId,
        meta: &FeedMeta,
        posts: &[IncomingPost],
        now: DateTime<Utc>,
    ) -> Result<IngestStats> {
        let mut tx = self.write("starting an ingest").await?;
        let (stats, _) = store_posts(&mut tx, source, meta, posts, now).await?;
        // The last success alone changes the sources page, so every ingest moves the clock.
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing an ingest")?;
        Ok(stats)
    }
}

/// The body of every ingest, inside the caller's transaction: what the feed says about
/// itself, the source's success, then each post upserted with its automatic tags. The
/// caller adds what else belongs to the fetch, bumps the clock and commits. Also returns
/// the indexes (into `posts`) of the posts that were new or updated.
pub(crate) async fn store_posts(
    tx: &mut SqliteConnection,
    source: SourceId,
    meta: &FeedMeta,
    posts: &[IncomingPost],
    now: DateTime<Utc>,
) -> Result<(IngestStats, Vec<usize>)> {
    sources::record_success(tx, source, meta, now).await?;
    let mut stats = IngestStats::default();
    let mut changed = Vec::new();
    let batch_guids: HashSet<&str> = posts.iter().map(|p| p.entry.guid.as_str()).collect();
    for (index, post) in posts.iter().enumerate() {
        let (id, outcome) = upsert_post(tx, source, &post.entry, &batch_guids, now).await?;
        match outcome {
            Outcome::New => stats.new += 1,
            Outcome::Updated => stats.updated += 1,
            Outcome::Unchanged => stats.unchanged += 1,
        }
        if !matches!(outcome, Outcome::Unchanged) {
            changed.push(index);
        }
        replace_automatic_tags(tx, id, &post.tags, now).await?;
    }
    Ok((stats, changed))
}

enum Outcome {
    New,
    Updated,
    Unchanged,
}

async fn upsert_post(
    tx: &mut SqliteConnection,
    source: SourceId,
    entry: &FeedEntry,
    batch_guids: &HashSet<&str>,
    now: DateTime<Utc>,
) -> Result<(PostId, Outcome)> {
    let categories = serde_json::to_string(&entry.categories).unwrap_or_else(|_| "[]".into());
    let existing = sqlx::query(
        "SELECT id, title, link, author, published_at, content_html, categories, guid, language
         FROM posts WHERE source_id = $1 AND guid = $2",
    )
    .bind(source.0)
    .bind(&entry.guid)
    .fetch_optional(&mut *tx)
    .await
    .during("looking up a post")?;
    let existing = match existing {
        Some(row) => Some(row),
        None => same_post_new_guid(tx, source, entry, batch_guids).await?,
    };

    let Some(row) = existing else {
        let published = for_ordering(entry.published.or(entry.updated).unwrap_or(now), now);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO posts (source_id, guid, title, link, author, published_at, updated_at,
                 first_seen_at, content_html, content_text, categories, language)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(source.0)
        .bind(&entry.guid)
        .bind(&entry.title)
        .bind(&entry.link)
        .bind(&entry.author)
        .bind(to_secs(published))
        .bind(to_secs(now))
        .bind(&entry.content_html)
        .bind(&entry.content_text)
        .bind(&categories)
        .bind(&entry.language)
        .fetch_one(&mut *tx)
        .await
        .during("inserting a post")?;
        return Ok((PostId(id), Outcome::New));
    };

    let read = || -> Result<_, sqlx::Error> {
        Ok((
            row.try_get::<i64, _>("id")?,
            row.try_get::<String, _>("title")?,
            row.try_get::<Option<String>, _>("link")?,
            row.try_get::<Option<String>, _>("author")?,
            row.try_get::<i64, _>("published_at")?,
            row.try_get::<String, _>("content_html")?,
            row.try_get::<String, _>("categories")?,
            row.try_get::<Option<String>, _>("language")?,
        ))
    };
    let (id, title, link, author, published_at, content_html, stored_categories, language) =
        read().during("reading a stored post")?;
    // A feed that stops giving a date, or still gives one too far ahead (clamped when first
    // seen), does not move the post: keep the stored date.
    let published = match entry.published.or(entry.updated) {
        Some(date) if date <= now + MAX_FUTURE => to_secs(date),
        _ => published_at,
    };
    let unchanged = title == entry.title
        && link == entry.link
        && author == entry.author
        && published == published_at
        && content_html == entry.content_html
        && stored_categories == categories
        && language == entry.language;
    if unchanged {
        return Ok((PostId(id), Outcome::Unchanged));
    }
    sqlx::query(
        "UPDATE posts SET title = $1, link = $2, author = $3, published_at = $4, updated_at = $5,
             content_html = $6, content_text = $7, categories = $8, guid = $10, language = $11
         WHERE id = $9",
    )
    .bind(&entry.title)
    .bind(&entry.link)
    .bind(&entry.author)
    .bind(published)
    .bind(to_secs(entry.updated.unwrap_or(now)))
    .bind(&entry.content_html)
    .bind(&entry.content_text)
    .bind(&categories)
    .bind(id)
    .bind(&entry.guid)
    .bind(&entry.language)
    .execute(&mut *tx)
    .await
    .during("updating a post")?;
    Ok((PostId(id), Outcome::Updated))
}

/// How far ahead of now a publication date may be: later ones are clamped to it, so that
/// a post dated years ahead cannot pin itself to the top of every archive.
const MAX_FUTURE: chrono::TimeDelta = chrono::TimeDelta::days(1);

fn for_ordering(date: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    date.min(now + MAX_FUTURE)
}

/// A stored post that is `entry` under a guid the feed no longer uses: some feeds make up
/// a new guid on every request while the item's link and title stay. Matching needs the
/// same link *and* title, exactly one such post, and its old guid absent from this
/// fetch, so that items which merely share a link (a home page) stay apart.
async fn same_post_new_guid(
    tx: &mut SqliteConnection,
    source: SourceId,
    entry: &FeedEntry,
    batch_guids: &HashSet<&str>,
) -> Result<Option<sqlx::sqlite::SqliteRow>> {
    let Some(link) = entry.link.as_deref() else {
        return Ok(None);
    };
    let mut rows = sqlx::query(
        "SELECT id, title, link, author, published_at, content_html, categories, guid, language
         FROM posts WHERE source_id = $1 AND link = $2 AND title = $3 LIMIT 2",
    )
    .bind(source.0)
    .bind(link)
    .bind(&entry.title)
    .fetch_all(&mut *tx)
    .await
    .during("looking up a post by its link")?;
    if rows.len() != 1 {
        return Ok(None);
    }
    let row = rows.remove(0);
    let old_guid: String = row.try_get("guid").during("reading a stored post")?;
    Ok((!batch_guids.contains(old_guid.as_str())).then_some(row))
}

/// Replaces the automatic (non-manual) tag links of `post` with `tags`, creating tag rows
/// for names not seen before (feed categories may name tags outside the vocabulary). A
/// pair somebody vetoed ([`Store::remove_tag`](crate::Store::remove_tag)) stays unlinked.
pub(crate) async fn replace_automatic_tags(
    tx: &mut SqliteConnection,
    post: PostId,
    tags: &[TagAssignment],
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("DELETE FROM post_tags WHERE post_id = $1 AND origin <> 'manual'")
        .bind(post.0)
        .execute(&mut *tx)
        .await
        .during("clearing a post's automatic tags")?;
    let vetoed = crate::retag::vetoed_tags(tx, post).await?;
    for assignment in tags.iter().filter(|t| t.origin.is_automatic()) {
        let (tag, _) = crate::query::ensure_tag(tx, &assignment.tag, now).await?;
        if vetoed.contains(&tag) {
            continue;
        }
        sqlx::query(
            "INSERT INTO post_tags (post_id, tag_id, origin, detail) VALUES ($1, $2, $3, $4)
             ON CONFLICT (post_id, tag_id, origin) DO NOTHING",
        )
        .bind(post.0)
        .bind(tag.0)
        .bind(assignment.origin.as_str())
        .bind(&assignment.detail)
        .execute(&mut *tx)
        .await
        .during("linking a post to a tag")?;
    }
    Ok(())
}
