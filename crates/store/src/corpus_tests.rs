//! Document frequencies, saved tag models, reviews and decisions.

use syndic_core::{CorpusStats, PostId, TagDecisions};

use crate::tests::{at, entry, meta, store_with_source, tagged};

fn with_stems(guid: &str, day: u32, stems: &[&str]) -> crate::IncomingPost {
    let mut post = tagged(entry(guid, &format!("Post {guid}"), day), &["map"]);
    post.stems = stems.iter().map(|s| (*s).to_owned()).collect();
    post
}

async fn ingest_counts_the_stems_of_new_posts_only() {
    let (store, source, _dir) = store_with_source(None).await;
    let posts = [
        with_stems("a", 2, &["map", "sea"]),
        with_stems("b", 3, &["map"]),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    // The same posts again (unchanged or updated) are not counted twice; a new one is.
    let again = [
        with_stems("a", 2, &["map", "sea"]),
        with_stems("c", 4, &["sea", "a very \"quoted\" stem"]),
    ];
    store
        .ingest(source, &meta(), &again, at(11))
        .await
        .expect("ingest");
    let stats = store.corpus_stats(100).await.expect("stats");
    assert_eq!(stats.posts, 3);
    assert_eq!(
        stats.stems,
        [
            ("map".to_owned(), 2),
            ("sea".to_owned(), 2),
            ("a very \"quoted\" stem".to_owned(), 1),
        ]
    );
    assert_eq!(store.corpus_stats(1).await.expect("stats").stems.len(), 1);
}

async fn pending_rows(store: &crate::Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM corpus_pending")
        .fetch_one(&store.pool)
        .await
        .expect("count")
}

async fn an_indexing_pass_folds_the_pending_counts_and_the_stats_stay_the_same() {
    let (store, source, _dir) = store_with_source(None).await;
    for (n, guid) in ["a", "b", "c"].iter().enumerate() {
        let stems: &[&str] = if n == 1 { &["map", "sea"] } else { &["map"] };
        store
            .ingest(
                source,
                &meta(),
                &[with_stems(guid, 2, stems)],
                at(10 + n as u32),
            )
            .await
            .expect("ingest");
    }
    assert_eq!(pending_rows(&store).await, 3, "one row per ingest");
    let before = store.corpus_stats(100).await.expect("stats");
    store.index_search().await.expect("index");
    assert_eq!(pending_rows(&store).await, 0, "folded");
    let after = store.corpus_stats(100).await.expect("stats");
    assert_eq!(before, after);
    assert_eq!(after.posts, 3);
    assert_eq!(after.stems, [("map".to_owned(), 3), ("sea".to_owned(), 1)]);
    // Counts pending on top of folded ones add up.
    store
        .ingest(source, &meta(), &[with_stems("d", 5, &["sea"])], at(20))
        .await
        .expect("ingest");
    let both = store.corpus_stats(1).await.expect("stats");
    assert_eq!(both.posts, 4);
    assert_eq!(both.stems, [("map".to_owned(), 3)]);
    assert_eq!(
        store.corpus_stats(100).await.expect("stats").stems[1],
        ("sea".to_owned(), 2)
    );
}

async fn saving_replaces_the_counts_and_models_and_moves_the_version() {
    let (store, source, _dir) = store_with_source(None).await;
    let posts = [with_stems("a", 2, &["old"])];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let before = store.tag_model_version().await.expect("version");
    let stats = CorpusStats {
        posts: 40,
        stems: vec![("map".into(), 12), ("once".into(), 1)],
    };
    let models = [
        ("map".to_owned(), "{\"tag\":\"map\"}".to_owned()),
        ("no such tag".to_owned(), "{}".to_owned()),
    ];
    store
        .save_tag_learning(&stats, 2, &models, at(12))
        .await
        .expect("save");
    let saved = store.corpus_stats(100).await.expect("stats");
    assert_eq!(
        pending_rows(&store).await,
        0,
        "the recount replaces pending counts too"
    );
    assert_eq!(saved.posts, 40);
    assert_eq!(saved.stems, [("map".to_owned(), 12)], "rare stems dropped");
    assert_eq!(store.tag_models().await.expect("models"), models[..1]);
    assert_eq!(
        store.tag_model_version().await.expect("version"),
        before + 1
    );
}

async fn decisions_name_added_removed_and_reviewed_posts_with_what_they_carry() {
    let (store, source, _dir) = store_with_source(None).await;
    let posts = [
        tagged(entry("a", "A map", 2), &["map"]),
        tagged(entry("b", "Rust maps", 3), &["map", "rust"]),
        tagged(entry("c", "Nothing", 4), &[]),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    store
        .add_manual_tag(PostId(1), "sea", at(11))
        .await
        .expect("add");
    let rust = store.tag_by_slug("rust").await.expect("tag").expect("rust");
    store
        .remove_tag(PostId(2), rust.id, at(11))
        .await
        .expect("remove");
    store
        .mark_reviewed(PostId(3), at(12))
        .await
        .expect("review");
    assert!(store.mark_reviewed(PostId(99), at(12)).await.is_err());
    let decisions = store.tag_decisions().await.expect("decisions");
    assert_eq!(
        decisions,
        TagDecisions {
            added: vec![(PostId(1), "sea".into())],
            removed: vec![(PostId(2), "rust".into())],
            reviewed: vec![PostId(1), PostId(2), PostId(3)],
            carried: vec![
                (PostId(1), "map".into()),
                (PostId(1), "sea".into()),
                (PostId(2), "map".into()),
            ],
        }
    );
    assert_eq!(store.untagged_post_count().await.expect("count"), 1);
}

async fn posts_for_learning_are_read_newest_first_and_by_id() {
    let (store, source, _dir) = store_with_source(None).await;
    let posts = [
        tagged(entry("a", "A", 2), &[]),
        tagged(entry("b", "B", 3), &[]),
        tagged(entry("c", "C", 4), &[]),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let ids = |posts: Vec<syndic_core::PostForTagging>| -> Vec<i64> {
        posts.iter().map(|p| p.id.0).collect()
    };
    let newest = store
        .posts_for_tagging_before(PostId(i64::MAX), 2)
        .await
        .expect("read");
    assert_eq!(ids(newest), [3, 2]);
    let chosen = store
        .posts_for_tagging_by_id(&[PostId(3), PostId(1), PostId(42)])
        .await
        .expect("read");
    assert_eq!(ids(chosen), [1, 3]);
}

crate::tests::on_both_engines!(
    ingest_counts_the_stems_of_new_posts_only,
    an_indexing_pass_folds_the_pending_counts_and_the_stats_stay_the_same,
    saving_replaces_the_counts_and_models_and_moves_the_version,
    decisions_name_added_removed_and_reviewed_posts_with_what_they_carry,
    posts_for_learning_are_read_newest_first_and_by_id,
);
