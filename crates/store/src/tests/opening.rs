//! Opening a store at its edges: many processes on a new database, a read-only handle, and
//! the failures a person must act on (a full disk, a read-only, locked or damaged file).

use std::time::Duration;

use syndic_core::{FeedMeta, Page};

use super::{at, entry, meta, store_with_source, tagged};
use crate::engine::{Engine, Location};
use crate::testing::{TestDatabase, TestEngine};
use crate::{Cause, PostFilter, Store, StoreError};

async fn stores_opened_together_on_a_new_database_apply_the_schema_once() {
    let db = TestDatabase::new(super::engine(), "opened together").expect("engine checked");
    let mut opening = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let url = db.url().to_owned();
        opening.spawn(async move { Store::open(&url).await });
    }
    let mut stores = Vec::new();
    while let Some(opened) = opening.join_next().await {
        stores.push(
            opened
                .expect("task")
                .expect("every process opens the new store"),
        );
    }
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations")
        .fetch_one(&stores[0].pool)
        .await
        .expect("bookkeeping");
    let engine = stores[0].engine;
    assert_eq!(applied, engine.migrations().len() as i64);
    for store in stores {
        store.close().await;
    }
}

async fn a_read_only_handle_reads_everything_and_any_write_names_the_cause() {
    let (store, source, db) = store_with_source(None).await;
    let posts = [tagged(entry("a", "A map", 2), &["map"])];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let reader = Store::open_read_only(db.url()).await.expect("read-only");
    assert!(reader.is_read_only());
    let page = Page::new(1, 10).expect("page");
    let listing = reader
        .listing(PostFilter::All, page)
        .await
        .expect("listing");
    assert_eq!(listing.total, 1);
    assert_eq!(reader.tags().await.expect("tags").len(), 1);
    let refused = reader
        .sync_tags(&["new".into()], at(11))
        .await
        .expect_err("a read-only handle cannot write");
    assert_eq!(refused.cause(), Some(Cause::ReadOnly), "{refused:?}");
    let message = refused.to_string();
    assert!(
        message.contains("read-only") && message.contains("writ"),
        "{message}"
    );
    // The writable handle still writes.
    store
        .sync_tags(&["new".into()], at(11))
        .await
        .expect("write");
}

crate::tests::on_both_engines!(
    stores_opened_together_on_a_new_database_apply_the_schema_once,
    a_read_only_handle_reads_everything_and_any_write_names_the_cause,
);

/// A SQLite store at `path` waiting at most `busy` for a lock, with one connection.
async fn sqlite_store(path: &std::path::Path, busy: Duration) -> Store {
    let mut location = Location::sqlite_file(path).expect("a path");
    location.busy_timeout = busy;
    location.pool_size = 1;
    Store::open_at(
        &location,
        &path.display().to_string(),
        &crate::StoreOptions::default(),
    )
    .await
    .expect("open")
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_named_damaged_with_what_to_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "these are my notes, not a database\n".repeat(200)).expect("file");
    for error in [
        Store::open_sqlite_path(&path).await.expect_err("refused"),
        Store::open_sqlite_path_read_only(&path)
            .await
            .expect_err("refused"),
    ] {
        assert_eq!(error.cause(), Some(Cause::Corrupt), "{error:?}");
        let message = error.to_string();
        assert!(message.contains("not a syndic database"), "{message}");
        assert!(message.contains("backup"), "{message}");
    }
}

#[tokio::test]
async fn a_lock_held_beyond_the_busy_timeout_is_named_with_what_to_do() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.db");
    let store = sqlite_store(&path, Duration::from_millis(200)).await;
    let mut holder = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("another connection");
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut holder)
        .await
        .expect("another process's lock");
    let error = store
        .sync_tags(&["map".into()], at(1))
        .await
        .expect_err("the lock outlasts the busy timeout");
    assert_eq!(error.cause(), Some(Cause::Locked), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("locked by another process"), "{message}");
    assert!(message.contains("run the command again"), "{message}");
    sqlx::query("ROLLBACK")
        .execute(&mut holder)
        .await
        .expect("release");
    store
        .sync_tags(&["map".into()], at(1))
        .await
        .expect("free again");
}

