//! `syndic store copy`: a whole store from one database into another, between engines in
//! either direction (or into a new SQLite file: a backup).
//!
//! Driven by the one table list ([`crate::tables::TABLES`]) in its order; each table's
//! columns come from both catalogs (the target's, which the source must match), and values
//! travel as `Any` values. The source is read in
//! one snapshot (one read transaction for the whole copy), so a store that `serve` keeps
//! writing to is copied as it was at one moment; rows go in batches of [`BATCH_ROWS`] (fewer for large rows) in
//! key order, each batch one write transaction on the target. Then the target's identity
//! sequences are set past the copied ids, its search index is written from the posts (the
//! index and its pending list are the engine's own, never copied: every post is listed as
//! pending and indexed in batches), and every table's rows are counted on both sides. The target must be empty; a copy that stopped half-way leaves a mark
//! (`target.rs`), and running it again empties the target and copies anew.

mod columns;
mod target;

use sqlx::AnyConnection;
use thiserror::Error;

use self::columns::{Column, Value};
pub(crate) use self::target::{MARKER_TABLE, interrupted_copy_of};
use crate::error::QueryContext;
use crate::sql::Sql;
use crate::tables::{self, TABLES, Table};
use crate::{Result, Store, TableCount, search};

/// Rows read and written at a time.
pub const BATCH_ROWS: usize = 500;

/// Why a copy was refused or failed its verification.
#[derive(Debug, Error)]
pub enum CopyError {
    #[error("the source and the target are the same store ({url})")]
    SameStore { url: String },

    #[error(
        "the target {target} is not empty ({contents}); copy into a new, empty database \
         (a new SQLite file, or a PostgreSQL database made with createdb)"
    )]
    TargetNotEmpty { target: String, contents: String },

    #[error(
        "the target {target} holds an interrupted copy of {other}, not of {from}; run the \
         copy from {other} again to finish it, or copy into a new, empty database"
    )]
    InterruptedCopyOfAnother {
        target: String,
        other: String,
        from: String,
    },

    #[error(
        "table {table} is not the same in both stores: {detail}; run the same syndic \
         version on both (each brings its store's schema up to date when it opens it)"
    )]
    SchemaMismatch { table: &'static str, detail: String },

    #[error(
        "column {table}.{column} is declared {declared:?}, which the copy cannot carry; \
         teach crates/store/src/copy/columns.rs that type"
    )]
    UnknownColumnType {
        table: &'static str,
        column: String,
        declared: String,
    },

    #[error(
        "after the copy, table {table} has {found} rows in the target but {expected} in \
         the source; run the copy again"
    )]
    CountMismatch {
        table: &'static str,
        expected: u64,
        found: u64,
    },
}

/// How far a copy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyProgress {
    /// `copied` of the `of` rows of `table`; `done` of the `total` rows of every table.
    Rows {
        table: &'static str,
        copied: u64,
        of: u64,
        done: u64,
        total: u64,
    },
    /// Every row is in; the target's search index is being rebuilt.
    Indexing,
    /// Counting the target's rows to compare them with the source's.
    Verifying,
}

/// What a finished copy moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Rows per table, in copy order, the same on both sides.
    pub tables: Vec<TableCount>,
    /// Whether the target held an interrupted copy of the same source, emptied first.
    pub redone: bool,
}

impl Store {
    /// Copies this whole store into `target`, which must be empty or hold an interrupted
    /// copy of this store; `progress` hears about every batch. See the module docs.
    pub async fn copy_to(
        &self,
        target: &Store,
        mut progress: impl FnMut(CopyProgress),
    ) -> Result<CopyReport> {
        if self.origin == target.origin {
            return Err(CopyError::SameStore {
                url: self.origin.to_string(),
            }
            .into());
        }
        let redone = target::prepare(target, &self.origin).await?;
        let mut snapshot = self
            .pool
            .begin_with(self.engine.begin_snapshot())
            .await
            .during("beginning a read snapshot of the source")?;
        let mut counts = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let rows = tables::count_rows(&mut snapshot, table.name).await?;
            counts.push(TableCount {
                table: table.name,
                rows,
            });
        }
        let total = counts.iter().map(|c| c.rows).sum();
        let mut done = 0;
        for (table, count) in TABLES.iter().zip(&counts) {
            let columns = self.columns_for(&mut snapshot, target, table).await?;
            let mut report = |copied| {
                progress(CopyProgress::Rows {
                    table: table.name,
                    copied,
                    of: count.rows,
                    done: done + copied,
                    total,
                });
            };
            report(0);
            done += copy_table(&mut snapshot, target, table, &columns, &mut report).await?;
        }
        // The snapshot only read.
        snapshot
            .rollback()
            .await
            .during("ending the read snapshot")?;
        progress(CopyProgress::Indexing);
        settle(target).await?;
        progress(CopyProgress::Verifying);
        verify(target, &counts).await?;
        target::finish(target).await?;
        Ok(CopyReport {
            tables: counts,
            redone,
        })
    }

    /// The columns to copy for `table`, from the source's catalog (in `snapshot`) and the
    /// target's.
    async fn columns_for(
        &self,
        snapshot: &mut AnyConnection,
        target: &Store,
        table: &Table,
    ) -> Result<Vec<Column>> {
        let in_source = columns::listed(snapshot, self.engine, table.name).await?;
        let mut conn = target
            .pool
            .acquire()
            .await
            .during("reading the target's columns")?;
        let in_target = columns::listed(&mut conn, target.engine, table.name).await?;
        Ok(columns::plan(table, &in_source, &in_target)?)
    }
}

