use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use syndic_core::FeedEntry;

use super::*;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0)
        .single()
        .expect("valid date")
}

fn entry(guid: &str, title: &str, link: &str) -> FeedEntry {
    FeedEntry {
        guid: guid.into(),
        title: title.into(),
        link: Some(link.into()),
        author: None,
        published: Some(at(2)),
        updated: None,
        content_html: format!("<p>{title}</p>"),
        content_text: title.into(),
        categories: vec!["notes".into()],
        language: None,
        origin: None,
        enclosures: Vec::new(),
        original_links: Vec::new(),
    }
}

fn stored(id: i64, entry: &FeedEntry) -> StoredPost {
    let incoming = Incoming::new(entry);
    StoredPost {
        id,
        guid: entry.guid.clone(),
        title: entry.title.clone(),
        link: entry.link.clone(),
        author: entry.author.clone(),
        published_at: to_secs(first_publication(&incoming, at(10))),
        updated_at: None,
        content_html: entry.content_html.clone(),
        content_text: entry.content_text.clone(),
        categories: incoming.categories.clone(),
        language: entry.language.clone(),
    }
}

fn plan(entries: &[FeedEntry], by_guid: &[StoredPost], by_link: &[StoredPost]) -> Vec<Action> {
    let incoming: Vec<Incoming<'_>> = entries.iter().map(Incoming::new).collect();
    plan_posts(&incoming, by_guid, by_link, at(10))
}

#[test]
fn an_entry_is_the_stored_post_with_its_guid_unchanged_or_updated() {
    let a = entry("a", "First", "https://b.example/a");
    let mut b = entry("b", "Second", "https://b.example/b");
    let stored_b = stored(2, &b);
    b.content_html = "<p>revised</p>".into();
    let c = entry("c", "Third", "https://b.example/c");
    let actions = plan(&[a.clone(), b, c], &[stored(1, &a), stored_b], &[]);
    let published = to_secs(at(2));
    assert_eq!(
        actions,
        [
            Action::Unchanged { post: 1 },
            Action::Update {
                post: 2,
                published,
                reindex: false,
                revise: false
            },
            Action::Insert { published },
        ]
    );
}

#[test]
fn a_new_guid_with_the_link_and_title_of_exactly_one_stored_post_is_that_post() {
    let old = entry("urn:poll-1", "Steady", "https://b.example/steady");
    let again = entry("urn:poll-2", "Steady", "https://b.example/steady");
    // The same content: the post stands as stored, old guid included (a guid that
    // changes on every request is no change).
    let actions = plan(std::slice::from_ref(&again), &[], &[stored(7, &old)]);
    assert_eq!(actions, [Action::Unchanged { post: 7 }]);
    let mut revised = again.clone();
    revised.title = "Steady".into();
    revised.content_html = "<p>more</p>".into();
    let actions = plan(&[revised], &[], &[stored(7, &old)]);
    assert_eq!(
        actions,
        [Action::Update {
            post: 7,
            published: to_secs(at(2)),
            reindex: false,
            revise: false
        }]
    );
}

#[test]
fn link_and_title_match_nothing_when_ambiguous_taken_or_claimed() {
    let home = "https://b.example/";
    let one = stored(1, &entry("g1", "Monday", home));
    let two = stored(2, &entry("g2", "Monday", home));
    // Two stored posts share link and title: neither is the new entry.
    let new = entry("g3", "Monday", home);
    assert!(matches!(
        plan(std::slice::from_ref(&new), &[], &[one.clone(), two])[0],
        Action::Insert { .. }
    ));
    // The one candidate's guid is still in this fetch: it is that entry, not this one.
    let same_guid = entry("g1", "Monday", home);
    let actions = plan(
        &[new.clone(), same_guid],
        std::slice::from_ref(&one),
        std::slice::from_ref(&one),
    );
    assert!(matches!(actions[0], Action::Insert { .. }), "{actions:?}");
    assert_eq!(actions[1], Action::Unchanged { post: 1 });
    // Two new guids, one old post: only the first takes it.
    let other = entry("g4", "Monday", home);
    let actions = plan(&[new, other], &[], &[one]);
    assert_eq!(actions[0], Action::Unchanged { post: 1 }, "{actions:?}");
    assert!(matches!(actions[1], Action::Insert { .. }), "{actions:?}");
}

