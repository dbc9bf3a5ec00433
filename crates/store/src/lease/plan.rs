//! Which sources a claim takes, and which slots each one occupies: decided without a
//! database, from what the claim read (the candidates in order of preference and the slots
//! held now), so the rule is the same on both engines and tested on its own.

use std::collections::{HashMap, HashSet};

use syndic_core::SourceId;

/// The scope of the fleet-wide slots. A host name is never `*`.
pub(crate) const FLEET_SCOPE: &str = "*";

/// Local files read at once by the fleet (they share the empty host). Reading a file asks
/// no server, so `per_host` (2 by default) would only slow a large local set down, one
/// claim per file. Memory no longer bounds this: a changed file is read only once the
/// fetcher's body gate lets it into work, on the gate's own threads (`syndic-fetch`'s
/// `BodyGate`). What still grows with the files in flight is the store's side (more of its
/// connections busy at once, each with its own thread and cache): a first fetch of the
/// benchmark corpus (debug build) peaked at about 155 MB with 8 at once, 185 MB with 16,
/// 205 MB with 32; 16 keeps it under the 200 MB aim and halves the claims of 8.
pub(crate) const FILES_AT_ONCE: i64 = 16;

/// The politeness limits of the whole fleet, as `[fetch] concurrency` and `[fetch]
/// per_host` set them: fetches in flight at once in all, and to one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotLimits {
    pub concurrency: usize,
    pub per_host: usize,
}

/// A source a claim may take, as read: its host and the lease it carries, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) source: SourceId,
    pub(crate) host: String,
    /// Holder and end (UTC seconds) of the stored lease, live or run out.
    pub(crate) lease: Option<(String, i64)>,
}

/// One source to lease, with the slot of its host (local files share the empty host, with
/// [`FILES_AT_ONCE`] slots) and the fleet slot it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Take {
    pub(crate) source: SourceId,
    pub(crate) host: String,
    pub(crate) host_slot: i64,
    pub(crate) fleet_slot: i64,
}

/// What a claim does with its candidates.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) take: Vec<Take>,
    /// Free to take, but left for now: the claim is full, or the host's or the fleet's
    /// slots are all held.
    pub(crate) waiting: Vec<SourceId>,
    /// Leased by another holder whose lease still runs: (source, holder, end).
    pub(crate) held: Vec<(SourceId, String, i64)>,
}

/// Takes candidates in order while `capacity` lasts, each with the lowest free slot of its
/// host (below `per_host`; below [`FILES_AT_ONCE`] for local files, whose host is empty)
/// and a free fleet slot (below `concurrency`, looked for from a place that depends on `owner`, so that workers claiming at the same moment seldom pick
/// the same one). `live_slots` are the (scope, slot) pairs held at `now`. A candidate whose
/// lease runs is held (by another) or already this owner's (then left out altogether); a
/// lease that ran out is no obstacle.
pub(crate) fn plan_claim(
    candidates: &[Candidate],
    live_slots: &[(String, i64)],
    limits: SlotLimits,
    capacity: usize,
    owner: &str,
    now: i64,
) -> Plan {
    let mut used: HashMap<String, HashSet<i64>> = HashMap::new();
    for (scope, slot) in live_slots {
        used.entry(scope.clone()).or_default().insert(*slot);
    }
    let per_host = slot_count(limits.per_host);
    let concurrency = slot_count(limits.concurrency);
    let start = fleet_start(owner, concurrency);
    let mut plan = Plan::default();
    for candidate in candidates {
        if let Some((holder, until)) = &candidate.lease
            && *until > now
        {
            if holder != owner {
                plan.held.push((candidate.source, holder.clone(), *until));
            }
            continue;
        }
        if plan.take.len() >= capacity {
            plan.waiting.push(candidate.source);
            continue;
        }
        let host_used = used.get(&candidate.host);
        let host_limit = match candidate.host.is_empty() {
            true => FILES_AT_ONCE.max(per_host).min(concurrency),
            false => per_host,
        };
        let host_slot = (0..host_limit).find(|n| !host_used.is_some_and(|u| u.contains(n)));
        let fleet_used = used.get(FLEET_SCOPE);
        let fleet_slot = (0..concurrency)
            .map(|k| (start + k) % concurrency)
            .find(|n| !fleet_used.is_some_and(|u| u.contains(n)));
        let (Some(host_slot), Some(fleet_slot)) = (host_slot, fleet_slot) else {
            plan.waiting.push(candidate.source);
            continue;
        };
        used.entry(candidate.host.clone())
            .or_default()
            .insert(host_slot);
        used.entry(FLEET_SCOPE.to_owned())
            .or_default()
            .insert(fleet_slot);
        plan.take.push(Take {
            source: candidate.source,
            host: candidate.host.clone(),
            host_slot,
            fleet_slot,
        });
    }
    plan
}

fn slot_count(limit: usize) -> i64 {
    i64::try_from(limit.max(1)).unwrap_or(i64::MAX)
}

