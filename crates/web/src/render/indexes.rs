//! The index pages: every tag (`tags.html`) and every source (`sources.html`).

use minijinja::context;
use serde::Serialize;
use syndic_core::{SourceSummary, Tag};

use super::{SiteView, When, is_web_url, source_path, tag_path};
use crate::pages::tags::TagOrder;
use crate::{AppState, WebError};

#[derive(Debug, Serialize)]
struct TagEntry<'a> {
    name: &'a str,
    url: String,
    count: i64,
}

/// One way to order the tag index, as a link.
#[derive(Debug, Serialize)]
struct SortLink {
    label: &'static str,
    url: &'static str,
    current: bool,
}

/// `/tags/`: `tags` in the order given, with links to the other order.
pub(crate) fn tags_page(
    state: &AppState,
    tags: &[Tag],
    order: TagOrder,
) -> Result<String, WebError> {
    let site = &state.site;
    let entries: Vec<_> = tags
        .iter()
        .map(|tag| TagEntry {
            name: &tag.name,
            url: tag_path(&tag.slug),
            count: tag.post_count,
        })
        .collect();
    let path = match order {
        TagOrder::Name => "/tags/",
        TagOrder::Count => "/tags/?sort=count",
    };
    let sorts = [
        SortLink {
            label: "name",
            url: "/tags/",
            current: order == TagOrder::Name,
        },
        SortLink {
            label: "number of posts",
            url: "/tags/?sort=count",
            current: order == TagOrder::Count,
        },
    ];
    state.templates().render(
        "tags.html",
        context! {
            site => SiteView::new(site),
            section => "tags",
            page_title => format!("Tags – {}", site.title),
            canonical => site.url(path),
            tags => entries,
            sorts => sorts,
        },
    )
}

#[derive(Debug, Serialize)]
struct SourceEntry<'a> {
    name: &'a str,
    url: String,
    site_url: Option<&'a str>,
    count: i64,
    last_success: Option<When>,
    last_error: Option<&'a str>,
    /// Not fetched until resumed (its posts stay).
    paused: bool,
}

/// `/sources/`: every source with its site, post count, last success and last error, or
/// that it is paused.
pub(crate) fn sources_page(
    state: &AppState,
    sources: &[SourceSummary],
) -> Result<String, WebError> {
    let site = &state.site;
    let entries: Vec<_> = sources
        .iter()
        .map(|source| SourceEntry {
            name: &source.name,
            url: source_path(&source.slug),
            site_url: source.site_url.as_deref().filter(|url| is_web_url(url)),
            count: source.post_count,
            last_success: source.last_success.map(When::from),
            last_error: source
                .last_error
                .as_deref()
                .filter(|error| !error.is_empty()),
            paused: source.paused,
        })
        .collect();
    state.templates().render(
        "sources.html",
        context! {
            site => SiteView::new(site),
            section => "sources",
            page_title => format!("Sources – {}", site.title),
            canonical => site.url("/sources/"),
            sources => entries,
        },
    )
}
