//! Subscribing: the request a hub receives carries the right form fields, and the stored
//! subscription holds the secret it was sent.

use syndic_feed::WebSubLinks;
use syndic_fetch::{Fetcher, FetcherOptions, LEASE_SECONDS, Subscriber};
use syndic_store::testing::{TestDatabase, TestEngine};
use syndic_store::{SourceSpec, Store, SubscriptionState};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A hub on 127.0.0.1 that answers every request `202` and hands on each request's body.
async fn hub() -> (String, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (sent, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            let body = loop {
                let read = stream.read(&mut buffer).await.expect("read");
                if read == 0 {
                    break String::new();
                }
                request.extend_from_slice(&buffer[..read]);
                let text = String::from_utf8_lossy(&request).into_owned();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length: usize = head
                        .lines()
                        .find_map(|line| {
                            let (name, value) = line.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length")
                                .then(|| value.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break body.to_owned();
                    }
                }
            };
            let _ = sent.send(body);
            let _ = stream
                .write_all(
                    b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
        }
    });
    (format!("http://{address}/hub"), received)
}

#[tokio::test]
async fn a_subscription_request_carries_topic_callback_secret_and_lease() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite_path(&dir.path().join("websub.db"))
        .await
        .expect("store");
    let spec = SourceSpec {
        url: "https://blog.example/feed.atom".into(),
        name: None,
    };
    let source = store
        .upsert_source(&spec, chrono::Utc::now())
        .await
        .expect("source");
    let fetcher = Fetcher::new(FetcherOptions {
        allow_networks: vec!["127.0.0.1/32".parse().expect("net")],
        ..FetcherOptions::default()
    })
    .expect("fetcher");
    let site = "https://syndic.example/hub".parse().expect("url");
    let subscriber = Subscriber::new(fetcher.clone(), store.clone(), &site).expect("public");
    let (hub_url, mut requests) = hub().await;
    let links = WebSubLinks {
        hubs: vec![hub_url.parse().expect("hub url")],
        topic: "https://blog.example/feed.atom".parse().expect("topic"),
    };

    subscriber
        .after_fetch(source, &links, chrono::Utc::now())
        .await
        .expect("subscribe");
    let body = requests.recv().await.expect("a request");
    let fields: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(fields["hub.mode"], "subscribe");
    assert_eq!(fields["hub.topic"], "https://blog.example/feed.atom");
    assert_eq!(
        fields["hub.callback"],
        format!("https://syndic.example/hub/websub/{source}")
    );
    assert_eq!(fields["hub.lease_seconds"], LEASE_SECONDS.to_string());
    let secret = &fields["hub.secret"];
    assert_eq!(secret.len(), 64);
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));

    let stored = store
        .subscription(source)
        .await
        .expect("read")
        .expect("some");
    assert_eq!(stored.state, SubscriptionState::Requested);
    assert_eq!(&stored.secret, secret);
    assert_eq!(stored.hub, hub_url);

    // Asked already: a second fetch with the same links sends nothing.
    subscriber
        .after_fetch(source, &links, chrono::Utc::now())
        .await
        .expect("no-op");
    assert!(requests.try_recv().is_err());
}

#[test]
fn a_site_on_a_private_address_does_not_subscribe() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = Store::open("sqlite::memory:").await.expect("store");
        let fetcher = Fetcher::new(FetcherOptions::default()).expect("fetcher");
        let local = "http://127.0.0.1:8080/".parse().expect("url");
        assert!(Subscriber::new(fetcher, store, &local).is_none());
    });
}

