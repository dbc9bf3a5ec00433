use chrono::Duration;
use syndic_core::SourceId;

use crate::SubscriptionState;
use crate::fetch_state::tests::moves_the_clock;
use crate::tests::{at, store_with_source};

const HUB: &str = "https://hub.example/";
const TOPIC: &str = "https://blog.example/feed.xml";

async fn a_request_is_stored_as_requested_without_a_lease() {
    let (store, source, _dir) = store_with_source(None).await;
    assert_eq!(store.subscription(source).await.expect("read"), None);
    store
        .request_subscription(source, HUB, TOPIC, "s3cret", at(2))
        .await
        .expect("request");
    let sub = store
        .subscription(source)
        .await
        .expect("read")
        .expect("some");
    assert_eq!(sub.hub, HUB);
    assert_eq!(sub.topic, TOPIC);
    assert_eq!(sub.secret, "s3cret");
    assert_eq!(sub.state, SubscriptionState::Requested);
    assert_eq!(sub.lease_until, None);
    assert_eq!(sub.created_at, at(2));
    assert!(!format!("{sub:?}").contains("s3cret"), "secret redacted");
}

async fn verify_sets_the_lease_and_renewal_lists_it_when_due() {
    let (store, source, _dir) = store_with_source(None).await;
    store
        .request_subscription(source, HUB, TOPIC, "s", at(2))
        .await
        .expect("request");
    assert!(
        store
            .verify_subscription(source, 86_400 * 3, at(2))
            .await
            .expect("verify")
    );
    let sub = store
        .subscription(source)
        .await
        .expect("read")
        .expect("some");
    assert_eq!(sub.state, SubscriptionState::Verified);
    assert_eq!(sub.lease_until, Some(at(5)));

    let due = |before| {
        let store = store.clone();
        async move { store.subscriptions_to_renew(before).await.expect("list") }
    };
    assert!(due(at(4)).await.is_empty(), "lease not near its end yet");
    let renew = due(at(5) + Duration::seconds(1)).await;
    assert_eq!(renew.len(), 1);
    assert_eq!(renew[0].source, source);
}

async fn a_new_request_forgets_the_lease_and_deny_stops_renewal() {
    let (store, source, _dir) = store_with_source(None).await;
    store
        .request_subscription(source, HUB, TOPIC, "old", at(2))
        .await
        .expect("request");
    store
        .verify_subscription(source, 60, at(2))
        .await
        .expect("verify");
    store
        .request_subscription(source, "https://hub2.example/", TOPIC, "new", at(3))
        .await
        .expect("renew");
    let sub = store
        .subscription(source)
        .await
        .expect("read")
        .expect("some");
    assert_eq!(
        (
            sub.state,
            sub.lease_until,
            sub.secret.as_str(),
            sub.hub.as_str()
        ),
        (
            SubscriptionState::Requested,
            None,
            "new",
            "https://hub2.example/"
        )
    );
    assert_eq!(sub.created_at, at(2), "created once");

    store
        .verify_subscription(source, 60, at(3))
        .await
        .expect("verify");
    assert!(store.deny_subscription(source, at(3)).await.expect("deny"));
    let sub = store
        .subscription(source)
        .await
        .expect("read")
        .expect("some");
    assert_eq!(
        (sub.state, sub.lease_until),
        (SubscriptionState::Denied, None)
    );
    assert!(
        store
            .subscriptions_to_renew(at(30))
            .await
            .expect("list")
            .is_empty()
    );
}

async fn changes_to_an_unknown_subscription_report_false() {
    let (store, _source, _dir) = store_with_source(None).await;
    assert!(
        !store
            .verify_subscription(SourceId(99), 60, at(2))
            .await
            .expect("verify")
    );
    assert!(
        !store
            .deny_subscription(SourceId(99), at(2))
            .await
            .expect("deny")
    );
}

