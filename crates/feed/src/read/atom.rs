//! Atom 1.0 (RFC 4287) and Atom 0.3.

use super::draft::{self, EntryDraft, Link, atom_kind_opt, atom_person};
use super::ns::{self, Ns};
use super::values::{self, Body, Kind, Reader, Scope, person_name, trimmed};
use crate::model::{Document, Format};
use crate::xml::Element;

/// Reads an Atom document whose root is `root`.
pub(crate) fn read(reader: &mut Reader<'_>, root: &Element, format: Format) -> Document {
    let atom03 = format == Format::Atom03;
    let own = ns::of(root);
    let core = |el: &Element| {
        let n = ns::of(el);
        n == own || n == Ns::None || n == Ns::Atom10 || n == Ns::Atom03
    };
    let root_scope = Scope::root(reader.options).enter(root);

    // The feed's own address and page are the base of last resort.
    if reader.options.base_url.is_none() {
        let mut links: Vec<Link> = Vec::new();
        for el in root.elements().filter(|e| core(e) && e.local == "link") {
            let scope = root_scope.enter(el);
            let rel = el.attr("rel").map(|r| r.trim().to_ascii_lowercase());
            let href = el.attr("href").and_then(|h| reader.link_quiet(h, &scope));
            links.push(Link {
                rel: rel.unwrap_or_else(|| "alternate".to_owned()),
                href,
                mime: el.attr("type").unwrap_or_default().to_owned(),
                length: 0,
                title: None,
            });
        }
        let own_link = links
            .iter()
            .find(|l| l.rel == "self")
            .and_then(|l| l.href.clone())
            .or_else(|| draft::alternate(&links));
        reader.fallback_base = own_link.and_then(|l| url::Url::parse(&l).ok());
    }

    let mut doc = super::empty_document(format);
    let mut links: Vec<Link> = Vec::new();
    let mut logo = None;
    let mut icon = None;
    let mut published = None;
    let mut feed_id_link = None;
    let mut entries: Vec<&Element> = Vec::new();
    // Entries found below another element than the feed.
    let mut nested = 0usize;
    for el in root.elements() {
        let scope = root_scope.enter(el);
        let local = el.local.to_ascii_lowercase();
        if core(el) && local == "entry" {
            entries.push(el);
            nested_entries(el, &core, &mut entries, &mut nested);
            continue;
        }
        if !matches!(
            local.as_str(),
            "title" | "subtitle" | "tagline" | "rights" | "info"
        ) {
            // Entries that an unclosed tag swallowed.
            nested_entries(el, &core, &mut entries, &mut nested);
        }
        if core(el) {
            match local.as_str() {
                "title" => first(&mut doc.title, body(el, scope, atom03).plain()),
                "subtitle" | "tagline" => {
                    first(&mut doc.description, body(el, scope, atom03).plain());
                }
                "link" => {
                    let link = draft::link(reader, el, &scope);
                    match link.rel.as_str() {
                        "self" => first(&mut doc.self_link, link.href.clone()),
                        "hub" => {
                            if let Some(href) = &link.href
                                && !doc.hubs.contains(href)
                            {
                                doc.hubs.push(href.clone());
                            }
                        }
                        _ => {}
                    }
                    links.push(link);
                }
                "updated" | "modified" => first(&mut doc.updated, values::date(el)),
                "published" | "issued" | "created" => first(&mut published, values::date(el)),
                "author" => {
                    if let Some(name) = atom_person(el)
                        && !doc.authors.contains(&name)
                    {
                        doc.authors.push(name);
                    }
                }
                "generator" => first(&mut doc.generator, values::plain(el)),
                "id" => first(
                    &mut feed_id_link,
                    trimmed(el).and_then(|id| values::absolute_http_url(&id, None)),
                ),
                "logo" => first(
                    &mut logo,
                    trimmed(el).and_then(|h| reader.link_quiet(&h, &scope)),
                ),
                "icon" => first(
                    &mut icon,
                    trimmed(el).and_then(|h| reader.link_quiet(&h, &scope)),
                ),
                _ => {}
            }
            continue;
        }
        match (ns::of(el), local.as_str()) {
            (Ns::Dc, "language") => first(&mut doc.language, trimmed(el)),
            (Ns::Dc, "creator") => {
                if let Some(name) = person_name(&el.text())
                    && !doc.authors.contains(&name)
                {
                    doc.authors.push(name);
                }
            }
            (Ns::Dc, "date") | (Ns::Dcterms, "modified") => {
                first(&mut doc.updated, values::date(el))
            }
            (Ns::Sy, "updateperiod") => first(&mut doc.update_period, trimmed(el)),
            (Ns::Sy, "updatefrequency") => first(&mut doc.update_frequency, trimmed(el)),
            (Ns::Tombstones, "deleted-entry") => deleted_entry(reader, el, &mut doc.deleted),
            (Ns::Itunes, "image") => {
                let href = el.attr("href").and_then(|h| reader.link_quiet(h, &scope));
                first(&mut logo, href);
            }
            _ => {}
        }
    }
    if nested > 0 {
        reader.warnings.push(format!(
            "{} inside another element (an unclosed tag, or an entry within an entry); \
             {} read as {}",
            crate::xml::count(nested, "entry was nested", "entries were nested"),
            if nested == 1 { "it was" } else { "they were" },
            if nested == 1 { "an entry" } else { "entries" },
        ));
    }
    doc.link = draft::alternate(&links).or(feed_id_link);
    doc.image = logo.or(icon);
    doc.updated = doc.updated.or(published);
    doc.language = doc.language.take().or_else(|| root_scope.lang.clone());

    let feed_language = doc.language.clone();
    let authors = doc.authors.clone();
    doc.entries = entries
        .into_iter()
        .map(|el| {
            read_entry(reader, el, root_scope.enter(el), atom03, &core).finish(
                reader,
                &authors,
                true,
                feed_language.as_deref(),
            )
        })
        .collect();
    doc
}

