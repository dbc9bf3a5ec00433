//! What an entry or a feed says, gathered from its elements in any order, then turned
//! into the model with the precedence rules of each field.

use chrono::{DateTime, Utc};

use super::media::Attachments;
use super::ns::{self, Ns};
use super::values::{self, Body, Kind, Reader, Scope, person_name, trimmed};
use crate::model::{Enclosure, Entry};
use crate::xml::Element;

/// Most categories kept per entry.
const MAX_CATEGORIES: usize = 100;

/// One `<link>` (Atom, or `atom:link` inside RSS), resolved.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    /// `alternate` when absent, lower case.
    pub(crate) rel: String,
    pub(crate) href: Option<String>,
    pub(crate) mime: String,
    pub(crate) length: u64,
    /// Plain-text `title` (an enclosure's).
    pub(crate) title: Option<String>,
}

/// Reads an Atom-style link element.
pub(crate) fn link(reader: &mut Reader<'_>, el: &Element, scope: &Scope) -> Link {
    let rel = el
        .attr("rel")
        .map(|r| r.trim().to_ascii_lowercase())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "alternate".to_owned());
    let rel = rel
        .strip_prefix("http://www.iana.org/assignments/relation/")
        .map(str::to_owned)
        .unwrap_or(rel);
    let raw = el
        .attr("href")
        .or_else(|| el.attr("url"))
        .map(str::to_owned)
        .or_else(|| {
            // Some feeds write the URL as the link's text.
            trimmed(el)
        });
    let href = raw.as_deref().and_then(|h| reader.link(h, scope));
    Link {
        rel,
        href,
        mime: el
            .attr("type")
            .map(|t| t.trim().to_owned())
            .unwrap_or_default(),
        length: el.attr("length").and_then(parse_length).unwrap_or(0),
        title: el
            .attr("title")
            .map(crate::text::collapse_whitespace)
            .filter(|t| !t.is_empty()),
    }
}

pub(crate) fn parse_length(s: &str) -> Option<u64> {
    s.trim().parse::<u64>().ok()
}

/// The page among `links`: the first `alternate` of an HTML type (or no type), else the
/// first `alternate`.
pub(crate) fn alternate(links: &[Link]) -> Option<String> {
    let alternates = || {
        links
            .iter()
            .filter(|l| l.rel == "alternate" && l.href.is_some())
    };
    alternates()
        .find(|l| l.mime.is_empty() || l.mime.contains("html"))
        .or_else(|| alternates().next())
        .and_then(|l| l.href.clone())
}

/// An entry being read.
#[derive(Default)]
pub(crate) struct EntryDraft<'a> {
    pub(crate) scope: Scope,
    pub(crate) id: Option<String>,
    pub(crate) title: Option<Body<'a>>,
    pub(crate) title_alt: Option<Body<'a>>,
    /// RSS `<link>`.
    pub(crate) link: Option<String>,
    pub(crate) links: Vec<Link>,
    /// A permalink guid, used as link when there is no other.
    pub(crate) guid_link: Option<String>,
    /// Atom `content src=`.
    pub(crate) content_src: Option<String>,
    pub(crate) summary: Option<Body<'a>>,
    pub(crate) summary_alt: Vec<Body<'a>>,
    pub(crate) content: Option<Body<'a>>,
    pub(crate) authors: Vec<String>,
    pub(crate) published: Option<DateTime<Utc>>,
    pub(crate) created: Option<DateTime<Utc>>,
    pub(crate) updated: Option<DateTime<Utc>>,
    pub(crate) categories: Vec<String>,
    pub(crate) attachments: Attachments,
    pub(crate) comments: Option<String>,
    pub(crate) comments_feed: Option<String>,
    pub(crate) language: Option<String>,
    /// RSS or Atom `<source>`.
    pub(crate) origin: Option<syndic_core::EntryOrigin>,
    /// FeedBurner's `origLink`: the article behind the proxy's link.
    pub(crate) orig_link: Option<String>,
}

fn first<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

impl<'a> EntryDraft<'a> {
    pub(crate) fn add_author(&mut self, name: Option<String>) {
        if let Some(name) = name
            && !self.authors.contains(&name)
        {
            self.authors.push(name);
        }
    }

    pub(crate) fn add_category(&mut self, term: Option<String>) {
        if let Some(term) = term
            && !self.categories.contains(&term)
            && self.categories.len() < MAX_CATEGORIES
        {
            self.categories.push(term);
        }
    }

    pub(crate) fn add_enclosure(&mut self, url: Option<String>, mime: String, length: u64) {
        if let Some(url) = url {
            self.attachments.enclose(Enclosure {
                url,
                mime_type: mime,
                length,
                title: None,
                thumbnail: None,
                duration: None,
            });
        }
    }

