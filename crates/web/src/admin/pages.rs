//! The admin's pages (behind a session, `guard::signed_in`) and their forms' actions. Each
//! action answers `303` back to its page (post/redirect/get), or a page saying what failed.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::Value;

use super::guard::SignedIn;
use super::moderation::{self, Actor, Decision, SourceAction};
use super::{AdminError, render};
use crate::AppState;

/// A form naming one post (its id, or on the takedown form also its original URL).
pub(crate) struct PostForm {
    post: String,
    reason: String,
}

impl PostForm {
    fn read(body: &[u8]) -> PostForm {
        let mut fields = super::form_fields(body);
        PostForm {
            post: fields.remove("post").unwrap_or_default(),
            reason: fields.remove("reason").unwrap_or_default(),
        }
    }
}

/// A form naming one source by id.
pub(crate) struct SourceForm {
    source: String,
}

impl SourceForm {
    fn read(body: &[u8]) -> SourceForm {
        SourceForm {
            source: super::form_fields(body)
                .remove("source")
                .unwrap_or_default(),
        }
    }
}

/// `GET /admin/`: the review queue.
pub(crate) async fn review(
    State(state): State<AppState>,
    Extension(me): Extension<SignedIn>,
) -> Response {
    let found = moderation::pending(&state.store).await;
    Page::new("review.html", "Review queue", "review", "posts").render(&me, found)
}

/// `GET /admin/takedowns`: the takedown form and every post taken down.
pub(crate) async fn takedowns(
    State(state): State<AppState>,
    Extension(me): Extension<SignedIn>,
) -> Response {
    let found = moderation::removed(&state.store).await;
    Page::new("takedowns.html", "Takedowns", "takedowns", "posts").render(&me, found)
}

/// `GET /admin/filtered`: posts a rule hid.
pub(crate) async fn filtered(
    State(state): State<AppState>,
    Extension(me): Extension<SignedIn>,
) -> Response {
    let found = moderation::filtered(&state.store).await;
    Page::new("filtered.html", "Filtered posts", "filtered", "posts").render(&me, found)
}

/// `GET /admin/audit`: every decision, newest first.
pub(crate) async fn audit(
    State(state): State<AppState>,
    Extension(me): Extension<SignedIn>,
) -> Response {
    let found = moderation::audit(&state.store, None).await;
    Page::new("audit.html", "Audit log", "audit", "entries").render(&me, found)
}

/// `GET /admin/sources`: every source with its health and what can be done to it.
pub(crate) async fn sources(
    State(state): State<AppState>,
    Extension(me): Extension<SignedIn>,
) -> Response {
    let found = moderation::sources(&state.store).await;
    Page::new("sources.html", "Sources", "sources", "sources").render(&me, found)
}

/// A page listing rows: its template, title, nav section and the name its rows go by.
struct Page {
    template: &'static str,
    title: &'static str,
    section: &'static str,
    key: &'static str,
}

impl Page {
    fn new(
        template: &'static str,
        title: &'static str,
        section: &'static str,
        key: &'static str,
    ) -> Page {
        Page {
            template,
            title,
            section,
            key,
        }
    }

    /// Renders the page with `rows`; a failure to read the rows is the failure page.
    fn render<T: serde::Serialize>(
        &self,
        me: &SignedIn,
        rows: Result<Vec<T>, AdminError>,
    ) -> Response {
        let rows = match rows {
            Ok(rows) => Value::from_serialize(&rows),
            Err(error) => return render::failure(&error),
        };
        let ctx = Value::from_iter([
            ("title".to_owned(), Value::from(self.title)),
            ("section".to_owned(), Value::from(self.section)),
            ("csrf".to_owned(), Value::from(me.session.csrf.clone())),
            (self.key.to_owned(), rows),
        ]);
        render::page(StatusCode::OK, self.template, ctx)
    }
}

/// `POST /admin/review/approve` (`post`).
pub(crate) async fn approve(State(state): State<AppState>, body: Bytes) -> Response {
    decide(&state, Decision::Approve, &PostForm::read(&body), "/admin/").await
}

/// `POST /admin/review/reject` (`post`, optional `reason`).
pub(crate) async fn reject(State(state): State<AppState>, body: Bytes) -> Response {
    decide(&state, Decision::Reject, &PostForm::read(&body), "/admin/").await
}

/// `POST /admin/takedowns/remove` (`post`: an id or an original URL; `reason`, required).
pub(crate) async fn remove(State(state): State<AppState>, body: Bytes) -> Response {
    let form = PostForm::read(&body);
    if form.reason.trim().is_empty() {
        return render::message(
            StatusCode::BAD_REQUEST,
            "Give a reason for the takedown: it is kept in the audit log.",
        );
    }
    decide(&state, Decision::Remove, &form, "/admin/takedowns").await
}

/// `POST /admin/takedowns/restore` (`post`).
pub(crate) async fn restore(State(state): State<AppState>, body: Bytes) -> Response {
    decide(
        &state,
        Decision::Restore,
        &PostForm::read(&body),
        "/admin/takedowns",
    )
    .await
}

async fn decide(state: &AppState, decision: Decision, form: &PostForm, back: &str) -> Response {
    let named = form.post.trim();
    if named.is_empty() {
        return render::message(
            StatusCode::BAD_REQUEST,
            "Name the post: its number or its original URL.",
        );
    }
    let reason = Some(form.reason.trim()).filter(|reason| !reason.is_empty());
    let done = async {
        let id = moderation::find_post(&state.store, named).await?;
        moderation::decide(&state.store, decision, id, reason, Actor::Admin).await
    };
    match done.await {
        Ok(()) => Redirect::to(back).into_response(),
        Err(error) => render::failure(&error),
    }
}

/// `POST /admin/sources/pause` (`source`).
pub(crate) async fn pause(State(state): State<AppState>, body: Bytes) -> Response {
    on_source(&state, &SourceForm::read(&body), |store, id| async move {
        moderation::act_on_source(&store, SourceAction::Pause, id, Actor::Admin).await
    })
    .await
}

/// `POST /admin/sources/resume` (`source`).
pub(crate) async fn resume(State(state): State<AppState>, body: Bytes) -> Response {
    on_source(&state, &SourceForm::read(&body), |store, id| async move {
        moderation::act_on_source(&store, SourceAction::Resume, id, Actor::Admin).await
    })
    .await
}

/// `POST /admin/sources/fetch` (`source`): due at once.
pub(crate) async fn fetch_now(State(state): State<AppState>, body: Bytes) -> Response {
    on_source(&state, &SourceForm::read(&body), |store, id| async move {
        moderation::act_on_source(&store, SourceAction::FetchNow, id, Actor::Admin).await
    })
    .await
}

async fn on_source<F, Fut>(state: &AppState, form: &SourceForm, action: F) -> Response
where
    F: FnOnce(syndic_store::Store, i64) -> Fut,
    Fut: Future<Output = Result<(), AdminError>>,
{
    let Some(id) = crate::pages::parse_positive::<i64>(form.source.trim()) else {
        return render::message(StatusCode::BAD_REQUEST, "Name the source by its number.");
    };
    match action(state.store.clone(), id).await {
        Ok(()) => Redirect::to("/admin/sources").into_response(),
        Err(error) => render::failure(&error),
    }
}
