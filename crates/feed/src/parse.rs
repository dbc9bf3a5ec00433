//! Bytes → feed-rs model → our [`Parsed`].

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use feed_rs::model::{Feed, FeedType, Link, Text};
use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use syndic_core::FeedMeta;
use url::Url;

use crate::entry::{self, Context};
use crate::{FeedError, FeedFormat, Parsed, identity, repair, sniff, syndication, text};

/// Parses one feed document (RSS 0.9x, RSS 1.0, RSS 2.0, Atom 1.0 or JSON Feed 1.x).
///
/// `base_url` is where the document came from; relative links and URLs inside content are
/// resolved against it (or against `xml:base`, or the item's own link, where those apply).
/// Without it, the feed's `rel="self"` link, else its site link, is the base; URLs that
/// stay relative are dropped.
///
/// Fails only when there is no feed at all: empty input, an HTML page or other non-feed
/// document, or XML/JSON too broken to read (a truncated document is refused rather than
/// half-read). Sloppiness that feed-rs alone would refuse (HTML entities or bare `&` in
/// XML, undeclared Latin-1, an `<rss>` root without version, empty media elements, JSON
/// Feed details) is repaired, and everything recovered is reported in
/// [`Parsed::warnings`]. Never panics: a panic inside feed-rs becomes
/// [`FeedError::ParserCrashed`].
pub fn parse(bytes: &[u8], base_url: Option<&Url>) -> Result<Parsed, FeedError> {
    let bytes = sniff::strip_bom(bytes);
    sniff::check(bytes)?;
    let mut warnings = Vec::new();
    let feed = read_repairing(bytes, base_url, &mut warnings)?;
    let mut parsed = convert(feed, base_url);
    parsed.update_period = syndication::element_text(bytes, "updatePeriod");
    parsed.update_frequency = syndication::element_text(bytes, "updateFrequency");
    warnings.append(&mut parsed.warnings);
    parsed.warnings = warnings;
    Ok(parsed)
}

/// Most repairs one document may need (one per empty element feed-rs chokes on, …).
const MAX_REPAIRS: usize = 64;

/// Runs feed-rs; when it refuses the document over something [`repair`] can fix, fixes
/// it and tries again. Repair warnings are added to `warnings`, once per kind with a count.
fn read_repairing(
    bytes: &[u8],
    base_url: Option<&Url>,
    warnings: &mut Vec<String>,
) -> Result<Feed, FeedError> {
    let mut current = Cow::Borrowed(bytes);
    let mut repairs: Vec<(String, usize)> = Vec::new();
    let outcome = loop {
        let error = match read(&current, base_url) {
            Ok(feed) => break Ok(feed),
            Err(Failure::Panicked(detail)) => break Err(FeedError::ParserCrashed { detail }),
            Err(Failure::Refused(error)) => error,
        };
        let fixed = (repairs.iter().map(|(_, n)| n).sum::<usize>() < MAX_REPAIRS)
            .then(|| repair::repair(&current, &error))
            .flatten();
        let Some(fixed) = fixed else {
            break Err(read_error(error, &current));
        };
        match repairs.iter_mut().find(|(w, _)| *w == fixed.warning) {
            Some((_, count)) => *count += 1,
            None => repairs.push((fixed.warning, 1)),
        }
        current = Cow::Owned(fixed.bytes);
    };
    warnings.extend(repairs.into_iter().map(|(warning, count)| match count {
        1 => warning,
        n => format!("{warning} ({n} times)"),
    }));
    outcome
}

enum Failure {
    Refused(ParseFeedError),
    Panicked(String),
}

/// Runs feed-rs once, catching its panics.
fn read(bytes: &[u8], base_url: Option<&Url>) -> Result<Feed, Failure> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base_url.map(Url::as_str))
        // An empty id tells us the item had no guid/id; we choose the fallback ourselves.
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .build();
    match catch_unwind(AssertUnwindSafe(|| parser.parse(bytes))) {
        Ok(Ok(feed)) => Ok(feed),
        Ok(Err(error)) => Err(Failure::Refused(error)),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            Err(Failure::Panicked(detail))
        }
    }
}

fn read_error(error: ParseFeedError, bytes: &[u8]) -> FeedError {
    match error {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => sniff::no_feed_root(bytes),
        ParseFeedError::JsonUnsupportedVersion(version) => FeedError::NotAFeed {
            reason: format!(
                "the JSON document has version {version:?}; only JSON Feed 1.x \
                 (https://jsonfeed.org/version/1 or /1.1) is read"
            ),
        },
        source => {
            let syntax = match sniff::start(bytes) {
                sniff::Start::Json => "JSON",
                _ => "XML",
            };
            FeedError::Malformed { syntax, source }
        }
    }
}