#[test]
fn a_repeated_guid_in_one_batch_is_the_first_entrys_post() {
    let a = entry("a", "First", "https://b.example/a");
    let actions = plan(&[a.clone(), a], &[], &[]);
    assert!(matches!(actions[0], Action::Insert { .. }));
    assert_eq!(actions[1], Action::Repeat { first: 0 });
}

#[test]
fn publication_times_are_clamped_to_a_day_ahead_and_kept_when_a_feed_drops_them() {
    let mut future = entry("f", "Future", "https://b.example/f");
    future.published = Some(at(2) + TimeDelta::days(3650));
    let incoming = Incoming::new(&future);
    assert_eq!(first_publication(&incoming, at(10)), at(11));
    let stored_at = to_secs(at(11));
    assert_eq!(later_publication(&incoming, stored_at, at(12)), stored_at);
    let mut undated = future.clone();
    undated.published = None;
    assert_eq!(later_publication(&Incoming::new(&undated), 42, at(12)), 42);
    assert_eq!(first_publication(&Incoming::new(&undated), at(12)), at(12));
    undated.updated = Some(at(5));
    assert_eq!(
        later_publication(&Incoming::new(&undated), 42, at(12)),
        to_secs(at(5))
    );
}

#[test]
fn entries_lose_nul_characters_before_anything_compares_them() {
    let mut dirty = entry("a\0", "Ti\0tle", "https://b.example/\0a");
    dirty.categories = vec!["no\0tes".into()];
    dirty.author = Some("\0Ada".into());
    let incoming = Incoming::new(&dirty);
    assert_eq!(
        (incoming.guid.as_ref(), incoming.title.as_ref()),
        ("a", "Title")
    );
    assert_eq!(incoming.link.as_deref(), Some("https://b.example/a"));
    assert_eq!(incoming.author.as_deref(), Some("Ada"));
    assert_eq!(incoming.categories, r#"["notes"]"#);
}

#[test]
fn only_a_changed_title_or_text_asks_for_the_search_index_again() {
    let a = entry("a", "First", "https://b.example/a");
    let stored_a = stored(1, &a);
    let reindex =
        |changed: FeedEntry| match plan(&[changed], std::slice::from_ref(&stored_a), &[])[0] {
            Action::Update { reindex, .. } => reindex,
            other => panic!("expected an update, got {other:?}"),
        };
    let mut html = a.clone();
    html.content_html = "<p><b>First</b></p>".into();
    let mut categories = a.clone();
    categories.categories = vec!["other".into()];
    let mut text = a.clone();
    text.content_html = "<p>First, revised</p>".into();
    text.content_text = "First, revised".into();
    let mut title = a.clone();
    title.title = "Premier".into();
    assert!(!reindex(html));
    assert!(!reindex(categories));
    assert!(reindex(text));
    assert!(reindex(title));
}

#[test]
fn a_frozen_plan_turns_every_update_into_keeping_the_post() {
    let first = entry("a", "First", "https://b.example/a");
    let mut edited = first.clone();
    edited.title = "Edited".into();
    let new = entry("b", "New", "https://b.example/b");
    let actions = plan(&[edited, new], &[stored(7, &first)], &[]);
    assert!(matches!(actions[0], Action::Update { post: 7, .. }));
    let frozen = super::freeze(actions);
    assert!(matches!(frozen[0], Action::Frozen { post: 7 }));
    assert!(matches!(frozen[1], Action::Insert { .. }));
}

#[test]
fn only_an_edit_of_the_words_or_link_targets_keeps_a_revision() {
    let a = entry("a", "First", "https://b.example/a");
    let stored_a = stored(1, &a);
    let revise =
        |changed: FeedEntry| match plan(&[changed], std::slice::from_ref(&stored_a), &[])[0] {
            Action::Update { revise, .. } => revise,
            other => panic!("expected an update, got {other:?}"),
        };
    let mut spaced = a.clone();
    spaced.content_html = "<p>\n  First </p>".into();
    spaced.content_text = " First\n".into();
    let mut categories = a.clone();
    categories.categories = vec!["other".into()];
    let mut text = a.clone();
    text.content_html = "<p>First, revised</p>".into();
    text.content_text = "First, revised".into();
    let mut title = a.clone();
    title.title = "Premier".into();
    assert!(!revise(spaced));
    assert!(!revise(categories));
    assert!(revise(text));
    assert!(revise(title));
}
