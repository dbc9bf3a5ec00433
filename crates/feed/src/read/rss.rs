//! RSS 0.90–0.94, 1.0 (RDF) and 2.0, with the namespaces real feeds use.

use chrono::{DateTime, Utc};

use super::draft::{self, EntryDraft};
use super::ns::{self, Ns};
use super::values::{self, Body, Kind, Reader, Scope, person_name, trimmed};
use crate::model::{Document, Format};
use crate::xml::Element;

/// Whether `el` belongs to the RSS core vocabulary (no namespace, or an RSS namespace).
fn core(el: &Element) -> bool {
    matches!(ns::of(el), Ns::None | Ns::Rss10 | Ns::Rss090 | Ns::RssCore)
}

fn named(el: &Element, local: &str) -> bool {
    el.local.eq_ignore_ascii_case(local)
}

/// Whether plain-text-by-convention RSS text looks like HTML (a closing tag or an
/// entity), as feedparser guesses.
pub(crate) fn looks_like_html(text: &str) -> bool {
    let closing_tag = text.match_indices("</").any(|(i, _)| {
        text[i + 2..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && text[i + 2..].contains('>')
    });
    let entity = text.match_indices('&').any(|(i, _)| {
        let rest = &text[i + 1..];
        let rest = rest.strip_prefix('#').unwrap_or(rest);
        let word = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        word > 0 && rest[word..].starts_with(';')
    });
    closing_tag || entity
}

/// A title-like RSS element: HTML when it looks like HTML, else text.
fn title_body<'a>(el: &'a Element, scope: &Scope) -> Body<'a> {
    let kind = if el.has_element_children() || looks_like_html(&el.text()) {
        Kind::Html
    } else {
        Kind::Text
    };
    Body::new(el, kind, scope.clone())
}

