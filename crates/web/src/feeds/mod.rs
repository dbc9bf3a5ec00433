//! Output feeds: Atom 1.0, RSS 2.0 and JSON Feed 1.1 of the whole site, of each tag and of
//! each source, and the OPML list of the sources we follow.
//!
//! Every feed carries the newest [`FEED_LENGTH`] posts in full (sanitized content, with the
//! same attribution line the pages show, by default `Post Syndicated from <name> original <link>`), the original
//! link, the attribution as author, the post's tags as categories and its files as
//! enclosures (RSS: the first; Atom `rel="enclosure"` links and JSON Feed `attachments`:
//! all). Ids are our own post URLs, which never change.
//!
//! Output is a function of the store alone: the feed's `updated` time is the newest post's,
//! never the clock, so the same posts give the same bytes and caches can trust them.
//!
//! The formats share one model ([`Channel`] and [`Entry`] in `model.rs`, built once per
//! request and cleaned of characters XML cannot carry); each other file writes one format.
//! XML is written with quick-xml, which escapes every text and attribute value; RSS content
//! is escaped text, never CDATA, so a `]]>` in a post needs no special care.

mod atom;
mod json;
mod model;
mod opml;
mod rss;

use std::io;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use serde::Serialize;
use syndic_core::{Page, SourceSummary, Tag};
use syndic_store::PostFilter;

pub(crate) use self::model::{Channel, Entry, FeedEnclosure, xml_safe};

use crate::render::{source_path, tag_path};
use crate::{AppState, Site, WebError};

/// How many posts a feed carries: the newest ones.
pub(crate) const FEED_LENGTH: u32 = 50;

/// The feed routes: `feed.atom`, `feed.rss` and `feed.json` under `/`, `/tag/<slug>/` and
/// `/source/<slug>/`, and `/sources.opml`.
pub(crate) fn routes() -> Router<AppState> {
    let mut router = Router::new().route("/sources.opml", get(sources_opml));
    for format in Format::ALL {
        let file = format.file();
        router = router
            .route(
                &format!("/{file}"),
                get(move |State(state): State<AppState>| site_feed(state, format)),
            )
            .route(
                &format!("/tag/{{slug}}/{file}"),
                get(
                    move |State(state): State<AppState>,
                          slug: Result<Path<String>, PathRejection>| {
                        tag_feed(state, slug, format)
                    },
                ),
            )
            .route(
                &format!("/source/{{slug}}/{file}"),
                get(
                    move |State(state): State<AppState>,
                          slug: Result<Path<String>, PathRejection>| {
                        source_feed(state, slug, format)
                    },
                ),
            );
    }
    router
}

/// One of the three feed formats we write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Atom,
    Rss,
    Json,
}

impl Format {
    pub(crate) const ALL: [Format; 3] = [Format::Atom, Format::Rss, Format::Json];

    /// The feed's file name under its listing's path.
    pub(crate) fn file(self) -> &'static str {
        match self {
            Format::Atom => "feed.atom",
            Format::Rss => "feed.rss",
            Format::Json => "feed.json",
        }
    }

    /// The media type, as `<link rel="alternate" type=…>` and `atom:link` name it.
    pub(crate) fn media_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml",
            Format::Rss => "application/rss+xml",
            Format::Json => "application/feed+json",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Format::Atom => "Atom",
            Format::Rss => "RSS",
            Format::Json => "JSON Feed",
        }
    }
}

/// Which posts a feed (and the listing it belongs to) shows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    Site,
    /// A tag and its description from the vocabulary (empty when it has none).
    Tag(&'a Tag, &'a str),
    Source(&'a SourceSummary),
}

impl Scope<'_> {
    fn filter(self) -> PostFilter {
        match self {
            Scope::Site => PostFilter::All,
            Scope::Tag(tag, _) => PostFilter::Tag(tag.id),
            Scope::Source(source) => PostFilter::Source(source.id),
        }
    }

    /// Root-relative path of the listing; its feeds live beside it.
    fn page_path(self) -> String {
        match self {
            Scope::Site => "/".to_owned(),
            Scope::Tag(tag, _) => tag_path(&tag.slug),
            Scope::Source(source) => source_path(&source.slug),
        }
    }

    fn title(self, site: &Site) -> String {
        match self {
            Scope::Site => site.title.clone(),
            Scope::Tag(tag, _) => format!("{}: Tag Archives: {}", site.title, tag.name),
            Scope::Source(source) => format!("{}: {}", site.title, source.name),
        }
    }

    fn description(self, site: &Site) -> String {
        match self {
            Scope::Site => format!("The newest posts syndicated on {}", site.title),
            Scope::Tag(_, description) if !description.trim().is_empty() => {
                description.trim().to_owned()
            }
            Scope::Tag(tag, _) => format!("The newest posts tagged {} on {}", tag.name, site.title),
            Scope::Source(source) => {
                format!(
                    "The newest posts syndicated from {} on {}",
                    source.name, site.title
                )
            }
        }
    }
}

