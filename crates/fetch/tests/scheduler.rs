//! The scheduler over a simulated day: local feeds, a controllable clock, no real sleeping.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use syndic_core::SourceId;
use syndic_core::schedule::ScheduleSettings;
use syndic_fetch::{
    FetchEvent, Fetcher, FetcherOptions, Limits, Location, ManualClock, Pipeline, Scheduler,
    SourceJob,
};
use syndic_store::{SourceSpec, Store};
use syndic_tag::Tagger;
use tokio::sync::{mpsc, watch};

const MIN: Duration = Duration::minutes(15);

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
        .single()
        .expect("date")
}

/// An RSS document with one item per date.
fn rss(name: &str, dates: &[DateTime<Utc>]) -> String {
    let items: String = dates
        .iter()
        .map(|date| {
            let n = date.timestamp();
            format!(
                "<item><title>{name} {n}</title><link>https://{name}.example/{n}</link>\
                 <guid>https://{name}.example/{n}</guid><pubDate>{}</pubDate>\
                 <description>post {n}</description></item>",
                date.to_rfc2822()
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name}</title>\
         <link>https://{name}.example/</link><description>{name}</description>{items}\
         </channel></rss>"
    )
}

/// The busy feed as it stands at `now`: a post every 30 minutes, the newest ten.
fn write_busy(path: &Path, now: DateTime<Utc>) {
    let first = start() - Duration::hours(5);
    let mut dates: Vec<_> = (0..)
        .map(|k| first + Duration::minutes(30) * k)
        .take_while(|date| *date <= now)
        .collect();
    dates.reverse();
    dates.truncate(10);
    std::fs::write(path, rss("busy", &dates)).expect("write busy feed");
}

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    pipeline: Pipeline,
    jobs: Vec<SourceJob>,
    busy_path: PathBuf,
    ids: HashMap<&'static str, SourceId>,
}

async fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_sqlite_path(&dir.path().join("syndic.db"))
        .await
        .expect("store");
    let busy_path = dir.path().join("busy.xml");
    write_busy(&busy_path, start());
    let quiet_path = dir.path().join("quiet.xml");
    let quiet: Vec<_> = (1..=3).map(|k| start() - Duration::days(5 * k)).collect();
    std::fs::write(&quiet_path, rss("quiet", &quiet)).expect("write quiet feed");
    let failing_path = dir.path().join("missing.xml");
    let gone_path = dir.path().join("gone.xml");
    std::fs::write(&gone_path, rss("gone", &quiet)).expect("write gone feed");
    let mut jobs = Vec::new();
    let mut ids = HashMap::new();
    for (name, path) in [
        ("busy", &busy_path),
        ("quiet", &quiet_path),
        ("failing", &failing_path),
        ("gone", &gone_path),
    ] {
        let spec = SourceSpec {
            url: path.display().to_string(),
            name: Some(name.to_owned()),
        };
        let id = store.upsert_source(&spec, start()).await.expect("source");
        ids.insert(name, id);
        jobs.push(SourceJob {
            id,
            location: Location::File(path.clone()),
            tags: Vec::new(),
            review: false,
            options: Default::default(),
        });
    }
    store
        .record_gone(ids["gone"], "410 Gone", start() - Duration::days(1))
        .await
        .expect("gone");
    let pipeline = Pipeline {
        fetcher: Fetcher::new(FetcherOptions::default()).expect("fetcher"),
        tagger: Arc::new(syndic_tag::SharedTagger::new(
            Tagger::new(&[]).expect("tagger"),
        )),
        store: store.clone(),
        schedule: ScheduleSettings {
            min_interval: MIN,
            max_interval: Duration::hours(6),
        },
        metrics: Arc::default(),
        media: None,
        full_text: None,
        bodies: syndic_fetch::BodyGate::default(),
    };
    World {
        _dir: dir,
        store,
        pipeline,
        jobs,
        busy_path,
        ids,
    }
}

