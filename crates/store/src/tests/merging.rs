//! One post however many feeds carry it, on both engines: the same article through an RSS
//! feed, an Atom feed and an aggregator with tracking parameters is one post with three
//! sources; different posts sharing a title stay apart; a split stays split; priority
//! picks the credit; a takedown covers every copy.

use syndic_core::{Actor, FeedEntry, MergeReason, Page, PostId, PostState, SourceId};

use crate::tests::{at, fresh_store, meta, tagged};
use crate::{PostFilter, SourceSettings, SourceSpec, Store};

const TEXT: &str = "Kelp forests grow along cold coasts, where the water is rich in \
    nutrients. A single frond can add half a metre in a day, and the canopy shelters fish, \
    urchins and sea otters. Warming seas have thinned many forests since the 1970s, and \
    divers now replant them frond by frond.";

async fn source(store: &Store, url: &str, name: &str, priority: i64) -> SourceId {
    let spec = SourceSpec {
        url: url.into(),
        name: Some(name.into()),
    };
    let id = store.upsert_source(&spec, at(1)).await.expect("source");
    let settings = SourceSettings {
        priority,
        ..SourceSettings::default()
    };
    store
        .sync_source_settings(id, &settings)
        .await
        .expect("settings");
    id
}

fn article(guid: &str, link: &str, title: &str, text: &str, day: u32) -> FeedEntry {
    FeedEntry {
        guid: guid.into(),
        title: title.into(),
        link: Some(link.into()),
        author: None,
        published: Some(at(day)),
        updated: None,
        content_html: format!("<p>{text}</p>"),
        content_text: text.into(),
        categories: Vec::new(),
        language: None,
        origin: None,
        original_links: Vec::new(),
        enclosures: Vec::new(),
    }
}

async fn ingest(
    store: &Store,
    source: SourceId,
    entries: Vec<FeedEntry>,
    day: u32,
) -> crate::IngestStats {
    let posts: Vec<_> = entries.into_iter().map(|e| tagged(e, &[])).collect();
    store
        .ingest(source, &meta(), &posts, at(day))
        .await
        .expect("ingest")
}

async fn all_posts(store: &Store) -> Vec<syndic_core::Post> {
    store
        .posts(PostFilter::All, Page::new(1, 50).expect("page"))
        .await
        .expect("posts")
}

/// The three feeds of the issue: the blog's RSS, its Atom feed (same link, another guid)
/// and an aggregator whose link carries campaign parameters and `www.`.
async fn three_feeds(store: &Store) -> (SourceId, SourceId, SourceId) {
    let rss = source(store, "https://blog.example/rss.xml", "Blog RSS", 0).await;
    let atom = source(store, "https://blog.example/atom.xml", "Blog Atom", 0).await;
    let planet = source(store, "https://planet.example/feed", "Planet", 0).await;
    let link = "https://blog.example/2026/kelp/";
    ingest(store, rss, vec![article("rss-1", link, "Kelp", TEXT, 2)], 2).await;
    ingest(
        store,
        atom,
        vec![article(
            "tag:blog.example,2026:kelp",
            "http://blog.example/2026/kelp",
            "Kelp",
            TEXT,
            2,
        )],
        3,
    )
    .await;
    let copied = format!("{TEXT} The post Kelp appeared first on Blog.");
    ingest(
        store,
        planet,
        vec![article(
            "planet-77",
            "https://www.blog.example/2026/kelp?utm_source=planet&utm_medium=rss&fbclid=x",
            "Kelp",
            &copied,
            2,
        )],
        4,
    )
    .await;
    (rss, atom, planet)
}

