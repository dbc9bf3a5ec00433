//! Revision history and upstream deletions on both engines: an edit keeps the version it
//! replaced, a trivial edit keeps nothing, `keep_revisions` bounds what is kept; a feed's
//! tombstone takes a post down only for a source that honours deletions.

use syndic_core::{Actor, DeletedEntry, FeedMeta, PostId, PostState, SourceId};

use crate::testing::TestDatabase;
use crate::tests::{at, entry, fresh_store, meta, store_with_source, tagged};
use crate::{SourceSettings, SourceSpec, Store, StoreOptions};

/// Stores `title` with `text` as post "a" of `source` at `day`; its id.
async fn ingest(store: &Store, source: SourceId, title: &str, text: &str, day: u32) -> PostId {
    let mut post = entry("a", title, 2);
    post.content_text = text.to_owned();
    post.content_html = format!("<p>{text}</p>");
    store
        .ingest(source, &meta(), &[tagged(post, &[])], at(day))
        .await
        .expect("ingest");
    store
        .find_post("https://blog.example/a")
        .await
        .expect("find")
        .expect("stored")
}

async fn an_edited_post_keeps_its_earlier_version() {
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    let id = ingest(&store, source, "Kelp", "Kelp grows fast in cold water.", 3).await;
    assert_eq!(store.version_count(id).await.expect("count"), 1);
    ingest(
        &store,
        source,
        "Kelp, revised",
        "Kelp grows very fast in warm water.",
        4,
    )
    .await;
    assert_eq!(store.version_count(id).await.expect("count"), 2);
    let versions = store.post_versions(id).await.expect("versions");
    let shown: Vec<(i64, &str, &str, bool)> = versions
        .iter()
        .map(|v| {
            (
                v.number,
                v.title.as_str(),
                v.content_text.as_str(),
                v.current,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (1, "Kelp", "Kelp grows fast in cold water.", false),
            (
                2,
                "Kelp, revised",
                "Kelp grows very fast in warm water.",
                true
            ),
        ]
    );
    assert_eq!(
        versions[0].content_html,
        "<p>Kelp grows fast in cold water.</p>"
    );
    // The first version was current from its publication; the second from the update.
    assert_eq!(versions[0].at, at(2));
    assert_eq!(versions[1].at, at(4));
    let revised = store.posts_with_revisions(&[id, PostId(id.0 + 100)]).await;
    assert_eq!(
        revised.expect("revised").into_iter().collect::<Vec<_>>(),
        [id]
    );
    assert_eq!(store.count_revised_posts().await.expect("count"), 1);
}

async fn a_trivial_edit_keeps_no_revision() {
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    let id = ingest(&store, source, "Kelp", "Kelp grows fast.", 3).await;
    ingest(&store, source, " Kelp ", "Kelp   grows\nfast.", 4).await;
    assert_eq!(store.version_count(id).await.expect("count"), 1);
    let versions = store.post_versions(id).await.expect("versions");
    assert_eq!(versions.len(), 1);
    // The post itself follows the feed all the same.
    assert_eq!(versions[0].content_text, "Kelp   grows\nfast.");
}

async fn keep_revisions_bounds_the_versions_kept_oldest_first() {
    let db = TestDatabase::new(crate::tests::engine(), "keep revisions").expect("engine");
    let options = StoreOptions {
        keep_revisions: Some(2),
        ..StoreOptions::default()
    };
    let store = Store::open_with(db.url(), &options).await.expect("open");
    let spec = SourceSpec {
        url: "https://blog.example/feed.xml".into(),
        name: None,
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    let mut id = PostId(0);
    for day in 3..=7 {
        id = ingest(
            &store,
            source,
            "Kelp",
            &format!("Edition of day {day}."),
            day,
        )
        .await;
    }
    let numbers: Vec<i64> = store
        .post_versions(id)
        .await
        .expect("versions")
        .iter()
        .map(|v| v.number)
        .collect();
    // Five versions: the two newest earlier ones kept beside the current one.
    assert_eq!(numbers, [3, 4, 5]);
    assert_eq!(store.version_count(id).await.expect("count"), 3);
}

async fn a_frozen_source_keeps_no_revision() {
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    let freeze = SourceSettings {
        updates: crate::UpdatePolicy::Freeze,
        ..SourceSettings::default()
    };
    store
        .sync_source_settings(source, &freeze)
        .await
        .expect("sync");
    let id = ingest(&store, source, "Kelp", "Kelp grows fast.", 3).await;
    ingest(&store, source, "Kelp", "Kelp grows slowly.", 4).await;
    assert_eq!(store.version_count(id).await.expect("count"), 1);
}

/// A feed that lists post "a" as deleted.
fn deleting_a() -> FeedMeta {
    FeedMeta {
        deleted: vec![DeletedEntry {
            id: "a".into(),
            when: Some(at(5)),
        }],
        ..meta()
    }
}

async fn a_tombstone_from_a_source_without_honor_deletions_changes_nothing() {
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    let id = ingest(&store, source, "Kelp", "Kelp grows fast.", 3).await;
    let stats = store
        .ingest(source, &deleting_a(), &[], at(5))
        .await
        .expect("ingest");
    assert_eq!(stats.deleted, 0);
    let standing = store
        .post_standing(id)
        .await
        .expect("standing")
        .expect("post");
    assert_eq!(standing.state, PostState::Published);
    assert!(store.audit_log(None, 10).await.expect("audit").is_empty());
}

async fn a_tombstone_from_a_source_honoring_deletions_takes_the_post_down() {
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    let honor = SourceSettings {
        honor_deletions: true,
        ..SourceSettings::default()
    };
    store
        .sync_source_settings(source, &honor)
        .await
        .expect("sync");
    let id = ingest(&store, source, "Kelp", "Kelp grows fast.", 3).await;
    let kept = ingest_other(&store, source).await;
    // Missing from the feed is not deleted: only the tombstone's id goes.
    let stats = store
        .ingest(source, &deleting_a(), &[], at(5))
        .await
        .expect("ingest");
    assert_eq!(stats.deleted, 1);
    let standing = store
        .post_standing(id)
        .await
        .expect("standing")
        .expect("post");
    assert_eq!(standing.state, PostState::Removed);
    assert_eq!(standing.detail, "deleted upstream");
    let kept = store
        .post_standing(kept)
        .await
        .expect("standing")
        .expect("post");
    assert_eq!(kept.state, PostState::Published);
    let audit = store.audit_log(None, 10).await.expect("audit");
    let rows: Vec<(Actor, &str, String, &str)> = audit
        .iter()
        .map(|e| {
            (
                e.actor,
                e.action.as_str(),
                e.target.clone(),
                e.reason.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [(
            Actor::Cli,
            "remove",
            format!("post {id}"),
            "deleted upstream"
        )]
    );
    // The tombstone keeps it down when the feed carries the entry again; a second
    // tombstone finds nothing left to take down.
    let again = store
        .ingest(
            source,
            &deleting_a(),
            &[tagged(entry("a", "Kelp", 2), &[])],
            at(6),
        )
        .await
        .expect("ingest");
    assert_eq!((again.deleted, again.buried), (0, 1));
}

async fn ingest_other(store: &Store, source: SourceId) -> PostId {
    store
        .ingest(
            source,
            &meta(),
            &[tagged(entry("b", "Other", 2), &[])],
            at(4),
        )
        .await
        .expect("ingest");
    store
        .find_post("https://blog.example/b")
        .await
        .expect("find")
        .expect("stored")
}

async fn a_tombstone_names_only_its_own_sources_posts() {
    let (store, _db) = fresh_store().await;
    let spec = |url: &str| SourceSpec {
        url: url.into(),
        name: None,
    };
    let one = store
        .upsert_source(&spec("https://one.example/feed"), at(1))
        .await;
    let two = store
        .upsert_source(&spec("https://two.example/feed"), at(1))
        .await;
    let (one, two) = (one.expect("source"), two.expect("source"));
    let honor = SourceSettings {
        honor_deletions: true,
        ..SourceSettings::default()
    };
    store.sync_source_settings(two, &honor).await.expect("sync");
    let id = ingest(&store, one, "Kelp", "Kelp grows fast.", 3).await;
    let stats = store
        .ingest(two, &deleting_a(), &[], at(5))
        .await
        .expect("ingest");
    assert_eq!(stats.deleted, 0);
    let standing = store
        .post_standing(id)
        .await
        .expect("standing")
        .expect("post");
    assert_eq!(standing.state, PostState::Published);
}

crate::tests::on_both_engines!(
    an_edited_post_keeps_its_earlier_version,
    a_trivial_edit_keeps_no_revision,
    keep_revisions_bounds_the_versions_kept_oldest_first,
    a_frozen_source_keeps_no_revision,
    a_tombstone_from_a_source_without_honor_deletions_changes_nothing,
    a_tombstone_from_a_source_honoring_deletions_takes_the_post_down,
    a_tombstone_names_only_its_own_sources_posts,
);
