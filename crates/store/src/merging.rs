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
mod candidates;
mod claims;
mod copies;
pub(crate) mod plan;
pub(crate) mod recredit;
mod split;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use syndic_core::article::{link_hash, link_key};
use syndic_core::{Fingerprint, MergeReason, SourceId};

use crate::engine::Engine;
use crate::ingest::{Action, Incoming};
use crate::sql::{Sql, fixed_runs};
use crate::{Result, to_secs};
use plan::EntryKeys;

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

/// The keys of one entry the ingest stores or compares; its fingerprint computed unless
/// `fingerprint` brings it ([`crate::ingest::PreparedPosts`]).
pub(crate) fn keys_of(
    entry: &Incoming<'_>,
    published: i64,
    fingerprint: Option<Option<Fingerprint>>,
) -> EntryKeys {
    EntryKeys {
        guid: entry.guid.clone().into_owned(),
        links: entry_links(entry.link.as_deref(), entry.original_links),
        fingerprint: fingerprint
            .unwrap_or_else(|| Fingerprint::of(&entry.title, &entry.content_text)),
        published,
        origin: entry.origin_feed.map(str::to_owned),
    }
}

/// The ingest's merge step, between its plan and its writes: the keys of the entries it
/// inserts or updates (by entry), and the actions with the inserts that are copies of
/// other sources' posts turned into [`Action::Copy`] and [`Action::Merge`].
pub(crate) async fn plan_merges(
    tx: &mut AnyConnection,
    (engine, source, priority): (Engine, SourceId, i64),
    entries: &[Incoming<'_>],
    actions: Vec<Action>,
    prepared: &crate::ingest::PreparedPosts,
) -> Result<(Vec<Action>, Vec<Option<EntryKeys>>)> {
    let keys: Vec<Option<EntryKeys>> = entries
        .iter()
        .zip(&actions)
        .enumerate()
        .map(|(index, (entry, action))| match action {
            Action::Insert { published } | Action::Update { published, .. } => {
                Some(keys_of(entry, *published, prepared.fingerprint(index)))
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
    claims::claim(tx, engine, &inserts).await?;
    let found = candidates::read(tx, engine, source, &inserts).await?;
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
    for chunk in fixed_runs(engine, copies, 8) {
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
            .prepared_on(engine)
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
    for chunk in fixed_runs(engine, &links, 4) {
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
        insert
            .prepared_on(engine)
            .execute(&mut *tx, "recording a post's links")
            .await?;
    }
    let bands: Vec<(i64, i64, i64)> = copies
        .iter()
        .filter_map(|c| Some((c.keys.fingerprint?, c.post, c.keys.published)))
        .flat_map(|(print, post, at)| print.bands().map(|band| (band, post, at)))
        .collect();
    for chunk in fixed_runs(engine, &bands, 4) {
        let mut insert = Sql::new(
            "INSERT INTO fingerprint_bands (band, published_at, post_id, source_id) VALUES ",
        );
        insert.push_list(chunk, |sql, (band, post, at)| {
            sql.push("(").bind(*band).push(", ").bind(*at).push(", ");
            sql.bind(*post).push(", ").bind(source.0).push(")");
        });
        insert.push(" ON CONFLICT DO NOTHING");
        insert
            .prepared_on(engine)
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
