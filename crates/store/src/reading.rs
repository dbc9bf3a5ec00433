//! Opening a store read-only: [`Store::open_read_only`].
//!
//! A reader needs the store to exist with this syndic's schema. When it does, the reader
//! opens it read-only and reads nothing else first. When it does not (a SQLite file not
//! created yet, a schema an older syndic left), a writable handle creates or upgrades it
//! first, under the migration lock, and is closed again; a store that cannot be written
//! then says why. A SQLite file in a folder syndic may not write cannot get the -shm file
//! a WAL reader keeps beside it: it is read `immutable` instead.

use sqlx::AnyPool;

use crate::engine::{self, Engine, Location};
use crate::{Result, Store, StoreError, StoreOptions, migrate};

/// Opens `location` (as `url` names it, for messages) read-only.
pub(crate) async fn open(location: &Location, url: &str, options: &StoreOptions) -> Result<Store> {
    let reading = location.for_reading()?;
    if !reading.exists() {
        prepare(location, url, options).await?;
    }
    let (store, found) = match connect(&reading, url, options).await {
        Ok(opened) => opened,
        Err(error) if engine::needs_immutable(&error) => {
            let Some(immutable) = reading.immutable() else {
                return Err(error);
            };
            tracing::info!(
                "the store's folder is not writable: reading it as an immutable file (changes \
                 other processes make while this runs are not seen)"
            );
            connect(&immutable, url, options).await?
        }
        Err(error) => return Err(error),
    };
    if found == Some(migrate::latest()) {
        return Ok(store);
    }
    store.close().await;
    // An older schema, or none: upgrade it where the store can be written, then read.
    let outdated = StoreError::SchemaOutdated {
        found: found.unwrap_or(0),
        known: migrate::latest(),
    };
    match prepare(location, url, options).await {
        Ok(()) => {}
        Err(error) if error.cause() == Some(crate::Cause::ReadOnly) => return Err(outdated),
        Err(error) => return Err(error),
    }
    let (store, found) = connect(&reading, url, options).await?;
    if found == Some(migrate::latest()) {
        Ok(store)
    } else {
        store.close().await;
        Err(outdated)
    }
}

/// A read-only handle on `reading` and the schema version it found (`None`: no schema).
async fn connect(
    reading: &Location,
    url: &str,
    options: &StoreOptions,
) -> Result<(Store, Option<i64>)> {
    let dictionaries = std::sync::Arc::<crate::body::dictionary::Dictionaries>::default();
    let pool: AnyPool = Engine::connect_reading(
        reading,
        url,
        options,
        Some(std::sync::Arc::clone(&dictionaries)),
    )
    .await?;
    let found = match migrate::version(&pool, reading.engine).await {
        Ok(found) => found,
        Err(error) => {
            pool.close().await;
            return Err(error);
        }
    };
    if let Some(found) = found
        && found > migrate::latest()
    {
        pool.close().await;
        return Err(StoreError::SchemaTooNew {
            found,
            known: migrate::latest(),
        });
    }
    let store = Store {
        pool,
        engine: reading.engine,
        read_only: true,
        indexer: std::sync::Arc::default(),
        origin: reading.origin(url).into(),
        keep_revisions: options.keep_revisions(),
        dictionaries,
        dictionary_grace: options.dictionary_grace(),
        turns: None,
    };
    if found == Some(migrate::latest())
        && let Err(error) = store.read_dictionaries().await
    {
        store.close().await;
        return Err(error);
    }
    Ok((store, found))
}

/// Creates the store or brings its schema up to date through a writable handle.
async fn prepare(location: &Location, url: &str, options: &StoreOptions) -> Result<()> {
    let store = Store::open_at(&location.for_writing()?, url, options).await?;
    store.close().await;
    Ok(())
}
