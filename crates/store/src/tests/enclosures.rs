//! Enclosures on both engines: stored in order with the post and read with it on every
//! path, replaced when the feed's list changes (even when the text did not), left alone
//! when it did not, bounded and limited to web addresses, gone with their post.

use syndic_core::{Enclosure, Page, PostId, SourceId};

use crate::tests::{at, entry, meta, store_with_source, tagged};
use crate::{ListingKey, PostFilter, Store};

fn episode(n: u32) -> Enclosure {
    Enclosure {
        url: format!("https://cdn.example/ep{n}.mp3"),
        mime_type: "audio/mpeg".into(),
        length: Some(24_000_000 + u64::from(n)),
        title: Some(format!("Episode {n}")),
        thumbnail: Some(format!("https://cdn.example/ep{n}.jpg")),
        duration: Some(1800 + n),
    }
}

/// Stores post "a" of `source` with `files` (and `text`) on `day`; its id.
async fn ingest(
    store: &Store,
    source: SourceId,
    files: Vec<Enclosure>,
    text: &str,
    day: u32,
) -> PostId {
    let mut post = entry("a", "Show", 2);
    post.content_text = text.to_owned();
    post.content_html = format!("<p>{text}</p>");
    post.enclosures = files;
    store
        .ingest(source, &meta(), &[tagged(post, &["audio"])], at(day))
        .await
        .expect("ingest");
    store
        .find_post("https://blog.example/a")
        .await
        .expect("find")
        .expect("stored")
}

fn first_page() -> Page {
    Page::new(1, 20).expect("a page")
}

async fn rows(store: &Store) -> u64 {
    let sql = "SELECT COUNT(*) FROM post_enclosures";
    let count: i64 = sqlx::query_scalar(sql)
        .fetch_one(&store.pool)
        .await
        .expect("count");
    u64::try_from(count).expect("a count")
}

async fn enclosures_are_stored_in_order_and_read_with_the_post_everywhere() {
    let (store, source, _db) = store_with_source(Some("Pod")).await;
    let mut plain = Enclosure::new("https://cdn.example/notes.pdf", "");
    plain.length = None;
    let files = vec![episode(2), plain, episode(1)];
    let id = ingest(&store, source, files.clone(), "Show notes.", 3).await;

    let post = store.post(id).await.expect("read").expect("published");
    assert_eq!(post.enclosures, files, "Store::post");
    assert_eq!(store.enclosures(id).await.expect("read"), files);
    let page = store
        .posts(PostFilter::All, first_page())
        .await
        .expect("page");
    assert_eq!(page[0].enclosures, files, "Store::posts");
    let listing = store
        .listing(PostFilter::Source(source), first_page())
        .await
        .expect("listing");
    assert_eq!(listing.posts[0].enclosures, files, "Store::listing");
    let key: Option<ListingKey> = None;
    let chunk = store
        .posts_after(PostFilter::All, key, 10)
        .await
        .expect("chunk");
    assert_eq!(chunk[0].enclosures, files, "Store::posts_after");
}

async fn a_changed_list_replaces_the_stored_one_even_when_the_text_is_the_same() {
    let (store, source, _db) = store_with_source(None).await;
    let id = ingest(&store, source, vec![episode(1)], "Notes.", 3).await;
    // Same text: the post is unchanged, its enclosure is not.
    ingest(&store, source, vec![episode(2), episode(3)], "Notes.", 4).await;
    assert_eq!(
        store.enclosures(id).await.expect("read"),
        [episode(2), episode(3)]
    );
    // Changed text and one file.
    ingest(&store, source, vec![episode(3)], "Notes, edited.", 5).await;
    assert_eq!(store.enclosures(id).await.expect("read"), [episode(3)]);
    assert_eq!(rows(&store).await, 1, "the old rows are gone");
    // The feed drops the file.
    ingest(&store, source, Vec::new(), "Notes, edited.", 6).await;
    assert_eq!(store.enclosures(id).await.expect("read"), []);
    assert_eq!(rows(&store).await, 0);
}

async fn an_unchanged_list_is_not_rewritten() {
    let (store, source, _db) = store_with_source(None).await;
    let id = ingest(&store, source, vec![episode(1)], "Notes.", 3).await;
    // A row the ingest would overwrite if it rewrote the list.
    crate::testing::execute(
        &store,
        "UPDATE post_enclosures SET mime_type = 'marked' WHERE position = 0",
    )
    .await
    .expect("mark");
    let mut marked = episode(1);
    marked.mime_type = "marked".into();
    ingest(&store, source, vec![marked.clone()], "Notes.", 4).await;
    assert_eq!(store.enclosures(id).await.expect("read"), [marked]);
}

async fn only_twenty_web_addresses_are_stored_of_a_hostile_list() {
    let (store, source, _db) = store_with_source(None).await;
    let mut files = vec![
        Enclosure::new("javascript:alert(1)", "audio/mpeg"),
        Enclosure::new("data:audio/mpeg;base64,AAAA", "audio/mpeg"),
        Enclosure::new(format!("https://x.example/{}", "a".repeat(5000)), ""),
    ];
    files.extend((0..10_000).map(|i| Enclosure::new(format!("https://x.example/{i}.mp3"), "")));
    let id = ingest(&store, source, files, "Hostile.", 3).await;
    let stored = store.enclosures(id).await.expect("read");
    assert_eq!(stored.len(), syndic_core::MAX_ENCLOSURES);
    assert_eq!(stored[0].url, "https://x.example/0.mp3");
    assert!(stored.iter().all(|e| e.url.starts_with("https://")));
}

async fn enclosures_go_with_their_post() {
    let (store, source, _db) = store_with_source(None).await;
    ingest(&store, source, vec![episode(1), episode(2)], "Notes.", 3).await;
    assert_eq!(rows(&store).await, 2);
    crate::testing::execute(&store, "DELETE FROM posts")
        .await
        .expect("delete");
    assert_eq!(rows(&store).await, 0);
}

crate::tests::on_both_engines!(
    enclosures_are_stored_in_order_and_read_with_the_post_everywhere,
    a_changed_list_replaces_the_stored_one_even_when_the_text_is_the_same,
    an_unchanged_list_is_not_rewritten,
    only_twenty_web_addresses_are_stored_of_a_hostile_list,
    enclosures_go_with_their_post,
);
