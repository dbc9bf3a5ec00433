//! Leases and slots on both engines: claim, renew, run out, release, and the limits held
//! across claimants, concurrent ones included.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration};
use syndic_core::SourceId;

use crate::fetch_state::tests::record;
use crate::tests::{at, entry, fresh_store, meta, tagged};
use crate::{
    Claim, ClaimOutcome, ClaimRequest, Claimable, LeaseOwner, SlotLimits, SourceSpec, Store,
    StoreError,
};

type Time = DateTime<chrono::Utc>;

const LEASE: Duration = Duration::seconds(60);

async fn sources(store: &Store, urls: &[&str]) -> Vec<SourceId> {
    let mut ids = Vec::new();
    for url in urls {
        let spec = SourceSpec {
            url: (*url).into(),
            name: None,
        };
        ids.push(store.upsert_source(&spec, at(1)).await.expect("source"));
    }
    ids
}

fn limits(concurrency: usize, per_host: usize) -> SlotLimits {
    SlotLimits {
        concurrency,
        per_host,
    }
}

/// Claims for `owner` every due source among `all` at `now`, under `limits`.
async fn claim_due(
    store: &Store,
    owner: &LeaseOwner,
    all: &[SourceId],
    limits: SlotLimits,
    now: Time,
) -> ClaimOutcome {
    let configured: HashSet<SourceId> = all.iter().copied().collect();
    store
        .claim(&ClaimRequest {
            owner,
            which: Claimable::Due(&configured),
            capacity: 100,
            limits,
            now,
            until: now + LEASE,
        })
        .await
        .expect("claim")
}

fn ids(claims: &[Claim]) -> Vec<SourceId> {
    claims.iter().map(|c| c.source).collect()
}

/// Live slots at `now`, by scope.
async fn live_slots(store: &Store, now: Time) -> HashMap<String, i64> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT scope, COUNT(*) FROM fetch_slots WHERE leased_until > $1 GROUP BY scope",
    )
    .bind(now.timestamp())
    .fetch_all(&store.pool)
    .await
    .expect("slots");
    rows.into_iter().collect()
}

async fn a_claim_leases_due_sources_and_another_claimant_finds_them_held() {
    let (store, _db) = fresh_store().await;
    let all = sources(&store, &["https://a.example/1", "https://b.example/2"]).await;
    let (first, second) = (LeaseOwner::new("host:1:aa"), LeaseOwner::new("host:2:bb"));
    let got = claim_due(&store, &first, &all, limits(32, 2), at(2)).await;
    assert_eq!(ids(&got.claimed), all, "never-fetched sources are due");
    assert_eq!(got.claimed[0].host, "a.example");
    assert_eq!(got.claimed[0].until, at(2) + LEASE);
    let other = claim_due(&store, &second, &all, limits(32, 2), at(2)).await;
    assert!(
        other.claimed.is_empty() && other.waiting.is_empty(),
        "{other:?}"
    );
    let holders: Vec<(SourceId, &str)> = other
        .held
        .iter()
        .map(|lease| (lease.source, lease.owner.as_str()))
        .collect();
    assert_eq!(holders, vec![(all[0], "host:1:aa"), (all[1], "host:1:aa")]);
    let leases = store.leases(at(2)).await.expect("leases");
    assert_eq!(leases.len(), 2);
    assert_eq!(leases[0].until, at(2) + LEASE);
    assert_eq!(live_slots(&store, at(2)).await["*"], 2);
}

async fn a_claim_brings_each_sources_newest_publication_dates() {
    let (store, _db) = fresh_store().await;
    let all = sources(&store, &["https://a.example/1", "https://b.example/2"]).await;
    let entries: Vec<_> = (1..=12)
        .map(|day| tagged(entry(&format!("p{day}"), "post", day), &[]))
        .collect();
    store
        .ingest(all[0], &meta(), &entries, at(13))
        .await
        .expect("ingest");
    let got = claim_due(
        &store,
        &LeaseOwner::new("host:1:aa"),
        &all,
        limits(32, 2),
        at(14),
    )
    .await;
    let newest: Vec<Time> = (3..=12).rev().map(at).collect();
    assert_eq!(got.claimed[0].recent, newest, "the schedule's RECENT_POSTS");
    assert!(got.claimed[1].recent.is_empty(), "no posts");
}

