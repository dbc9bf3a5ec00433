//! The view models templates read: the site, posts, times, links and pagination, and the
//! root-relative paths of every page.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use syndic_core::Post;

use super::enclosures::EnclosureView;
use crate::Site;

/// What every page template knows of the site.
#[derive(Debug, Serialize)]
pub(crate) struct SiteView<'a> {
    title: &'a str,
    url: String,
}

impl<'a> SiteView<'a> {
    pub(crate) fn new(site: &'a Site) -> Self {
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
    pub(super) title: &'a str,
    attribution: &'a str,
    /// The whole attribution line (the source's template, escaped), for `{{ … }}` as is.
    attribution_html: minijinja::Value,
    /// The original, when it is an http(s) URL; else our own page of the post.
    pub(super) link: String,
    source_name: &'a str,
    published: When,
    updated: Option<When>,
    content_html: &'a str,
    tags: Vec<TagLink<'a>>,
    /// The files the post carries, as its page shows them.
    enclosures: Vec<EnclosureView<'a>>,
    /// The other sources that carry the post ("Also syndicated from"), each with its
    /// copy's own item link.
    also_syndicated: Vec<CopyLink<'a>>,
}

/// Another source's copy of a post: the source's name and the copy's item link (only an
/// http(s) URL; otherwise the name alone).
#[derive(Debug, Serialize)]
struct CopyLink<'a> {
    name: &'a str,
    link: Option<&'a str>,
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
            attribution_html: minijinja::Value::from_safe_string(super::attribution_html(
                post,
                &post.attribution,
                &link,
                Some("nofollow noopener noreferrer"),
            )),
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
            enclosures: post
                .enclosures
                .iter()
                .filter_map(|enclosure| EnclosureView::new(enclosure, site.local_media))
                .collect(),
            also_syndicated: post
                .also_syndicated
                .iter()
                .map(|copy| CopyLink {
                    name: &copy.source_name,
                    link: copy.link.as_deref().filter(|link| is_web_url(link)),
                })
                .collect(),
        }
    }
}

/// Root-relative path of a post's page: `/post/<id>/<slug of its title>`.
pub(crate) fn post_path(post: &Post) -> String {
    post_path_for(post.id.0, &post.title)
}

/// Root-relative path of the page of post `id` titled `title`: `/post/<id>/<slug>/`. The
/// slug is percent-encoded, since slugs keep the letters of every script; the trailing
/// slash makes it a folder like every other page, so a static export can write it as
/// `post/<id>/<slug>/index.html`.
pub(crate) fn post_path_for(id: i64, title: &str) -> String {
    let slug = syndic_core::slugify(title);
    let mut path = format!("/post/{id}/");
    for byte in slug.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path.push('/');
    path
}

/// Root-relative path of a tag's archive.
pub(crate) fn tag_path(slug: &str) -> String {
    format!("/tag/{slug}/")
}

/// Root-relative path of a source's page.
pub(crate) fn source_path(slug: &str) -> String {
    format!("/source/{slug}/")
}

pub(crate) fn is_web_url(link: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_page_links_to_the_listing_itself() {
        assert_eq!(page_path("/tag/map/", 1), "/tag/map/");
        assert_eq!(page_path("/tag/map/", 3), "/tag/map/page/3/");
        let nav = Pagination::new("/", 2, 3);
        assert_eq!(nav.prev.as_deref(), Some("/"));
        assert_eq!(nav.next.as_deref(), Some("/page/3/"));
    }

    #[test]
    fn post_paths_carry_a_percent_encoded_title_slug() {
        assert_eq!(post_path_for(7, "Hello, World!"), "/post/7/hello-world/");
        assert_eq!(post_path_for(8, ""), "/post/8/untitled/");
        assert_eq!(post_path_for(9, "Straße"), "/post/9/stra%C3%9Fe/");
    }
}
