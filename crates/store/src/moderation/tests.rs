//! Takedowns, tombstones, review and the audit log, on both engines.

use syndic_core::{Actor, Admission, Page, PostId, PostState};

use crate::tests::{at, entry, meta, store_with_source, tagged};
use crate::{IncomingPost, PostFilter, SearchQuery, SourceSpec, Store};

fn held(mut post: IncomingPost, admission: Admission) -> IncomingPost {
    post.admission = admission;
    post
}

/// What a reader can find of post `id`: (in the home listing, in the tag `map`'s archive,
/// in search for `kelp`, its page, the source's count, the tag's count).
async fn seen(store: &Store, id: PostId) -> (bool, bool, bool, bool, i64, i64) {
    // Search indexes in batches since migration 12: bring it in step first.
    store.index_search().await.expect("index");
    let page = Page::new(1, 50).expect("page");
    let home = store.posts(PostFilter::All, page).await.expect("home");
    let tag = store.tag_by_slug("map").await.expect("tag").expect("map");
    let archive = store
        .posts(PostFilter::Tag(tag.id), page)
        .await
        .expect("archive");
    let query = SearchQuery {
        text: "kelp".into(),
        ..SearchQuery::default()
    };
    let (hits, _) = store.search(&query, page).await.expect("search");
    let sources = store.sources().await.expect("sources");
    (
        home.iter().any(|p| p.id == id),
        archive.iter().any(|p| p.id == id),
        hits.iter().any(|h| h.post.id == id),
        store.post(id).await.expect("post").is_some(),
        sources.iter().map(|s| s.post_count).sum(),
        tag.post_count,
    )
}

async fn a_taken_down_post_leaves_every_reader_view_and_a_restore_brings_it_back() {
    let (store, source, _db) = store_with_source(None).await;
    let posts = vec![
        tagged(entry("a", "Kelp forests", 2), &["map"]),
        tagged(entry("b", "Tide pools", 3), &["map"]),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let kelp = store
        .find_post("https://blog.example/a")
        .await
        .expect("find");
    let kelp = kelp.expect("the kelp post by its URL");
    assert_eq!(
        store.find_post(&kelp.to_string()).await.expect("find"),
        Some(kelp)
    );
    assert_eq!(seen(&store, kelp).await, (true, true, true, true, 2, 2));

    let before = store.change_stamp().await.expect("stamp");
    let removed = store
        .remove_post(kelp, "the author asked", Actor::Cli, at(11))
        .await
        .expect("remove");
    assert!(removed);
    assert!(store.change_stamp().await.expect("stamp").version > before.version);
    assert_eq!(seen(&store, kelp).await, (false, false, false, false, 1, 1));
    let (newer, older) = store
        .neighbours(PostId(kelp.0 + 1))
        .await
        .expect("neighbours");
    assert_eq!(
        (newer, older),
        (None, None),
        "a removed post is nobody's neighbour"
    );
    let standing = store
        .post_standing(kelp)
        .await
        .expect("state")
        .expect("kept");
    assert_eq!(standing.state, PostState::Removed);
    assert_eq!(standing.detail, "the author asked");
    let listed = store.removed_posts(10).await.expect("removed");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id, listed[0].title.as_str()),
        (kelp, "Kelp forests")
    );
    assert!(
        !store
            .remove_post(kelp, "again", Actor::Cli, at(11))
            .await
            .expect("remove twice")
    );

    assert!(
        store
            .restore_post(kelp, Actor::Admin, at(12))
            .await
            .expect("restore")
    );
    assert_eq!(seen(&store, kelp).await, (true, true, true, true, 2, 2));
    assert!(
        !store
            .restore_post(kelp, Actor::Admin, at(12))
            .await
            .expect("twice")
    );
    let log = store.audit_log(None, 10).await.expect("audit");
    let actions: Vec<(&str, Actor, &str)> = log
        .iter()
        .map(|e| (e.action.as_str(), e.actor, e.reason.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("restore", Actor::Admin, ""),
            ("remove", Actor::Cli, "the author asked")
        ]
    );
    assert_eq!(log[1].target, format!("post {kelp}"));
    assert_eq!(log[1].time, at(11));
}