/// An RFC 6721 tombstone, `<at:deleted-entry ref="ID" when="DATE"/>`: the id it names,
/// once. One without a `ref` names nothing and is skipped with a warning.
fn deleted_entry(
    reader: &mut Reader<'_>,
    el: &Element,
    deleted: &mut Vec<syndic_core::DeletedEntry>,
) {
    let Some(id) = el.attr("ref").map(str::trim).filter(|id| !id.is_empty()) else {
        reader
            .warnings
            .push("a deleted-entry without a ref names no entry; it was skipped".to_owned());
        return;
    };
    if deleted.iter().any(|d| d.id == id) {
        return;
    }
    deleted.push(syndic_core::DeletedEntry {
        id: id.to_owned(),
        when: el.attr("when").and_then(crate::date::parse_date),
    });
}

/// Entries below `el` (at any depth), in document order: an unclosed tag before them or
/// an `<entry>` written inside another puts them there (see the RSS reader's
/// `nested_items`). Text constructs are not looked into.
fn nested_entries<'a>(
    el: &'a Element,
    core: &dyn Fn(&Element) -> bool,
    entries: &mut Vec<&'a Element>,
    nested: &mut usize,
) {
    for child in el.elements() {
        let local = child.local.to_ascii_lowercase();
        if matches!(
            local.as_str(),
            "title" | "subtitle" | "summary" | "content" | "rights" | "source"
        ) {
            continue;
        }
        let is_entry = core(child) && local == "entry";
        if !is_entry && !child.has_element_children() {
            continue;
        }
        if is_entry {
            entries.push(child);
            *nested += 1;
        }
        nested_entries(child, core, entries, nested);
    }
}

