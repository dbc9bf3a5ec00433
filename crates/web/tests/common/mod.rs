//! A small store with invented posts, and helpers to ask the router for pages.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use syndic_core::{FeedEntry, FeedMeta, Page, Post, TagAssignment, TagOrigin};
use syndic_store::{IncomingPost, PostFilter, SourceSpec, Store};
use syndic_web::{AppState, Site, router};
use tower::ServiceExt;

/// Waits until the current second is over. `Last-Modified` is given, and answers
/// `If-Modified-Since`, only for times at least a second in the past; call this after the
/// last change a test needs to see in it.
pub async fn next_second() {
    let second = Utc::now().timestamp();
    while Utc::now().timestamp() <= second {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

pub fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 30, 0)
        .single()
        .expect("valid date")
}

pub fn site(posts_per_page: u32) -> Site {
    Site {
        title: "Syndic Test Hub".into(),
        base_url: "https://hub.example/".parse().expect("base url"),
        posts_per_page,
        theme_dir: None,
        hubs: Vec::new(),
        local_media: false,
    }
}

pub struct Fixture {
    pub state: AppState,
    pub app: Router,
    _dir: tempfile::TempDir,
}

impl Fixture {
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// The store's database file, for a second handle (as another process would open it).
    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.path().join("web.db")
    }

    /// Every post of the tag called `name`, newest first.
    pub async fn tag_posts(&self, name: &str) -> Vec<Post> {
        let tag = self
            .store()
            .tag_by_name(name)
            .await
            .expect("lookup")
            .expect("tag exists");
        let all = Page::new(1, 100).expect("page");
        self.store()
            .posts(PostFilter::Tag(tag.id), all)
            .await
            .expect("posts")
    }
}

pub struct Item {
    pub guid: &'static str,
    pub title: &'static str,
    pub link: Option<&'static str>,
    pub author: Option<&'static str>,
    pub day: u32,
    pub html: &'static str,
    pub text: &'static str,
    pub tags: &'static [&'static str],
}

fn incoming(item: &Item) -> IncomingPost {
    IncomingPost {
        stems: Vec::new(),
        admission: Default::default(),
        entry: FeedEntry {
            guid: item.guid.into(),
            title: item.title.into(),
            link: item.link.map(Into::into),
            author: item.author.map(Into::into),
            published: Some(at(item.day)),
            updated: None,
            content_html: item.html.into(),
            content_text: item.text.into(),
            categories: Vec::new(),
            language: None,
            origin: None,
            enclosures: Vec::new(),
            original_links: Vec::new(),
        },
        tags: item
            .tags
            .iter()
            .map(|tag| TagAssignment {
                tag: (*tag).into(),
                origin: TagOrigin::Term,
                detail: format!("\"{tag}\" in text"),
            })
            .collect(),
    }
}

/// A store holding `sources` (configured name, feed title, items) and an empty tag
/// "travel", behind a router showing `posts_per_page` posts per page.
pub async fn build(
    posts_per_page: u32,
    sources: &[(&str, Option<&str>, &str, &[Item])],
) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite_path(&dir.path().join("web.db"))
        .await
        .expect("open store");
    for (url, name, feed_title, items) in sources {
        let spec = SourceSpec {
            url: (*url).into(),
            name: name.map(Into::into),
        };
        let source = store.upsert_source(&spec, at(1)).await.expect("source");
        let meta = FeedMeta {
            title: Some((*feed_title).into()),
            site_url: None,
            description: None,
            deleted: Vec::new(),
        };
        let posts: Vec<_> = items.iter().map(incoming).collect();
        store
            .ingest(source, &meta, &posts, at(10))
            .await
            .expect("ingest");
    }
    // What a fetch run does when it ends: the posts become searchable.
    store.index_search().await.expect("index for search");
    store
        .sync_tags(&["travel".into()], at(10))
        .await
        .expect("sync tags");
    let state = AppState::new(store, site(posts_per_page)).expect("built-in theme");
    let app = router(state.clone());
    Fixture {
        state,
        app,
        _dir: dir,
    }
}

