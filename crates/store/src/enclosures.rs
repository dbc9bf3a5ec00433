//! The files posts carry (`post_enclosures`, migration 18): written by the ingest, read
//! with every post.
//!
//! The ingest reads the stored lists of the batch's known posts in one statement,
//! [`changed`] decides without a database which posts' lists differ from their feed's,
//! and those are replaced (one delete, multi-row inserts) inside the ingest's transaction.
//! A post's enclosures therefore follow its feed even when its text did not change, and
//! a store upgraded to migration 18 gets the enclosures of posts it already had on their
//! next fetch. A frozen source's posts, and entries buried by a tombstone, are left
//! alone. Rows go with their post (`ON DELETE CASCADE`).
//!
//! What a post may carry is [`syndic_core::keep_enclosures`]'s decision, applied again
//! here before writing, so that no caller can store a `javascript:` address or ten
//! thousand files.

use std::collections::{HashMap, HashSet};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use syndic_core::{Enclosure, PostId, keep_enclosures};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::ingest::{Action, IncomingPost};
use crate::sql::Sql;
use crate::{Result, Store, text};

/// The columns of one enclosure, in the order [`enclosure_from_row`] reads them.
const COLUMNS: &str = "post_id, position, url, mime_type, length, title, thumbnail, duration";

impl Store {
    /// The enclosures of one post in any state, in order (for tests and tools).
    pub async fn enclosures(&self, post: PostId) -> Result<Vec<Enclosure>> {
        Ok(read(&self.pool, &[post.0])
            .await?
            .remove(&post.0)
            .unwrap_or_default())
    }
}

/// The stored enclosures of the posts `ids`, each list in order.
async fn read<'c, E>(executor: E, ids: &[i64]) -> Result<HashMap<i64, Vec<Enclosure>>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let mut select = Sql::new(&format!(
        "SELECT {COLUMNS} FROM post_enclosures WHERE post_id IN ("
    ));
    select.push_list(ids, |sql, id| {
        sql.bind(*id);
    });
    select.push(") ORDER BY post_id, position");
    // A page's posts: one shape per page size.
    let rows = select
        .prepared()
        .fetch_all(executor, "reading enclosures")
        .await?;
    let mut by_post: HashMap<i64, Vec<Enclosure>> = HashMap::new();
    for row in &rows {
        let (post, enclosure) = enclosure_from_row(row).during("reading enclosures")?;
        by_post.entry(post).or_default().push(enclosure);
    }
    Ok(by_post)
}

fn enclosure_from_row(row: &AnyRow) -> Result<(i64, Enclosure), sqlx::Error> {
    let post: i64 = row.try_get("post_id")?;
    let stored: Stored = (
        row.try_get("url")?,
        row.try_get("mime_type")?,
        row.try_get("length")?,
        row.try_get("title")?,
        row.try_get("thumbnail")?,
        row.try_get("duration")?,
    );
    Ok((post, enclosure(stored)))
}

/// One stored enclosure's columns after `position`, as a row holds them and as a page
/// statement's JSON array gives them (`[url, mime_type, length, title, thumbnail,
/// duration]`, see `listing/attached.rs`).
pub(crate) type Stored = (
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// The enclosure a stored row describes.
pub(crate) fn enclosure((url, mime_type, length, title, thumbnail, duration): Stored) -> Enclosure {
    Enclosure {
        url,
        mime_type,
        length: length.and_then(|l| u64::try_from(l).ok()),
        title,
        // Cached thumbnails stored as `/media/<hash>.<ext>` read back as `/media/<hash>`.
        thumbnail: thumbnail.map(|t| syndic_core::media::exact_media_addresses(&t).into_owned()),
        duration: duration.and_then(|d| u32::try_from(d).ok()),
    }
}

/// Inside the ingest's transaction, once the batch's posts have ids: replaces the
/// enclosures of every new, updated or unchanged post whose feed lists others than the
/// store holds. `ids` are the posts of `posts` (`None` for repeats, frozen and buried
/// entries).
pub(crate) async fn record(
    tx: &mut AnyConnection,
    engine: Engine,
    posts: &[IncomingPost],
    actions: &[Action],
    ids: &[Option<i64>],
) -> Result<()> {
    let mut wanted: Vec<(i64, Vec<Enclosure>)> = Vec::new();
    let mut stored_ids = Vec::new();
    for ((post, action), id) in posts.iter().zip(actions).zip(ids) {
        let Some(id) = *id else { continue };
        if matches!(action, Action::Update { .. } | Action::Unchanged { .. }) {
            stored_ids.push(id);
        }
        wanted.push((id, clean(&post.entry.enclosures)));
    }
    let mut stored = HashMap::new();
    for chunk in stored_ids.chunks(engine.rows_per_statement(1)) {
        stored.extend(read(&mut *tx, chunk).await?);
    }
    let replace = changed(&stored, &wanted);
    write(tx, engine, &replace).await
}

/// What a post may carry of `enclosures`, without NUL characters.
fn clean(enclosures: &[Enclosure]) -> Vec<Enclosure> {
    let kept = keep_enclosures(enclosures.iter().cloned()).kept;
    kept.into_iter()
        .map(|e| Enclosure {
            mime_type: text::clean(&e.mime_type).into_owned(),
            title: e.title.map(|t| text::clean(&t).into_owned()),
            ..e
        })
        .collect()
}

/// The posts of `wanted` whose enclosures differ from `stored` (a post missing from
/// `stored` holds none), each post once (its first list).
pub(crate) fn changed<'a>(
    stored: &HashMap<i64, Vec<Enclosure>>,
    wanted: &'a [(i64, Vec<Enclosure>)],
) -> Vec<&'a (i64, Vec<Enclosure>)> {
    let mut seen = HashSet::new();
    wanted
        .iter()
        .filter(|(id, _)| seen.insert(*id))
        .filter(|(id, list)| stored.get(id).map_or(&[][..], Vec::as_slice) != list.as_slice())
        .collect()
}

