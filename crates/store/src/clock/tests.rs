use chrono::{DateTime, Utc};
use syndic_core::{Page, PostId, SourceId, TagAssignment, TagOrigin};

use crate::tests::{at, entry, meta, store_with_source, tagged};
use crate::{PostFilter, SearchQuery, SourceSpec, Store};

/// A time well before any write of a test, so that every bump is visible.
const PAST: i64 = 1_000_000;

async fn set_clock(store: &Store, secs: i64) {
    sqlx::query("UPDATE site_state SET changed_at = $1")
        .bind(secs)
        .execute(&store.pool)
        .await
        .expect("set the clock");
}

async fn clock(store: &Store) -> i64 {
    store.last_change().await.expect("last change").timestamp()
}

/// Runs `write` with the clock set to [`PAST`] and returns whether it moved the clock to
/// the time of the write.
async fn moves_the_clock<F: Future<Output = ()>>(store: &Store, write: F) -> bool {
    set_clock(store, PAST).await;
    let before = Utc::now().timestamp();
    write.await;
    let after = Utc::now().timestamp();
    let now = clock(store).await;
    assert!(now == PAST || (before..=after).contains(&now), "{now}");
    now != PAST
}

fn retagged(post: PostId, tag: &str) -> (PostId, Vec<TagAssignment>) {
    let tags = vec![TagAssignment {
        tag: tag.into(),
        origin: TagOrigin::Term,
        detail: String::new(),
    }];
    (post, tags)
}

async fn an_empty_store_was_last_changed_at_the_epoch() {
    let (store, _db) = crate::tests::fresh_store().await;
    assert_eq!(
        store.last_change().await.expect("clock"),
        DateTime::UNIX_EPOCH
    );
}

async fn every_kind_of_write_moves_the_change_clock() {
    let (store, source, _dir) = store_with_source(Some("Blog")).await;
    assert!(clock(&store).await > PAST, "adding a source");

    let other = SourceSpec {
        url: "https://other.example/feed.xml".into(),
        name: None,
    };
    let added = async {
        store.upsert_source(&other, at(1)).await.expect("add");
    };
    assert!(moves_the_clock(&store, added).await, "adding a source");
    let renamed = SourceSpec {
        name: Some("Other".into()),
        ..other.clone()
    };
    let rename = async {
        store.upsert_source(&renamed, at(1)).await.expect("rename");
    };
    assert!(moves_the_clock(&store, rename).await, "renaming a source");

    // An ingest stamped long ago still lands at the time it commits.
    let ingest = async {
        let posts = [tagged(entry("a", "First", 2), &["map"])];
        store
            .ingest(source, &meta(), &posts, at(2))
            .await
            .expect("ingest");
    };
    assert!(
        moves_the_clock(&store, ingest).await,
        "ingesting a new post"
    );
    let refetch = async {
        let posts = [tagged(entry("a", "First", 2), &["map"])];
        store
            .ingest(source, &meta(), &posts, at(3))
            .await
            .expect("ingest");
    };
    assert!(moves_the_clock(&store, refetch).await, "a new last success");

    let post = PostId(1);
    let retag = async {
        store
            .apply_tags(&[retagged(post, "rust")], at(4))
            .await
            .expect("retag");
    };
    assert!(moves_the_clock(&store, retag).await, "retagging");

    let sync = async {
        store
            .sync_tags(&["travel".into()], at(5))
            .await
            .expect("sync");
    };
    assert!(moves_the_clock(&store, sync).await, "creating a tag");

    let failure = async {
        store
            .record_fetch_failure(source, "timed out", at(6))
            .await
            .expect("failure");
    };
    assert!(moves_the_clock(&store, failure).await, "a failed fetch");
}

async fn writes_that_change_no_page_leave_the_clock_alone() {
    let (store, source, _dir) = store_with_source(Some("Blog")).await;
    let posts = [tagged(entry("a", "First", 2), &["map"])];
    store
        .ingest(source, &meta(), &posts, at(2))
        .await
        .expect("ingest");

    let same_name = async {
        let spec = SourceSpec {
            url: "https://blog.example/feed.xml".into(),
            name: Some("Blog".into()),
        };
        store.upsert_source(&spec, at(3)).await.expect("upsert");
    };
    assert!(!moves_the_clock(&store, same_name).await, "same name");
    let known_tag = async {
        store.sync_tags(&["Map".into()], at(3)).await.expect("sync");
    };
    assert!(!moves_the_clock(&store, known_tag).await, "known tag");
    let same_tags = async {
        let stats = store
            .apply_tags(&[retagged(PostId(1), "map")], at(3))
            .await
            .expect("retag");
        assert_eq!((stats.added, stats.removed), (0, 0));
    };
    assert!(!moves_the_clock(&store, same_tags).await, "same tags");
    let nobody = async {
        store
            .record_fetch_failure(SourceId(99), "gone", at(3))
            .await
            .expect("failure");
    };
    assert!(!moves_the_clock(&store, nobody).await, "unknown source");
}

