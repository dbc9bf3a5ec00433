//! `/metrics`: the fetch counters and the sources by status, in the Prometheus text format.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LAST_MODIFIED};
use chrono::Utc;
use common::{fixture, get};
use syndic_core::{FetchMetrics, FetchOutcome};
use syndic_web::router;

fn sample<'a>(text: &'a str, series: &str) -> &'a str {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

#[tokio::test]
async fn metrics_show_the_registry_and_the_sources_by_status() {
    let fx = fixture(10).await;
    let sources = fx.store().sources().await.expect("sources");
    fx.store()
        .record_gone(sources[0].id, "HTTP 410", Utc::now())
        .await
        .expect("gone");
    let metrics = Arc::new(FetchMetrics::default());
    metrics.record_fetch(FetchOutcome::Ok, Duration::from_millis(200), 4096);
    metrics.record_fetch(FetchOutcome::Refused, Duration::from_millis(1), 0);
    metrics.record_posts(5, 1);
    metrics.set_scheduler_lag(2.5);
    let app = router(fx.state.clone().with_metrics(Arc::clone(&metrics)));

    let reply = get(&app, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers[CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert_eq!(reply.headers[CACHE_CONTROL], "no-store");
    assert!(!reply.headers.contains_key(LAST_MODIFIED));
    let text = &reply.body;
    assert!(
        text.contains("# TYPE syndic_fetches_total counter\n"),
        "{text}"
    );
    assert!(text.contains("# TYPE syndic_sources gauge\n"), "{text}");
    assert_eq!(sample(text, r#"syndic_sources{status="ok"}"#), "1");
    assert_eq!(sample(text, r#"syndic_sources{status="failing"}"#), "0");
    assert_eq!(sample(text, r#"syndic_sources{status="waiting"}"#), "0");
    assert_eq!(sample(text, r#"syndic_sources{status="gone"}"#), "1");
    assert_eq!(sample(text, r#"syndic_fetches_total{outcome="ok"}"#), "1");
    assert_eq!(
        sample(text, r#"syndic_fetches_total{outcome="refused"}"#),
        "1"
    );
    assert_eq!(
        sample(text, r#"syndic_fetches_total{outcome="timeout"}"#),
        "0"
    );
    assert_eq!(
        sample(text, r#"syndic_fetch_duration_seconds_bucket{le="0.25"}"#),
        "2"
    );
    assert_eq!(sample(text, "syndic_fetch_duration_seconds_count"), "2");
    assert_eq!(sample(text, "syndic_fetch_bytes_total"), "4096");
    assert_eq!(sample(text, "syndic_posts_new_total"), "5");
    assert_eq!(sample(text, "syndic_posts_updated_total"), "1");
    assert_eq!(sample(text, "syndic_scheduler_lag_seconds"), "2.5");

    // The registry is shared: later fetches show on the next scrape.
    metrics.record_fetch(FetchOutcome::Ok, Duration::from_millis(10), 1);
    let again = get(&app, "/metrics").await;
    assert_eq!(
        sample(&again.body, r#"syndic_fetches_total{outcome="ok"}"#),
        "2"
    );
}

#[tokio::test]
async fn without_a_registry_metrics_are_zeros_beside_the_sources() {
    let fx = fixture(10).await;
    let reply = get(&fx.app, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers[CACHE_CONTROL], "no-store");
    let text = &reply.body;
    assert_eq!(sample(text, r#"syndic_sources{status="ok"}"#), "2");
    assert_eq!(sample(text, r#"syndic_sources{status="gone"}"#), "0");
    assert_eq!(sample(text, r#"syndic_fetches_total{outcome="ok"}"#), "0");
    assert_eq!(sample(text, "syndic_fetch_duration_seconds_count"), "0");
    assert_eq!(sample(text, "syndic_scheduler_lag_seconds"), "0");
}

#[tokio::test]
async fn the_static_site_leaves_metrics_out() {
    let fx = fixture(10).await;
    let paths = syndic_web::static_site::paths(&fx.state)
        .await
        .expect("paths");
    assert!(!paths.is_empty());
    assert!(paths.iter().all(|path| !path.url.contains("metrics")));
}

#[tokio::test]
async fn metrics_count_posts_per_tag_and_posts_without_a_tag() {
    let fx = fixture(10).await;
    let tags = fx.store().tags().await.expect("tags");
    assert!(!tags.is_empty(), "the fixture has tagged posts");
    let untagged = fx.store().untagged_post_count().await.expect("count");
    let app = router(fx.state.clone());
    let text = get(&app, "/metrics").await.body;
    assert!(text.contains("# TYPE syndic_tag_posts gauge\n"), "{text}");
    for tag in &tags {
        let series = format!("syndic_tag_posts{{tag=\"{}\"}}", tag.name);
        assert_eq!(sample(&text, &series), tag.post_count.to_string());
    }
    assert_eq!(sample(&text, "syndic_untagged_posts"), untagged.to_string());
    let all = fx
        .store()
        .count_posts(syndic_store::PostFilter::All)
        .await
        .expect("count");
    assert!(
        untagged >= 0 && (untagged as u64) < all,
        "some posts are tagged"
    );
}
