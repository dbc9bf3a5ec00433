//! What reader-facing pages ask about tags beyond their posts: why a post carries each of
//! its tags (the origin and detail every post-tag link records), and
//! which tag an alias slug names.

use sqlx::Row;
use syndic_core::{PostId, TagOrigin, TagRef};

use crate::error::QueryContext;
use crate::{Result, Store, StoreError};

/// One reason a post carries a tag: one row of `post_tags`. A tag given for several
/// reasons (a term and a feed category, say) has one `TagReason` per origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagReason {
    pub tag: TagRef,
    pub origin: TagOrigin,
    /// What decided it, as the tagger or the command wrote it (term, field and score; the
    /// category's text; the source). Often empty for manual tags.
    pub detail: String,
}

/// Every link of one post with its tag, in the order pages show them.
pub(crate) const TAG_REASONS: &str = "SELECT t.name, t.slug, pt.origin, pt.detail FROM post_tags pt
     JOIN tags t ON t.id = pt.tag_id
     WHERE pt.post_id = $1
     ORDER BY lower(t.name), t.id,
         CASE pt.origin WHEN 'term' THEN 0 WHEN 'category' THEN 1
                        WHEN 'source' THEN 2 ELSE 3 END";

impl Store {
    /// Every reason behind every tag of `post`, by tag name (case-insensitive), then origin
    /// in the order term, category, source, manual. Empty for an unknown post.
    pub async fn tag_reasons(&self, post: PostId) -> Result<Vec<TagReason>> {
        let rows = sqlx::query(TAG_REASONS)
            .bind(post.0)
            .fetch_all(&self.pool)
            .await
            .during("reading why a post carries its tags")?;
        rows.iter()
            .map(|row| {
                let read = || -> Result<_, sqlx::Error> {
                    Ok((
                        row.try_get::<String, _>(0)?,
                        row.try_get::<String, _>(1)?,
                        row.try_get::<String, _>(2)?,
                        row.try_get::<String, _>(3)?,
                    ))
                };
                let (name, slug, origin, detail) =
                    read().during("reading why a post carries its tags")?;
                let origin = origin
                    .parse::<TagOrigin>()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(TagReason {
                    tag: TagRef { name, slug },
                    origin,
                    detail,
                })
            })
            .collect()
    }

    /// The tag that `slug` is an alias of (`tag_aliases`), if any: where `/tag/<slug>/`
    /// leads when no tag has that slug itself.
    pub async fn tag_by_alias(&self, slug: &str) -> Result<Option<TagRef>> {
        let row = sqlx::query(
            "SELECT t.name, t.slug FROM tag_aliases a JOIN tags t ON t.id = a.tag_id
             WHERE a.slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await
        .during("looking up a tag alias")?;
        let Some(row) = row else { return Ok(None) };
        let read = || -> Result<TagRef, sqlx::Error> {
            Ok(TagRef {
                name: row.try_get(0)?,
                slug: row.try_get(1)?,
            })
        };
        read().during("reading a tag alias").map(Some)
    }
}

#[cfg(test)]
mod tests {
    use syndic_core::TagAssignment;

    use super::*;
    use crate::tests::{at, entry, meta, store_with_source, tagged};

    fn assignment(tag: &str, origin: TagOrigin, detail: &str) -> TagAssignment {
        TagAssignment {
            tag: tag.into(),
            origin,
            detail: detail.into(),
        }
    }

    async fn reasons_list_every_origin_of_every_tag_by_name() {
        let (store, source, _dir) = store_with_source(None).await;
        let mut post = tagged(entry("a", "Kubernetes at home", 2), &[]);
        post.tags = vec![
            assignment("rust", TagOrigin::Source, "every post of blog.example"),
            assignment("Kubernetes", TagOrigin::Category, "feed category \"K8s\""),
            assignment("Kubernetes", TagOrigin::Term, "\"kubernetes\" in title"),
        ];
        store
            .ingest(source, &meta(), &[post], at(3))
            .await
            .expect("ingest");
        let id = PostId(1);
        let reasons = store.tag_reasons(id).await.expect("reasons");
        let seen: Vec<(&str, TagOrigin, &str)> = reasons
            .iter()
            .map(|r| (r.tag.slug.as_str(), r.origin, r.detail.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("kubernetes", TagOrigin::Term, "\"kubernetes\" in title"),
                ("kubernetes", TagOrigin::Category, "feed category \"K8s\""),
                ("rust", TagOrigin::Source, "every post of blog.example"),
            ]
        );
        assert_eq!(reasons[0].tag.name, "Kubernetes");
        assert!(
            store
                .tag_reasons(PostId(99))
                .await
                .expect("none")
                .is_empty()
        );
    }

    async fn descriptions_and_aliases_are_read_from_their_rows() {
        let (store, _source, _dir) = store_with_source(None).await;
        store
            .sync_tags(&["Kubernetes".to_owned(), "rust".to_owned()], at(2))
            .await
            .expect("sync");
        let tag = store
            .tag_by_slug("kubernetes")
            .await
            .expect("lookup")
            .expect("tag");
        assert_eq!(tag.description, "");
        sqlx::query("UPDATE tags SET description = $1 WHERE id = $2")
            .bind("Containers <at scale>")
            .bind(tag.id.0)
            .execute(&store.pool)
            .await
            .expect("describe");
        sqlx::query("INSERT INTO tag_aliases (slug, tag_id) VALUES ($1, $2)")
            .bind("k8s")
            .bind(tag.id.0)
            .execute(&store.pool)
            .await
            .expect("alias");
        let described = store.tag_by_slug("kubernetes").await.expect("lookup");
        assert_eq!(
            described.map(|t| t.description).as_deref(),
            Some("Containers <at scale>")
        );
        assert_eq!(
            store.tag_by_alias("k8s").await.expect("alias"),
            Some(TagRef {
                name: "Kubernetes".into(),
                slug: "kubernetes".into()
            })
        );
        assert_eq!(store.tag_by_alias("rust").await.expect("no alias"), None);
    }

    crate::tests::on_both_engines!(
        reasons_list_every_origin_of_every_tag_by_name,
        descriptions_and_aliases_are_read_from_their_rows,
    );
}
