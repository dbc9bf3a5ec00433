//! Reading which sources carry posts: every copy of one post for `syndic explain`, the
//! other sources' copies of a page of posts for "Also syndicated from".

use std::collections::HashMap;

use sqlx::Row;
use syndic_core::{MergeReason, PostCopy, PostId, SourceId};

use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store, from_secs};

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

    /// The post that carries `source`'s entry `guid`: the source's own post, or the post of
    /// another source it was merged into. `None` when no post carries it.
    pub async fn post_carrying(&self, source: SourceId, guid: &str) -> Result<Option<PostId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT post_id FROM post_sources WHERE source_id = $1 AND guid = $2",
        )
        .bind(source.0)
        .bind(guid)
        .fetch_optional(&self.pool)
        .await
        .during("looking up the post carrying an entry")?;
        Ok(id.map(PostId))
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
