//! An ingest's reads of the posts it may meet again: the source's posts with the batch's
//! guids, and those sharing a link and a title with the rest.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};
use syndic_core::SourceId;

use super::{Incoming, StoredPost};
use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::{Sql, fixed_runs};
use crate::{Result, body};

/// The columns [`StoredPost`] reads.
const STORED_COLUMNS: &str = "SELECT id, guid, title, link, author, published_at, updated_at, body, \
     categories, language FROM posts WHERE source_id = ";
/// The same columns, of the posts whose ids follow (and a closing parenthesis).
pub(crate) const STORED_BY_ID: &str = "SELECT id, guid, title, link, author, published_at, \
     updated_at, body, categories, language FROM posts WHERE id IN (";

/// The source's posts with the batch's guids.
pub(super) async fn read_by_guid(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[Incoming<'_>],
) -> Result<Vec<StoredPost>> {
    let mut found = Vec::new();
    for chunk in fixed_runs(engine, entries, 1) {
        let mut select = Sql::new(STORED_COLUMNS);
        select.bind(source.0).push(" AND guid IN (");
        select.push_list(chunk, |sql, entry| {
            sql.bind(entry.guid.clone().into_owned());
        });
        select.push(")");
        for row in select
            .prepared_on(engine)
            .fetch_rows(tx, "looking up posts")
            .await?
        {
            found.push(stored_from_row(&row)?);
        }
    }
    Ok(found)
}

/// The source's posts sharing a link and a title with an entry whose guid is not stored.
pub(super) async fn read_by_link(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[Incoming<'_>],
    by_guid: &[StoredPost],
) -> Result<Vec<StoredPost>> {
    let known: std::collections::HashSet<&str> = by_guid.iter().map(|p| p.guid.as_str()).collect();
    let unmatched: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| !known.contains(e.guid.as_ref()))
        .filter_map(|e| Some((e.link.as_deref()?, e.title.as_ref())))
        .collect();
    let mut found: HashMap<i64, StoredPost> = HashMap::new();
    for chunk in unmatched.chunks(engine.rows_per_statement(2)) {
        let mut select = Sql::new(STORED_COLUMNS);
        select.bind(source.0).push(" AND link IN (");
        select.push_list(chunk, |sql, (link, _)| {
            sql.bind((*link).to_owned());
        });
        select.push(") AND title IN (");
        select.push_list(chunk, |sql, (_, title)| {
            sql.bind((*title).to_owned());
        });
        select.push(")");
        for row in select
            .fetch_all(&mut *tx, "looking up posts by link")
            .await?
        {
            let post = stored_from_row(&row)?;
            found.insert(post.id, post);
        }
    }
    let mut found: Vec<StoredPost> = found.into_values().collect();
    found.sort_by_key(|p| p.id);
    Ok(found)
}

pub(crate) fn stored_from_row(row: &sqlx::any::AnyRow) -> Result<StoredPost> {
    let read = || -> Result<(StoredPost, Vec<u8>), sqlx::Error> {
        let post = StoredPost {
            id: row.try_get("id")?,
            guid: row.try_get("guid")?,
            title: row.try_get("title")?,
            link: row.try_get("link")?,
            author: row.try_get("author")?,
            published_at: row.try_get("published_at")?,
            updated_at: row.try_get("updated_at")?,
            content_html: String::new(),
            content_text: String::new(),
            categories: row.try_get("categories")?,
            language: row.try_get("language")?,
        };
        Ok((post, row.try_get("body")?))
    };
    let (mut post, blob) = read().during("reading a stored post")?;
    (post.content_text, post.content_html) = body::decode(&blob, post.id)?;
    Ok(post)
}