async fn reads_do_not_move_the_clock() {
    let (store, source, _dir) = store_with_source(Some("Blog")).await;
    let posts = [
        tagged(entry("a", "First", 2), &["map"]),
        tagged(entry("b", "Second", 3), &[]),
    ];
    store
        .ingest(source, &meta(), &posts, at(4))
        .await
        .expect("ingest");
    set_clock(&store, PAST).await;

    let page = Page::new(1, 10).expect("page");
    store.posts(PostFilter::All, page).await.expect("posts");
    store.count_posts(PostFilter::All).await.expect("count");
    store.post(PostId(1)).await.expect("post");
    store.neighbours(PostId(1)).await.expect("neighbours");
    store.tags().await.expect("tags");
    store.tag_by_slug("map").await.expect("tag");
    store.tag_by_name("Map").await.expect("tag");
    store.sources().await.expect("sources");
    store.source_by_slug("blog").await.expect("source");
    store.posts_for_tagging(PostId(0), 10).await.expect("batch");
    let query = SearchQuery {
        text: "first".into(),
        ..SearchQuery::default()
    };
    store.search(&query, page).await.expect("search");
    store.last_change().await.expect("clock");

    assert_eq!(clock(&store).await, PAST);
}

async fn the_clock_never_goes_backwards() {
    let (store, source, _dir) = store_with_source(Some("Blog")).await;
    let ahead = Utc::now().timestamp() + 3600;
    set_clock(&store, ahead).await;
    let posts = [tagged(entry("a", "First", 2), &["map"])];
    store
        .ingest(source, &meta(), &posts, at(2))
        .await
        .expect("ingest");
    store
        .record_fetch_failure(source, "timed out", at(3))
        .await
        .expect("failure");
    assert_eq!(clock(&store).await, ahead);

    set_clock(&store, PAST).await;
    let mut last = PAST;
    for day in 4..8 {
        store
            .record_fetch_failure(source, "timed out", at(day))
            .await
            .expect("failure");
        let now = clock(&store).await;
        assert!(now >= last && now > PAST, "{now} after {last}");
        last = now;
    }
}

#[tokio::test]
async fn the_migration_starts_the_clock_at_the_newest_stored_change() {
    // A database at schema version 2, as written before the clock existed.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    let pool = crate::tests::sqlite_at_version(&path, 2).await;
    sqlx::query(
        "INSERT INTO sources (id, url, slug, created_at, last_fetch_at, last_success_at)
             VALUES (1, 'https://blog.example/feed.xml', 'blog', $1, $3, $3);
         INSERT INTO tags (name, slug, created_at) VALUES ('map', 'map', $2);
         INSERT INTO posts (source_id, guid, title, published_at, first_seen_at, content_html,
             content_text) VALUES (1, 'a', 'First', $1, $3, '', '')",
    )
    .bind(at(1).timestamp())
    .bind(at(3).timestamp())
    .bind(at(5).timestamp())
    .execute(&pool)
    .await
    .expect("old rows");
    pool.close().await;

    let store = Store::open_sqlite_path(&path).await.expect("reopen");
    assert_eq!(store.last_change().await.expect("clock"), at(5));
}

async fn two_changes_in_one_second_give_two_stamps() {
    let (store, source, _dir) = store_with_source(Some("Blog")).await;
    let ahead = Utc::now().timestamp() + 3600;
    set_clock(&store, ahead).await;
    let before = store.change_stamp().await.expect("stamp");
    store
        .record_fetch_failure(source, "timed out", at(3))
        .await
        .expect("failure");
    let after = store.change_stamp().await.expect("stamp");
    assert_eq!(after.changed_at, before.changed_at, "same second");
    assert!(after.version > before.version, "{after:?} after {before:?}");

    store.tags().await.expect("a read");
    assert_eq!(store.change_stamp().await.expect("stamp"), after);
}

crate::tests::on_both_engines!(
    an_empty_store_was_last_changed_at_the_epoch,
    every_kind_of_write_moves_the_change_clock,
    writes_that_change_no_page_leave_the_clock_alone,
    reads_do_not_move_the_clock,
    the_clock_never_goes_backwards,
    two_changes_in_one_second_give_two_stamps,
);
