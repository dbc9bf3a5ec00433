//! Sources: the feeds syndic follows, and what their last fetch did.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sqlx::Row;
use syndic_core::{FeedMeta, SourceId, SourceStatus, SourceSummary, slugify};

use crate::error::QueryContext;
use crate::{Result, Store, StoreError, clock, fetch_state, from_secs, text, to_secs};

/// How often adding a source is tried while other processes add sources at the same time
/// (each try that meets another's row reads the source again).
const ADD_ATTEMPTS: usize = 5;

/// The source summary query, with `$tail` (filter, order) appended. Each source's posts
/// (those merged into another source's post included) are the sum of its listing's days
/// (`listing/days.rs`), so the count never reads the posts or their copies.
macro_rules! summary_sql {
    ($tail:literal) => {
        concat!(
            "SELECT s.id, s.slug, s.url, COALESCE(s.name, s.feed_title, s.url) AS display_name,
                 s.site_url,
                 (SELECT CAST(COALESCE(SUM(d.posts), 0) AS BIGINT) FROM listing_days d
                  WHERE d.kind = 2 AND d.key = s.id) AS post_count,
                 s.last_success_at, s.last_error, s.status, s.error_count, s.next_fetch_at,
                 s.paused, s.paused_at, s.full_content
             FROM sources s",
            $tail
        )
    };
}

/// Every source with its post count, by name.
pub(crate) const SOURCES: &str =
    summary_sql!(" ORDER BY lower(COALESCE(s.name, s.feed_title, s.url)), s.id");

/// One source by slug, with its post count.
pub(crate) const SOURCE_BY_SLUG: &str = summary_sql!(" WHERE s.slug = $1");

/// A source as the configuration declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    /// Where the feed is read from, as configured (URL or path); the source's identity.
    pub url: String,
    /// The operator's name for it; overrides the feed's title in attributions.
    pub name: Option<String>,
}

/// `spec` as the store keeps it (texts cleaned).
pub(crate) fn cleaned_spec(spec: &SourceSpec) -> SourceSpec {
    SourceSpec {
        url: text::clean(&spec.url).into_owned(),
        name: text::clean_opt(spec.name.as_deref()).map(Cow::into_owned),
    }
}

impl Store {
    /// Makes sure a row exists for `spec` and returns its id. The configured name is
    /// updated; the slug, once given, never changes so that source URLs stay stable. A
    /// source that a permanent redirect moved ([`Store::record_moved`]) is still found by
    /// the URL it had before. Moves the change clock ([`Store::last_change`]) when it added
    /// the source or renamed it.
    pub async fn upsert_source(&self, spec: &SourceSpec, now: DateTime<Utc>) -> Result<SourceId> {
        let spec = cleaned_spec(spec);
        // Several processes may add the same source at once (workers starting together):
        // an insert that meets another's row adds nothing, and the row is read again.
        for _ in 0..ADD_ATTEMPTS {
            if let Some((id, name)) = self.source_by_url(&spec.url).await? {
                if name != spec.name {
                    self.rename_source(id, spec.name.as_deref()).await?;
                }
                return Ok(SourceId(id));
            }
            if let Some(id) = self.add_source(&spec, now).await? {
                return Ok(id);
            }
        }
        Err(StoreError::SourceRace {
            url: spec.url.clone(),
        })
    }

