//! A post's plain text cut into zones: lead, headings, body, list items, quotes and closing
//! boilerplate, so that where a term occurs can count as much as how often.
//!
//! The text is in the export layout: blocks separated by blank lines, list items `  • x` or
//! `  1. x`, quotes `> x`, table rows `a | b`. Segmentation is one pass over the lines, with
//! no allocation beyond the span list.

use crate::Zone;

/// A byte range of the text and its zone. Spans never overlap and come in text order; a
/// phrase never runs from one span into the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) zone: Zone,
    /// A list item of at most [`SHORT_ITEM_WORDS`] words.
    pub(crate) short: bool,
}

/// Words of the opening that count as the lead at least...
const LEAD_WORDS: usize = 60;
/// ...and at most, when the first paragraph runs on.
const LEAD_MAX_WORDS: usize = 100;
/// A heading is one line of at most this many words without sentence punctuation.
const HEADING_MAX_WORDS: usize = 12;
/// Boilerplate is looked for among this many closing blocks...
const BOILERPLATE_BLOCKS: usize = 4;
/// ...each of at most this many words.
const BOILERPLATE_MAX_WORDS: usize = 80;
/// A list item of at most this many words is a link or a roundup entry, not prose.
pub(crate) const SHORT_ITEM_WORDS: usize = 12;

/// Phrases that mark the closing blocks feeds append to every post.
const BOILERPLATE_MARKERS: [&str; 24] = [
    "subscribe",
    "newsletter",
    "follow us",
    "follow me",
    "first appeared",
    "appeared first",
    "originally published",
    "share this",
    "the post ",
    "continue reading",
    "read more",
    "read the rest",
    "all rights reserved",
    "copyright",
    "©",
    "sign up",
    "support us",
    "patreon",
    "sponsored by",
    "related posts",
    "like this:",
    "comments",
    "permalink",
    "leave a comment",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Text,
    Item,
    Quote,
    Blank,
}

fn line_kind(line: &str) -> LineKind {
    let trimmed = line.trim_start();
    if trimmed.is_empty() {
        return LineKind::Blank;
    }
    if trimmed.starts_with('>') {
        return LineKind::Quote;
    }
    if trimmed.starts_with("• ") || trimmed.starts_with("◦ ") || trimmed.starts_with("▪ ") {
        return LineKind::Item;
    }
    if line.starts_with("  ") {
        let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && trimmed[digits..].starts_with(". ") {
            return LineKind::Item;
        }
    }
    LineKind::Text
}

fn word_count(text: &str) -> usize {
    text.split_ascii_whitespace().count()
}

fn ends_like_a_sentence(line: &str) -> bool {
    line.trim_end()
        .ends_with(['.', '!', '?', ':', ';', ',', '…', '"', '”', ')'])
}

fn is_boilerplate(block: &str) -> bool {
    if word_count(block) > BOILERPLATE_MAX_WORDS {
        return false;
    }
    let lower = block.to_lowercase();
    BOILERPLATE_MARKERS.iter().any(|m| lower.contains(m))
}

/// Cuts `text` into zoned spans (into `spans`, cleared first) and returns its word count.
pub(crate) fn segment(text: &str, spans: &mut Vec<Span>) -> usize {
    spans.clear();
    // Blocks of consecutive non-blank lines: (start, end, first line kind, line count).
    let mut blocks: Vec<(usize, usize)> = Vec::new();
    let mut block_start: Option<usize> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        match (blank, block_start) {
            (true, Some(start)) => {
                blocks.push((start, at));
                block_start = None;
            }
            (false, None) => block_start = Some(at),
            _ => {}
        }
        at += line.len();
    }
    if let Some(start) = block_start {
        blocks.push((start, text.len()));
    }

    // Closing boilerplate: from the earliest of the last few blocks that carries a marker.
    let mut boilerplate_from = blocks.len();
    for index in (blocks.len().saturating_sub(BOILERPLATE_BLOCKS)..blocks.len()).rev() {
        let (start, end) = blocks[index];
        if index > 0 && is_boilerplate(&text[start..end]) {
            boilerplate_from = index;
        }
    }

    let mut words = 0;
    let mut lead_done = false;
    for (index, &(start, end)) in blocks.iter().enumerate() {
        let block = &text[start..end];
        let block_words = word_count(block);
        if index >= boilerplate_from {
            spans.push(Span {
                start,
                end,
                zone: Zone::Boilerplate,
                short: false,
            });
            words += block_words;
            continue;
        }
        let single_line = !block.trim_end().contains('\n');
        let first = line_kind(block);
        if single_line
            && first == LineKind::Text
            && block_words <= HEADING_MAX_WORDS
            && !ends_like_a_sentence(block)
            && blocks.len() > 1
        {
            spans.push(Span {
                start,
                end,
                zone: Zone::Heading,
                short: false,
            });
            words += block_words;
            continue;
        }
        if is_prose(block) {
            if !lead_done {
                lead_done = true;
                let cut = lead_cut(block, words);
                if cut > 0 {
                    spans.push(Span {
                        start,
                        end: start + cut,
                        zone: Zone::Lead,
                        short: false,
                    });
                }
                if start + cut < end {
                    spans.push(Span {
                        start: start + cut,
                        end,
                        zone: Zone::Body,
                        short: false,
                    });
                }
            } else {
                spans.push(Span {
                    start,
                    end,
                    zone: Zone::Body,
                    short: false,
                });
            }
            words += block_words;
            continue;
        }
        // A mixed block: zone line by line.
        let mut line_start = start;
        for line in block.split_inclusive('\n') {
            let kind = line_kind(line);
            let zone = match kind {
                LineKind::Item => Zone::List,
                LineKind::Quote => Zone::Quote,
                LineKind::Text | LineKind::Blank => Zone::Body,
            };
            spans.push(Span {
                start: line_start,
                end: line_start + line.len(),
                zone,
                short: kind == LineKind::Item && word_count(line) <= SHORT_ITEM_WORDS + 1,
            });
            line_start += line.len();
        }
        words += block_words;
    }
    words
}

