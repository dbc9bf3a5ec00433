//! Migration 17's Rust step: the links and fingerprint of every post stored before it
//! (their own copy's `post_sources` row is written by the migration's SQL), a few hundred
//! posts at a time inside the migration's transaction, and the tombstones' link keys
//! again under the normaliser merging shares (which now drops tracking parameters and
//! sorts the query). Posts stored before carry no origLink or via link: they are found by
//! their item link and their words.

use std::future::Future;
use std::pin::Pin;

use sqlx::{AnyConnection, Row};
use syndic_core::Fingerprint;
use syndic_core::article::link_key;

use super::entry_links;
use crate::sql::Sql;

/// Posts read and written per round.
const BATCH: i64 = 500;

/// [`backfill`] as a [`crate::migrate::Step`].
pub(crate) fn step(
    conn: &mut AnyConnection,
) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + '_>> {
    Box::pin(backfill(conn))
}

/// One stored post's keys.
struct Keys {
    post: i64,
    source: i64,
    published: i64,
    links: Vec<(i64, bool)>,
    fingerprint: Option<Fingerprint>,
}

async fn backfill(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, source_id, published_at, link, title, body FROM posts
             WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("id")?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            let post: i64 = row.try_get("id")?;
            let link: Option<String> = row.try_get("link")?;
            let title: String = row.try_get("title")?;
            let blob: Vec<u8> = row.try_get("body")?;
            // A body that does not decode gets no fingerprint (`store check` reports it).
            let text = crate::body::decode_text(&blob, post).unwrap_or_default();
            keys.push(Keys {
                post,
                source: row.try_get("source_id")?,
                published: row.try_get("published_at")?,
                links: entry_links(link.as_deref(), &[]),
                fingerprint: Fingerprint::of(&title, &text),
            });
        }
        write(conn, &keys).await?;
    }
    rekey_tombstones(conn).await
}

async fn write(conn: &mut AnyConnection, keys: &[Keys]) -> Result<(), sqlx::Error> {
    // Four parameters a row; SQLite's cheapest statements carry about 250.
    let links: Vec<(i64, &Keys)> = keys
        .iter()
        .flat_map(|k| k.links.iter().map(move |(hash, _)| (*hash, k)))
        .collect();
    for chunk in links.chunks(60) {
        let mut insert =
            Sql::new("INSERT INTO article_links (link_hash, post_id, source_id, original) VALUES ");
        insert.push_list(chunk, |sql, (hash, k)| {
            sql.push("(").bind(*hash).push(", ").bind(k.post).push(", ");
            sql.bind(k.source).push(", 0)");
        });
        insert.push(" ON CONFLICT DO NOTHING");
        insert.run(&mut *conn).await?;
    }
    let printed: Vec<(&Keys, Fingerprint)> = keys
        .iter()
        .filter_map(|k| Some((k, k.fingerprint?)))
        .collect();
    let bands: Vec<(i64, &Keys)> = printed
        .iter()
        .flat_map(|(k, print)| print.bands().map(move |band| (band, *k)))
        .collect();
    for chunk in bands.chunks(60) {
        let mut insert = Sql::new(
            "INSERT INTO fingerprint_bands (band, published_at, post_id, source_id) VALUES ",
        );
        insert.push_list(chunk, |sql, (band, k)| {
            sql.push("(")
                .bind(*band)
                .push(", ")
                .bind(k.published)
                .push(", ");
            sql.bind(k.post).push(", ").bind(k.source).push(")");
        });
        insert.push(" ON CONFLICT DO NOTHING");
        insert.run(&mut *conn).await?;
    }
    for chunk in printed.chunks(120) {
        let mut update = Sql::new("UPDATE post_sources SET fingerprint = v.column2 FROM (VALUES ");
        update.push_list(chunk, |sql, (k, print)| {
            sql.push("(")
                .bind(k.post)
                .push(", ")
                .bind(print.as_stored())
                .push(")");
        });
        update.push(") AS v WHERE post_sources.post_id = v.column1");
        update.run(&mut *conn).await?;
    }
    Ok(())
}

/// Every tombstone's link key again, from its post's link.
async fn rekey_tombstones(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.post_id, p.link FROM tombstones t JOIN posts p ON p.id = t.post_id
         WHERE p.link IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let post: i64 = row.try_get(0)?;
        let link: String = row.try_get(1)?;
        sqlx::query("UPDATE tombstones SET link_key = $1 WHERE post_id = $2")
            .bind(link_key(&link))
            .bind(post)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
