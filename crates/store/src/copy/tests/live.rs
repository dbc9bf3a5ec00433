//! A copy of a store that another process writes to meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::super::*;
use super::other_engine_database;
use crate::tests::{at, entry, fresh_store, meta, on_both_engines, tagged};
use crate::{IncomingPost, SourceSpec};

/// Ingests one post with two tags per turn (one change of the clock each) until told to
/// stop, counting turns; on a runtime and a connection pool of its own, as another
/// process would.
fn writer(url: String, stop: Arc<AtomicU64>, done: Arc<AtomicU64>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let store = Store::open(&url).await.expect("the writer's store");
            let spec = SourceSpec {
                url: "https://busy.example/feed".into(),
                name: None,
            };
            let source = store.upsert_source(&spec, at(1)).await.expect("source");
            let mut n = 0;
            while stop.load(Ordering::SeqCst) == 0 {
                n += 1;
                let post = tagged(
                    entry(&format!("live{n}"), &format!("Live {n}"), 5),
                    &["a", "b"],
                );
                store
                    .ingest(source, &meta(), &[post], at(10))
                    .await
                    .expect("ingest");
                done.fetch_add(1, Ordering::SeqCst);
            }
        });
    })
}

/// Rows of posts and post_tags, and the clock's version.
async fn sizes(store: &Store) -> (u64, u64, i64) {
    let mut conn = store.pool.acquire().await.expect("connection");
    let posts = tables::count_rows(&mut conn, "posts").await.expect("posts");
    let links = tables::count_rows(&mut conn, "post_tags")
        .await
        .expect("links");
    let version = store.change_stamp().await.expect("stamp").version;
    (posts, links, version)
}

async fn a_store_written_to_while_it_is_copied_is_copied_as_it_was_at_one_moment() {
    let (source, source_db) = fresh_store().await;
    let spec = SourceSpec {
        url: "https://bulk.example/feed".into(),
        name: None,
    };
    let bulk = source.upsert_source(&spec, at(1)).await.expect("source");
    let posts: Vec<IncomingPost> = (0..1_200)
        .map(|n| {
            tagged(
                entry(&format!("b{n}"), &format!("Bulk {n}"), 3),
                &["a", "b"],
            )
        })
        .collect();
    source
        .ingest(bulk, &meta(), &posts, at(9))
        .await
        .expect("bulk");
    let (stop, done) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let thread = writer(
        source_db.url().to_owned(),
        Arc::clone(&stop),
        Arc::clone(&done),
    );
    while done.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let target_db = other_engine_database();
    let target = target_db.open().await;
    let mut seen = 0;
    let copied = source
        .copy_to(&target, |step| {
            // Within the posts, wait (blocking this thread only) until the writer has
            // committed twice more: those changes come after the snapshot.
            if let CopyProgress::Rows {
                table: "posts",
                copied,
                ..
            } = step
                && copied > 0
                && seen == 0
            {
                seen = done.load(Ordering::SeqCst);
                while done.load(Ordering::SeqCst) < seen + 2 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
            }
        })
        .await;
    stop.store(1, Ordering::SeqCst);
    thread.join().expect("the writer");
    copied.expect("copy");
    let (posts, links, version) = sizes(&target).await;
    let (source_posts, _, _) = sizes(&source).await;
    assert!(
        source_posts >= posts + 2,
        "writes after the snapshot are not in the copy"
    );
    assert_eq!(links, 2 * posts, "every copied post has both its tags");
    // The setup made 1 source (1 change), the bulk ingest (1), the writer's source (1):
    // every later change is one live post.
    let live = posts - 1_200;
    assert!(live >= 1, "{posts}");
    assert_eq!(
        version,
        3 + i64::try_from(live).expect("count"),
        "posts and clock from one moment"
    );
}

on_both_engines!(a_store_written_to_while_it_is_copied_is_copied_as_it_was_at_one_moment);
