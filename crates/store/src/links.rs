//! Post-tag links: read a batch's links and vetoes in bulk, decide in [`plan_post`] (a
//! plain function, shared by ingest and retag) which rows go and which are written, and
//! write the whole plan in a few multi-row statements.
//!
//! The rules [`plan_post`] holds: only automatic links (term, category, source) are ever
//! replaced, manual ones never; a vetoed pair is never linked automatically; a tag given
//! twice for the same origin keeps the first detail; a link whose detail changed is
//! rewritten in place.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, Row};
use syndic_core::TagOrigin;

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::{Sql, fixed_runs};
use crate::{Result, StoreError};

/// The links one post has now.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct CurrentLinks {
    /// Automatic links: (tag, origin) → detail.
    pub(crate) automatic: HashMap<(i64, &'static str), String>,
    /// Every tag the post carries, any origin.
    pub(crate) tags: HashSet<i64>,
    /// Tags it carries by a manual decision.
    pub(crate) manual: HashSet<i64>,
    /// Tags a person removed from it.
    pub(crate) vetoed: HashSet<i64>,
}

/// An automatic link tagging asks for: (tag, origin, detail).
pub(crate) type Wanted<'a> = (i64, TagOrigin, &'a str);

/// How one post's links change.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PostLinks {
    /// Automatic rows to delete: (tag, origin).
    pub(crate) delete: Vec<(i64, &'static str)>,
    /// Rows to insert or whose detail changes: (tag, origin, detail).
    pub(crate) upsert: Vec<(i64, &'static str, String)>,
    /// Tags the post carries afterwards and did not before, and the reverse.
    pub(crate) gained: Vec<i64>,
    pub(crate) lost: Vec<i64>,
}

/// Decides how a post's links change when tagging now asks for `wanted` (manual links in
/// `wanted` are ignored: only people add those).
pub(crate) fn plan_post<'a>(
    current: &CurrentLinks,
    wanted: impl IntoIterator<Item = Wanted<'a>>,
) -> PostLinks {
    let mut keep: HashMap<(i64, &'static str), &str> = HashMap::new();
    let mut order: Vec<(i64, &'static str)> = Vec::new();
    for (tag, origin, detail) in wanted {
        if !origin.is_automatic() || current.vetoed.contains(&tag) {
            continue;
        }
        let key = (tag, origin.as_str());
        if let std::collections::hash_map::Entry::Vacant(slot) = keep.entry(key) {
            slot.insert(detail);
            order.push(key);
        }
    }
    let mut plan = PostLinks::default();
    let mut stale: Vec<(i64, &'static str)> = current
        .automatic
        .keys()
        .filter(|key| !keep.contains_key(key))
        .copied()
        .collect();
    stale.sort_unstable();
    plan.delete = stale;
    for key in &order {
        let detail = keep[key];
        if current.automatic.get(key).map(String::as_str) != Some(detail) {
            plan.upsert.push((key.0, key.1, detail.to_owned()));
        }
    }
    let after: HashSet<i64> = current
        .manual
        .iter()
        .copied()
        .chain(order.iter().map(|key| key.0))
        .collect();
    plan.gained = after.difference(&current.tags).copied().collect();
    plan.lost = current.tags.difference(&after).copied().collect();
    plan.gained.sort_unstable();
    plan.lost.sort_unstable();
    plan
}

/// Which posts' links to read.
#[derive(Clone, Copy)]
pub(crate) enum Posts<'a> {
    /// These posts.
    Ids(&'a [i64]),
    /// Posts with ids in this range, inclusive (cheap for consecutive batches); callers
    /// ignore the posts of the range they did not ask about.
    Range(i64, i64),
}

/// The current links and vetoes of `posts`.
pub(crate) async fn read_current(
    conn: &mut AnyConnection,
    engine: Engine,
    posts: Posts<'_>,
) -> Result<HashMap<i64, CurrentLinks>> {
    let mut current: HashMap<i64, CurrentLinks> = HashMap::new();
    let links = "SELECT post_id, tag_id, origin, detail FROM post_tags WHERE post_id";
    for select in selections(engine, links, posts) {
        for row in select.fetch_all(&mut *conn, "reading posts' tags").await? {
            let read = || -> Result<(i64, i64, String, String), sqlx::Error> {
                Ok((
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                ))
            };
            let (post, tag, origin, detail) = read().during("reading posts' tags")?;
            let origin: TagOrigin = origin
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("post_tags row: {e}")))?;
            let entry = current.entry(post).or_default();
            entry.tags.insert(tag);
            if origin.is_automatic() {
                entry.automatic.insert((tag, origin.as_str()), detail);
            } else {
                entry.manual.insert(tag);
            }
        }
    }
    let vetoes = "SELECT post_id, tag_id FROM tag_vetoes WHERE post_id";
    for select in selections(engine, vetoes, posts) {
        for row in select
            .fetch_all(&mut *conn, "reading posts' vetoes")
            .await?
        {
            let read =
                || -> Result<(i64, i64), sqlx::Error> { Ok((row.try_get(0)?, row.try_get(1)?)) };
            let (post, tag) = read().during("reading posts' vetoes")?;
            current.entry(post).or_default().vetoed.insert(tag);
        }
    }
    Ok(current)
}

/// `head` (ending in `WHERE post_id`) completed for `posts`, in as many statements as the
/// engine's parameter limit needs.
fn selections(engine: Engine, head: &str, posts: Posts<'_>) -> Vec<Sql> {
    match posts {
        Posts::Range(low, high) => {
            let mut sql = Sql::new(head);
            sql.push(" BETWEEN ").bind(low).push(" AND ").bind(high);
            vec![sql]
        }
        Posts::Ids(ids) => ids
            .chunks(engine.rows_per_statement(1))
            .map(|chunk| {
                let mut sql = Sql::new(head);
                sql.push(" IN (");
                sql.push_list(chunk, |sql, id| {
                    sql.bind(*id);
                });
                sql.push(")");
                sql
            })
            .collect(),
    }
}

/// Link rows to delete and to write, for many posts: (post, tag, origin[, detail]).
#[derive(Debug, Default)]
pub(crate) struct LinkWrites {
    pub(crate) delete: Vec<(i64, i64, &'static str)>,
    pub(crate) upsert: Vec<(i64, i64, &'static str, String)>,
}

impl LinkWrites {
    /// Adds one post's planned changes.
    pub(crate) fn add(&mut self, post: i64, links: &PostLinks) {
        self.delete.extend(
            links
                .delete
                .iter()
                .map(|&(tag, origin)| (post, tag, origin)),
        );
        self.upsert.extend(
            links
                .upsert
                .iter()
                .map(|(tag, origin, detail)| (post, *tag, *origin, detail.clone())),
        );
    }

    /// A few multi-row statements for the whole plan.
    pub(crate) async fn write(&self, conn: &mut AnyConnection, engine: Engine) -> Result<()> {
        for chunk in self.delete.chunks(engine.rows_per_statement(3)) {
            let mut delete = Sql::new("DELETE FROM post_tags WHERE (post_id, tag_id, origin) IN (");
            delete.push_list(chunk, |sql, (post, tag, origin)| {
                sql.push("(")
                    .bind(*post)
                    .push(", ")
                    .bind(*tag)
                    .push(", ")
                    .bind(*origin)
                    .push(")");
            });
            delete.push(")");
            delete
                .execute(conn, "removing tags that no longer apply")
                .await?;
        }
        for chunk in fixed_runs(engine, &self.upsert, 5) {
            // Each link carries its post's publication time (the tag archive's order).
            let mut upsert = Sql::new(
                "INSERT INTO post_tags (post_id, tag_id, origin, detail, published_at) VALUES ",
            );
            // The post is bound twice rather than named twice, so that SQLite can take
            // plain `?` parameters ([`Sql::positional`]).
            upsert.push_list(chunk, |sql, (post, tag, origin, detail)| {
                sql.push("(")
                    .bind(*post)
                    .push(", ")
                    .bind(*tag)
                    .push(", ")
                    .bind(*origin)
                    .push(", ")
                    .bind(crate::text::clean(detail).into_owned())
                    .push(", (SELECT published_at FROM posts WHERE id = ")
                    .bind(*post)
                    .push("))");
            });
            upsert.push(
                " ON CONFLICT (post_id, tag_id, origin) DO UPDATE SET detail = excluded.detail",
            );
            upsert
                .prepared_on(engine)
                .execute(conn, "storing posts' tags")
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERM: TagOrigin = TagOrigin::Term;
    const SOURCE: TagOrigin = TagOrigin::Source;

    fn current(
        automatic: &[(i64, TagOrigin, &str)],
        manual: &[i64],
        vetoed: &[i64],
    ) -> CurrentLinks {
        let mut links = CurrentLinks::default();
        for (tag, origin, detail) in automatic {
            links
                .automatic
                .insert((*tag, origin.as_str()), (*detail).to_owned());
            links.tags.insert(*tag);
        }
        links.manual.extend(manual);
        links.tags.extend(manual);
        links.vetoed.extend(vetoed);
        links
    }

    #[test]
    fn a_new_post_gets_every_automatic_link_once_with_the_first_detail() {
        let plan = plan_post(
            &CurrentLinks::default(),
            [
                (1, TERM, "a"),
                (2, SOURCE, "s"),
                (1, TERM, "again"),
                (3, TagOrigin::Manual, ""),
            ],
        );
        assert_eq!(plan.delete, []);
        assert_eq!(
            plan.upsert,
            [(1, "term", "a".to_owned()), (2, "source", "s".to_owned())]
        );
        assert_eq!((plan.gained, plan.lost), (vec![1, 2], vec![]));
    }

    #[test]
    fn unchanged_links_are_not_rewritten_and_stale_ones_go() {
        let now = current(
            &[(1, TERM, "a"), (2, TERM, "b"), (3, SOURCE, "s")],
            &[],
            &[],
        );
        let plan = plan_post(&now, [(1, TERM, "a"), (3, SOURCE, "s2")]);
        assert_eq!(plan.delete, [(2, "term")]);
        assert_eq!(plan.upsert, [(3, "source", "s2".to_owned())]);
        assert_eq!((plan.gained, plan.lost), (vec![], vec![2]));
    }

    #[test]
    fn manual_links_stay_and_vetoed_tags_are_never_linked() {
        let now = current(&[(1, TERM, "a")], &[1, 5], &[7]);
        let plan = plan_post(&now, [(7, TERM, "x"), (8, TERM, "y")]);
        assert_eq!(plan.delete, [(1, "term")]);
        assert_eq!(plan.upsert, [(8, "term", "y".to_owned())]);
        // Tag 1 stays by its manual link; nothing about 7 changes.
        assert_eq!((plan.gained, plan.lost), (vec![8], vec![]));
    }
}