async fn a_taken_down_post_stays_down_when_its_feed_still_carries_it() {
    let (store, source, _db) = store_with_source(None).await;
    let posts = vec![tagged(entry("a", "Kelp forests", 2), &["map"])];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let kelp = store
        .find_post("https://blog.example/a")
        .await
        .expect("find")
        .expect("kelp");
    store
        .remove_post(kelp, "asked", Actor::Cli, at(11))
        .await
        .expect("remove");

    // The feed still carries it, changed, and under a new guid with the same link.
    let mut changed = entry("a", "Kelp forests, revised", 2);
    changed.content_text = "revised".into();
    let mut new_guid = entry("a2", "Kelp forests", 2);
    new_guid.link = Some("http://www.blog.example/a/".into());
    let again = vec![tagged(changed, &["map"]), tagged(new_guid, &["map"])];
    let stats = store
        .ingest(source, &meta(), &again, at(12))
        .await
        .expect("again");
    assert_eq!((stats.new, stats.updated, stats.buried), (0, 0, 2));
    let post = store
        .post_in_any_state(kelp)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(post.title, "Kelp forests", "a removed post is not updated");
    assert!(!seen(&store, kelp).await.0, "a removed post is not listed");
    assert!(store.pending_posts(10).await.expect("pending").is_empty());
}

async fn a_second_source_carrying_a_taken_down_link_does_not_bring_it_back() {
    let (store, source, _db) = store_with_source(None).await;
    let posts = vec![tagged(entry("a", "Kelp forests", 2), &["map"])];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let kelp = store
        .find_post("https://blog.example/a")
        .await
        .expect("find")
        .expect("kelp");
    store
        .reject_posts(&[kelp], "copied without leave", Actor::Api, at(11))
        .await
        .expect("reject");
    let planet = SourceSpec {
        url: "https://planet.example/feed".into(),
        name: Some("Planet".into()),
    };
    let planet = store.upsert_source(&planet, at(11)).await.expect("planet");
    let mut copy = entry("planet-1", "Kelp forests", 2);
    copy.link = Some("https://blog.example/a#top".into());
    let other = entry("planet-2", "Other news", 3);
    let posts = vec![tagged(copy, &["map"]), tagged(other, &[])];
    let stats = store
        .ingest(planet, &meta(), &posts, at(12))
        .await
        .expect("planet");
    // The copy is the taken-down post's article: recorded as one more source of it, which
    // stays down.
    assert_eq!((stats.new, stats.merged), (1, 1));
    let home = store
        .posts(PostFilter::All, Page::new(1, 10).expect("page"))
        .await
        .expect("home");
    let titles: Vec<&str> = home.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["Other news"]);
}

