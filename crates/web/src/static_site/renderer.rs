//! One page of the site as bytes.

use axum::body::{Body, Bytes};
use axum::http::Request;
use tower::ServiceExt;

use super::map::{Content, Listed};
use super::{ExportError, SitePage, SitePath};
use crate::pages::{home, source, tag};
use crate::{AppState, WebError, render};

/// Renders [`SitePage`]s over the build's state. Cheap to clone; clones render
/// concurrently.
#[derive(Clone)]
pub struct Renderer {
    state: AppState,
    site: axum::Router,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").finish_non_exhaustive()
    }
}

impl Renderer {
    /// A renderer over `state` (the state the [`super::SiteMap`] was read from).
    pub fn new(state: &AppState) -> Renderer {
        Renderer {
            state: state.clone(),
            site: crate::router(state.clone()),
        }
    }

    /// The bytes of `page`, exactly as `syndic serve` answers its URL.
    pub async fn render(&self, page: &SitePage) -> Result<Bytes, ExportError> {
        let html = match &page.content {
            Content::Route => return self.route(&page.path).await,
            Content::Listing {
                of,
                posts,
                range,
                page: number,
                pages,
            } => {
                let posts = &posts[range.clone()];
                let state = &self.state;
                match &**of {
                    Listed::Home => home::html(state, posts, *number, *pages),
                    Listed::Tag(t) => tag::html(state, t, posts, *number, *pages),
                    Listed::Source(s) => source::html(state, s, posts, *number, *pages),
                }
            }
            Content::Post {
                posts,
                index,
                newer,
                older,
            } => {
                self.post(&posts[*index], newer.as_ref(), older.as_ref())
                    .await
            }
        };
        html.map(Bytes::from).map_err(|source| ExportError::Page {
            url: page.path.url.clone(),
            source,
        })
    }

    /// What the post handler does once it has found the post and its neighbours.
    async fn post(
        &self,
        post: &syndic_core::Post,
        newer: Option<&syndic_store::PostRef>,
        older: Option<&syndic_store::PostRef>,
    ) -> Result<String, WebError> {
        let reasons = self.state.store.tag_reasons(post.id).await?;
        let versions = self.state.store.version_count(post.id).await?;
        render::post_page(&self.state, post, &reasons, versions, newer, older)
    }

    /// `path` sent through the router; any status but the page's own (`200`, `404` for
    /// the 404 page) is an error.
    async fn route(&self, path: &SitePath) -> Result<Bytes, ExportError> {
        let failed = |reason: String| ExportError::Render {
            url: path.url.clone(),
            reason,
        };
        let request = Request::get(&path.url)
            .body(Body::empty())
            .map_err(|e| failed(e.to_string()))?;
        let response = self
            .site
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        if status != path.status {
            return Err(ExportError::Status {
                url: path.url.clone(),
                status,
            });
        }
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(|e| failed(e.to_string()))
    }
}
