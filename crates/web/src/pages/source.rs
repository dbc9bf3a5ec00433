//! `/source/<slug>/` and `/source/<slug>/page/N/`: one source's posts, newest first, under
//! its name and links to its site and feed.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use syndic_core::{Post, SourceSummary};
use syndic_store::PostFilter;

use super::{SlugPage, listing, listing_title, page_number};
use crate::feeds::{self, Scope};
use crate::render::{self, ListingPage};
use crate::{AppState, WebError};

pub(crate) async fn show(
    State(state): State<AppState>,
    params: Result<Path<SlugPage>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let Path(params) = params.map_err(|_| WebError::NotFound)?;
    let number = page_number(params.page.as_deref(), query.as_deref())?;
    let source = state
        .store
        .source_by_slug(&params.slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let listing = listing(&state, PostFilter::Source(source.id), number).await?;
    html(&state, &source, &listing.posts, listing.page, listing.pages).map(Html)
}

/// Page `page` of `pages` of `source`'s posts, holding `posts`: what
/// `/source/<slug>/page/N/` serves and `syndic build` writes.
pub(crate) fn html(
    state: &AppState,
    source: &SourceSummary,
    posts: &[Post],
    page: u32,
    pages: u32,
) -> Result<String, WebError> {
    let page_title = listing_title(&source.name, page, &state.site.title);
    let base_path = render::source_path(&source.slug);
    let feeds = feeds::alternates(&state.site, Scope::Source(source));
    render::source_listing(
        state,
        &ListingPage {
            page_title,
            heading: source.name.clone(),
            description: None,
            base_path: &base_path,
            posts,
            page,
            pages,
            feeds: &feeds,
        },
        source,
    )
}
