//! `/post/<id>/<slug>/revisions/`: every version kept of a post, and what changed between
//! two of them (the two newest unless `?from=N&to=M` names others), word by word.
//!
//! A post that is hidden has no revisions page, exactly as it has no page: `410 Gone` when
//! taken down, `404` when held or filtered. Another slug answers `301` to the right one.
//! `from` and `to` must name versions the page lists; anything else is `400`.

use axum::response::{Html, IntoResponse, Response};
use syndic_core::Post;

use super::parse_positive;
use crate::{AppState, WebError, render};

/// The versions compared: indexes into the list, older first as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Compared {
    pub(crate) from: usize,
    pub(crate) to: usize,
}

/// The revisions page of `post` (found and published), as the query `query` asks.
pub(crate) async fn show(
    state: &AppState,
    post: &Post,
    query: Option<&str>,
) -> Result<Response, WebError> {
    let versions = state.store.post_versions(post.id).await?;
    let numbers: Vec<i64> = versions.iter().map(|v| v.number).collect();
    let compared = compared(&numbers, query)?;
    let html = render::revisions_page(state, post, &versions, compared)?;
    Ok(Html(html).into_response())
}

/// Which two versions to compare: `from` and `to` from the query when both are given
/// (each a version number the list holds), else the two newest; `None` when there is
/// only one version. A value that names no listed version is a bad request.
pub(crate) fn compared(numbers: &[i64], query: Option<&str>) -> Result<Option<Compared>, WebError> {
    let (mut from, mut to) = (None, None);
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let slot = match key.as_ref() {
            "from" => &mut from,
            "to" => &mut to,
            _ => continue,
        };
        let index = parse_positive::<i64>(&value)
            .and_then(|number| numbers.iter().position(|n| *n == number))
            .ok_or(WebError::BadRequest(
                "from and to name versions by the numbers this page lists",
            ))?;
        *slot = Some(index);
    }
    match (from, to) {
        (Some(from), Some(to)) => Ok(Some(Compared { from, to })),
        (None, None) if numbers.len() >= 2 => Ok(Some(Compared {
            from: numbers.len() - 2,
            to: numbers.len() - 1,
        })),
        (None, None) => Ok(None),
        _ => Err(WebError::BadRequest(
            "name both versions to compare, as ?from=1&to=2",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(numbers: &[i64], query: &str) -> Option<(usize, usize)> {
        compared(numbers, Some(query))
            .ok()
            .flatten()
            .map(|c| (c.from, c.to))
    }

    #[test]
    fn the_two_newest_versions_are_compared_unless_the_query_names_two() {
        assert_eq!(pick(&[3, 4, 5], ""), Some((1, 2)));
        assert_eq!(pick(&[3, 4, 5], "from=3&to=5"), Some((0, 2)));
        assert_eq!(pick(&[3, 4, 5], "from=5&to=3"), Some((2, 0)));
        assert_eq!(pick(&[1], ""), None);
        assert!(compared(&[1], None).is_ok_and(|c| c.is_none()));
    }

    #[test]
    fn versions_the_page_does_not_list_are_bad_requests() {
        for query in [
            "from=1&to=5",
            "from=0&to=4",
            "from=-3&to=4",
            "from=04&to=5",
            "from=x&to=4",
            "from=99999999999999999999999&to=4",
            "from=4",
            "to=4",
            "from=&to=",
        ] {
            assert!(
                matches!(
                    compared(&[3, 4, 5], Some(query)),
                    Err(WebError::BadRequest(_))
                ),
                "{query}"
            );
        }
    }
}
