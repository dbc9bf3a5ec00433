//! Tombstones: what keeps a taken-down post from coming back.
//!
//! A takedown leaves the post's source, guid and normalised link
//! ([`syndic_core::article::link_key`], the rule merging uses too) in
//! `tombstones`. Every ingest reads the tombstones its batch could meet (its source's
//! guids, any source's links) and the ingest plan (`ingest/plan.rs`, `bury`) decides, without
//! a database, which entries they keep out: an entry with a buried guid of its source is
//! neither stored nor updated; a new entry whose link is buried, from any source, is not
//! stored. Restoring the post deletes its tombstone.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use syndic_core::article::link_key;
use syndic_core::{PostId, SourceId};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::ingest::Incoming;
use crate::sql::Sql;
use crate::{Result, to_secs};

/// The tombstones an ingest's batch could meet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tombstones {
    /// Guids of the source's taken-down posts.
    pub(crate) guids: HashSet<String>,
    /// Normalised links of every taken-down post ([`link_key`]).
    pub(crate) links: HashSet<String>,
}

/// The tombstones of `source` with the batch's guids, and those of any source with the
/// batch's links.
pub(crate) async fn read(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[Incoming<'_>],
) -> Result<Tombstones> {
    let mut found = Tombstones::default();
    for chunk in entries.chunks(engine.rows_per_statement(1)) {
        let mut select = Sql::new("SELECT guid FROM tombstones WHERE source_id = ");
        select.bind(source.0).push(" AND guid IN (");
        select.push_list(chunk, |sql, entry| {
            sql.bind(entry.guid.clone().into_owned());
        });
        select.push(")");
        for row in select.fetch_all(&mut *tx, "reading tombstones").await? {
            found
                .guids
                .insert(row.try_get(0).during("reading tombstones")?);
        }
    }
    let keys: Vec<String> = entries
        .iter()
        .filter_map(|e| link_key(e.link.as_deref()?))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for chunk in keys.chunks(engine.rows_per_statement(1)) {
        let mut select = Sql::new("SELECT link_key FROM tombstones WHERE link_key IN (");
        select.push_list(chunk, |sql, key| {
            sql.bind(key.clone());
        });
        select.push(")");
        for row in select.fetch_all(&mut *tx, "reading tombstones").await? {
            found
                .links
                .insert(row.try_get(0).during("reading tombstones")?);
        }
    }
    Ok(found)
}

/// Leaves a tombstone for each of the posts `ids` (read from their rows).
pub(crate) async fn bury(tx: &mut AnyConnection, ids: &[PostId], at: DateTime<Utc>) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut select = Sql::new("SELECT id, source_id, guid, link FROM posts WHERE id IN (");
    select.push_list(ids, |sql, id| {
        sql.bind(id.0);
    });
    select.push(")");
    let rows = select.fetch_all(&mut *tx, "reading posts to bury").await?;
    for row in rows {
        let read = || -> Result<(i64, i64, String, Option<String>), sqlx::Error> {
            Ok((
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
            ))
        };
        let (post, source, guid, link) = read().during("reading posts to bury")?;
        sqlx::query(
            "INSERT INTO tombstones (post_id, source_id, guid, link_key, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (post_id) DO NOTHING",
        )
        .bind(post)
        .bind(source)
        .bind(guid)
        .bind(link.as_deref().and_then(link_key))
        .bind(to_secs(at))
        .execute(&mut *tx)
        .await
        .during("leaving a tombstone")?;
    }
    Ok(())
}

/// Deletes the tombstone of post `id` (it was restored).
pub(crate) async fn forget(tx: &mut AnyConnection, id: PostId) -> Result<()> {
    sqlx::query("DELETE FROM tombstones WHERE post_id = $1")
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .during("removing a tombstone")?;
    Ok(())
}
