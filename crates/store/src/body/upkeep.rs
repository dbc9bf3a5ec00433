//! The bodies' upkeep, part of every indexing pass: once the store holds
//! [`TRAIN_AFTER`] posts and has no dictionary, train one on its newest bodies
//! (`dictionary.rs`); once a dictionary is usable, rewrite the bodies made before it with
//! it, oldest first, at most a number a pass (so a large store converges over a few passes
//! instead of stalling one), keeping a rewrite only when it is smaller.
//!
//! A rewrite changes no post's text or HTML, so it records no change (no clock bump, no
//! search entry). It never overwrites a newer body: each row is written back only if its
//! body is still the one read (`AND posts.body = v.column3`), so an ingest that updated the
//! post meanwhile wins on both engines without any lock held while compressing.

use std::sync::atomic::Ordering;

use sqlx::Row;

use super::dictionary::{self, Dictionary};
use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store};

/// Posts a store holds before a dictionary is trained on them.
pub(crate) const TRAIN_AFTER: i64 = 1_000;
/// The newest posts a dictionary is trained on, at most.
const SAMPLE_POSTS: i64 = 2_000;
/// Sample bytes a dictionary is trained on, at most. zstd advises a hundred times the
/// dictionary's size, but on the benchmark corpus 4 MB of samples trained one within 0.3 %
/// of 12 MB's and 25 MB's (bodies compressed with it) in a third and a sixth of the time
/// (0.3 s of CPU, `zstd --train`): a store's first indexing pass past 1,000 posts pays it.
const SAMPLE_BYTES: usize = 4 << 20;
/// A dictionary's size: zstd's default (110 KiB).
pub(crate) const DICTIONARY_BYTES: usize = 112_640;
/// Bodies read and rewritten per transaction.
const REWRITE_BATCH: i64 = 500;
/// Bodies an indexing pass rewrites at most (a few seconds of one core).
pub(crate) const REWRITE_PER_PASS: u64 = 20_000;

impl Store {
    /// Trains the store's dictionary when due, then rewrites up to `limit` older bodies
    /// with the current one. Returns how many bodies it read for rewriting (0: nothing
    /// is left to rewrite).
    pub(crate) async fn body_upkeep(&self, limit: u64) -> Result<u64> {
        if self.read_only {
            return Ok(0);
        }
        self.train_dictionary_if_due().await?;
        match self.dictionaries.current() {
            Some(current) => self.rewrite_bodies(current, limit).await,
            None => Ok(0),
        }
    }

