//! Storing what one fetch of a source produced, atomically, in a fixed number of
//! statements however many posts it brought: one read of the source's posts with the
//! batch's guids (and one of those sharing a link and title with the rest: `read.rs`), the
//! decisions in [`plan`] (no database), then multi-row inserts and updates (`write.rs`),
//! and the tag links read,
//! planned ([`links::plan_post`]) and written the same way. Each post's text and HTML go
//! into one compressed body ([`crate::body`]), and the posts whose title or text are new
//! are recorded in `search_pending` for the search indexer ([`crate::search`]), in the
//! same transaction: the index itself is written later, in large batches. The posts'
//! enclosures are replaced where the feed's list changed ([`crate::enclosures`]).

pub(crate) mod plan;
mod prepare;
mod read;
mod write;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use syndic_core::{Admission, FeedEntry, FeedMeta, PostId, SourceId, TagAssignment, slugify};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::links::{self, CurrentLinks, LinkWrites, Posts};
use crate::{
    Result, Store, UpdatePolicy, clock, corpus, enclosures, merging, moderation, origins,
    revisions, source_settings, sources, tags, text, tombstones,
};
pub(crate) use plan::{Action, Incoming, StoredPost};
pub use prepare::PreparedPosts;
pub(crate) use read::{STORED_BY_ID, stored_from_row};
use read::{read_by_guid, read_by_link};
use write::{insert_posts, record_filtered, update_posts};

/// A parsed entry together with the tags automatic tagging gave it, and how it enters the
/// store when it is new (published, held for review, or filtered by a rule; an update
/// keeps the stored post's state).
#[derive(Debug, Clone)]
pub struct IncomingPost {
    pub entry: FeedEntry,
    pub tags: Vec<TagAssignment>,
    /// The post's distinct stems, added to the corpus's document frequencies when the post
    /// is new (`corpus_stems`); empty to count nothing.
    pub stems: Vec<String>,
    pub admission: Admission,
}

/// What one ingest did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    pub new: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Entries kept out by a tombstone (a taken-down post, or a link to one).
    pub buried: u32,
    /// Posts taken down because the feed says they were deleted (a source with
    /// `honor_deletions`).
    pub deleted: u32,
    /// Entries that were the same article as another source's post, recorded as one more
    /// source of it instead of a post of their own.
    pub merged: u32,
}

/// Which of a batch's posts an ingest stored where, by their index in the batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredPosts {
    /// Each post's id; `None` for an entry without a post of its own (a repeat of an
    /// earlier entry, a copy merged into another source's post, a frozen or buried one).
    pub ids: Vec<Option<PostId>>,
    /// The indexes of the posts that were new or updated, in order: what changed on the
    /// site's pages and feeds.
    pub changed: Vec<usize>,
}

impl Store {
    /// Stores the posts of one successful fetch of `source` in one transaction: new posts
    /// are inserted, changed ones updated in place (first-seen time kept, updated time
    /// set), unchanged ones left alone. Every post's automatic tags are replaced by
    /// `tags`; manual tags are never touched. An entry repeating an earlier entry's guid
    /// is that entry's post and is not stored twice. NUL characters are dropped from every
    /// text. Moves the change clock ([`Store::last_change`]). New and changed posts are
    /// searchable after the next indexing pass ([`Store::index_search`]).
    pub async fn ingest(
        &self,
        source: SourceId,
        meta: &FeedMeta,
        posts: &[IncomingPost],
        now: DateTime<Utc>,
    ) -> Result<IngestStats> {
        let (stats, _) = self.ingest_changes(source, meta, posts, now).await?;
        Ok(stats)
    }

    /// [`Store::ingest`], also saying which posts it stored where.
    pub async fn ingest_changes(
        &self,
        source: SourceId,
        meta: &FeedMeta,
        posts: &[IncomingPost],
        now: DateTime<Utc>,
    ) -> Result<(IngestStats, StoredPosts)> {
        let mut tx = self.write("starting an ingest").await?;
        let prepared = PreparedPosts::none();
        let stored = store_posts(&mut tx, self, source, meta, (posts, prepared), now).await?;
        // The last success alone changes the sources page, so every ingest moves the clock.
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing an ingest")?;
        Ok(stored)
    }
}

