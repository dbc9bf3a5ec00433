//! The attribution line every republished post carries, as a template.
//!
//! A source's `attribution` is text with placeholders: `{author}` (the item's author, else
//! the source's name, else its feed's title), `{source}` (the source's name, else its
//! feed's title), `{link}` (the original) and `{title}` (the post's). The default,
//! [`DEFAULT_ATTRIBUTION`], is the line of the pages syndic replaces. Parsing refuses an
//! unknown placeholder or an unclosed brace; [`AttributionTemplate::fill`] hands back the
//! pieces, so that each output escapes them its own way (HTML pages and feeds link the
//! original, the text export writes it as is).

use std::fmt;

use crate::Post;

/// The line the seed pages carry, and every source's unless it sets its own.
pub const DEFAULT_ATTRIBUTION: &str = "Post Syndicated from {author} original {link}";

/// A value a template names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    Author,
    Source,
    Link,
    Title,
}

impl Placeholder {
    /// Every placeholder, as written between braces.
    pub const ALL: [(&'static str, Placeholder); 4] = [
        ("author", Placeholder::Author),
        ("source", Placeholder::Source),
        ("link", Placeholder::Link),
        ("title", Placeholder::Title),
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value(Placeholder),
}

/// A parsed attribution template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributionTemplate {
    pieces: Vec<Piece>,
}

/// What is wrong with a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// `{name}` names no placeholder.
    UnknownPlaceholder(String),
    /// A `{` without its `}`, or a `}` without its `{`.
    UnbalancedBrace,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::UnknownPlaceholder(name) => write!(
                f,
                "{{{name}}} is not a placeholder (known: {{author}}, {{source}}, {{link}}, {{title}})"
            ),
            TemplateError::UnbalancedBrace => {
                write!(f, "a brace is not closed (or closed without being opened)")
            }
        }
    }
}

impl std::error::Error for TemplateError {}

/// What the placeholders stand for in one post's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributionValues<'a> {
    pub author: &'a str,
    pub source: &'a str,
    pub link: &'a str,
    pub title: &'a str,
}

impl<'a> AttributionValues<'a> {
    /// `post`'s values, with `link` as the original's address (callers choose: the
    /// stored link, or the post's page on the site when it has none).
    pub fn of(post: &'a Post, link: &'a str) -> AttributionValues<'a> {
        AttributionValues {
            author: &post.attribution,
            source: &post.credited_source,
            link,
            title: &post.title,
        }
    }
}

/// One piece of a filled template: text from the template, or a value from the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filled<'a> {
    Text(&'a str),
    Value(&'a str),
    /// The original's address (empty when the post has none).
    Link(&'a str),
}

impl Default for AttributionTemplate {
    fn default() -> Self {
        // The default is a constant known to parse.
        Self::parse(DEFAULT_ATTRIBUTION).unwrap_or(AttributionTemplate { pieces: Vec::new() })
    }
}

impl AttributionTemplate {
    /// Reads `text`: literal text and `{placeholder}`s. Braces only open placeholders.
    pub fn parse(text: &str) -> Result<AttributionTemplate, TemplateError> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let open = rest.find('{').unwrap_or(rest.len());
            let literal = &rest[..open];
            if literal.contains('}') {
                return Err(TemplateError::UnbalancedBrace);
            }
            if !literal.is_empty() {
                pieces.push(Piece::Text(literal.to_owned()));
            }
            rest = &rest[open..];
            if rest.is_empty() {
                break;
            }
            let close = rest.find('}').ok_or(TemplateError::UnbalancedBrace)?;
            let name = &rest[1..close];
            let placeholder = Placeholder::ALL
                .iter()
                .find(|(known, _)| *known == name.trim())
                .map(|(_, p)| *p)
                .ok_or_else(|| TemplateError::UnknownPlaceholder(name.to_owned()))?;
            pieces.push(Piece::Value(placeholder));
            rest = &rest[close + 1..];
        }
        Ok(AttributionTemplate { pieces })
    }

    /// The template's pieces filled with `values`.
    pub fn fill<'a>(&'a self, values: &AttributionValues<'a>) -> Vec<Filled<'a>> {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => Filled::Text(text),
                Piece::Value(Placeholder::Author) => Filled::Value(values.author),
                Piece::Value(Placeholder::Source) => Filled::Value(values.source),
                Piece::Value(Placeholder::Title) => Filled::Value(values.title),
                Piece::Value(Placeholder::Link) => Filled::Link(values.link),
            })
            .collect()
    }

    /// The line as plain text (the text export).
    pub fn text(&self, values: &AttributionValues<'_>) -> String {
        self.fill(values)
            .into_iter()
            .map(|piece| match piece {
                Filled::Text(s) | Filled::Value(s) | Filled::Link(s) => s,
            })
            .collect()
    }

    /// The template a post's source set (stored as written), else the default. A stored
    /// template was checked when the configuration was loaded; one that no longer parses
    /// falls back to the default rather than failing a page.
    pub fn of(post: &Post) -> AttributionTemplate {
        post.attribution_template
            .as_deref()
            .and_then(|text| Self::parse(text).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_template_reads_as_the_seed_line() {
        let template = AttributionTemplate::default();
        assert_eq!(
            template.pieces,
            vec![
                Piece::Text("Post Syndicated from ".into()),
                Piece::Value(Placeholder::Author),
                Piece::Text(" original ".into()),
                Piece::Value(Placeholder::Link),
            ]
        );
    }

    #[test]
    fn templates_fill_every_placeholder() {
        let template = AttributionTemplate::parse("{title} by {author} via {source}: {link}")
            .expect("template");
        let values = AttributionValues {
            author: "Ada",
            source: "Planet",
            link: "https://a.example/1",
            title: "Maps",
        };
        assert_eq!(
            template.text(&values),
            "Maps by Ada via Planet: https://a.example/1"
        );
    }

    #[test]
    fn templates_refuse_unknown_placeholders_and_stray_braces() {
        assert_eq!(
            AttributionTemplate::parse("By {writer}"),
            Err(TemplateError::UnknownPlaceholder("writer".into()))
        );
        assert_eq!(
            AttributionTemplate::parse("By {author"),
            Err(TemplateError::UnbalancedBrace)
        );
        assert_eq!(
            AttributionTemplate::parse("By author}"),
            Err(TemplateError::UnbalancedBrace)
        );
        assert!(AttributionTemplate::parse("{title} by {author} on {source}: {link}").is_ok());
        assert!(AttributionTemplate::parse("").is_ok());
    }
}
