//! The RSS syndication module (`sy:updatePeriod`, `sy:updateFrequency`), which feed-rs does
//! not read: a small, bounded search of the document's head for the element's text.

/// Only the first this many bytes are searched: the channel's elements come before items.
const SCAN_LIMIT: usize = 64 * 1024;
/// Longest value read (`"monthly"`, a number).
const MAX_VALUE: usize = 32;
/// Longest namespace prefix accepted (`sy` in practice).
const MAX_PREFIX: usize = 16;

/// The trimmed text of the first `<prefix:local>…</…>` element in the document's head
/// (any prefix, no attributes), or `None` when there is none, it is empty, too long or not
/// UTF-8.
pub(crate) fn element_text(bytes: &[u8], local: &str) -> Option<String> {
    let head = &bytes[..bytes.len().min(SCAN_LIMIT)];
    let needle = format!(":{local}>");
    let needle = needle.as_bytes();
    let mut from = 0;
    while let Some(found) = find(&head[from..], needle) {
        let start = from + found;
        from = start + needle.len();
        let prefix_start = start.saturating_sub(MAX_PREFIX + 1);
        let Some(open) = head[prefix_start..start].iter().rposition(|&b| b == b'<') else {
            continue;
        };
        let prefix = &head[prefix_start + open + 1..start];
        let is_name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
        if prefix.is_empty() || !prefix.iter().all(is_name) {
            continue;
        }
        let rest = &head[from..];
        let end = rest.iter().take(MAX_VALUE + 1).position(|&b| b == b'<')?;
        let value = std::str::from_utf8(&rest[..end]).ok()?.trim();
        return (!value.is_empty()).then(|| value.to_owned());
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::element_text;

    #[test]
    fn reads_the_syndication_elements_with_any_prefix() {
        let doc = br#"<rss xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
            <sy:updatePeriod> hourly </sy:updatePeriod><syn:updateFrequency>2</syn:updateFrequency>"#;
        assert_eq!(element_text(doc, "updatePeriod").as_deref(), Some("hourly"));
        assert_eq!(element_text(doc, "updateFrequency").as_deref(), Some("2"));
        assert_eq!(element_text(doc, "updateBase"), None);
    }

    #[test]
    fn refuses_what_is_not_a_short_element() {
        assert_eq!(
            element_text(b"<sy:updatePeriod></sy:updatePeriod>", "updatePeriod"),
            None
        );
        let long = format!("<sy:updatePeriod>{}</sy:updatePeriod>", "x".repeat(100));
        assert_eq!(element_text(long.as_bytes(), "updatePeriod"), None);
        assert_eq!(
            element_text(b"text :updatePeriod>daily<", "updatePeriod"),
            None
        );
        let late = format!(
            "{}<sy:updatePeriod>daily</sy:updatePeriod>",
            " ".repeat(70_000)
        );
        assert_eq!(element_text(late.as_bytes(), "updatePeriod"), None);
    }

    #[test]
    fn parse_reports_ttl_and_the_update_period() {
        let doc = br#"<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>t</title><link>https://a.example/</link><description>d</description><ttl>90</ttl><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>"#;
        let parsed = crate::parse(doc, None).expect("parses");
        assert_eq!(parsed.ttl, Some(90));
        assert_eq!(parsed.update_period.as_deref(), Some("hourly"));
        assert_eq!(parsed.update_frequency.as_deref(), Some("2"));
    }
}
