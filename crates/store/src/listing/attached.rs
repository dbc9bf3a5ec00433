//! A page's posts with their tags and enclosures, read by the page's own statement.
//!
//! A page once took three statements: its posts, then their tags, then their enclosures,
//! each a round trip to the engine (on PostgreSQL a network hop; on SQLite a hop to sqlx's
//! connection thread and back). Each post row now carries both lists as JSON arrays, built
//! by a correlated subquery on the post's own key (`post_tags`' primary key starts with
//! the post, `post_enclosures`' too), so a page of ten posts costs ten index probes of each
//! inside one statement. The engine gathers the rows as they come; the order the separate
//! statements gave (each tag once, by `lower(name)` then id; enclosures by position) is
//! put here, which is cheaper than a sort per post in the engine (a tag's reasons are
//! several rows of one tag).

use sqlx::Row;
use sqlx::any::AnyRow;
use syndic_core::{Post, TagRef};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::rows::post_from_row;
use crate::{Result, StoreError, enclosures};

/// `, … AS tags_json, … AS enclosures_json`: the columns [`post_with_lists`] reads beside
/// `post_columns!()`, for the post aliased `p`.
pub(crate) fn lists_columns(engine: Engine) -> String {
    let tags = engine.json_array_agg(&engine.json_array("t.id, t.name, t.slug"));
    // `[position, [url, mime_type, length, title, thumbnail, duration]]` a file.
    let file = engine.json_array("e.url, e.mime_type, e.length, e.title, e.thumbnail, e.duration");
    let files = engine.json_array_agg(&engine.json_array(&format!("e.position, {file}")));
    format!(
        ", COALESCE((SELECT {tags} FROM post_tags pt JOIN tags t ON t.id = pt.tag_id \
             WHERE pt.post_id = p.id), '[]') AS tags_json\
         , COALESCE((SELECT {files} FROM post_enclosures e WHERE e.post_id = p.id), '[]') \
             AS enclosures_json"
    )
}

/// A post row of a statement that selected [`lists_columns`], with its tags and
/// enclosures filled in.
pub(crate) fn post_with_lists(row: &AnyRow) -> Result<Post> {
    const DURING: &str = "reading a page's tags and enclosures";
    let mut post = post_from_row(row)?;
    let tags: String = row.try_get("tags_json").during(DURING)?;
    let files: String = row.try_get("enclosures_json").during(DURING)?;
    let tags: Vec<(i64, String, String)> =
        serde_json::from_str(&tags).map_err(|e| corrupt("tags", &e))?;
    post.tags = tags_in_order(tags);
    let mut files: Vec<(i64, enclosures::Stored)> =
        serde_json::from_str(&files).map_err(|e| corrupt("enclosures", &e))?;
    files.sort_by_key(|(position, _)| *position);
    post.enclosures = files
        .into_iter()
        .map(|(_, stored)| enclosures::enclosure(stored))
        .collect();
    Ok(post)
}

/// Each tag of `(id, name, slug)` rows once, ordered as `ORDER BY lower(name), id` orders
/// them on both engines: SQLite's `lower` and PostgreSQL's under `COLLATE "C"` fold ASCII
/// letters only, and both compare the bytes.
fn tags_in_order(mut tags: Vec<(i64, String, String)>) -> Vec<TagRef> {
    tags.sort_by_cached_key(|(id, name, _)| (name.to_ascii_lowercase(), *id));
    tags.dedup_by_key(|(id, _, _)| *id);
    tags.into_iter()
        .map(|(_, name, slug)| TagRef { name, slug })
        .collect()
}

fn corrupt(what: &str, error: &serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!(
        "a page's {what} are not the JSON expected: {error}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_come_once_each_by_folded_name_then_id() {
        let rows = vec![
            (3, "beta".to_owned(), "beta".to_owned()),
            (1, "Alpha".to_owned(), "alpha".to_owned()),
            (3, "beta".to_owned(), "beta".to_owned()),
            (2, "alpha".to_owned(), "alpha-2".to_owned()),
            (4, "Émile".to_owned(), "emile".to_owned()),
            (5, "Zed".to_owned(), "zed".to_owned()),
        ];
        let slugs: Vec<String> = tags_in_order(rows).into_iter().map(|t| t.slug).collect();
        // "Émile" keeps its capital (ASCII folding only) and sorts after every ASCII name.
        assert_eq!(slugs, ["alpha", "alpha-2", "beta", "zed", "emile"]);
    }
}
