//! `/` and `/page/N/`: the newest posts of every source, in full.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use serde::Deserialize;
use syndic_core::Post;
use syndic_store::PostFilter;

use super::{listing, page_number};
use crate::feeds::{self, Scope};
use crate::render::{self, ListingPage};
use crate::{AppState, WebError};

#[derive(Debug, Deserialize)]
pub(crate) struct Params {
    page: String,
}

/// `/`, optionally `?page=N`.
pub(crate) async fn first(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    show(&state, page_number(None, query.as_deref())?).await
}

/// `/page/N/`.
pub(crate) async fn numbered(
    State(state): State<AppState>,
    params: Result<Path<Params>, PathRejection>,
) -> Result<Html<String>, WebError> {
    let Path(params) = params.map_err(|_| WebError::NotFound)?;
    show(&state, page_number(Some(&params.page), None)?).await
}

async fn show(state: &AppState, number: u32) -> Result<Html<String>, WebError> {
    let listing = listing(state, PostFilter::All, number).await?;
    html(state, &listing.posts, listing.page, listing.pages).map(Html)
}

/// Page `page` of `pages` of the newest posts, holding `posts`: what `/page/N/` serves and
/// `syndic build` writes.
pub(crate) fn html(
    state: &AppState,
    posts: &[Post],
    page: u32,
    pages: u32,
) -> Result<String, WebError> {
    let page_title = if page == 1 {
        state.site.title.clone()
    } else {
        format!("Latest posts, page {page} – {}", state.site.title)
    };
    let feeds = feeds::alternates(&state.site, Scope::Site);
    render::listing(
        state,
        &ListingPage {
            page_title,
            heading: "Latest posts".to_owned(),
            description: None,
            base_path: "/",
            posts,
            page,
            pages,
            feeds: &feeds,
        },
    )
}
