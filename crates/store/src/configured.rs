//! Which configured sources are stored exactly as configured, read in bulk.
//!
//! Every command that fetches first makes the store agree with the `[[source]]` entries
//! ([`Store::upsert_source`], [`Store::sync_source_settings`]): two reads per source, 600
//! statements for 300 sources before the first fetch, though nearly always nothing
//! changed. [`Store::sources_as_configured`] reads the rows of many URLs per statement and
//! decides in Rust ([`as_configured`]) which need nothing; only the others take the
//! per-source path, which also knows the rarer cases (a new source, a rename, a URL a
//! source moved away from, another process adding the same source at once).

use std::collections::HashMap;

use sqlx::Row;
use syndic_core::SourceId;

use crate::error::QueryContext;
use crate::source_settings::{SettingsRow, settings_of, wanted_settings};
use crate::sources::cleaned_spec;
use crate::sql::Sql;
use crate::{Result, SourceSettings, SourceSpec, Store};

/// A stored source as [`Store::sources_as_configured`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredSource {
    pub(crate) id: SourceId,
    pub(crate) name: Option<String>,
    pub(crate) settings: SourceSettings,
}

/// Whether `stored` (the row at the source's URL, if any) is `spec` with `settings` as the
/// per-source path would store them: then that path would write nothing.
pub(crate) fn as_configured(
    stored: Option<&StoredSource>,
    spec: &SourceSpec,
    settings: &SourceSettings,
) -> Option<SourceId> {
    let stored = stored?;
    let spec = cleaned_spec(spec);
    (stored.name == spec.name && stored.settings == wanted_settings(settings)).then_some(stored.id)
}

impl Store {
    /// For each configured source (its spec and settings), its id when its row is stored
    /// at its URL with that name and those settings, else `None`: then
    /// [`Store::upsert_source`] and [`Store::sync_source_settings`] must run for it. Reads
    /// many URLs per statement.
    pub async fn sources_as_configured(
        &self,
        sources: &[(SourceSpec, SourceSettings)],
    ) -> Result<Vec<Option<SourceId>>> {
        let urls: Vec<String> = sources
            .iter()
            .map(|(spec, _)| cleaned_spec(spec).url)
            .collect();
        let mut stored: HashMap<String, StoredSource> = HashMap::with_capacity(urls.len());
        for chunk in urls.chunks(self.engine.rows_per_statement(1)) {
            let mut select = Sql::new(
                "SELECT id, url, name, paused, updates, attribution, credit_original,
                     honor_deletions, priority, full_content
                 FROM sources WHERE url IN (",
            );
            select.push_list(chunk, |sql, url| {
                sql.bind(url.clone());
            });
            select.push(")");
            for row in select
                .fetch_all(&self.pool, "reading the configured sources")
                .await?
            {
                let (url, source) = stored_source(&row)?;
                stored.insert(url, source);
            }
        }
        Ok(sources
            .iter()
            .zip(&urls)
            .map(|((spec, settings), url)| as_configured(stored.get(url), spec, settings))
            .collect())
    }
}

fn stored_source(row: &sqlx::any::AnyRow) -> Result<(String, StoredSource)> {
    let get = || -> Result<(i64, String, Option<String>, SettingsRow), sqlx::Error> {
        Ok((
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            (
                row.try_get(3)?,
                row.try_get(4)?,
                row.try_get(5)?,
                row.try_get(6)?,
                row.try_get(7)?,
                row.try_get(8)?,
                row.try_get(9)?,
            ),
        ))
    };
    let (id, url, name, settings) = get().during("reading the configured sources")?;
    let source = StoredSource {
        id: SourceId(id),
        name,
        settings: settings_of(settings)?,
    };
    Ok((url, source))
}

#[cfg(test)]
mod tests;