fn convert(feed: Feed, base_url: Option<&Url>) -> Parsed {
    let format = match feed.feed_type {
        FeedType::RSS0 => FeedFormat::Rss09,
        FeedType::RSS1 => FeedFormat::Rss1,
        FeedType::RSS2 => FeedFormat::Rss2,
        FeedType::Atom => FeedFormat::Atom,
        FeedType::JSON => FeedFormat::JsonFeed,
    };
    let mut warnings = Vec::new();
    // Relative URLs resolve against the document's URL: the one we were given, else the
    // feed's own `rel="self"` link.
    let document_url = base_url
        .filter(|b| matches!(b.scheme(), "http" | "https"))
        .cloned()
        .or_else(|| {
            let own = feed
                .links
                .iter()
                .find(|l| l.rel.as_deref() == Some("self"))?;
            Url::parse(&absolute_http_url(&own.href, None)?).ok()
        });
    let site_url = alternate_link(&feed.links, format == FeedFormat::JsonFeed)
        .and_then(|href| absolute_http_url(href, document_url.as_ref()));
    let site = site_url.as_deref().and_then(|s| Url::parse(s).ok());
    let base = document_url.as_ref().or(site.as_ref());
    let meta = FeedMeta {
        title: feed
            .title
            .as_ref()
            .map(title_text)
            .filter(|t| !t.is_empty()),
        site_url,
        description: feed
            .description
            .as_ref()
            .map(|t| description_text(t, format))
            .filter(|t| !t.is_empty()),
    };
    let context = Context {
        format,
        base,
        feed_authors: if format == FeedFormat::Atom {
            &feed.authors
        } else {
            &[]
        },
    };
    let websub = websub_links(&feed.links, document_url.as_ref());
    let mut dropped_links = Vec::new();
    let mut entries: Vec<_> = feed
        .entries
        .into_iter()
        .enumerate()
        .map(|(index, e)| entry::convert(e, index + 1, &context, &mut warnings, &mut dropped_links))
        .collect();
    if let Some((number, link)) = dropped_links.first() {
        let what = match dropped_links.len() {
            1 => format!("the link {link:?} of item {number} was dropped"),
            n => {
                format!("the links of {n} items were dropped (the first: {link:?}, item {number})")
            }
        };
        warnings.push(format!(
            "{what}: links must be http(s) URLs, and relative ones need a base URL to resolve \
             against"
        ));
    }
    identity::disambiguate(&mut entries, &mut warnings);
    Parsed {
        format,
        meta,
        entries,
        warnings,
        ttl: feed.ttl,
        update_period: None,
        update_frequency: None,
        websub,
    }
}

/// The feed's WebSub hubs and topic, resolved against the document's URL; `None` unless
/// it names at least one http(s) hub and its own http(s) address.
fn websub_links(links: &[Link], base: Option<&Url>) -> Option<crate::WebSubLinks> {
    let with_rel = |rel: &'static str| {
        links.iter().filter(move |l| {
            l.rel
                .as_deref()
                .is_some_and(|r| r.trim().eq_ignore_ascii_case(rel))
        })
    };
    let absolute = |href: &str| Url::parse(&absolute_http_url(href, base)?).ok();
    let topic = with_rel("self").find_map(|l| absolute(&l.href))?;
    let mut hubs: Vec<Url> = Vec::new();
    for hub in with_rel("hub").filter_map(|l| absolute(&l.href)) {
        if !hubs.contains(&hub) && hubs.len() < crate::MAX_HUBS {
            hubs.push(hub);
        }
    }
    (!hubs.is_empty()).then_some(crate::WebSubLinks { hubs, topic })
}

/// The first link that points to the page itself: `rel` absent or `alternate`, not a
/// comments link, and for JSON Feed not an attachment.
pub(crate) fn alternate_link(links: &[Link], json: bool) -> Option<&str> {
    let candidates = links.iter().filter(|l| {
        let rel_ok = l
            .rel
            .as_deref()
            .is_none_or(|r| r.trim().eq_ignore_ascii_case("alternate"));
        rel_ok && l.target.is_none() && !(json && l.media_type.is_some())
    });
    let mut first = None;
    for link in candidates {
        let html = link
            .media_type
            .as_deref()
            .is_none_or(|t| t.contains("html"));
        if html && !link.href.trim().is_empty() {
            return Some(link.href.as_str());
        }
        first = first.or(Some(link.href.as_str()));
    }
    first
}

/// `href` as an absolute `http(s)` URL, resolved against `base` when relative; `None` for
/// any other scheme (`javascript:`, `data:`, …) or a relative URL without a base.
pub(crate) fn absolute_http_url(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// A title as one line of text. HTML titles (Atom `type="html"`/`"xhtml"`) lose their tags;
/// plain-text titles (RSS, Atom `type="text"`, JSON) are kept literally, `<` and `&`
/// included, with whitespace collapsed.
pub(crate) fn title_text(title: &Text) -> String {
    if is_html(title) {
        text::plain_text(&title.content)
    } else {
        text::collapse_whitespace(&title.content)
    }
}

/// A feed description as one line of text: RSS descriptions are HTML by convention.
fn description_text(description: &Text, format: FeedFormat) -> String {
    let rss = matches!(
        format,
        FeedFormat::Rss09 | FeedFormat::Rss1 | FeedFormat::Rss2
    );
    if rss || is_html(description) {
        text::plain_text(&description.content)
    } else {
        text::collapse_whitespace(&description.content)
    }
}

fn is_html(text: &Text) -> bool {
    let mime = text.content_type.as_str();
    mime.contains("html")
}
