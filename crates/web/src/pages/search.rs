//! `/search?q=…`: full-text search over titles and texts, best match first, optionally
//! within a tag (`&tag=<slug>`) or a source (`&source=<slug>`), `&page=N` for more.
//!
//! The reader's text goes to [`Store::search`](syndic_store::Store::search), which reads
//! only its words. Snippets come back as plain text with match markers; they are cut into
//! parts here and the template escapes every part, so a post's text never becomes markup.

use axum::extract::{RawQuery, State};
use axum::response::Html;
use minijinja::context;
use serde::Serialize;
use syndic_core::{Page, SourceSummary, Tag};
use syndic_store::{
    MATCH_END, MATCH_START, MAX_CANDIDATES, MAX_QUERY_CHARS, SearchHit, SearchQuery, SearchResults,
};

use super::page_number;
use crate::render::{Links, PostView, SiteView, tag_path};
use crate::{AppState, MAX_SEARCH_PAGE, WebError};

/// What the address asks for; the first of repeated parameters counts.
#[derive(Debug, Default, PartialEq, Eq)]
struct Params {
    q: String,
    tag: Option<String>,
    source: Option<String>,
}

impl Params {
    fn parse(query: Option<&str>) -> Params {
        let (mut q, mut tag, mut source) = (None, None, None);
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let slot = match &*key {
                "q" => &mut q,
                "tag" => &mut tag,
                "source" => &mut source,
                _ => continue,
            };
            slot.get_or_insert_with(|| value.into_owned());
        }
        // An empty filter (a form field left blank) is no filter.
        Params {
            q: q.unwrap_or_default(),
            tag: tag.filter(|slug: &String| !slug.is_empty()),
            source: source.filter(|slug: &String| !slug.is_empty()),
        }
    }
}

/// `GET /search`. Unknown filters and pages are 404; a text over
/// [`MAX_QUERY_CHARS`] characters or a page past [`MAX_SEARCH_PAGE`] is 400, refused
/// before any query. An empty text shows the form alone. The search itself runs within
/// the search budget (`503` when it is spent).
pub(crate) async fn show(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let params = Params::parse(query.as_deref());
    let number = page_number(None, query.as_deref())?;
    if params.q.chars().count() > MAX_QUERY_CHARS {
        // The number is MAX_QUERY_CHARS; a test holds them together.
        return Err(WebError::BadRequest(
            "A search can be at most 256 characters long. Please shorten it and try again.",
        ));
    }
    if number > MAX_SEARCH_PAGE {
        // The number is MAX_SEARCH_PAGE; a test holds them together.
        return Err(WebError::BadRequest(
            "Search results go as far as page 20. Add words to your search to narrow it.",
        ));
    }
    let tag = match &params.tag {
        Some(slug) => Some(
            state
                .store
                .tag_by_slug(slug)
                .await?
                .ok_or(WebError::NotFound)?,
        ),
        None => None,
    };
    let source = match &params.source {
        Some(slug) => Some(
            state
                .store
                .source_by_slug(slug)
                .await?
                .ok_or(WebError::NotFound)?,
        ),
        None => None,
    };
    let search = Search {
        params: &params,
        tag: tag.as_ref(),
        source: source.as_ref(),
    };
    if params.q.trim().is_empty() {
        if number != 1 {
            return Err(WebError::NotFound);
        }
        return Ok(Html(render(&state, &search, None)?));
    }

    let per_page = state.site.per_page();
    let page = Page::new(number, per_page).ok_or(WebError::NotFound)?;
    let query = SearchQuery {
        text: params.q.clone(),
        tag: tag.as_ref().map(|tag| tag.id),
        source: source.as_ref().map(|source| source.id),
    };
    let store = state.store.clone();
    let SearchResults {
        hits,
        total,
        capped,
    } = state
        .budget()
        .search(async move { Ok(store.search_results(&query, page).await?) })
        .await?;
    let pages = Page::count_for(total, per_page);
    if number > pages {
        return Err(WebError::NotFound);
    }
    let results = Results {
        hits: &hits,
        total,
        capped,
        page: number,
        pages,
    };
    Ok(Html(render(&state, &search, Some(&results))?))
}

/// A search as asked, its filters looked up.
struct Search<'a> {
    params: &'a Params,
    tag: Option<&'a Tag>,
    source: Option<&'a SourceSummary>,
}

impl Search<'_> {
    /// `/search?q=…` with this search's filters, on page `page`.
    fn url(&self, page: u32, with_filters: bool) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("q", &self.params.q);
        if with_filters {
            if let Some(tag) = self.tag {
                query.append_pair("tag", &tag.slug);
            }
            if let Some(source) = self.source {
                query.append_pair("source", &source.slug);
            }
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        format!("/search?{}", query.finish())
    }
}

/// One page of what a search found.
struct Results<'a> {
    hits: &'a [SearchHit],
    total: u64,
    /// The count covers the newest candidates only ([`syndic_store::MAX_CANDIDATES`]).
    capped: bool,
    page: u32,
    pages: u32,
}

#[derive(Debug, Serialize)]
struct HitView<'a> {
    post: PostView<'a>,
    snippet: Vec<SnippetPart>,
}

