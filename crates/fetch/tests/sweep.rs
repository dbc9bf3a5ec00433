//! A sweep over many local feeds on both engines: every source fetched once, in claims of
//! a batch each, not one claim per fetch that ends.

use std::sync::Arc;

use chrono::Duration;
use syndic_core::schedule::ScheduleSettings;
use syndic_fetch::{
    BodyGate, Fetcher, FetcherOptions, LeaseSettings, Limits, Location, Pipeline, SourceJob, Sweep,
    SweepEvent,
};
use syndic_store::SourceSpec;
use syndic_store::testing::{TestDatabase, TestEngine};
use syndic_tag::{SharedTagger, Tagger};

const SOURCES: usize = 64;
const CONCURRENCY: usize = 8;

fn rss(n: usize) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>feed {n}</title>\
         <link>https://feed{n}.example/</link><description>feed {n}</description>\
         <item><title>post of {n}</title><link>https://feed{n}.example/1</link>\
         <guid>https://feed{n}.example/1</guid><description>words {n}</description></item>\
         </channel></rss>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_of_many_local_files_claims_in_batches_on_sqlite() {
    claims_in_batches(TestEngine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_of_many_local_files_claims_in_batches_on_postgres() {
    claims_in_batches(TestEngine::Postgres).await;
}

/// Regression: each claim took half as many sources as the one before, down to one, so a
/// sweep made about one claim per source (and many empty ones). A claim once half the
/// fetches in flight have ended takes that half back: about `2 * SOURCES / CONCURRENCY`
/// claims.
async fn claims_in_batches(engine: TestEngine) {
    let test = "a_sweep_of_many_local_files_claims_in_batches";
    let Some(database) = TestDatabase::new(engine, test) else {
        return;
    };
    let store = database.open().await;
    let dir = tempfile::tempdir().expect("a folder");
    let mut jobs = Vec::new();
    for n in 0..SOURCES {
        let path = dir.path().join(format!("{n}.xml"));
        std::fs::write(&path, rss(n)).expect("a feed file");
        let spec = SourceSpec {
            url: path.display().to_string(),
            name: None,
        };
        let id = store
            .upsert_source(&spec, chrono::Utc::now())
            .await
            .expect("a source");
        jobs.push(SourceJob {
            id,
            location: Location::File(path),
            tags: Vec::new(),
            review: false,
            options: Default::default(),
        });
    }
    let pipeline = Pipeline {
        fetcher: Fetcher::new(FetcherOptions::default()).expect("a fetcher"),
        tagger: Arc::new(SharedTagger::new(Tagger::new(&[]).expect("a tagger"))),
        store: store.clone(),
        schedule: ScheduleSettings {
            min_interval: Duration::minutes(15),
            max_interval: Duration::hours(6),
        },
        metrics: Arc::default(),
        media: None,
        full_text: None,
        bodies: BodyGate::default(),
    };
    let limits = Limits {
        concurrency: CONCURRENCY,
        per_host: 2,
    };
    for pass in ["first", "unchanged"] {
        let mut sweep = Sweep::listed(
            pipeline.clone(),
            jobs.clone(),
            limits,
            LeaseSettings::default(),
        );
        let mut fetched = 0;
        while let Some(event) = sweep.next().await.expect("a sweep") {
            match event {
                SweepEvent::Fetched((job, result)) => {
                    result.unwrap_or_else(|e| panic!("{pass} fetch of {}: {e}", job.location));
                    fetched += 1;
                }
                SweepEvent::Held { job, .. } => panic!("{} held by nobody", job.location),
            }
        }
        let claims = sweep.claims();
        sweep.stop().await;
        assert_eq!(fetched, SOURCES, "{pass}: every source once");
        // A claim after the first comes once half of the eight in flight have ended, and
        // takes back at least as many: at most 1 + 64 / 4 claims (and a few at the end).
        assert!(
            claims <= 1 + SOURCES / (CONCURRENCY / 2) + 2,
            "{pass} sweep of {SOURCES} sources made {claims} claims"
        );
    }
    store.close().await;
}