async fn review_holds_new_posts_tagged_and_hidden_until_approved() {
    let (store, source, _db) = store_with_source(Some("Tidepool")).await;
    let posts = vec![
        held(
            tagged(entry("a", "Kelp forests", 2), &["map"]),
            Admission::Review,
        ),
        held(
            tagged(entry("b", "Tide pools", 3), &["map"]),
            Admission::Review,
        ),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let pending = store.pending_posts(10).await.expect("pending");
    let listed: Vec<(&str, Option<&str>, &str)> = pending
        .iter()
        .map(|p| (p.title.as_str(), p.link.as_deref(), p.source.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("Tide pools", Some("https://blog.example/b"), "Tidepool"),
            ("Kelp forests", Some("https://blog.example/a"), "Tidepool"),
        ]
    );
    let kelp = pending[1].id;
    assert_eq!(seen(&store, kelp).await, (false, false, false, false, 0, 0));
    let post = store
        .post_in_any_state(kelp)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(post.tags.len(), 1, "a pending post is tagged");

    // An update while pending keeps it pending.
    let changed = held(
        tagged(entry("a", "Kelp forests!", 2), &["map"]),
        Admission::Publish,
    );
    store
        .ingest(source, &meta(), &[changed], at(11))
        .await
        .expect("update");
    assert_eq!(store.pending_posts(10).await.expect("pending").len(), 2);

    let approved = store
        .approve_posts(&[kelp, kelp], Actor::Cli, at(12))
        .await
        .expect("approve");
    assert_eq!(approved, 1);
    assert_eq!(seen(&store, kelp).await, (true, true, true, true, 1, 1));
    // An update to a published post keeps it published, whatever the admission says.
    let changed = held(
        tagged(entry("a", "Kelp forests!!", 2), &["map"]),
        Admission::Review,
    );
    store
        .ingest(source, &meta(), &[changed], at(13))
        .await
        .expect("update");
    assert!(store.post(kelp).await.expect("post").is_some());
    assert_eq!(store.pending_posts(10).await.expect("pending").len(), 1);
    let unknown = store
        .approve_posts(&[PostId(999)], Actor::Cli, at(13))
        .await;
    assert!(unknown.is_err(), "an unknown post is refused");
}

async fn a_filtered_post_keeps_its_rule_and_is_recorded() {
    let (store, source, _db) = store_with_source(None).await;
    let rule = Admission::Filter {
        rule: "no-ads".into(),
    };
    let posts = vec![
        held(tagged(entry("a", "Buy now", 2), &["map"]), rule),
        tagged(entry("b", "Kelp", 3), &["map"]),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let filtered = store.filtered_posts(10).await.expect("filtered");
    assert_eq!(filtered.len(), 1);
    assert_eq!(
        (filtered[0].title.as_str(), filtered[0].detail.as_str()),
        ("Buy now", "no-ads")
    );
    assert_eq!(filtered[0].state, PostState::Filtered);
    let log = store
        .audit_log(Some(crate::to_secs(at(10))), 10)
        .await
        .expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].action.as_str(), log[0].reason.as_str()),
        ("filter", "no-ads")
    );
    assert!(
        store
            .audit_log(Some(crate::to_secs(at(11))), 10)
            .await
            .expect("log")
            .is_empty()
    );
    let tag = store.tag_by_slug("map").await.expect("tag").expect("map");
    assert_eq!(tag.post_count, 1);
}

async fn purging_a_source_takes_down_all_its_posts_at_once() {
    let (store, source, _db) = store_with_source(None).await;
    let posts = vec![
        tagged(entry("a", "Kelp forests", 2), &["map"]),
        tagged(entry("b", "Tide pools", 3), &[]),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    let taken = store
        .remove_source_posts(source, "blog closed", Actor::Cli, at(11))
        .await
        .expect("purge");
    assert_eq!(taken, 2);
    assert_eq!(store.removed_posts(10).await.expect("removed").len(), 2);
    let stats = store
        .ingest(source, &meta(), &posts, at(12))
        .await
        .expect("again");
    assert_eq!((stats.new, stats.buried), (0, 2));
    let log = store.audit_log(None, 10).await.expect("log");
    assert_eq!(log[0].action, "purge");
    assert_eq!(log[0].target, format!("source {source} (2 posts)"));
    store
        .record_audit(Actor::Admin, "pause", "source 1", "", at(13))
        .await
        .expect("record");
    assert_eq!(
        store.audit_log(None, 1).await.expect("log")[0].action,
        "pause"
    );
}

crate::tests::on_both_engines!(
    a_taken_down_post_leaves_every_reader_view_and_a_restore_brings_it_back,
    a_taken_down_post_stays_down_when_its_feed_still_carries_it,
    a_second_source_carrying_a_taken_down_link_does_not_bring_it_back,
    review_holds_new_posts_tagged_and_hidden_until_approved,
    a_filtered_post_keeps_its_rule_and_is_recorded,
    purging_a_source_takes_down_all_its_posts_at_once,
);