/// A feed as a page's `<head>` advertises it (`feeds` in the page context).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FeedLink {
    #[serde(rename = "type")]
    pub media_type: &'static str,
    pub title: String,
    pub url: String,
}

/// The three feeds of `scope`, for `<link rel="alternate">` in its pages.
pub(crate) fn alternates(site: &Site, scope: Scope<'_>) -> Vec<FeedLink> {
    let title = scope.title(site);
    let path = scope.page_path();
    Format::ALL
        .into_iter()
        .map(|format| FeedLink {
            media_type: format.media_type(),
            title: format!("{title} ({})", format.label()),
            url: site.url(&format!("{path}{}", format.file())),
        })
        .collect()
}

/// An XML document being written, indented by two spaces.
pub(crate) type Xml = Writer<Vec<u8>>;

/// A new document with its `<?xml …?>` declaration.
pub(crate) fn xml_document() -> io::Result<Xml> {
    let mut xml = Writer::new_with_indent(Vec::new(), b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    Ok(xml)
}

/// `<name>text</name>`, text escaped.
pub(crate) fn text_element(xml: &mut Xml, name: &str, text: &str) -> io::Result<()> {
    xml.create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// The finished document, ending in a newline.
pub(crate) fn xml_finish(xml: Xml) -> Vec<u8> {
    let mut bytes = xml.into_inner();
    bytes.push(b'\n');
    bytes
}

/// Writes `channel` in `format`.
pub(crate) fn write(channel: &Channel, format: Format) -> Vec<u8> {
    let written = match format {
        Format::Atom => atom::write(channel),
        Format::Rss => rss::write(channel),
        Format::Json => json::write(channel),
    };
    written.expect("writing a feed into memory cannot fail")
}

async fn site_feed(state: AppState, format: Format) -> Result<Response, WebError> {
    respond(&state, Scope::Site, format).await
}

async fn tag_feed(
    state: AppState,
    slug: Result<Path<String>, PathRejection>,
    format: Format,
) -> Result<Response, WebError> {
    let Path(slug) = slug.map_err(|_| WebError::NotFound)?;
    let Some(tag) = state.store.tag_by_slug(&slug).await? else {
        // An alias's feed is the tag's feed, at the tag's address.
        let canonical = state
            .store
            .tag_by_alias(&slug)
            .await?
            .ok_or(WebError::NotFound)?;
        let path = format!("{}{}", tag_path(&canonical.slug), format.file());
        return Ok(crate::pages::moved_to(&path));
    };
    let description = tag.description.clone();
    respond(&state, Scope::Tag(&tag, &description), format).await
}

async fn source_feed(
    state: AppState,
    slug: Result<Path<String>, PathRejection>,
    format: Format,
) -> Result<Response, WebError> {
    let Path(slug) = slug.map_err(|_| WebError::NotFound)?;
    let source = state
        .store
        .source_by_slug(&slug)
        .await?
        .ok_or(WebError::NotFound)?;
    respond(&state, Scope::Source(&source), format).await
}

async fn respond(state: &AppState, scope: Scope<'_>, format: Format) -> Result<Response, WebError> {
    let newest = Page {
        number: 1,
        per_page: FEED_LENGTH,
    };
    let posts = state.store.posts(scope.filter(), newest).await?;
    let channel = Channel::new(&state.site, scope, &posts);
    let content_type = format!("{}; charset=utf-8", format.media_type());
    Ok(([(CONTENT_TYPE, content_type)], write(&channel, format)).into_response())
}

/// `/sources.opml`: every source we follow, for import into a feed reader.
async fn sources_opml(State(state): State<AppState>) -> Result<Response, WebError> {
    let sources = state.store.sources().await?;
    let body = opml::write(&state.site, &sources).expect("writing OPML into memory cannot fail");
    Ok(([(CONTENT_TYPE, "text/x-opml; charset=utf-8")], body).into_response())
}
