//! One post however many feeds carry it: the reads and writes around the pure merge
//! decision ([`plan::decide`]).
//!
//! Every source that carries a post has a row in `post_sources` (its guid, its own item
//! link, when it was first seen, why it is this post), the post's own source included;
//! `article_links` holds each copy's normalised links ([`link_key`], hashed by
//! [`link_hash`]: its item link, its FeedBurner origLink and Atom via links), and
//! `fingerprint_bands` each copy's fingerprint in four bands with its date. An ingest
//! reads, for the entries it would insert, the copies its source already gave other
//! posts, the posts with one of their links and those sharing a band within the window,
//! in a fixed number of statements however many entries; [`plan::decide`] decides; the
//! ingest writes the outcome in its transaction ([`record`]).
//!
//! What an update from a secondary source does: it refreshes that source's own row (guid,
//! link, fingerprint) and nothing else; the post's title, text and tags follow only the
//! source it is credited to. A copy from a source of higher `priority` moves the credit
//! (the post's source, guid, link and author) to it; the text stays the one stored.

pub(crate) mod backfill;
pub(crate) mod plan;
mod split;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use syndic_core::article::{MERGE_WINDOW_DAYS, link_hash, link_key};
use syndic_core::{Fingerprint, MergeReason, PostCopy, PostId, SourceId};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::ingest::{Action, Incoming};
use crate::sql::Sql;
use crate::{Result, Store, from_secs, to_secs};
use plan::{BandRow, CandidatePost, Candidates, EntryKeys, LinkRow};

/// The links an entry names the article by: its item link (`false`), then its origLink
/// and via links (`true`), each as [`link_hash`] of its [`link_key`], each once.
pub(crate) fn entry_links(link: Option<&str>, originals: &[String]) -> Vec<(i64, bool)> {
    let mut found: Vec<(i64, bool)> = Vec::new();
    let named = link
        .map(|l| (l, false))
        .into_iter()
        .chain(originals.iter().map(|l| (l.as_str(), true)));
    for (link, original) in named {
        if let Some(key) = link_key(link) {
            let hash = link_hash(&key);
            if !found.iter().any(|(h, _)| *h == hash) {
                found.push((hash, original));
            }
        }
    }
    found
}

/// The keys of one entry the ingest stores or compares.
pub(crate) fn keys_of(entry: &Incoming<'_>, published: i64) -> EntryKeys {
    EntryKeys {
        guid: entry.guid.clone().into_owned(),
        links: entry_links(entry.link.as_deref(), entry.original_links),
        fingerprint: Fingerprint::of(&entry.title, &entry.content_text),
        published,
    }
}

/// The ingest's merge step, between its plan and its writes: the keys of the entries it
/// inserts or updates (by entry), and the actions with the inserts that are copies of
/// other sources' posts turned into [`Action::Copy`] and [`Action::Merge`].
pub(crate) async fn plan_merges(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    priority: i64,
    entries: &[Incoming<'_>],
    actions: Vec<Action>,
) -> Result<(Vec<Action>, Vec<Option<EntryKeys>>)> {
    let keys: Vec<Option<EntryKeys>> = entries
        .iter()
        .zip(&actions)
        .map(|(entry, action)| match action {
            Action::Insert { published } | Action::Update { published, .. } => {
                Some(keys_of(entry, *published))
            }
            _ => None,
        })
        .collect();
    let inserts: Vec<&EntryKeys> = keys
        .iter()
        .zip(&actions)
        .filter(|(_, action)| matches!(action, Action::Insert { .. }))
        .filter_map(|(keys, _)| keys.as_ref())
        .collect();
    let found = read_candidates(tx, engine, source, &inserts).await?;
    let merges = plan::decide(&inserts, &found, priority);
    Ok((crate::ingest::plan::merge(actions, merges), keys))
}

/// The copies an ingest writes: every new post's own, every update's (refreshed), every
/// known copy's and every merge's; `inserted` are the new posts' ids by guid.
pub(crate) fn copies_of_ingest<'a>(
    entries: &'a [Incoming<'a>],
    actions: &[Action],
    keys: &'a [Option<EntryKeys>],
    inserted: &HashMap<String, i64>,
) -> Vec<CopyWrite<'a>> {
    let mut copies = Vec::new();
    for ((entry, action), keys) in entries.iter().zip(actions).zip(keys) {
        let Some(keys) = keys else { continue };
        let (post, why, stored, credit) = match *action {
            Action::Insert { .. } => match inserted.get(entry.guid.as_ref()) {
                Some(&post) => (post, MergeReason::Own, false, false),
                None => continue,
            },
            Action::Update { post, .. } => (post, MergeReason::Own, true, false),
            Action::Copy { post } => (post, MergeReason::Own, true, false),
            Action::Merge { post, why, credit } => (post, why, false, credit),
            _ => continue,
        };
        copies.push(CopyWrite {
            post,
            entry,
            keys,
            why,
            stored,
            credit,
        });
    }
    copies
}

