//! The pipeline tags with the vocabulary in force when a fetch starts: `serve` swaps it
//! through the `SharedTagger`, and the next ingest uses the new one. The item's language
//! and categories reach the tagger too.

use std::sync::Arc;

use syndic_core::{FetchMetrics, PostId, ScheduleSettings};
use syndic_fetch::{Fetcher, FetcherOptions, Location, Pipeline, SourceJob};
use syndic_store::{SourceSpec, Store};
use syndic_tag::{CategoryPolicy, SharedTagger, TagRule, Tagger, TaggingSettings};

fn feed(title: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>
<link>https://blog.example/</link><language>de</language>
<item><guid>a</guid><title>{title}</title><link>https://blog.example/a</link>
<category>Gärtnern</category><description>Kelp and kelp forests, more kelp.</description></item>
</channel></rss>"#
    )
    .into_bytes()
}

#[tokio::test]
async fn a_swapped_vocabulary_tags_the_next_ingest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite_path(&dir.path().join("swap.db"))
        .await
        .expect("store");
    let url = "https://blog.example/feed.rss";
    let spec = SourceSpec {
        url: url.into(),
        name: None,
    };
    let id = store
        .upsert_source(&spec, chrono::Utc::now())
        .await
        .expect("source");
    let shared = Arc::new(SharedTagger::new(Tagger::new(&[]).expect("empty")));
    let pipeline = Pipeline {
        fetcher: Fetcher::new(FetcherOptions::default()).expect("fetcher"),
        tagger: Arc::clone(&shared),
        store: store.clone(),
        schedule: ScheduleSettings::default(),
        metrics: Arc::new(FetchMetrics::default()),
        media: None,
        full_text: None,
        bodies: syndic_fetch::BodyGate::default(),
    };
    let job = SourceJob {
        id,
        location: Location::Http(url.parse().expect("url")),
        tags: Vec::new(),
        review: false,
        options: Default::default(),
    };
    pipeline
        .ingest_pushed(&job, feed("Kelp forests"))
        .await
        .expect("ingest");
    let names = |links: Vec<syndic_store::TagReason>| -> Vec<String> {
        links.into_iter().map(|l| l.tag.name).collect()
    };
    assert!(
        names(store.tag_reasons(PostId(1)).await.expect("links")).is_empty(),
        "the empty vocabulary gives nothing"
    );

    let settings = TaggingSettings {
        categories: CategoryPolicy::All,
        min_score: Some(0.0),
        ..TaggingSettings::default()
    };
    shared
        .replace(Tagger::with_settings(&[TagRule::new("kelp", &[])], &settings).expect("compiles"));
    pipeline
        .ingest_pushed(&job, feed("Kelp forests, again"))
        .await
        .expect("ingest again");
    let mut tags = names(store.tag_reasons(PostId(1)).await.expect("links"));
    tags.sort();
    assert_eq!(tags, ["Gärtnern", "kelp"]);
    let post = store
        .post_for_tagging(PostId(1))
        .await
        .expect("read")
        .expect("post");
    assert_eq!(post.language.as_deref(), Some("de"), "the feed's language");
}
