//! A tag's archive as a file: the seeds' text form, or a standalone HTML page.
//!
//! Callers choose the posts (normally every post of the tag, newest first, as
//! `Store::posts` lists them); these functions only lay them out.

use std::fmt::Write as _;

use syndic_core::{AttributionTemplate, AttributionValues, Post};

use crate::{Site, WebError};

/// The seeds' text form: `"Tag Archives: NAME\n\n"`, then per post: title, blank line,
/// the attribution line (`"Post Syndicated from <attribution> original <link>"`, unless
/// the source has its own template), blank line, content_text, blank line.
///
/// Titles, attributions, links and texts are written exactly as stored. A post without a
/// link gets an empty one; [`archive_text_for`] links such posts to their page on the site.
pub fn archive_text(tag_name: &str, posts: &[Post]) -> String {
    write_text(tag_name, posts, None)
}

/// [`archive_text`], except that a post without a link names its page on `site`
/// (`{base_url}post/{id}/{title-slug}`).
pub fn archive_text_for(site: &Site, tag_name: &str, posts: &[Post]) -> String {
    write_text(tag_name, posts, Some(site))
}

fn write_text(tag_name: &str, posts: &[Post], site: Option<&Site>) -> String {
    let size: usize = posts
        .iter()
        .map(|post| post.title.len() + post.content_text.len() + 128)
        .sum();
    let mut text = String::with_capacity(size + tag_name.len() + 16);
    let _ = write!(text, "Tag Archives: {tag_name}\n\n");
    for post in posts {
        let link = match (&post.link, site) {
            (Some(link), _) => link.clone(),
            (None, Some(site)) => site.url(&crate::render::post_path(post)),
            (None, None) => String::new(),
        };
        let line = AttributionTemplate::of(post).text(&AttributionValues::of(post, &link));
        let _ = write!(
            text,
            "{}\n\n{line}\n\n{}\n\n",
            post.title, post.content_text
        );
    }
    text
}

/// A standalone HTML page of the same archive: inline stylesheet, absolute links, every
/// post in full with its attribution line and tags. Everything but the (sanitized)
/// content HTML is escaped.
pub fn archive_html(site: &Site, tag_name: &str, posts: &[Post]) -> Result<String, WebError> {
    crate::render::export_page(site, tag_name, posts)
}
