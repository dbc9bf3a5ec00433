//! Which sources are due, where they moved, what the scheduler reads, and the schema
//! migration that added all this.

use syndic_core::{SourceId, SourceStatus};

use super::{guids, moves_the_clock, record, second_source};
use crate::tests::{at, entry, meta, store_with_source, tagged};
use crate::{Store, StoreError};

async fn due_sources_respect_next_fetch_and_retry_after() {
    let (store, early, _dir) = store_with_source(None).await;
    let late = second_source(&store, "https://late.example/feed.xml").await;
    let waiting = second_source(&store, "https://busy.example/feed.xml").await;
    let fresh = second_source(&store, "https://new.example/feed.xml").await;
    store
        .record_unchanged(early, &record(None, None, "h", at(3)), at(2))
        .await
        .expect("early");
    store
        .record_unchanged(late, &record(None, None, "h", at(5)), at(2))
        .await
        .expect("late");
    // Its next try has come, but the server asked for a longer wait.
    store
        .record_failure(waiting, "HTTP 503", at(3), Some(at(6)), at(2))
        .await
        .expect("waiting");

    assert_eq!(store.due_sources(at(2)).await.expect("due"), vec![fresh]);
    assert_eq!(
        store.due_sources(at(3)).await.expect("due"),
        vec![fresh, early]
    );
    assert_eq!(
        store.due_sources(at(5)).await.expect("due"),
        vec![fresh, early, late]
    );
    assert_eq!(
        store.due_sources(at(6)).await.expect("due"),
        vec![fresh, early, waiting, late]
    );
}

async fn a_moved_source_keeps_its_history_and_its_identity() {
    let (store, source, _dir) = store_with_source(None).await;
    let other = second_source(&store, "https://other.example/feed.xml").await;
    let moved = async {
        store
            .record_moved(source, "https://new.example/feed.xml", at(3))
            .await
            .expect("moved");
    };
    assert!(moves_the_clock(&store, moved).await);
    store
        .record_moved(source, "https://newer.example/feed.xml", at(4))
        .await
        .expect("moved again");
    assert_eq!(
        store.fetch_state(source).await.expect("state").url,
        "https://newer.example/feed.xml"
    );
    let history: Vec<(String, i64)> = sqlx::query_as(
        "SELECT url, replaced_at FROM source_urls WHERE source_id = $1 ORDER BY replaced_at",
    )
    .bind(source.0)
    .fetch_all(&store.pool)
    .await
    .expect("history");
    assert_eq!(
        history,
        [
            ("https://blog.example/feed.xml".into(), at(3).timestamp()),
            ("https://new.example/feed.xml".into(), at(4).timestamp()),
        ]
    );
    // The configuration still names the old URL: it finds the same source.
    assert_eq!(
        second_source(&store, "https://blog.example/feed.xml").await,
        source
    );
    assert_eq!(store.sources().await.expect("sources").len(), 2);

    // Moving onto another source's URL changes nothing.
    let taken = store
        .record_moved(source, "https://other.example/feed.xml", at(5))
        .await;
    assert!(
        matches!(taken, Err(StoreError::UrlTaken { id, owner, .. }) if id == source && owner == other),
        "{taken:?}"
    );
    assert_eq!(
        store.fetch_state(source).await.expect("state").url,
        "https://newer.example/feed.xml"
    );
    let same = async {
        store
            .record_moved(source, "https://newer.example/feed.xml", at(6))
            .await
            .expect("no move");
    };
    assert!(!moves_the_clock(&store, same).await, "moving nowhere");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM source_urls")
        .fetch_one(&store.pool)
        .await
        .expect("count");
    assert_eq!(rows, 2);
}

async fn recent_publications_are_the_newest_first() {
    let (store, source, _dir) = store_with_source(None).await;
    let entries: Vec<_> = [("a", 5), ("b", 2), ("c", 9), ("d", 7)]
        .into_iter()
        .map(|(guid, day)| tagged(entry(guid, guid, day), &[]))
        .collect();
    store
        .ingest(source, &meta(), &entries, at(10))
        .await
        .expect("ingest");
    assert_eq!(
        store.recent_publications(source, 3).await.expect("dates"),
        [at(9), at(7), at(5)]
    );
    assert!(
        store
            .recent_publications(SourceId(99), 3)
            .await
            .expect("none")
            .is_empty()
    );
}

