//! Cached images kept in the store (`[media] keep = "store"`), on both engines: kept once
//! by hash, read back byte for byte, counted, listed a page at a time, mapped from their
//! addresses, and removed with their addresses.

use crate::tests::{at, store_with_source};

fn hash(c: char) -> String {
    c.to_string().repeat(64)
}

async fn media_files_are_kept_once_read_back_counted_and_removed_with_their_addresses() {
    let (store, _source, _db) = store_with_source(None).await;
    // Every byte value, and more than a page of a small read buffer.
    let bytes: Vec<u8> = (0..=255_u8).cycle().take(70_000).collect();
    assert!(
        store
            .keep_media_file(&hash('a'), "image/png", &bytes, at(1))
            .await
            .expect("keep")
    );
    assert!(
        !store
            .keep_media_file(&hash('a'), "image/png", b"other", at(2))
            .await
            .expect("keep again"),
        "a name is its bytes: kept once"
    );
    store
        .keep_media_file(&hash('b'), "image/gif", b"GIF89a", at(3))
        .await
        .expect("keep");
    let read = store.media_file(&hash('a')).await.expect("read");
    let read = read.expect("kept");
    assert_eq!(read.content_type, "image/png");
    assert!(read.bytes == bytes, "the same bytes");
    assert_eq!(store.media_file(&hash('c')).await.expect("read"), None);
    assert!(store.has_media_file(&hash('b')).await.expect("look"));
    assert!(!store.has_media_file(&hash('c')).await.expect("look"));
    assert_eq!(store.media_files_usage().await.expect("usage"), (2, 70_006));

    let first = store.media_files_after(None, 1).await.expect("list");
    assert_eq!(first.len(), 1);
    assert_eq!(
        (first[0].hash.as_str(), first[0].size),
        (hash('a').as_str(), 70_000)
    );
    assert_eq!(first[0].stored_at, at(1));
    let next = store
        .media_files_after(Some(&first[0].hash), 10)
        .await
        .expect("list");
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].hash, hash('b'));

    let url = format!("https://img.example/{}.png", "long".repeat(600));
    store
        .remember_media_url(&url, &hash('a'))
        .await
        .expect("map");
    store
        .remember_media_url("https://img.example/b.gif", &hash('b'))
        .await
        .expect("map");
    let mut mapped = store
        .mapped_media(&[url.clone(), "https://img.example/unknown.png".into()])
        .await
        .expect("mapped");
    assert_eq!(mapped.len(), 1);
    let found = mapped.pop().expect("one");
    assert_eq!((found.url, found.hash), (url.clone(), hash('a')));
    assert_eq!(found.content_type, "image/png");

    assert_eq!(
        store
            .remove_media_files(&[hash('a')])
            .await
            .expect("remove"),
        1
    );
    assert_eq!(store.media_file(&hash('a')).await.expect("read"), None);
    assert!(
        store.mapped_media(&[url]).await.expect("mapped").is_empty(),
        "its address is forgotten with it"
    );
    assert_eq!(store.media_files_usage().await.expect("usage"), (1, 6));
}

async fn an_empty_store_keeps_no_media_files() {
    let (store, _source, _db) = store_with_source(None).await;
    assert_eq!(store.media_files_usage().await.expect("usage"), (0, 0));
    assert!(
        store
            .media_files_after(None, 10)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(store.remove_media_files(&[]).await.expect("remove"), 0);
}

crate::tests::on_both_engines!(
    media_files_are_kept_once_read_back_counted_and_removed_with_their_addresses,
    an_empty_store_keeps_no_media_files,
);