/// Reads an RSS document whose root is `root`.
pub(crate) fn read(reader: &mut Reader<'_>, root: &Element, format: Format) -> Document {
    let root_scope = Scope::root(reader.options).enter(root);
    let channel = if named(root, "channel") {
        root
    } else {
        root.elements()
            .find(|e| named(e, "channel"))
            .unwrap_or(root)
    };
    let channel_scope = if std::ptr::eq(channel, root) {
        root_scope.clone()
    } else {
        root_scope.enter(channel)
    };

    // The feed's own address and page are the base of last resort.
    let mut self_link = None;
    let mut site_link = None;
    for el in channel.elements() {
        if ns::is(el, Ns::Atom10, "link")
            && el
                .attr("rel")
                .is_some_and(|r| r.trim().eq_ignore_ascii_case("self"))
        {
            let href = el.attr("href").unwrap_or_default();
            if self_link.is_none() {
                self_link = reader.link_quiet(href, &channel_scope);
            }
        } else if core(el) && named(el, "link") && site_link.is_none() {
            site_link = trimmed(el).and_then(|h| reader.link_quiet(&h, &channel_scope));
        }
    }
    if reader.options.base_url.is_none() {
        reader.fallback_base = self_link
            .as_deref()
            .or(site_link.as_deref())
            .and_then(|l| url::Url::parse(l).ok());
    }

    let mut doc = super::empty_document(format);
    let mut title_alt = None;
    let mut description_alt: Vec<Body<'_>> = Vec::new();
    let mut published: Option<DateTime<Utc>> = None;
    let mut image_alt = None;
    let mut atom_alternate = None;
    let mut items: Vec<(&Element, Scope)> = Vec::new();
    // Items found below another element than the channel (or the RDF root).
    let mut nested = 0usize;
    let mut description = None;
    let mut title = None;

    for el in channel.elements() {
        let scope = channel_scope.enter(el);
        let local = el.local.to_ascii_lowercase();
        if core(el) && local == "item" {
            items.push((el, scope.clone()));
            nested_items(el, &scope, &mut items, &mut nested);
            continue;
        }
        if !matches!(local.as_str(), "title" | "description" | "link") {
            // Items that an unclosed tag swallowed.
            nested_items(el, &scope, &mut items, &mut nested);
        }
        if core(el) {
            match local.as_str() {
                "title" if title.is_none() => {
                    title = title_body(el, &scope).plain();
                }
                "link" if doc.link.is_none() => {
                    doc.link = trimmed(el)
                        .or_else(|| el.attr("href").map(str::to_owned))
                        .and_then(|h| reader.link(&h, &scope));
                }
                "description" if description.is_none() => {
                    description = Body::new(el, Kind::Html, scope.clone()).plain();
                }
                "language" => first(&mut doc.language, trimmed(el)),
                "managingeditor" => add(&mut doc.authors, person_name(&el.text())),
                "author" => add(&mut doc.authors, person_name(&el.text())),
                "pubdate" => first(&mut published, values::date(el)),
                "lastbuilddate" => first(&mut doc.updated, values::date(el)),
                "ttl" => first(&mut doc.ttl, el.text().trim().parse().ok()),
                "generator" => first(&mut doc.generator, values::plain(el)),
                "image" if doc.image.is_none() => {
                    doc.image = image_url(reader, el, &scope);
                }
                _ => {}
            }
            continue;
        }
        match (ns::of(el), local.as_str()) {
            (Ns::Dc, "title") => first(&mut title_alt, values::plain(el)),
            (Ns::Dc, "description") => {
                description_alt.push(Body::new(el, Kind::Html, scope.clone()))
            }
            (Ns::Dc, "language") => first(&mut doc.language, trimmed(el)),
            (Ns::Dc, "creator" | "publisher") if doc.authors.is_empty() || local == "creator" => {
                add(&mut doc.authors, person_name(&el.text()));
            }
            (Ns::Dc, "date") | (Ns::Dcterms, "modified") => {
                first(&mut doc.updated, values::date(el))
            }
            (Ns::Dcterms, "issued" | "created") => first(&mut published, values::date(el)),
            (Ns::Itunes, "author") => add(&mut doc.authors, person_name(&el.text())),
            (Ns::Itunes, "subtitle" | "summary") => {
                description_alt.push(Body::new(el, Kind::Text, scope.clone()));
            }
            (Ns::Itunes, "image") => {
                let href = el.attr("href").map(str::to_owned).or_else(|| trimmed(el));
                first(
                    &mut image_alt,
                    href.and_then(|h| reader.link_quiet(&h, &scope)),
                );
            }
            (Ns::Media, "thumbnail") => {
                let href = el.attr("url").and_then(|h| reader.link_quiet(h, &scope));
                first(&mut image_alt, href);
            }
            (Ns::Sy, "updateperiod") => first(&mut doc.update_period, trimmed(el)),
            (Ns::Sy, "updatefrequency") => first(&mut doc.update_frequency, trimmed(el)),
            (Ns::Atom10, "link") => {
                let link = draft::link(reader, el, &scope);
                match link.rel.as_str() {
                    "self" => first(&mut doc.self_link, link.href),
                    "hub" => {
                        if let Some(href) = link.href
                            && !doc.hubs.contains(&href)
                        {
                            doc.hubs.push(href);
                        }
                    }
                    "alternate" => first(&mut atom_alternate, link.href),
                    _ => {}
                }
            }
            (Ns::Atom10, "title") => first(&mut title_alt, values::plain(el)),
            (Ns::Atom10, "subtitle") => {
                description_alt.push(Body::new(el, draft::atom_kind(el, false), scope.clone()))
            }
            _ => {}
        }
    }
    if !std::ptr::eq(channel, root) {
        // RSS 1.0 and 0.90 put items and the image beside the channel.
        for el in root.elements() {
            if !core(el) {
                continue;
            }
            let scope = root_scope.enter(el);
            if named(el, "item") {
                items.push((el, scope.clone()));
            } else if named(el, "image") && doc.image.is_none() {
                doc.image = image_url(reader, el, &scope);
            }
            if !std::ptr::eq(el, channel) {
                nested_items(el, &scope, &mut items, &mut nested);
            }
        }
    }
    if nested > 0 {
        reader.warnings.push(format!(
            "{} inside another element (an unclosed tag, or an item within an item); \
             {} read as {}",
            crate::xml::count(nested, "item was nested", "items were nested"),
            if nested == 1 { "it was" } else { "they were" },
            if nested == 1 { "an entry" } else { "entries" },
        ));
    }

    doc.title = title.or(title_alt);
    doc.link = doc.link.take().or(atom_alternate);
    doc.description = description.or_else(|| description_alt.iter().find_map(Body::plain));
    doc.image = doc.image.take().or(image_alt);
    doc.updated = doc.updated.or(published);
    doc.language = doc.language.take().or_else(|| channel_scope.lang.clone());

    let feed_language = doc.language.clone();
    doc.entries = items
        .into_iter()
        .map(|(item, scope)| {
            read_item(reader, item, scope).finish(
                reader,
                &doc.authors,
                false,
                feed_language.as_deref(),
            )
        })
        .collect();
    doc
}

