//! Cached images kept in the store (`[media] keep = "store"`, migration 23): one row of
//! `media_files` per image, named by the sha256 of its bytes, and `media_urls`, which
//! address became which image. A web node on another machine serves the images a worker
//! fetched from the database they share, with no shared disk.
//!
//! The store reads and writes rows; what to keep, what the budget allows and what `media
//! gc` removes are decided in Rust by the callers. Rows are read by hash, or listed a page
//! at a time without their bytes: never all at once.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store, from_secs, to_secs};

/// Hashes or addresses looked up per statement (SQLite's statements carry at most 250
/// parameters).
const PER_STATEMENT: usize = 200;

/// A cached image's bytes, as fetched, and the type they were sniffed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A cached image without its bytes: what `media gc` and the static build list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFileEntry {
    pub hash: String,
    pub content_type: String,
    pub size: u64,
    pub stored_at: DateTime<Utc>,
}

/// An address the store's URL map knows, and the image it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedMedia {
    pub url: String,
    pub hash: String,
    pub content_type: String,
}

impl Store {
    /// Keeps `bytes` as the image `hash` (the sha256 of the bytes) of `content_type`, first
    /// stored at `now`; `false` when it was kept already (a name is its bytes).
    pub async fn keep_media_file(
        &self,
        hash: &str,
        content_type: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO media_files (hash, content_type, size, stored_at, bytes)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash.to_owned())
        .bind(content_type.to_owned())
        .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
        .bind(to_secs(now))
        .bind(bytes.to_vec())
        .execute(&self.pool)
        .await
        .during("keeping a cached image in the store")?;
        Ok(done.rows_affected() > 0)
    }

    /// Whether the store keeps the image named `hash` (its bytes are not read).
    pub async fn has_media_file(&self, hash: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM media_files WHERE hash = $1")
            .bind(hash.to_owned())
            .fetch_optional(&self.pool)
            .await
            .during("looking for a cached image")?;
        Ok(found.is_some())
    }

    /// The image named `hash`, if the store keeps it.
    pub async fn media_file(&self, hash: &str) -> Result<Option<MediaFile>> {
        let row = sqlx::query("SELECT content_type, bytes FROM media_files WHERE hash = $1")
            .bind(hash.to_owned())
            .fetch_optional(&self.pool)
            .await
            .during("reading a cached image")?;
        row.map(|row| {
            Ok(MediaFile {
                content_type: row.try_get("content_type")?,
                bytes: row.try_get("bytes")?,
            })
        })
        .transpose()
        .during("reading a cached image")
    }

    /// How many images the store keeps, and their bytes (what the budget counts).
    pub async fn media_files_usage(&self) -> Result<(u64, u64)> {
        // PostgreSQL sums BIGINTs as NUMERIC: cast back.
        let (count, bytes): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM media_files",
        )
        .fetch_one(&self.pool)
        .await
        .during("counting the cached images in the store")?;
        let unsigned = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok((unsigned(count), unsigned(bytes)))
    }

    /// Up to `limit` images, without their bytes, in hash order after `after`.
    pub async fn media_files_after(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<MediaFileEntry>> {
        let rows = sqlx::query(
            "SELECT hash, content_type, size, stored_at FROM media_files
             WHERE hash > $1 ORDER BY hash LIMIT $2",
        )
        .bind(after.unwrap_or("").to_owned())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .during("listing the cached images")?;
        rows.iter()
            .map(|row| {
                Ok(MediaFileEntry {
                    hash: row.try_get("hash")?,
                    content_type: row.try_get("content_type")?,
                    size: u64::try_from(row.try_get::<i64, _>("size")?).unwrap_or(0),
                    stored_at: from_secs(row.try_get("stored_at")?),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .during("listing the cached images")
    }

    /// Removes the images named `hashes` and the addresses that became them (which are
    /// fetched again if a post shows them); returns how many images were removed.
    pub async fn remove_media_files(&self, hashes: &[String]) -> Result<u64> {
        let mut removed = 0;
        for chunk in hashes.chunks(PER_STATEMENT) {
            let mut sql = Sql::new("DELETE FROM media_files WHERE hash IN (");
            sql.push_list(chunk, |sql, hash| {
                sql.bind(hash.clone());
            });
            sql.push(")");
            let mut tx = self.write("removing cached images").await?;
            removed += sql
                .execute(&mut tx, "removing cached images")
                .await?
                .rows_affected();
            tx.commit().await.during("removing cached images")?;
        }
        Ok(removed)
    }

    /// Remembers that `url` became the image `hash` (which the store keeps).
    pub async fn remember_media_url(&self, url: &str, hash: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO media_urls (url_key, hash) VALUES ($1, $2)
             ON CONFLICT (url_key) DO UPDATE SET hash = excluded.hash",
        )
        .bind(crate::hex_sha256(url.as_bytes()))
        .bind(hash.to_owned())
        .execute(&self.pool)
        .await
        .during("remembering which address became a cached image")?;
        Ok(())
    }

    /// Those of `urls` the URL map knows, with the image each became, in no order.
    pub async fn mapped_media(&self, urls: &[String]) -> Result<Vec<MappedMedia>> {
        let mut found = Vec::new();
        for chunk in urls.chunks(PER_STATEMENT) {
            let mut sql = Sql::new(
                "SELECT u.url_key, f.hash, f.content_type FROM media_urls u
                 JOIN media_files f ON f.hash = u.hash WHERE u.url_key IN (",
            );
            let keys: Vec<String> = chunk
                .iter()
                .map(|url| crate::hex_sha256(url.as_bytes()))
                .collect();
            sql.push_list(&keys, |sql, key| {
                sql.bind(key.clone());
            });
            sql.push(")");
            let rows = sql
                .fetch_all(&self.pool, "reading which addresses are cached images")
                .await?;
            for row in &rows {
                let key: String = row.try_get("url_key").during("reading the URL map")?;
                let Some(at) = keys.iter().position(|k| *k == key) else {
                    continue;
                };
                found.push(MappedMedia {
                    url: chunk[at].clone(),
                    hash: row.try_get("hash").during("reading the URL map")?,
                    content_type: row.try_get("content_type").during("reading the URL map")?,
                });
            }
        }
        Ok(found)
    }
}
