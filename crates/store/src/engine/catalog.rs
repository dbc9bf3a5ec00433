//! What moving a store between engines and checking one ask of the engine: the tables and
//! columns a database holds, a read snapshot, the columns and tables an engine derives
//! from the rest (the search index), and what follows a bulk copy (identity sequences,
//! the search index rebuilt).

use sqlx::AnyConnection;

use super::{Engine, postgres, sqlite};
use crate::Result;

impl Engine {
    /// The statement that begins a read transaction seeing one moment of the database
    /// throughout, whatever commits meanwhile.
    pub(crate) fn begin_snapshot(self) -> &'static str {
        match self {
            Engine::Sqlite => sqlite::BEGIN_SNAPSHOT,
            Engine::Postgres => postgres::BEGIN_SNAPSHOT,
        }
    }

    /// A query listing the database's tables (one text column, `name`).
    pub(crate) fn tables_query(self) -> &'static str {
        match self {
            Engine::Sqlite => sqlite::TABLES_QUERY,
            Engine::Postgres => postgres::TABLES_QUERY,
        }
    }

    /// A query listing the columns of table `$1` in order (text columns `name`, `type`).
    pub(crate) fn columns_query(self) -> &'static str {
        match self {
            Engine::Sqlite => sqlite::COLUMNS_QUERY,
            Engine::Postgres => postgres::COLUMNS_QUERY,
        }
    }

    /// Whether `column` of `table` is derived by this engine from the other columns (a
    /// search document): never copied, rebuilt on the target instead.
    pub(crate) fn derives_column(self, table: &str, column: &str) -> bool {
        match self {
            Engine::Sqlite => false,
            Engine::Postgres => table == "posts" && column == postgres::SEARCH_COLUMN,
        }
    }

    /// Whether `table` belongs to this engine's search index rather than to the store's
    /// data (SQLite's FTS5 table and its shadow tables).
    pub(crate) fn is_search_table(self, table: &str) -> bool {
        match self {
            Engine::Sqlite => table.starts_with(sqlite::SEARCH_TABLE),
            Engine::Postgres => false,
        }
    }

    /// What the engine itself finds wrong with the database's structure (SQLite's
    /// `quick_check`; a PostgreSQL server keeps its own files sound), one line each.
    pub(crate) async fn integrity_problems(self, conn: &mut AnyConnection) -> Result<Vec<String>> {
        match self {
            Engine::Sqlite => sqlite::integrity_problems(conn).await,
            Engine::Postgres => Ok(Vec::new()),
        }
    }

    /// Indexes every post anew for search, after posts were written in bulk.
    pub(crate) async fn rebuild_search_index(self, conn: &mut AnyConnection) -> Result<()> {
        match self {
            Engine::Sqlite => sqlite::rebuild_search_index(conn).await,
            Engine::Postgres => postgres::rebuild_search_index(conn).await,
        }
    }

    /// Makes the ids the engine hands out for `table`'s identity `column` start past the
    /// largest one stored (PostgreSQL's sequences; SQLite takes the largest rowid anyway).
    pub(crate) async fn reset_identity(
        self,
        conn: &mut AnyConnection,
        table: &str,
        column: &str,
    ) -> Result<()> {
        match self {
            Engine::Sqlite => Ok(()),
            Engine::Postgres => postgres::reset_identity(conn, table, column).await,
        }
    }
}
