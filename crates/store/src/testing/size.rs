//! Where a store's bytes are, for the size benchmark: every table and index with the bytes
//! it takes on disk, and the bytes of the post bodies themselves.

use sqlx::Row;

use crate::engine::Engine;
use crate::error::QueryContext;
use crate::{Result, Store};

/// A store's bytes, object by object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreSize {
    /// Every table and index (SQLite: each b-tree, FTS5's shadow tables among them, from
    /// `dbstat`; PostgreSQL: each table with its TOAST table and maps, `pg_table_size`,
    /// and each index, `pg_relation_size`), by name, largest first.
    pub objects: Vec<(String, u64)>,
    /// The bodies' own bytes (`posts.body`, compressed as stored), without page overhead.
    pub body_bytes: u64,
    /// Posts stored.
    pub posts: u64,
}

impl StoreSize {
    /// The bytes of every object.
    pub fn total(&self) -> u64 {
        self.objects.iter().map(|(_, bytes)| bytes).sum()
    }
}

/// Measures `store` object by object. Checkpoint a SQLite store first (its WAL is not
/// counted: `dbstat` reads the pages as the database sees them).
pub async fn store_size(store: &Store) -> Result<StoreSize> {
    let objects_sql = match store.engine {
        Engine::Sqlite => "SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name",
        Engine::Postgres => {
            "SELECT c.relname::text AS name,
                 (CASE WHEN c.relkind = 'i' THEN pg_relation_size(c.oid)
                       ELSE pg_table_size(c.oid) END)::bigint AS bytes
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')"
        }
    };
    let mut objects = Vec::new();
    for row in sqlx::query(objects_sql)
        .fetch_all(&store.pool)
        .await
        .during("measuring the store")?
    {
        let name: String = row.try_get("name").during("measuring the store")?;
        let bytes: i64 = row.try_get("bytes").during("measuring the store")?;
        objects.push((name, u64::try_from(bytes).unwrap_or(0)));
    }
    objects.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let length = match store.engine {
        Engine::Sqlite => "length(body)",
        Engine::Postgres => "octet_length(body)",
    };
    let sums = format!("SELECT CAST(COALESCE(SUM({length}), 0) AS BIGINT), COUNT(*) FROM posts");
    let (body_bytes, posts): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(sums))
        .fetch_one(&store.pool)
        .await
        .during("measuring the store")?;
    Ok(StoreSize {
        objects,
        body_bytes: u64::try_from(body_bytes).unwrap_or(0),
        posts: u64::try_from(posts).unwrap_or(0),
    })
}

/// Settles a store before [`store_size`] measures it. SQLite: folds the WAL into the file
/// and empties it, so that the sizes and the file's length agree. PostgreSQL: vacuums and
/// analyses the store's tables, as autovacuum soon would in service, so that rows already
/// deleted (the transient merge claims) and the GIN index's pending list are not counted as
/// the store's size, and the searches timed after it are planned with statistics.
pub async fn checkpoint(store: &Store) -> Result<()> {
    match store.engine {
        Engine::Sqlite => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&store.pool)
                .await
                .during("checkpointing the store")?;
        }
        Engine::Postgres => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT quote_ident(tablename::text) FROM pg_tables WHERE schemaname = current_schema()",
            )
            .fetch_all(&store.pool)
            .await
            .during("listing the tables to vacuum")?;
            for table in tables {
                sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM (ANALYZE) {table}")))
                    .execute(&store.pool)
                    .await
                    .during("vacuuming the store")?;
            }
        }
    }
    Ok(())
}

/// One way of indexing posts for search, to compare with the store's own index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexVariant {
    /// SQLite: an FTS5 table like `posts_fts` (contentless, the same tokenizer) with these
    /// options appended (`", contentless_delete = 1"` for the store's own).
    Fts5(&'static str),
    /// PostgreSQL: `tsvector` documents made by this SQL expression of `title` and `body`,
    /// with a GIN index over them (the store's own documents are keys: migration 25).
    Tsvector(&'static str),
}

/// The bytes an index of `variant` over `posts` (id, title, text) takes, built beside the
/// store's own in a table of its own and dropped afterwards.
pub async fn index_variant_bytes(
    store: &Store,
    variant: IndexVariant,
    posts: &[(i64, String, String)],
) -> Result<u64> {
    use crate::sql::Sql;
    let mut conn = store.pool.acquire().await.during("sizing an index")?;
    let (create, insert, measure, drop) = match variant {
        IndexVariant::Fts5(options) => (
            format!(
                "CREATE VIRTUAL TABLE lever_fts USING fts5 (title, content_text, content = '', \
                 tokenize = 'porter unicode61 remove_diacritics 2'{options})"
            ),
            "INSERT INTO lever_fts (rowid, title, content_text) SELECT column1, column2, column3 FROM (VALUES "
                .to_owned(),
            "SELECT CAST(SUM(pgsize) AS BIGINT) FROM dbstat WHERE name LIKE 'lever_fts%'",
            "DROP TABLE lever_fts",
        ),
        IndexVariant::Tsvector(expression) => (
            "CREATE TABLE lever_documents (post_id BIGINT PRIMARY KEY, document TSVECTOR NOT NULL); \
             CREATE INDEX lever_documents_by_word ON lever_documents USING gin (document)"
                .to_owned(),
            format!(
                "INSERT INTO lever_documents (post_id, document) SELECT column1, {expression} \
                 FROM (SELECT v.column1, v.column2 AS title, v.column3 AS body FROM (VALUES "
            ),
            "SELECT (pg_table_size('lever_documents') \
             + pg_relation_size('lever_documents_by_word'))::bigint",
            "DROP TABLE lever_documents",
        ),
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(create))
        .execute(&mut *conn)
        .await
        .during("sizing an index")?;
    let closing = match variant {
        IndexVariant::Fts5(_) => ")",
        IndexVariant::Tsvector(_) => ") AS v) AS w",
    };
    for chunk in posts.chunks(store.engine.rows_per_statement(3).min(100)) {
        let mut sql = Sql::new(&insert);
        sql.push_list(chunk, |sql, (id, title, text)| {
            sql.push("(")
                .bind(*id)
                .push(", ")
                .bind(title.clone())
                .push(", ")
                .bind(text.clone())
                .push(")");
        });
        sql.push(closing);
        sql.execute(&mut conn, "sizing an index").await?;
    }
    if store.engine == Engine::Postgres {
        sqlx::query("VACUUM ANALYZE lever_documents")
            .execute(&mut *conn)
            .await
            .during("sizing an index")?;
    }
    let bytes: i64 = sqlx::query_scalar(measure)
        .fetch_one(&mut *conn)
        .await
        .during("sizing an index")?;
    sqlx::query(drop)
        .execute(&mut *conn)
        .await
        .during("sizing an index")?;
    Ok(u64::try_from(bytes).unwrap_or(0))
}
