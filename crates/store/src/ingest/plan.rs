//! The decisions of an ingest, without a database: which stored post each incoming entry
//! is, whether it changed, and when it counts as published.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use syndic_core::FeedEntry;

use crate::revisions::edit::{self, Version};
use crate::tombstones::Tombstones;
use crate::{text, to_secs};
use syndic_core::article::link_key;

/// How far ahead of now a publication date may be: later ones are clamped to it, so that
/// a post dated years ahead cannot pin itself to the top of every archive.
pub(crate) const MAX_FUTURE: TimeDelta = TimeDelta::days(1);

/// An entry as it will be stored: text without what an engine refuses, categories as the
/// JSON list the `categories` column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Incoming<'a> {
    pub(crate) guid: Cow<'a, str>,
    pub(crate) title: Cow<'a, str>,
    pub(crate) link: Option<Cow<'a, str>>,
    pub(crate) author: Option<Cow<'a, str>>,
    pub(crate) content_html: Cow<'a, str>,
    pub(crate) content_text: Cow<'a, str>,
    pub(crate) categories: String,
    pub(crate) language: Option<Cow<'a, str>>,
    pub(crate) published: Option<DateTime<Utc>>,
    pub(crate) updated: Option<DateTime<Utc>>,
    /// Its origLink and via links (merging compares them).
    pub(crate) original_links: &'a [String],
    /// The feed address its `<source>` names (an aggregator's item), as written.
    pub(crate) origin_feed: Option<&'a str>,
}

impl<'a> Incoming<'a> {
    pub(crate) fn new(entry: &'a FeedEntry) -> Incoming<'a> {
        let categories: Vec<Cow<'_, str>> =
            entry.categories.iter().map(|c| text::clean(c)).collect();
        Incoming {
            guid: text::clean(&entry.guid),
            title: text::clean(&entry.title),
            link: text::clean_opt(entry.link.as_deref()),
            author: text::clean_opt(entry.author.as_deref()),
            content_html: text::clean(&entry.content_html),
            content_text: text::clean(&entry.content_text),
            categories: serde_json::to_string(&categories).unwrap_or_else(|_| "[]".into()),
            language: text::clean_opt(entry.language.as_deref()),
            published: entry.published,
            updated: entry.updated,
            original_links: &entry.original_links,
            origin_feed: entry.origin.as_ref().and_then(|o| o.feed.as_deref()),
        }
    }
}

/// What the store holds of a post an entry may be: the columns an ingest compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredPost {
    pub(crate) id: i64,
    pub(crate) guid: String,
    pub(crate) title: String,
    pub(crate) link: Option<String>,
    pub(crate) author: Option<String>,
    pub(crate) published_at: i64,
    /// When it last changed (`None`: never since it was stored).
    pub(crate) updated_at: Option<i64>,
    pub(crate) content_html: String,
    pub(crate) content_text: String,
    pub(crate) categories: String,
    pub(crate) language: Option<String>,
}

/// What to do with one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// A post not stored yet, published at this time (seconds).
    Insert { published: i64 },
    /// Stored post `post` changed; `published` is its publication time from now on;
    /// `reindex` when its title or text changed (what search indexes); `revise` when the
    /// change is more than a trivial edit ([`edit::is_revision`]), so the stored version
    /// is kept as a revision.
    Update {
        post: i64,
        published: i64,
        reindex: bool,
        revise: bool,
    },
    /// Stored post `post`, as stored.
    Unchanged { post: i64 },
    /// Repeats the guid of entry `first` of the same batch: that entry's post, not stored
    /// again (a parser tells repeated ids apart, so this is rare).
    Repeat { first: usize },
    /// A taken-down post the feed still carries, or a new entry linking to one: neither
    /// stored nor updated ([`bury`]).
    Buried,
    /// Stored post `post` changed in the feed, but its source freezes its posts: left as
    /// stored, tags included (they were decided on the text it keeps).
    Frozen { post: i64 },
    /// This source's copy of post `post`, which another source's copy was stored as: only
    /// the copy's own row is refreshed ([`crate::merging`]).
    Copy { post: i64 },
    /// The same article as post `post` of another source, for `why`: recorded as one more
    /// copy of it; `credit` when this source's priority moves the post's credit to it.
    Merge {
        post: i64,
        why: syndic_core::MergeReason,
        credit: bool,
    },
}

/// Which stored post each entry is: the one with its guid; else a post some feeds left
/// under an old guid (they make up a new one on every request while the item's link and
/// title stay): the same link *and* title, exactly one such post, and its old guid absent
/// from this batch, so that items which merely share a link (a home page) stay apart, and
/// no stored post claimed twice. `by_guid` holds the source's posts with the batch's guids,
/// `by_link` those sharing a link and a title with its other entries.
pub(crate) fn plan_posts(
    entries: &[Incoming<'_>],
    by_guid: &[StoredPost],
    by_link: &[StoredPost],
    now: DateTime<Utc>,
) -> Vec<Action> {
    let guids: HashMap<&str, &StoredPost> = by_guid.iter().map(|p| (p.guid.as_str(), p)).collect();
    let batch_guids: HashSet<&str> = entries.iter().map(|e| e.guid.as_ref()).collect();
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    let mut claimed: HashSet<i64> = guids.values().map(|p| p.id).collect();
    let mut actions = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        if let Some(&first) = first_of.get(entry.guid.as_ref()) {
            actions.push(Action::Repeat { first });
            continue;
        }
        first_of.insert(entry.guid.as_ref(), index);
        let stored = match guids.get(entry.guid.as_ref()) {
            Some(post) => Some(*post),
            None => same_post_new_guid(entry, by_link, &batch_guids, &claimed),
        };
        let action = match stored {
            None => Action::Insert {
                published: to_secs(first_publication(entry, now)),
            },
            Some(post) => {
                claimed.insert(post.id);
                compare(entry, post, now)
            }
        };
        actions.push(action);
    }
    actions
}

