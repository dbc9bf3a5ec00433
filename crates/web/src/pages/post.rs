//! `/post/<id>/` (and `/post/<id>/<anything>`): one post in full.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Html;
use serde::Deserialize;
use syndic_core::PostId;

use super::parse_positive;
use crate::render;
use crate::{AppState, WebError};

#[derive(Debug, Deserialize)]
pub(crate) struct Params {
    id: String,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    params: Result<Path<Params>, PathRejection>,
) -> Result<Html<String>, WebError> {
    let Path(params) = params.map_err(|_| WebError::NotFound)?;
    let id = parse_positive::<i64>(&params.id).ok_or(WebError::NotFound)?;
    let post = state
        .store
        .post(PostId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Html(render::post_page(&state, &post)?))
}
