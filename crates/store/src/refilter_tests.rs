//! Re-applying rules to stored posts, on both engines.

use syndic_core::{Actor, PostId, PostState, TagOrigin};

use crate::tests::{at, entry, meta, store_with_source, tagged};
use crate::{FilterMove, Store};

fn to(post: PostId, state: PostState, rule: &str) -> FilterMove {
    FilterMove {
        post,
        state,
        rule: rule.into(),
    }
}

async fn id_of(store: &Store, guid: &str) -> PostId {
    let url = format!("https://blog.example/{guid}");
    store
        .find_post(&url)
        .await
        .expect("find")
        .expect("the post")
}

async fn refilter_reads_published_and_filtered_posts_and_moves_them_both_ways() {
    let (store, source, _db) = store_with_source(None).await;
    let posts = vec![
        tagged(entry("a", "Kelp forests", 2), &["map"]),
        tagged(entry("b", "Tide pools", 3), &[]),
        tagged(entry("c", "Sea otters", 4), &[]),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let (kelp, tide, otters) = (
        id_of(&store, "a").await,
        id_of(&store, "b").await,
        id_of(&store, "c").await,
    );
    store
        .remove_post(otters, "asked", Actor::Cli, at(11))
        .await
        .expect("remove");

    // Paged, in id order; the removed post is never read.
    let first = store.posts_for_filter(PostId(0), 1).await.expect("read");
    assert_eq!(first.len(), 1);
    let rest = store.posts_for_filter(first[0].id, 10).await.expect("read");
    let read: Vec<PostId> = first.iter().chain(&rest).map(|p| p.id).collect();
    assert_eq!(read, [kelp, tide]);
    assert_eq!(first[0].state, PostState::Published);
    assert_eq!(first[0].tags, [("map".to_owned(), TagOrigin::Term)]);
    assert!(first[0].content_text.contains("Kelp"), "{:?}", first[0]);

    let before = store.change_stamp().await.expect("stamp");
    let moves = [
        to(kelp, PostState::Filtered, "no kelp"),
        to(otters, PostState::Filtered, "no kelp"),
    ];
    let moved = store
        .move_filtered(&moves, Actor::Cli, at(12))
        .await
        .expect("move");
    assert_eq!(moved, 1, "a removed post never moves");
    assert!(store.change_stamp().await.expect("stamp").version > before.version);
    assert!(store.post(kelp).await.expect("post").is_none());
    let filtered = store.filtered_posts(10).await.expect("filtered");
    assert_eq!(filtered.len(), 1);
    assert_eq!(
        (filtered[0].id, filtered[0].detail.as_str()),
        (kelp, "no kelp")
    );
    let standing = store.post_standing(otters).await.expect("state");
    assert_eq!(standing.map(|s| s.state), Some(PostState::Removed));
    let again = store.posts_for_filter(PostId(0), 10).await.expect("read");
    assert_eq!(again[0].state, PostState::Filtered);
    assert_eq!(again[0].detail, "no kelp");

    let moved = store
        .move_filtered(&[to(kelp, PostState::Published, "")], Actor::Cli, at(13))
        .await
        .expect("move back");
    assert_eq!(moved, 1);
    assert!(store.post(kelp).await.expect("post").is_some());
    let log = store.audit_log(None, 10).await.expect("log");
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["unfilter", "filter", "remove"]);
    assert_eq!(log[1].reason, "no kelp");
    assert_eq!(log[1].actor, Actor::Cli);
}

crate::tests::on_both_engines!(
    refilter_reads_published_and_filtered_posts_and_moves_them_both_ways,
);