async fn one_article_through_three_feeds_is_one_post_with_three_sources() {
    let (store, _db) = fresh_store().await;
    let (rss, atom, planet) = three_feeds(&store).await;
    let posts = all_posts(&store).await;
    assert_eq!(posts.len(), 1, "one post");
    let post = &posts[0];
    assert_eq!(post.source_id, rss, "credited to the first source");
    let copies = store.post_sources(post.id).await.expect("sources");
    let seen: Vec<(SourceId, &str, MergeReason, bool)> = copies
        .iter()
        .map(|c| (c.source_id, c.guid.as_str(), c.why, c.credited))
        .collect();
    assert_eq!(
        seen,
        [
            (rss, "rss-1", MergeReason::Own, true),
            (atom, "tag:blog.example,2026:kelp", MergeReason::Link, false),
            (planet, "planet-77", MergeReason::Link, false),
        ]
    );
    assert_eq!(
        copies[2].link.as_deref(),
        Some("https://www.blog.example/2026/kelp?utm_source=planet&utm_medium=rss&fbclid=x"),
        "each copy keeps its own item link"
    );
    // Each feed's entry is found in the one post, merged or not.
    for (source, guid) in [(rss, "rss-1"), (atom, "tag:blog.example,2026:kelp")] {
        let carrying = store.post_carrying(source, guid).await.expect("look-up");
        assert_eq!(carrying, Some(post.id), "{guid}");
    }
    assert_eq!(
        store.post_carrying(atom, "rss-1").await.expect("look-up"),
        None,
        "a guid of another source"
    );
    // The post page's "Also syndicated from": the other two.
    let read = store.post(post.id).await.expect("read").expect("post");
    let also: Vec<&str> = read
        .also_syndicated
        .iter()
        .map(|c| c.source_name.as_str())
        .collect();
    assert_eq!(also, ["Blog Atom", "Planet"]);
    // Each source's page lists it; the home listing once.
    for source in [rss, atom, planet] {
        let listed = store
            .listing(PostFilter::Source(source), Page::new(1, 10).expect("page"))
            .await
            .expect("listing");
        assert_eq!(
            (listed.total, listed.posts.len()),
            (1, 1),
            "source {source}"
        );
    }
    let counts: Vec<i64> = store
        .sources()
        .await
        .expect("sources")
        .iter()
        .map(|s| s.post_count)
        .collect();
    assert_eq!(counts, [1, 1, 1]);
    // Fetching the copies again changes nothing.
    let again = ingest(
        &store,
        atom,
        vec![article(
            "tag:blog.example,2026:kelp",
            "http://blog.example/2026/kelp",
            "Kelp",
            TEXT,
            2,
        )],
        5,
    )
    .await;
    assert_eq!((again.new, again.merged, again.unchanged), (0, 0, 1));
    assert_eq!(all_posts(&store).await.len(), 1);
}

async fn an_orig_link_or_near_identical_text_merges_too() {
    let (store, _db) = fresh_store().await;
    let blog = source(&store, "https://blog.example/rss.xml", "Blog", 0).await;
    let proxy = source(&store, "https://feeds.feedburner.example/blog", "Proxy", 0).await;
    let mirror = source(&store, "https://mirror.example/feed", "Mirror", 0).await;
    ingest(
        &store,
        blog,
        vec![article("b1", "https://blog.example/kelp", "Kelp", TEXT, 2)],
        2,
    )
    .await;
    let mut proxied = article(
        "fb1",
        "https://feeds.feedburner.example/~r/blog/~3/x1",
        "Kelp",
        "Short.",
        2,
    );
    proxied.original_links = vec!["https://blog.example/kelp".into()];
    let stats = ingest(&store, proxy, vec![proxied], 3).await;
    assert_eq!(stats.merged, 1);
    // Another address, the same words, two days later.
    let stats = ingest(
        &store,
        mirror,
        vec![article(
            "m1",
            "https://mirror.example/posts/9",
            "Kelp",
            TEXT,
            4,
        )],
        4,
    )
    .await;
    assert_eq!(stats.merged, 1);
    let posts = all_posts(&store).await;
    assert_eq!(posts.len(), 1);
    let why: Vec<MergeReason> = store
        .post_sources(posts[0].id)
        .await
        .expect("sources")
        .iter()
        .map(|c| c.why)
        .collect();
    assert_eq!(
        why,
        [
            MergeReason::Own,
            MergeReason::OriginalLink,
            MergeReason::Fingerprint { distance: 0 }
        ]
    );
}

