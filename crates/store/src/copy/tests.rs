//! The copy on each engine, between engines, into a store that is not empty, after an
//! interruption, and from a store written to while it is copied.

use syndic_core::Page;

mod filled;
mod live;

pub(crate) use filled::filled;

use super::columns::{self, Value};
use super::*;
use crate::testing::{TestDatabase, TestEngine};
use crate::tests::{at, engine, entry, fresh_store, meta, on_both_engines, tagged};
use crate::{SearchQuery, SourceSpec, StoreError};

/// Every row of every table, in key order, as the copy reads them.
async fn dump(store: &Store) -> Vec<(&'static str, Vec<Vec<Value>>)> {
    let mut conn = store.pool.acquire().await.expect("connection");
    let mut tables = Vec::new();
    for table in TABLES {
        let listed = columns::listed(&mut conn, store.engine, table.name)
            .await
            .expect("columns");
        let columns = columns::plan(table, &listed, &listed).expect("plan");
        let mut sql = Sql::new("SELECT ");
        sql.push(&column_list(&columns))
            .push(" FROM ")
            .push(table.name)
            .push(" ORDER BY ")
            .push(&table.key.join(", "));
        let rows = sql.fetch_all(&mut *conn, "dumping").await.expect("rows");
        let rows = rows
            .iter()
            .map(|row| columns::read_row(row, &columns).expect("values"))
            .collect();
        tables.push((table.name, rows));
    }
    tables
}

fn counts(report: &CopyReport) -> Vec<(&'static str, u64)> {
    report.tables.iter().map(|c| (c.table, c.rows)).collect()
}

/// A fresh store on the other engine when there is one to test with, else SQLite.
pub(super) fn other_engine_database() -> TestDatabase {
    match engine() {
        TestEngine::Sqlite => {
            TestDatabase::postgres("a copy's target").unwrap_or_else(TestDatabase::sqlite)
        }
        TestEngine::Postgres => TestDatabase::sqlite(),
    }
}

async fn a_copy_holds_every_row_of_every_table_and_its_search_works() {
    let (source, _db) = fresh_store().await;
    filled(&source).await;
    let target_db = other_engine_database();
    let target = target_db.open().await;
    let mut batches = 0;
    let report = source
        .copy_to(&target, |step| {
            batches += usize::from(matches!(step, CopyProgress::Rows { .. }))
        })
        .await
        .expect("copy");
    assert!(!report.redone);
    assert!(
        batches >= TABLES.len(),
        "progress for every table: {batches}"
    );
    assert_eq!(dump(&source).await, dump(&target).await);
    let rows: u64 = report.tables.iter().map(|c| c.rows).sum();
    assert!(
        counts(&report).iter().all(|(_, n)| *n > 0),
        "{:?}",
        counts(&report)
    );
    assert!(rows > 30, "{rows}");
    assert!(target.search_index_in_step().await.expect("index check"));
    let query = SearchQuery {
        text: "cafe kelp".into(),
        ..SearchQuery::default()
    };
    let page = Page::new(1, 5).expect("page");
    let (_, found) = target.search(&query, page).await.expect("search");
    assert_eq!(found, 11, "the twelve posts but the one taken down");
    assert_eq!(
        source.change_stamp().await.expect("stamp"),
        target.change_stamp().await.expect("stamp")
    );
    let check = Store::check(target_db.url()).await.expect("check");
    assert!(check.is_healthy(), "{:?}", check.problems);
}

async fn a_copied_store_hands_out_new_ids_past_the_copied_ones() {
    let (source, _db) = fresh_store().await;
    filled(&source).await;
    let target_db = other_engine_database();
    let target = target_db.open().await;
    source.copy_to(&target, |_| {}).await.expect("copy");
    let spec = SourceSpec {
        url: "https://third.example/feed".into(),
        name: None,
    };
    let third = target
        .upsert_source(&spec, at(20))
        .await
        .expect("a new source");
    assert_eq!(third.0, 3);
    let stats = target
        .ingest(
            third,
            &meta(),
            &[tagged(entry("n", "New after the copy", 20), &["fresh"])],
            at(21),
        )
        .await
        .expect("a new post");
    assert_eq!(stats.new, 1);
}