/// A block whose every line is ordinary text (paragraphs, table rows, preformatted text).
fn is_prose(block: &str) -> bool {
    block.lines().all(|l| line_kind(l) == LineKind::Text)
}

/// Where the lead ends inside the first paragraph, given `before` words of headings ahead
/// of it: the whole paragraph up to [`LEAD_MAX_WORDS`], at least [`LEAD_WORDS`] if it is
/// longer.
fn lead_cut(block: &str, before: usize) -> usize {
    let limit = LEAD_MAX_WORDS
        .max(LEAD_WORDS + before)
        .saturating_sub(before);
    let mut seen = 0;
    let mut in_word = false;
    for (at, c) in block.char_indices() {
        if c.is_whitespace() {
            if in_word {
                seen += 1;
                if seen >= limit {
                    return at;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    block.len()
}

/// The zone of byte offset `at` (spans from [`segment`]) and whether it is in a short list
/// item; `Body` outside every span.
pub(crate) fn zone_at(spans: &[Span], at: usize) -> (Zone, bool) {
    let index = spans.partition_point(|s| s.end <= at);
    match spans.get(index) {
        Some(span) if span.start <= at => (span.zone, span.short),
        _ => (Zone::Body, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones(text: &str) -> Vec<(Zone, String)> {
        let mut spans = Vec::new();
        segment(text, &mut spans);
        spans
            .iter()
            .map(|s| (s.zone, text[s.start..s.end].trim().to_owned()))
            .collect()
    }

    #[test]
    fn opening_paragraph_is_the_lead() {
        let z = zones("First para here.\n\nSecond para here.");
        assert_eq!(z[0], (Zone::Lead, "First para here.".into()));
        assert_eq!(z[1], (Zone::Body, "Second para here.".into()));
    }

    #[test]
    fn a_long_opening_is_cut_after_the_first_hundred_words() {
        let text = "word ".repeat(300);
        let z = zones(text.trim());
        assert_eq!(z[0].0, Zone::Lead);
        assert_eq!(word_count(&z[0].1), LEAD_MAX_WORDS);
        assert_eq!(z[1].0, Zone::Body);
    }

    #[test]
    fn short_lines_alone_are_headings() {
        let z = zones("Intro text.\n\nInstalling Kubernetes\n\nMore text.");
        assert_eq!(z[1], (Zone::Heading, "Installing Kubernetes".into()));
        let z = zones("Intro text.\n\nThis is a sentence.\n\nMore.");
        assert_eq!(z[1].0, Zone::Body);
    }

    #[test]
    fn list_items_and_quotes_are_zoned_by_line() {
        let z = zones("Intro.\n\n  • one link\n  • two link\n\n> a quote\n> more");
        assert_eq!(z[1], (Zone::List, "• one link".into()));
        assert_eq!(z[2], (Zone::List, "• two link".into()));
        assert_eq!(z[3].0, Zone::Quote);
        let z = zones("Intro.\n\n  1. first\n  2. second");
        assert_eq!(z[1].0, Zone::List);
    }

    #[test]
    fn closing_blocks_with_markers_are_boilerplate() {
        let text = "Kubernetes rocks.\n\nMore text here.\n\nThe post Kubernetes rocks appeared \
                    first on Example Blog.";
        let z = zones(text);
        assert_eq!(z.last().map(|z| z.0), Some(Zone::Boilerplate));
        assert_eq!(z[1].0, Zone::Body);
        // A lone paragraph is never boilerplate, whatever it says.
        assert_eq!(zones("Subscribe to newsletters, a guide.")[0].0, Zone::Lead);
    }

    #[test]
    fn zone_at_finds_the_span() {
        let text = "Lead.\n\nBody text.";
        let mut spans = Vec::new();
        segment(text, &mut spans);
        assert_eq!(zone_at(&spans, 0).0, Zone::Lead);
        assert_eq!(zone_at(&spans, text.len() - 2).0, Zone::Body);
        assert_eq!(zone_at(&spans, 10_000).0, Zone::Body);
    }

    #[test]
    fn word_count_is_returned() {
        let mut spans = Vec::new();
        assert_eq!(segment("a b c\n\nd e", &mut spans), 5);
        assert_eq!(segment("", &mut spans), 0);
        assert!(spans.is_empty());
    }
}
