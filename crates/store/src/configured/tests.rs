//! The bulk check of configured sources: the pure decision, and the read on both engines.

use super::*;
use crate::UpdatePolicy;
use crate::tests::{at, fresh_store};

fn spec(url: &str, name: Option<&str>) -> SourceSpec {
    SourceSpec {
        url: url.into(),
        name: name.map(str::to_owned),
    }
}

fn stored(id: i64, name: Option<&str>, settings: SourceSettings) -> StoredSource {
    StoredSource {
        id: SourceId(id),
        name: name.map(str::to_owned),
        settings,
    }
}

#[test]
fn only_a_row_with_the_configured_name_and_settings_needs_nothing() {
    let settings = SourceSettings {
        priority: 2,
        ..SourceSettings::default()
    };
    let row = stored(7, Some("Blog"), settings.clone());
    let blog = spec("https://a.example/feed", Some("Blog"));
    assert_eq!(
        as_configured(Some(&row), &blog, &settings),
        Some(SourceId(7))
    );
    assert_eq!(as_configured(None, &blog, &settings), None, "not stored");
    let renamed = spec("https://a.example/feed", Some("Other"));
    assert_eq!(as_configured(Some(&row), &renamed, &settings), None);
    let frozen = SourceSettings {
        updates: UpdatePolicy::Freeze,
        ..settings
    };
    assert_eq!(as_configured(Some(&row), &blog, &frozen), None);
}

async fn configured_sources_stored_as_written_are_found_in_bulk() {
    let (store, _db) = fresh_store().await;
    let paused = SourceSettings {
        paused: true,
        attribution: Some("via {source}".into()),
        ..SourceSettings::default()
    };
    let configured = vec![
        (spec("https://a.example/feed", Some("A")), paused.clone()),
        (spec("/feeds/b.xml", None), SourceSettings::default()),
    ];
    let mut ids = Vec::new();
    for (spec, settings) in &configured {
        let id = store.upsert_source(spec, at(1)).await.expect("a source");
        store
            .sync_source_settings(id, settings)
            .await
            .expect("settings");
        ids.push(Some(id));
    }
    let found = store
        .sources_as_configured(&configured)
        .await
        .expect("a read");
    assert_eq!(found, ids);
    let changed = vec![
        (spec("https://a.example/feed", Some("Renamed")), paused),
        (
            spec("/feeds/b.xml", None),
            SourceSettings {
                priority: 1,
                ..SourceSettings::default()
            },
        ),
        (
            spec("https://new.example/feed", None),
            SourceSettings::default(),
        ),
    ];
    let found = store.sources_as_configured(&changed).await.expect("a read");
    assert_eq!(
        found,
        vec![None, None, None],
        "each needs the per-source path"
    );
}

crate::tests::on_both_engines!(configured_sources_stored_as_written_are_found_in_bulk);
