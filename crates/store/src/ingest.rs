//! Storing what one fetch of a source produced, atomically, in a fixed number of
//! statements however many posts it brought: one read of the source's posts with the
//! batch's guids (and one of those sharing a link and title with the rest), the decisions
//! in [`plan`] (no database), then multi-row inserts and updates, and the tag links read,
//! planned ([`links::plan_post`]) and written the same way. Each post's text and HTML go
//! into one compressed body ([`crate::body`]), and the posts whose title or text are new
//! are recorded in `search_pending` for the search indexer ([`crate::search`]), in the
//! same transaction: the index itself is written later, in large batches. The posts'
//! enclosures are replaced where the feed's list changed ([`crate::enclosures`]).

pub(crate) mod plan;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use syndic_core::{
    Actor, Admission, FeedEntry, FeedMeta, PostId, SourceId, TagAssignment, slugify,
};

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::links::{self, CurrentLinks, LinkWrites, Posts};
use crate::sql::Sql;
use crate::{
    Result, Store, UpdatePolicy, audit, body, clock, corpus, enclosures, merging, moderation,
    origins, revisions, source_settings, sources, tags, text, to_secs, tombstones,
};
pub(crate) use plan::{Action, Incoming, StoredPost};

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
        let stored = store_posts(&mut tx, self, source, meta, posts, now).await?;
        // The last success alone changes the sources page, so every ingest moves the clock.
        clock::bump(&mut tx).await?;
        tx.commit().await.during("committing an ingest")?;
        Ok(stored)
    }
}