/// A full disk, without filling one: SQLite answers `SQLITE_FULL` when a file would grow
/// past `PRAGMA max_page_count`, exactly as when the disk has no room left.
#[tokio::test]
async fn a_full_disk_is_named_and_the_fetch_leaves_nothing_half_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.db");
    let store = sqlite_store(&path, Duration::from_secs(1)).await;
    let spec = crate::SourceSpec {
        url: "https://blog.example/feed".into(),
        name: None,
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&store.pool)
        .await
        .expect("pages");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "PRAGMA max_page_count = {}",
        pages + 4
    )))
    .execute(&store.pool)
    .await
    .expect("cap the file");
    let big: Vec<_> = (0..40)
        .map(|n| {
            let mut post = entry(&format!("p{n}"), "Long", 2);
            // Words that do not repeat: the store compresses post text.
            post.content_text = (0..20_000_u64)
                .map(|i| format!("{:x} ", (n * 20_000 + i).wrapping_mul(2_654_435_761)))
                .collect();
            tagged(post, &["map"])
        })
        .collect();
    let error = store
        .ingest(source, &FeedMeta::default(), &big, at(10))
        .await
        .expect_err("the disk is full");
    assert_eq!(error.cause(), Some(Cause::DiskFull), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("no space left on device"), "{message}");
    assert!(message.contains("free space"), "{message}");
    assert_eq!(store.count_posts(PostFilter::All).await.expect("count"), 0);
}

#[tokio::test]
async fn a_reader_creates_a_missing_store_and_upgrades_an_old_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let new = dir.path().join("new.db");
    let reader = Store::open_sqlite_path_read_only(&new)
        .await
        .expect("created");
    assert!(reader.tags().await.expect("tags").is_empty());
    reader.close().await;

    let old = dir.path().join("old.db");
    let pool = super::sqlite_at_version(&old, 9).await;
    pool.close().await;
    let reader = Store::open_sqlite_path_read_only(&old)
        .await
        .expect("upgraded, then read");
    let version = crate::migrate::version(&reader.pool, Engine::Sqlite)
        .await
        .expect("version");
    assert_eq!(version, Some(crate::migrate::latest()));
}

#[tokio::test]
async fn an_immutable_file_is_read_as_it_was_left() {
    let (store, source, db) = {
        let db = TestDatabase::new(TestEngine::Sqlite, "immutable").expect("sqlite");
        let store = db.open().await;
        let spec = crate::SourceSpec {
            url: "https://blog.example/feed".into(),
            name: None,
        };
        let source = store.upsert_source(&spec, at(1)).await.expect("source");
        (store, source, db)
    };
    let posts = [tagged(entry("a", "A map", 2), &["map"])];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    store.close().await;
    // What a reader falls back to when the file's folder is not writable: no -shm file.
    let reader = Store::open_read_only(&format!("{}?immutable=1", db.url()))
        .await
        .expect("immutable");
    let page = Page::new(1, 10).expect("page");
    assert_eq!(
        reader
            .posts(PostFilter::All, page)
            .await
            .expect("posts")
            .len(),
        1
    );
    let refused = reader
        .sync_tags(&["x".into()], at(11))
        .await
        .expect_err("no writes");
    assert_eq!(refused.cause(), Some(Cause::ReadOnly), "{refused:?}");
}

#[tokio::test]
async fn a_reader_of_an_old_store_it_cannot_upgrade_says_how_to_upgrade_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.db");
    let pool = super::sqlite_at_version(&old, 9).await;
    pool.close().await;
    let readonly = |path: &std::path::Path| {
        let mut permissions = std::fs::metadata(path).expect("metadata").permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(path, permissions).expect("read-only");
    };
    readonly(&old);
    readonly(dir.path());
    let writable = std::fs::OpenOptions::new().append(true).open(&old).is_ok();
    let result = Store::open_sqlite_path_read_only(&old).await;
    // Leave the folder removable.
    let mut permissions = std::fs::metadata(dir.path())
        .expect("metadata")
        .permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(dir.path(), permissions).expect("writable again");
    if writable {
        println!("skipped the refusal: this user (root) writes read-only files anyway");
        return;
    }
    let error = result.expect_err("cannot upgrade a read-only store");
    assert!(
        matches!(error, StoreError::SchemaOutdated { found: 9, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("syndic fetch"), "{error}");
}
