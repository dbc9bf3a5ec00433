//! The target of a copy: empty, or the remains of an interrupted copy of the same source
//! (emptied and copied again, so the result is always one moment of the source), never a
//! store holding anything else.
//!
//! A copy marks the target before its first row with a table of its own,
//! [`MARKER_TABLE`], naming the source; the mark goes once every count is verified. A
//! target with the mark is an interrupted copy; without it, it must be empty.

use chrono::Utc;
use sqlx::AnyConnection;

use super::CopyError;
use crate::error::QueryContext;
use crate::tables::{self, TABLES};
use crate::{Result, Store};

/// The table that marks a copy under way.
pub(crate) const MARKER_TABLE: &str = "syndic_copy_in_progress";

/// What a target holds before a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Found {
    Empty,
    /// The remains of a copy of this source that did not finish.
    InterruptedCopyOf(String),
    /// Rows of its own, described for people ("3 sources, 120 posts").
    Holds(String),
}

/// Makes `target` ready for a copy of the store at `origin`: marks an empty one, empties
/// the remains of an interrupted copy of the same source (returning `true`), refuses
/// anything else.
pub(super) async fn prepare(target: &Store, origin: &str) -> Result<bool> {
    let shown = || target.origin.to_string();
    match inspect(target).await? {
        Found::Empty => {
            mark(target, origin).await?;
            Ok(false)
        }
        Found::InterruptedCopyOf(other) if other == origin => {
            empty(target).await?;
            Ok(true)
        }
        Found::InterruptedCopyOf(other) => Err(CopyError::InterruptedCopyOfAnother {
            target: shown(),
            other,
            from: origin.to_owned(),
        }
        .into()),
        Found::Holds(contents) => Err(CopyError::TargetNotEmpty {
            target: shown(),
            contents,
        }
        .into()),
    }
}

/// Removes the mark: the copy is complete.
pub(super) async fn finish(target: &Store) -> Result<()> {
    let mut tx = target.write("finishing a copy").await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {MARKER_TABLE}")))
        .execute(&mut *tx)
        .await
        .during("finishing a copy")?;
    tx.commit().await.during("finishing a copy")
}

/// The source an interrupted copy into this store came from, when it holds such remains.
pub(crate) async fn interrupted_copy_of(conn: &mut AnyConnection) -> Result<Option<String>> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT source FROM {MARKER_TABLE} WHERE id = 1"
    )))
    .fetch_optional(conn)
    .await
    .during("reading the mark of an interrupted copy")
}

async fn inspect(target: &Store) -> Result<Found> {
    let mut conn = target
        .pool
        .acquire()
        .await
        .during("inspecting the target")?;
    let present = tables::present(&mut conn, target.engine).await?;
    if present.iter().any(|name| name == MARKER_TABLE) {
        let source = interrupted_copy_of(&mut conn).await?;
        return Ok(Found::InterruptedCopyOf(source.unwrap_or_default()));
    }
    let mut held = Vec::new();
    for table in TABLES {
        let rows = if let Some(changed) = table.changed_rows {
            // Every new store has this table's row; a store that changed has moved it.
            let changed: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(changed))
                .fetch_one(&mut *conn)
                .await
                .during("inspecting the target")?;
            u64::try_from(changed).unwrap_or(0)
        } else {
            tables::count_rows(&mut conn, table.name).await?
        };
        if rows > 0 {
            held.push(format!("{} in {}", tables::rows(rows), table.name));
        }
    }
    Ok(if held.is_empty() {
        Found::Empty
    } else {
        Found::Holds(held.join(", "))
    })
}

async fn mark(target: &Store, origin: &str) -> Result<()> {
    let mut tx = target.write("marking a copy under way").await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE {MARKER_TABLE} (
             id BIGINT PRIMARY KEY CHECK (id = 1),
             source TEXT NOT NULL,
             started_at BIGINT NOT NULL)"
    )))
    .execute(&mut *tx)
    .await
    .during("marking a copy under way")?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {MARKER_TABLE} (id, source, started_at) VALUES (1, $1, $2)"
    )))
    .bind(origin)
    .bind(Utc::now().timestamp())
    .execute(&mut *tx)
    .await
    .during("marking a copy under way")?;
    tx.commit().await.during("marking a copy under way")
}

/// Deletes every copied row, the referring tables first.
async fn empty(target: &Store) -> Result<()> {
    let mut tx = target.write("emptying an interrupted copy").await?;
    for table in TABLES.iter().rev() {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", table.name)))
            .execute(&mut *tx)
            .await
            .during("emptying an interrupted copy")?;
    }
    tx.commit().await.during("emptying an interrupted copy")
}
