//! `syndic store check`: what is wrong with a store, and what to do about it.
//!
//! Opened without migrating (a check never changes the schema) and without creating a
//! missing SQLite file, a store is checked for: a current schema; the tables of the one
//! table list ([`crate::tables::TABLES`]) and their rows; the change clock's one row;
//! rows naming a parent that is gone (orphans; SQLite enforces foreign keys only when
//! told to, and older stores may hold some); the remains of an interrupted copy; the
//! search index in step with the posts; and the engine's own structural check (SQLite's
//! `quick_check`). Each problem comes with what to do.

use std::path::Path;

use sqlx::AnyConnection;

use crate::copy::{MARKER_TABLE, interrupted_copy_of};
use crate::engine::{Engine, Location};
use crate::error::QueryContext;
use crate::tables::{self, CLOCK_TABLE, MIGRATIONS_TABLE, TABLES};
use crate::{Result, Store, StoreOptions, body, clock, migrate, search};

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreCheck {
    /// `sqlite` or `postgres`.
    pub engine: &'static str,
    /// The schema version recorded in the store; `None` when it holds no syndic schema.
    pub schema_version: Option<i64>,
    /// Rows per table of the store, in the table list's order (tables present only).
    pub tables: Vec<TableCount>,
    /// Everything wrong, each with what to do; none when the store is healthy.
    pub problems: Vec<StoreProblem>,
}

impl StoreCheck {
    pub fn is_healthy(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One thing wrong with a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreProblem {
    /// What is wrong.
    pub what: String,
    /// What to do about it.
    pub fix: String,
}

/// The rows of one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    pub rows: u64,
}

impl Store {
    /// Checks the store at `url` (see the module docs) without changing it. Fails only
    /// when it cannot be reached or read at all.
    pub async fn check(url: &str) -> Result<StoreCheck> {
        check_at(Engine::locate(url)?, url).await
    }

    /// [`Store::check`] for a SQLite file at `path`.
    pub async fn check_sqlite_path(path: &Path) -> Result<StoreCheck> {
        check_at(Location::sqlite_file(path)?, &path.display().to_string()).await
    }

