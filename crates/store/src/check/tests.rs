//! `Store::check` on healthy and broken stores of each engine.

use crate::copy::tests::filled;
use crate::testing::{TestDatabase, TestEngine, execute};
use crate::tests::{engine, fresh_store, on_both_engines, sqlite_at_version};
use crate::{Store, StoreCheck};

async fn checked(db: &TestDatabase) -> StoreCheck {
    Store::check(db.url()).await.expect("the check runs")
}

fn assert_problem(check: &StoreCheck, what: &str, fix: &str) {
    assert!(
        check
            .problems
            .iter()
            .any(|p| p.what.contains(what) && p.fix.contains(fix)),
        "a problem {what:?} with the fix {fix:?} in {:#?}",
        check.problems
    );
}

async fn a_healthy_store_passes_with_its_counts() {
    let (store, db) = fresh_store().await;
    filled(&store).await;
    let check = checked(&db).await;
    assert!(check.is_healthy(), "{:#?}", check.problems);
    assert_eq!(check.schema_version, Some(crate::current_schema_version()));
    let rows = |table: &str| {
        check
            .tables
            .iter()
            .find(|t| t.table == table)
            .map(|t| t.rows)
    };
    assert_eq!(rows("posts"), Some(12));
    assert_eq!(rows("sources"), Some(2));
    assert_eq!(rows("site_state"), Some(1));
    assert_eq!(check.tables.len(), crate::tables::TABLES.len());
}

async fn orphans_a_missing_clock_and_a_stale_search_index_are_each_named_with_a_fix() {
    let (store, db) = fresh_store().await;
    filled(&store).await;
    // Posts still pending are in step by design: the damage must hit an indexed one.
    store.index_search().await.expect("index");
    let orphan = "INSERT INTO tag_vetoes (post_id, tag_id, created_at) VALUES (999, 1, 0)";
    let (unchecked, stale_index) = match engine() {
        // Foreign keys are a connection's setting on SQLite; the FTS5 index loses a post.
        TestEngine::Sqlite => (
            format!("PRAGMA foreign_keys = OFF; {orphan}; PRAGMA foreign_keys = ON"),
            "DELETE FROM posts_fts WHERE rowid = 1",
        ),
        // The document of a post is stale.
        TestEngine::Postgres => (
            format!(
                "SET session_replication_role = replica; {orphan}; \
                 SET session_replication_role = DEFAULT"
            ),
            "UPDATE search_documents SET document = '{7}' \
             WHERE post_id = 1",
        ),
    };
    execute(&store, &unchecked).await.expect("an orphan");
    execute(&store, stale_index).await.expect("a stale index");
    execute(&store, "DELETE FROM site_state")
        .await
        .expect("no clock");
    let check = checked(&db).await;
    assert_problem(
        &check,
        "tag_vetoes: 1 row whose post_id names no row of posts",
        "DELETE FROM tag_vetoes",
    );
    assert_problem(&check, "change clock", "INSERT INTO site_state");
    assert_problem(
        &check,
        "search index is out of step",
        "syndic store reindex",
    );
    assert_eq!(check.problems.len(), 3, "{:#?}", check.problems);
    assert_eq!(store.rebuild_search_index().await.expect("reindex"), 12);
    let again = checked(&db).await;
    assert!(
        !again
            .problems
            .iter()
            .any(|p| p.what.contains("search index")),
        "{:#?}",
        again.problems
    );
}

async fn listing_counts_out_of_step_are_named_and_counted_anew_by_reindex() {
    let (store, db) = fresh_store().await;
    filled(&store).await;
    execute(
        &store,
        "INSERT INTO listing_days (kind, key, day, posts) VALUES (1, 1, 20000, 3)",
    )
    .await
    .expect("a wrong count");
    let check = checked(&db).await;
    assert_problem(&check, "listings' post counts", "syndic store reindex");
    assert_eq!(check.problems.len(), 1, "{:#?}", check.problems);
    store.rebuild_search_index().await.expect("reindex");
    let again = checked(&db).await;
    assert!(again.is_healthy(), "{:#?}", again.problems);
}

on_both_engines!(
    a_healthy_store_passes_with_its_counts,
    orphans_a_missing_clock_and_a_stale_search_index_are_each_named_with_a_fix,
    listing_counts_out_of_step_are_named_and_counted_anew_by_reindex,
);

#[tokio::test]
async fn an_old_schema_is_named_with_how_to_bring_it_up_to_date() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.db");
    sqlite_at_version(&path, 5).await.close().await;
    let check = Store::check_sqlite_path(&path).await.expect("check");
    assert_eq!(check.schema_version, Some(5));
    assert_problem(&check, "version 5", "brings it up to date");
    assert_eq!(check.problems.len(), 1, "{:#?}", check.problems);
}

#[tokio::test]
async fn a_database_without_a_store_is_named_and_a_missing_file_is_not_created() {
    let dir = tempfile::tempdir().expect("dir");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("an empty file");
    let check = Store::check_sqlite_path(&empty).await.expect("check");
    assert_eq!(check.schema_version, None);
    assert_problem(&check, "holds no syndic store", "check the URL");

    let missing = dir.path().join("missing.db");
    let error = Store::check_sqlite_path(&missing)
        .await
        .expect_err("nothing to check");
    assert!(matches!(error, crate::StoreError::Open { .. }), "{error}");
    assert!(!missing.exists(), "the check created {}", missing.display());
}
