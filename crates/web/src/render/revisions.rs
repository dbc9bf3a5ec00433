//! The revisions page of a post: its versions, and the word diff between two of them.

use minijinja::{Value, context};
use serde::Serialize;
use syndic_core::Post;
use syndic_store::PostVersion;

use super::views::{SiteView, When, post_path};
use crate::diff::word_diff;
use crate::pages::revisions::Compared;
use crate::{AppState, WebError};

/// Root-relative path of the revisions page of the post whose page is at `post_path`.
pub(crate) fn revisions_path(post_path: &str) -> String {
    format!("{post_path}revisions/")
}

/// One version as the list shows it.
#[derive(Debug, Serialize)]
struct VersionView<'a> {
    number: i64,
    title: &'a str,
    at: When,
    current: bool,
    /// `?from=N&to=M` comparing it with the current version (none for the current one).
    compare: Option<String>,
}

/// `revisions.html` for `post` (published) and its `versions` (oldest first, the current
/// one last); `compared` picks the two the diff shows.
pub(crate) fn revisions_page(
    state: &AppState,
    post: &Post,
    versions: &[PostVersion],
    compared: Option<Compared>,
) -> Result<String, WebError> {
    let site = &state.site;
    let newest = versions.last().map_or(1, |v| v.number);
    let list: Vec<VersionView<'_>> = versions
        .iter()
        .rev()
        .map(|v| VersionView {
            number: v.number,
            title: &v.title,
            at: v.at.into(),
            current: v.current,
            compare: (!v.current).then(|| format!("?from={}&to={newest}", v.number)),
        })
        .collect();
    let diff = compared.map(|Compared { from, to }| {
        let (old, new) = (&versions[from], &versions[to]);
        context! {
            from => old.number,
            to => new.number,
            from_at => When::from(old.at),
            to_at => When::from(new.at),
            title => Value::from_safe_string(word_diff(&old.title, &new.title)),
            text => Value::from_safe_string(word_diff(&old.content_text, &new.content_text)),
        }
    });
    let path = post_path(post);
    let title = if post.title.is_empty() {
        "Untitled"
    } else {
        &post.title
    };
    state.templates().render(
        "revisions.html",
        context! {
            site => SiteView::new(site),
            page_title => format!("Revisions of {title} – {}", site.title),
            canonical => site.url(&revisions_path(&path)),
            post_title => title,
            post_url => path,
            versions => list,
            diff => diff,
        },
    )
}
