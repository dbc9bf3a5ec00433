//! The store the copy tests start from: a row in every table.

use syndic_core::{TagAssignment, TagOrigin};

use crate::tests::{at, entry, meta, tagged};
use crate::{FetchRecord, IncomingPost, SourceSpec, Store, VocabularyTag};

/// A store holding a row in every table: two sources (one moved, one failing), posts
/// tagged by term and by source, a manual tag and a veto, a tag with a description and
/// aliases, corpus counts and a tag model, a post's enclosure, cached images kept in the
/// store, a verified WebSub subscription, and a body made with a body dictionary.
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
    // A body dictionary (a raw-content one: zstd takes any bytes), usable at once, and the
    // long post's body made with it (body format 2).
    let dictionary = "Kelp forests grow along cold coasts, where the water is rich in \
        nutrients, and shelter fish, urchins and sea otters. <p>Kelp note</p>"
        .repeat(3)
        .into_bytes();
    sqlx::query("INSERT INTO body_dictionaries (id, dictionary, usable_from) VALUES ($1, $2, 0)")
        .bind(crate::body::dictionary::id_of(&dictionary))
        .bind(dictionary)
        .execute(&store.pool)
        .await
        .expect("a body dictionary");
    store.read_dictionaries().await.expect("read it");
    assert!(store.body_upkeep(u64::MAX).await.expect("rewrite") > 0);
    let formats = crate::testing::body_formats(store).await.expect("formats");
    assert!(formats.iter().any(|(f, _)| *f == 2), "{formats:?}");
}
