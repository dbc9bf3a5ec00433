//! `/post/<id>/<title-slug>/` (with or without the final slash): one post in full, with
//! links to its newer and older neighbours, and to its revisions page
//! (`/post/<id>/<title-slug>/revisions/`, [`super::revisions`]) when an upstream edit left
//! earlier versions. `/post/<id>/` and any other slug answer `301`
//! to that address, so links made before a title changed keep working. A post taken down
//! answers `410 Gone`; one held for review or filtered answers `404`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use syndic_core::{PostId, PostState, slugify};

use super::{moved_to, parse_positive, revisions};
use crate::render;
use crate::{AppState, WebError};

#[derive(Debug, Deserialize)]
pub(crate) struct Params {
    id: String,
    #[serde(default)]
    rest: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    params: Result<Path<Params>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let Path(params) = params.map_err(|_| WebError::NotFound)?;
    let id = parse_positive::<i64>(&params.id).ok_or(WebError::NotFound)?;
    let Some(post) = state.store.post(PostId(id)).await? else {
        return Err(hidden(&state, PostId(id)).await);
    };
    // `/post/<id>/<slug>/` is the address pages link to; the same without the slash is
    // served too, since both are what people type and share.
    let slug = slugify(&post.title);
    let rest = params.rest.as_deref().unwrap_or_default();
    let (written, revisions) = match rest
        .strip_suffix("/revisions/")
        .or_else(|| rest.strip_suffix("/revisions"))
    {
        Some(written) => (written, true),
        None => (rest.strip_suffix('/').unwrap_or(rest), false),
    };
    if written != slug {
        let path = render::post_path(&post);
        return Ok(moved_to(&if revisions {
            render::revisions_path(&path)
        } else {
            path
        }));
    }
    if revisions {
        return revisions::show(&state, &post, query.as_deref()).await;
    }
    let (newer, older) = state.store.neighbours(post.id).await?;
    let reasons = state.store.tag_reasons(post.id).await?;
    let versions = state.store.version_count(post.id).await?;
    let html = render::post_page(
        &state,
        &post,
        &reasons,
        versions,
        newer.as_ref(),
        older.as_ref(),
    )?;
    Ok(Html(html).into_response())
}

/// Why a post is not shown: taken down (`410 Gone`, a short notice and nothing of the
/// post), or unknown, held for review or filtered (`404`, as if it did not exist).
async fn hidden(state: &AppState, id: PostId) -> WebError {
    match state.store.post_standing(id).await {
        Ok(Some(standing)) if standing.state == PostState::Removed => WebError::Gone,
        Ok(_) => WebError::NotFound,
        Err(error) => WebError::Store(error),
    }
}
