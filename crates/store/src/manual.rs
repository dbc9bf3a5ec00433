//! People's decisions about tags, why each post carries its tags, and the vocabulary's
//! descriptions and aliases.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use syndic_core::{PostId, Tag, TagId, TagOrigin, TagRef, slugify};

use crate::error::QueryContext;
use crate::tags::ensure_tag;
use crate::{Result, Store, StoreError, clock, to_secs};

/// What [`Store::add_manual_tag`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManualAdd {
    pub tag: TagId,
    /// The tag did not exist and was created.
    pub created_tag: bool,
    /// The post already carried the tag by a manual decision (nothing changed).
    pub already_manual: bool,
    /// A veto on the pair was lifted.
    pub lifted_veto: bool,
}

/// What [`Store::remove_tag`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManualRemove {
    /// Link rows deleted (one per origin that gave the tag).
    pub links_removed: u64,
    /// The pair was already vetoed.
    pub already_vetoed: bool,
}

/// One tag of the vocabulary as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabularyTag {
    pub name: String,
    pub description: String,
    pub aliases: Vec<String>,
}

/// A stored tag (with its description) and its aliases (slugs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagDetails {
    pub tag: Tag,
    pub aliases: Vec<String>,
}

impl Store {
    /// `post` carries `tag` by a person's decision (origin manual), whatever retagging later
    /// concludes; a veto on the pair is lifted. The tag (a name) is created if new. Moves
    /// the change clock when the post did not carry the tag before.
    pub async fn add_manual_tag(
        &self,
        post: PostId,
        tag: &str,
        now: DateTime<Utc>,
    ) -> Result<ManualAdd> {
        let mut tx = self.write("starting a manual tag").await?;
        ensure_post(&mut tx, post).await?;
        let (tag, created_tag) = ensure_tag(&mut tx, self.engine, tag, now).await?;
        let origins: Vec<String> =
            sqlx::query_scalar("SELECT origin FROM post_tags WHERE post_id = $1 AND tag_id = $2")
                .bind(post.0)
                .bind(tag.0)
                .fetch_all(&mut *tx)
                .await
                .during("reading a post's tag")?;
        let lifted = sqlx::query("DELETE FROM tag_vetoes WHERE post_id = $1 AND tag_id = $2")
            .bind(post.0)
            .bind(tag.0)
            .execute(&mut *tx)
            .await
            .during("lifting a veto")?
            .rows_affected();
        let already_manual = origins.iter().any(|o| o == TagOrigin::Manual.as_str());
        if !already_manual {
            sqlx::query(
                "INSERT INTO post_tags (post_id, tag_id, origin, detail, published_at)
                 VALUES ($1, $2, 'manual', $3, (SELECT published_at FROM posts WHERE id = $1))",
            )
            .bind(post.0)
            .bind(tag.0)
            .bind(format!("added by hand on {}", now.format("%Y-%m-%d")))
            .execute(&mut *tx)
            .await
            .during("adding a manual tag")?;
        }
        crate::corpus::review(&mut tx, post, now).await?;
        if origins.is_empty() || created_tag {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("committing a manual tag")?;
        Ok(ManualAdd {
            tag,
            created_tag,
            already_manual,
            lifted_veto: lifted > 0,
        })
    }

    /// `post` does not carry `tag`, by a person's decision: every link of the pair goes
    /// (whatever its origin) and a veto keeps ingest and retag from linking it again until
    /// [`Store::add_manual_tag`]. Moves the change clock when a link went.
    pub async fn remove_tag(
        &self,
        post: PostId,
        tag: TagId,
        now: DateTime<Utc>,
    ) -> Result<ManualRemove> {
        let mut tx = self.write("starting a manual untag").await?;
        ensure_post(&mut tx, post).await?;
        let removed = sqlx::query("DELETE FROM post_tags WHERE post_id = $1 AND tag_id = $2")
            .bind(post.0)
            .bind(tag.0)
            .execute(&mut *tx)
            .await
            .during("removing a tag from a post")?
            .rows_affected();
        let vetoed = sqlx::query(
            "INSERT INTO tag_vetoes (post_id, tag_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (post_id, tag_id) DO NOTHING",
        )
        .bind(post.0)
        .bind(tag.0)
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await
        .during("recording a veto")?
        .rows_affected();
        crate::corpus::review(&mut tx, post, now).await?;
        if removed > 0 {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("committing a manual untag")?;
        Ok(ManualRemove {
            links_removed: removed,
            already_vetoed: vetoed == 0,
        })
    }

    /// Records that a person reviewed `post` and found its tags right as they are (what
    /// `syndic tag label` says of a post whose list needed no change): its tags teach the
    /// tagger.
    pub async fn mark_reviewed(&self, post: PostId, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.write("starting a review").await?;
        ensure_post(&mut tx, post).await?;
        crate::corpus::review(&mut tx, post, now).await?;
        tx.commit().await.during("committing a review")?;
        Ok(())
    }

    /// The tags people removed from `post` (which automatic tagging may not give back).
    pub async fn post_vetoes(&self, post: PostId) -> Result<Vec<TagRef>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT t.name, t.slug FROM tag_vetoes v JOIN tags t ON t.id = v.tag_id
             WHERE v.post_id = $1 ORDER BY lower(t.name), t.id",
        )
        .bind(post.0)
        .fetch_all(&self.pool)
        .await
        .during("reading a post's vetoes")?;
        Ok(rows
            .into_iter()
            .map(|(name, slug)| TagRef { name, slug })
            .collect())
    }

