//! The batched index: pending until a pass, caught up on open, never stale after one.

use syndic_core::Page;

use crate::tests::{at, entry, fresh_store, meta, store_with_source, tagged};
use crate::{PostFilter, SearchQuery, Store};

async fn titles(store: &Store, words: &str) -> Vec<String> {
    let query = SearchQuery {
        text: words.into(),
        ..SearchQuery::default()
    };
    let page = Page::new(1, 10).expect("page");
    let (hits, _) = store.search(&query, page).await.expect("search");
    hits.into_iter().map(|hit| hit.post.title).collect()
}

fn posts(titles: &[&str]) -> Vec<crate::IncomingPost> {
    titles
        .iter()
        .enumerate()
        .map(|(n, title)| tagged(entry(&format!("g{n}"), title, 2), &[]))
        .collect()
}

/// Stores posts titled `titles` (guids g0, g1, …) from `source` at `when`.
async fn ingest_titled(store: &Store, source: syndic_core::SourceId, titles: &[&str], when: u32) {
    store
        .ingest(source, &meta(), &posts(titles), at(when))
        .await
        .expect("ingest");
}

async fn an_ingest_only_records_posts_and_a_pass_indexes_them_all() {
    let (store, source, _db) = store_with_source(None).await;
    ingest_titled(&store, source, &["Kelp notes", "Tide notes"], 10).await;
    assert_eq!(store.search_pending().await.expect("pending"), 2);
    assert!(titles(&store, "kelp").await.is_empty(), "not indexed yet");
    assert!(!store.search_index_in_step().await.expect("check"));

    assert_eq!(store.index_search().await.expect("index"), 2);
    assert_eq!(store.search_pending().await.expect("pending"), 0);
    assert_eq!(titles(&store, "kelp").await, ["Kelp notes"]);
    assert!(store.search_index_in_step().await.expect("check"));
    assert_eq!(store.index_search().await.expect("nothing left"), 0);

    // The same feed again, unchanged: nothing to index.
    ingest_titled(&store, source, &["Kelp notes", "Tide notes"], 11).await;
    assert_eq!(store.search_pending().await.expect("pending"), 0);
}

async fn a_pass_is_due_after_enough_posts_and_not_for_a_few_just_stored() {
    let (store, source, _db) = store_with_source(None).await;
    ingest_titled(&store, source, &["Kelp notes"], 10).await;
    // One post pending, the last pass (at open) a moment ago: not due.
    assert_eq!(store.index_search_if_due().await.expect("due?"), 0);
    assert_eq!(store.search_pending().await.expect("pending"), 1);

    let many: Vec<_> = (0..crate::DUE_AFTER_POSTS)
        .map(|n| tagged(entry(&format!("m{n}"), "Tide notes", 3), &[]))
        .collect();
    store
        .ingest(source, &meta(), &many, at(11))
        .await
        .expect("ingest");
    let indexed = store.index_search_if_due().await.expect("due");
    assert_eq!(indexed, crate::DUE_AFTER_POSTS + 1);
    assert_eq!(store.search_pending().await.expect("pending"), 0);
    assert_eq!(titles(&store, "kelp").await, ["Kelp notes"]);
}