async fn subscription_writes_do_not_move_the_change_clock() {
    let (store, source, _dir) = store_with_source(None).await;
    let writes = async {
        store
            .request_subscription(source, HUB, TOPIC, "s", at(2))
            .await
            .expect("request");
        store
            .verify_subscription(source, 60, at(2))
            .await
            .expect("verify");
        store.deny_subscription(source, at(3)).await.expect("deny");
    };
    assert!(!moves_the_clock(&store, writes).await);
}

async fn stuck_requests_after_a_day_and_denials_after_a_week_are_selected() {
    let (store, requested, _dir) = store_with_source(None).await;
    let spec = |url: &str| crate::SourceSpec {
        url: url.into(),
        name: None,
    };
    let denied = store
        .upsert_source(&spec("https://denied.example/feed"), at(1))
        .await
        .expect("source");
    let verified = store
        .upsert_source(&spec("https://verified.example/feed"), at(1))
        .await
        .expect("source");
    for source in [requested, denied, verified] {
        store
            .request_subscription(source, HUB, TOPIC, "s", at(2))
            .await
            .expect("request");
    }
    store.deny_subscription(denied, at(3)).await.expect("deny");
    store
        .verify_subscription(verified, 60, at(2))
        .await
        .expect("verify");
    let sub = store
        .subscription(denied)
        .await
        .expect("read")
        .expect("some");
    assert_eq!((sub.state_since, sub.created_at), (at(3), at(2)));

    // As the renewal pass asks at `now`: requested for a day, denied for a week.
    let stuck = |now: chrono::DateTime<chrono::Utc>| {
        let store = store.clone();
        async move {
            let list = store
                .stuck_subscriptions(now - Duration::days(1), now - Duration::days(7))
                .await
                .expect("list");
            list.into_iter().map(|sub| sub.source).collect::<Vec<_>>()
        }
    };
    assert!(stuck(at(3)).await.is_empty(), "requested only a day ago");
    assert_eq!(stuck(at(3) + Duration::hours(1)).await, vec![requested]);
    assert_eq!(
        stuck(at(10)).await,
        vec![requested],
        "denied exactly a week"
    );
    assert_eq!(
        stuck(at(10) + Duration::seconds(1)).await,
        vec![requested, denied]
    );

    // Asking again starts the clock over; a verified subscription is never stuck.
    store
        .request_subscription(requested, HUB, TOPIC, "s2", at(10))
        .await
        .expect("retry");
    assert_eq!(stuck(at(10) + Duration::hours(1)).await, vec![denied]);
    assert!(!stuck(at(30)).await.contains(&verified));
}

#[tokio::test]
async fn migrating_a_version_5_database_times_each_subscription_from_its_creation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v5.db");
    let pool = crate::tests::sqlite_at_version(&path, 5).await;
    sqlx::raw_sql(
        "INSERT INTO sources (id, url, slug, created_at) VALUES (1, 'https://a.example/f', 'a', 100);
         INSERT INTO websub_subscriptions (source_id, hub, topic, secret, state, created_at)
             VALUES (1, 'https://hub.example/', 'https://a.example/f', 's', 'denied', 200);",
    )
    .execute(&pool)
    .await
    .expect("old rows");
    pool.close().await;

    let store = crate::Store::open_sqlite_path(&path)
        .await
        .expect("migrate");
    let sub = store
        .subscription(SourceId(1))
        .await
        .expect("read")
        .expect("some");
    assert_eq!(sub.state_since, crate::from_secs(200));
}

crate::tests::on_both_engines!(
    a_request_is_stored_as_requested_without_a_lease,
    verify_sets_the_lease_and_renewal_lists_it_when_due,
    a_new_request_forgets_the_lease_and_deny_stops_renewal,
    changes_to_an_unknown_subscription_report_false,
    subscription_writes_do_not_move_the_change_clock,
    stuck_requests_after_a_day_and_denials_after_a_week_are_selected,
);