async fn recent_publications_of_many_sources_are_each_ones_newest_first() {
    let (store, first, _dir) = store_with_source(None).await;
    let second = second_source(&store, "https://second.example/feed.xml").await;
    let empty = second_source(&store, "https://empty.example/feed.xml").await;
    for (source, days) in [(first, [5, 2, 9, 7]), (second, [1, 3, 4, 8])] {
        let entries: Vec<_> = days
            .into_iter()
            .map(|day| tagged(entry(&format!("p{day}"), "post", day), &[]))
            .collect();
        store
            .ingest(source, &meta(), &entries, at(10))
            .await
            .expect("ingest");
    }
    let all = [first, second, empty, SourceId(99)];
    let recent = store.recent_publications_of(&all, 3).await.expect("dates");
    for source in all {
        assert_eq!(
            recent.get(&source).cloned().unwrap_or_default(),
            store.recent_publications(source, 3).await.expect("dates"),
            "source {source}: the one-by-one read"
        );
    }
    assert_eq!(recent[&second], [at(8), at(4), at(3)]);
    assert!(!recent.contains_key(&empty));
    // More sources than one statement reads: the second is in the second statement.
    let mut many = vec![first];
    many.extend((1000..1120).map(SourceId));
    many.push(second);
    let recent = store.recent_publications_of(&many, 2).await.expect("dates");
    assert_eq!(recent[&first], [at(9), at(7)]);
    assert_eq!(recent[&second], [at(8), at(4)]);
    assert_eq!(recent.len(), 2);
}

#[tokio::test]
async fn migrating_an_existing_database_keeps_its_sources_and_their_failures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v3.db");
    let pool = crate::tests::sqlite_at_version(&path, 3).await;
    sqlx::raw_sql(
        "INSERT INTO sources (id, url, slug, created_at, last_fetch_at, last_success_at)
             VALUES (1, 'https://ok.example/feed', 'ok', 100, 500, 500);
         INSERT INTO sources (id, url, slug, created_at, last_fetch_at, last_error, error_count)
             VALUES (2, 'https://bad.example/feed', 'bad', 100, 600, 'timed out', 3);
         INSERT INTO posts (source_id, guid, title, published_at, first_seen_at, content_html,
             content_text) VALUES (1, 'a', 'A', 400, 500, '', '');",
    )
    .execute(&pool)
    .await
    .expect("old rows");
    pool.close().await;

    let store = Store::open_sqlite_path(&path).await.expect("migrate");
    let ok = store.fetch_state(SourceId(1)).await.expect("ok source");
    assert_eq!(
        (ok.status, ok.error_count, ok.failing_since),
        (SourceStatus::Ok, 0, None)
    );
    assert_eq!((ok.etag, ok.next_fetch), (None, None));
    let bad = store
        .fetch_state(SourceId(2))
        .await
        .expect("failing source");
    assert_eq!(bad.status, SourceStatus::Failing);
    assert_eq!(
        (bad.error_count, bad.failing_since.map(|t| t.timestamp())),
        (3, Some(600))
    );
    assert_eq!(guids(&store, SourceId(1)).await, ["a"]);
    assert_eq!(
        store.due_sources(at(1)).await.expect("due"),
        [SourceId(1), SourceId(2)],
        "nothing was scheduled before: everything is due once"
    );
    let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&store.pool)
        .await
        .expect("version");
    assert_eq!(version, crate::migrate::latest(), "every migration applied");
}

crate::tests::on_both_engines!(
    due_sources_respect_next_fetch_and_retry_after,
    a_moved_source_keeps_its_history_and_its_identity,
    recent_publications_are_the_newest_first,
    recent_publications_of_many_sources_are_each_ones_newest_first,
);