async fn a_lease_that_ran_out_is_claimed_again_and_a_renewed_one_is_not() {
    let (store, _db) = fresh_store().await;
    let all = sources(&store, &["https://a.example/1", "https://a.example/2"]).await;
    let (dead, live, other) = (
        LeaseOwner::new("dead"),
        LeaseOwner::new("live"),
        LeaseOwner::new("other"),
    );
    let one = limits(32, 1);
    let dead_claim = claim_due(&store, &dead, &all[..1], one, at(2)).await;
    let live_claim = claim_due(&store, &live, &all[1..], limits(32, 2), at(2)).await;
    assert_eq!(dead_claim.claimed.len() + live_claim.claimed.len(), 2);
    let renewed = store
        .renew_leases(&live, &all, at(2) + LEASE * 2)
        .await
        .expect("renew");
    assert_eq!(renewed, 1, "only its own lease is renewed");
    let later = at(2) + LEASE + Duration::seconds(1);
    let taken = claim_due(&store, &other, &all, limits(32, 2), later).await;
    assert_eq!(
        ids(&taken.claimed),
        vec![all[0]],
        "the dead worker's source"
    );
    assert_eq!(taken.held.len(), 1, "the renewed lease still runs");
    assert_eq!(taken.held[0].owner, "live");
    assert_eq!(taken.held[0].until, at(2) + LEASE * 2);
}

async fn the_outcome_releases_the_lease_in_its_transaction_and_the_source_is_not_due_again() {
    let (store, _db) = fresh_store().await;
    let all = sources(&store, &["https://a.example/1", "https://a.example/2"]).await;
    let owner = LeaseOwner::new("worker");
    let got = claim_due(&store, &owner, &all, limits(32, 2), at(2)).await;
    assert_eq!(got.claimed.len(), 2);
    let next = at(2) + Duration::hours(1);
    store
        .outcomes_under(&got.claimed[0])
        .record_unchanged(&record(Some("\"v1\""), None, "h", next), at(2))
        .await
        .expect("unchanged");
    store
        .outcomes_under(&got.claimed[1])
        .record_failure("timed out", next, None, at(2))
        .await
        .expect("failure");
    assert!(store.leases(at(2)).await.expect("leases").is_empty());
    assert!(live_slots(&store, at(2)).await.is_empty(), "slots released");
    let again = claim_due(&store, &owner, &all, limits(32, 2), at(2)).await;
    assert_eq!(again, ClaimOutcome::default(), "fetched once per due time");
    let due = claim_due(&store, &owner, &all, limits(32, 2), next).await;
    assert_eq!(ids(&due.claimed), all, "due again at the next fetch time");
}

async fn an_outcome_under_a_lost_lease_fails_and_changes_nothing() {
    let (store, _db) = fresh_store().await;
    let all = sources(&store, &["https://a.example/1"]).await;
    let (slow, fresh) = (LeaseOwner::new("slow"), LeaseOwner::new("fresh"));
    let lost = claim_due(&store, &slow, &all, limits(32, 2), at(2)).await;
    let later = at(2) + LEASE;
    let taken = claim_due(&store, &fresh, &all, limits(32, 2), later).await;
    assert_eq!(ids(&taken.claimed), all, "the lease ran out at its end");
    let refused = store
        .outcomes_under(&lost.claimed[0])
        .record_failure("slow", later, None, later)
        .await;
    assert!(
        matches!(refused, Err(StoreError::LeaseLost { id, .. }) if id == all[0]),
        "{refused:?}"
    );
    let unchanged = store
        .outcomes_under(&lost.claimed[0])
        .record_unchanged(&record(Some("\"v9\""), None, "h", later), later)
        .await;
    assert!(
        matches!(unchanged, Err(StoreError::LeaseLost { .. })),
        "{unchanged:?}"
    );
    let state = store.fetch_state(all[0]).await.expect("state");
    assert_eq!(state.etag, None, "the unchanged fetch wrote nothing");
    assert_eq!(
        taken.claimed[0].state, state,
        "the claim brings the fetch state"
    );
    assert_eq!((state.error_count, state.last_success), (0, None));
    assert_eq!(store.leases(later).await.expect("leases")[0].owner, "fresh");
    assert!(!store.release(&lost.claimed[0]).await.expect("release"));
    store
        .outcomes_under(&taken.claimed[0])
        .record_gone("410", later)
        .await
        .expect("the new holder writes its outcome");
    assert!(store.leases(later).await.expect("leases").is_empty());
}