    /// Reads a namespaced extension element (Dublin Core, content, media, iTunes, slash,
    /// wfw, `atom:*` inside RSS) of an entry. `false` when `el` is none of those.
    pub(crate) fn extension(
        &mut self,
        reader: &mut Reader<'_>,
        el: &'a Element,
        scope: &Scope,
    ) -> bool {
        let local = el.local.to_ascii_lowercase();
        match (ns::of(el), local.as_str()) {
            (Ns::Content, "encoded") => first(
                &mut self.content,
                Some(Body::new(el, Kind::Html, scope.clone())),
            ),
            (Ns::Dc, "title") => first(
                &mut self.title_alt,
                Some(Body::new(el, Kind::Text, scope.clone())),
            ),
            (Ns::Dc, "description") => {
                self.summary_alt
                    .push(Body::new(el, Kind::Html, scope.clone()))
            }
            (Ns::Dc, "creator" | "author") => self.add_author(person_name(&el.text())),
            (Ns::Dc, "subject") => self.add_category(values::plain(el)),
            (Ns::Dc, "language") => first(&mut self.language, trimmed(el)),
            (Ns::Dc, "identifier") => {}
            (Ns::Dc, "date") | (Ns::Dcterms, "modified") => {
                first(&mut self.updated, values::date(el))
            }
            (Ns::Dcterms, "issued") => first(&mut self.published, values::date(el)),
            (Ns::Dcterms, "created") => first(&mut self.created, values::date(el)),
            (Ns::Itunes, "author") => self.add_author(person_name(&el.text())),
            (Ns::Itunes, "summary") => {
                self.summary_alt
                    .push(Body::new(el, Kind::Text, scope.clone()))
            }
            (Ns::Itunes, "subtitle") => {
                self.summary_alt
                    .push(Body::new(el, Kind::Text, scope.clone()))
            }
            (Ns::Itunes, "category") => self.itunes_category(el),
            (Ns::Media, "title") => first(
                &mut self.title_alt,
                Some(Body::new(el, Kind::Text, scope.clone())),
            ),
            (Ns::Media, "description") => {
                let kind = match el.attr("type") {
                    Some(t) if t.contains("html") => Kind::Html,
                    _ => Kind::Text,
                };
                self.summary_alt.push(Body::new(el, kind, scope.clone()));
            }
            (Ns::Media, "content") => {
                self.attachments.media_content(reader, el, scope);
                self.media_children(reader, el, scope);
            }
            (Ns::Media, "group") => {
                self.attachments.media_group(reader, el, scope);
                self.media_children(reader, el, scope);
            }
            (Ns::Media, "thumbnail") => self.attachments.item_thumbnail(reader, el, scope),
            (Ns::Itunes, "image") => self.attachments.itunes_image(reader, el, scope),
            (Ns::Itunes, "duration") => self.attachments.itunes_duration(el),
            (Ns::Media, "category") => self.add_category(values::plain(el)),
            (Ns::Media, _) | (Ns::Itunes, _) | (Ns::Slash, _) | (Ns::Sy, _) => {}
            (Ns::Feedburner, "origlink") => {
                let href = trimmed(el).and_then(|h| reader.link_quiet(&h, scope));
                first(&mut self.orig_link, href);
            }
            (Ns::Feedburner, _) => {}
            (Ns::Wfw, "commentrss" | "comment") => {
                let href = trimmed(el).and_then(|h| reader.link_quiet(&h, scope));
                first(&mut self.comments_feed, href);
            }
            (Ns::Atom10, "link") => {
                let l = link(reader, el, scope);
                self.atom_link(l);
            }
            (Ns::Atom10, "updated") => first(&mut self.updated, values::date(el)),
            (Ns::Atom10, "published") => first(&mut self.published, values::date(el)),
            (Ns::Atom10, "author") => self.add_author(atom_person(el)),
            (Ns::Atom10, "summary") => {
                self.summary_alt
                    .push(Body::new(el, atom_kind(el, false), scope.clone()))
            }
            (Ns::Atom10, "content") => first(
                &mut self.content,
                Some(Body::new(el, atom_kind(el, false), scope.clone())),
            ),
            (Ns::Atom10, "id") => first(&mut self.id, trimmed(el)),
            (Ns::Xhtml, "body") => first(
                &mut self.content,
                Some(Body::new(el, Kind::Xhtml, scope.clone())),
            ),
            _ => return false,
        }
        true
    }

    /// The children of a `media:content` or `media:group` that speak of the entry (its
    /// title, description, categories); the files and thumbnails were read already.
    fn media_children(&mut self, reader: &mut Reader<'_>, el: &'a Element, scope: &Scope) {
        for child in el.elements() {
            let inner = scope.enter(child);
            if ns::is(child, Ns::Media, "content") {
                self.media_children(reader, child, &inner);
            } else if !ns::is(child, Ns::Media, "thumbnail") {
                self.extension(reader, child, &inner);
            }
        }
    }

    fn itunes_category(&mut self, el: &Element) {
        self.add_category(
            el.attr("text")
                .map(crate::text::collapse_whitespace)
                .filter(|t| !t.is_empty()),
        );
        for child in el.elements() {
            if ns::is(child, Ns::Itunes, "category") {
                self.itunes_category(child);
            }
        }
    }

