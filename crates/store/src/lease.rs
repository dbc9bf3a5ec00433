//! Leases: which process of the fleet is fetching a source now, and the fleet's fetch slots.
//!
//! Any number of processes (`syndic worker`, `serve`, `fetch`) fetch from one store. Before
//! fetching, a process *claims* sources ([`Store::claim`]): in one transaction it reads the
//! candidates, decides which to take (`plan.rs`, without a database) and leases each one
//! to itself (`leased_by`, `leased_until` on the source's row) together with two slots in
//! `fetch_slots`: one of the source's host (at most `per_host`; a local file takes none, as
//! reading it asks no server) and one of the fleet (at most `concurrency`). A source leased by a lease that still runs is never claimed, and a
//! slot is one row that one fetch holds, so no source is fetched twice at once and the
//! politeness limits hold for all processes together.
//!
//! On PostgreSQL the sources to lease are picked `FOR UPDATE SKIP LOCKED`, so concurrent
//! claims take disjoint rows without waiting, and a slot is taken by an upsert that only
//! overwrites a row whose lease ran out: of two claims that picked the same slot, one gets
//! it and the other leaves that source for later. On SQLite the claim's immediate write
//! transaction runs alone. The difference is one [`Engine`] fragment.
//!
//! A lease runs for `[fetch] lease`; the holder renews it while the fetch runs
//! ([`Store::renew_leases`]) and releases it in the transaction that stores the fetch's
//! outcome ([`Store::outcomes`]), which also sets the next fetch time: once released the
//! source is no longer due, so it is fetched once per due time. A killed worker renews
//! nothing; its leases run out and the sources are claimed again. Times are the callers'
//! clocks: the fleet's machines must agree on the time to well within a lease.

mod claim;
mod plan;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use syndic_core::SourceId;

use claim::{CandidatePages, lease_sources, read_live_slots, take_slots, undo};
pub use plan::SlotLimits;
use plan::{FLEET_SCOPE, Plan, plan_claim};

use crate::error::QueryContext;
use crate::fetch_state::recent_publications_in;
use crate::sql::Sql;
use crate::{FetchState, Result, Store, from_secs, to_secs};

/// Who holds a lease: one process of the fleet. [`LeaseOwner::new`] takes any name; the
/// fetcher names a process `host:pid:random`, so that a restarted process on the same host
/// and with the same pid is still someone else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeaseOwner(String);

impl LeaseOwner {
    pub fn new(name: impl Into<String>) -> LeaseOwner {
        LeaseOwner(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LeaseOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A source this process may fetch now: leased to `owner` until `until`, with a slot of
/// `host` (unless it is a local file: empty `host`) and one of the fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub source: SourceId,
    pub owner: LeaseOwner,
    pub until: DateTime<Utc>,
    /// The host whose slot the fetch holds ([`host_of`] the source's stored URL).
    pub host: String,
    /// The source's fetch state as the lease found it: under the lease nobody else writes
    /// it, so the fetch reads it from here, not from the store again.
    pub state: FetchState,
    /// The publication dates of the source's newest posts (at most
    /// [`syndic_core::schedule::RECENT_POSTS`], newest first), read with the lease for the
    /// whole claim in one statement: what the fetch's next time is computed from.
    pub recent: Vec<DateTime<Utc>>,
}

/// A running lease on a source, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLease {
    pub source: SourceId,
    pub owner: String,
    pub until: DateTime<Utc>,
}

/// Which sources a claim looks at.
#[derive(Debug, Clone, Copy)]
pub enum Claimable<'a> {
    /// Those due at the claim's time (as [`Store::due_sources`] lists them, sources never
    /// scheduled included) that are in this set (the sources the process is configured to
    /// fetch), the longest overdue first.
    Due(&'a HashSet<SourceId>),
    /// These, due or not, in this order (`syndic fetch`).
    Listed(&'a [SourceId]),
}

/// What to claim, for whom, and under which limits.
#[derive(Debug, Clone, Copy)]
pub struct ClaimRequest<'a> {
    pub owner: &'a LeaseOwner,
    pub which: Claimable<'a>,
    /// How many sources the process can start now.
    pub capacity: usize,
    pub limits: SlotLimits,
    pub now: DateTime<Utc>,
    /// When the leases run out unless renewed.
    pub until: DateTime<Utc>,
}

/// What a claim got, and what it left.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClaimOutcome {
    pub claimed: Vec<Claim>,
    /// Free to take but left for now (the claim was full, or the host's or the fleet's
    /// slots were all held): try again soon.
    pub waiting: Vec<SourceId>,
    /// Leased by another process whose lease still runs.
    pub held: Vec<SourceLease>,
    /// Listed sources the claim never looked at, in order (it was full before reading
    /// them): still to claim. Always empty for due sources.
    pub unread: Vec<SourceId>,
}