async fn different_posts_with_one_title_are_not_merged() {
    let (store, _db) = fresh_store().await;
    let one = source(&store, "https://one.example/feed", "One", 0).await;
    let two = source(&store, "https://two.example/feed", "Two", 0).await;
    let other = "This week: a new compiler release, a talk on database indexes, three essays \
        about writing tests, and a long thread on keyboard layouts for programmers who type \
        all day and want their wrists to last.";
    ingest(
        &store,
        one,
        vec![article(
            "w1",
            "https://one.example/weekly",
            "Weekly links",
            TEXT,
            2,
        )],
        2,
    )
    .await;
    let stats = ingest(
        &store,
        two,
        vec![article(
            "w1",
            "https://two.example/weekly",
            "Weekly links",
            other,
            2,
        )],
        3,
    )
    .await;
    assert_eq!((stats.new, stats.merged), (1, 0));
    assert_eq!(all_posts(&store).await.len(), 2);
}

async fn one_sources_own_entries_never_merge_with_each_other() {
    let (store, _db) = fresh_store().await;
    let blog = source(&store, "https://blog.example/rss.xml", "Blog", 0).await;
    let stats = ingest(
        &store,
        blog,
        vec![
            article("a", "https://blog.example/a", "Kelp", TEXT, 2),
            article("b", "https://blog.example/b", "Kelp", TEXT, 2),
        ],
        2,
    )
    .await;
    assert_eq!((stats.new, stats.merged), (2, 0));
}

async fn a_split_copy_comes_back_as_its_own_post_and_never_remerges() {
    let (store, _db) = fresh_store().await;
    let (rss, atom, planet) = three_feeds(&store).await;
    let post = all_posts(&store).await[0].id;
    store
        .split_post(post, planet, Actor::Cli, at(6))
        .await
        .expect("split");
    let remaining: Vec<SourceId> = store
        .post_sources(post)
        .await
        .expect("sources")
        .iter()
        .map(|c| c.source_id)
        .collect();
    assert_eq!(remaining, [rss, atom]);
    let state = store.fetch_state(planet).await.expect("state");
    assert!(state.etag.is_none() && state.body_hash.is_none());
    // The refetch stores the copy as a post of its own, and again changes nothing.
    let copied = format!("{TEXT} The post Kelp appeared first on Blog.");
    let refetch = || {
        vec![article(
            "planet-77",
            "https://www.blog.example/2026/kelp?utm_source=planet&utm_medium=rss&fbclid=x",
            "Kelp",
            &copied,
            2,
        )]
    };
    let stats = ingest(&store, planet, refetch(), 7).await;
    assert_eq!((stats.new, stats.merged), (1, 0));
    let stats = ingest(&store, planet, refetch(), 8).await;
    assert_eq!((stats.new, stats.merged), (0, 0));
    assert_eq!(all_posts(&store).await.len(), 2);
    let audit = store.audit_log(None, 10).await.expect("audit");
    assert!(
        audit
            .iter()
            .any(|e| e.action == "split" && e.reason.contains("planet.example"))
    );
}

async fn splitting_refuses_an_unknown_post_source_or_a_source_not_merged() {
    let (store, _db) = fresh_store().await;
    let (rss, _atom, _planet) = three_feeds(&store).await;
    let lone = source(&store, "https://lone.example/feed", "Lone", 0).await;
    let post = all_posts(&store).await[0].id;
    let refused = |r: crate::Result<()>| r.expect_err("refused").to_string();
    assert!(
        refused(store.split_post(PostId(999), rss, Actor::Cli, at(6)).await)
            .contains("no post 999")
    );
    assert!(
        refused(
            store
                .split_post(post, SourceId(999), Actor::Cli, at(6))
                .await
        )
        .contains("no source 999")
    );
    assert!(
        refused(store.split_post(post, lone, Actor::Cli, at(6)).await).contains("carries no copy")
    );
}

async fn splitting_the_credited_source_credits_the_next() {
    let (store, _db) = fresh_store().await;
    let (rss, atom, _planet) = three_feeds(&store).await;
    let post = all_posts(&store).await[0].id;
    store
        .split_post(post, rss, Actor::Cli, at(6))
        .await
        .expect("split");
    let read = store.post(post).await.expect("read").expect("post");
    assert_eq!(read.source_id, atom);
    assert_eq!(read.guid, "tag:blog.example,2026:kelp");
}