async fn host_and_fleet_slots_hold_across_claimants() {
    let (store, _db) = fresh_store().await;
    let all = sources(
        &store,
        &[
            "https://a.example/1",
            "https://A.example/2",
            "https://a.example/3",
            "https://b.example/1",
            "https://b.example/2",
        ],
    )
    .await;
    let fleet = limits(3, 2);
    let (w1, w2) = (LeaseOwner::new("w1"), LeaseOwner::new("w2"));
    let first = claim_due(&store, &w1, &all, fleet, at(2)).await;
    assert_eq!(ids(&first.claimed), vec![all[0], all[1], all[3]]);
    assert_eq!(first.waiting, vec![all[2], all[4]]);
    let second = claim_due(&store, &w2, &all, fleet, at(2)).await;
    assert!(second.claimed.is_empty(), "the fleet is full: {second:?}");
    assert_eq!(second.waiting, vec![all[2], all[4]]);
    // One fetch of a.example ends: its host slot and a fleet slot are free again.
    assert!(store.release(&first.claimed[0]).await.expect("release"));
    let third = claim_due(&store, &w2, &all, fleet, at(2)).await;
    assert_eq!(ids(&third.claimed), vec![all[0]], "longest overdue first");
    let slots = live_slots(&store, at(2)).await;
    assert_eq!(
        (slots["a.example"], slots["b.example"], slots["*"]),
        (2, 1, 3)
    );
}

async fn a_listed_claim_ignores_due_times_but_not_running_leases() {
    let (store, _db) = fresh_store().await;
    let all = sources(&store, &["https://a.example/1", "https://b.example/1"]).await;
    store
        .schedule_first_fetch(all[0], at(9))
        .await
        .expect("schedule");
    let worker = LeaseOwner::new("worker");
    let due = claim_due(&store, &worker, &all, limits(32, 2), at(2)).await;
    assert_eq!(ids(&due.claimed), vec![all[1]], "the other is not due yet");
    let listed = [all[1], all[0]];
    let cli = LeaseOwner::new("cli");
    let got = store
        .claim(&ClaimRequest {
            owner: &cli,
            which: Claimable::Listed(&listed),
            capacity: 10,
            limits: limits(32, 2),
            now: at(2),
            until: at(2) + LEASE,
        })
        .await
        .expect("claim");
    assert_eq!(ids(&got.claimed), vec![all[0]], "due or not");
    assert_eq!(got.held.len(), 1, "but never one a worker is fetching");
    assert_eq!(got.held[0].source, all[1]);
}

async fn a_full_listed_claim_reports_what_it_never_read() {
    let (store, _db) = fresh_store().await;
    let urls: Vec<String> = (0..100)
        .map(|n| format!("https://h{n}.example/feed"))
        .collect();
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let listed = sources(&store, &urls).await;
    let cli = LeaseOwner::new("cli");
    let got = store
        .claim(&ClaimRequest {
            owner: &cli,
            which: Claimable::Listed(&listed),
            capacity: 1,
            limits: limits(32, 2),
            now: at(2),
            until: at(2) + LEASE,
        })
        .await
        .expect("claim");
    assert_eq!(ids(&got.claimed), vec![listed[0]]);
    let read = 1 + got.waiting.len();
    assert!(read < listed.len(), "one page, not the whole list: {read}");
    assert_eq!(got.unread, listed[read..].to_vec(), "the rest, in order");
}

async fn release_all_gives_back_every_lease_and_slot_of_one_owner() {
    let (store, _db) = fresh_store().await;
    let all = sources(&store, &["https://a.example/1", "https://b.example/1"]).await;
    let (leaving, staying) = (LeaseOwner::new("leaving"), LeaseOwner::new("staying"));
    claim_due(&store, &leaving, &all[..1], limits(32, 2), at(2)).await;
    claim_due(&store, &staying, &all[1..], limits(32, 2), at(2)).await;
    assert_eq!(store.release_all(&leaving).await.expect("release"), 1);
    let leases = store.leases(at(2)).await.expect("leases");
    assert_eq!(leases.len(), 1);
    assert_eq!(leases[0].owner, "staying");
    assert_eq!(live_slots(&store, at(2)).await["*"], 1);
}