impl Store {
    /// Leases to `request.owner` as many of the claimable sources as its capacity and the
    /// fleet's free slots allow, each with a slot of its host and one of the fleet, in one
    /// transaction. See the module documentation.
    pub async fn claim(&self, request: &ClaimRequest<'_>) -> Result<ClaimOutcome> {
        let now = to_secs(request.now);
        let mut tx = self.write("starting a claim").await?;
        let live = read_live_slots(&mut tx, now).await?;
        let mut pages = CandidatePages::new(request.which, request.capacity, self.engine);
        let mut candidates = Vec::new();
        let Plan {
            take,
            waiting,
            held,
        } = loop {
            candidates.extend(pages.next(&mut tx, now).await?);
            let plan = plan_claim(
                &candidates,
                &live,
                request.limits,
                request.capacity,
                request.owner.as_str(),
                now,
            );
            if pages.exhausted() || plan.take.len() >= request.capacity {
                break plan;
            }
        };
        let mut outcome = ClaimOutcome {
            claimed: Vec::with_capacity(take.len()),
            waiting,
            held: held
                .into_iter()
                .map(|(source, owner, until)| SourceLease {
                    source,
                    owner,
                    until: from_secs(until),
                })
                .collect(),
            unread: pages.unread(),
        };
        if take.is_empty() {
            tx.commit().await.during("committing a claim")?;
            return Ok(outcome);
        }
        let due = matches!(request.which, Claimable::Due(_));
        let mut leased = lease_sources(&mut tx, self.engine, request, &take, due).await?;
        let slots = take_slots(&mut tx, self.engine, request, &take, &leased).await?;
        let mut lost = Vec::new();
        for planned in take {
            let has_slots = slots.contains(&(planned.host.clone(), planned.host_slot))
                && slots.contains(&(FLEET_SCOPE.to_owned(), planned.fleet_slot));
            if let Some(state) = leased.remove(&planned.source).filter(|_| has_slots) {
                outcome.claimed.push(Claim {
                    source: planned.source,
                    owner: request.owner.clone(),
                    until: request.until,
                    host: planned.host,
                    state,
                    recent: Vec::new(),
                });
            } else {
                lost.push(planned.source);
            }
        }
        // Another claim took a slot (or a source) first: give back the rest of those.
        undo(&mut tx, self.engine, request.owner, &lost).await?;
        outcome.waiting.extend(lost);
        let claimed: Vec<SourceId> = outcome.claimed.iter().map(|c| c.source).collect();
        let limit = u32::try_from(syndic_core::schedule::RECENT_POSTS).unwrap_or(u32::MAX);
        let mut recent = recent_publications_in(&mut tx, &claimed, limit).await?;
        for claim in &mut outcome.claimed {
            claim.recent = recent.remove(&claim.source).unwrap_or_default();
        }
        tx.commit().await.during("committing a claim")?;
        Ok(outcome)
    }