async fn a_source_of_higher_priority_takes_the_credit() {
    let (store, _db) = fresh_store().await;
    let planet = source(&store, "https://planet.example/feed", "Planet", 0).await;
    let blog = source(&store, "https://blog.example/rss.xml", "Blog", 10).await;
    ingest(
        &store,
        planet,
        vec![article(
            "p1",
            "https://blog.example/kelp?utm_source=planet",
            "Kelp",
            TEXT,
            2,
        )],
        2,
    )
    .await;
    ingest(
        &store,
        blog,
        vec![article("b1", "https://blog.example/kelp", "Kelp", TEXT, 2)],
        3,
    )
    .await;
    let posts = all_posts(&store).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].source_id, blog);
    assert_eq!(posts[0].link.as_deref(), Some("https://blog.example/kelp"));
    assert_eq!(posts[0].source_name, "Blog");
    // Both fetch again: the blog's copy is the post's, the planet's a copy; nothing new.
    let again = ingest(
        &store,
        blog,
        vec![article("b1", "https://blog.example/kelp", "Kelp", TEXT, 2)],
        4,
    )
    .await;
    assert_eq!((again.new, again.unchanged), (0, 1));
    let again = ingest(
        &store,
        planet,
        vec![article(
            "p1",
            "https://blog.example/kelp?utm_source=planet",
            "Kelp",
            TEXT,
            2,
        )],
        4,
    )
    .await;
    assert_eq!((again.new, again.unchanged), (0, 1));
}

async fn a_takedown_covers_every_copy_of_a_merged_post() {
    let (store, _db) = fresh_store().await;
    let (_rss, atom, planet) = three_feeds(&store).await;
    let post = all_posts(&store).await[0].id;
    store
        .remove_post(post, "copyright", Actor::Cli, at(6))
        .await
        .expect("remove");
    assert!(all_posts(&store).await.is_empty());
    for source in [atom, planet] {
        let listed = store
            .count_posts(PostFilter::Source(source))
            .await
            .expect("count");
        assert_eq!(listed, 0, "source {source} lists it no more");
    }
    // Every copy fetched again stays down; a new source with the link is kept out.
    ingest(
        &store,
        atom,
        vec![article(
            "tag:blog.example,2026:kelp",
            "http://blog.example/2026/kelp",
            "Kelp",
            TEXT,
            2,
        )],
        7,
    )
    .await;
    let late = source(&store, "https://late.example/feed", "Late", 0).await;
    ingest(
        &store,
        late,
        vec![article(
            "l1",
            "https://blog.example/2026/kelp#top",
            "Kelp",
            TEXT,
            2,
        )],
        7,
    )
    .await;
    assert!(all_posts(&store).await.is_empty());
    let standing = store
        .post_standing(post)
        .await
        .expect("standing")
        .expect("post");
    assert_eq!(standing.state, PostState::Removed);
}

/// An aggregator that rewrote the link to its own page and reworded the text still names
/// the original feed in `<source>` and keeps the original guid: that is enough.
async fn an_aggregated_copy_merges_by_its_source_element() {
    let (store, _db) = fresh_store().await;
    let blog = source(&store, "https://blog.example/rss.xml", "Blog", 0).await;
    let planet = source(&store, "https://planet.example/feed", "Planet", 0).await;
    let original = article("rss-1", "https://blog.example/2026/kelp/", "Kelp", TEXT, 2);
    ingest(&store, blog, vec![original], 2).await;
    let mut copy = article(
        "rss-1",
        "https://planet.example/items/77",
        "Blog: Kelp",
        "A short note pointing at the article on kelp forests and their divers.",
        2,
    );
    // Written with http: the configured address is https.
    copy.origin = Some(syndic_core::EntryOrigin {
        title: "Blog".into(),
        url: Some("http://blog.example/".into()),
        feed: Some("http://blog.example/rss.xml".into()),
    });
    let mut unrelated = copy.clone();
    unrelated.guid = "rss-2".into();
    unrelated.link = Some("https://planet.example/items/78".into());
    let stats = ingest(&store, planet, vec![copy, unrelated], 3).await;
    assert_eq!(stats.merged, 1, "{stats:?}");
    let posts = all_posts(&store).await;
    assert_eq!(posts.len(), 2, "the copy merged, the other guid did not");
    let merged = posts
        .iter()
        .find(|p| p.source_id == blog)
        .expect("the blog's post");
    let copies = store.post_sources(merged.id).await.expect("sources");
    let whys: Vec<(SourceId, MergeReason)> = copies.iter().map(|c| (c.source_id, c.why)).collect();
    assert_eq!(
        whys,
        [(blog, MergeReason::Own), (planet, MergeReason::Origin)]
    );
}

