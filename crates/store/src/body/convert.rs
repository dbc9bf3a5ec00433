//! Migration 12's Rust step: every stored post's `content_text` and `content_html`
//! compressed into its `body`, a few hundred posts at a time, inside the migration's
//! transaction (so a crash leaves the old schema, whole).

use std::future::Future;
use std::pin::Pin;

use sqlx::{AnyConnection, Row};

use crate::sql::Sql;

/// Posts read and rewritten per round.
const BATCH: i64 = 500;

/// [`convert`] as a [`crate::migrate::Step`].
pub(crate) fn step(
    conn: &mut AnyConnection,
) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + '_>> {
    Box::pin(convert(conn))
}

async fn convert(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, content_text, content_html FROM posts WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.try_get("id")?;
        let mut bodies = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let text: String = row.try_get("content_text")?;
            let html: String = row.try_get("content_html")?;
            bodies.push((id, super::encode(&text, &html)));
        }
        // Two parameters a row; SQLite's cheapest statements carry about 250.
        for chunk in bodies.chunks(120) {
            let mut update = Sql::new("UPDATE posts SET body = v.column2 FROM (VALUES ");
            update.push_list(chunk, |sql, (id, body)| {
                sql.push("(")
                    .bind(*id)
                    .push(", ")
                    .bind(body.clone())
                    .push(")");
            });
            update.push(") AS v WHERE posts.id = v.column1");
            update.run(&mut *conn).await?;
        }
    }
}