    /// The source followed at `url`, or that once was (its id and name).
    async fn source_by_url(&self, url: &str) -> Result<Option<(i64, Option<String>)>> {
        sqlx::query_as(
            "SELECT id, name FROM (
                 SELECT id, name, 0 AS former, 0 AS replaced_at FROM sources WHERE url = $1
                 UNION ALL
                 SELECT s.id, s.name, 1, h.replaced_at
                 FROM source_urls h JOIN sources s ON s.id = h.source_id WHERE h.url = $1
             ) AS found ORDER BY former, replaced_at DESC LIMIT 1",
        )
        .bind(url)
        .fetch_optional(&self.pool)
        .await
        .during("looking up a source")
    }

    async fn rename_source(&self, id: i64, name: Option<&str>) -> Result<()> {
        let mut tx = self.write("starting a source rename").await?;
        sqlx::query("UPDATE sources SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&mut *tx)
            .await
            .during("updating a source's name")?;
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing a source rename")
    }

    /// Adds the source; `None` when another process added its URL or took its slug first.
    async fn add_source(&self, spec: &SourceSpec, now: DateTime<Utc>) -> Result<Option<SourceId>> {
        let base = slugify(spec.name.as_deref().unwrap_or(&slug_hint(&spec.url)));
        let slug = self.free_slug("sources", &base).await?;
        let mut tx = self.write("starting to add a source").await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO sources (url, slug, name, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(&spec.url)
        .bind(&slug)
        .bind(&spec.name)
        .bind(to_secs(now))
        .fetch_optional(&mut *tx)
        .await
        .during("adding a source")?;
        if id.is_some() {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("committing a new source")?;
        Ok(id.map(SourceId))
    }

    /// Records a failed fetch on the source's row; its posts stay as they are. Moves the
    /// change clock ([`Store::last_change`]): the sources page shows the error.
    ///
    /// The unscheduled form of [`Store::record_failure`]: the source is due again at once.
    /// An unknown source is ignored.
    pub async fn record_fetch_failure(
        &self,
        source: SourceId,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        match self.record_failure(source, error, now, None, now).await {
            Err(StoreError::UnknownSource { .. }) => Ok(()),
            other => other,
        }
    }

    /// Every source with its post count, ordered by name.
    pub async fn sources(&self) -> Result<Vec<SourceSummary>> {
        let rows = sqlx::query(SOURCES)
            .fetch_all(&self.pool)
            .await
            .during("listing sources")?;
        rows.iter().map(summary_from_row).collect()
    }

    /// One source by its slug.
    pub async fn source_by_slug(&self, slug: &str) -> Result<Option<SourceSummary>> {
        let row = sqlx::query(SOURCE_BY_SLUG)
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .during("looking up a source")?;
        row.as_ref().map(summary_from_row).transpose()
    }

    /// A slug not yet used in `table`: `base`, else `base-2`, `base-3`, …
    pub(crate) async fn free_slug(&self, table: &'static str, base: &str) -> Result<String> {
        let sql = match table {
            "tags" => "SELECT COUNT(*) FROM tags WHERE slug = $1",
            _ => "SELECT COUNT(*) FROM sources WHERE slug = $1",
        };
        let mut candidate = base.to_owned();
        for n in 2.. {
            let taken: i64 = sqlx::query_scalar(sql)
                .bind(&candidate)
                .fetch_one(&self.pool)
                .await
                .during("choosing a slug")?;
            if taken == 0 {
                break;
            }
            candidate = format!("{base}-{n}");
        }
        Ok(candidate)
    }
}

/// Updates what the feed says about itself and marks the fetch successful.
pub(crate) async fn record_success(
    tx: &mut sqlx::AnyConnection,
    source: SourceId,
    meta: &FeedMeta,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE sources SET feed_title = COALESCE($1, feed_title), site_url = COALESCE($2, site_url),
             description = COALESCE($3, description)
         WHERE id = $4",
    )
    .bind(text::clean_opt(meta.title.as_deref()).map(Cow::into_owned))
    .bind(text::clean_opt(meta.site_url.as_deref()).map(Cow::into_owned))
    .bind(text::clean_opt(meta.description.as_deref()).map(Cow::into_owned))
    .bind(source.0)
    .execute(&mut *tx)
    .await
    .during("recording what a feed says about itself")?;
    fetch_state::mark_success(tx, source, now).await
}

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<SourceSummary> {
    let status: String = row.try_get("status").during("reading a source row")?;
    let status: SourceStatus = status
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("source row: {e}")))?;
    let get = || -> Result<SourceSummary, sqlx::Error> {
        Ok(SourceSummary {
            id: SourceId(row.try_get("id")?),
            slug: row.try_get("slug")?,
            url: row.try_get("url")?,
            name: row.try_get("display_name")?,
            site_url: row.try_get("site_url")?,
            post_count: row.try_get("post_count")?,
            last_success: row
                .try_get::<Option<i64>, _>("last_success_at")?
                .map(from_secs),
            last_error: row.try_get("last_error")?,
            status,
            error_count: row.try_get("error_count")?,
            next_fetch: row
                .try_get::<Option<i64>, _>("next_fetch_at")?
                .map(from_secs),
            paused: row.try_get::<i64, _>("paused")? != 0
                || row.try_get::<Option<i64>, _>("paused_at")?.is_some(),
            full_content: row.try_get("full_content")?,
        })
    };
    get().during("reading a source row")
}

/// A readable slug basis for a source without a name: host and file stem of its URL or path.
fn slug_hint(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    match url::Url::parse(trimmed) {
        Ok(parsed) if parsed.host_str().is_some() => {
            let host = parsed
                .host_str()
                .unwrap_or_default()
                .trim_start_matches("www.");
            let stem = parsed
                .path_segments()
                .and_then(|mut segments| segments.next_back())
                .map(|last| last.split('.').next().unwrap_or(last))
                .filter(|stem| {
                    !stem.is_empty() && !matches!(*stem, "feed" | "rss" | "atom" | "index")
                });
            match stem {
                Some(stem) => format!("{host} {stem}"),
                None => host.to_owned(),
            }
        }
        _ => {
            let file = trimmed.rsplit(['/', '\\']).next().unwrap_or(trimmed);
            file.split('.').next().unwrap_or(file).to_owned()
        }
    }
}

#[cfg(test)]
mod slug_tests {
    use super::slug_hint;

    #[test]
    fn slug_hints_read_like_the_source() {
        assert_eq!(slug_hint("https://www.example.org/feed.xml"), "example.org");
        assert_eq!(
            slug_hint("https://blog.example.org/rust.atom"),
            "blog.example.org rust"
        );
        assert_eq!(slug_hint("feeds/tidepool.rss"), "tidepool");
        assert_eq!(slug_hint("file:///srv/feeds/lamp.json"), "lamp");
    }
}
