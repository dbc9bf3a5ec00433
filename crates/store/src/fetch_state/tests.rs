use chrono::{DateTime, Duration, Utc};
use syndic_core::{Page, PostId, SourceId, SourceStatus};

use crate::tests::{at, entry, meta, store_with_source, tagged};
use crate::{FetchRecord, IncomingPost, PostFilter, SourceSpec, Store, StoreError};

mod schedule;

pub(crate) fn record(
    etag: Option<&str>,
    modified: Option<&str>,
    hash: &str,
    next: DateTime<Utc>,
) -> FetchRecord {
    FetchRecord {
        etag: etag.map(Into::into),
        last_modified: modified.map(Into::into),
        body_hash: Some(hash.into()),
        next_fetch: next,
        hint: None,
    }
}

pub(super) fn posts(guids: &[&str]) -> Vec<IncomingPost> {
    guids
        .iter()
        .map(|guid| tagged(entry(guid, &format!("Post {guid}"), 2), &["map"]))
        .collect()
}

pub(super) async fn guids(store: &Store, source: SourceId) -> Vec<String> {
    sqlx::query_scalar("SELECT guid FROM posts WHERE source_id = $1 ORDER BY guid")
        .bind(source.0)
        .fetch_all(&store.pool)
        .await
        .expect("guids")
}

/// Runs `write` with the change clock set far back; whether it moved the clock.
pub(crate) async fn moves_the_clock(store: &Store, write: impl Future<Output = ()>) -> bool {
    sqlx::query("UPDATE site_state SET changed_at = 1000")
        .execute(&store.pool)
        .await
        .expect("set the clock");
    write.await;
    store.last_change().await.expect("clock").timestamp() != 1000
}

pub(super) async fn second_source(store: &Store, url: &str) -> SourceId {
    let spec = SourceSpec {
        url: url.into(),
        name: None,
    };
    store.upsert_source(&spec, at(1)).await.expect("source")
}

async fn a_new_source_is_ok_unscheduled_and_due() {
    let (store, source, _dir) = store_with_source(None).await;
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(state.url, "https://blog.example/feed.xml");
    assert_eq!(state.status, SourceStatus::Ok);
    assert_eq!(
        (state.etag, state.last_modified, state.body_hash),
        (None, None, None)
    );
    assert_eq!((state.next_fetch, state.wait_until), (None, None));
    assert_eq!(
        (state.error_count, state.failing_since, state.last_success),
        (0, None, None)
    );
    assert_eq!(store.due_sources(at(1)).await.expect("due"), vec![source]);
}

async fn ingest_fetch_stores_posts_validators_and_schedule_together() {
    let (store, source, _dir) = store_with_source(None).await;
    store
        .record_failure(source, "timed out", at(3), None, at(2))
        .await
        .expect("failure");
    let rec = record(
        Some("\"v1\""),
        Some("Mon, 02 Mar 2026 12:00:00 GMT"),
        "h1",
        at(4),
    );
    let stats = store
        .ingest_fetch(source, &meta(), &posts(&["a", "b"]), &rec, at(3))
        .await
        .expect("ingest");
    assert_eq!(stats.new, 2);
    assert_eq!(guids(&store, source).await, ["a", "b"]);

    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(
        state.etag.as_deref(),
        Some("\"v1\""),
        "stored exactly as received"
    );
    assert_eq!(
        state.last_modified.as_deref(),
        Some("Mon, 02 Mar 2026 12:00:00 GMT")
    );
    assert_eq!(state.body_hash.as_deref(), Some("h1"));
    assert_eq!(state.next_fetch, Some(at(4)));
    assert_eq!(state.status, SourceStatus::Ok);
    assert_eq!((state.error_count, state.failing_since), (0, None));
    assert_eq!(state.last_success, Some(at(3)));

    // A full response without validators leaves none: the old ones no longer describe it.
    store
        .ingest_fetch(
            source,
            &meta(),
            &posts(&["a", "b"]),
            &record(None, None, "h2", at(5)),
            at(4),
        )
        .await
        .expect("ingest");
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!((state.etag, state.last_modified), (None, None));
    assert_eq!(state.body_hash.as_deref(), Some("h2"));
}