/// The body of every ingest, inside the caller's transaction: what the feed says about
/// itself, the source's success, then the posts and their automatic tags. The caller adds
/// what else belongs to the fetch, bumps the clock and commits. Also says which posts it
/// stored where. What `prepared` holds of `posts` is used instead of computed
/// ([`prepare`]).
pub(crate) async fn store_posts(
    tx: &mut AnyConnection,
    store: &Store,
    source: SourceId,
    meta: &FeedMeta,
    (posts, mut prepared): (&[IncomingPost], PreparedPosts),
    now: DateTime<Utc>,
) -> Result<(IngestStats, StoredPosts)> {
    let engine = store.engine;
    sources::record_success(tx, source, meta, now).await?;
    let entries: Vec<Incoming<'_>> = posts.iter().map(|p| Incoming::new(&p.entry)).collect();
    let by_guid = read_by_guid(tx, engine, source, &entries).await?;
    let by_link = read_by_link(tx, engine, source, &entries, &by_guid).await?;
    let actions = plan::plan_posts(&entries, &by_guid, &by_link, now);
    let policy = source_settings::ingest_policy(tx, source).await?;
    let (actions, keys) = merging::plan_merges(
        tx,
        (engine, source, policy.priority),
        &entries,
        actions,
        &prepared,
    )
    .await?;
    let buried = tombstones::read(tx, engine, source, &entries).await?;
    let actions = plan::bury(&entries, actions, &buried);
    let actions = match policy.updates {
        UpdatePolicy::Follow => actions,
        UpdatePolicy::Freeze => plan::freeze(actions),
    };

    let admissions: Vec<&Admission> = posts.iter().map(|p| &p.admission).collect();
    let dictionary = store.dictionaries.current();
    let inserted = insert_posts(
        tx,
        (engine, dictionary),
        source,
        (&entries, &admissions),
        &actions,
        &mut prepared,
        now,
    )
    .await?;
    record_filtered(tx, &entries, &admissions, &actions, &inserted, now).await?;
    let replaced = plan::replaced(&actions, &by_guid, &by_link);
    revisions::record(tx, store, &replaced, now).await?;
    let engine_dictionary = (engine, dictionary);
    update_posts(
        tx,
        engine_dictionary,
        &entries,
        &actions,
        &mut prepared,
        now,
    )
    .await?;
    let copies = merging::copies_of_ingest(&entries, &actions, &keys, &inserted);
    merging::record(tx, engine, source, &copies, now).await?;
    // Document frequencies follow new posts only (a retag recounts everything).
    let new_posts = posts
        .iter()
        .zip(&actions)
        .filter(|(_, a)| matches!(a, Action::Insert { .. }));
    corpus::count_new_posts(tx, new_posts.map(|(p, _)| p.stems.as_slice())).await?;
    let mut pending: Vec<i64> = inserted.values().copied().collect();

    let mut stats = IngestStats::default();
    let mut changed = Vec::new();
    let mut ids: Vec<Option<i64>> = Vec::with_capacity(posts.len());
    for (index, action) in actions.iter().enumerate() {
        let id = match *action {
            Action::Insert { .. } => {
                stats.new += 1;
                changed.push(index);
                inserted.get(entries[index].guid.as_ref()).copied()
            }
            Action::Update { post, reindex, .. } => {
                stats.updated += 1;
                changed.push(index);
                if reindex {
                    pending.push(post);
                }
                Some(post)
            }
            Action::Unchanged { post } => {
                stats.unchanged += 1;
                Some(post)
            }
            Action::Repeat { .. } | Action::Frozen { .. } => {
                stats.unchanged += 1;
                None
            }
            Action::Buried => {
                stats.buried += 1;
                None
            }
            Action::Merge { .. } => {
                stats.merged += 1;
                None
            }
            Action::Copy { .. } => {
                stats.unchanged += 1;
                None
            }
        };
        ids.push(id);
    }
    crate::search::record_pending(tx, engine, &mut pending).await?;
    replace_automatic_tags(tx, engine, posts, &actions, &ids, now).await?;
    enclosures::record(tx, engine, posts, &actions, &ids).await?;
    origins::record(tx, engine, source, posts).await?;
    if policy.honor_deletions {
        stats.deleted =
            moderation::take_down_deleted(tx, engine, source, &meta.deleted, now).await?;
    }
    let ids = ids.iter().map(|id| id.map(PostId)).collect();
    Ok((stats, StoredPosts { ids, changed }))
}

/// Replaces every stored post's automatic (non-manual) tag links with the batch's,
/// creating tag rows for names not seen before (feed categories may name tags outside the
/// vocabulary). A pair somebody vetoed ([`Store::remove_tag`]) stays unlinked.
async fn replace_automatic_tags(
    tx: &mut AnyConnection,
    engine: Engine,
    posts: &[IncomingPost],
    actions: &[Action],
    ids: &[Option<i64>],
    now: DateTime<Utc>,
) -> Result<()> {
    // New posts have no links yet; only stored ones are read.
    let stored: Vec<i64> = actions
        .iter()
        .zip(ids)
        .filter(|(action, _)| matches!(action, Action::Update { .. } | Action::Unchanged { .. }))
        .filter_map(|(_, id)| *id)
        .collect();
    let tagged: Vec<(i64, &[TagAssignment])> = posts
        .iter()
        .zip(ids)
        .filter_map(|(post, id)| Some(((*id)?, post.tags.as_slice())))
        .collect();
    write_automatic_tags(tx, engine, &tagged, &stored, now).await
}

/// Replaces the automatic tag links of each post in `tagged` by its assignments
/// (`stored`: those of them that may have links already), creating tag rows for names not
/// seen before. Manual links, and pairs somebody vetoed, stay as they are.
pub(crate) async fn write_automatic_tags(
    tx: &mut AnyConnection,
    engine: Engine,
    tagged: &[(i64, &[TagAssignment])],
    stored: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    let names: Vec<&str> = tagged
        .iter()
        .flat_map(|(_, tags)| tags.iter())
        .filter(|t| t.origin.is_automatic())
        .map(|t| t.tag.as_str())
        .collect();
    let tag_ids = tags::ensure_tags(tx, engine, &names, now).await?;
    let current = if stored.is_empty() {
        HashMap::new()
    } else {
        links::read_current(tx, engine, Posts::Ids(stored)).await?
    };
    let empty = CurrentLinks::default();
    let mut writes = LinkWrites::default();
    for (id, tags) in tagged {
        let details: Vec<_> = tags.iter().map(|t| text::clean(&t.detail)).collect();
        let wanted = tags.iter().zip(&details).filter_map(|(t, detail)| {
            let tag = tag_ids.get(&slugify(&text::clean(&t.tag)))?;
            Some((*tag, t.origin, detail.as_ref()))
        });
        let plan = links::plan_post(current.get(id).unwrap_or(&empty), wanted);
        writes.add(*id, &plan);
    }
    writes.write(tx, engine).await
}
