//! `/tag/<slug>/` and `/tag/<slug>/page/N/`: a tag's archive, newest first.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use syndic_store::PostFilter;

use super::{SlugPage, listing, listing_title, page_number};
use crate::feeds::{self, Scope};
use crate::render::{self, ListingPage, tag_path};
use crate::{AppState, WebError};

pub(crate) async fn show(
    State(state): State<AppState>,
    params: Result<Path<SlugPage>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let Path(params) = params.map_err(|_| WebError::NotFound)?;
    let number = page_number(params.page.as_deref(), query.as_deref())?;
    let tag = state
        .store
        .tag_by_slug(&params.slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let listing = listing(&state, PostFilter::Tag(tag.id), number).await?;
    let heading = format!("Tag Archives: {}", tag.name);
    let page_title = listing_title(&heading, listing.page, &state.site.title);
    let base_path = tag_path(&tag.slug);
    let feeds = feeds::alternates(&state.site, Scope::Tag(&tag));
    let html = render::listing(
        &state,
        &ListingPage {
            page_title,
            heading,
            base_path: &base_path,
            posts: &listing.posts,
            page: listing.page,
            pages: listing.pages,
            feeds: &feeds,
        },
    )?;
    Ok(Html(html))
}