/// Items below `el` (at any depth), in document order: an unclosed tag before them
/// (`<itunes:category text="x">` never closed) or an `<item>` written inside another
/// puts them there, and feedparser, which does not look at nesting, reads them as
/// entries; so do we. Text-like elements are not looked into. Depth is bounded by the
/// XML reader's [`crate::xml`] depth limit.
fn nested_items<'a>(
    el: &'a Element,
    scope: &Scope,
    items: &mut Vec<(&'a Element, Scope)>,
    nested: &mut usize,
) {
    for child in el.elements() {
        let local = child.local.to_ascii_lowercase();
        if matches!(
            local.as_str(),
            "title" | "description" | "summary" | "encoded" | "content" | "link"
        ) {
            continue;
        }
        let is_item = core(child) && local == "item";
        if !is_item && !child.has_element_children() {
            continue;
        }
        let inner = scope.enter(child);
        if is_item {
            items.push((child, inner.clone()));
            *nested += 1;
        }
        nested_items(child, &inner, items, nested);
    }
}

fn read_item<'a>(reader: &mut Reader<'_>, item: &'a Element, scope: Scope) -> EntryDraft<'a> {
    let mut draft = EntryDraft {
        scope,
        ..EntryDraft::default()
    };
    let item_scope = draft.scope.clone();
    let about = item
        .attrs
        .iter()
        .find(|a| a.local == "about" && a.ns.as_deref().is_some_and(|n| ns::of_uri(n) == Ns::Rdf))
        .map(|a| a.value.trim().to_owned())
        .filter(|a| !a.is_empty());
    for el in item.elements() {
        let scope = item_scope.enter(el);
        if !core(el) {
            draft.extension(reader, el, &scope);
            continue;
        }
        match el.local.to_ascii_lowercase().as_str() {
            "title" if draft.title.is_none() => {
                draft.title = Some(title_body(el, &scope));
            }
            "link" if draft.link.is_none() => {
                draft.link = trimmed(el)
                    .map(|h| double_escaped_amp(&h))
                    .or_else(|| el.attr("href").map(str::to_owned))
                    .and_then(|h| reader.link(&h, &scope));
            }
            "guid" if draft.id.is_none() => {
                draft.id = trimmed(el);
                let permalink = el
                    .attr("isPermaLink")
                    .is_none_or(|p| p.trim().eq_ignore_ascii_case("true"));
                // Only a guid that is a URL by itself stands for the page.
                if permalink && let Some(id) = &draft.id {
                    draft.guid_link = values::absolute_http_url(id, None);
                }
            }
            // Like feedparser: a second summary-like element is the content.
            "description" | "summary" => {
                let body = Body::new(el, Kind::Html, scope);
                if draft.summary.is_none() {
                    draft.summary = Some(body);
                } else if draft.content.is_none() {
                    draft.content = Some(body);
                }
            }
            "fullitem" if draft.content.is_none() => {
                draft.content = Some(Body::new(el, Kind::Html, scope));
            }
            "author" => draft.add_author(person_name(&el.text())),
            "pubdate" if draft.published.is_none() => {
                draft.published = values::date(el);
            }
            // `<modified>` is not RSS, but feeds put it in items (feedparser reads it).
            "lastbuilddate" | "modified" if draft.updated.is_none() => {
                draft.updated = values::date(el);
            }
            "category" => draft.add_category(values::plain(el)),
            "enclosure" => {
                let url = el.attr("url").and_then(|u| reader.link(u, &scope));
                let mime = el
                    .attr("type")
                    .map(|t| t.trim().to_owned())
                    .unwrap_or_default();
                let length = el.attr("length").and_then(draft::parse_length).unwrap_or(0);
                draft.add_enclosure(url, mime, length);
            }
            "comments" if draft.comments.is_none() => {
                draft.comments = trimmed(el).and_then(|h| reader.link_quiet(&h, &scope));
            }
            "source" if draft.origin.is_none() => {
                let url = el.attr("url").and_then(|u| reader.link_quiet(u, &scope));
                draft.origin = values::origin(values::plain(el), url.clone(), url);
            }
            _ => {}
        }
    }
    if draft.id.is_none() {
        draft.id = about;
    }
    draft
}

/// A link whose `&` was escaped twice (`?a=1&amp;amp;b=2` in the XML, so `&amp;` in the
/// text): no URL means a parameter named `amp;b`, so `&amp;` is read as `&`, as
/// feedparser does.
fn double_escaped_amp(href: &str) -> String {
    href.replace("&amp;", "&")
}

/// The URL of an RSS `<image>`: its `<url>` child, else `rdf:resource`/`href`.
fn image_url(reader: &mut Reader<'_>, el: &Element, scope: &Scope) -> Option<String> {
    let url = el
        .elements()
        .find(|c| named(c, "url"))
        .and_then(trimmed)
        .or_else(|| el.attr("href").map(str::to_owned))
        .or_else(|| {
            el.attrs
                .iter()
                .find(|a| a.local == "resource" || a.local == "about")
                .map(|a| a.value.clone())
        })?;
    reader.link_quiet(&url, scope)
}

