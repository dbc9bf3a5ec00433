use syndic_core::{FeedMeta, Page, Post, TagAssignment, TagOrigin};

use super::*;
use crate::tests::{at, entry, fresh_store, meta, tagged};
use crate::{IncomingPost, SourceSpec};

fn ids(posts: &[Post]) -> Vec<i64> {
    posts.iter().map(|p| p.id.0).collect()
}

/// Two sources; 23 and 14 posts on few days (many ties); tags `map` on every other post
/// (some also from the source's rule: two links, one post) and `rare` on a few.
async fn store_with_ties() -> (Store, Vec<SourceId>, crate::testing::TestDatabase) {
    let (store, db) = fresh_store().await;
    let mut sources = Vec::new();
    for (n, count) in [(0_u32, 23_u32), (1, 14)] {
        let spec = SourceSpec {
            url: format!("https://blog{n}.example/feed"),
            name: None,
        };
        let source = store.upsert_source(&spec, at(1)).await.expect("source");
        let posts: Vec<IncomingPost> = (0..count)
            .map(|i| {
                let mut names = Vec::new();
                if i % 2 == 0 {
                    names.push("map");
                }
                if i % 7 == 0 {
                    names.push("rare");
                }
                let mut post = tagged(entry(&format!("{n}-{i}"), "Post", 2 + i % 4), &names);
                if i % 4 == 0 {
                    post.tags.push(TagAssignment {
                        tag: "map".into(),
                        origin: TagOrigin::Source,
                        detail: String::new(),
                    });
                }
                post
            })
            .collect();
        store
            .ingest(source, &meta(), &posts, at(20))
            .await
            .expect("ingest");
        sources.push(source);
    }
    (store, sources, db)
}

/// Every post `filter` selects, newest first, as the store's rows say.
async fn expected(store: &Store, filter: PostFilter) -> Vec<i64> {
    let mut all = Vec::new();
    for id in 1..=37 {
        let post = store.post(PostId(id)).await.expect("read").expect("post");
        let keep = match filter {
            PostFilter::All => true,
            PostFilter::Source(source) => post.source_id == source,
            PostFilter::Tag(_) => post.tags.iter().any(|t| t.slug == "map"),
        };
        if keep {
            all.push((post.published, post.id.0));
        }
    }
    all.sort_by(|a, b| b.cmp(a));
    all.into_iter().map(|(_, id)| id).collect()
}

async fn every_page_reads_the_same_posts_from_either_end() {
    let (store, sources, _db) = store_with_ties().await;
    let map = store.tag_by_name("map").await.expect("tag").expect("map");
    for filter in [
        PostFilter::All,
        PostFilter::Source(sources[1]),
        PostFilter::Tag(map.id),
    ] {
        let want = expected(&store, filter).await;
        let mut by_number = Vec::new();
        for number in 1..=10 {
            let listing = store
                .listing(filter, Page::new(number, 4).expect("page"))
                .await
                .expect("listing");
            assert_eq!(listing.total, want.len() as u64, "{filter:?}");
            by_number.extend(ids(&listing.posts));
        }
        assert_eq!(by_number, want, "{filter:?} by page number");

        let mut by_key = Vec::new();
        let mut after = None;
        loop {
            let chunk = store.posts_after(filter, after, 3).await.expect("chunk");
            after = chunk.last().map(ListingKey::of);
            by_key.extend(ids(&chunk));
            if chunk.len() < 3 {
                break;
            }
        }
        assert_eq!(by_key, want, "{filter:?} after keys");
    }
}

