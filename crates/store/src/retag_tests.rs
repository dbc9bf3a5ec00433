//! Retag diffs, manual tags and vetoes.

use syndic_core::{PostId, TagAssignment, TagOrigin};

use crate::tests::{at, entry, meta, store_with_source, tagged};
use crate::{Store, TagCache, VocabularyTag};

fn term(tag: &str, detail: &str) -> TagAssignment {
    TagAssignment {
        tag: tag.into(),
        origin: TagOrigin::Term,
        detail: detail.into(),
    }
}

/// Each post's tags as "name:origin:detail", sorted.
async fn links(store: &Store, post: PostId) -> Vec<String> {
    let mut out: Vec<String> = store
        .tag_reasons(post)
        .await
        .expect("links")
        .into_iter()
        .map(|l| format!("{}:{}:{}", l.tag.name, l.origin, l.detail))
        .collect();
    out.sort();
    out
}

/// Three posts: 1 tagged map, 2 tagged map and rust, 3 untagged.
async fn three_posts() -> (Store, crate::testing::TestDatabase) {
    let (store, source, dir) = store_with_source(None).await;
    let posts = [
        tagged(entry("a", "A map", 2), &["map"]),
        tagged(entry("b", "Rust maps", 3), &["map", "rust"]),
        tagged(entry("c", "Nothing", 4), &[]),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    (store, dir)
}

async fn a_dry_run_reports_the_difference_and_writes_nothing() {
    let (store, _dir) = three_posts().await;
    let clock = store.last_change().await.expect("clock");
    let before: Vec<_> = [
        links(&store, PostId(1)).await,
        links(&store, PostId(2)).await,
        links(&store, PostId(3)).await,
    ]
    .to_vec();
    let batch = vec![
        (PostId(1), vec![term("map", "\"map\" in title")]),
        (PostId(2), vec![term("rust", "\"rust\" in title")]),
        (PostId(3), vec![term("brand new", "x")]),
    ];
    let diff = store
        .retag_batch(&batch, true, &mut TagCache::default(), at(11))
        .await
        .expect("dry");
    assert_eq!(diff.changes.len(), 2, "{diff:?}");
    assert_eq!(diff.changes[0].post, PostId(2));
    assert_eq!(diff.changes[0].lost, ["map"]);
    assert!(diff.changes[0].gained.is_empty());
    assert_eq!(diff.changes[1].gained, ["brand new"]);
    let after: Vec<_> = [
        links(&store, PostId(1)).await,
        links(&store, PostId(2)).await,
        links(&store, PostId(3)).await,
    ]
    .to_vec();
    assert_eq!(before, after, "a dry run writes no link");
    assert!(
        store.tag_by_name("brand new").await.expect("tag").is_none(),
        "a dry run creates no tag"
    );
    assert_eq!(store.last_change().await.expect("clock"), clock);
}

async fn applying_writes_only_the_difference_and_updates_details() {
    let (store, _dir) = three_posts().await;
    let batch = vec![
        (PostId(1), vec![term("map", "\"map\" in content")]),
        (PostId(2), vec![term("rust", "\"rust\" in title")]),
        (
            PostId(3),
            vec![TagAssignment {
                tag: "Gardening".into(),
                origin: TagOrigin::Category,
                detail: "feed category \"gardening\"".into(),
            }],
        ),
    ];
    let diff = store
        .retag_batch(&batch, false, &mut TagCache::default(), at(11))
        .await
        .expect("apply");
    // post 1: detail changed (1 upsert); post 2: map deleted, rust unchanged; post 3: new.
    assert_eq!((diff.rows_deleted, diff.rows_written), (1, 2), "{diff:?}");
    assert_eq!(
        links(&store, PostId(1)).await,
        ["map:term:\"map\" in content"]
    );
    assert_eq!(
        links(&store, PostId(2)).await,
        ["rust:term:\"rust\" in title"]
    );
    assert_eq!(
        links(&store, PostId(3)).await,
        ["Gardening:category:feed category \"gardening\""],
        "a category outside the vocabulary becomes a tag"
    );
    let again = store
        .retag_batch(&batch, false, &mut TagCache::default(), at(12))
        .await
        .expect("again");
    assert_eq!((again.rows_deleted, again.rows_written), (0, 0));
    assert!(again.changes.is_empty());
}

async fn manual_tags_survive_retag_and_vetoes_keep_tags_away() {
    let (store, source, _dir) = store_with_source(None).await;
    store
        .ingest(
            source,
            &meta(),
            &[tagged(entry("a", "A map of rust", 2), &["map", "rust"])],
            at(10),
        )
        .await
        .expect("ingest");
    let post = PostId(1);
    let added = store
        .add_manual_tag(post, "travel", at(11))
        .await
        .expect("add");
    assert!(added.created_tag && !added.already_manual && !added.lifted_veto);
    let rust = store.tag_by_name("rust").await.expect("q").expect("rust");
    let removed = store
        .remove_tag(post, rust.id, at(11))
        .await
        .expect("remove");
    assert_eq!(removed.links_removed, 1);
    assert_eq!(
        store.post_vetoes(post).await.expect("vetoes")[0].name,
        "rust"
    );

    // A retag that still finds map and rust, and not travel.
    let batch = vec![(post, vec![term("map", "m"), term("rust", "r")])];
    let diff = store
        .retag_batch(&batch, false, &mut TagCache::default(), at(12))
        .await
        .expect("retag");
    assert!(diff.changes.is_empty(), "{diff:?}");
    assert_eq!(
        links(&store, post).await,
        ["map:term:m", "travel:manual:added by hand on 2026-03-11"]
    );
    // Re-ingesting the post with rust does not bring it back either.
    let mut changed = entry("a", "A map of rust, again", 2);
    changed.content_text = "changed".into();
    store
        .ingest(
            source,
            &meta(),
            &[tagged(changed, &["map", "rust"])],
            at(13),
        )
        .await
        .expect("ingest again");
    assert!(
        !links(&store, post)
            .await
            .iter()
            .any(|l| l.starts_with("rust"))
    );

    // Adding it by hand lifts the veto.
    let back = store
        .add_manual_tag(post, "rust", at(14))
        .await
        .expect("add");
    assert!(back.lifted_veto && !back.created_tag);
    assert!(store.post_vetoes(post).await.expect("vetoes").is_empty());
    let diff = store
        .retag_batch(&batch, false, &mut TagCache::default(), at(15))
        .await
        .expect("retag");
    assert!(diff.changes.is_empty(), "{diff:?}");
    assert!(
        links(&store, post)
            .await
            .contains(&"rust:manual:added by hand on 2026-03-14".to_owned())
    );
    assert!(
        links(&store, post)
            .await
            .contains(&"rust:term:r".to_owned())
    );
}

async fn a_manual_tag_that_retag_also_finds_is_no_gain() {
    let (store, _dir) = three_posts().await;
    store
        .add_manual_tag(PostId(3), "rust", at(11))
        .await
        .expect("add");
    let diff = store
        .retag_batch(
            &[(PostId(3), vec![term("rust", "r")])],
            true,
            &mut TagCache::default(),
            at(12),
        )
        .await
        .expect("dry");
    assert!(diff.changes.is_empty(), "{diff:?}");
    assert_eq!(diff.rows_written, 1);
}

async fn unknown_posts_are_refused_by_manual_commands() {
    let (store, _dir) = three_posts().await;
    let err = store
        .add_manual_tag(PostId(99), "map", at(11))
        .await
        .expect_err("no post 99");
    assert!(err.to_string().contains("no post 99"), "{err}");
}

async fn the_vocabulary_sync_keeps_descriptions_and_exactly_the_aliases() {
    let (store, _dir) = three_posts().await;
    let vocabulary = vec![VocabularyTag {
        name: "map".into(),
        description: "Maps and cartography".into(),
        aliases: vec!["Maps".into(), "cartography".into()],
    }];
    store
        .sync_vocabulary(&vocabulary, at(11))
        .await
        .expect("sync");
    let found = store
        .tag_by_slug_or_alias("cartography")
        .await
        .expect("q")
        .expect("alias leads to the tag");
    assert_eq!(found.name, "map");
    let details = store.tag_details().await.expect("details");
    let map = details.iter().find(|d| d.tag.name == "map").expect("map");
    assert_eq!(map.tag.description, "Maps and cartography");
    assert_eq!(map.aliases, ["cartography", "maps"]);

    let fewer = vec![VocabularyTag {
        aliases: vec!["cartography".into()],
        ..vocabulary[0].clone()
    }];
    store.sync_vocabulary(&fewer, at(12)).await.expect("sync");
    assert!(
        store
            .tag_by_slug_or_alias("maps")
            .await
            .expect("q")
            .is_none()
    );
}

async fn the_language_is_stored_and_read_back_for_tagging() {
    let (store, source, _dir) = store_with_source(None).await;
    let mut german = entry("a", "Karten", 2);
    german.language = Some("de-AT".into());
    store
        .ingest(source, &meta(), &[tagged(german, &[])], at(10))
        .await
        .expect("ingest");
    let post = store
        .post_for_tagging(PostId(1))
        .await
        .expect("read")
        .expect("post");
    assert_eq!(post.language.as_deref(), Some("de-AT"));
    let batch = store.posts_for_tagging(PostId(0), 10).await.expect("batch");
    assert_eq!(batch[0].language.as_deref(), Some("de-AT"));
}

crate::tests::on_both_engines!(
    a_dry_run_reports_the_difference_and_writes_nothing,
    applying_writes_only_the_difference_and_updates_details,
    manual_tags_survive_retag_and_vetoes_keep_tags_away,
    a_manual_tag_that_retag_also_finds_is_no_gain,
    unknown_posts_are_refused_by_manual_commands,
    the_vocabulary_sync_keeps_descriptions_and_exactly_the_aliases,
    the_language_is_stored_and_read_back_for_tagging,
);
