//! Which cached images the stored posts show, on both engines: the current HTML of every
//! post and that of its stored revisions.

use crate::tests::{at, entry, meta, store_with_source, tagged};

fn name(c: char) -> String {
    c.to_string().repeat(64)
}

async fn media_references_name_every_post_s_and_revision_s_images() {
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    let with_image = |guid: &str, title: &str, text: &str, image: char| {
        let mut post = entry(guid, title, 2);
        post.content_text = text.to_owned();
        post.content_html = format!(
            "<p>{text}</p><img src=\"/media/{}\"><img src=\"https://elsewhere.example/x.png\">",
            name(image)
        );
        tagged(post, &[])
    };
    let first = [with_image("a", "Kelp", "Kelp grows fast.", 'a')];
    store
        .ingest(source, &meta(), &first, at(3))
        .await
        .expect("ingest");
    // An edit: the earlier version (and its image) becomes a revision.
    let edited = [
        with_image(
            "a",
            "Kelp, revised",
            "Kelp grows very fast in warm water.",
            'b',
        ),
        with_image("b", "Urchins", "Urchins eat kelp.", 'c'),
    ];
    store
        .ingest(source, &meta(), &edited, at(4))
        .await
        .expect("ingest");
    let names: Vec<String> = store
        .media_references()
        .await
        .expect("references")
        .into_iter()
        .collect();
    assert_eq!(names, [name('a'), name('b'), name('c')]);
}

async fn an_empty_store_references_no_media() {
    let (store, _source, _db) = store_with_source(Some("Blog")).await;
    assert!(
        store
            .media_references()
            .await
            .expect("references")
            .is_empty()
    );
}

async fn cached_enclosure_thumbnails_are_references_too() {
    let (store, source, _db) = store_with_source(Some("Podcast")).await;
    let mut post = entry("e1", "Episode 1", 2);
    let mut cached = syndic_core::Enclosure::new("https://cdn.example/e1.mp3", "audio/mpeg");
    cached.thumbnail = Some(format!("/media/{}.jpg", name('d')));
    let mut remote = syndic_core::Enclosure::new("https://cdn.example/e1.mp4", "video/mp4");
    remote.thumbnail = Some("https://cdn.example/poster.jpg".into());
    post.enclosures = vec![cached, remote];
    store
        .ingest(source, &meta(), &[tagged(post, &[])], at(3))
        .await
        .expect("ingest");
    let names: Vec<String> = store
        .media_references()
        .await
        .expect("references")
        .into_iter()
        .collect();
    assert_eq!(names, [format!("{}.jpg", name('d'))]);
}

async fn posts_stored_with_typed_media_addresses_read_back_exact() {
    let (store, source, _db) = store_with_source(Some("Photos")).await;
    let mut post = entry("p1", "Photos", 2);
    // As the cache wrote them before addresses were exactly `/media/<hash>`.
    post.content_html = format!(
        "<p>Kelp</p><img src=\"/media/{0}.png\" srcset=\"/media/{0}.png 1x, /media/{1}.gif 2x\">\
         <img src=\"https://else.example/media/{1}.gif\">",
        name('a'),
        name('b')
    );
    let mut enclosure = syndic_core::Enclosure::new("https://cdn.example/e1.mp3", "audio/mpeg");
    enclosure.thumbnail = Some(format!("/media/{}.jpg", name('c')));
    post.enclosures = vec![enclosure];
    store
        .ingest(source, &meta(), &[tagged(post, &[])], at(3))
        .await
        .expect("ingest");
    let id = store.post_ids_by_guid(source, &["p1"]).await.expect("id")[0];
    let read = store.post(id).await.expect("read").expect("published");
    assert_eq!(
        read.content_html,
        format!(
            "<p>Kelp</p><img src=\"/media/{0}\" srcset=\"/media/{0} 1x, /media/{1} 2x\">\
             <img src=\"https://else.example/media/{1}.gif\">",
            name('a'),
            name('b')
        ),
        "this site's addresses exact, another site's as they were"
    );
    assert_eq!(
        read.enclosures[0].thumbnail.as_deref(),
        Some(format!("/media/{}", name('c')).as_str())
    );
}

async fn image_failures_are_recorded_backed_off_and_forgotten() {
    use syndic_core::media::{MOST_FORCED_TRIES, MediaFailure};
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    let url = format!("https://img.example/{}.png", "long".repeat(600));
    let first =
        MediaFailure::after_failure(None, &url, Some(source), "404 Not Found".into(), at(3));
    store.record_media_failure(&first).await.expect("record");
    let other =
        MediaFailure::after_failure(None, "https://img.example/b.png", None, "x".into(), at(4));
    store.record_media_failure(&other).await.expect("record");

    let read = store
        .media_failures_of(&[url.clone(), "https://img.example/none.png".into()])
        .await
        .expect("read");
    assert_eq!(read, std::slice::from_ref(&first));
    assert!(
        store
            .due_media_failures(source, at(3))
            .await
            .expect("due")
            .is_empty()
    );
    assert_eq!(
        store.due_media_failures(source, at(4)).await.expect("due"),
        std::slice::from_ref(&first),
        "due once its wait is over"
    );

    // A second failure replaces the row; past the forced tries it is no longer due.
    let mut worse = MediaFailure::after_failure(Some(&first), &url, None, "500".into(), at(4));
    store.record_media_failure(&worse).await.expect("record");
    assert_eq!(
        store
            .media_failures_of(std::slice::from_ref(&url))
            .await
            .expect("read"),
        std::slice::from_ref(&worse)
    );
    worse.failures = MOST_FORCED_TRIES;
    store.record_media_failure(&worse).await.expect("record");
    assert!(
        store
            .due_media_failures(source, at(20))
            .await
            .expect("due")
            .is_empty()
    );

    let (count, latest) = store.media_failure_summary(1).await.expect("summary");
    assert_eq!(count, 2);
    assert_eq!(latest[0].url, url, "the latest first");

    store.forget_media_failure(&url).await.expect("forget");
    assert!(
        store
            .media_failures_of(&[url])
            .await
            .expect("read")
            .is_empty()
    );
}

crate::tests::on_both_engines!(
    media_references_name_every_post_s_and_revision_s_images,
    an_empty_store_references_no_media,
    cached_enclosure_thumbnails_are_references_too,
    image_failures_are_recorded_backed_off_and_forgotten,
    posts_stored_with_typed_media_addresses_read_back_exact,
);
