//! What moving a store between engines and checking one ask of the engine: the tables and
//! columns a database holds, a read snapshot, the tables of the search index (never
//! copied: rebuilt from the posts), what follows a bulk copy (identity sequences, the
//! search index emptied to be written again) and how the search index is compared with
//! the posts.

use sqlx::AnyConnection;

use super::{Engine, SearchEntry, postgres, sqlite};
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

    /// Whether `table` belongs to the search index rather than to the store's data: the
    /// list of posts waiting for it, and the index itself (SQLite's FTS5 table and its
    /// shadow tables; PostgreSQL's `search_documents`).
    pub(crate) fn is_search_table(self, table: &str) -> bool {
        table == crate::search::index::PENDING_TABLE
            || match self {
                Engine::Sqlite => table.starts_with(sqlite::SEARCH_TABLE),
                Engine::Postgres => table == postgres::SEARCH_TABLE,
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

    /// Empties the search index (every entry goes), before every post is indexed again.
    pub(crate) async fn clear_search_index(self, conn: &mut AnyConnection) -> Result<()> {
        match self {
            Engine::Sqlite => sqlite::clear_search_index(conn).await,
            Engine::Postgres => postgres::clear_search_index(conn).await,
        }
    }

    /// Starts comparing the search index with the posts on `conn` (SQLite: an empty FTS5
    /// index beside it, in the connection's private temporary schema; PostgreSQL: nothing).
    pub(crate) async fn begin_search_check(self, conn: &mut AnyConnection) -> Result<()> {
        match self {
            Engine::Sqlite => sqlite::begin_search_check(conn).await,
            Engine::Postgres => Ok(()),
        }
    }

    /// Hands the check the titles and texts of a batch of posts; how many of them it
    /// found out of step already (PostgreSQL compares each batch with plain `SELECT`s;
    /// SQLite indexes them into its own index and compares at the end).
    pub(crate) async fn check_search_entries(
        self,
        conn: &mut AnyConnection,
        entries: &[SearchEntry<'_>],
    ) -> Result<u64> {
        match self {
            Engine::Sqlite => sqlite::check_search_entries(conn, entries).await,
            Engine::Postgres => postgres::search_entries_differing(conn, entries).await,
        }
    }

    /// Ends the comparison: how many more posts' entries differ (SQLite: every post
    /// whose terms or positions differ between the two indexes; PostgreSQL: documents
    /// of posts that are gone).
    pub(crate) async fn finish_search_check(self, conn: &mut AnyConnection) -> Result<u64> {
        match self {
            Engine::Sqlite => sqlite::finish_search_check(conn).await,
            Engine::Postgres => postgres::search_entries_left_over(conn).await,
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
