//! Templates and what they are given: the built-in template set (which a theme may
//! override), looked up by name, and one function per page filling its context from the
//! view models in `views`.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use minijinja::{AutoEscape, Environment, Output, State, UndefinedBehavior, Value, context};
use serde::Serialize;
use syndic_core::{AttributionTemplate, AttributionValues, Filled, Post, SourceSummary};
use syndic_store::{PostRef, TagReason};

use crate::feeds::FeedLink;
use crate::theme::ThemeError;
use crate::{AppState, Site, WebError};

mod enclosures;
mod indexes;
mod revisions;
mod views;

pub(crate) use indexes::{sources_page, tags_page};
pub(crate) use revisions::{revisions_page, revisions_path};
pub(crate) use views::{
    Links, Pagination, PostView, SiteView, When, is_web_url, page_path, post_path, post_path_for,
    source_path, tag_path,
};

/// The stylesheet, served at `/static/style.css` and inlined into HTML exports.
pub(crate) const STYLESHEET: &str = include_str!("../static/style.css");

/// The built-in templates by name. A theme folder may replace any of them by name.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("list.html", include_str!("../templates/list.html")),
    ("post.html", include_str!("../templates/post.html")),
    (
        "revisions.html",
        include_str!("../templates/revisions.html"),
    ),
    ("source.html", include_str!("../templates/source.html")),
    ("tags.html", include_str!("../templates/tags.html")),
    ("sources.html", include_str!("../templates/sources.html")),
    ("search.html", include_str!("../templates/search.html")),
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
                let stylesheet = crate::theme::Stylesheet::builtin_url();
                let templates = Templates::from_sources(BUILTIN_TEMPLATES, stylesheet)
                    .expect("the built-in templates parse (covered by tests)");
                Arc::new(templates)
            })
            .clone()
    }

    /// The built-in set with `overrides` (path, template name, source) replacing or adding
    /// templates by name; every page links the stylesheet at `stylesheet_url`.
    pub(crate) fn with_overrides(
        overrides: Vec<(PathBuf, String, String)>,
        stylesheet_url: String,
    ) -> Result<Templates, ThemeError> {
        let mut templates =
            Templates::from_sources(BUILTIN_TEMPLATES, stylesheet_url).map_err(|source| {
                ThemeError::Template {
                    path: PathBuf::from("(built-in templates)"),
                    source,
                }
            })?;
        for (path, name, source) in overrides {
            templates
                .env
                .add_template_owned(name, source)
                .map_err(|source| ThemeError::Template { path, source })?;
        }
        Ok(templates)
    }

    fn from_sources(
        sources: &[(&'static str, &'static str)],
        stylesheet_url: String,
    ) -> Result<Templates, minijinja::Error> {
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
        // Every page links the stylesheet by a URL that changes with its text.
        env.add_global("stylesheet_url", stylesheet_url);
        for (name, source) in sources {
            env.add_template(name, source)?;
        }
        Ok(Templates { env })
    }

    /// Every template's name and source, sorted by name: what a static build fingerprints
    /// to tell whether the theme changed.
    pub(crate) fn sources(&self) -> Vec<(String, String)> {
        let mut sources: Vec<_> = self
            .env
            .templates()
            .map(|(name, template)| (name.to_owned(), template.source().to_owned()))
            .collect();
        sources.sort_unstable();
        sources
    }

    /// Renders the template called `name` with `ctx`.
    pub(crate) fn render(&self, name: &str, ctx: impl Serialize) -> Result<String, WebError> {
        Ok(self.env.get_template(name)?.render(ctx)?)
    }
}

