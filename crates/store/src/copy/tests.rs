//! The copy on each engine, between engines, into a store that is not empty, after an
//! interruption, and from a store written to while it is copied.

use syndic_core::{Page, TagAssignment, TagOrigin};

mod live;

use super::columns::{self, Value};
use super::*;
use crate::testing::{TestDatabase, TestEngine};
use crate::tests::{at, engine, entry, fresh_store, meta, on_both_engines, tagged};
use crate::{FetchRecord, IncomingPost, SearchQuery, SourceSpec, StoreError, VocabularyTag};

/// A store holding a row in every table: two sources (one moved, one failing), posts
/// tagged by term and by source, a manual tag and a veto, a tag with a description and
/// aliases, corpus counts and a tag model, a post's enclosure, cached images kept in the
/// store, and a verified WebSub subscription.
pub(crate) async fn filled(store: &Store) {
    let vocabulary = [VocabularyTag {
        name: "kelp".into(),
        description: "Forests under the sea".into(),
        aliases: vec!["seaweed".into(), "algae".into()],
    }];
    store
        .sync_vocabulary(&vocabulary, at(1))
        .await
        .expect("vocabulary");
    let spec = |url: &str, name: Option<&str>| SourceSpec {
        url: url.into(),
        name: name.map(Into::into),
    };
    let blog = store
        .upsert_source(&spec("https://blog.example/feed", Some("Blog")), at(1))
        .await
        .expect("source");
    let other = store
        .upsert_source(&spec("https://other.example/rss", None), at(1))
        .await
        .expect("source");
    let mut posts: Vec<IncomingPost> = (1..=12)
        .map(|n| {
            tagged(
                entry(
                    &format!("g{n}"),
                    &format!("Kelp note {n} — café"),
                    n % 27 + 1,
                ),
                &["kelp"],
            )
        })
        .collect();
    posts[0].entry.link = None;
    posts[1].entry.author = Some("Ana".into());
    // A podcast episode's file (post_enclosures), unknown sizes and a title NULL.
    posts[3].entry.enclosures = vec![syndic_core::Enclosure {
        duration: Some(1800),
        ..syndic_core::Enclosure::new("https://blog.example/g4.mp3", "audio/mpeg")
    }];
    // Long enough for a fingerprint (fingerprint_bands).
    posts[4].entry.content_text = "Kelp forests grow along cold coasts, where the water is \
        rich in nutrients, and shelter fish, urchins and sea otters."
        .into();
    posts[2].tags.push(TagAssignment {
        tag: "tides".into(),
        origin: TagOrigin::Source,
        detail: "every post of Blog".into(),
    });
    let record = FetchRecord {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Tue, 03 Mar 2026 10:00:00 GMT".into()),
        body_hash: Some("abc".into()),
        next_fetch: at(20),
        hint: Some(chrono::Duration::hours(2)),
    };
    store
        .ingest_fetch(blog, &meta(), &posts, &record, at(10))
        .await
        .expect("ingest");
    // An image the media cache could not keep (media_failures).
    let failure = syndic_core::media::MediaFailure::after_failure(
        None,
        "https://blog.example/g4.png",
        Some(blog),
        "404 Not Found".into(),
        at(10),
    );
    store
        .record_media_failure(&failure)
        .await
        .expect("media failure");
    // Images kept in the store (media_files), more than one copy batch of them, every
    // byte value among their bytes, and an address that became one (media_urls).
    for n in 0..5_u8 {
        let bytes: Vec<u8> = (0..=255_u8).chain([n]).collect();
        let hash = crate::hex_sha256(&bytes);
        store
            .keep_media_file(&hash, "image/png", &bytes, at(10))
            .await
            .expect("media file");
        if n == 0 {
            store
                .remember_media_url("https://blog.example/g4.jpg", &hash)
                .await
                .expect("media url");
        }
    }
    // An upstream edit keeps the earlier version (post_revisions).
    let mut edited = posts[2].clone();
    edited.entry.title = format!("{}, revised", edited.entry.title);
    store
        .ingest(blog, &meta(), &[edited], at(11))
        .await
        .expect("edit");
    // A post whose page was looked at (post_full_text), its failure reason and next try.
    let looked_at = store.post_ids_by_guid(blog, &["g7"]).await.expect("post");
    store
        .record_full_text(
            &[crate::FullTextOutcome::Failed {
                post: looked_at[0],
                url: Some("https://blog.example/g7".into()),
                reason: "the site's robots.txt disallows it".into(),
                retry_at: Some(at(30)),
            }],
            at(11),
        )
        .await
        .expect("full text");
    // The same articles in another feed: merged (post_sources, article_links), then one
    // copy split off again (merge_vetoes).
    let copies: Vec<IncomingPost> = [4, 5]
        .iter()
        .map(|&n| {
            let mut copy = posts[n].clone();
            copy.entry.guid = format!("other-{n}");
            copy
        })
        .collect();
    store
        .ingest(other, &meta(), &copies, at(11))
        .await
        .expect("copies");
    let split = store
        .posts_by_link("https://blog.example/g6")
        .await
        .expect("post")[0];
    store
        .split_post(split, other, syndic_core::Actor::Cli, at(11))
        .await
        .expect("split");
    store
        .record_moved(blog, "https://blog.example/new-feed", at(11))
        .await
        .expect("moved");
    store
        .record_failure(other, "HTTP 500", at(12), None, at(11))
        .await
        .expect("failure");
    let first = store
        .posts_by_link("https://blog.example/g2")
        .await
        .expect("post")[0];
    store
        .add_manual_tag(first, "picked", at(12))
        .await
        .expect("manual");
    let kelp = store.tag_by_name("kelp").await.expect("tag").expect("kelp");
    store
        .remove_tag(first, kelp.id, at(12))
        .await
        .expect("veto");
    store
        .request_subscription(
            blog,
            "https://hub.example/",
            "https://blog.example/new-feed",
            "s3cret",
            at(12),
        )
        .await
        .expect("subscription");
    store
        .verify_subscription(blog, 86_400, at(13))
        .await
        .expect("verified");
    let taken_down = store
        .posts_by_link("https://blog.example/g4")
        .await
        .expect("post")[0];
    store
        .remove_post(taken_down, "asked", syndic_core::Actor::Cli, at(13))
        .await
        .expect("takedown");
    // What the last retag learned: corpus counts and a tag's model.
    let stats = syndic_core::CorpusStats {
        posts: 12,
        stems: vec![("kelp".into(), 3), ("tide".into(), 5)],
    };
    let models = [("kelp".to_owned(), "{\"weights\":[]}".to_owned())];
    store
        .save_tag_learning(&stats, 1, &models, at(14))
        .await
        .expect("tag learning");
    // Counts an ingest added since the last fold.
    sqlx::query("INSERT INTO corpus_pending (posts, stems) VALUES (1, '{\"kelp\":1}')")
        .execute(&store.pool)
        .await
        .expect("pending corpus counts");
    // A fetch running at the moment of the copy holds a host slot.
    sqlx::query(
        "INSERT INTO fetch_slots (scope, slot, leased_by, source_id, leased_until) \
         VALUES ('blog.example', 0, 'test:1:a', $1, $2)",
    )
    .bind(blog.0)
    .bind(at(20).timestamp())
    .execute(&store.pool)
    .await
    .expect("a fetch slot");
}