async fn opening_a_store_a_crashed_run_left_catches_the_index_up() {
    let (store, db) = fresh_store().await;
    let spec = crate::SourceSpec {
        url: "https://blog.example/feed.xml".into(),
        name: None,
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    ingest_titled(&store, source, &["Kelp notes", "Tide notes"], 10).await;
    // The run ends before any pass: the pending list is in the store.
    store.close().await;
    drop(store);

    let reopened = Store::open(db.url()).await.expect("reopen");
    assert_eq!(reopened.search_pending().await.expect("pending"), 0);
    assert_eq!(titles(&reopened, "tide").await, ["Tide notes"]);
    assert!(reopened.search_index_in_step().await.expect("check"));
}

async fn posts_deleted_before_or_after_their_pass_leave_no_entry() {
    let (store, source, _db) = store_with_source(None).await;
    ingest_titled(&store, source, &["Kelp notes", "Tide notes"], 10).await;
    store.index_search().await.expect("index");
    let more = vec![tagged(entry("late", "Kelp again", 3), &[])];
    store
        .ingest(source, &meta(), &more, at(11))
        .await
        .expect("ingest");
    // One indexed post and one still pending go.
    crate::testing::execute(&store, "DELETE FROM posts WHERE guid IN ('g0', 'late')")
        .await
        .expect("delete");
    assert_eq!(store.search_pending().await.expect("pending"), 0);
    assert!(titles(&store, "kelp").await.is_empty());
    assert!(store.search_index_in_step().await.expect("check"));
    assert_eq!(store.count_posts(PostFilter::All).await.expect("count"), 1);
}

async fn an_edit_is_indexed_again_and_its_old_words_are_gone() {
    let (store, source, _db) = store_with_source(None).await;
    ingest_titled(&store, source, &["Kelp notes"], 10).await;
    store.index_search().await.expect("index");
    let mut edited = entry("g0", "Seagrass notes", 2);
    edited.content_html = "<p>Seagrass stores carbon.</p>".into();
    edited.content_text = "Seagrass stores carbon.".into();
    store
        .ingest(source, &meta(), &[tagged(edited, &[])], at(11))
        .await
        .expect("ingest");
    assert_eq!(store.search_pending().await.expect("pending"), 1);
    assert_eq!(store.index_search().await.expect("index"), 1);
    assert!(titles(&store, "kelp").await.is_empty());
    assert_eq!(titles(&store, "carbon").await, ["Seagrass notes"]);
    assert!(store.search_index_in_step().await.expect("check"));
}

async fn a_damaged_index_is_found_by_the_check() {
    let (store, source, _db) = store_with_source(None).await;
    ingest_titled(&store, source, &["Kelp notes", "Tide notes"], 10).await;
    store.index_search().await.expect("index");
    // An entry written for other words than the post's.
    let damage = if store.engine_name() == "sqlite" {
        "DELETE FROM posts_fts WHERE rowid = 1;
         INSERT INTO posts_fts (rowid, title, content_text) VALUES (1, 'Other', 'words')"
    } else {
        "UPDATE search_documents SET document = '{1,2,3}'
         WHERE post_id = 1"
    };
    crate::testing::execute(&store, damage)
        .await
        .expect("damage");
    assert_eq!(store.search_entries_out_of_step().await.expect("check"), 1);
}

async fn the_check_compares_inside_a_read_only_transaction_and_leaves_pending_posts_out() {
    let (store, source, _db) = store_with_source(None).await;
    let stored = posts(&["Kelp notes", "Tide notes", "Reef notes"]);
    store
        .ingest(source, &meta(), &stored[..2], at(10))
        .await
        .expect("ingest");
    store.index_search().await.expect("index");
    let damage = if store.engine_name() == "sqlite" {
        "DELETE FROM posts_fts WHERE rowid = 2"
    } else {
        "DELETE FROM search_documents WHERE post_id = 2"
    };
    crate::testing::execute(&store, damage)
        .await
        .expect("damage");
    // A third post waits for the next pass: not a difference.
    store
        .ingest(source, &meta(), &stored, at(11))
        .await
        .expect("ingest");
    let mut conn = store.pool.acquire().await.expect("connection");
    // PostgreSQL's read-only transaction refuses temporary tables; the check needs none.
    let mut snapshot = sqlx::Connection::begin_with(&mut *conn, store.engine.begin_snapshot())
        .await
        .expect("a read-only transaction");
    let compared = super::compare_with_posts(&mut snapshot, store.engine)
        .await
        .expect("the comparison");
    assert_eq!(
        compared,
        super::IndexComparison {
            pending: 1,
            differing: 1
        }
    );
}

async fn a_pass_leaves_no_entry_pending_in_the_engine_s_index() {
    let (store, source, _db) = store_with_source(None).await;
    ingest_titled(
        &store,
        source,
        &["Kelp notes", "Tide notes", "Reef notes"],
        10,
    )
    .await;
    assert_eq!(store.index_search().await.expect("index"), 3);
    let Some(settle) = store.engine.settle_search() else {
        return; // SQLite: FTS5 merges its segments itself.
    };
    // How many pages of pending entries the merge found: none, the pass merged them.
    let pending: i64 = sqlx::query_scalar(settle)
        .fetch_one(&store.pool)
        .await
        .expect("the merge runs");
    assert_eq!(pending, 0);
    assert_eq!(titles(&store, "reef").await, ["Reef notes"]);
}

crate::tests::on_both_engines!(
    a_pass_leaves_no_entry_pending_in_the_engine_s_index,
    an_ingest_only_records_posts_and_a_pass_indexes_them_all,
    a_pass_is_due_after_enough_posts_and_not_for_a_few_just_stored,
    opening_a_store_a_crashed_run_left_catches_the_index_up,
    posts_deleted_before_or_after_their_pass_leave_no_entry,
    an_edit_is_indexed_again_and_its_old_words_are_gone,
    a_damaged_index_is_found_by_the_check,
    the_check_compares_inside_a_read_only_transaction_and_leaves_pending_posts_out,
);
