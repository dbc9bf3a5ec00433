//! Per-source settings on both engines: pauses (configuration and admin) keep a source
//! from every claim, fetch-now makes it due, freeze keeps the first version, templates
//! and origins reach the posts read back.

use std::collections::HashSet;

use syndic_core::{Actor, EntryOrigin, Page, SourceId};

use crate::tests::{at, entry, meta, store_with_source, tagged};
use crate::{
    ClaimRequest, Claimable, LeaseOwner, PostFilter, SlotLimits, SourceSettings, Store,
    UpdatePolicy,
};

/// The sources a claim for every configured source takes at `day`.
async fn claimed(store: &Store, source: SourceId, day: u32) -> Vec<SourceId> {
    let configured: HashSet<SourceId> = HashSet::from([source]);
    let owner = LeaseOwner::new("test:1:aa");
    let outcome = store
        .claim(&ClaimRequest {
            owner: &owner,
            which: Claimable::Due(&configured),
            capacity: 10,
            limits: SlotLimits {
                concurrency: 10,
                per_host: 10,
            },
            now: at(day),
            until: at(day) + chrono::Duration::seconds(60),
        })
        .await
        .expect("claim");
    for claim in &outcome.claimed {
        store.release(claim).await.expect("release");
    }
    outcome.claimed.iter().map(|c| c.source).collect()
}

async fn posts(store: &Store) -> Vec<syndic_core::Post> {
    store
        .posts(PostFilter::All, Page::new(1, 10).expect("page"))
        .await
        .expect("posts")
}

async fn a_paused_source_is_never_claimed_until_both_pauses_are_lifted() {
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    assert_eq!(claimed(&store, source, 2).await, [source]);

    let paused = SourceSettings {
        paused: true,
        ..SourceSettings::default()
    };
    assert!(
        store
            .sync_source_settings(source, &paused)
            .await
            .expect("sync")
    );
    assert!(
        !store
            .sync_source_settings(source, &paused)
            .await
            .expect("sync again")
    );
    assert!(claimed(&store, source, 3).await.is_empty());
    assert!(store.due_sources(at(3)).await.expect("due").is_empty());
    assert_eq!(store.paused_sources().await.expect("paused"), [source]);

    // The admin pauses too; the configuration lets go: still paused.
    assert!(
        store
            .set_source_paused(source, true, Actor::Admin, at(3))
            .await
            .expect("pause")
    );
    assert!(
        !store
            .set_source_paused(source, true, Actor::Admin, at(3))
            .await
            .expect("pause again")
    );
    store
        .sync_source_settings(source, &SourceSettings::default())
        .await
        .expect("unpause in the configuration");
    assert!(claimed(&store, source, 4).await.is_empty());
    let listed = store.sources().await.expect("sources");
    assert!(listed[0].paused, "{listed:?}");
    assert!(
        !store
            .fetch_source_now(source, Actor::Admin, at(4))
            .await
            .expect("fetch now")
    );

    assert!(
        store
            .set_source_paused(source, false, Actor::Admin, at(4))
            .await
            .expect("resume")
    );
    assert!(!store.sources().await.expect("sources")[0].paused);
    assert!(
        store
            .fetch_source_now(source, Actor::Admin, at(4))
            .await
            .expect("fetch now")
    );
    assert_eq!(claimed(&store, source, 4).await, [source]);
    let decisions: Vec<(Actor, String, String)> = store
        .audit_log(None, 10)
        .await
        .expect("audit")
        .into_iter()
        .map(|entry| (entry.actor, entry.action, entry.target))
        .collect();
    let on_source = format!("source {}", source.0);
    assert_eq!(
        decisions,
        [
            (Actor::Admin, "fetch now".to_owned(), on_source.clone()),
            (Actor::Admin, "resume".to_owned(), on_source.clone()),
            (Actor::Admin, "pause".to_owned(), on_source),
        ],
        "newest first; a pause that changed nothing and a refused fetch now are not recorded"
    );
    assert!(matches!(
        store
            .set_source_paused(SourceId(999), true, Actor::Admin, at(4))
            .await,
        Err(crate::StoreError::UnknownSource { .. })
    ));
}

async fn fetch_now_makes_a_source_due_at_once() {
    let (store, source, _db) = store_with_source(None).await;
    store
        .ingest(source, &meta(), &[tagged(entry("a", "A", 2), &[])], at(2))
        .await
        .expect("ingest");
    let record = crate::FetchRecord {
        etag: None,
        last_modified: None,
        body_hash: None,
        next_fetch: at(20),
        hint: None,
    };
    store
        .outcomes(source)
        .record_unchanged(&record, at(2))
        .await
        .expect("schedule");
    assert!(claimed(&store, source, 3).await.is_empty());
    assert!(
        store
            .fetch_source_now(source, Actor::Admin, at(3))
            .await
            .expect("fetch now")
    );
    assert_eq!(claimed(&store, source, 3).await, [source]);
}