    /// Extends to `until` the leases `owner` holds on `sources`, and their slots. Returns
    /// how many source leases were renewed (one that another process claimed meanwhile is
    /// not).
    pub async fn renew_leases(
        &self,
        owner: &LeaseOwner,
        sources: &[SourceId],
        until: DateTime<Utc>,
    ) -> Result<u64> {
        let mut renewed = 0;
        let mut tx = self.write("starting to renew leases").await?;
        for chunk in sources.chunks(self.engine.rows_per_statement(1).saturating_sub(2)) {
            for (table, column) in [("sources", "id"), ("fetch_slots", "source_id")] {
                let mut update = Sql::new(&format!("UPDATE {table} SET leased_until = "));
                update.bind(to_secs(until)).push(" WHERE leased_by = ");
                update.bind(owner.as_str().to_owned());
                update.push(&format!(" AND {column} IN ("));
                update.push_list(chunk, |sql, id| {
                    sql.bind(id.0);
                });
                update.push(")");
                let done = update.execute(&mut tx, "renewing leases").await?;
                if table == "sources" {
                    renewed += done.rows_affected();
                }
            }
        }
        tx.commit().await.during("committing renewed leases")?;
        Ok(renewed)
    }

    /// Gives back `claim` without an outcome (the fetch never ran, or its outcome could
    /// not be stored): the source is due as before. Whether the lease was still the
    /// claim's.
    pub async fn release(&self, claim: &Claim) -> Result<bool> {
        let mut tx = self.write("starting to release a lease").await?;
        let held = release_in(&mut tx, claim).await?;
        tx.commit().await.during("committing a released lease")?;
        Ok(held)
    }

    /// Gives back every lease and slot `owner` holds (a process shutting down). Returns how
    /// many source leases were released.
    pub async fn release_all(&self, owner: &LeaseOwner) -> Result<u64> {
        let mut tx = self.write("starting to release leases").await?;
        let released = sqlx::query(
            "UPDATE sources SET leased_by = NULL, leased_until = NULL WHERE leased_by = $1",
        )
        .bind(owner.as_str())
        .execute(&mut *tx)
        .await
        .during("releasing leases")?;
        sqlx::query("DELETE FROM fetch_slots WHERE leased_by = $1")
            .bind(owner.as_str())
            .execute(&mut *tx)
            .await
            .during("releasing fetch slots")?;
        tx.commit().await.during("committing released leases")?;
        Ok(released.rows_affected())
    }

    /// The leases running at `now`, by source.
    pub async fn leases(&self, now: DateTime<Utc>) -> Result<Vec<SourceLease>> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT id, leased_by, leased_until FROM sources
             WHERE leased_by IS NOT NULL AND leased_until > $1 ORDER BY id",
        )
        .bind(to_secs(now))
        .fetch_all(&self.pool)
        .await
        .during("listing leases")?;
        Ok(rows
            .into_iter()
            .map(|(id, owner, until)| SourceLease {
                source: SourceId(id),
                owner,
                until: from_secs(until),
            })
            .collect())
    }
}

/// The host whose slot a fetch of `url` takes: the URL's host in lower case; every file
/// (and anything that is not a URL with a host) shares the empty host.
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

/// Releases `claim`'s lease and slots inside `tx`; `false` (changing nothing) when the
/// lease is no longer the claim's: it ran out and another process claimed the source.
pub(crate) async fn release_in(tx: &mut AnyConnection, claim: &Claim) -> Result<bool> {
    let released = sqlx::query(
        "UPDATE sources SET leased_by = NULL, leased_until = NULL
         WHERE id = $1 AND leased_by = $2",
    )
    .bind(claim.source.0)
    .bind(claim.owner.as_str())
    .execute(&mut *tx)
    .await
    .during("releasing a lease")?;
    free_slots(tx, claim).await?;
    Ok(released.rows_affected() > 0)
}

/// Frees the slots `claim` holds, inside `tx` (its lease is released by the caller).
pub(crate) async fn free_slots(tx: &mut AnyConnection, claim: &Claim) -> Result<()> {
    sqlx::query("DELETE FROM fetch_slots WHERE leased_by = $1 AND source_id = $2")
        .bind(claim.owner.as_str())
        .bind(claim.source.0)
        .execute(&mut *tx)
        .await
        .during("releasing fetch slots")?;
    Ok(())
}

#[cfg(test)]
mod tests;