/// Forty words drawn for `round`: texts of different rounds share almost no three-word run,
/// so only their links can merge them.
fn words_of_round(round: u32) -> String {
    let words: Vec<&str> = TEXT.split_whitespace().collect();
    let mut x = u64::from(round) * 0x9E37_79B9 + 7;
    (0..40)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            words[(x >> 33) as usize % words.len()]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Two processes (two stores on one database) fetching two feeds that carry the same new
/// article at the same moment: whichever commits first stores the post, the other merges
/// into it. Many rounds, each a new article, so an unguarded race shows up.
async fn two_processes_storing_one_new_article_at_once_make_one_post() {
    let (first, db) = fresh_store().await;
    let second = db.open().await;
    let rss = source(&first, "https://blog.example/rss.xml", "Blog RSS", 0).await;
    let atom = source(&first, "https://blog.example/atom.xml", "Blog Atom", 0).await;
    const ROUNDS: u32 = 12;
    for round in 0..ROUNDS {
        let link = format!("https://blog.example/2026/post-{round}/");
        let text = words_of_round(round);
        let by_rss = article(&format!("rss-{round}"), &link, "Kelp", &text, 2);
        let by_atom = article(&format!("atom-{round}"), &link, "Kelp", &text, 2);
        tokio::join!(
            ingest(&first, rss, vec![by_rss], 2),
            ingest(&second, atom, vec![by_atom], 2),
        );
    }
    let posts = all_posts(&first).await;
    assert_eq!(posts.len(), ROUNDS as usize, "one post per article");
    for post in &posts {
        let copies = first.post_sources(post.id).await.expect("sources");
        assert_eq!(copies.len(), 2, "post {} has both sources", post.id);
    }
}

/// A priority set after the posts were merged moves their credit, and lowering it again
/// gives it back to the first source.
async fn a_priority_changed_later_credits_merged_posts_again() {
    let (store, _db) = fresh_store().await;
    let (rss, atom, _planet) = three_feeds(&store).await;
    let credited = |store: &Store| {
        let store = store.clone();
        async move {
            let post = &all_posts(&store).await[0];
            (post.source_id, post.link.clone())
        }
    };
    assert_eq!(credited(&store).await.0, rss);
    let raise = |priority| SourceSettings {
        priority,
        ..SourceSettings::default()
    };
    store
        .sync_source_settings(atom, &raise(5))
        .await
        .expect("raise");
    assert_eq!(
        credited(&store).await,
        (atom, Some("http://blog.example/2026/kelp".to_owned())),
        "the Atom copy's own link"
    );
    store
        .sync_source_settings(atom, &raise(0))
        .await
        .expect("lower");
    assert_eq!(credited(&store).await.0, rss, "the first source again");
}

crate::tests::on_both_engines!(
    one_article_through_three_feeds_is_one_post_with_three_sources,
    an_orig_link_or_near_identical_text_merges_too,
    different_posts_with_one_title_are_not_merged,
    one_sources_own_entries_never_merge_with_each_other,
    a_split_copy_comes_back_as_its_own_post_and_never_remerges,
    splitting_refuses_an_unknown_post_source_or_a_source_not_merged,
    splitting_the_credited_source_credits_the_next,
    a_source_of_higher_priority_takes_the_credit,
    a_takedown_covers_every_copy_of_a_merged_post,
    an_aggregated_copy_merges_by_its_source_element,
    two_processes_storing_one_new_article_at_once_make_one_post,
    a_priority_changed_later_credits_merged_posts_again,
);