const TIDEPOOL: &[Item] = &[
    Item {
        guid: "tp-1",
        title: "Mapping the tide pools of Point Lobos",
        link: Some("https://tidepool.example/2026/03/mapping-tide-pools"),
        author: Some("Marisol Vega"),
        day: 2,
        html: "<p>We walked the low-tide line with a GPS and a notebook.</p>\n<ul>\n<li>42 pools</li>\n<li>3 octopuses</li>\n</ul>",
        text: "We walked the low-tide line with a GPS and a notebook.\n\n- 42 pools\n- 3 octopuses",
        tags: &["map"],
    },
    Item {
        guid: "tp-2",
        title: "Notes on kelp forests",
        link: Some("https://tidepool.example/2026/03/kelp"),
        author: None,
        day: 5,
        html: "<p>Kelp grows up to half a metre a day.</p>",
        text: "Kelp grows up to half a metre a day.",
        tags: &["ocean"],
    },
    Item {
        guid: "tp-3",
        title: "A\u{a0}new map of the harbor",
        link: Some("https://tidepool.example/?p=5&lang=en"),
        author: Some("Marisol Vega"),
        day: 9,
        html: "<p>The harbor survey is done.</p>\n<p><img src=\"https://tidepool.example/harbor.png\" alt=\"Harbor chart\"></p>",
        text: "The harbor survey is done.",
        tags: &["map", "ocean"],
    },
];

const LAMPLIGHT: &[Item] = &[
    Item {
        guid: "ll-1",
        title: "Rendering vector maps in Rust",
        link: Some("https://lamplight.example/posts/vector-maps"),
        author: None,
        day: 4,
        html: "<p>Tiles are drawn on demand:</p>\n<pre><code>let tile = cache.get(z, x, y)?;</code></pre>",
        text: "Tiles are drawn on demand:\n\n    let tile = cache.get(z, x, y)?;",
        tags: &["map", "rust"],
    },
    Item {
        guid: "ll-2",
        title: "A faster tile cache",
        link: None,
        author: None,
        day: 7,
        html: "<p>An LRU in front of the disk halves render time.</p>",
        text: "An LRU in front of the disk halves render time.",
        tags: &["rust"],
    },
];

/// Five posts from two sources, tagged map, ocean and rust; plus the empty tag travel.
///
/// Ids: 1 "Mapping the tide pools…" (Mar 2), 2 "Notes on kelp forests" (Mar 5),
/// 3 "A new map of the harbor" (Mar 9), 4 "Rendering vector maps in Rust" (Mar 4),
/// 5 "A faster tile cache" (Mar 7, no link).
pub async fn fixture(posts_per_page: u32) -> Fixture {
    build(
        posts_per_page,
        &[
            (
                "https://tidepool.example/feed.xml",
                Some("Tidepool Notes"),
                "Tidepool Notes (feed)",
                TIDEPOOL,
            ),
            (
                "https://lamplight.example/atom.xml",
                None,
                "Lamplight Engineering",
                LAMPLIGHT,
            ),
        ],
    )
    .await
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

pub async fn get(app: &Router, uri: &str) -> Reply {
    let request = Request::get(uri).body(Body::empty()).expect("request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("utf-8 body"),
    }
}

/// Byte offsets of `needles` in `haystack`, asserting each occurs.
pub fn positions(haystack: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|needle| {
            haystack
                .find(needle)
                .unwrap_or_else(|| panic!("{needle:?} not found in:\n{haystack}"))
        })
        .collect()
}

pub fn assert_in_order(haystack: &str, needles: &[&str]) {
    let found = positions(haystack, needles);
    assert!(
        found.windows(2).all(|pair| pair[0] < pair[1]),
        "not in order {needles:?}: {found:?}"
    );
}

/// A response with its body as bytes (compressed bodies are not text).
pub struct RawReply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawReply {
    /// The value of header `name` as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ascii header"))
    }
}

/// Sends `method uri` with `headers` through `app`.
pub async fn send(app: &Router, method: &str, uri: &str, headers: &[(&str, &str)]) -> RawReply {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Body::empty()).expect("request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    RawReply {
        status,
        headers,
        body: bytes.to_vec(),
    }
}

/// `body` with the stylesheet's version (`/static/style.css?v=<16 hex digits>`) written as
/// `VERSION`, so that page snapshots do not change with every edit of the stylesheet.
pub fn without_stylesheet_version(body: &str) -> String {
    const LINK: &str = "/static/style.css?v=";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(LINK) {
        let after = at + LINK.len();
        let digits = rest[after..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        out.push_str(&rest[..after]);
        out.push_str("VERSION");
        rest = &rest[after + digits..];
    }
    out.push_str(rest);
    out
}