/// Every row of every table, in key order, as the copy reads them.
async fn dump(store: &Store) -> Vec<(&'static str, Vec<Vec<Value>>)> {
    let mut conn = store.pool.acquire().await.expect("connection");
    let mut tables = Vec::new();
    for table in TABLES {
        let listed = columns::listed(&mut conn, store.engine, table.name)
            .await
            .expect("columns");
        let columns = columns::plan(table, &listed, &listed).expect("plan");
        let mut sql = Sql::new("SELECT ");
        sql.push(&column_list(&columns))
            .push(" FROM ")
            .push(table.name)
            .push(" ORDER BY ")
            .push(&table.key.join(", "));
        let rows = sql.fetch_all(&mut *conn, "dumping").await.expect("rows");
        let rows = rows
            .iter()
            .map(|row| columns::read_row(row, &columns).expect("values"))
            .collect();
        tables.push((table.name, rows));
    }
    tables
}

fn counts(report: &CopyReport) -> Vec<(&'static str, u64)> {
    report.tables.iter().map(|c| (c.table, c.rows)).collect()
}

/// A fresh store on the other engine when there is one to test with, else SQLite.
pub(super) fn other_engine_database() -> TestDatabase {
    match engine() {
        TestEngine::Sqlite => {
            TestDatabase::postgres("a copy's target").unwrap_or_else(TestDatabase::sqlite)
        }
        TestEngine::Postgres => TestDatabase::sqlite(),
    }
}

async fn a_copy_holds_every_row_of_every_table_and_its_search_works() {
    let (source, _db) = fresh_store().await;
    filled(&source).await;
    let target_db = other_engine_database();
    let target = target_db.open().await;
    let mut batches = 0;
    let report = source
        .copy_to(&target, |step| {
            batches += usize::from(matches!(step, CopyProgress::Rows { .. }))
        })
        .await
        .expect("copy");
    assert!(!report.redone);
    assert!(
        batches >= TABLES.len(),
        "progress for every table: {batches}"
    );
    assert_eq!(dump(&source).await, dump(&target).await);
    let rows: u64 = report.tables.iter().map(|c| c.rows).sum();
    assert!(
        counts(&report).iter().all(|(_, n)| *n > 0),
        "{:?}",
        counts(&report)
    );
    assert!(rows > 30, "{rows}");
    assert!(target.search_index_in_step().await.expect("index check"));
    let query = SearchQuery {
        text: "cafe kelp".into(),
        ..SearchQuery::default()
    };
    let page = Page::new(1, 5).expect("page");
    let (_, found) = target.search(&query, page).await.expect("search");
    assert_eq!(found, 11, "the twelve posts but the one taken down");
    assert_eq!(
        source.change_stamp().await.expect("stamp"),
        target.change_stamp().await.expect("stamp")
    );
    let check = Store::check(target_db.url()).await.expect("check");
    assert!(check.is_healthy(), "{:?}", check.problems);
}

