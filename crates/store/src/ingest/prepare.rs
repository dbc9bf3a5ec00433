//! What an ingest can compute before it takes the store's write lock, so that the one
//! writer (SQLite has one; PostgreSQL's ingests of one source queue on its row) spends its
//! turn writing: each new entry's fingerprint ([`crate::merging`] compares them) and its
//! compressed body ([`crate::body`]).
//!
//! The fetch pipeline reads which of a batch's guids its source has already
//! ([`Store::stored_guids`], a read outside any write) and prepares the others on its own
//! parsing threads ([`Store::prepare_posts`]): a post already stored is mostly unchanged,
//! and its fingerprint and body are needed only when it changed, so those are left to the
//! ingest. What is prepared is a pure function of the entry (and of the dictionary the
//! body was made with), so it holds whatever the ingest then decides; an entry without
//! preparation, or prepared with a dictionary that is no longer the current one, is
//! computed inside the transaction as before ([`PreparedPosts::none`]).

use std::collections::HashSet;

use syndic_core::{Fingerprint, SourceId};

use super::{Incoming, IncomingPost};
use crate::body::dictionary::Dictionary;
use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, Store, body, text};

/// A batch's entries prepared for an ingest, by their index in the batch.
#[derive(Debug, Default)]
pub struct PreparedPosts {
    posts: Vec<Option<PreparedPost>>,
    /// The dictionary the bodies were compressed with (`None`: without one).
    dictionary: Option<i64>,
}

#[derive(Debug)]
struct PreparedPost {
    fingerprint: Option<Fingerprint>,
    /// Taken by the ingest that writes it.
    body: Option<Vec<u8>>,
}

impl PreparedPosts {
    /// Nothing prepared: the ingest computes everything itself.
    pub fn none() -> PreparedPosts {
        PreparedPosts::default()
    }

    /// How many entries were prepared.
    pub fn len(&self) -> usize {
        self.posts.iter().flatten().count()
    }

    /// Whether no entry was prepared.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The fingerprint of entry `index`, if it was prepared.
    pub(crate) fn fingerprint(&self, index: usize) -> Option<Option<Fingerprint>> {
        let post = self.posts.get(index)?.as_ref()?;
        Some(post.fingerprint)
    }

    /// The body of entry `index`, if it was prepared with `dictionary` (the one the
    /// ingest compresses with); taken, so it moves into its statement.
    pub(crate) fn take_body(
        &mut self,
        index: usize,
        dictionary: Option<&Dictionary>,
    ) -> Option<Vec<u8>> {
        if self.dictionary != dictionary.map(|d| d.id) {
            return None;
        }
        self.posts.get_mut(index)?.as_mut()?.body.take()
    }
}

/// Prepares every entry of `posts` whose cleaned guid is not in `stored`, its body
/// compressed with `dictionary`.
pub(crate) fn prepare(
    posts: &[IncomingPost],
    stored: &HashSet<String>,
    dictionary: Option<&'static Dictionary>,
) -> PreparedPosts {
    let prepared = posts
        .iter()
        .map(|post| {
            if stored.contains(text::clean(&post.entry.guid).as_ref()) {
                return None;
            }
            let entry = Incoming::new(&post.entry);
            Some(PreparedPost {
                fingerprint: Fingerprint::of(&entry.title, &entry.content_text),
                body: Some(body::encode_with(
                    &entry.content_text,
                    &entry.content_html,
                    dictionary,
                )),
            })
        })
        .collect();
    PreparedPosts {
        posts: prepared,
        dictionary: dictionary.map(|d| d.id),
    }
}

impl Store {
    /// Which of `guids` (as a feed gives them) `source` has a post with already, as the
    /// store keeps them: what [`Store::prepare_posts`] leaves to the ingest. Reads only.
    pub async fn stored_guids<'a>(
        &self,
        source: SourceId,
        guids: impl IntoIterator<Item = &'a str>,
    ) -> Result<HashSet<String>> {
        let guids: Vec<String> = guids
            .into_iter()
            .map(|guid| text::clean(guid).into_owned())
            .collect();
        let mut stored = HashSet::new();
        if guids.is_empty() {
            return Ok(stored);
        }
        let mut conn = self
            .pool
            .acquire()
            .await
            .during("looking up stored guids")?;
        for chunk in guids.chunks(self.engine.rows_per_statement(1)) {
            let found = guids_statement(source, chunk)
                .fetch_all(&mut *conn, "looking up stored guids")
                .await?;
            for row in found {
                use sqlx::Row;
                stored.insert(row.try_get(0).during("looking up stored guids")?);
            }
        }
        Ok(stored)
    }

    /// Computes, for each of `posts` whose guid is not in `stored` (see
    /// [`Store::stored_guids`]), what its ingest would compute while holding the write
    /// lock: its fingerprint and its body compressed with the store's current dictionary.
    /// CPU work without the database: run it off the async threads. Hand the result to
    /// [`crate::Outcomes::ingest_fetch_prepared`] with the same `posts`.
    pub fn prepare_posts(&self, posts: &[IncomingPost], stored: &HashSet<String>) -> PreparedPosts {
        prepare(posts, stored, self.dictionaries.current())
    }
}

fn guids_statement(source: SourceId, guids: &[String]) -> Sql {
    let mut select = Sql::new("SELECT guid FROM posts WHERE source_id = ");
    select.bind(source.0).push(" AND guid IN (");
    select.push_list(guids, |sql, guid| {
        sql.bind(guid.clone());
    });
    select.push(")");
    select
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_taken_once_and_only_when_made_with_the_ingests_dictionary() {
        let post = crate::tests::tagged(crate::tests::entry("a", "Alpha", 2), &[]);
        let mut prepared = prepare(&[post], &HashSet::new(), None);
        assert_eq!(prepared.len(), 1);
        assert!(prepared.fingerprint(0).is_some());
        assert_eq!(prepared.fingerprint(1), None, "no such entry");
        prepared.dictionary = Some(7);
        assert_eq!(
            prepared.take_body(0, None),
            None,
            "made with another dictionary"
        );
        prepared.dictionary = None;
        let body = prepared.take_body(0, None).expect("a body");
        assert_eq!(
            body::decode(&body, 1).expect("decodes"),
            ("Alpha body".to_owned(), "<p>Alpha body</p>".to_owned())
        );
        assert_eq!(prepared.take_body(0, None), None, "taken once");
    }
}