/// Copies every row of `table` in key order, batch by batch; returns how many.
async fn copy_table(
    snapshot: &mut AnyConnection,
    target: &Store,
    table: &Table,
    columns: &[Column],
    report: &mut impl FnMut(u64),
) -> Result<u64> {
    let key_at: Vec<usize> = table
        .key
        .iter()
        .filter_map(|key| columns.iter().position(|c| c.name == *key))
        .collect();
    let mut after: Option<Vec<Value>> = None;
    let mut copied = 0;
    loop {
        let rows = select_batch(table, columns, after.as_deref())
            .fetch_all(&mut *snapshot, "reading rows to copy")
            .await?;
        let values = rows
            .iter()
            .map(|row| columns::read_row(row, columns))
            .collect::<Result<Vec<_>>>()?;
        let Some(last) = values.last() else {
            break;
        };
        after = Some(key_at.iter().map(|&at| last[at].clone()).collect());
        write_batch(target, table, columns, &values).await?;
        copied += values.len() as u64;
        report(copied);
        if values.len() < table.batch_rows {
            break;
        }
    }
    Ok(copied)
}

/// `SELECT columns FROM table [WHERE (key) > (after)] ORDER BY key LIMIT batch_rows`.
fn select_batch(table: &Table, columns: &[Column], after: Option<&[Value]>) -> Sql {
    let mut sql = Sql::new("SELECT ");
    sql.push(&column_list(columns))
        .push(" FROM ")
        .push(table.name);
    let key = table.key.join(", ");
    if let Some(after) = after {
        sql.push(" WHERE (").push(&key).push(") > (");
        sql.push_list(after, columns::bind);
        sql.push(")");
    }
    sql.push(" ORDER BY ")
        .push(&key)
        .push(&format!(" LIMIT {}", table.batch_rows));
    sql
}

/// Writes `rows` into `table` in one transaction: multi-row inserts, a row already there
/// (the clock's) replaced.
async fn write_batch(
    target: &Store,
    table: &Table,
    columns: &[Column],
    rows: &[Vec<Value>],
) -> Result<()> {
    let mut tx = target.write("copying rows").await?;
    let updates: Vec<String> = columns
        .iter()
        .filter(|c| !table.key.contains(&c.name.as_str()))
        .map(|c| format!("{0} = excluded.{0}", c.name))
        .collect();
    let on_conflict = if updates.is_empty() {
        "DO NOTHING".to_owned()
    } else {
        format!("DO UPDATE SET {}", updates.join(", "))
    };
    for chunk in rows.chunks(target.engine.rows_per_statement(columns.len())) {
        let mut sql = Sql::new("INSERT INTO ");
        sql.push(table.name)
            .push(" (")
            .push(&column_list(columns))
            .push(") VALUES ");
        sql.push_list(chunk, |sql, row| {
            sql.push("(");
            sql.push_list(row, columns::bind);
            sql.push(")");
        });
        sql.push(" ON CONFLICT (")
            .push(&table.key.join(", "))
            .push(") ")
            .push(&on_conflict);
        sql.execute(&mut tx, "copying rows").await?;
    }
    tx.commit().await.during("copying rows")
}

fn column_list(columns: &[Column]) -> String {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    names.join(", ")
}

/// After the rows: identities past the copied ids, and every post listed for the search
/// index (which the copy never carries), then indexed.
async fn settle(target: &Store) -> Result<()> {
    let mut tx = target.write("indexing the copied posts").await?;
    for table in TABLES.iter().filter(|t| t.identity) {
        for column in table.key {
            target
                .engine
                .reset_identity(&mut tx, table.name, column)
                .await?;
        }
    }
    search::index::clear_and_mark_every_post(&mut tx, target.engine).await?;
    tx.commit().await.during("indexing the copied posts")?;
    // Not `index_search`: the copied pending corpus counts stay as they are until verified.
    target.index_all_pending().await?;
    Ok(())
}

/// Every table of the target holds as many rows as the source's snapshot did.
async fn verify(target: &Store, expected: &[TableCount]) -> Result<()> {
    let mut conn = target
        .pool
        .acquire()
        .await
        .during("counting the copied rows")?;
    for count in expected {
        let found = tables::count_rows(&mut conn, count.table).await?;
        if found != count.rows {
            return Err(CopyError::CountMismatch {
                table: count.table,
                expected: count.rows,
                found,
            }
            .into());
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
