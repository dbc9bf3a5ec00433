//! `Pipeline::ingest` counts every fetch in its metrics registry.

use std::sync::Arc;

use syndic_core::{FetchMetrics, FetchOutcome, ScheduleSettings};
use syndic_fetch::{Fetcher, FetcherOptions, Location, Pipeline, SourceJob};
use syndic_store::{SourceSpec, Store};
use syndic_tag::Tagger;

const FEED: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Local</title><link>https://local.example/</link>
<item><guid>a</guid><title>First</title><description>One</description></item>
<item><guid>b</guid><title>Second</title><description>Two</description></item>
<item><guid>c</guid><title>Third</title><description>Three</description></item>
</channel></rss>"#;

fn sample(text: &str, series: &str) -> String {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .to_owned()
}

#[tokio::test]
async fn an_ok_fetch_then_an_unchanged_one_are_counted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let feed = dir.path().join("feed.xml");
    std::fs::write(&feed, FEED).expect("write feed");
    let store = Store::open_sqlite_path(&dir.path().join("fetch.db"))
        .await
        .expect("store");
    let spec = SourceSpec {
        url: feed.display().to_string(),
        name: None,
    };
    let id = store
        .upsert_source(&spec, chrono::Utc::now())
        .await
        .expect("source");
    let metrics = Arc::new(FetchMetrics::default());
    let pipeline = Pipeline {
        fetcher: Fetcher::new(FetcherOptions::default()).expect("fetcher"),
        tagger: Arc::new(syndic_tag::SharedTagger::new(
            Tagger::new(&[]).expect("tagger"),
        )),
        store: store.clone(),
        schedule: ScheduleSettings::default(),
        metrics: Arc::clone(&metrics),
        media: None,
        full_text: None,
        bodies: syndic_fetch::BodyGate::default(),
    };
    let job = SourceJob {
        id,
        location: Location::File(feed.clone()),
        tags: Vec::new(),
        review: false,
        options: Default::default(),
    };

    let first = pipeline.ingest(&job).await.expect("first fetch");
    assert_eq!(first.stats.new, 3);
    let second = pipeline.ingest(&job).await.expect("second fetch");
    assert!(second.unchanged);

    assert_eq!(metrics.fetches(FetchOutcome::Ok), 1);
    assert_eq!(metrics.fetches(FetchOutcome::NotModified), 1);
    let text = metrics.render(&[]);
    assert_eq!(sample(&text, r#"syndic_fetches_total{outcome="ok"}"#), "1");
    assert_eq!(
        sample(&text, r#"syndic_fetches_total{outcome="not_modified"}"#),
        "1"
    );
    assert_eq!(
        sample(&text, r#"syndic_fetches_total{outcome="failed"}"#),
        "0"
    );
    assert_eq!(sample(&text, "syndic_posts_new_total"), "3");
    assert_eq!(sample(&text, "syndic_posts_updated_total"), "0");
    assert_eq!(sample(&text, "syndic_fetch_duration_seconds_count"), "2");
    // Both reads saw the whole file; the second found the same bytes.
    assert_eq!(
        sample(&text, "syndic_fetch_bytes_total"),
        (2 * FEED.len()).to_string()
    );

    std::fs::remove_file(&feed).expect("remove feed");
    pipeline
        .ingest(&job)
        .await
        .expect_err("a missing file fails");
    assert_eq!(metrics.fetches(FetchOutcome::Failed), 1);
    store.close().await;
}