/// Runs a scheduler over `world` from `from` until simulated time reaches `until`; returns
/// every fetch it made, in order, and the time it stopped at.
async fn simulate(
    world: &World,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> (Vec<FetchEvent>, DateTime<Utc>) {
    let (stop, stopped) = watch::channel(false);
    let busy_path = world.busy_path.clone();
    let clock = Arc::new(ManualClock::new(from, move |now| {
        write_busy(&busy_path, now);
        if now >= until {
            let _ = stop.send(true);
        }
    }));
    let (events, mut received) = mpsc::unbounded_channel();
    let scheduler = Scheduler::new(
        world.pipeline.clone(),
        world.jobs.clone(),
        Limits::default(),
        clock.clone(),
    )
    .with_events(events);
    let mut stopped = stopped;
    scheduler
        .run(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })
        .await;
    let mut fetches = Vec::new();
    while let Ok(event) = received.try_recv() {
        fetches.push(event);
    }
    (fetches, syndic_fetch::Clock::now(&*clock))
}

fn times(events: &[FetchEvent], source: SourceId) -> Vec<DateTime<Utc>> {
    events
        .iter()
        .filter(|e| e.source == source)
        .map(|e| e.at)
        .collect()
}

fn gaps(times: &[DateTime<Utc>]) -> Vec<Duration> {
    times.windows(2).map(|pair| pair[1] - pair[0]).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_day_follows_each_sources_pace_and_a_restart_polls_nothing_early() {
    let world = world().await;
    let end = start() + Duration::days(1);
    let (events, stopped_at) = simulate(&world, start(), end).await;
    let (busy, quiet, failing) = (
        times(&events, world.ids["busy"]),
        times(&events, world.ids["quiet"]),
        times(&events, world.ids["failing"]),
    );
    assert!(
        times(&events, world.ids["gone"]).is_empty(),
        "gone is never polled"
    );
    for (name, fetched) in [("busy", &busy), ("quiet", &quiet), ("failing", &failing)] {
        assert!(!fetched.is_empty(), "{name} was fetched");
        for gap in gaps(fetched) {
            assert!(gap >= MIN, "{name} fetched again after only {gap}");
        }
    }
    assert!(
        busy.len() > 3 * quiet.len(),
        "busy {} vs quiet {} fetches",
        busy.len(),
        quiet.len()
    );
    assert!(
        busy.len() >= 60,
        "busy fetched {} times: {:?}",
        busy.len(),
        gaps(&busy)
            .iter()
            .map(|g| g.num_seconds())
            .collect::<Vec<_>>()
    );
    assert!(
        events.iter().all(|e| e.source != world.ids["busy"] || e.ok),
        "busy always reads"
    );
    assert!(
        events
            .iter()
            .all(|e| e.source != world.ids["failing"] || !e.ok),
        "failing always fails"
    );
    let backoff = gaps(&failing);
    assert!(backoff.len() >= 4, "failing retried: {backoff:?}");
    assert!(
        backoff.windows(2).all(|pair| pair[1] > pair[0]),
        "failing backs off: {backoff:?}"
    );
    // First fetches are spread over min(min_interval, 5 min), not all at the start.
    let firsts = [busy[0], quiet[0], failing[0]];
    assert!(
        firsts
            .iter()
            .all(|first| *first >= start() && *first < start() + Duration::minutes(5)),
        "{firsts:?}"
    );
    assert!(firsts.iter().any(|first| *first > start()), "{firsts:?}");

    // A restart over the same store fetches nothing before it is due.
    let mut due_at = HashMap::new();
    for (&name, &id) in &world.ids {
        let state = world.store.fetch_state(id).await.expect("state");
        due_at.insert(id, (name, state.next_fetch.max(state.wait_until)));
    }
    let (after, _) = simulate(&world, stopped_at, stopped_at + Duration::hours(2)).await;
    assert!(!after.is_empty(), "the restarted scheduler fetched");
    for event in &after {
        let (name, due) = due_at[&event.source];
        let due = due.expect("only scheduled sources are fetched");
        assert!(
            event.at >= due,
            "{name} fetched at {} though due at {due}",
            event.at
        );
    }
}
