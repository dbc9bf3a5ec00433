//! Tagging as readers meet it (#6): why a post carries each tag (post page), a tag's
//! description (archive page and feeds), and alias addresses that lead to the tag.

mod common;

use axum::Router;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use common::{at, get, site};
use syndic_core::{FeedEntry, FeedMeta, PostId, TagAssignment, TagOrigin};
use syndic_store::{IncomingPost, SourceSpec, Store, VocabularyTag};
use syndic_web::{AppState, router};

const DESCRIPTION: &str = "Containers & orchestration: <b>not bold</b>";

fn reason(tag: &str, origin: TagOrigin, detail: &str) -> TagAssignment {
    TagAssignment {
        tag: tag.into(),
        origin,
        detail: detail.into(),
    }
}

/// One post ("Running Kubernetes at home", id 1) with four tags given four ways, the tag
/// Kubernetes described and also known as `k8s`.
async fn app() -> (Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("reasons.db");
    let store = Store::open_sqlite_path(&db).await.expect("open store");
    let spec = SourceSpec {
        url: "https://homelab.example/feed.xml".into(),
        name: Some("Homelab Diary".into()),
    };
    let source = store.upsert_source(&spec, at(1)).await.expect("source");
    let post = IncomingPost {
        stems: Vec::new(),
        admission: Default::default(),
        entry: FeedEntry {
            guid: "k-1".into(),
            title: "Running Kubernetes at home".into(),
            link: Some("https://homelab.example/k8s-at-home".into()),
            author: None,
            published: Some(at(3)),
            updated: None,
            content_html: "<p>Three small nodes and one kubelet each.</p>".into(),
            content_text: "Three small nodes and one kubelet each.".into(),
            categories: vec!["K8s".into()],
            language: None,
            origin: None,
            enclosures: Vec::new(),
            original_links: Vec::new(),
        },
        tags: vec![
            reason(
                "Kubernetes",
                TagOrigin::Term,
                "score 2.4: \"kubernetes\" x3 in title, body",
            ),
            reason("Kubernetes", TagOrigin::Category, "feed category \"K8s\""),
            reason(
                "homelab",
                TagOrigin::Source,
                "every post of https://homelab.example/feed.xml",
            ),
            reason("nodes", TagOrigin::Term, "\"<node>\" in body"),
        ],
    };
    store
        .ingest(source, &FeedMeta::default(), &[post], at(4))
        .await
        .expect("ingest");
    // The vocabulary's description and aliases, as a configuration gives them.
    let vocabulary = [VocabularyTag {
        name: "Kubernetes".into(),
        description: DESCRIPTION.into(),
        aliases: vec!["k8s".into()],
    }];
    store
        .sync_vocabulary(&vocabulary, at(4))
        .await
        .expect("describe");
    // A manual tag, as `syndic tag add` records it (ingest never writes manual links).
    store
        .add_manual_tag(PostId(1), "rust & <friends>", at(4))
        .await
        .expect("manual tag");
    let state = AppState::new(store, site(10)).expect("built-in theme");
    (router(state), dir)
}

#[tokio::test]
async fn a_post_page_says_why_it_carries_each_tag() {
    let (app, _dir) = app().await;
    let page = get(&app, "/post/1/running-kubernetes-at-home/").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("<details class=\"tag-reasons\">"), "{body}");
    assert!(body.contains("<summary>Why these tags</summary>"), "{body}");
    // Hover: every reason of the tag on its link.
    assert!(
        body.contains(
            "title=\"term \u{2014} score 2.4: &quot;kubernetes&quot; x3 in title, body; \
             category \u{2014} feed category &quot;K8s&quot;\">Kubernetes</a>"
        ),
        "{body}"
    );
    assert!(
        body.contains(
            "<dd><span class=\"origin\">manual</span> &mdash; added by hand on 2026-03-04</dd>"
        ),
        "{body}"
    );
    // Everything from the store is escaped.
    assert!(body.contains("&quot;&lt;node&gt;&quot; in body"), "{body}");
    assert!(body.contains("rust &amp; &lt;friends&gt;"), "{body}");
    assert!(!body.contains("<node>") && !body.contains("<friends>"));
    insta::assert_snapshot!(
        "post_page_with_tag_reasons",
        common::without_stylesheet_version(body)
    );
}

#[tokio::test]
async fn a_listing_keeps_plain_tag_links() {
    let (app, _dir) = app().await;
    let home = get(&app, "/").await.body;
    assert!(home.contains("<a href=\"/tag/kubernetes/\" rel=\"tag\">Kubernetes</a>"));
    assert!(!home.contains("tag-reasons"));
}

#[tokio::test]
async fn a_tag_archive_shows_its_description_escaped_and_its_feeds_carry_it() {
    let (app, _dir) = app().await;
    let page = get(&app, "/tag/kubernetes/").await;
    assert_eq!(page.status, StatusCode::OK);
    common::assert_in_order(
        &page.body,
        &[
            "<h1>Tag Archives: Kubernetes</h1>",
            "<p class=\"description\">Containers &amp; orchestration: &lt;b&gt;not bold&lt;/b&gt;</p>",
            "Running Kubernetes at home",
        ],
    );
    let escaped = "Containers &amp; orchestration: &lt;b&gt;not bold&lt;/b&gt;";
    let atom = get(&app, "/tag/kubernetes/feed.atom").await.body;
    assert!(
        atom.contains(&format!("<subtitle type=\"text\">{escaped}</subtitle>")),
        "{atom}"
    );
    let rss = get(&app, "/tag/kubernetes/feed.rss").await.body;
    assert!(
        rss.contains(&format!("<description>{escaped}</description>")),
        "{rss}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&get(&app, "/tag/kubernetes/feed.json").await.body).expect("json");
    assert_eq!(json["description"], DESCRIPTION);
    // A tag without a description keeps the usual wording and no empty paragraph.
    let homelab = get(&app, "/tag/homelab/").await.body;
    assert!(!homelab.contains("class=\"description\""));
    let feed = get(&app, "/tag/homelab/feed.atom").await.body;
    assert!(
        feed.contains("The newest posts tagged homelab on"),
        "{feed}"
    );
}

#[tokio::test]
async fn an_alias_address_moves_permanently_to_the_tag() {
    let (app, _dir) = app().await;
    for (from, to) in [
        ("/tag/k8s/", "/tag/kubernetes/"),
        ("/tag/k8s/page/2/", "/tag/kubernetes/page/2/"),
        ("/tag/k8s/?page=1", "/tag/kubernetes/?page=1"),
        ("/tag/k8s/feed.atom", "/tag/kubernetes/feed.atom"),
        ("/tag/k8s/feed.rss", "/tag/kubernetes/feed.rss"),
        ("/tag/k8s/feed.json", "/tag/kubernetes/feed.json"),
    ] {
        let reply = get(&app, from).await;
        assert_eq!(reply.status, StatusCode::MOVED_PERMANENTLY, "{from}");
        assert_eq!(reply.headers[LOCATION], to, "{from}");
    }
    for missing in ["/tag/k9s/", "/tag/k9s/feed.atom", "/tag/k8s/page/x/"] {
        assert_eq!(
            get(&app, missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}