fn read_entry<'a>(
    reader: &mut Reader<'_>,
    entry: &'a Element,
    scope: Scope,
    atom03: bool,
    core: &dyn Fn(&Element) -> bool,
) -> EntryDraft<'a> {
    let mut draft = EntryDraft {
        scope,
        ..EntryDraft::default()
    };
    let entry_scope = draft.scope.clone();
    for el in entry.elements() {
        let scope = entry_scope.enter(el);
        if !core(el) {
            draft.extension(reader, el, &scope);
            continue;
        }
        match el.local.to_ascii_lowercase().as_str() {
            "id" if draft.id.is_none() => {
                draft.id = trimmed(el);
                // Like a permalink guid, an id that is a web address stands for the page.
                draft.guid_link = draft
                    .id
                    .as_deref()
                    .and_then(|id| values::absolute_http_url(id, None));
            }
            "title" if draft.title.is_none() => {
                draft.title = Some(body(el, scope, atom03));
            }
            "link" => {
                let link = draft::link(reader, el, &scope);
                draft.atom_link(link);
            }
            "summary" if draft.summary.is_none() => {
                draft.summary = Some(body(el, scope, atom03));
            }
            "content" => {
                if let Some(src) = el.attr("src") {
                    let src = reader.link(src, &scope);
                    first(&mut draft.content_src, src);
                } else if draft.content.is_none() {
                    draft.content = Some(body(el, scope, atom03));
                }
            }
            "author" => draft.add_author(atom_person(el)),
            "category" => {
                let term = el
                    .attr("term")
                    .map(crate::text::collapse_whitespace)
                    .filter(|t| !t.is_empty())
                    .or_else(|| {
                        el.attr("label")
                            .map(crate::text::collapse_whitespace)
                            .filter(|t| !t.is_empty())
                    })
                    .or_else(|| values::plain(el));
                draft.add_category(term);
            }
            "published" | "issued" => first(&mut draft.published, values::date(el)),
            "created" => first(&mut draft.created, values::date(el)),
            "updated" | "modified" => first(&mut draft.updated, values::date(el)),
            "source" if draft.origin.is_none() => draft.origin = atom_origin(reader, el, &scope),
            _ => {}
        }
    }
    draft
}

/// An Atom entry's `<source>`: the feed it was copied from, by its title and its
/// alternate (else self) link.
fn atom_origin(
    reader: &mut Reader<'_>,
    source: &Element,
    scope: &Scope,
) -> Option<syndic_core::EntryOrigin> {
    let mut title = None;
    let mut links = Vec::new();
    for el in source.elements() {
        match el.local.to_ascii_lowercase().as_str() {
            "title" if title.is_none() => title = values::plain(el),
            "link" => links.push(draft::link(reader, el, &scope.enter(el))),
            _ => {}
        }
    }
    let feed = links
        .iter()
        .find(|l| l.rel == "self")
        .and_then(|l| l.href.clone());
    let url = draft::alternate(&links).or_else(|| feed.clone());
    values::origin(title, url, feed)
}

/// A text construct as a body: Atom 0.3 `mode="base64"` decoded, and a body of another
/// media type (base64 by definition) decoded when it is text.
fn body(el: &Element, scope: Scope, atom03: bool) -> Body<'_> {
    match atom_kind_opt(el, atom03) {
        Some(kind) => {
            let mut body = Body::new(el, kind, scope);
            body.base64 = el
                .attr("mode")
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("base64"));
            body
        }
        None => {
            let mut body = Body::new(el, Kind::Html, scope);
            body.base64 = true;
            body.binary = true;
            body
        }
    }
}

fn first<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use crate::read::tests::{read, titles};

    #[test]
    fn entries_inside_an_unclosed_feed_element_are_entries() {
        let doc = read(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>
            <author><name>Ann</name>
            <entry><id>urn:1</id><title>One</title></entry>
            <entry><id>urn:2</id><title>Two</title></entry>
            </feed>"#,
        );
        assert_eq!(titles(&doc), [Some("One"), Some("Two")]);
        assert!(
            doc.warnings
                .iter()
                .any(|w| w.starts_with("2 entries were nested")),
            "{:?}",
            doc.warnings
        );
    }

    #[test]
    fn entry_inside_an_unclosed_entry_is_a_sibling() {
        let doc = read(
            r#"<feed xmlns="http://www.w3.org/2005/Atom">
            <entry><id>urn:a</id><title>A</title>
            <entry><id>urn:b</id><title>B</title></entry>
            </feed>"#,
        );
        assert_eq!(titles(&doc), [Some("A"), Some("B")]);
        assert!(
            doc.warnings
                .iter()
                .any(|w| w.starts_with("1 entry was nested"))
        );
    }

    #[test]
    fn entries_in_content_are_not_entries() {
        let doc = read(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:a</id><title>A</title>
            <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><entry>x</entry></div></content>
            </entry></feed>"#,
        );
        assert_eq!(doc.entries.len(), 1);
    }
}