fn first<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn add(list: &mut Vec<String>, value: Option<String>) {
    if let Some(value) = value
        && !list.contains(&value)
    {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_html;
    use crate::read::tests::{read, titles};

    #[test]
    fn items_inside_an_unclosed_channel_element_are_entries() {
        let doc = read(
            r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
            <channel><title>Show</title>
            <itunes:category text='Technology'><itunes:category text='Gadgets'/>
            <item><title>One</title><link>http://x.example/1</link></item>
            <item><title>Two</title><link>http://x.example/2</link></item>
            </channel></rss>"#,
        );
        assert_eq!(titles(&doc), [Some("One"), Some("Two")]);
        assert_eq!(doc.entries[1].link.as_deref(), Some("http://x.example/2"));
        assert!(
            doc.warnings
                .iter()
                .any(|w| w.starts_with("2 items were nested")),
            "{:?}",
            doc.warnings
        );
    }

    #[test]
    fn illegally_nested_items_are_read_as_siblings_in_document_order() {
        let doc = read(
            r#"<rss version="2.0"><channel>
            <item><title>Outer</title><item/><guid>o</guid></item>
            <item><title>A</title><item><title>Inner</title></item><link>http://x.example/a</link></item>
            </channel></rss>"#,
        );
        assert_eq!(
            titles(&doc),
            [Some("Outer"), None, Some("A"), Some("Inner")]
        );
        // What follows the nested item still belongs to the outer one.
        assert_eq!(doc.entries[0].id, "o");
        assert_eq!(doc.entries[2].link.as_deref(), Some("http://x.example/a"));
        assert!(
            doc.warnings
                .iter()
                .any(|w| w.starts_with("2 items were nested"))
        );
    }

    #[test]
    fn one_nested_item_is_warned_in_the_singular() {
        let doc = read(
            r#"<rss version="2.0"><channel><item><title>A</title><item><title>B</title></item></item></channel></rss>"#,
        );
        assert_eq!(titles(&doc), [Some("A"), Some("B")]);
        assert!(
            doc.warnings.iter().any(
                |w| w.starts_with("1 item was nested") && w.contains("it was read as an entry")
            ),
            "{:?}",
            doc.warnings
        );
    }

    #[test]
    fn items_inside_an_unclosed_image_are_entries() {
        let doc = read(
            r#"<rss version="2.0"><channel><title>c</title><image><url>http://x.example/i.png</url>
            <item><title>One</title></item></channel></rss>"#,
        );
        assert_eq!(titles(&doc), [Some("One")]);
        assert_eq!(doc.image.as_deref(), Some("http://x.example/i.png"));
    }

    #[test]
    fn items_in_text_elements_are_not_entries() {
        let doc = read(
            r#"<rss version="2.0"><channel><item><description><item>x</item></description></item></channel></rss>"#,
        );
        assert_eq!(doc.entries.len(), 1);
    }

    #[test]
    fn double_escaped_ampersand_in_item_link_is_one_ampersand() {
        let doc = read(
            r#"<rss version="2.0"><channel><item><title>t</title><link>http://x.example/p?a=1&amp;amp;b=2</link></item></channel></rss>"#,
        );
        assert_eq!(
            doc.entries[0].link.as_deref(),
            Some("http://x.example/p?a=1&b=2")
        );
    }

    #[test]
    fn modified_in_an_item_is_its_updated_date() {
        let doc = read(
            r#"<rss version="2.0"><channel><item><title>t</title><modified>2017-10-17T22:17:32+00:00</modified></item></channel></rss>"#,
        );
        let updated = doc.entries[0].updated.expect("updated");
        assert_eq!(updated.to_rfc3339(), "2017-10-17T22:17:32+00:00");
    }

    #[test]
    fn double_encoded_item_title_is_repaired() {
        let doc = read(
            "<rss version=\"2.0\"><channel><item><title>Caf\u{c3}\u{a9} cr\u{c3}\u{a8}me</title></item></channel></rss>",
        );
        assert_eq!(doc.entries[0].title.as_deref(), Some("Café crème"));
        assert!(
            doc.warnings
                .iter()
                .any(|w| w.contains("1 text value was double-encoded"))
        );
    }

    #[test]
    fn html_is_guessed_from_closing_tags_and_entities() {
        assert!(looks_like_html("a <b>bold</b> move"));
        assert!(looks_like_html("caf&eacute;"));
        assert!(looks_like_html("&#233;"));
        assert!(!looks_like_html("AT&T rocks"));
        assert!(!looks_like_html("1 < 2 > 0"));
    }
}
