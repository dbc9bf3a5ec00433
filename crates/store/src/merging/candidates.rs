//! The candidates of a merge, read for a whole batch: the copies the ingesting source
//! already gave other posts, other sources' copies with one of the batch's links, those
//! sharing a fingerprint band within the window, the copies the batch's `<source>` elements
//! name, and what the decision needs of their posts.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, Row};
use syndic_core::article::MERGE_WINDOW_DAYS;
use syndic_core::{Fingerprint, SourceId};

use super::plan::{BandRow, CandidatePost, Candidates, EntryKeys, LinkRow};
use crate::Result;
use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::Sql;

/// Reads what [`plan::decide`] needs for `entries` (those the ingest would insert) of
/// `source`: at most four statements per chunk (and two per feed a `<source>` names), none when there is nothing to look up.
pub(super) async fn read(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[&EntryKeys],
) -> Result<Candidates> {
    let mut found = Candidates::default();
    if entries.is_empty() {
        return Ok(found);
    }
    read_copies(tx, engine, source, entries, &mut found).await?;
    read_links(tx, engine, source, entries, &mut found).await?;
    read_bands(tx, engine, source, entries, &mut found).await?;
    read_origins(tx, engine, source, entries, &mut found).await?;
    let posts: HashSet<i64> = found
        .links
        .iter()
        .map(|row| row.post)
        .chain(found.bands.iter().map(|row| row.post))
        .chain(found.origins.values().copied())
        .collect();
    let posts: Vec<i64> = posts.into_iter().collect();
    for chunk in posts.chunks(engine.rows_per_statement(1).saturating_sub(2).max(1)) {
        let mut select = Sql::new(
            "SELECT p.id, s.priority, CASE WHEN EXISTS (SELECT 1 FROM post_sources c WHERE c.post_id = p.id AND c.source_id = ",
        );
        select.bind(source.0).push(
            ") THEN 1 ELSE 0 END, CASE WHEN EXISTS (SELECT 1 FROM merge_vetoes v \
             WHERE v.post_id = p.id AND v.source_id = ",
        );
        select.bind(source.0).push(
            ") THEN 1 ELSE 0 END FROM posts p JOIN sources s ON s.id = p.source_id WHERE p.id IN (",
        );
        select.push_list(chunk, |sql, id| {
            sql.bind(*id);
        });
        select.push(")");
        for row in select
            .fetch_all(&mut *tx, "reading merge candidates")
            .await?
        {
            let read = || -> Result<(i64, CandidatePost), sqlx::Error> {
                Ok((
                    row.try_get(0)?,
                    CandidatePost {
                        priority: row.try_get(1)?,
                        has_copy: row.try_get::<i64, _>(2)? != 0,
                        vetoed: row.try_get::<i64, _>(3)? != 0,
                    },
                ))
            };
            let (id, post) = read().during("reading merge candidates")?;
            found.posts.insert(id, post);
        }
    }
    Ok(found)
}

/// The source's copies merged into posts of other sources, by guid.
async fn read_copies(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[&EntryKeys],
    found: &mut Candidates,
) -> Result<()> {
    for chunk in entries.chunks(engine.rows_per_statement(1).saturating_sub(1).max(1)) {
        let mut select = Sql::new(
            "SELECT c.guid, c.post_id FROM post_sources c JOIN posts p ON p.id = c.post_id \
             WHERE p.source_id <> c.source_id AND c.source_id = ",
        );
        select.bind(source.0).push(" AND c.guid IN (");
        select.push_list(chunk, |sql, entry| {
            sql.bind(entry.guid.clone());
        });
        select.push(")");
        for row in select.fetch_all(&mut *tx, "reading merged copies").await? {
            let guid: String = row.try_get(0).during("reading merged copies")?;
            let post: i64 = row.try_get(1).during("reading merged copies")?;
            found.copies.insert(guid, post);
        }
    }
    Ok(())
}

/// Other sources' copies with one of the entries' links.
async fn read_links(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[&EntryKeys],
    found: &mut Candidates,
) -> Result<()> {
    let hashes: HashSet<i64> = entries
        .iter()
        .flat_map(|entry| entry.links.iter().map(|(hash, _)| *hash))
        .collect();
    let hashes: Vec<i64> = hashes.into_iter().collect();
    for chunk in hashes.chunks(engine.rows_per_statement(1).saturating_sub(1).max(1)) {
        let mut select =
            Sql::new("SELECT link_hash, post_id, original FROM article_links WHERE source_id <> ");
        select.bind(source.0).push(" AND link_hash IN (");
        select.push_list(chunk, |sql, hash| {
            sql.bind(*hash);
        });
        select.push(")");
        for row in select.fetch_all(&mut *tx, "reading posts by link").await? {
            let read = || -> Result<LinkRow, sqlx::Error> {
                Ok(LinkRow {
                    link_hash: row.try_get(0)?,
                    post: row.try_get(1)?,
                    original: row.try_get::<i64, _>(2)? != 0,
                })
            };
            found.links.push(read().during("reading posts by link")?);
        }
    }
    Ok(())
}

