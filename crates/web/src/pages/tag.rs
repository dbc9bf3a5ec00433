//! `/tag/<slug>/` and `/tag/<slug>/page/N/`: a tag's archive, newest first, under its
//! description. An alias of a tag (`tag_aliases`) answers `301` to the tag's own address.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use syndic_core::{Post, Tag};

use super::{SlugPage, bounded, listing_title, moved_to, page_number, page_of};
use crate::feeds::{self, Scope};
use crate::render::{self, ListingPage, tag_path};
use crate::{AppState, WebError};

pub(crate) async fn show(
    State(state): State<AppState>,
    params: Result<Path<SlugPage>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let Path(params) = params.map_err(|_| WebError::NotFound)?;
    let number = page_number(params.page.as_deref(), query.as_deref())?;
    let page = page_of(&state, number)?;
    // The tag and its page in one snapshot, the tag's days summed once.
    let Some((tag, listing)) = state.store.tag_listing(&params.slug, page).await? else {
        return alias(&state, &params, query.as_deref()).await;
    };
    let listing = bounded(&state, page, listing)?;
    let html = html(&state, &tag, &listing.posts, listing.page, listing.pages)?;
    Ok(Html(html).into_response())
}

/// Page `page` of `pages` of `tag`'s archive, holding `posts`: what `/tag/<slug>/page/N/`
/// serves and `syndic build` writes.
pub(crate) fn html(
    state: &AppState,
    tag: &Tag,
    posts: &[Post],
    page: u32,
    pages: u32,
) -> Result<String, WebError> {
    let description = tag.description.clone();
    let heading = format!("Tag Archives: {}", tag.name);
    let page_title = listing_title(&heading, page, &state.site.title);
    let base_path = tag_path(&tag.slug);
    let feeds = feeds::alternates(&state.site, Scope::Tag(tag, &description));
    render::listing(
        state,
        &ListingPage {
            page_title,
            heading,
            description: Some(description.trim()).filter(|d| !d.is_empty()),
            base_path: &base_path,
            posts,
            page,
            pages,
            feeds: &feeds,
        },
    )
}

/// No tag has this slug: when it is another name of a tag, the same page of that tag's
/// archive (query kept), else 404.
async fn alias(
    state: &AppState,
    params: &SlugPage,
    query: Option<&str>,
) -> Result<Response, WebError> {
    let tag = state
        .store
        .tag_by_alias(&params.slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut path = tag_path(&tag.slug);
    if let Some(page) = &params.page {
        path.push_str(&format!("page/{page}/"));
    }
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        path.push('?');
        path.push_str(query);
    }
    Ok(moved_to(&path))
}