/// Makes inserting a post with guid `boom`, or setting a source's etag to `"v2"` (with
/// `on_etag`), fail inside the transaction: a trigger in the running test's engine.
async fn sabotage(store: &Store, on_etag: bool) {
    let sql = match (crate::tests::engine(), on_etag) {
        (crate::testing::TestEngine::Sqlite, false) => {
            "CREATE TRIGGER boom BEFORE INSERT ON posts WHEN new.guid = 'boom'
             BEGIN SELECT RAISE(ABORT, 'boom'); END;"
        }
        (crate::testing::TestEngine::Sqlite, true) => {
            "DROP TRIGGER boom;
             CREATE TRIGGER boom BEFORE UPDATE OF etag ON sources WHEN new.etag = '\"v2\"'
             BEGIN SELECT RAISE(ABORT, 'boom'); END;"
        }
        (crate::testing::TestEngine::Postgres, false) => {
            "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql
                 AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$;
             CREATE TRIGGER boom BEFORE INSERT ON posts
                 FOR EACH ROW WHEN (new.guid = 'boom') EXECUTE FUNCTION boom();"
        }
        (crate::testing::TestEngine::Postgres, true) => {
            "DROP TRIGGER boom ON posts;
             CREATE TRIGGER boom BEFORE UPDATE OF etag ON sources
                 FOR EACH ROW WHEN (new.etag = '\"v2\"') EXECUTE FUNCTION boom();"
        }
    };
    crate::testing::execute(store, sql).await.expect("trigger");
}

async fn a_failed_ingest_fetch_keeps_neither_posts_nor_validators() {
    let (store, source, _dir) = store_with_source(None).await;
    let first = record(Some("\"v1\""), None, "h1", at(3));
    store
        .ingest_fetch(source, &meta(), &posts(&["a"]), &first, at(2))
        .await
        .expect("ingest");

    // The posts fail after the source row was updated: the validators must not move.
    sabotage(&store, false).await;
    let next = record(Some("\"v2\""), None, "h2", at(9));
    let failed = store
        .ingest_fetch(source, &meta(), &posts(&["b", "boom"]), &next, at(3))
        .await;
    assert!(failed.is_err());
    assert_eq!(guids(&store, source).await, ["a"]);
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(state.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        (state.body_hash.as_deref(), state.next_fetch),
        (Some("h1"), Some(at(3)))
    );
    assert_eq!(state.last_success, Some(at(2)));

    // The validators fail after the posts were written: the posts must not stay.
    sabotage(&store, true).await;
    let failed = store
        .ingest_fetch(source, &meta(), &posts(&["b", "c"]), &next, at(3))
        .await;
    assert!(failed.is_err());
    assert_eq!(guids(&store, source).await, ["a"]);
}

async fn an_unchanged_fetch_after_an_ingest_keeps_posts_and_missing_validators() {
    let (store, source, _dir) = store_with_source(None).await;
    let first = record(
        Some("\"v1\""),
        Some("Mon, 02 Mar 2026 12:00:00 GMT"),
        "h1",
        at(3),
    );
    store
        .ingest_fetch(source, &meta(), &posts(&["a", "b"]), &first, at(2))
        .await
        .expect("ingest");
    store
        .record_failure(source, "HTTP 500", at(4), None, at(3))
        .await
        .expect("failure");

    // A 304 that repeats only the ETag, with a new one.
    let not_modified = FetchRecord {
        etag: Some("\"v2\"".into()),
        last_modified: None,
        body_hash: None,
        next_fetch: at(6),
        hint: None,
    };
    store
        .record_unchanged(source, &not_modified, at(5))
        .await
        .expect("unchanged");
    assert_eq!(guids(&store, source).await, ["a", "b"]);
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(state.etag.as_deref(), Some("\"v2\""));
    assert_eq!(
        state.last_modified.as_deref(),
        Some("Mon, 02 Mar 2026 12:00:00 GMT")
    );
    assert_eq!(state.body_hash.as_deref(), Some("h1"));
    assert_eq!(
        (state.next_fetch, state.last_success),
        (Some(at(6)), Some(at(5)))
    );
    assert_eq!(state.status, SourceStatus::Ok);
    assert_eq!((state.error_count, state.failing_since), (0, None));
    let listed = store.sources().await.expect("sources");
    assert_eq!(listed[0].last_error, None);
    assert_eq!(listed[0].post_count, 2);
}