    /// The posts whose original is at `link`, oldest first.
    pub async fn posts_by_link(&self, link: &str) -> Result<Vec<PostId>> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE link = $1 ORDER BY id")
            .bind(link)
            .fetch_all(&self.pool)
            .await
            .during("looking up a post by its link")?;
        Ok(ids.into_iter().map(PostId).collect())
    }

    /// A tag by its slug or by one of its aliases' slugs.
    pub async fn tag_by_slug_or_alias(&self, slug: &str) -> Result<Option<Tag>> {
        if let Some(tag) = self.tag_by_slug(slug).await? {
            return Ok(Some(tag));
        }
        match self.tag_by_alias(slug).await? {
            Some(target) => self.tag_by_slug(&target.slug).await,
            None => Ok(None),
        }
    }

    /// Every tag with its post count, description and aliases, by name.
    pub async fn tag_details(&self) -> Result<Vec<TagDetails>> {
        let tags = self.tags().await?;
        let aliases: Vec<(i64, String)> =
            sqlx::query_as("SELECT tag_id, slug FROM tag_aliases ORDER BY slug")
                .fetch_all(&self.pool)
                .await
                .during("reading tag aliases")?;
        let mut by_tag: HashMap<i64, Vec<String>> = HashMap::new();
        for (tag, slug) in aliases {
            by_tag.entry(tag).or_default().push(slug);
        }
        Ok(tags
            .into_iter()
            .map(|tag| TagDetails {
                aliases: by_tag.remove(&tag.id.0).unwrap_or_default(),
                tag,
            })
            .collect())
    }

    /// Brings the tag rows in line with the vocabulary: every tag has a row (so its archive
    /// exists before its first post), with the configured description, and exactly the
    /// configured aliases lead to it. Tags no longer configured keep their rows and posts.
    /// Moves the change clock when anything a page shows changed.
    pub async fn sync_vocabulary(&self, tags: &[VocabularyTag], now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.write("starting a vocabulary sync").await?;
        let mut changed = false;
        let mut wanted: BTreeSet<(String, i64)> = BTreeSet::new();
        for spec in tags {
            let (id, created) = ensure_tag(&mut tx, self.engine, &spec.name, now).await?;
            changed |= created;
            let updated =
                sqlx::query("UPDATE tags SET description = $1 WHERE id = $2 AND description <> $1")
                    .bind(crate::text::clean(&spec.description).into_owned())
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .during("updating a tag's description")?
                    .rows_affected();
            changed |= updated > 0;
            let own = slugify(&spec.name);
            for alias in &spec.aliases {
                let slug = slugify(alias);
                if !slug.is_empty() && slug != own {
                    wanted.insert((slug, id.0));
                }
            }
        }
        let stored: Vec<(String, i64)> = sqlx::query_as("SELECT slug, tag_id FROM tag_aliases")
            .fetch_all(&mut *tx)
            .await
            .during("reading tag aliases")?;
        let stored: BTreeSet<(String, i64)> = stored.into_iter().collect();
        if stored != wanted {
            sqlx::query("DELETE FROM tag_aliases")
                .execute(&mut *tx)
                .await
                .during("clearing tag aliases")?;
            for (slug, tag) in &wanted {
                sqlx::query(
                    "INSERT INTO tag_aliases (slug, tag_id) VALUES ($1, $2)
                     ON CONFLICT (slug) DO NOTHING",
                )
                .bind(slug)
                .bind(tag)
                .execute(&mut *tx)
                .await
                .during("adding a tag alias")?;
            }
            changed = true;
        }
        if changed {
            clock::bump(&mut tx).await?;
        }
        tx.commit().await.during("committing a vocabulary sync")?;
        Ok(())
    }
}

async fn ensure_post(tx: &mut sqlx::AnyConnection, post: PostId) -> Result<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE id = $1")
        .bind(post.0)
        .fetch_optional(&mut *tx)
        .await
        .during("looking up a post")?;
    found
        .map(|_| ())
        .ok_or(StoreError::UnknownPost { id: post })
}