/// Other sources' copies sharing a fingerprint band with an entry, dated within the
/// window of the batch's dates (each entry's own window is checked by the plan).
async fn read_bands(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[&EntryKeys],
    found: &mut Candidates,
) -> Result<()> {
    let printed: Vec<&&EntryKeys> = entries.iter().filter(|e| e.fingerprint.is_some()).collect();
    let window = MERGE_WINDOW_DAYS * 24 * 3600;
    let (Some(first), Some(last)) = (
        printed.iter().map(|e| e.published).min(),
        printed.iter().map(|e| e.published).max(),
    ) else {
        return Ok(());
    };
    let bands: HashSet<i64> = printed
        .iter()
        .filter_map(|e| e.fingerprint)
        .flat_map(Fingerprint::bands)
        .collect();
    let bands: Vec<i64> = bands.into_iter().collect();
    let mut seen: HashSet<(i64, i64)> = HashSet::new();
    for chunk in bands.chunks(engine.rows_per_statement(1).saturating_sub(3).max(1)) {
        let mut select = Sql::new(
            "SELECT b.post_id, c.fingerprint, b.published_at, c.source_id FROM fingerprint_bands b \
             JOIN post_sources c ON c.post_id = b.post_id AND c.source_id = b.source_id \
             WHERE b.band IN (",
        );
        select.push_list(chunk, |sql, band| {
            sql.bind(*band);
        });
        select
            .push(") AND b.published_at BETWEEN ")
            .bind(first - window)
            .push(" AND ")
            .bind(last + window)
            .push(" AND b.source_id <> ")
            .bind(source.0);
        for row in select
            .fetch_all(&mut *tx, "reading posts by fingerprint")
            .await?
        {
            let read = || -> Result<(i64, Option<i64>, i64, i64), sqlx::Error> {
                Ok((
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                ))
            };
            let (post, fingerprint, published, copy_source) =
                read().during("reading posts by fingerprint")?;
            let Some(fingerprint) = fingerprint else {
                continue;
            };
            if seen.insert((post, copy_source)) {
                found.bands.push(BandRow {
                    post,
                    fingerprint: Fingerprint::from_stored(fingerprint),
                    published,
                });
            }
        }
    }
    Ok(())
}

/// The copies named by the entries' `<source>` elements: for each feed address an entry
/// names, the configured source with that address (as written, or with the other of http
/// and https), and its copies under those entries' guids.
async fn read_origins(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[&EntryKeys],
    found: &mut Candidates,
) -> Result<()> {
    let mut guids_by_origin: HashMap<&str, Vec<&str>> = HashMap::new();
    for entry in entries {
        if let Some(origin) = entry.origin.as_deref() {
            guids_by_origin.entry(origin).or_default().push(&entry.guid);
        }
    }
    for (origin, guids) in guids_by_origin {
        let Some(named) = source_by_feed(tx, origin).await? else {
            continue;
        };
        if named == source.0 {
            continue;
        }
        for chunk in guids.chunks(engine.rows_per_statement(1).saturating_sub(1).max(1)) {
            let mut select = Sql::new("SELECT guid, post_id FROM post_sources WHERE source_id = ");
            select.bind(named).push(" AND guid IN (");
            select.push_list(chunk, |sql, guid| {
                sql.bind((*guid).to_owned());
            });
            select.push(")");
            for row in select
                .fetch_all(&mut *tx, "reading posts by origin")
                .await?
            {
                let guid: String = row.try_get(0).during("reading posts by origin")?;
                let post: i64 = row.try_get(1).during("reading posts by origin")?;
                found.origins.insert((origin.to_owned(), guid), post);
            }
        }
    }
    Ok(())
}

/// The id of the source whose configured address is `feed`, or `feed` with the other of
/// http and https.
async fn source_by_feed(tx: &mut AnyConnection, feed: &str) -> Result<Option<i64>> {
    let other = if let Some(rest) = feed.strip_prefix("https://") {
        format!("http://{rest}")
    } else if let Some(rest) = feed.strip_prefix("http://") {
        format!("https://{rest}")
    } else {
        feed.to_owned()
    };
    let mut select = Sql::new("SELECT id FROM sources WHERE url IN (");
    select
        .bind(feed.to_owned())
        .push(", ")
        .bind(other)
        .push(") ORDER BY id LIMIT 1");
    let rows = select
        .fetch_all(&mut *tx, "reading the source a <source> names")
        .await?;
    rows.first()
        .map(|row| row.try_get(0).during("reading the source a <source> names"))
        .transpose()
}