async fn the_feeds_hint_is_stored_kept_by_a_304_and_cleared_by_a_body_without_one() {
    let (store, source, _dir) = store_with_source(None).await;
    assert_eq!(store.fetch_state(source).await.expect("state").hint, None);
    let hinted = FetchRecord {
        hint: Some(Duration::hours(6)),
        ..record(Some("\"v1\""), None, "h1", at(3))
    };
    store
        .ingest_fetch(source, &meta(), &posts(&["a"]), &hinted, at(2))
        .await
        .expect("ingest");
    assert_eq!(
        store.fetch_state(source).await.expect("state").hint,
        Some(Duration::hours(6))
    );

    // A 304 (or an unchanged body) brings no hint: the stored one holds.
    store
        .record_unchanged(source, &record(None, None, "h1", at(5)), at(4))
        .await
        .expect("unchanged");
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(state.hint, Some(Duration::hours(6)));
    assert_eq!(state.next_fetch, Some(at(5)));

    // A new body without a hint clears it.
    store
        .ingest_fetch(
            source,
            &meta(),
            &posts(&["a"]),
            &record(None, None, "h2", at(7)),
            at(6),
        )
        .await
        .expect("ingest again");
    assert_eq!(store.fetch_state(source).await.expect("state").hint, None);
}

async fn failures_count_up_keep_their_start_and_wait_when_asked() {
    let (store, source, _dir) = store_with_source(None).await;
    store
        .record_failure(source, "HTTP 500", at(3), None, at(2))
        .await
        .expect("failure");
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(state.status, SourceStatus::Failing);
    assert_eq!((state.error_count, state.failing_since), (1, Some(at(2))));
    assert_eq!((state.next_fetch, state.wait_until), (Some(at(3)), None));

    let retry = at(4) + Duration::hours(1);
    store
        .record_failure(source, "HTTP 429", at(5), Some(retry), at(4))
        .await
        .expect("failure");
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(state.status, SourceStatus::Waiting);
    assert_eq!((state.error_count, state.failing_since), (2, Some(at(2))));
    assert_eq!(
        (state.next_fetch, state.wait_until),
        (Some(at(5)), Some(retry))
    );

    // Without a Retry-After the wait is over and the source is failing again.
    store
        .record_failure(source, "HTTP 500", at(6), None, at(5))
        .await
        .expect("failure");
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(
        (state.status, state.wait_until, state.error_count),
        (SourceStatus::Failing, None, 3)
    );

    let summary = &store.sources().await.expect("sources")[0];
    assert_eq!(summary.status, SourceStatus::Failing);
    assert_eq!((summary.error_count, summary.next_fetch), (3, Some(at(6))));
    assert_eq!(summary.last_error.as_deref(), Some("HTTP 500"));

    store
        .ingest_fetch(
            source,
            &meta(),
            &posts(&["a"]),
            &record(None, None, "h", at(7)),
            at(6),
        )
        .await
        .expect("ingest");
    let summary = store
        .source_by_slug("blog-example")
        .await
        .expect("source")
        .expect("found");
    assert_eq!((summary.status, summary.error_count), (SourceStatus::Ok, 0));
    assert_eq!(
        (summary.last_error, summary.next_fetch),
        (None, Some(at(7)))
    );
}

