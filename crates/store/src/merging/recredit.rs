//! Who a merged post is credited to, decided again: when a source's `priority` changed
//! (every merged post it carries) and when a split takes a post's credited copy away. It
//! is the rule a merge follows, so the configuration says who is credited whatever order
//! the feeds were read in. The copy of highest priority wins, the first seen on a tie (then
//! the lower source id); the post takes that copy's guid and item link and keeps its text.
//! The author is not kept per copy, so a post that changes hands shows none until its new
//! source's feed updates it (the attribution falls back to the feed's title).

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};
use syndic_core::SourceId;

use crate::Result;
use crate::error::QueryContext;
use crate::sql::Sql;

/// One copy of a merged post, as the decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Copy {
    pub(crate) post: i64,
    pub(crate) source: i64,
    pub(crate) priority: i64,
    pub(crate) seen_at: i64,
    /// The source the post is credited to now.
    pub(crate) credited: i64,
}

/// The posts whose credit moves, with the source each moves to.
pub(crate) fn decide(copies: &[Copy]) -> Vec<(i64, i64)> {
    let mut by_post: BTreeMap<i64, Vec<&Copy>> = BTreeMap::new();
    for copy in copies {
        by_post.entry(copy.post).or_default().push(copy);
    }
    by_post
        .into_iter()
        .filter_map(|(post, copies)| {
            let heir = copies
                .iter()
                .min_by_key(|c| (-c.priority, c.seen_at, c.source))?;
            (heir.source != heir.credited).then_some((post, heir.source))
        })
        .collect()
}

/// Credits again every post `source` carries a copy of, beside another source's.
pub(crate) async fn recredit(tx: &mut AnyConnection, source: SourceId) -> Result<usize> {
    let posts: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT m.post_id FROM post_sources m
         JOIN post_sources o ON o.post_id = m.post_id AND o.source_id <> m.source_id
         WHERE m.source_id = $1",
    )
    .bind(source.0)
    .fetch_all(&mut *tx)
    .await
    .during("reading a source's merged posts")?;
    credit_again(tx, &posts).await
}

/// Credits each of `posts` to the copy [`decide`] picks among those it has now (after a
/// split, the copies left), and says how many changed hands.
pub(crate) async fn credit_again(tx: &mut AnyConnection, posts: &[i64]) -> Result<usize> {
    let mut moves = Vec::new();
    for chunk in posts.chunks(500) {
        let mut read = Sql::new(
            "SELECT c.post_id, c.source_id, s.priority, c.seen_at, p.source_id AS credited
             FROM post_sources c
             JOIN sources s ON s.id = c.source_id
             JOIN posts p ON p.id = c.post_id
             WHERE c.post_id IN (",
        );
        read.push_list(chunk, |sql, post| {
            sql.bind(*post);
        });
        read.push(")");
        let rows = read
            .fetch_all(&mut *tx, "reading the copies of merged posts")
            .await?;
        let copies = rows
            .iter()
            .map(|row| {
                Ok(Copy {
                    post: row.try_get("post_id")?,
                    source: row.try_get("source_id")?,
                    priority: row.try_get("priority")?,
                    seen_at: row.try_get("seen_at")?,
                    credited: row.try_get("credited")?,
                })
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
            .during("reading the copies of merged posts")?;
        moves.extend(decide(&copies));
    }
    for (post, heir) in &moves {
        sqlx::query(
            "UPDATE posts SET source_id = c.source_id, guid = c.guid, link = c.link, author = NULL
             FROM post_sources c WHERE posts.id = $1 AND c.post_id = $1 AND c.source_id = $2",
        )
        .bind(*post)
        .bind(*heir)
        .execute(&mut *tx)
        .await
        .during("crediting a post to the source of highest priority")?;
    }
    Ok(moves.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(source: i64, priority: i64, seen_at: i64, credited: i64) -> Copy {
        Copy {
            post: 1,
            source,
            priority,
            seen_at,
            credited,
        }
    }

    #[test]
    fn the_copy_of_highest_priority_takes_the_credit() {
        let copies = [copy(1, 0, 10, 1), copy(2, 5, 20, 1), copy(3, 1, 5, 1)];
        assert_eq!(decide(&copies), [(1, 2)]);
    }

    #[test]
    fn on_a_tie_the_first_seen_keeps_or_gets_it_back() {
        assert!(decide(&[copy(1, 0, 10, 1), copy(2, 0, 20, 1)]).is_empty());
        // The later source had been credited for its priority, now lowered to the same.
        assert_eq!(decide(&[copy(1, 0, 10, 2), copy(2, 0, 20, 2)]), [(1, 1)]);
        // Same time: the lower source id.
        assert_eq!(decide(&[copy(4, 0, 10, 7), copy(7, 0, 10, 7)]), [(1, 4)]);
    }
}