async fn a_copied_store_hands_out_new_ids_past_the_copied_ones() {
    let (source, _db) = fresh_store().await;
    filled(&source).await;
    let target_db = other_engine_database();
    let target = target_db.open().await;
    source.copy_to(&target, |_| {}).await.expect("copy");
    let spec = SourceSpec {
        url: "https://third.example/feed".into(),
        name: None,
    };
    let third = target
        .upsert_source(&spec, at(20))
        .await
        .expect("a new source");
    assert_eq!(third.0, 3);
    let stats = target
        .ingest(
            third,
            &meta(),
            &[tagged(entry("n", "New after the copy", 20), &["fresh"])],
            at(21),
        )
        .await
        .expect("a new post");
    assert_eq!(stats.new, 1);
}

async fn a_target_that_is_not_empty_is_refused_and_left_alone() {
    let (source, _db) = fresh_store().await;
    filled(&source).await;
    let (target, _target_db) = fresh_store().await;
    let spec = SourceSpec {
        url: "https://mine.example/feed".into(),
        name: None,
    };
    target
        .upsert_source(&spec, at(1))
        .await
        .expect("a source of its own");
    let before = dump(&target).await;
    let refused = source
        .copy_to(&target, |_| {})
        .await
        .expect_err("not empty");
    let shown = format!(
        "{refused}: {}",
        std::error::Error::source(&refused)
            .map(ToString::to_string)
            .unwrap_or_default()
    );
    assert!(
        matches!(refused, StoreError::Copy(CopyError::TargetNotEmpty { .. })),
        "{shown}"
    );
    assert!(shown.contains("1 row in sources"), "{shown}");
    assert_eq!(dump(&target).await, before);
    let itself = source
        .copy_to(&source, |_| {})
        .await
        .expect_err("same store");
    assert!(
        matches!(itself, StoreError::Copy(CopyError::SameStore { .. })),
        "{itself}"
    );
}

async fn an_interrupted_copy_is_done_again_when_run_again() {
    let (source, _db) = fresh_store().await;
    filled(&source).await;
    let target_db = other_engine_database();
    let target = target_db.open().await;
    let interrupted = tokio::spawn({
        let (source, target) = (source.clone(), target.clone());
        async move {
            source
                .copy_to(&target, |step| {
                    if matches!(
                        step,
                        CopyProgress::Rows {
                            table: "post_tags",
                            ..
                        }
                    ) {
                        panic!("the copy is interrupted after the posts");
                    }
                })
                .await
        }
    })
    .await;
    assert!(interrupted.is_err(), "the copy stopped half-way");
    let check = Store::check(target_db.url()).await.expect("check");
    assert!(
        check
            .problems
            .iter()
            .any(|p| p.what.contains("interrupted copy")),
        "{:?}",
        check.problems
    );
    let (stranger, _stranger_db) = fresh_store().await;
    filled(&stranger).await;
    let refused = stranger
        .copy_to(&target, |_| {})
        .await
        .expect_err("another source");
    assert!(
        matches!(
            refused,
            StoreError::Copy(CopyError::InterruptedCopyOfAnother { .. })
        ),
        "{refused}"
    );
    let report = source
        .copy_to(&target, |_| {})
        .await
        .expect("the copy again");
    assert!(report.redone);
    assert_eq!(dump(&source).await, dump(&target).await);
    assert!(
        Store::check(target_db.url())
            .await
            .expect("check")
            .is_healthy()
    );
}

async fn every_table_of_the_schema_is_in_the_copy_list() {
    let (store, _db) = fresh_store().await;
    let mut conn = store.pool.acquire().await.expect("connection");
    let mut present = tables::present(&mut conn, store.engine)
        .await
        .expect("tables");
    present.retain(|name| name != tables::MIGRATIONS_TABLE);
    present.sort();
    let mut listed: Vec<String> = TABLES.iter().map(|t| t.name.to_owned()).collect();
    listed.sort();
    assert_eq!(
        present, listed,
        "a table added by a migration needs its line in crates/store/src/tables.rs"
    );
}

on_both_engines!(
    a_copy_holds_every_row_of_every_table_and_its_search_works,
    a_copied_store_hands_out_new_ids_past_the_copied_ones,
    a_target_that_is_not_empty_is_refused_and_left_alone,
    an_interrupted_copy_is_done_again_when_run_again,
    every_table_of_the_schema_is_in_the_copy_list,
);
