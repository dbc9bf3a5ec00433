//! `/source/<slug>/` and `/source/<slug>/page/N/`: one source's posts, newest first, under
//! its name and links to its site and feed.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
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
    let page_title = listing_title(&source.name, listing.page, &state.site.title);
    let base_path = render::source_path(&source.slug);
    let feeds = feeds::alternates(&state.site, Scope::Source(&source));
    let html = render::source_listing(
        &state,
        &ListingPage {
            page_title,
            heading: source.name.clone(),
            description: None,
            base_path: &base_path,
            posts: &listing.posts,
            page: listing.page,
            pages: listing.pages,
            feeds: &feeds,
        },
        &source,
    )?;
    Ok(Html(html))
}