/// Reads what [`plan::decide`] needs for `entries` (those the ingest would insert) of
/// `source`: at most four statements per chunk, none when there is nothing to look up.
pub(crate) async fn read_candidates(
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
    let posts: HashSet<i64> = found
        .links
        .iter()
        .map(|row| row.post)
        .chain(found.bands.iter().map(|row| row.post))
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

/// One source's copy of a post, as an ingest writes it.
#[derive(Debug, Clone)]
pub(crate) struct CopyWrite<'a> {
    pub(crate) post: i64,
    pub(crate) entry: &'a Incoming<'a>,
    pub(crate) keys: &'a EntryKeys,
    pub(crate) why: MergeReason,
    /// Whether the copy already has rows (an update or a known copy): they are replaced.
    pub(crate) stored: bool,
    /// Whether the post is credited to this copy's source from now on.
    pub(crate) credit: bool,
}

/// Writes the copies of one ingest of `source`: their `post_sources` rows (a stored
/// copy's guid, link and fingerprint refreshed; its first-seen time and reason kept),
/// their links and fingerprint bands, and the credit a copy of higher priority takes.
pub(crate) async fn record(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    copies: &[CopyWrite<'_>],
    now: DateTime<Utc>,
) -> Result<()> {
    if copies.is_empty() {
        return Ok(());
    }
    for chunk in copies.chunks(engine.rows_per_statement(8)) {
        let mut upsert = Sql::new(
            "INSERT INTO post_sources (post_id, source_id, guid, link, seen_at, why, distance, \
             fingerprint) VALUES ",
        );
        upsert.push_list(chunk, |sql, copy| {
            let distance = match copy.why {
                MergeReason::Fingerprint { distance } => Some(i64::from(distance)),
                _ => None,
            };
            sql.push("(")
                .bind(copy.post)
                .push(", ")
                .bind(source.0)
                .push(", ");
            sql.bind(copy.entry.guid.clone().into_owned()).push(", ");
            sql.bind(copy.entry.link.clone().map(|l| l.into_owned()))
                .push(", ")
                .bind(to_secs(now))
                .push(", ")
                .bind(copy.why.as_str())
                .push(", ")
                .bind(distance)
                .push(", ")
                .bind(copy.keys.fingerprint.map(Fingerprint::as_stored))
                .push(")");
        });
        upsert.push(
            " ON CONFLICT (post_id, source_id) DO UPDATE SET guid = excluded.guid, \
             link = excluded.link, fingerprint = excluded.fingerprint",
        );
        upsert
            .execute(&mut *tx, "recording a post's sources")
            .await?;
    }
    forget_keys(tx, engine, source, copies).await?;
    write_keys(tx, engine, source, copies).await?;
    take_credit(tx, engine, source, copies).await
}

/// Deletes the links and bands of the stored copies among `copies`.
async fn forget_keys(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    copies: &[CopyWrite<'_>],
) -> Result<()> {
    let stored: Vec<i64> = copies.iter().filter(|c| c.stored).map(|c| c.post).collect();
    for chunk in stored.chunks(engine.rows_per_statement(1).saturating_sub(1).max(1)) {
        for table in ["article_links", "fingerprint_bands"] {
            let mut delete = Sql::new(&format!("DELETE FROM {table} WHERE source_id = "));
            delete.bind(source.0).push(" AND post_id IN (");
            delete.push_list(chunk, |sql, id| {
                sql.bind(*id);
            });
            delete.push(")");
            delete.execute(&mut *tx, "replacing a copy's links").await?;
        }
    }
    Ok(())
}

async fn write_keys(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    copies: &[CopyWrite<'_>],
) -> Result<()> {
    let links: Vec<(i64, i64, bool)> = copies
        .iter()
        .flat_map(|c| {
            c.keys
                .links
                .iter()
                .map(|(hash, original)| (*hash, c.post, *original))
        })
        .collect();
    for chunk in links.chunks(engine.rows_per_statement(4)) {
        let mut insert =
            Sql::new("INSERT INTO article_links (link_hash, post_id, source_id, original) VALUES ");
        insert.push_list(chunk, |sql, (hash, post, original)| {
            sql.push("(").bind(*hash).push(", ").bind(*post).push(", ");
            sql.bind(source.0)
                .push(", ")
                .bind(i64::from(*original))
                .push(")");
        });
        insert.push(" ON CONFLICT DO NOTHING");
        insert.execute(&mut *tx, "recording a post's links").await?;
    }
    let bands: Vec<(i64, i64, i64)> = copies
        .iter()
        .filter_map(|c| Some((c.keys.fingerprint?, c.post, c.keys.published)))
        .flat_map(|(print, post, at)| print.bands().map(|band| (band, post, at)))
        .collect();
    for chunk in bands.chunks(engine.rows_per_statement(4)) {
        let mut insert = Sql::new(
            "INSERT INTO fingerprint_bands (band, published_at, post_id, source_id) VALUES ",
        );
        insert.push_list(chunk, |sql, (band, post, at)| {
            sql.push("(").bind(*band).push(", ").bind(*at).push(", ");
            sql.bind(*post).push(", ").bind(source.0).push(")");
        });
        insert.push(" ON CONFLICT DO NOTHING");
        insert
            .execute(&mut *tx, "recording a post's fingerprint")
            .await?;
    }
    Ok(())
}

/// Credits the posts of `copies` marked `credit` to `source`: its guid, link and author.
async fn take_credit(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    copies: &[CopyWrite<'_>],
) -> Result<()> {
    let credited: Vec<&CopyWrite<'_>> = copies.iter().filter(|c| c.credit).collect();
    for chunk in credited.chunks(engine.rows_per_statement(5)) {
        let mut update = Sql::new(
            "UPDATE posts SET source_id = v.column2, guid = v.column3, link = v.column4, \
             author = v.column5 FROM (VALUES ",
        );
        update.push_list(chunk, |sql, copy| {
            sql.push("(")
                .bind(copy.post)
                .push(", ")
                .bind(source.0)
                .push(", ");
            sql.bind(copy.entry.guid.clone().into_owned()).push(", ");
            sql.bind(copy.entry.link.clone().map(|l| l.into_owned()))
                .push(", ")
                .bind(copy.entry.author.clone().map(|a| a.into_owned()))
                .push(")");
        });
        update.push(") AS v WHERE posts.id = v.column1");
        update
            .execute(&mut *tx, "crediting a post to a source")
            .await?;
    }
    Ok(())
}

/// The columns [`copy_from_row`] reads, for a query joining `post_sources c`, `posts p`
/// and `sources s` (the copy's source).
const COPY_COLUMNS: &str = "c.post_id, c.source_id, s.slug, COALESCE(s.name, s.feed_title, s.url), \
     s.url, c.guid, c.link, c.seen_at, c.why, c.distance, \
     CASE WHEN p.source_id = c.source_id THEN 1 ELSE 0 END";

fn copy_from_row(row: &sqlx::any::AnyRow) -> Result<(i64, PostCopy)> {
    let read = || -> Result<_, sqlx::Error> {
        Ok((
            row.try_get::<i64, _>(0)?,
            row.try_get::<i64, _>(1)?,
            row.try_get::<String, _>(2)?,
            row.try_get::<String, _>(3)?,
            row.try_get::<String, _>(4)?,
            row.try_get::<String, _>(5)?,
            row.try_get::<Option<String>, _>(6)?,
            row.try_get::<i64, _>(7)?,
            row.try_get::<String, _>(8)?,
            row.try_get::<Option<i64>, _>(9)?,
            row.try_get::<i64, _>(10)?,
        ))
    };
    let (post, source, slug, name, url, guid, link, seen, why, distance, credited) =
        read().during("reading a post's sources")?;
    let why = MergeReason::from_stored(&why, distance).ok_or_else(|| {
        crate::StoreError::Corrupt(format!(
            "post_sources of post {post}: {why:?} is not a merge reason"
        ))
    })?;
    Ok((
        post,
        PostCopy {
            source_id: SourceId(source),
            source_slug: slug,
            source_name: name,
            source_url: url,
            guid,
            link,
            seen_at: from_secs(seen),
            why,
            credited: credited != 0,
        },
    ))
}

impl Store {
    /// Every source that carries post `id`: the one it is credited to first, then the
    /// others in the order they were seen. Empty for an unknown post.
    pub async fn post_sources(&self, id: PostId) -> Result<Vec<PostCopy>> {
        let mut copies = self.copies_of(&[id], true).await?;
        Ok(copies.remove(&id.0).unwrap_or_default())
    }

    /// The copies of `ids` by post (with the credited one when `credited`), each post's
    /// credited copy first, then by first-seen time.
    pub(crate) async fn copies_of(
        &self,
        ids: &[PostId],
        credited: bool,
    ) -> Result<HashMap<i64, Vec<PostCopy>>> {
        let mut by_post: HashMap<i64, Vec<PostCopy>> = HashMap::new();
        for chunk in ids.chunks(self.engine.rows_per_statement(1)) {
            let mut select = Sql::new(&format!(
                "SELECT {COPY_COLUMNS} FROM post_sources c JOIN posts p ON p.id = c.post_id \
                 JOIN sources s ON s.id = c.source_id WHERE c.post_id IN ("
            ));
            select.push_list(chunk, |sql, id| {
                sql.bind(id.0);
            });
            select.push(")");
            if !credited {
                select.push(" AND c.source_id <> p.source_id");
            }
            select.push(" ORDER BY c.post_id, CASE WHEN p.source_id = c.source_id THEN 0 ELSE 1 END, c.seen_at, c.source_id");
            for row in select
                .fetch_all(&self.pool, "reading a post's sources")
                .await?
            {
                let (post, copy) = copy_from_row(&row)?;
                by_post.entry(post).or_default().push(copy);
            }
        }
        Ok(by_post)
    }

    /// Fills in `also_syndicated` of `posts` (the copies of other sources) with one query.
    pub(crate) async fn attach_copies(&self, posts: &mut [syndic_core::Post]) -> Result<()> {
        if posts.is_empty() {
            return Ok(());
        }
        let ids: Vec<PostId> = posts.iter().map(|p| p.id).collect();
        let mut copies = self.copies_of(&ids, false).await?;
        for post in posts {
            post.also_syndicated = copies.remove(&post.id.0).unwrap_or_default();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_names_each_page_once_item_link_first() {
        let links = entry_links(
            Some("https://blog.example/p?utm_source=feed"),
            &[
                "http://www.blog.example/p/".to_owned(),
                "https://origin.example/p".to_owned(),
            ],
        );
        assert_eq!(
            links,
            vec![
                (link_hash("blog.example/p"), false),
                (link_hash("origin.example/p"), true)
            ]
        );
        assert!(entry_links(None, &[]).is_empty());
    }
}