async fn concurrent_claims_never_share_a_source_nor_exceed_a_limit() {
    let (store, _db) = fresh_store().await;
    let urls: Vec<String> = (0..24)
        .map(|n| format!("https://h{}.example/{n}", n % 3))
        .collect();
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let all = sources(&store, &urls).await;
    let fleet = limits(5, 2);
    let mut seen = HashSet::new();
    for round in 0..4 {
        let mut claims = tokio::task::JoinSet::new();
        for worker in 0..4 {
            let (store, all) = (store.clone(), all.clone());
            claims.spawn(async move {
                let owner = LeaseOwner::new(format!("w{worker}"));
                claim_due(&store, &owner, &all, fleet, at(2)).await
            });
        }
        let mut claimed = Vec::new();
        while let Some(outcome) = claims.join_next().await {
            claimed.extend(outcome.expect("a claim").claimed);
        }
        let slots = live_slots(&store, at(2)).await;
        assert!(slots.get("*").copied().unwrap_or(0) <= 5, "{slots:?}");
        assert!(claimed.len() <= 5, "round {round}: {}", claimed.len());
        let mut per_host: HashMap<&str, usize> = HashMap::new();
        for claim in &claimed {
            *per_host.entry(&claim.host).or_default() += 1;
            assert!(seen.insert(claim.source), "{} claimed twice", claim.source);
        }
        assert!(per_host.values().all(|n| *n <= 2), "{per_host:?}");
        assert!(!claimed.is_empty(), "round {round} claimed something");
        for claim in &claimed {
            store
                .outcomes_under(claim)
                .record_failure("done", at(3), None, at(2))
                .await
                .expect("outcome");
        }
    }
}

async fn a_claim_reads_past_the_sources_it_cannot_take() {
    let (store, _db) = fresh_store().await;
    let busy: Vec<String> = (0..150)
        .map(|n| format!("https://busy.example/{n}"))
        .collect();
    let busy: Vec<&str> = busy.iter().map(String::as_str).collect();
    let mut all = sources(&store, &busy).await;
    let elsewhere = sources(&store, &["https://quiet.example/1"]).await;
    all.extend(&elsewhere);
    let owner = LeaseOwner::new("worker");
    let configured: HashSet<SourceId> = all.iter().copied().collect();
    let got = store
        .claim(&ClaimRequest {
            owner: &owner,
            which: Claimable::Due(&configured),
            capacity: 4,
            limits: limits(32, 2),
            now: at(2),
            until: at(2) + LEASE,
        })
        .await
        .expect("claim");
    // Two of the busy host, then the one source behind 148 that must wait.
    assert_eq!(ids(&got.claimed), vec![all[0], all[1], elsewhere[0]]);
    assert_eq!(got.waiting.len(), 148);
    // Sources this process does not fetch are passed over, however many come first.
    let only: HashSet<SourceId> = elsewhere.iter().copied().collect();
    store.release_all(&owner).await.expect("release");
    let got = store
        .claim(&ClaimRequest {
            owner: &owner,
            which: Claimable::Due(&only),
            capacity: 4,
            limits: limits(32, 2),
            now: at(2),
            until: at(2) + LEASE,
        })
        .await
        .expect("claim");
    assert_eq!(ids(&got.claimed), elsewhere);
}

async fn local_files_are_claimed_files_at_once_whatever_per_host_says() {
    let (store, _db) = fresh_store().await;
    let files = usize::try_from(super::plan::FILES_AT_ONCE).expect("a small number");
    let paths: Vec<String> = (0..files + 2).map(|n| format!("/feeds/{n}.rss")).collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let all = sources(&store, &paths).await;
    let got = claim_due(&store, &LeaseOwner::new("w"), &all, limits(32, 1), at(2)).await;
    assert_eq!(ids(&got.claimed), all[..files], "per_host = 1 ignored");
    assert_eq!(got.waiting, all[files..], "the files' slots are full");
    let slots = live_slots(&store, at(2)).await;
    let files = i64::try_from(files).expect("a small number");
    assert_eq!((slots[""], slots["*"]), (files, files));
}

crate::tests::on_both_engines!(
    local_files_are_claimed_files_at_once_whatever_per_host_says,
    a_claim_reads_past_the_sources_it_cannot_take,
    a_claim_leases_due_sources_and_another_claimant_finds_them_held,
    a_claim_brings_each_sources_newest_publication_dates,
    a_lease_that_ran_out_is_claimed_again_and_a_renewed_one_is_not,
    the_outcome_releases_the_lease_in_its_transaction_and_the_source_is_not_due_again,
    an_outcome_under_a_lost_lease_fails_and_changes_nothing,
    host_and_fleet_slots_hold_across_claimants,
    a_listed_claim_ignores_due_times_but_not_running_leases,
    a_full_listed_claim_reports_what_it_never_read,
    release_all_gives_back_every_lease_and_slot_of_one_owner,
    concurrent_claims_never_share_a_source_nor_exceed_a_limit,
);
