//! Which stored post of another source each new entry is: the pure decision of a merge,
//! no database. The store reads the candidates an ingest's batch could meet (the posts
//! with one of its links, and those sharing a fingerprint band within the window), this
//! decides, and the store writes, all in the ingest's transaction.
//!
//! The rules, in order, for an entry the ingest plan would insert:
//! 1. its guid is a copy this source already gave another post: that post (the copy's
//!    row is refreshed, nothing else: a secondary source never rewrites the post);
//! 2. the post of the source its `<source>` names (by that source's feed address, as
//!    configured, or the same with the other of http and https) stored under the entry's
//!    own guid: aggregators keep the original's guid;
//! 3. a post with one of its links ([`syndic_core::article::link_key`] of its item link,
//!    origLink or via links, against the same of every stored copy): the same link when
//!    both are item links, else the original link;
//! 4. a post whose copy's fingerprint is at most [`MAX_MERGE_DISTANCE`] bits from the
//!    entry's, dated at most [`MERGE_WINDOW_DAYS`] apart: the nearest;
//!
//! each time only a post that no copy of this source is part of yet (so a source's own
//! entries never merge with each other), that `syndic post split` did not part from this
//! source, and that no earlier entry of the batch took. The merged post moves its credit
//! to this source when the source's priority is higher than its credited source's.

use std::collections::{HashMap, HashSet};

use syndic_core::article::{MAX_MERGE_DISTANCE, MERGE_WINDOW_DAYS};
use syndic_core::{Fingerprint, MergeReason};

/// What an entry brings to the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryKeys {
    /// Its guid.
    pub(crate) guid: String,
    /// `link_hash` of its item link's key, then of its origLink and via links' (`true`).
    pub(crate) links: Vec<(i64, bool)>,
    pub(crate) fingerprint: Option<Fingerprint>,
    /// Its publication time (seconds).
    pub(crate) published: i64,
    /// The feed address its `<source>` names, as written.
    pub(crate) origin: Option<String>,
}

/// A stored copy with one of the batch's links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LinkRow {
    pub(crate) link_hash: i64,
    pub(crate) post: i64,
    /// Whether the copy's link is an origLink or via link.
    pub(crate) original: bool,
}

/// A stored copy sharing a fingerprint band with the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BandRow {
    pub(crate) post: i64,
    pub(crate) fingerprint: Fingerprint,
    pub(crate) published: i64,
}

/// What the store knows of a candidate post.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct CandidatePost {
    /// The priority of the source it is credited to.
    pub(crate) priority: i64,
    /// Whether a copy of the ingesting source is already part of it.
    pub(crate) has_copy: bool,
    /// Whether `syndic post split` parted the ingesting source from it.
    pub(crate) vetoed: bool,
}

/// Everything the store read for one batch.
#[derive(Debug, Clone, Default)]
pub(crate) struct Candidates {
    /// The ingesting source's copies merged into other posts, by guid.
    pub(crate) copies: HashMap<String, i64>,
    pub(crate) links: Vec<LinkRow>,
    pub(crate) bands: Vec<BandRow>,
    pub(crate) posts: HashMap<i64, CandidatePost>,
    /// Posts of the sources the batch's `<source>` elements name: (the feed address as
    /// the entry wrote it, the copy's guid) → post.
    pub(crate) origins: HashMap<(String, String), i64>,
}

/// The decision for one entry the ingest plan would insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merge {
    /// A new post.
    Insert,
    /// A copy this source already gave post `post`: refresh its row.
    Copy { post: i64 },
    /// Merge into `post` for `why`; `credit` when this source's priority is higher than
    /// the post's credited source's, so the post is credited to it from now on.
    Into {
        post: i64,
        why: MergeReason,
        credit: bool,
    },
}

/// The decision for each of `entries` (those the ingest plan would insert), for a source
/// of priority `priority`.
pub(crate) fn decide(entries: &[&EntryKeys], found: &Candidates, priority: i64) -> Vec<Merge> {
    let mut taken: HashSet<i64> = HashSet::new();
    entries
        .iter()
        .map(|entry| {
            if let Some(&post) = found.copies.get(&entry.guid) {
                return Merge::Copy { post };
            }
            let open = |post: i64| {
                !taken.contains(&post)
                    && found
                        .posts
                        .get(&post)
                        .is_some_and(|p| !p.has_copy && !p.vetoed)
            };
            let Some((post, why)) = by_origin(entry, found, &open)
                .or_else(|| by_link(entry, found, &open))
                .or_else(|| by_words(entry, found, &open))
            else {
                return Merge::Insert;
            };
            taken.insert(post);
            let credited = found.posts.get(&post).map_or(0, |p| p.priority);
            Merge::Into {
                post,
                why,
                credit: priority > credited,
            }
        })
        .collect()
}

/// The open post whose source the entry's `<source>` names, stored under the entry's guid.
fn by_origin(
    entry: &EntryKeys,
    found: &Candidates,
    open: &impl Fn(i64) -> bool,
) -> Option<(i64, MergeReason)> {
    let origin = entry.origin.clone()?;
    let post = *found.origins.get(&(origin, entry.guid.clone()))?;
    open(post).then_some((post, MergeReason::Origin))
}

/// The oldest open post with one of the entry's links: [`MergeReason::Link`] when an item
/// link meets an item link, else [`MergeReason::OriginalLink`].
fn by_link(
    entry: &EntryKeys,
    found: &Candidates,
    open: &impl Fn(i64) -> bool,
) -> Option<(i64, MergeReason)> {
    let mut best: Option<(bool, i64)> = None;
    for row in found.links.iter().filter(|row| open(row.post)) {
        for &(hash, original) in &entry.links {
            if hash != row.link_hash {
                continue;
            }
            let indirect = original || row.original;
            // Prefer an item link's match, then the oldest post.
            if best.is_none_or(|b| (indirect, row.post) < b) {
                best = Some((indirect, row.post));
            }
        }
    }
    best.map(|(indirect, post)| {
        let why = if indirect {
            MergeReason::OriginalLink
        } else {
            MergeReason::Link
        };
        (post, why)
    })
}

/// The open post whose copy is nearest the entry's fingerprint, within
/// [`MAX_MERGE_DISTANCE`] and [`MERGE_WINDOW_DAYS`]; ties go to the oldest post.
fn by_words(
    entry: &EntryKeys,
    found: &Candidates,
    open: &impl Fn(i64) -> bool,
) -> Option<(i64, MergeReason)> {
    let fingerprint = entry.fingerprint?;
    let window = MERGE_WINDOW_DAYS * 24 * 3600;
    found
        .bands
        .iter()
        .filter(|row| (row.published - entry.published).abs() <= window && open(row.post))
        .map(|row| (fingerprint.distance(row.fingerprint), row.post))
        .filter(|(distance, _)| *distance <= MAX_MERGE_DISTANCE)
        .min()
        .map(|(distance, post)| (post, MergeReason::Fingerprint { distance }))
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
