//! Where an aggregator's items came from: the RSS or Atom `<source>` of each entry, kept
//! on its post (`posts.origin_title`, `origin_url`) whatever the source's settings, so
//! that turning `credit_original` on credits posts already stored. Reading decides
//! ([`crate::rows`]): only a source with `credit_original` credits the origin.

use sqlx::AnyConnection;
use syndic_core::SourceId;

use crate::engine::Engine;
use crate::ingest::IncomingPost;
use crate::sql::Sql;
use crate::{Result, text};

/// Writes the origin of every entry of one ingest that names one, on the source's post
/// with the entry's guid (one statement per chunk of such entries; none for the many
/// feeds that name no origin). Runs inside the ingest's transaction, after its posts.
pub(crate) async fn record(
    tx: &mut AnyConnection,
    engine: Engine,
    source: SourceId,
    posts: &[IncomingPost],
) -> Result<()> {
    let named: Vec<(String, String, Option<String>)> = posts
        .iter()
        .filter_map(|post| {
            let origin = post.entry.origin.as_ref()?;
            Some((
                text::clean(&post.entry.guid).into_owned(),
                text::clean(&origin.title).into_owned(),
                text::clean_opt(origin.url.as_deref()).map(|u| u.into_owned()),
            ))
        })
        .collect();
    for chunk in named.chunks(engine.rows_per_statement(3).saturating_sub(1).max(1)) {
        let mut update = Sql::new(
            "UPDATE posts SET origin_title = v.column2, origin_url = v.column3 FROM (VALUES ",
        );
        update.push_list(chunk, |sql, (guid, title, url)| {
            sql.push("(")
                .bind(guid.clone())
                .push(", ")
                .bind(title.clone())
                .push(", ")
                .bind(url.clone())
                .push(")");
        });
        update
            .push(") AS v WHERE posts.guid = v.column1 AND posts.source_id = ")
            .bind(source.0);
        update
            .execute(&mut *tx, "recording where posts came from")
            .await?;
    }
    Ok(())
}
