//! Which cached images (`/media/<hash>`) the stored posts still show: what `syndic
//! media gc` must keep and `syndic build` copies.

use std::collections::BTreeSet;

use crate::error::QueryContext;
use crate::{Result, Store, body};

/// Posts (or revisions) read per statement.
const PAGE: i64 = 500;

impl Store {
    /// The media names (`<hash>` or `<hash>.<ext>`, as written after `/media/`) the HTML
    /// of any post, in any state, or of any stored revision refers to, and those the
    /// posts' enclosure thumbnails are. Reads every body once, a page at a time.
    pub async fn media_references(&self) -> Result<BTreeSet<String>> {
        let mut names = BTreeSet::new();
        let mut after = 0_i64;
        loop {
            let rows: Vec<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT id, body FROM posts WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after)
                    .bind(PAGE)
                    .fetch_all(&self.pool)
                    .await
                    .during("reading posts for the media they show")?;
            for (id, blob) in &rows {
                collect(&mut names, blob, *id)?;
            }
            match rows.last() {
                Some(&(last, _)) if rows.len() == PAGE as usize => after = last,
                _ => break,
            }
        }
        let mut after = (0_i64, 0_i64);
        loop {
            let rows: Vec<(i64, i64, Vec<u8>)> = sqlx::query_as(
                "SELECT post_id, number, body FROM post_revisions
                 WHERE (post_id, number) > ($1, $2) ORDER BY post_id, number LIMIT $3",
            )
            .bind(after.0)
            .bind(after.1)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await
            .during("reading revisions for the media they show")?;
            for (post, _, blob) in &rows {
                collect(&mut names, blob, *post)?;
            }
            match rows.last() {
                Some(&(post, number, _)) if rows.len() == PAGE as usize => after = (post, number),
                _ => break,
            }
        }
        let thumbnails: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT thumbnail FROM post_enclosures WHERE thumbnail LIKE '/media/%'",
        )
        .fetch_all(&self.pool)
        .await
        .during("reading the enclosure thumbnails that are cached")?;
        for thumbnail in &thumbnails {
            names.extend(syndic_core::media::media_references(thumbnail).map(str::to_owned));
        }
        Ok(names)
    }
}

fn collect(names: &mut BTreeSet<String>, blob: &[u8], post: i64) -> Result<()> {
    let (_, html) = body::decode(blob, post)?;
    names.extend(syndic_core::media::media_references(&html).map(str::to_owned));
    Ok(())
}
