use syndic_core::{FeedEntry, Page, SourceId};

mod bounded;
use bounded::{
    a_common_word_reads_at_most_the_cap_and_says_so, a_phrase_matches_only_its_words_side_by_side,
};

use crate::tests::{at, entry, meta, store_with_source, tagged};
use crate::{IncomingPost, MATCH_END, MATCH_START, SearchHit, SearchQuery, SourceSpec, Store};

fn post(guid: &str, title: &str, text: &str, day: u32, tags: &[&str]) -> IncomingPost {
    let mut entry: FeedEntry = entry(guid, title, day);
    entry.content_html = format!("<p>{text}</p>");
    entry.content_text = text.into();
    tagged(entry, tags)
}

/// A store with one source "Example Blog" holding four posts (ids 1 to 4).
async fn searchable() -> (Store, SourceId, crate::testing::TestDatabase) {
    let (store, source, dir) = store_with_source(None).await;
    let posts = vec![
        post(
            "kelp",
            "Notes on kelp forests",
            "Kelp grows up to half a metre a day along the cluster of rocks.",
            2,
            &["ocean"],
        ),
        post(
            "tiles",
            "A faster tile cache",
            "An LRU in front of the disk halves render time for every cluster.",
            5,
            &["rust"],
        ),
        post(
            "harbor",
            "A new map of the harbor",
            "The survey is done; the café by the pier serves tea.",
            7,
            &["map", "ocean"],
        ),
        post(
            "clusters",
            "Clusters everywhere",
            "Nothing but headings here.",
            9,
            &["rust"],
        ),
    ];
    store
        .ingest(source, &meta(), &posts, at(10))
        .await
        .expect("ingest");
    store.index_search().await.expect("index");
    (store, source, dir)
}

async fn find(store: &Store, query: &SearchQuery) -> (Vec<SearchHit>, u64) {
    let page = Page::new(1, 10).expect("page");
    store.search(query, page).await.expect("search never fails")
}

fn text(words: &str) -> SearchQuery {
    SearchQuery {
        text: words.into(),
        ..SearchQuery::default()
    }
}

/// The engine's own check that the index holds exactly what the posts table holds.
async fn assert_index_matches_posts(store: &Store) {
    assert!(
        store
            .search_index_in_step()
            .await
            .expect("check the search index"),
        "the search index matches the posts"
    );
}

async fn titles(store: &Store, query: &SearchQuery) -> Vec<String> {
    let (hits, _) = find(store, query).await;
    hits.into_iter().map(|hit| hit.post.title).collect()
}

