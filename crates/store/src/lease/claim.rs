//! The statements of a claim, run inside its transaction: read the candidates and the
//! slots held, then lease what the plan took and take its slots (or give them back).

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, Row};
use syndic_core::SourceId;

use super::plan::{Candidate, FLEET_SCOPE, Take};
use super::{ClaimRequest, Claimable, LeaseOwner, host_of};
use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::Sql;
use crate::{Result, to_secs};

/// The sources `which` names, in order of preference, with their hosts and leases.
pub(super) async fn read_candidates(
    tx: &mut AnyConnection,
    which: Claimable<'_>,
    now: i64,
) -> Result<Vec<Candidate>> {
    const COLUMNS: &str = "SELECT id, url, leased_by, leased_until FROM sources";
    let query = match which {
        Claimable::Due(_) => sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLUMNS} WHERE {DUE} ORDER BY COALESCE(next_fetch_at, 0), id"
        )))
        .bind(now),
        Claimable::Listed(_) => sqlx::query(COLUMNS),
    };
    let rows = query
        .fetch_all(&mut *tx)
        .await
        .during("reading the sources to claim")?;
    let mut read = HashMap::with_capacity(rows.len());
    let mut order = Vec::with_capacity(rows.len());
    for row in rows {
        let get = || -> Result<(i64, String, Option<String>, Option<i64>), sqlx::Error> {
            Ok((
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
            ))
        };
        let (id, url, owner, until) = get().during("reading the sources to claim")?;
        let candidate = Candidate {
            source: SourceId(id),
            host: host_of(&url),
            lease: owner.zip(until),
        };
        order.push(candidate.source);
        read.insert(candidate.source, candidate);
    }
    let wanted: Vec<SourceId> = match which {
        Claimable::Due(configured) => order
            .into_iter()
            .filter(|id| configured.contains(id))
            .collect(),
        Claimable::Listed(listed) => listed.to_vec(),
    };
    Ok(wanted
        .into_iter()
        .filter_map(|id| read.remove(&id))
        .collect())
}

/// A source that is due at `$1`: what [`Store::due_sources`] lists.
const DUE: &str = "status <> 'gone'
    AND (next_fetch_at IS NULL OR next_fetch_at <= $1)
    AND (wait_until IS NULL OR wait_until <= $1)";

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
/// rows another claim holds; returns those leased.
pub(super) async fn lease_sources(
    tx: &mut AnyConnection,
    engine: Engine,
    request: &ClaimRequest<'_>,
    take: &[Take],
    due: bool,
) -> Result<HashSet<SourceId>> {
    let mut leased = HashSet::with_capacity(take.len());
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
        update.push(engine.skip_locked()).push(") RETURNING id");
        for row in update.fetch_all(&mut *tx, "leasing sources").await? {
            leased.insert(SourceId(row.try_get(0).during("leasing sources")?));
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
    leased: &HashSet<SourceId>,
) -> Result<HashSet<(String, i64)>> {
    let mut host_rows = Vec::new();
    let mut fleet_rows = Vec::new();
    for planned in take.iter().filter(|p| leased.contains(&p.source)) {
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