/// The plan with merging's decisions ([`crate::merging::plan::decide`]) in place of the
/// inserts they concern (`merges` in the order of the actions that are inserts).
pub(crate) fn merge(
    mut actions: Vec<Action>,
    merges: impl IntoIterator<Item = crate::merging::plan::Merge>,
) -> Vec<Action> {
    use crate::merging::plan::Merge;
    let inserts = actions
        .iter_mut()
        .filter(|action| matches!(action, Action::Insert { .. }));
    for (action, merge) in inserts.zip(merges) {
        match merge {
            Merge::Insert => {}
            Merge::Copy { post } => *action = Action::Copy { post },
            Merge::Into { post, why, credit } => *action = Action::Merge { post, why, credit },
        }
    }
    actions
}

/// The plan for a source with `updates = "freeze"`: a post never changes after it was
/// first stored, so every update becomes [`Action::Frozen`]; new posts are still added.
pub(crate) fn freeze(actions: Vec<Action>) -> Vec<Action> {
    actions
        .into_iter()
        .map(|action| match action {
            Action::Update { post, .. } => Action::Frozen { post },
            other => other,
        })
        .collect()
}

fn same_post_new_guid<'p>(
    entry: &Incoming<'_>,
    by_link: &'p [StoredPost],
    batch_guids: &HashSet<&str>,
    claimed: &HashSet<i64>,
) -> Option<&'p StoredPost> {
    let link = entry.link.as_deref()?;
    let mut same = by_link
        .iter()
        .filter(|p| p.link.as_deref() == Some(link) && p.title == entry.title);
    let post = same.next()?;
    let only = same.next().is_none();
    (only && !batch_guids.contains(post.guid.as_str()) && !claimed.contains(&post.id))
        .then_some(post)
}

/// The stored versions the updates of `actions` replace with more than a trivial edit
/// (`revise`), to be kept as revisions; `by_guid` and `by_link` are what the plan read.
pub(crate) fn replaced<'p>(
    actions: &[Action],
    by_guid: &'p [StoredPost],
    by_link: &'p [StoredPost],
) -> Vec<&'p StoredPost> {
    let stored: HashMap<i64, &StoredPost> = by_guid
        .iter()
        .chain(by_link)
        .map(|post| (post.id, post))
        .collect();
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Update {
                post, revise: true, ..
            } => stored.get(post).copied(),
            _ => None,
        })
        .collect()
}

/// A new post's publication time: its date (published, else updated, else now), at most
/// [`MAX_FUTURE`] ahead of now.
pub(crate) fn first_publication(entry: &Incoming<'_>, now: DateTime<Utc>) -> DateTime<Utc> {
    entry
        .published
        .or(entry.updated)
        .unwrap_or(now)
        .min(now + MAX_FUTURE)
}

/// A stored post's publication time after a new fetch: a feed that stops giving a date,
/// or still gives one too far ahead (clamped when first seen), does not move the post.
pub(crate) fn later_publication(entry: &Incoming<'_>, stored: i64, now: DateTime<Utc>) -> i64 {
    match entry.published.or(entry.updated) {
        Some(date) if date <= now + MAX_FUTURE => to_secs(date),
        _ => stored,
    }
}

fn compare(entry: &Incoming<'_>, post: &StoredPost, now: DateTime<Utc>) -> Action {
    let published = later_publication(entry, post.published_at, now);
    let unchanged = post.title == entry.title
        && post.link.as_deref() == entry.link.as_deref()
        && post.author.as_deref() == entry.author.as_deref()
        && published == post.published_at
        && post.content_html == entry.content_html
        && post.categories == entry.categories
        && post.language.as_deref() == entry.language.as_deref();
    if unchanged {
        Action::Unchanged { post: post.id }
    } else {
        let old = Version {
            title: &post.title,
            text: &post.content_text,
            html: &post.content_html,
        };
        let new = Version {
            title: &entry.title,
            text: &entry.content_text,
            html: &entry.content_html,
        };
        Action::Update {
            post: post.id,
            published,
            reindex: post.title != entry.title || post.content_text != entry.content_text,
            revise: edit::is_revision(old, new),
        }
    }
}

/// Keeps taken-down posts down: an entry whose guid its source buried is neither stored
/// nor updated, and a new entry whose link any source buried is not stored. A stored post
/// that merely shares a buried link keeps being updated.
pub(crate) fn bury(
    entries: &[Incoming<'_>],
    mut actions: Vec<Action>,
    tombstones: &Tombstones,
) -> Vec<Action> {
    for (entry, action) in entries.iter().zip(actions.iter_mut()) {
        let buried_guid = tombstones.guids.contains(entry.guid.as_ref());
        let buried_link = matches!(action, Action::Insert { .. })
            && entry
                .link
                .as_deref()
                .and_then(link_key)
                .is_some_and(|key| tombstones.links.contains(&key));
        if buried_guid || buried_link {
            *action = Action::Buried;
        }
    }
    actions
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
