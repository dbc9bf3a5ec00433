//! The WebSub callback: verification echoes the challenge only for the subscribed topic;
//! pushes reach the sink only with a right signature, and are answered 202 either way.

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use hmac::{Hmac, Mac};
use syndic_core::SourceId;
use syndic_store::SubscriptionState;
use syndic_web::{PushSink, router};
use tower::ServiceExt;

use common::{Fixture, fixture, get};

const TOPIC: &str = "https://tidepool.example/feed.xml";
const SECRET: &str = "0123456789abcdef";

#[derive(Default)]
struct Sink(Mutex<Vec<(SourceId, Vec<u8>)>>);

impl PushSink for Sink {
    fn accept(&self, source: SourceId, body: Vec<u8>) {
        self.0.lock().expect("lock").push((source, body));
    }
}

async fn subscribed() -> (Fixture, Router, Arc<Sink>) {
    let fixture = fixture(10).await;
    fixture
        .store()
        .request_subscription(
            SourceId(1),
            "https://hub.example/",
            TOPIC,
            SECRET,
            Utc::now(),
        )
        .await
        .expect("request");
    let sink = Arc::new(Sink::default());
    let app = router(fixture.state.clone().with_push_sink(sink.clone()));
    (fixture, app, sink)
}

fn verification(mode: &str, topic: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", mode)
        .append_pair("hub.topic", topic)
        .append_pair("hub.challenge", "c-h a&llenge")
        .append_pair("hub.lease_seconds", "3600")
        .finish();
    format!("/websub/1?{query}")
}

#[tokio::test]
async fn verification_echoes_the_challenge_and_stores_the_lease() {
    let (fixture, app, _sink) = subscribed().await;
    let reply = get(&app, &verification("subscribe", TOPIC)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "c-h a&llenge");
    assert!(
        reply.headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain")
    );
    assert_eq!(reply.headers["cache-control"], "no-store");
    let sub = fixture
        .store()
        .subscription(SourceId(1))
        .await
        .expect("read")
        .expect("some");
    assert_eq!(sub.state, SubscriptionState::Verified);
    let lease = sub.lease_until.expect("lease") - Utc::now();
    assert!((3590..=3600).contains(&lease.num_seconds()), "{lease}");
}

#[tokio::test]
async fn verification_for_another_topic_or_source_is_not_found() {
    let (fixture, app, _sink) = subscribed().await;
    for uri in [
        verification("subscribe", "https://evil.example/feed.xml"),
        verification("subscribe", TOPIC).replace("/websub/1?", "/websub/2?"),
        verification("subscribe", TOPIC).replace("/websub/1?", "/websub/x?"),
        verification("unsubscribe", TOPIC),
        verification("nonsense", TOPIC),
    ] {
        let reply = get(&app, &uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!reply.body.contains("llenge"), "{uri}");
    }
    let sub = fixture
        .store()
        .subscription(SourceId(1))
        .await
        .expect("read");
    assert_eq!(sub.expect("some").state, SubscriptionState::Requested);
}

#[tokio::test]
async fn a_denial_is_recorded() {
    let (fixture, app, _sink) = subscribed().await;
    let reply = get(&app, &verification("denied", TOPIC)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let sub = fixture
        .store()
        .subscription(SourceId(1))
        .await
        .expect("read");
    assert_eq!(sub.expect("some").state, SubscriptionState::Denied);
}

fn signed<M: Mac + hmac::digest::KeyInit>(algorithm: &str, body: &[u8]) -> String {
    let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{algorithm}={hex}")
}

async fn push(app: &Router, uri: &str, signature: Option<&str>, body: &[u8]) -> StatusCode {
    let mut request = Request::post(uri).header("content-type", "application/atom+xml");
    if let Some(signature) = signature {
        request = request.header("x-hub-signature", signature);
    }
    let request = request.body(Body::from(body.to_vec())).expect("request");
    app.clone()
        .oneshot(request)
        .await
        .expect("infallible")
        .status()
}

#[tokio::test]
async fn signed_pushes_reach_the_sink_and_others_are_ignored_with_202() {
    let (_fixture, app, sink) = subscribed().await;
    let body = b"<feed xmlns=\"http://www.w3.org/2005/Atom\"/>";
    let sha256 = signed::<Hmac<sha2::Sha256>>("sha256", body);
    let sha1 = signed::<Hmac<sha1::Sha1>>("sha1", body);
    assert_eq!(
        push(&app, "/websub/1", Some(&sha256), body).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        push(&app, "/websub/1", Some(&sha1), body).await,
        StatusCode::ACCEPTED
    );

    let wrong = signed::<Hmac<sha2::Sha256>>("sha256", b"another body");
    for signature in [Some(wrong.as_str()), Some("sha256=00"), None] {
        assert_eq!(
            push(&app, "/websub/1", signature, body).await,
            StatusCode::ACCEPTED
        );
    }
    let received = sink.0.lock().expect("lock").clone();
    assert_eq!(
        received,
        vec![(SourceId(1), body.to_vec()), (SourceId(1), body.to_vec())]
    );
    assert_eq!(
        push(&app, "/websub/2", Some(&sha256), body).await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_push_over_one_mebibyte_is_refused() {
    let (_fixture, app, sink) = subscribed().await;
    let body = vec![b'x'; syndic_web::MAX_PUSH_BYTES + 1];
    let signature = signed::<Hmac<sha2::Sha256>>("sha256", &body);
    let status = push(&app, "/websub/1", Some(&signature), &body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(sink.0.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn feeds_advertise_the_configured_hubs_and_none_without() {
    let fixture = fixture(10).await;
    let mut site = (*fixture.state.site).clone();
    site.hubs = vec!["https://hub.example/websub".parse().expect("hub")];
    let store = fixture.store().clone();
    let app = router(syndic_web::AppState::new(store, site).expect("state"));
    let atom = get(&app, "/feed.atom").await.body;
    assert!(
        atom.contains(r#"<link rel="hub" href="https://hub.example/websub"/>"#),
        "{atom}"
    );
    let rss = get(&app, "/tag/map/feed.rss").await.body;
    assert!(
        rss.contains(r#"<atom:link href="https://hub.example/websub" rel="hub"/>"#),
        "{rss}"
    );
    let plain = get(&fixture.app, "/feed.atom").await.body;
    assert!(!plain.contains(r#"rel="hub""#));
}