/// The body of every ingest, inside the caller's transaction: what the feed says about
/// itself, the source's success, then the posts and their automatic tags. The caller adds
/// what else belongs to the fetch, bumps the clock and commits. Also says which posts it
/// stored where.
pub(crate) async fn store_posts(
    tx: &mut AnyConnection,
    store: &Store,
    source: SourceId,
    meta: &FeedMeta,
    posts: &[IncomingPost],
    now: DateTime<Utc>,
) -> Result<(IngestStats, StoredPosts)> {
    let engine = store.engine;
    sources::record_success(tx, source, meta, now).await?;
    let entries: Vec<Incoming<'_>> = posts.iter().map(|p| Incoming::new(&p.entry)).collect();
    let by_guid = read_by_guid(tx, engine, source, &entries).await?;
    let by_link = read_by_link(tx, engine, source, &entries, &by_guid).await?;
    let actions = plan::plan_posts(&entries, &by_guid, &by_link, now);
    let policy = source_settings::ingest_policy(tx, source).await?;
    let (actions, keys) =
        merging::plan_merges(tx, engine, source, policy.priority, &entries, actions).await?;
    let buried = tombstones::read(tx, engine, source, &entries).await?;
    let actions = plan::bury(&entries, actions, &buried);
    let actions = match policy.updates {
        UpdatePolicy::Follow => actions,
        UpdatePolicy::Freeze => plan::freeze(actions),
    };

    let admissions: Vec<&Admission> = posts.iter().map(|p| &p.admission).collect();
    let inserted = insert_posts(tx, engine, source, &entries, &admissions, &actions, now).await?;
    record_filtered(tx, &entries, &admissions, &actions, &inserted, now).await?;
    let replaced = plan::replaced(&actions, &by_guid, &by_link);
    revisions::record(tx, engine, &replaced, store.keep_revisions, now).await?;
    update_posts(tx, engine, &entries, &actions, now).await?;
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

/// The columns [`StoredPost`] reads.
const STORED_COLUMNS: &str = "SELECT id, guid, title, link, author, published_at, updated_at, body, \
     categories, language FROM posts WHERE source_id = ";
/// The same columns, of the posts whose ids follow (and a closing parenthesis).
pub(crate) const STORED_BY_ID: &str = "SELECT id, guid, title, link, author, published_at, \
     updated_at, body, categories, language FROM posts WHERE id IN (";

/// The source's posts with the batch's guids.
async fn read_by_guid(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[Incoming<'_>],
) -> Result<Vec<StoredPost>> {
    let mut found = Vec::new();
    for chunk in entries.chunks(engine.rows_per_statement(1)) {
        let mut select = Sql::new(STORED_COLUMNS);
        select.bind(source.0).push(" AND guid IN (");
        select.push_list(chunk, |sql, entry| {
            sql.bind(entry.guid.clone().into_owned());
        });
        select.push(")");
        for row in select.fetch_all(&mut *tx, "looking up posts").await? {
            found.push(stored_from_row(&row)?);
        }
    }
    Ok(found)
}

/// The source's posts sharing a link and a title with an entry whose guid is not stored.
async fn read_by_link(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[Incoming<'_>],
    by_guid: &[StoredPost],
) -> Result<Vec<StoredPost>> {
    let known: std::collections::HashSet<&str> = by_guid.iter().map(|p| p.guid.as_str()).collect();
    let unmatched: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| !known.contains(e.guid.as_ref()))
        .filter_map(|e| Some((e.link.as_deref()?, e.title.as_ref())))
        .collect();
    let mut found: HashMap<i64, StoredPost> = HashMap::new();
    for chunk in unmatched.chunks(engine.rows_per_statement(2)) {
        let mut select = Sql::new(STORED_COLUMNS);
        select.bind(source.0).push(" AND link IN (");
        select.push_list(chunk, |sql, (link, _)| {
            sql.bind((*link).to_owned());
        });
        select.push(") AND title IN (");
        select.push_list(chunk, |sql, (_, title)| {
            sql.bind((*title).to_owned());
        });
        select.push(")");
        for row in select
            .fetch_all(&mut *tx, "looking up posts by link")
            .await?
        {
            let post = stored_from_row(&row)?;
            found.insert(post.id, post);
        }
    }
    let mut found: Vec<StoredPost> = found.into_values().collect();
    found.sort_by_key(|p| p.id);
    Ok(found)
}

pub(crate) fn stored_from_row(row: &sqlx::any::AnyRow) -> Result<StoredPost> {
    let read = || -> Result<(StoredPost, Vec<u8>), sqlx::Error> {
        let post = StoredPost {
            id: row.try_get("id")?,
            guid: row.try_get("guid")?,
            title: row.try_get("title")?,
            link: row.try_get("link")?,
            author: row.try_get("author")?,
            published_at: row.try_get("published_at")?,
            updated_at: row.try_get("updated_at")?,
            content_html: String::new(),
            content_text: String::new(),
            categories: row.try_get("categories")?,
            language: row.try_get("language")?,
        };
        Ok((post, row.try_get("body")?))
    };
    let (mut post, blob) = read().during("reading a stored post")?;
    (post.content_text, post.content_html) = body::decode(&blob, post.id)?;
    Ok(post)
}

/// Inserts the new posts, in the batch's order (so ids follow the feed's order), each in
/// the state its admission gives; their ids by guid.
async fn insert_posts(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    entries: &[Incoming<'_>],
    admissions: &[&Admission],
    actions: &[Action],
    now: DateTime<Utc>,
) -> Result<HashMap<String, i64>> {
    let new: Vec<(&Incoming<'_>, i64, &Admission)> = entries
        .iter()
        .zip(actions)
        .zip(admissions)
        .filter_map(|((entry, action), admission)| match action {
            Action::Insert { published } => Some((entry, *published, *admission)),
            _ => None,
        })
        .collect();
    let bodies = encode_bodies(new.iter().map(|(entry, _, _)| *entry));
    let mut ids = HashMap::with_capacity(new.len());
    let per_statement = engine.rows_per_statement(12);
    let mut bodies = bodies.into_iter();
    for chunk in new.chunks(per_statement) {
        let mut insert = Sql::new(
            "INSERT INTO posts (source_id, guid, title, link, author, published_at, updated_at,
                 first_seen_at, body, categories, language, state, state_detail) VALUES ",
        );
        insert.push_list(
            chunk.iter().zip(bodies.by_ref()),
            |sql, ((entry, published, admission), body)| {
                sql.push("(").bind(source.0).push(", ");
                push_described(sql, entry, *published);
                sql.push(", NULL, ").bind(to_secs(now)).push(", ");
                push_contents(sql, entry, body);
                sql.push(", ")
                    .bind(admission.state().as_str())
                    .push(", ")
                    .bind(text::clean(admission.detail()).into_owned());
                sql.push(")");
            },
        );
        insert.push(" RETURNING id, guid");
        for row in insert.fetch_all(&mut *tx, "inserting posts").await? {
            let id: i64 = row.try_get(0).during("inserting posts")?;
            let guid: String = row.try_get(1).during("inserting posts")?;
            ids.insert(guid, id);
        }
    }
    Ok(ids)
}

/// Records in the audit log each new post a rule filtered (in the ingest's transaction).
/// Rules are the operator's configuration, so the actor is `cli`.
async fn record_filtered(
    tx: &mut AnyConnection,
    entries: &[Incoming<'_>],
    admissions: &[&Admission],
    actions: &[Action],
    inserted: &HashMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    for ((entry, admission), action) in entries.iter().zip(admissions).zip(actions) {
        let (Admission::Filter { rule }, Action::Insert { .. }) = (admission, action) else {
            continue;
        };
        if let Some(&id) = inserted.get(entry.guid.as_ref()) {
            let target = moderation::target(PostId(id));
            audit::record(tx, Actor::Cli, "filter", &target, rule, now).await?;
        }
    }
    Ok(())
}

/// The columns that name and date a post, in the order both statements list them:
/// `guid, title, link, author, published_at`.
fn push_described(sql: &mut Sql, entry: &Incoming<'_>, published: i64) {
    sql.bind(entry.guid.clone().into_owned())
        .push(", ")
        .bind(entry.title.clone().into_owned())
        .push(", ")
        .bind(entry.link.clone().map(|l| l.into_owned()))
        .push(", ")
        .bind(entry.author.clone().map(|a| a.into_owned()))
        .push(", ")
        .bind(published);
}

/// The columns that hold a post's contents: `body, categories, language`.
fn push_contents(sql: &mut Sql, entry: &Incoming<'_>, body: Vec<u8>) {
    sql.bind(body)
        .push(", ")
        .bind(entry.categories.clone())
        .push(", ")
        .bind(entry.language.clone().map(|l| l.into_owned()));
}

/// The bodies of `entries`, compressed off the async threads (see [`body::off_async`]).
fn encode_bodies<'a>(entries: impl Iterator<Item = &'a Incoming<'a>>) -> Vec<Vec<u8>> {
    let entries: Vec<&Incoming<'_>> = entries.collect();
    body::off_async(|| {
        entries
            .iter()
            .map(|entry| body::encode(&entry.content_text, &entry.content_html))
            .collect()
    })
}

/// Rewrites the changed posts in place (first-seen time kept, updated time set).
async fn update_posts(
    tx: &mut AnyConnection,
    engine: Engine,
    entries: &[Incoming<'_>],
    actions: &[Action],
    now: DateTime<Utc>,
) -> Result<()> {
    let changed: Vec<(&Incoming<'_>, i64, i64)> = entries
        .iter()
        .zip(actions)
        .filter_map(|(entry, action)| match action {
            Action::Update {
                post, published, ..
            } => Some((entry, *post, *published)),
            _ => None,
        })
        .collect();
    let bodies = encode_bodies(changed.iter().map(|(entry, _, _)| *entry));
    let per_statement = engine.rows_per_statement(10);
    let mut bodies = bodies.into_iter();
    for chunk in changed.chunks(per_statement) {
        let mut update = Sql::new(
            "UPDATE posts SET guid = v.column2, title = v.column3, link = v.column4,
                 author = v.column5, published_at = v.column6, updated_at = v.column7,
                 body = v.column8, categories = v.column9, language = v.column10
             FROM (VALUES ",
        );
        update.push_list(
            chunk.iter().zip(bodies.by_ref()),
            |sql, ((entry, post, published), body)| {
                sql.push("(").bind(*post).push(", ");
                push_described(sql, entry, *published);
                sql.push(", ")
                    .bind(to_secs(entry.updated.unwrap_or(now)))
                    .push(", ");
                push_contents(sql, entry, body);
                sql.push(")");
            },
        );
        update.push(") AS v WHERE posts.id = v.column1");
        update.execute(tx, "updating posts").await?;
    }
    Ok(())
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