async fn a_target_that_is_not_empty_is_refused_and_left_alone() {
    let (source, _db) = fresh_store().await;
    filled(&source).await;
    let (target, _target_db) = fresh_store().await;
    let spec = SourceSpec {
        url: "https://mine.example/feed".into(),
        name: None,
    };
    target
        .upsert_source(&spec, at(1))
        .await
        .expect("a source of its own");
    let before = dump(&target).await;
    let refused = source
        .copy_to(&target, |_| {})
        .await
        .expect_err("not empty");
    let shown = format!(
        "{refused}: {}",
        std::error::Error::source(&refused)
            .map(ToString::to_string)
            .unwrap_or_default()
    );
    assert!(
        matches!(refused, StoreError::Copy(CopyError::TargetNotEmpty { .. })),
        "{shown}"
    );
    assert!(shown.contains("1 row in sources"), "{shown}");
    assert_eq!(dump(&target).await, before);
    let itself = source
        .copy_to(&source, |_| {})
        .await
        .expect_err("same store");
    assert!(
        matches!(itself, StoreError::Copy(CopyError::SameStore { .. })),
        "{itself}"
    );
}

async fn an_interrupted_copy_is_done_again_when_run_again() {
    let (source, _db) = fresh_store().await;
    filled(&source).await;
    let target_db = other_engine_database();
    let target = target_db.open().await;
    let interrupted = tokio::spawn({
        let (source, target) = (source.clone(), target.clone());
        async move {
            source
                .copy_to(&target, |step| {
                    if matches!(
                        step,
                        CopyProgress::Rows {
                            table: "post_tags",
                            ..
                        }
                    ) {
                        panic!("the copy is interrupted after the posts");
                    }
                })
                .await
        }
    })
    .await;
    assert!(interrupted.is_err(), "the copy stopped half-way");
    let check = Store::check(target_db.url()).await.expect("check");
    assert!(
        check
            .problems
            .iter()
            .any(|p| p.what.contains("interrupted copy")),
        "{:?}",
        check.problems
    );
    let (stranger, _stranger_db) = fresh_store().await;
    filled(&stranger).await;
    let refused = stranger
        .copy_to(&target, |_| {})
        .await
        .expect_err("another source");
    assert!(
        matches!(
            refused,
            StoreError::Copy(CopyError::InterruptedCopyOfAnother { .. })
        ),
        "{refused}"
    );
    let report = source
        .copy_to(&target, |_| {})
        .await
        .expect("the copy again");
    assert!(report.redone);
    assert_eq!(dump(&source).await, dump(&target).await);
    assert!(
        Store::check(target_db.url())
            .await
            .expect("check")
            .is_healthy()
    );
}

async fn every_table_of_the_schema_is_in_the_copy_list() {
    let (store, _db) = fresh_store().await;
    let mut conn = store.pool.acquire().await.expect("connection");
    let mut present = tables::present(&mut conn, store.engine)
        .await
        .expect("tables");
    present.retain(|name| name != tables::MIGRATIONS_TABLE);
    present.sort();
    let mut listed: Vec<String> = TABLES.iter().map(|t| t.name.to_owned()).collect();
    listed.sort();
    assert_eq!(
        present, listed,
        "a table added by a migration needs its line in crates/store/src/tables.rs"
    );
}

on_both_engines!(
    a_copy_holds_every_row_of_every_table_and_its_search_works,
    a_copied_store_hands_out_new_ids_past_the_copied_ones,
    a_target_that_is_not_empty_is_refused_and_left_alone,
    an_interrupted_copy_is_done_again_when_run_again,
    every_table_of_the_schema_is_in_the_copy_list,
);