async fn a_gone_source_is_never_due_and_stays_gone_until_it_answers() {
    let (store, source, _dir) = store_with_source(None).await;
    store
        .ingest_fetch(
            source,
            &meta(),
            &posts(&["a"]),
            &record(None, None, "h", at(3)),
            at(2),
        )
        .await
        .expect("ingest");
    store
        .record_gone(source, "HTTP 410 Gone", at(4))
        .await
        .expect("gone");
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(state.status, SourceStatus::Gone);
    assert_eq!((state.next_fetch, state.wait_until), (None, None));
    assert_eq!(guids(&store, source).await, ["a"], "its posts stay");
    assert!(store.due_sources(at(28)).await.expect("due").is_empty());

    // A stray failure (a fetch by hand) does not bring it back into the schedule.
    store
        .record_failure(source, "HTTP 500", at(5), Some(at(6)), at(5))
        .await
        .expect("failure");
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(
        (state.status, state.next_fetch, state.wait_until),
        (SourceStatus::Gone, None, None)
    );
    assert!(store.due_sources(at(28)).await.expect("due").is_empty());

    // A success does.
    store
        .record_unchanged(source, &record(None, None, "h", at(7)), at(6))
        .await
        .expect("unchanged");
    assert_eq!(
        store.fetch_state(source).await.expect("state").status,
        SourceStatus::Ok
    );
    assert_eq!(store.due_sources(at(7)).await.expect("due"), vec![source]);
}
async fn every_transition_moves_the_change_clock() {
    let (store, source, _dir) = store_with_source(None).await;
    let rec = record(Some("\"v\""), None, "h", at(3));
    let ingest = async {
        let posts = posts(&["a"]);
        let stored = store
            .ingest_fetch(source, &meta(), &posts, &rec, at(2))
            .await;
        stored.expect("ingest");
    };
    assert!(moves_the_clock(&store, ingest).await, "ingest_fetch");
    let unchanged = async {
        let stored = store.record_unchanged(source, &rec, at(3)).await;
        stored.expect("unchanged");
    };
    assert!(moves_the_clock(&store, unchanged).await, "record_unchanged");
    let failure = async {
        let stored = store.record_failure(source, "x", at(4), None, at(3)).await;
        stored.expect("failure");
    };
    assert!(moves_the_clock(&store, failure).await, "record_failure");
    let gone = async {
        store
            .record_gone(source, "gone", at(4))
            .await
            .expect("gone");
    };
    assert!(moves_the_clock(&store, gone).await, "record_gone");
}

async fn transitions_of_an_unknown_source_fail_and_change_nothing() {
    let (store, _source, _dir) = store_with_source(None).await;
    let nobody = SourceId(99);
    let unknown = |result: Result<_, StoreError>| matches!(result, Err(StoreError::UnknownSource { id }) if id == nobody);
    let rec = record(None, None, "h", at(3));
    let write = async {
        assert!(unknown(store.fetch_state(nobody).await.map(|_| ())));
        assert!(unknown(
            store
                .ingest_fetch(nobody, &meta(), &[], &rec, at(2))
                .await
                .map(|_| ())
        ));
        assert!(unknown(store.record_unchanged(nobody, &rec, at(2)).await));
        assert!(unknown(
            store.record_failure(nobody, "x", at(3), None, at(2)).await
        ));
        assert!(unknown(store.record_gone(nobody, "x", at(2)).await));
        assert!(unknown(
            store
                .record_moved(nobody, "https://x.example/", at(2))
                .await
        ));
        // The unscheduled form keeps its old contract: an unknown source is ignored.
        store
            .record_fetch_failure(nobody, "x", at(2))
            .await
            .expect("ignored");
    };
    assert!(!moves_the_clock(&store, write).await);
}

async fn the_unscheduled_failure_leaves_the_source_due_at_once() {
    let (store, source, _dir) = store_with_source(None).await;
    store
        .record_fetch_failure(source, "timed out", at(2))
        .await
        .expect("failure");
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(state.status, SourceStatus::Failing);
    assert_eq!((state.error_count, state.next_fetch), (1, Some(at(2))));
    assert_eq!(store.due_sources(at(2)).await.expect("due"), vec![source]);
    // The plain ingest is a success like any other.
    store
        .ingest(source, &meta(), &[], at(3))
        .await
        .expect("ingest");
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(
        (state.status, state.error_count, state.failing_since),
        (SourceStatus::Ok, 0, None)
    );
}