/// Deletes the stored enclosures of `replace`'s posts and inserts their new lists.
async fn write(
    tx: &mut AnyConnection,
    engine: Engine,
    replace: &[&(i64, Vec<Enclosure>)],
) -> Result<()> {
    let ids: Vec<i64> = replace.iter().map(|(id, _)| *id).collect();
    for chunk in ids.chunks(engine.rows_per_statement(1)) {
        let mut delete = Sql::new("DELETE FROM post_enclosures WHERE post_id IN (");
        delete.push_list(chunk, |sql, id| {
            sql.bind(*id);
        });
        delete.push(")");
        delete.execute(&mut *tx, "replacing enclosures").await?;
    }
    let rows: Vec<(i64, i64, &Enclosure)> = replace
        .iter()
        .flat_map(|(id, list)| {
            list.iter()
                .zip(0_i64..)
                .map(move |(enclosure, position)| (*id, position, enclosure))
        })
        .collect();
    for chunk in rows.chunks(engine.rows_per_statement(8)) {
        let mut insert = Sql::new(&format!("INSERT INTO post_enclosures ({COLUMNS}) VALUES "));
        insert.push_list(chunk, |sql, (post, position, e)| {
            sql.push("(").bind(*post).push(", ").bind(*position);
            sql.push(", ").bind(e.url.clone());
            sql.push(", ").bind(e.mime_type.clone());
            sql.push(", ").bind(e.length.map(saturating_i64));
            sql.push(", ").bind(e.title.clone());
            sql.push(", ").bind(e.thumbnail.clone());
            sql.push(", ").bind(e.duration.map(i64::from));
            sql.push(")");
        });
        insert.execute(&mut *tx, "storing enclosures").await?;
    }
    Ok(())
}

fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(urls: &[&str]) -> Vec<Enclosure> {
        urls.iter()
            .map(|u| Enclosure::new(*u, "audio/mpeg"))
            .collect()
    }

    #[test]
    fn only_posts_whose_list_differs_are_replaced_each_once() {
        let stored = HashMap::from([
            (1, list(&["https://x.example/1.mp3"])),
            (2, list(&["https://x.example/2.mp3"])),
            (3, list(&["https://x.example/3.mp3"])),
        ]);
        let wanted = vec![
            (1, list(&["https://x.example/1.mp3"])),
            (2, list(&["https://x.example/2b.mp3"])),
            (3, Vec::new()),
            (4, list(&["https://x.example/4.mp3"])),
            (5, Vec::new()),
            (2, Vec::new()),
        ];
        let ids: Vec<i64> = changed(&stored, &wanted)
            .iter()
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(ids, [2, 3, 4], "unchanged 1 and empty 5 are left alone");
    }

    #[test]
    fn a_changed_title_or_order_is_a_change() {
        let stored = HashMap::from([(1, list(&["https://x.example/a", "https://x.example/b"]))]);
        let reordered = vec![(1, list(&["https://x.example/b", "https://x.example/a"]))];
        assert_eq!(changed(&stored, &reordered).len(), 1);
        let mut titled = list(&["https://x.example/a", "https://x.example/b"]);
        titled[0].title = Some("Episode 1".into());
        assert_eq!(changed(&stored, &[(1, titled)]).len(), 1);
    }

    #[test]
    fn hostile_addresses_never_reach_a_write() {
        let cleaned = clean(&list(&[
            "javascript:alert(1)",
            "data:audio/mpeg;base64,AA",
            "https://x.example/ok.mp3",
        ]));
        let urls: Vec<&str> = cleaned.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(urls, ["https://x.example/ok.mp3"]);
    }
}