#[tokio::test]
async fn the_bundled_sqlite_has_fts5() {
    let (store, _, _dir) = store_with_source(None).await;
    let fts5: i64 = sqlx::query_scalar("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        .fetch_one(&store.pool)
        .await
        .expect("compile options");
    assert_eq!(fts5, 1);
}

async fn finds_posts_by_words_of_their_text_and_title_with_snippets() {
    let (store, _, _dir) = searchable().await;
    let (hits, total) = find(&store, &text("half metre")).await;
    assert_eq!(total, 1);
    assert_eq!(hits[0].post.title, "Notes on kelp forests");
    assert_eq!(hits[0].post.tags.len(), 1, "tags are attached");
    assert!(
        hits[0].snippet.contains(&format!(
            "{MATCH_START}half{MATCH_END} a {MATCH_START}metre{MATCH_END}"
        )),
        "{:?}",
        hits[0].snippet
    );

    let (hits, _) = find(&store, &text("HARBOR")).await;
    assert_eq!(hits.len(), 1);
    // Only the title matched: the snippet is the start of the text, unmarked.
    assert!(
        hits[0].snippet.starts_with("The survey is done"),
        "{:?}",
        hits[0].snippet
    );
    assert!(!hits[0].snippet.contains(MATCH_START));

    assert_eq!(
        titles(&store, &text("cafe")).await,
        ["A new map of the harbor"]
    );
}

async fn stemming_finds_other_forms_and_titles_rank_first() {
    let (store, _, _dir) = searchable().await;
    // "clusters" (title of post 4) and "cluster" (text of posts 1 and 2) are one stem.
    let found = titles(&store, &text("clusters")).await;
    assert_eq!(found.len(), 3);
    assert_eq!(found[0], "Clusters everywhere", "a title match ranks first");
    let (hits, _) = find(&store, &text("cluster")).await;
    assert!(hits.windows(2).all(|pair| pair[0].rank >= pair[1].rank));
}

async fn every_word_must_match() {
    let (store, _, _dir) = searchable().await;
    assert_eq!(
        titles(&store, &text("cluster rocks")).await,
        ["Notes on kelp forests"]
    );
    assert!(titles(&store, &text("cluster tea")).await.is_empty());
}

async fn query_syntax_and_sql_in_the_text_are_just_words() {
    let (store, _, _dir) = searchable().await;
    let attempts = [
        "\"",
        "\"kelp",
        "kelp\"",
        "*",
        "kelp*",
        "NEAR(",
        "NEAR(kelp tea, 2)",
        "title:",
        "title:kelp",
        "-kelp",
        "kelp OR tea",
        "kelp AND",
        "NOT",
        ")",
        "(kelp",
        "^kelp",
        "{title content_text}: kelp",
        "'; DROP TABLE posts; --",
        "\u{0}\u{1}\u{2}",
        "ⅷ ² ́ ‍ 🦀",
        "",
    ];
    for attempt in attempts {
        let page = Page::new(1, 10).expect("page");
        let result = store.search(&text(attempt), page).await;
        assert!(result.is_ok(), "{attempt:?}: {result:?}");
    }
    assert_eq!(
        titles(&store, &text("\"kelp")).await,
        ["Notes on kelp forests"]
    );
    assert_eq!(
        titles(&store, &text("title:kelp")).await,
        Vec::<String>::new()
    );
    assert!(
        titles(&store, &text("kelp OR tea")).await.is_empty(),
        "OR is a word"
    );
    assert_eq!(
        titles(&store, &text("NEAR(kelp")).await,
        Vec::<String>::new()
    );
    assert_eq!(
        titles(&store, &text("(kelp")).await,
        ["Notes on kelp forests"]
    );
    assert_eq!(find(&store, &text("*")).await.1, 0);
    assert_eq!(
        store
            .count_posts(crate::PostFilter::All)
            .await
            .expect("posts still there"),
        4
    );
}

async fn filters_by_tag_and_source() {
    let (store, source, _dir) = searchable().await;
    let ocean = store
        .tag_by_slug("ocean")
        .await
        .expect("lookup")
        .expect("ocean");
    let rust = store
        .tag_by_slug("rust")
        .await
        .expect("lookup")
        .expect("rust");
    let in_tag = |tag| SearchQuery {
        text: "cluster".into(),
        tag: Some(tag),
        source: None,
    };
    assert_eq!(
        titles(&store, &in_tag(ocean.id)).await,
        ["Notes on kelp forests"]
    );
    assert_eq!(titles(&store, &in_tag(rust.id)).await.len(), 2);

    let other = store
        .upsert_source(
            &SourceSpec {
                url: "https://other.example/feed.xml".into(),
                name: Some("Other".into()),
            },
            at(1),
        )
        .await
        .expect("source");
    let other_posts = [post(
        "o",
        "Cluster elsewhere",
        "More clusters.",
        3,
        &["ocean"],
    )];
    store
        .ingest(other, &meta(), &other_posts, at(10))
        .await
        .expect("ingest");
    store.index_search().await.expect("index");
    let by_source = |source| SearchQuery {
        text: "cluster".into(),
        tag: None,
        source: Some(source),
    };
    assert_eq!(
        titles(&store, &by_source(other)).await,
        ["Cluster elsewhere"]
    );
    assert_eq!(find(&store, &by_source(source)).await.1, 3);
    let both = SearchQuery {
        text: "cluster".into(),
        tag: Some(ocean.id),
        source: Some(source),
    };
    assert_eq!(titles(&store, &both).await, ["Notes on kelp forests"]);
}

async fn pages_through_results_with_one_total() {
    let (store, _, _dir) = searchable().await;
    let query = text("cluster");
    let mut seen = Vec::new();
    for number in 1..=3 {
        let page = Page::new(number, 1).expect("page");
        let (hits, total) = store.search(&query, page).await.expect("search");
        assert_eq!(total, 3);
        assert_eq!(hits.len(), 1, "page {number}");
        seen.push(hits[0].post.id);
    }
    seen.dedup();
    assert_eq!(seen.len(), 3);
    let past = Page::new(4, 1).expect("page");
    let (hits, total) = store.search(&query, past).await.expect("search");
    assert!(hits.is_empty());
    assert_eq!(total, 3);
}

async fn an_updated_post_is_searched_by_its_new_words() {
    let (store, source, _dir) = searchable().await;
    let revised = post(
        "kelp",
        "Notes on seagrass meadows",
        "Seagrass stores carbon.",
        2,
        &["ocean"],
    );
    let stats = store
        .ingest(source, &meta(), &[revised], at(11))
        .await
        .expect("ingest");
    store.index_search().await.expect("index");
    assert_eq!(stats.updated, 1);
    assert!(titles(&store, &text("kelp")).await.is_empty());
    assert!(titles(&store, &text("metre")).await.is_empty());
    assert_eq!(
        titles(&store, &text("carbon")).await,
        ["Notes on seagrass meadows"]
    );
    assert_index_matches_posts(&store).await;

    // A change outside the indexed text (here the categories) leaves the index alone.
    let mut recategorized = post(
        "kelp",
        "Notes on seagrass meadows",
        "Seagrass stores carbon.",
        2,
        &["ocean"],
    );
    recategorized.entry.categories = vec!["marine".into()];
    let stats = store
        .ingest(source, &meta(), &[recategorized], at(12))
        .await
        .expect("ingest");
    store.index_search().await.expect("index");
    assert_eq!(stats.updated, 1);
    assert_eq!(
        titles(&store, &text("carbon")).await,
        ["Notes on seagrass meadows"]
    );
    assert_index_matches_posts(&store).await;
}

async fn a_deleted_post_is_no_longer_found() {
    let (store, _, _dir) = searchable().await;
    sqlx::query("DELETE FROM posts WHERE guid = 'kelp'")
        .execute(&store.pool)
        .await
        .expect("delete");
    assert!(titles(&store, &text("kelp")).await.is_empty());
    assert_eq!(find(&store, &text("cluster")).await.1, 2);
    assert_index_matches_posts(&store).await;
}

#[tokio::test]
async fn posts_stored_before_the_search_migration_are_indexed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v1.db");
    let v1 = crate::tests::sqlite_at_version(&path, 1).await;
    sqlx::raw_sql(
        "INSERT INTO sources (id, url, slug, created_at) VALUES (1, 'feed.xml', 'feed', 0);
         INSERT INTO posts (source_id, guid, title, published_at, first_seen_at,
             content_html, content_text)
         VALUES (1, 'old', 'An old post', 0, 0, '<p>Stored long ago.</p>', 'Stored long ago.');",
    )
    .execute(&v1)
    .await
    .expect("a v1 post");
    v1.close().await;

    let store = Store::open_sqlite_path(&path).await.expect("migrate");
    assert_eq!(titles(&store, &text("stored")).await, ["An old post"]);
    assert_index_matches_posts(&store).await;
}

crate::tests::on_both_engines!(
    finds_posts_by_words_of_their_text_and_title_with_snippets,
    stemming_finds_other_forms_and_titles_rank_first,
    every_word_must_match,
    query_syntax_and_sql_in_the_text_are_just_words,
    filters_by_tag_and_source,
    pages_through_results_with_one_total,
    an_updated_post_is_searched_by_its_new_words,
    a_deleted_post_is_no_longer_found,
    a_common_word_reads_at_most_the_cap_and_says_so,
    a_phrase_matches_only_its_words_side_by_side,
);
