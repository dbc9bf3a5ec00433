//! Templates and what they are given: the built-in template set, looked up by name, and
//! the view models pages and exports fill.

use std::fmt;
use std::sync::{Arc, OnceLock};

use axum::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use minijinja::{AutoEscape, Environment, Output, State, UndefinedBehavior, Value, context};
use serde::Serialize;
use syndic_core::Post;

use crate::{AppState, Site, WebError};

/// The stylesheet, served at `/static/style.css` and inlined into HTML exports.
pub(crate) const STYLESHEET: &str = include_str!("../static/style.css");

/// The built-in templates by name. A theme may later replace any of them by name.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("list.html", include_str!("../templates/list.html")),
    ("post.html", include_str!("../templates/post.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("export.html", include_str!("../templates/export.html")),
];

/// A set of parsed templates, rendered by name.
#[derive(Debug)]
pub(crate) struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The built-in set, parsed once per process.
    pub(crate) fn builtin() -> Arc<Templates> {
        static BUILTIN: OnceLock<Arc<Templates>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let templates = Templates::from_sources(BUILTIN_TEMPLATES)
                    .expect("the built-in templates parse (covered by tests)");
                Arc::new(templates)
            })
            .clone()
    }

    fn from_sources(sources: &[(&'static str, &'static str)]) -> Result<Templates, WebError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(html_formatter);
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        for (name, source) in sources {
            env.add_template(name, source)?;
        }
        Ok(Templates { env })
    }

    /// Renders the template called `name` with `ctx`.
    pub(crate) fn render(&self, name: &str, ctx: impl Serialize) -> Result<String, WebError> {
        Ok(self.env.get_template(name)?.render(ctx)?)
    }
}

/// Like minijinja's default formatter, but HTML escaping leaves `/` alone so that URLs in
/// attributes and text stay readable (`&`, `<`, `>`, `"` and `'` are still escaped, which is
/// all HTML text and quoted attributes need).
fn html_formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    if state.auto_escape() != AutoEscape::Html
        || value.is_safe()
        || value.is_undefined()
        || value.is_none()
    {
        return minijinja::escape_formatter(out, state, value);
    }
    let result = match value.as_str() {
        Some(text) => escape_html(out, text),
        None => escape_html(out, &value.to_string()),
    };
    result.map_err(minijinja::Error::from)
}

fn escape_html(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    let mut done = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[done..at])?;
        out.write_str(entity)?;
        done = at + 1;
    }
    out.write_str(&text[done..])
}

/// What every page template knows of the site.
#[derive(Debug, Serialize)]
struct SiteView<'a> {
    title: &'a str,
    url: String,
}

impl<'a> SiteView<'a> {
    fn new(site: &'a Site) -> Self {
        SiteView {
            title: &site.title,
            url: site.url("/"),
        }
    }
}

/// A point in time as pages show it: `<time datetime="iso">date</time>`.
#[derive(Debug, Serialize)]
pub(crate) struct When {
    iso: String,
    date: String,
}

impl From<DateTime<Utc>> for When {
    fn from(time: DateTime<Utc>) -> Self {
        When {
            iso: time.to_rfc3339_opts(SecondsFormat::Secs, true),
            date: time.format("%Y-%m-%d").to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
struct TagLink<'a> {
    name: &'a str,
    url: String,
}

/// Whether links inside a page are root-relative (the site) or absolute (exported files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Links {
    RootRelative,
    Absolute,
}

impl Links {
    fn to(self, site: &Site, path: &str) -> String {
        match self {
            Links::RootRelative => path.to_owned(),
            Links::Absolute => site.url(path),
        }
    }
}

/// A post as templates read it.
#[derive(Debug, Serialize)]
pub(crate) struct PostView<'a> {
    id: i64,
    url: String,
    title: &'a str,
    attribution: &'a str,
    /// The original, when it is an http(s) URL; else our own page of the post.
    link: String,
    source_name: &'a str,
    published: When,
    updated: Option<When>,
    content_html: &'a str,
    tags: Vec<TagLink<'a>>,
}

impl<'a> PostView<'a> {
    pub(crate) fn new(post: &'a Post, site: &Site, links: Links) -> Self {
        let own_path = post_path(post);
        let link = post
            .link
            .as_deref()
            .filter(|link| is_web_url(link))
            .map_or_else(|| site.url(&own_path), str::to_owned);
        PostView {
            id: post.id.0,
            url: links.to(site, &own_path),
            title: if post.title.is_empty() {
                "Untitled"
            } else {
                &post.title
            },
            attribution: &post.attribution,
            link,
            source_name: &post.source_name,
            published: post.published.into(),
            updated: post.updated.map(When::from),
            content_html: &post.content_html,
            tags: post
                .tags
                .iter()
                .map(|tag| TagLink {
                    name: &tag.name,
                    url: links.to(site, &tag_path(&tag.slug)),
                })
                .collect(),
        }
    }
}

