//! OPML 2.0 (<http://opml.org/spec2.opml>): `/sources.opml`, the sources we follow, for a
//! feed reader to import.
//!
//! `xmlUrl` is each source's configured location as given, even a file path; `htmlUrl` is
//! the site its feed names, when it names one. `dateCreated` comes from the data (the
//! newest successful fetch), never the clock, so the same sources give the same bytes.

use std::io;

use chrono::DateTime;
use syndic_core::SourceSummary;

use super::rss::rfc2822;
use super::{text_element, xml_document, xml_finish, xml_safe};
use crate::Site;

pub(super) fn write(site: &Site, sources: &[SourceSummary]) -> io::Result<Vec<u8>> {
    let created = sources
        .iter()
        .filter_map(|source| source.last_success)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let title = format!("{}: sources", site.title);
    let mut xml = xml_document()?;
    xml.create_element("opml")
        .with_attribute(("version", "2.0"))
        .write_inner_content(|xml| {
            xml.create_element("head").write_inner_content(|xml| {
                text_element(xml, "title", &xml_safe(&title))?;
                text_element(xml, "dateCreated", &rfc2822(created))?;
                text_element(xml, "docs", "http://opml.org/spec2.opml")
            })?;
            xml.create_element("body").write_inner_content(|xml| {
                for source in sources {
                    outline(xml, source)?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(xml_finish(xml))
}

fn outline(xml: &mut super::Xml, source: &SourceSummary) -> io::Result<()> {
    let name = xml_safe(&source.name);
    let url = xml_safe(&source.url);
    let mut element = xml
        .create_element("outline")
        .with_attribute(("type", "rss"))
        .with_attribute(("text", name.as_ref()))
        .with_attribute(("title", name.as_ref()))
        .with_attribute(("xmlUrl", url.as_ref()));
    let site_url = source.site_url.as_deref().map(xml_safe);
    if let Some(site_url) = &site_url {
        element = element.with_attribute(("htmlUrl", site_url.as_ref()));
    }
    element.write_empty()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use syndic_core::{SourceId, SourceStatus};

    use super::*;

    fn source(name: &str, url: &str, site_url: Option<&str>) -> SourceSummary {
        SourceSummary {
            id: SourceId(1),
            slug: "s".into(),
            url: url.into(),
            name: name.into(),
            site_url: site_url.map(Into::into),
            post_count: 0,
            last_success: None,
            last_error: None,
            status: SourceStatus::Ok,
            error_count: 0,
            next_fetch: None,
            paused: false,
            full_content: None,
        }
    }

    #[test]
    fn outlines_name_feed_and_site_and_escape_them() {
        let site = Site {
            title: "Hub".into(),
            base_url: "https://hub.example/".parse().expect("url"),
            posts_per_page: 10,
            theme_dir: None,
            hubs: Vec::new(),
            local_media: false,
        };
        let sources = [
            source(
                "A & \"B\"\u{1}",
                "https://a.example/feed?x=1&y=2",
                Some("https://a.example/"),
            ),
            source("Local", "feeds/local.xml", None),
        ];
        let opml = String::from_utf8(write(&site, &sources).expect("write")).expect("utf-8");
        assert!(opml.contains(
            "<outline type=\"rss\" text=\"A &amp; &quot;B&quot;\" title=\"A &amp; &quot;B&quot;\" \
             xmlUrl=\"https://a.example/feed?x=1&amp;y=2\" htmlUrl=\"https://a.example/\"/>"
        ));
        assert!(opml.contains(
            "<outline type=\"rss\" text=\"Local\" title=\"Local\" xmlUrl=\"feeds/local.xml\"/>"
        ));
        assert!(opml.contains("<dateCreated>Thu, 01 Jan 1970 00:00:00 +0000</dateCreated>"));
    }
}