async fn sources_are_counted_by_status_with_zeros() {
    let (store, _ok, _dir) = store_with_source(None).await;
    let failing = second_source(&store, "https://b.example/feed.xml").await;
    let gone = second_source(&store, "https://c.example/feed.xml").await;
    second_source(&store, "https://d.example/feed.xml").await;
    store
        .record_failure(failing, "HTTP 500", at(3), None, at(2))
        .await
        .expect("failure");
    store
        .record_gone(gone, "HTTP 410", at(2))
        .await
        .expect("gone");
    assert_eq!(
        store.sources_by_status().await.expect("counts"),
        vec![
            (SourceStatus::Ok, 2),
            (SourceStatus::Failing, 1),
            (SourceStatus::Waiting, 0),
            (SourceStatus::Gone, 1),
        ]
    );
}

async fn first_fetches_are_scheduled_once_and_wake_the_scheduler() {
    let (store, source, _dir) = store_with_source(None).await;
    assert_eq!(store.next_wakeup(at(1)).await.expect("wakeup"), None);
    assert!(
        store
            .schedule_first_fetch(source, at(10))
            .await
            .expect("first")
    );
    assert!(
        !store
            .schedule_first_fetch(source, at(5))
            .await
            .expect("again")
    );
    let state = store.fetch_state(source).await.expect("state");
    assert_eq!(state.next_fetch, Some(at(10)));
    assert!(store.due_sources(at(9)).await.expect("due").is_empty());
    assert_eq!(store.due_sources(at(10)).await.expect("due"), vec![source]);
    assert_eq!(
        store.next_wakeup(at(1)).await.expect("wakeup"),
        Some(at(10))
    );
    // Due now or earlier is no reason to wake up.
    assert_eq!(store.next_wakeup(at(10)).await.expect("wakeup"), None);
    // A Retry-After wait pushes the wake-up to its end.
    store
        .record_failure(source, "busy", at(12), Some(at(14)), at(11))
        .await
        .expect("failure");
    assert_eq!(
        store.next_wakeup(at(11)).await.expect("wakeup"),
        Some(at(14))
    );
    store
        .record_gone(source, "gone", at(13))
        .await
        .expect("gone");
    assert_eq!(store.next_wakeup(at(1)).await.expect("wakeup"), None);
}

async fn ingest_fetch_changes_names_the_new_and_updated_posts() {
    let (store, source, _dir) = store_with_source(None).await;
    let first = record(Some("\"v1\""), None, "h1", at(3));
    store
        .ingest_fetch(source, &meta(), &posts(&["a", "b"]), &first, at(2))
        .await
        .expect("first");
    let mut next = posts(&["a", "b", "c"]);
    next[1].entry.title = "Post b, edited".into();
    let rec = record(Some("\"v2\""), None, "h2", at(4));
    let (stats, stored) = store
        .ingest_fetch_changes(source, &meta(), &next, &rec, at(3))
        .await
        .expect("second");
    assert_eq!((stats.new, stats.updated, stats.unchanged), (1, 1, 1));
    assert_eq!(stored.changed, [1, 2], "b updated, c new; a unchanged");
    let ids: Vec<PostId> = stored
        .ids
        .iter()
        .map(|id| id.expect("a post each"))
        .collect();
    let listed: Vec<PostId> = store
        .posts(PostFilter::All, Page::new(1, 10).expect("page"))
        .await
        .expect("posts")
        .iter()
        .map(|post| post.id)
        .collect();
    for id in &ids {
        assert!(listed.contains(id), "{id} is a stored post: {listed:?}");
    }
    assert_eq!(ids.len(), 3);
    assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
}

crate::tests::on_both_engines!(
    a_new_source_is_ok_unscheduled_and_due,
    ingest_fetch_stores_posts_validators_and_schedule_together,
    a_failed_ingest_fetch_keeps_neither_posts_nor_validators,
    an_unchanged_fetch_after_an_ingest_keeps_posts_and_missing_validators,
    the_feeds_hint_is_stored_kept_by_a_304_and_cleared_by_a_body_without_one,
    failures_count_up_keep_their_start_and_wait_when_asked,
    a_gone_source_is_never_due_and_stays_gone_until_it_answers,
    every_transition_moves_the_change_clock,
    transitions_of_an_unknown_source_fail_and_change_nothing,
    the_unscheduled_failure_leaves_the_source_due_at_once,
    sources_are_counted_by_status_with_zeros,
    first_fetches_are_scheduled_once_and_wake_the_scheduler,
    ingest_fetch_changes_names_the_new_and_updated_posts,
);