    /// An Atom link of the entry: page, enclosure, comments.
    pub(crate) fn atom_link(&mut self, l: Link) {
        match l.rel.as_str() {
            "enclosure" => {
                if let Some(url) = l.href.clone() {
                    self.attachments.enclose(Enclosure {
                        url,
                        mime_type: l.mime.clone(),
                        length: l.length,
                        title: l.title.clone(),
                        thumbnail: None,
                        duration: None,
                    });
                }
            }
            "replies" if l.mime.is_empty() || l.mime.contains("html") => {
                first(&mut self.comments, l.href.clone());
            }
            _ => {}
        }
        self.links.push(l);
    }

    /// The entry in the model, given the feed's authors (inherited when the entry names
    /// none and `inherit_authors`) and language.
    pub(crate) fn finish(
        mut self,
        reader: &mut Reader<'_>,
        feed_authors: &[String],
        inherit_authors: bool,
        feed_language: Option<&str>,
    ) -> Entry {
        let title = self
            .title
            .as_ref()
            .and_then(Body::plain)
            .or_else(|| self.title_alt.as_ref().and_then(Body::plain));
        let link = self
            .link
            .take()
            .or_else(|| alternate(&self.links))
            .or_else(|| self.guid_link.take())
            .or_else(|| self.content_src.clone());
        let summary_body = self.summary.take().or_else(|| {
            if self.summary_alt.is_empty() {
                None
            } else {
                Some(self.summary_alt.remove(0))
            }
        });
        let content_html = self.content.as_ref().and_then(|body| {
            let base = reader.content_base(&body.scope, link.as_deref());
            reader.html(body, base.as_ref())
        });
        let mut summary = summary_body.as_ref().and_then(|body| {
            let base = reader.content_base(&body.scope, link.as_deref());
            reader.html(body, base.as_ref())
        });
        if summary.is_none() {
            // Like feedparser: an entry with content but no summary shows the content.
            summary.clone_from(&content_html);
        }
        let mut authors = self.authors;
        if authors.is_empty() && inherit_authors {
            authors = feed_authors.to_vec();
        }
        let language = self
            .language
            .or(self.scope.lang)
            .filter(|l| Some(l.as_str()) != feed_language);
        Entry {
            id: self.id.unwrap_or_default(),
            id_is_native: false,
            title,
            link,
            authors,
            published: self.published.or(self.created),
            updated: self.updated,
            summary,
            content: content_html,
            categories: self.categories,
            enclosures: self.attachments.finish(),
            comments: self.comments.or(self.comments_feed),
            language,
            origin: self.origin,
            original_links: original_links(self.orig_link, &self.links),
        }
    }
}

/// How an Atom text construct is meant, from `type` (and Atom 0.3 `mode`). `None` for a
/// binary media type.
pub(crate) fn atom_kind_opt(el: &Element, atom03: bool) -> Option<Kind> {
    let mime = el
        .attr("type")
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let mode = el.attr("mode").map(|m| m.trim().to_ascii_lowercase());
    if mode.as_deref() == Some("xml") {
        return Some(Kind::Xhtml);
    }
    let kind = match mime.as_str() {
        "" => {
            if atom03 && el.has_element_children() {
                Kind::Xhtml
            } else {
                Kind::Text
            }
        }
        "text" | "text/plain" => Kind::Text,
        "html" | "text/html" => Kind::Html,
        "xhtml" | "application/xhtml+xml" => Kind::Xhtml,
        m if m.starts_with("text/") => Kind::Text,
        m if m.ends_with("+xml") || m.ends_with("/xml") => Kind::Xhtml,
        _ => return None,
    };
    Some(kind)
}

pub(crate) fn atom_kind(el: &Element, atom03: bool) -> Kind {
    atom_kind_opt(el, atom03).unwrap_or(Kind::Text)
}

/// An Atom person construct: its name, else its email, else its URI.
pub(crate) fn atom_person(el: &Element) -> Option<String> {
    let mut name = None;
    let mut email = None;
    let mut uri = None;
    for child in el.elements() {
        match child.local.to_ascii_lowercase().as_str() {
            "name" => first(&mut name, values::plain(child)),
            "email" => first(&mut email, values::plain(child)),
            "uri" | "url" => first(&mut uri, values::plain(child)),
            _ => {}
        }
    }
    if !el.has_element_children() {
        // Sloppy feeds write the name as the element's text.
        return person_name(&el.text());
    }
    name.or(email).or(uri)
}

/// Where an entry says the article really lives: FeedBurner's `origLink`, then its Atom
/// `via` links, each once.
fn original_links(orig_link: Option<String>, links: &[Link]) -> Vec<String> {
    let mut found: Vec<String> = orig_link.into_iter().collect();
    for href in links
        .iter()
        .filter(|l| l.rel == "via")
        .filter_map(|l| l.href.clone())
    {
        if !found.contains(&href) && found.len() < MAX_ORIGINAL_LINKS {
            found.push(href);
        }
    }
    found
}

/// Original links kept per entry.
const MAX_ORIGINAL_LINKS: usize = 4;
