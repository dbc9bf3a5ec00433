//! `GET /media/<hash>`: a cached image, byte for byte as it was fetched (`[media] cache`),
//! read from the media folder or from the store (`[media] keep`). `/media/<hash>.<ext>`
//! (the addresses the cache wrote before, and the static build's) serves the same file.
//!
//! The name must be a sha256 in lowercase hex, so it can only name a file of the media
//! folder or a row of `media_files`; the type is sniffed from the bytes again (the same
//! [`syndic_core::media::sniff`] that let the file in), so only raster images are ever
//! served, and never re-encoded; an extension other than the type's is not found (one
//! file, one address per type).

use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use syndic_core::media::{self, MediaStorage};

use crate::{AppState, WebError};

/// A file's name never changes its bytes: keep it for a year.
const FOREVER: &str = "public, max-age=31536000, immutable";

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let storage = state.media().ok_or(WebError::NotFound)?;
    let (hash, extension) = media::parse_media_name(&name).ok_or(WebError::NotFound)?;
    let bytes = match storage {
        MediaStorage::Folder(dir) => {
            let path = media::media_path(dir, hash).ok_or(WebError::NotFound)?;
            tokio::fs::read(&path)
                .await
                .map_err(|_| WebError::NotFound)?
        }
        MediaStorage::Store => {
            let file = state.store.media_file(hash).await?;
            file.ok_or(WebError::NotFound)?.bytes
        }
    };
    let kind = media::sniff(&bytes).ok_or(WebError::NotFound)?;
    if extension.is_some_and(|extension| extension != kind.extension()) {
        return Err(WebError::NotFound);
    }
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static(kind.mime())),
            (CACHE_CONTROL, HeaderValue::from_static(FOREVER)),
        ],
        bytes,
    )
        .into_response())
}
