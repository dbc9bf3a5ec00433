//! `/tags/`: every tag with its post count, by name or (`?sort=count`) by count.

use axum::extract::{RawQuery, State};
use axum::response::Html;

use crate::render;
use crate::{AppState, WebError};

/// How the tag index is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagOrder {
    /// Alphabetically, ignoring case (the store's order).
    Name,
    /// Most posts first; equal counts by name.
    Count,
}

impl TagOrder {
    /// `?sort=name` or `?sort=count`; no `sort` is by name; anything else is not a page.
    fn from_query(query: Option<&str>) -> Result<TagOrder, WebError> {
        let sort = query.and_then(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == "sort")
                .map(|(_, value)| value.into_owned())
        });
        match sort.as_deref() {
            None | Some("name") => Ok(TagOrder::Name),
            Some("count") => Ok(TagOrder::Count),
            Some(_) => Err(WebError::NotFound),
        }
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let order = TagOrder::from_query(query.as_deref())?;
    let mut tags = state.store.tags().await?;
    if order == TagOrder::Count {
        // Stable: equal counts keep the store's order by name.
        tags.sort_by_key(|tag| std::cmp::Reverse(tag.post_count));
    }
    Ok(Html(render::tags_page(&state, &tags, order)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_orders_are_name_and_count_only() {
        assert_eq!(TagOrder::from_query(None).ok(), Some(TagOrder::Name));
        assert_eq!(
            TagOrder::from_query(Some("sort=name")).ok(),
            Some(TagOrder::Name)
        );
        assert_eq!(
            TagOrder::from_query(Some("x=1&sort=count")).ok(),
            Some(TagOrder::Count)
        );
        assert!(TagOrder::from_query(Some("sort=random")).is_err());
        assert!(TagOrder::from_query(Some("sort=")).is_err());
    }
}
