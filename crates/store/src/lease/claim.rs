//! The statements of a claim, run inside its transaction: read the candidates and the
//! slots held, then lease what the plan took and take its slots (or give them back).

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, Row};
use syndic_core::SourceId;

use super::plan::{Candidate, FLEET_SCOPE, Take};
use super::{ClaimRequest, Claimable, LeaseOwner, host_of};
use crate::engine::Engine;
use crate::error::QueryContext;
use crate::fetch_state::{FETCH_STATE_COLUMNS, FetchState, fetch_state_of};
use crate::sql::Sql;
use crate::{Result, to_secs};

/// Reads a claim's candidates a page at a time, in order of preference: a claim reads
/// about as many rows as it can take, not every due source of a large store, and reads on
/// only while the candidates so far leave it room (their hosts busy, or not this process's
/// sources).
pub(super) struct CandidatePages<'a> {
    which: Claimable<'a>,
    size: usize,
    /// Due sources: the (due key, id) the last page ended at.
    after: Option<(i64, i64)>,
    /// Listed sources: how many of the list were read.
    listed_read: usize,
    exhausted: bool,
}

impl<'a> CandidatePages<'a> {
    /// Pages of about four times what the claim can take (at least 64 rows), within the
    /// engine's parameters per statement.
    pub(super) fn new(which: Claimable<'a>, capacity: usize, engine: Engine) -> Self {
        CandidatePages {
            which,
            size: (capacity.saturating_mul(4))
                .clamp(64, 1000)
                .min(engine.rows_per_statement(1)),
            after: None,
            listed_read: 0,
            exhausted: false,
        }
    }

    /// Whether every candidate was read.
    pub(super) fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// The listed sources no page has read yet (none for due sources).
    pub(super) fn unread(&self) -> Vec<SourceId> {
        match self.which {
            Claimable::Listed(listed) => {
                listed.get(self.listed_read..).unwrap_or_default().to_vec()
            }
            Claimable::Due(_) => Vec::new(),
        }
    }

    /// The next page of candidates (empty once exhausted).
    pub(super) async fn next(
        &mut self,
        tx: &mut AnyConnection,
        now: i64,
    ) -> Result<Vec<Candidate>> {
        if self.exhausted {
            return Ok(Vec::new());
        }
        match self.which {
            Claimable::Due(configured) => self.next_due(tx, now, configured).await,
            Claimable::Listed(listed) => self.next_listed(tx, listed).await,
        }
    }

    async fn next_due(
        &mut self,
        tx: &mut AnyConnection,
        now: i64,
        configured: &HashSet<SourceId>,
    ) -> Result<Vec<Candidate>> {
        let mut select = Sql::new(&format!(
            "{COLUMNS}, COALESCE(next_fetch_at, 0) FROM sources WHERE "
        ));
        let now = select.placeholder(now);
        select.push(&DUE.replace("$1", &now));
        if let Some((due, id)) = self.after {
            select
                .push(" AND (COALESCE(next_fetch_at, 0), id) > (")
                .bind(due);
            select.push(", ").bind(id).push(")");
        }
        select.push(" ORDER BY COALESCE(next_fetch_at, 0), id LIMIT ");
        select.bind(i64::try_from(self.size).unwrap_or(i64::MAX));
        let rows = select
            .fetch_all(&mut *tx, "reading the sources to claim")
            .await?;
        self.exhausted = rows.len() < self.size;
        let mut page = Vec::with_capacity(rows.len());
        for row in rows {
            let (candidate, due) = candidate(&row)?;
            self.after = Some((due.unwrap_or(0), candidate.source.0));
            if configured.contains(&candidate.source) {
                page.push(candidate);
            }
        }
        Ok(page)
    }

    async fn next_listed(
        &mut self,
        tx: &mut AnyConnection,
        listed: &[SourceId],
    ) -> Result<Vec<Candidate>> {
        let ids = listed.get(self.listed_read..).unwrap_or_default();
        let ids = &ids[..ids.len().min(self.size)];
        self.listed_read += ids.len();
        self.exhausted = self.listed_read >= listed.len();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut select = Sql::new(&format!("{COLUMNS}, NULL FROM sources WHERE id IN ("));
        select.push_list(ids, |sql, id| {
            sql.bind(id.0);
        });
        select.push(")");
        let rows = select
            .fetch_all(&mut *tx, "reading the sources to claim")
            .await?;
        let mut read = HashMap::with_capacity(rows.len());
        for row in rows {
            let (candidate, _) = candidate(&row)?;
            read.insert(candidate.source, candidate);
        }
        Ok(ids.iter().filter_map(|id| read.remove(id)).collect())
    }
}

/// What a claim reads of a source, then its due key (`NULL` for listed sources).
const COLUMNS: &str = "SELECT id, url, leased_by, leased_until";

/// A claim's row as read: id, url, leased_by, leased_until, due key.
type CandidateRow = (i64, String, Option<String>, Option<i64>, Option<i64>);

fn candidate(row: &sqlx::any::AnyRow) -> Result<(Candidate, Option<i64>)> {
    let get = || -> Result<CandidateRow, sqlx::Error> {
        Ok((
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
            row.try_get(4)?,
        ))
    };
    let (id, url, owner, until, due) = get().during("reading the sources to claim")?;
    let candidate = Candidate {
        source: SourceId(id),
        host: host_of(&url),
        lease: owner.zip(until),
    };
    Ok((candidate, due))
}

