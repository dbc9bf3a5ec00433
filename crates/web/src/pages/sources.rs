//! `/sources/`: every source with its site, post count, last successful fetch and last
//! error.

use axum::extract::State;
use axum::response::Html;

use crate::render;
use crate::{AppState, WebError};

pub(crate) async fn show(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let sources = state.store.sources().await?;
    Ok(Html(render::sources_page(&state, &sources)?))
}