    /// Writes every post's search entry anew (what a check that finds the index out of
    /// step asks for) and counts the listings' days anew: empties the index, lists every
    /// post as pending and recounts in one transaction, which moves the change clock (search answers may change), then
    /// indexes them in batches ([`Store::index_search`]). Returns how many posts it
    /// indexed. Until it ends, search finds only the posts indexed so far; if it stops
    /// half-way, the rest stay pending and the next opening of the store indexes them.
    pub async fn rebuild_search_index(&self) -> Result<u64> {
        let mut tx = self.write("rebuilding the search index").await?;
        search::index::clear_and_mark_every_post(&mut tx, self.engine).await?;
        crate::listing::days::recount(&mut tx).await?;
        clock::bump(&mut tx).await?;
        tx.commit().await.during("rebuilding the search index")?;
        self.index_search().await
    }
}

async fn check_at(location: Location, url: &str) -> Result<StoreCheck> {
    // Read as it is: never created, upgraded or written by looking at it (the search
    // check's comparison index is a temporary table, which a read-only connection may make).
    let location = location.for_reading()?;
    let pool = Engine::connect(&location, url, &StoreOptions::default()).await?;
    let mut conn = pool.acquire().await.during("checking the store")?;
    let checked = examine(&mut conn, location.engine).await;
    drop(conn);
    pool.close().await;
    checked
}

async fn examine(conn: &mut AnyConnection, engine: Engine) -> Result<StoreCheck> {
    let mut check = StoreCheck {
        engine: match engine {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        },
        schema_version: None,
        tables: Vec::new(),
        problems: Vec::new(),
    };
    let present = tables::present(conn, engine).await?;
    let has = |name: &str| present.iter().any(|p| p == name);
    if !has(MIGRATIONS_TABLE) {
        check.problem(
            "this database holds no syndic store (it has no schema_migrations table)",
            "check the URL; syndic creates its schema when a command such as `syndic fetch` \
             first opens an empty database",
        );
        return Ok(check);
    }
    let version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(&mut *conn)
            .await
            .during("reading the schema version")?;
    check.schema_version = Some(version);
    for table in TABLES.iter().filter(|t| has(t.name)) {
        let rows = tables::count_rows(conn, table.name).await?;
        check.tables.push(TableCount {
            table: table.name,
            rows,
        });
    }
    if !schema_is_current(&mut check, version) {
        // What follows reads the current schema.
        return Ok(check);
    }
    for table in TABLES.iter().filter(|t| !has(t.name)) {
        check.problem(
            format!("table {} is missing", table.name),
            "restore the store from a backup",
        );
    }
    if has(MARKER_TABLE) {
        let from = interrupted_copy_of(conn).await?.unwrap_or_default();
        check.problem(
            format!("this store is the remains of an interrupted copy of {from}"),
            format!(
                "run `syndic store copy --from {from} --to <this store>` again to finish it, \
                 or copy into a new, empty database"
            ),
        );
    }
    check_clock(conn, &mut check).await?;
    check_orphans(conn, &mut check, &has).await?;
    for line in engine.integrity_problems(conn).await? {
        check.problem(
            format!("the database file is damaged: {line}"),
            "restore the store from a backup (`syndic store copy` from the damaged file may \
             still save what it can read)",
        );
    }
    // The comparison reads the posts' texts: bodies made with a dictionary need it.
    if has("body_dictionaries") {
        body::dictionary::register_all(conn).await?;
    }
    // Posts waiting for the next indexing pass are in step by design; only entries that
    // differ from their posts are a problem.
    if has("posts")
        && search::index::compare_with_posts(conn, engine)
            .await?
            .differing
            > 0
    {
        check.problem(
            "the search index is out of step with the posts",
            "rebuild it with `syndic store reindex`",
        );
    }
    if has("posts") && crate::listing::days::days_out_of_step(conn).await? > 0 {
        check.problem(
            "the listings' post counts (table listing_days) are out of step with the posts",
            "count them anew with `syndic store reindex`",
        );
    }
    Ok(check)
}

impl StoreCheck {
    fn problem(&mut self, what: impl Into<String>, fix: impl Into<String>) {
        self.problems.push(StoreProblem {
            what: what.into(),
            fix: fix.into(),
        });
    }
}

/// Notes a schema older or newer than this syndic's; `true` when it is current.
fn schema_is_current(check: &mut StoreCheck, version: i64) -> bool {
    let current = migrate::latest();
    if version < current {
        check.problem(
            format!("the schema is at version {version}; this syndic's is {current}"),
            "open it once with this syndic (any command that opens the store, such as \
             `syndic sources`, brings it up to date), then check again",
        );
    } else if version > current {
        check.problem(
            format!(
                "the schema is at version {version}, written by a newer syndic (this one knows \
                 {current})"
            ),
            "check it with the syndic version that wrote it",
        );
    }
    version == current
}

async fn check_clock(conn: &mut AnyConnection, check: &mut StoreCheck) -> Result<()> {
    let rows = check
        .tables
        .iter()
        .find(|t| t.table == CLOCK_TABLE)
        .map_or(0, |t| t.rows);
    let with_id: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM site_state WHERE id = 1")
        .fetch_one(conn)
        .await
        .during("reading the change clock")?;
    if rows != 1 || with_id != 1 {
        check.problem(
            format!("the change clock (table site_state) has {rows} rows instead of one"),
            "restore the store from a backup, or give it its row: INSERT INTO site_state \
             (id, changed_at, version) VALUES (1, 0, 1)",
        );
    }
    Ok(())
}

async fn check_orphans(
    conn: &mut AnyConnection,
    check: &mut StoreCheck,
    has: &impl Fn(&str) -> bool,
) -> Result<()> {
    for table in TABLES.iter().filter(|t| has(t.name)) {
        for (column, parent) in table.references.iter().filter(|(_, p)| has(p)) {
            let orphans: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {child} c WHERE c.{column} IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = c.{column})",
                child = table.name
            )))
            .fetch_one(&mut *conn)
            .await
            .during("looking for orphaned rows")?;
            if orphans > 0 {
                check.problem(
                    format!(
                        "{}: {} whose {column} names no row of {parent}",
                        table.name,
                        tables::rows(orphans.unsigned_abs())
                    ),
                    format!(
                        "restore the store from a backup, or delete them: DELETE FROM {child} \
                         WHERE {column} NOT IN (SELECT id FROM {parent})",
                        child = table.name
                    ),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