/// Like minijinja's default formatter, but HTML escaping leaves `/` alone so that URLs in
/// attributes and text stay readable (`&`, `<`, `>`, `"` and `'` are still escaped, which is
/// all HTML text and quoted attributes need).
pub(crate) fn html_formatter(
    out: &mut Output,
    state: &State,
    value: &Value,
) -> Result<(), minijinja::Error> {
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

/// A post's attribution line as HTML (without its paragraph): its source's template with
/// every piece escaped and `{link}` a link to the original, with `rel` when given.
/// `author` stands for `{author}` (feeds fall back further than pages do).
pub(crate) fn attribution_html(post: &Post, author: &str, link: &str, rel: Option<&str>) -> String {
    let template = AttributionTemplate::of(post);
    let values = AttributionValues {
        author,
        ..AttributionValues::of(post, link)
    };
    let mut html = String::with_capacity(128);
    for piece in template.fill(&values) {
        // Writing into a String cannot fail.
        let _ = write_attribution_piece(&mut html, piece, rel);
    }
    html
}

fn write_attribution_piece(html: &mut String, piece: Filled<'_>, rel: Option<&str>) -> fmt::Result {
    match piece {
        Filled::Text(text) | Filled::Value(text) => escape_html(html, text),
        Filled::Link(link) => {
            html.push_str("<a href=\"");
            escape_html(html, link)?;
            if let Some(rel) = rel {
                html.push_str("\" rel=\"");
                escape_html(html, rel)?;
            }
            html.push_str("\">");
            escape_html(html, link)?;
            html.push_str("</a>");
            Ok(())
        }
    }
}

pub(crate) fn escape_html(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
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

/// A listing page (home or tag archive) to render with `list.html`.
#[derive(Debug)]
pub(crate) struct ListingPage<'a> {
    pub page_title: String,
    pub heading: String,
    /// Shown under the heading (a tag's description from the vocabulary).
    pub description: Option<&'a str>,
    /// Root-relative path of the listing's first page, ending in `/`.
    pub base_path: &'a str,
    pub posts: &'a [Post],
    pub page: u32,
    pub pages: u32,
    /// The listing's output feeds, advertised in the page's head (`feeds::alternates`).
    pub feeds: &'a [FeedLink],
}

pub(crate) fn listing(state: &AppState, page: &ListingPage<'_>) -> Result<String, WebError> {
    state
        .templates()
        .render("list.html", listing_context(state, page))
}

/// What `list.html` and the templates extending it are given.
fn listing_context(state: &AppState, page: &ListingPage<'_>) -> Value {
    let site = &state.site;
    let posts: Vec<_> = page
        .posts
        .iter()
        .map(|post| PostView::new(post, site, Links::RootRelative))
        .collect();
    // The site nav marks the link to the page itself (`aria-current="page"`).
    let section = if page.base_path == "/" && page.page == 1 {
        "home"
    } else {
        ""
    };
    context! {
        site => SiteView::new(site),
        section => section,
        page_title => &page.page_title,
        canonical => site.url(&page_path(page.base_path, page.page)),
        heading => &page.heading,
        description => page.description,
        posts => posts,
        pagination => Pagination::new(page.base_path, page.page, page.pages),
        feeds => page.feeds,
    }
}

/// One source's listing with `source.html`: the listing under the source's name and links.
pub(crate) fn source_listing(
    state: &AppState,
    page: &ListingPage<'_>,
    source: &SourceSummary,
) -> Result<String, WebError> {
    let source = context! {
        name => &source.name,
        site_url => source.site_url.as_deref().filter(|url| is_web_url(url)),
        feed_url => Some(source.url.as_str()).filter(|url| is_web_url(url)),
    };
    state.templates().render(
        "source.html",
        context! { source => source, ..listing_context(state, page) },
    )
}

/// A post next to another in the newest-first order, as `post.html` links it.
#[derive(Debug, Serialize)]
struct Neighbour<'a> {
    title: &'a str,
    url: String,
}

impl<'a> Neighbour<'a> {
    fn new(post: &'a PostRef) -> Self {
        Neighbour {
            title: if post.title.is_empty() {
                "Untitled"
            } else {
                &post.title
            },
            url: post_path_for(post.id.0, &post.title),
        }
    }
}

/// A tag of a post with why the post carries it, as `post.html` shows it (`why`).
#[derive(Debug, Serialize)]
struct TagWhy<'a> {
    name: &'a str,
    url: String,
    reasons: Vec<Reason<'a>>,
    /// Every reason on one line, for the link's `title` (hover).
    summary: String,
}

/// One reason: the origin (`term`, `category`, `source`, `manual`) and what decided it.
#[derive(Debug, Serialize)]
struct Reason<'a> {
    origin: &'static str,
    detail: &'a str,
}

impl Reason<'_> {
    fn line(&self) -> String {
        if self.detail.is_empty() {
            self.origin.to_owned()
        } else {
            format!("{} \u{2014} {}", self.origin, self.detail)
        }
    }
}

/// Groups `reasons` (sorted by tag, as the store gives them) by tag.
fn tags_with_reasons(reasons: &[TagReason]) -> Vec<TagWhy<'_>> {
    let mut tags: Vec<TagWhy<'_>> = Vec::new();
    for reason in reasons {
        let entry = Reason {
            origin: reason.origin.as_str(),
            detail: reason.detail.trim(),
        };
        match tags.last_mut() {
            Some(last) if last.name == reason.tag.name => last.reasons.push(entry),
            _ => tags.push(TagWhy {
                name: &reason.tag.name,
                url: tag_path(&reason.tag.slug),
                reasons: vec![entry],
                summary: String::new(),
            }),
        }
    }
    for tag in &mut tags {
        let lines: Vec<String> = tag.reasons.iter().map(Reason::line).collect();
        tag.summary = lines.join("; ");
    }
    tags
}

/// One post with `post.html`; `reasons` say why it carries each tag; `newer` and `older` are
/// its neighbours in the home listing.
/// `versions` counts the versions kept, the current one included: more than one links the
/// revisions page.
pub(crate) fn post_page(
    state: &AppState,
    post: &Post,
    reasons: &[TagReason],
    versions: u32,
    newer: Option<&PostRef>,
    older: Option<&PostRef>,
) -> Result<String, WebError> {
    let site = &state.site;
    let view = PostView::new(post, site, Links::RootRelative);
    let revised = (versions > 1).then(|| {
        context! {
            url => revisions_path(&post_path(post)),
            versions => versions,
            updated => post.updated.map(When::from),
        }
    });
    state.templates().render(
        "post.html",
        context! {
            site => SiteView::new(site),
            page_title => format!("{} – {}", view.title, site.title),
            canonical => &view.link,
            post => view,
            why => tags_with_reasons(reasons),
            revised => revised,
            newer => newer.map(Neighbour::new),
            older => older.map(Neighbour::new),
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
        assert!(Templates::from_sources(BUILTIN_TEMPLATES, "/static/style.css".into()).is_ok());
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
}