/// A run of snippet text, matched (shown in `<mark>`) or not.
#[derive(Debug, PartialEq, Eq, Serialize)]
struct SnippetPart {
    text: String,
    mark: bool,
}

/// Cuts a snippet at its match markers. Markers always pair up in the result: a start
/// inside a match, an end outside one, and any other stray marker are dropped, and an
/// unclosed match ends with the text.
fn snippet_parts(snippet: &str) -> Vec<SnippetPart> {
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut mark = false;
    let mut text = String::new();
    let mut flush = |text: &mut String, mark: bool| {
        if !text.is_empty() {
            parts.push(SnippetPart {
                text: std::mem::take(text),
                mark,
            });
        }
    };
    for c in snippet.chars() {
        match c {
            MATCH_START if !mark => {
                flush(&mut text, mark);
                mark = true;
            }
            MATCH_END if mark => {
                flush(&mut text, mark);
                mark = false;
            }
            MATCH_START | MATCH_END => {}
            c => text.push(c),
        }
    }
    flush(&mut text, mark);
    parts
}

fn count_text(total: u64, capped: bool, q: &str) -> String {
    match total {
        0 if capped => {
            format!("No posts match “{q}” among the {MAX_CANDIDATES} newest that hold its words.")
        }
        n if capped => format!(
            "{n}+ posts match “{q}” (the {MAX_CANDIDATES} newest that hold its words were searched)."
        ),
        0 => format!("No posts match “{q}”."),
        1 => format!("1 post matches “{q}”."),
        n => format!("{n} posts match “{q}”."),
    }
}

fn render(
    state: &AppState,
    search: &Search<'_>,
    results: Option<&Results<'_>>,
) -> Result<String, WebError> {
    let site = &state.site;
    let q = search.params.q.trim();
    let page_title = match results {
        None => format!("Search – {}", site.title),
        Some(r) if r.page > 1 => format!("“{q}”, page {} – Search – {}", r.page, site.title),
        Some(_) => format!("“{q}” – Search – {}", site.title),
    };
    let hits: Vec<_> = results
        .map(|r| r.hits)
        .unwrap_or_default()
        .iter()
        .map(|hit| HitView {
            post: PostView::new(&hit.post, site, Links::RootRelative),
            snippet: snippet_parts(&hit.snippet),
        })
        .collect();
    let filtered = search.tag.is_some() || search.source.is_some();
    state.templates().render(
        "search.html",
        context! {
            site => SiteView::new(site),
            page_title => page_title,
            q => &search.params.q,
            tag => search.tag.map(|tag| context! {
                name => &tag.name,
                slug => &tag.slug,
                url => tag_path(&tag.slug),
            }),
            source => search.source.map(|source| context! {
                name => &source.name,
                slug => &source.slug,
            }),
            unfiltered_url => filtered.then(|| search.url(1, false)),
            searched => results.is_some(),
            count => results.map(|r| count_text(r.total, r.capped, q)),
            hits => hits,
            page => results.map_or(1, |r| r.page),
            pages => results.map_or(1, |r| r.pages),
            prev => results.filter(|r| r.page > 1).map(|r| search.url(r.page - 1, true)),
            next => results.filter(|r| r.page < r.pages).map(|r| search.url(r.page + 1, true)),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(text: &str, mark: bool) -> SnippetPart {
        SnippetPart {
            text: text.into(),
            mark,
        }
    }

    #[test]
    fn a_capped_count_says_it_is_a_lower_bound() {
        assert_eq!(count_text(3, false, "kelp"), "3 posts match “kelp”.");
        assert_eq!(
            count_text(1_998, true, "the"),
            format!(
                "1998+ posts match “the” (the {MAX_CANDIDATES} newest that hold its words were searched)."
            )
        );
        assert!(count_text(0, true, "a b").starts_with("No posts match “a b” among the"));
    }

    #[test]
    fn snippets_are_cut_at_paired_markers_only() {
        let rows: &[(&str, &[SnippetPart])] = &[
            ("plain", &[part("plain", false)]),
            (
                "a \u{1}kelp\u{2} b",
                &[part("a ", false), part("kelp", true), part(" b", false)],
            ),
            (
                "\u{1}x\u{2}\u{1}y\u{2}",
                &[part("x", true), part("y", true)],
            ),
            ("\u{2}stray end", &[part("stray end", false)]),
            ("\u{1}a\u{1}b\u{2}c", &[part("ab", true), part("c", false)]),
            (
                "open \u{1}to the end",
                &[part("open ", false), part("to the end", true)],
            ),
            (
                "<script>\u{1}&\u{2}",
                &[part("<script>", false), part("&", true)],
            ),
            ("", &[]),
        ];
        for (snippet, expected) in rows {
            assert_eq!(snippet_parts(snippet), *expected, "{snippet:?}");
        }
    }

    #[test]
    fn parameters_take_the_first_value_and_ignore_blank_filters() {
        let params = Params::parse(Some("q=tide+pools&q=x&tag=map&source=&page=2&other=1"));
        assert_eq!(
            params,
            Params {
                q: "tide pools".into(),
                tag: Some("map".into()),
                source: None,
            }
        );
        assert_eq!(Params::parse(None), Params::default());
        assert_eq!(Params::parse(Some("q=%ZZ%")).q, "%ZZ%");
    }
}