async fn a_post_tagged_for_several_reasons_is_listed_and_counted_once() {
    let (store, _sources, _db) = store_with_ties().await;
    let map = store.tag_by_name("map").await.expect("tag").expect("map");
    // 12 of the first source's 23 posts and 7 of the second's 14.
    assert_eq!(map.post_count, 19);
    let counted = store.tags().await.expect("tags");
    let counted: Vec<(String, i64)> = counted
        .into_iter()
        .map(|t| (t.name, t.post_count))
        .collect();
    assert_eq!(counted, [("map".to_owned(), 19), ("rare".to_owned(), 6)]);
    let filter = PostFilter::Tag(map.id);
    assert_eq!(store.count_posts(filter).await.expect("count"), 19);
    let all = store
        .listing(filter, Page::new(1, 50).expect("page"))
        .await
        .expect("listing");
    let mut unique = ids(&all.posts);
    unique.dedup();
    assert_eq!(unique.len(), 19);
    // A tag's page reads the tag and its archive together: the same posts, and the
    // archive's size as the tag's count.
    for number in 1..=3 {
        let page = Page::new(number, 8).expect("page");
        let (tag, listing) = store
            .tag_listing("map", page)
            .await
            .expect("tag listing")
            .expect("map");
        assert_eq!((tag.id, tag.name.as_str()), (map.id, "map"));
        assert_eq!((tag.post_count, listing.total), (19, 19));
        let alone = store.listing(filter, page).await.expect("listing");
        assert_eq!(ids(&listing.posts), ids(&alone.posts), "page {number}");
    }
    let past = store
        .tag_listing("map", Page::new(9, 8).expect("page"))
        .await
        .expect("past the end")
        .expect("map");
    assert_eq!((past.0.post_count, past.1.posts.len()), (19, 0));
    assert!(
        store
            .tag_listing("no-such-tag", Page::new(1, 8).expect("page"))
            .await
            .expect("lookup")
            .is_none()
    );
}

async fn a_post_whose_date_changes_moves_in_its_tag_archive() {
    let (store, db) = fresh_store().await;
    let spec = SourceSpec {
        url: "https://blog.example/feed".into(),
        name: None,
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    let first = [
        tagged(entry("a", "A", 2), &["map"]),
        tagged(entry("b", "B", 5), &["map"]),
    ];
    store
        .ingest(source, &FeedMeta::default(), &first, at(10))
        .await
        .expect("ingest");
    let map = store.tag_by_name("map").await.expect("tag").expect("map");
    let newest = |store: Store| async move {
        let page = Page::new(1, 10).expect("page");
        ids(&store
            .posts(PostFilter::Tag(map.id), page)
            .await
            .expect("posts"))
    };
    assert_eq!(newest(store.clone()).await, [2, 1]);
    // The feed redates post a after b.
    let redated = [tagged(entry("a", "A", 8), &["map"])];
    store
        .ingest(source, &FeedMeta::default(), &redated, at(11))
        .await
        .expect("ingest");
    assert_eq!(newest(store.clone()).await, [1, 2]);
    // A manual tag on b takes b's time too.
    store
        .add_manual_tag(PostId(2), "rare", at(12))
        .await
        .expect("manual");
    let rare = store.tag_by_name("rare").await.expect("tag").expect("rare");
    let page = Page::new(1, 10).expect("page");
    let listed = store
        .posts(PostFilter::Tag(rare.id), page)
        .await
        .expect("posts");
    assert_eq!(ids(&listed), [2]);
    drop(db);
}

crate::tests::on_both_engines!(
    every_page_reads_the_same_posts_from_either_end,
    a_post_tagged_for_several_reasons_is_listed_and_counted_once,
    a_post_whose_date_changes_moves_in_its_tag_archive,
);

#[tokio::test]
async fn the_migration_gives_existing_links_their_posts_times() {
    // A database at schema version 9, as written before links carried times.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    let pool = crate::tests::sqlite_at_version(&path, 9).await;
    sqlx::query(
        "INSERT INTO sources (id, url, slug, created_at) VALUES (1, 'https://b.example/f', 'b', 0);
         INSERT INTO tags (id, name, slug, created_at) VALUES (1, 'map', 'map', 0);
         INSERT INTO posts (id, source_id, guid, title, published_at, first_seen_at,
             content_html, content_text) VALUES
             (1, 1, 'a', 'A', $2, 0, '', ''), (2, 1, 'b', 'B', $1, 0, '', '');
         INSERT INTO post_tags (post_id, tag_id, origin) VALUES (1, 1, 'term'), (2, 1, 'term')",
    )
    .bind(at(2).timestamp())
    .bind(at(9).timestamp())
    .execute(&pool)
    .await
    .expect("old rows");
    pool.close().await;

    let store = Store::open_sqlite_path(&path).await.expect("reopen");
    let page = Page::new(1, 10).expect("page");
    let listed = store
        .posts(PostFilter::Tag(TagId(1)), page)
        .await
        .expect("posts");
    assert_eq!(ids(&listed), [1, 2]);
}