/// A source that is due at `$1`: what [`Store::due_sources`] lists (never a paused one:
/// `source_settings::NOT_PAUSED`).
const DUE: &str = "status <> 'gone'
    AND (next_fetch_at IS NULL OR next_fetch_at <= $1)
    AND (wait_until IS NULL OR wait_until <= $1)
    AND paused = 0 AND paused_at IS NULL";

pub(super) async fn read_live_slots(
    tx: &mut AnyConnection,
    now: i64,
) -> Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT scope, slot FROM fetch_slots WHERE leased_until > $1")
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .during("reading the fetch slots")
}

/// Leases the planned sources that are still free (and, with `due`, still due), skipping
/// rows another claim holds; returns those leased, each with its fetch state as the lease
/// found it (so a fetch under the claim need not read it again).
pub(super) async fn lease_sources(
    tx: &mut AnyConnection,
    engine: Engine,
    request: &ClaimRequest<'_>,
    take: &[Take],
    due: bool,
) -> Result<HashMap<SourceId, FetchState>> {
    let mut leased = HashMap::with_capacity(take.len());
    for chunk in take.chunks(engine.rows_per_statement(1).saturating_sub(4)) {
        let mut update = Sql::new("UPDATE sources SET leased_by = ");
        update.bind(request.owner.as_str().to_owned());
        update
            .push(", leased_until = ")
            .bind(to_secs(request.until));
        let now = update.placeholder(to_secs(request.now));
        update.push(" WHERE id IN (SELECT id FROM sources WHERE id IN (");
        update.push_list(chunk, |sql, planned| {
            sql.bind(planned.source.0);
        });
        update.push(&format!(
            ") AND (leased_until IS NULL OR leased_until <= {now})"
        ));
        if due {
            update.push(" AND ").push(&DUE.replace("$1", &now));
        }
        update
            .push(engine.skip_locked())
            .push(&format!(") RETURNING id, {FETCH_STATE_COLUMNS}"));
        for row in update.fetch_all(&mut *tx, "leasing sources").await? {
            let id = SourceId(row.try_get("id").during("leasing sources")?);
            leased.insert(id, fetch_state_of(id, &row)?);
        }
    }
    Ok(leased)
}

/// Takes the host and fleet slots of the leased sources, each only if free or run out;
/// returns the (scope, slot) pairs taken. Rows go in one order (hosts, then the fleet,
/// each sorted), so that two claims never wait for each other in a circle.
pub(super) async fn take_slots(
    tx: &mut AnyConnection,
    engine: Engine,
    request: &ClaimRequest<'_>,
    take: &[Take],
    leased: &HashMap<SourceId, FetchState>,
) -> Result<HashSet<(String, i64)>> {
    let mut host_rows = Vec::new();
    let mut fleet_rows = Vec::new();
    for planned in take.iter().filter(|p| leased.contains_key(&p.source)) {
        host_rows.push((planned.host.clone(), planned.host_slot, planned.source));
        fleet_rows.push((FLEET_SCOPE.to_owned(), planned.fleet_slot, planned.source));
    }
    host_rows.sort();
    fleet_rows.sort();
    let mut taken = HashSet::new();
    for rows in [host_rows, fleet_rows] {
        for chunk in rows.chunks(engine.rows_per_statement(5)) {
            let mut upsert = Sql::new(
                "INSERT INTO fetch_slots (scope, slot, leased_by, source_id, leased_until) VALUES ",
            );
            let owner = upsert.placeholder(request.owner.as_str().to_owned());
            let until = upsert.placeholder(to_secs(request.until));
            let now = upsert.placeholder(to_secs(request.now));
            upsert.push_list(chunk, |sql, (scope, slot, source)| {
                sql.push("(").bind(scope.clone()).push(", ").bind(*slot);
                sql.push(&format!(", {owner}, ")).bind(source.0);
                sql.push(&format!(", {until})"));
            });
            upsert.push(&format!(
                " ON CONFLICT (scope, slot) DO UPDATE SET leased_by = excluded.leased_by,
                     source_id = excluded.source_id, leased_until = excluded.leased_until
                 WHERE fetch_slots.leased_until <= {now}
                 RETURNING scope, slot"
            ));
            for row in upsert.fetch_all(&mut *tx, "taking fetch slots").await? {
                let get = || -> Result<(String, i64), sqlx::Error> {
                    Ok((row.try_get(0)?, row.try_get(1)?))
                };
                taken.insert(get().during("taking fetch slots")?);
            }
        }
    }
    Ok(taken)
}

/// Gives back the leases and slots `owner` took in this claim for `sources`.
pub(super) async fn undo(
    tx: &mut AnyConnection,
    engine: Engine,
    owner: &LeaseOwner,
    sources: &[SourceId],
) -> Result<()> {
    for chunk in sources.chunks(engine.rows_per_statement(1).saturating_sub(2)) {
        for (table, column, set) in [
            (
                "sources",
                "id",
                "UPDATE sources SET leased_by = NULL, leased_until = NULL",
            ),
            ("fetch_slots", "source_id", "DELETE FROM fetch_slots"),
        ] {
            let mut sql = Sql::new(set);
            sql.push(" WHERE leased_by = ")
                .bind(owner.as_str().to_owned());
            sql.push(&format!(" AND {column} IN ("));
            sql.push_list(chunk, |sql, id| {
                sql.bind(id.0);
            });
            sql.push(")");
            let action = if table == "sources" {
                "giving back leases"
            } else {
                "giving back fetch slots"
            };
            sql.execute(&mut *tx, action).await?;
        }
    }
    Ok(())
}
