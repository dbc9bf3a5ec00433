//! Tag rows by name: found by slug (names that differ only in case share one) and created
//! when new, one at a time or a whole batch's worth in two statements.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use syndic_core::{TagId, slugify};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::{Sql, fixed_runs};
use crate::{Result, StoreError, text, to_secs};

/// The id of the tag called `name` (same name ignoring case, or same slug), created if new;
/// `true` when it was created.
pub(crate) async fn ensure_tag(
    conn: &mut AnyConnection,
    engine: Engine,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(TagId, bool)> {
    let slug = slugify(&text::clean(name));
    let found = find_by_slug(conn, engine, std::slice::from_ref(&slug)).await?;
    if let Some(&id) = found.get(&slug) {
        return Ok((TagId(id), false));
    }
    let ids = ensure_tags(conn, engine, &[name], now).await?;
    let id = ids
        .get(&slug)
        .copied()
        .ok_or_else(|| StoreError::Corrupt(format!("tag {name:?} was neither found nor added")))?;
    Ok((TagId(id), true))
}

/// The ids of the tags called `names`, by slug, creating those not stored yet in the order
/// first named (a name whose slug an earlier one took is that tag). Safe against another
/// process adding the same tag at the same moment: a name that a concurrent transaction
/// stored first is read back, not added twice.
pub(crate) async fn ensure_tags(
    conn: &mut AnyConnection,
    engine: Engine,
    names: &[&str],
    now: DateTime<Utc>,
) -> Result<HashMap<String, i64>> {
    let mut wanted: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in names {
        let name = text::clean(name).into_owned();
        let slug = slugify(&name);
        if seen.insert(slug.clone()) {
            wanted.push((slug, name));
        }
    }
    let slugs: Vec<String> = wanted.iter().map(|(slug, _)| slug.clone()).collect();
    let mut ids = find_by_slug(conn, engine, &slugs).await?;
    let missing: Vec<&(String, String)> = wanted
        .iter()
        .filter(|(slug, _)| !ids.contains_key(slug))
        .collect();
    if missing.is_empty() {
        return Ok(ids);
    }
    for chunk in missing.chunks(engine.rows_per_statement(3)) {
        let mut insert = Sql::new("INSERT INTO tags (name, slug, created_at) VALUES ");
        insert.push_list(chunk, |sql, (slug, name)| {
            sql.push("(")
                .bind(name.clone())
                .push(", ")
                .bind(slug.clone())
                .push(", ")
                .bind(to_secs(now))
                .push(")");
        });
        insert.push(" ON CONFLICT DO NOTHING RETURNING id, slug");
        for row in insert.fetch_all(&mut *conn, "adding tags").await? {
            let id: i64 = row.try_get(0).during("adding tags")?;
            let slug: String = row.try_get(1).during("adding tags")?;
            ids.insert(slug, id);
        }
    }
    // Added meanwhile by another writer: read them back.
    let raced: Vec<String> = missing
        .iter()
        .map(|(slug, _)| slug.clone())
        .filter(|slug| !ids.contains_key(slug))
        .collect();
    if !raced.is_empty() {
        ids.extend(find_by_slug(conn, engine, &raced).await?);
    }
    Ok(ids)
}

async fn find_by_slug(
    conn: &mut AnyConnection,
    engine: Engine,
    slugs: &[String],
) -> Result<HashMap<String, i64>> {
    let mut ids = HashMap::with_capacity(slugs.len());
    for chunk in fixed_runs(engine, slugs, 1) {
        let mut select = Sql::new("SELECT id, slug FROM tags WHERE slug IN (");
        select.push_list(chunk, |sql, slug| {
            sql.bind(slug.clone());
        });
        select.push(")");
        for row in select
            .prepared_on(engine)
            .fetch_rows(conn, "looking up tags")
            .await?
        {
            let id: i64 = row.try_get(0).during("looking up tags")?;
            let slug: String = row.try_get(1).during("looking up tags")?;
            ids.insert(slug, id);
        }
    }
    Ok(ids)
}