async fn a_frozen_source_keeps_the_first_version_of_each_post() {
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    let freeze = SourceSettings {
        updates: UpdatePolicy::Freeze,
        ..SourceSettings::default()
    };
    store
        .sync_source_settings(source, &freeze)
        .await
        .expect("sync");
    let first = [tagged(entry("a", "First words", 2), &["map"])];
    store
        .ingest(source, &meta(), &first, at(2))
        .await
        .expect("first");
    let changed = [
        tagged(entry("a", "Edited words", 2), &["boat"]),
        tagged(entry("b", "A new post", 3), &["map"]),
    ];
    let stats = store
        .ingest(source, &meta(), &changed, at(3))
        .await
        .expect("second");
    assert_eq!((stats.new, stats.updated, stats.unchanged), (1, 0, 1));
    let posts = posts(&store).await;
    let kept = posts.iter().find(|p| p.guid == "a").expect("post a");
    assert_eq!(kept.title, "First words");
    assert_eq!(kept.updated, None);
    let tags: Vec<&str> = kept.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tags, ["map"]);

    // Following again, the next change lands.
    store
        .sync_source_settings(source, &SourceSettings::default())
        .await
        .expect("follow");
    let stats = store
        .ingest(source, &meta(), &changed[..1], at(4))
        .await
        .expect("third");
    assert_eq!(stats.updated, 1);
}

async fn templates_and_origins_reach_the_posts_read_back() {
    let (store, source, _db) = store_with_source(Some("Planet")).await;
    let mut carried = entry("a", "Carried", 2);
    carried.origin = Some(EntryOrigin {
        title: "Original Blog".into(),
        url: Some("https://original.example/".into()),
        feed: None,
    });
    let mut signed = entry("b", "Signed", 3);
    signed.author = Some("Ada".into());
    signed.origin = carried.origin.clone();
    let own = entry("c", "Own", 4);
    let batch = [tagged(carried, &[]), tagged(signed, &[]), tagged(own, &[])];
    store
        .ingest(source, &meta(), &batch, at(4))
        .await
        .expect("ingest");

    let credit =
        |post: &syndic_core::Post| (post.attribution.clone(), post.credited_source.clone());
    let before: Vec<_> = posts(&store).await.iter().map(credit).collect();
    let planet = || ("Planet".to_owned(), "Planet".to_owned());
    assert_eq!(
        before,
        [planet(), ("Ada".into(), "Planet".into()), planet()]
    );

    let settings = SourceSettings {
        credit_original: true,
        attribution: Some("{title} from {source}".into()),
        ..SourceSettings::default()
    };
    store
        .sync_source_settings(source, &settings)
        .await
        .expect("sync");
    let posts = posts(&store).await;
    let after: Vec<_> = posts.iter().map(credit).collect();
    let original = "Original Blog".to_owned();
    assert_eq!(
        after,
        [
            planet(),
            ("Ada".into(), original.clone()),
            (original.clone(), original)
        ]
    );
    assert_eq!(
        posts[0].attribution_template.as_deref(),
        Some("{title} from {source}")
    );
}

/// `full_content` is kept with the source's settings and listed with it; changing it
/// writes once, removing it clears it.
async fn full_content_is_stored_with_the_settings_and_listed_with_the_source() {
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    let listed = |store: Store| async move {
        let sources = store.sources().await.expect("sources");
        sources
            .into_iter()
            .find(|s| s.id == source)
            .expect("the source")
            .full_content
    };
    assert_eq!(listed(store.clone()).await, None);
    let selector = SourceSettings {
        full_content: Some("article .entry-content".into()),
        ..SourceSettings::default()
    };
    assert!(
        store
            .sync_source_settings(source, &selector)
            .await
            .expect("sync")
    );
    assert!(
        !store
            .sync_source_settings(source, &selector)
            .await
            .expect("sync again")
    );
    assert_eq!(
        store.source_settings(source).await.expect("settings"),
        selector
    );
    assert_eq!(
        listed(store.clone()).await.as_deref(),
        Some("article .entry-content")
    );
    let off = SourceSettings::default();
    assert!(
        store
            .sync_source_settings(source, &off)
            .await
            .expect("sync")
    );
    assert_eq!(listed(store.clone()).await, None);
}

crate::tests::on_both_engines!(
    full_content_is_stored_with_the_settings_and_listed_with_the_source,
    a_paused_source_is_never_claimed_until_both_pauses_are_lifted,
    fetch_now_makes_a_source_due_at_once,
    a_frozen_source_keeps_the_first_version_of_each_post,
    templates_and_origins_reach_the_posts_read_back,
);