/// Root-relative path of a post's page.
pub(crate) fn post_path(post: &Post) -> String {
    format!("/post/{}/", post.id)
}

/// Root-relative path of a tag's archive.
pub(crate) fn tag_path(slug: &str) -> String {
    format!("/tag/{slug}/")
}

fn is_web_url(link: &str) -> bool {
    url::Url::parse(link).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
}

/// Where a listing is and which of its pages this is.
#[derive(Debug, Serialize)]
pub(crate) struct Pagination {
    page: u32,
    pages: u32,
    prev: Option<String>,
    next: Option<String>,
}

impl Pagination {
    /// Page `page` of `pages` of the listing at `base_path` (ending in `/`).
    pub(crate) fn new(base_path: &str, page: u32, pages: u32) -> Self {
        Pagination {
            page,
            pages,
            prev: (page > 1).then(|| page_path(base_path, page - 1)),
            next: (page < pages).then(|| page_path(base_path, page + 1)),
        }
    }
}

/// Root-relative path of page `page` of the listing at `base_path`.
pub(crate) fn page_path(base_path: &str, page: u32) -> String {
    if page <= 1 {
        base_path.to_owned()
    } else {
        format!("{base_path}page/{page}/")
    }
}

/// A listing page (home or tag archive) to render with `list.html`.
#[derive(Debug)]
pub(crate) struct ListingPage<'a> {
    pub page_title: String,
    pub heading: String,
    /// Root-relative path of the listing's first page, ending in `/`.
    pub base_path: &'a str,
    pub posts: &'a [Post],
    pub page: u32,
    pub pages: u32,
}

pub(crate) fn listing(state: &AppState, page: &ListingPage<'_>) -> Result<String, WebError> {
    let site = &state.site;
    let posts: Vec<_> = page
        .posts
        .iter()
        .map(|post| PostView::new(post, site, Links::RootRelative))
        .collect();
    state.templates().render(
        "list.html",
        context! {
            site => SiteView::new(site),
            page_title => &page.page_title,
            canonical => site.url(&page_path(page.base_path, page.page)),
            heading => &page.heading,
            posts => posts,
            pagination => Pagination::new(page.base_path, page.page, page.pages),
        },
    )
}

pub(crate) fn post_page(state: &AppState, post: &Post) -> Result<String, WebError> {
    let site = &state.site;
    let view = PostView::new(post, site, Links::RootRelative);
    state.templates().render(
        "post.html",
        context! {
            site => SiteView::new(site),
            page_title => format!("{} – {}", view.title, site.title),
            canonical => &view.link,
            post => view,
        },
    )
}

pub(crate) fn error_page(state: &AppState, status: StatusCode) -> Result<String, WebError> {
    let (heading, message) = match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "There is no page at this address. The link may be mistyped, or the page may be gone.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Method not allowed",
            "This address cannot be used that way.",
        ),
        _ => (
            "Something went wrong",
            "This page cannot be shown right now. Please try again later.",
        ),
    };
    let site = &state.site;
    state.templates().render(
        "error.html",
        context! {
            site => SiteView::new(site),
            page_title => format!("{heading} – {}", site.title),
            heading => heading,
            message => message,
        },
    )
}

/// A standalone archive page (absolute links, inline stylesheet) with `export.html`.
pub(crate) fn export_page(site: &Site, tag_name: &str, posts: &[Post]) -> Result<String, WebError> {
    let heading = format!("Tag Archives: {tag_name}");
    let posts: Vec<_> = posts
        .iter()
        .map(|post| PostView::new(post, site, Links::Absolute))
        .collect();
    Templates::builtin().render(
        "export.html",
        context! {
            site => SiteView::new(site),
            page_title => format!("{heading} – {}", site.title),
            heading => heading,
            posts => posts,
            stylesheet => STYLESHEET,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_parse() {
        assert!(Templates::from_sources(BUILTIN_TEMPLATES).is_ok());
    }

    #[test]
    fn escaping_keeps_slashes_and_escapes_markup() {
        let mut out = String::new();
        escape_html(&mut out, r#"<a href="https://x/?a=1&b='2'">"#).expect("write");
        assert_eq!(
            out,
            "&lt;a href=&quot;https://x/?a=1&amp;b=&#39;2&#39;&quot;&gt;"
        );
    }

    #[test]
    fn first_page_links_to_the_listing_itself() {
        assert_eq!(page_path("/tag/map/", 1), "/tag/map/");
        assert_eq!(page_path("/tag/map/", 3), "/tag/map/page/3/");
        let nav = Pagination::new("/", 2, 3);
        assert_eq!(nav.prev.as_deref(), Some("/"));
        assert_eq!(nav.next.as_deref(), Some("/page/3/"));
    }
}