    async fn train_dictionary_if_due(&self) -> Result<()> {
        const DURING: &str = "training a body dictionary";
        if self.dictionaries.gave_up_training.load(Ordering::Relaxed) {
            return Ok(());
        }
        let (dictionaries, posts): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM body_dictionaries),
                    (SELECT COUNT(*) FROM (SELECT 1 FROM posts LIMIT $1) AS enough)",
        )
        .bind(TRAIN_AFTER)
        .fetch_one(&self.pool)
        .await
        .during(DURING)?;
        if dictionaries > 0 || posts < TRAIN_AFTER {
            return Ok(());
        }
        let rows = sqlx::query("SELECT id, body FROM posts ORDER BY id DESC LIMIT $1")
            .bind(SAMPLE_POSTS)
            .fetch_all(&self.pool)
            .await
            .during(DURING)?;
        let mut blobs = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id").during(DURING)?;
            let blob: Vec<u8> = row.try_get("body").during(DURING)?;
            blobs.push((id, blob));
        }
        let trained = super::off_async(|| {
            let mut samples = Vec::new();
            let mut bytes = 0;
            // A body that cannot be read is left out (`store check` reports it).
            for (id, blob) in &blobs {
                let Ok((_, payload)) = super::stored_payload(blob, *id) else {
                    continue;
                };
                if payload.len() < super::SMALLEST_COMPRESSED {
                    continue;
                }
                bytes += payload.len();
                samples.push(payload);
                if bytes >= SAMPLE_BYTES {
                    break;
                }
            }
            dictionary::train(&samples, DICTIONARY_BYTES)
        });
        let Some(trained) = trained else {
            tracing::info!("no body dictionary: zstd found too little to train on");
            self.dictionaries
                .gave_up_training
                .store(true, Ordering::Relaxed);
            return Ok(());
        };
        let usable_from = chrono::Utc::now()
            + chrono::Duration::from_std(self.dictionary_grace).unwrap_or_default();
        let id = dictionary::id_of(&trained);
        sqlx::query(
            "INSERT INTO body_dictionaries (id, dictionary, usable_from) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(trained)
        .bind(crate::to_secs(usable_from))
        .execute(&self.pool)
        .await
        .during(DURING)?;
        tracing::info!(
            dictionary.id = id,
            usable_from = %usable_from,
            "trained a body dictionary on the store's newest posts"
        );
        let mut conn = self.pool.acquire().await.during(DURING)?;
        self.dictionaries.read(&mut conn).await
    }

    async fn rewrite_bodies(&self, current: &'static Dictionary, limit: u64) -> Result<u64> {
        const DURING: &str = "rewriting bodies with the store's dictionary";
        let mut after: i64 =
            sqlx::query_scalar("SELECT recompressed_through FROM body_dictionaries WHERE id = $1")
                .bind(current.id)
                .fetch_optional(&self.pool)
                .await
                .during(DURING)?
                .unwrap_or(i64::MAX);
        let mut read = 0;
        while read < limit {
            let rows = sqlx::query("SELECT id, body FROM posts WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(REWRITE_BATCH)
                .fetch_all(&self.pool)
                .await
                .during(DURING)?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.try_get("id").during(DURING)?;
            read += rows.len() as u64;
            let mut blobs = Vec::with_capacity(rows.len());
            for row in &rows {
                let id: i64 = row.try_get("id").during(DURING)?;
                let blob: Vec<u8> = row.try_get("body").during(DURING)?;
                blobs.push((id, blob));
            }
            let rewrites = super::off_async(|| rewrites(blobs, current));
            let mut tx = self.write(DURING).await?;
            // The blobs move into the statements (each is read once), not cloned.
            let per_statement = self.engine.rows_per_statement(3);
            let mut rewrites = rewrites.into_iter().peekable();
            while rewrites.peek().is_some() {
                let mut update = Sql::new("UPDATE posts SET body = v.column2 FROM (VALUES ");
                update.push_list(
                    rewrites.by_ref().take(per_statement),
                    |sql, (id, new, old)| {
                        sql.push("(")
                            .bind(id)
                            .push(", ")
                            .bind(new)
                            .push(", ")
                            .bind(old)
                            .push(")");
                    },
                );
                update.push(") AS v WHERE posts.id = v.column1 AND posts.body = v.column3");
                update.execute(&mut tx, DURING).await?;
            }
            sqlx::query("UPDATE body_dictionaries SET recompressed_through = $1 WHERE id = $2")
                .bind(after)
                .bind(current.id)
                .execute(&mut *tx)
                .await
                .during(DURING)?;
            tx.commit().await.during(DURING)?;
        }
        Ok(read)
    }
}

/// Which of `blobs` (post id, body) to rewrite with `current`: those made without it
/// whose new blob is smaller, as (post id, new body, old body). A body that cannot be
/// read is left as it is (`store check` reports it).
fn rewrites(
    blobs: Vec<(i64, Vec<u8>)>,
    current: &'static Dictionary,
) -> Vec<(i64, Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for (id, old) in blobs {
        if super::dictionary_id(&old) == Some(current.id) {
            continue;
        }
        let Ok((_, payload)) = super::stored_payload(&old, id) else {
            continue;
        };
        let new = super::encode_payload(payload, Some(current));
        if new.len() < old.len() {
            out.push((id, new, old));
        }
    }
    out
}