/// Where `owner` starts looking for a free fleet slot: a hash of its name (FNV-1a).
fn fleet_start(owner: &str, concurrency: i64) -> i64 {
    let hash = owner.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    i64::try_from(hash % concurrency.max(1).cast_unsigned()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000;

    fn free(id: i64, host: &str) -> Candidate {
        Candidate {
            source: SourceId(id),
            host: host.into(),
            lease: None,
        }
    }

    fn leased(id: i64, host: &str, owner: &str, until: i64) -> Candidate {
        Candidate {
            lease: Some((owner.into(), until)),
            ..free(id, host)
        }
    }

    fn limits(concurrency: usize, per_host: usize) -> SlotLimits {
        SlotLimits {
            concurrency,
            per_host,
        }
    }

    fn taken(plan: &Plan) -> Vec<i64> {
        plan.take.iter().map(|t| t.source.0).collect()
    }

    #[test]
    fn a_claim_takes_at_most_per_host_sources_of_one_host() {
        let candidates: Vec<Candidate> = (1..=5).map(|id| free(id, "a.example")).collect();
        let plan = plan_claim(&candidates, &[], limits(32, 2), 10, "w", NOW);
        assert_eq!(taken(&plan), vec![1, 2]);
        let slots: Vec<i64> = plan.take.iter().map(|t| t.host_slot).collect();
        assert_eq!(slots, vec![0, 1]);
        assert_eq!(plan.waiting, vec![SourceId(3), SourceId(4), SourceId(5)]);
    }

    #[test]
    fn slots_other_workers_hold_count_against_the_limits() {
        let live = vec![
            ("a.example".to_owned(), 0),
            ("*".to_owned(), 0),
            ("*".to_owned(), 1),
        ];
        let candidates = vec![free(1, "a.example"), free(2, "a.example"), free(3, "b")];
        let plan = plan_claim(&candidates, &live, limits(3, 1), 10, "w", NOW);
        // a.example's one slot is held; the fleet has one slot left, which b takes.
        assert_eq!(taken(&plan), vec![3]);
        assert_eq!(plan.take[0].fleet_slot, 2);
        assert_eq!(plan.waiting, vec![SourceId(1), SourceId(2)]);
    }

    #[test]
    fn the_fleet_limit_and_the_claims_capacity_both_stop_a_claim() {
        let candidates: Vec<Candidate> = (1..=6).map(|id| free(id, &format!("h{id}"))).collect();
        let by_fleet = plan_claim(&candidates, &[], limits(4, 2), 10, "w", NOW);
        assert_eq!(by_fleet.take.len(), 4);
        let mut fleet_slots: Vec<i64> = by_fleet.take.iter().map(|t| t.fleet_slot).collect();
        fleet_slots.sort_unstable();
        assert_eq!(fleet_slots, vec![0, 1, 2, 3], "each fleet slot once");
        let by_capacity = plan_claim(&candidates, &[], limits(32, 2), 2, "w", NOW);
        assert_eq!(taken(&by_capacity), vec![1, 2]);
        assert_eq!(by_capacity.waiting.len(), 4);
    }

    #[test]
    fn a_running_lease_is_held_and_a_lease_that_ran_out_is_free() {
        let candidates = vec![
            leased(1, "a", "other", NOW + 60),
            leased(2, "b", "dead", NOW),
            leased(3, "c", "w", NOW + 60),
            free(4, "d"),
        ];
        let plan = plan_claim(&candidates, &[], limits(32, 2), 10, "w", NOW);
        assert_eq!(taken(&plan), vec![2, 4]);
        assert_eq!(plan.held, vec![(SourceId(1), "other".into(), NOW + 60)]);
        assert!(
            plan.waiting.is_empty(),
            "its own lease is neither held nor waiting"
        );
    }

    #[test]
    fn workers_start_looking_for_fleet_slots_in_different_places() {
        let starts: HashSet<i64> = ["host:1:aa", "host:2:bb", "host:3:cc", "other:9:dd"]
            .iter()
            .map(|owner| fleet_start(owner, 32))
            .collect();
        assert!(starts.len() > 1, "{starts:?}");
        assert!(starts.iter().all(|s| (0..32).contains(s)));
        assert_eq!(fleet_start("anyone", 1), 0);
    }

    #[test]
    fn local_files_are_read_files_at_once_whatever_per_host_says() {
        let files = usize::try_from(FILES_AT_ONCE).expect("a small number");
        let candidates: Vec<Candidate> = (1..=40).map(|id| free(id, "")).collect();
        let plan = plan_claim(&candidates, &[], limits(32, 1), 32, "w", NOW);
        assert_eq!(taken(&plan), (1..=FILES_AT_ONCE).collect::<Vec<i64>>());
        let slots: Vec<i64> = plan.take.iter().map(|t| t.host_slot).collect();
        assert_eq!(slots, (0..FILES_AT_ONCE).collect::<Vec<i64>>());
        assert_eq!(plan.waiting.len(), 40 - files);
        let few = plan_claim(&candidates, &[], limits(4, 1), 10, "w", NOW);
        assert_eq!(
            taken(&few),
            vec![1, 2, 3, 4],
            "and never more than the fleet's limit"
        );
    }
}