#[tokio::test]
async fn a_scheduler_round_that_stores_posts_pings_the_hubs_for_the_site_and_tag_feeds() {
    use syndic_core::ScheduleSettings;
    use syndic_fetch::{Limits, Location, ManualClock, Pipeline, Publisher, Scheduler, SourceJob};

    let dir = tempfile::tempdir().expect("temp dir");
    let feed = dir.path().join("feed.xml");
    std::fs::write(
        &feed,
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
         <link>https://blog.example/</link><item><guid>a</guid><title>A</title>\
         <description>a</description></item></channel></rss>",
    )
    .expect("write feed");
    let store = Store::open_sqlite_path(&dir.path().join("ping.db"))
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
    let fetcher = Fetcher::new(FetcherOptions {
        allow_networks: vec!["127.0.0.1/32".parse().expect("net")],
        ..FetcherOptions::default()
    })
    .expect("fetcher");
    let (hub_url, mut requests) = hub().await;
    let site: url::Url = "https://syndic.example/".parse().expect("site");
    let publisher = Publisher::new(fetcher.clone(), vec![hub_url.parse().expect("hub")], &site)
        .expect("hubs configured");
    let pipeline = Pipeline {
        fetcher,
        tagger: std::sync::Arc::new(syndic_tag::SharedTagger::new(
            syndic_tag::Tagger::new(&[]).expect("tagger"),
        )),
        store: store.clone(),
        schedule: ScheduleSettings::default(),
        metrics: std::sync::Arc::default(),
        media: None,
        full_text: None,
        bodies: syndic_fetch::BodyGate::default(),
    };
    let job = SourceJob {
        id,
        location: Location::File(feed),
        tags: vec!["Map".into()],
        review: false,
        options: Default::default(),
    };
    let clock = std::sync::Arc::new(ManualClock::new(chrono::Utc::now(), |_| {}));
    let limits = Limits {
        concurrency: 2,
        per_host: 1,
    };
    let scheduler = Scheduler::new(pipeline, vec![job], limits, clock).with_publisher(publisher);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(scheduler.run(async move {
        let mut stopped = stopped;
        let _ = stopped.wait_for(|stop| *stop).await;
    }));

    let mut pinged = Vec::new();
    for _ in 0..2 {
        let body = tokio::time::timeout(std::time::Duration::from_secs(20), requests.recv())
            .await
            .expect("a ping in time")
            .expect("a ping");
        let fields: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect();
        assert_eq!(fields["hub.mode"], "publish");
        pinged.push(fields["hub.url"].clone());
    }
    let _ = stop.send(true);
    running.await.expect("scheduler");
    assert_eq!(
        pinged,
        [
            "https://syndic.example/feed.atom",
            "https://syndic.example/tag/map/feed.atom"
        ],
        "the site feed, then the feed of the new post's tag (by its slug)"
    );
    assert!(requests.try_recv().is_err(), "one ping per feed and round");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_subscribes_once_and_renews_before_the_lease_ends() {
    subscribes_once_and_renews(TestEngine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_subscribes_once_and_renews_before_the_lease_ends_on_postgres() {
    subscribes_once_and_renews(TestEngine::Postgres).await;
}

/// The subscription's life, with its state kept in a store on `engine`.
async fn subscribes_once_and_renews(engine: TestEngine) {
    use chrono::{Duration, TimeZone, Utc};
    use syndic_core::ScheduleSettings;
    use syndic_fetch::{FetchEvent, Limits, Location, ManualClock, Pipeline, Scheduler, SourceJob};

    /// Runs a scheduler from `from` until simulated time reaches `until`; returns its fetches.
    async fn run(
        pipeline: &Pipeline,
        job: &SourceJob,
        subscriber: &Subscriber,
        from: chrono::DateTime<Utc>,
        until: chrono::DateTime<Utc>,
    ) -> Vec<FetchEvent> {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let clock = std::sync::Arc::new(ManualClock::new(from, move |now| {
            if now >= until {
                let _ = stop.send(true);
            }
        }));
        let (events, mut received) = mpsc::unbounded_channel();
        Scheduler::new(
            pipeline.clone(),
            vec![job.clone()],
            Limits::default(),
            clock,
        )
        .with_websub(subscriber.clone())
        .with_events(events)
        .run(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })
        .await;
        let mut fetches = Vec::new();
        while let Ok(event) = received.try_recv() {
            fetches.push(event);
        }
        fetches
    }

    async fn next_subscribe(
        requests: &mut mpsc::UnboundedReceiver<String>,
    ) -> std::collections::HashMap<String, String> {
        let body = tokio::time::timeout(std::time::Duration::from_secs(20), requests.recv())
            .await
            .expect("a subscription request in time")
            .expect("a subscription request");
        url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect()
    }

    let start = Utc
        .with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
        .single()
        .expect("date");
    let (hub_url, mut requests) = hub().await;
    let topic = "https://blog.example/feed.rss";
    let dir = tempfile::tempdir().expect("temp dir");
    let feed = dir.path().join("feed.xml");
    std::fs::write(
        &feed,
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\" \
             xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><title>t</title>\
             <link>https://blog.example/</link>\
             <atom:link rel=\"hub\" href=\"{hub_url}\"/>\
             <atom:link rel=\"self\" href=\"{topic}\"/>\
             <item><guid>a</guid><title>A</title><description>a</description></item>\
             </channel></rss>"
        ),
    )
    .expect("write feed");
    let test = "the_scheduler_subscribes_once_and_renews_before_the_lease_ends";
    let Some(database) = TestDatabase::new(engine, test) else {
        return;
    };
    let store = database.open().await;
    let spec = SourceSpec {
        url: feed.display().to_string(),
        name: None,
    };
    let id = store.upsert_source(&spec, start).await.expect("source");
    let fetcher = Fetcher::new(FetcherOptions {
        allow_networks: vec!["127.0.0.1/32".parse().expect("net")],
        ..FetcherOptions::default()
    })
    .expect("fetcher");
    let site: url::Url = "https://syndic.example/".parse().expect("site");
    let subscriber = Subscriber::new(fetcher.clone(), store.clone(), &site).expect("public");
    let pipeline = Pipeline {
        fetcher,
        tagger: std::sync::Arc::new(syndic_tag::SharedTagger::new(
            syndic_tag::Tagger::new(&[]).expect("tagger"),
        )),
        store: store.clone(),
        // Polled at least every half hour, so that two hours hold several rounds.
        schedule: ScheduleSettings {
            min_interval: Duration::minutes(15),
            max_interval: Duration::minutes(30),
        },
        metrics: std::sync::Arc::default(),
        media: None,
        full_text: None,
        bodies: syndic_fetch::BodyGate::default(),
    };
    let job = SourceJob {
        id,
        location: Location::File(feed),
        tags: Vec::new(),
        review: false,
        options: Default::default(),
    };

    // Two hours: the first fetch subscribes, the later ones (feed unchanged) do not.
    let paused = start + Duration::hours(2);
    let fetches = run(&pipeline, &job, &subscriber, start, paused).await;
    assert!(
        fetches.len() >= 2 && fetches.iter().all(|f| f.ok),
        "several good rounds: {fetches:?}"
    );
    let fields = next_subscribe(&mut requests).await;
    assert_eq!(fields["hub.mode"], "subscribe");
    assert_eq!(fields["hub.topic"], topic);
    assert_eq!(
        fields["hub.callback"],
        format!("https://syndic.example/websub/{id}")
    );
    assert!(
        requests.try_recv().is_err(),
        "one subscribe, however many rounds"
    );

    // The hub verifies with a two-day lease; the hourly renewal pass asks again once the
    // lease ends within a day, and not before.
    assert!(
        store
            .verify_subscription(id, 2 * 86_400, paused)
            .await
            .expect("verify")
    );
    let lease_until = store
        .subscription(id)
        .await
        .expect("read")
        .expect("some")
        .lease_until
        .expect("a lease");
    let renew_from = lease_until - syndic_fetch::RENEW_BEFORE;
    let early = run(&pipeline, &job, &subscriber, paused, renew_from).await;
    assert!(!early.is_empty(), "polling carried on");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(requests.try_recv().is_err(), "no renewal before it is due");
    let late = run(
        &pipeline,
        &job,
        &subscriber,
        renew_from,
        renew_from + Duration::hours(2),
    )
    .await;
    assert!(!late.is_empty(), "polling carried on");
    let renewal = next_subscribe(&mut requests).await;
    assert_eq!(renewal["hub.mode"], "subscribe");
    assert_eq!(renewal["hub.topic"], topic);
    assert_eq!(renewal["hub.callback"], fields["hub.callback"]);
    assert_ne!(renewal["hub.secret"], fields["hub.secret"], "a new secret");
    let renewed = store.subscription(id).await.expect("read").expect("some");
    assert_eq!(renewed.state, SubscriptionState::Requested);
    assert_eq!(renewed.secret, renewal["hub.secret"]);
}
