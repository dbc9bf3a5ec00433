//! Which upstream edits make a revision, and which revisions a post keeps: pure
//! decisions, no database.
//!
//! An edit makes a revision when it changes what a reader reads: the title's or the
//! text's words, or where a link or image points. Whitespace alone does not (a feed
//! re-rendered with other line breaks), nor formatting alone (the text is the same words),
//! nor a link that differs only in tracking parameters (`utm_*`, `fbclid`, …: the same
//! page, counted differently: [`syndic_core::article::is_tracking_parameter`]).

use syndic_core::article::is_tracking_parameter;

/// One version of a post, as the edit rule compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Version<'a> {
    pub(crate) title: &'a str,
    pub(crate) text: &'a str,
    pub(crate) html: &'a str,
}

/// Whether replacing `old` by `new` changes the post's title, text or link targets
/// beyond whitespace and tracking parameters: then `old` is kept as a revision.
pub(crate) fn is_revision(old: Version<'_>, new: Version<'_>) -> bool {
    !same_words(old.title, new.title)
        || !same_words(old.text, new.text)
        || !same_targets(old.html, new.html)
}

/// Whether the links and images of `old` and `new` point at the same places, in order. An
/// image that became (or stopped being) a cached copy, `/media/<hash>`, points at
/// the same picture: the media cache is not an edit.
fn same_targets(old: &str, new: &str) -> bool {
    let (old, new): (Vec<String>, Vec<String>) = (targets(old).collect(), targets(new).collect());
    old.len() == new.len()
        && old.iter().zip(&new).all(|(a, b)| {
            a == b || syndic_core::media::is_media_url(a) || syndic_core::media::is_media_url(b)
        })
}

fn same_words(old: &str, new: &str) -> bool {
    old.split_whitespace().eq(new.split_whitespace())
}

/// Where the HTML's links and images point, in order, tracking parameters dropped. The
/// HTML is the sanitizer's output, so every attribute is written `name="value"`.
fn targets(html: &str) -> impl Iterator<Item = String> + '_ {
    html.split(['<', ' ', '\n', '\t'])
        .filter_map(|piece| {
            piece
                .strip_prefix("href=\"")
                .or_else(|| piece.strip_prefix("src=\""))
        })
        .map(|rest| without_tracking(&rest[..rest.find('"').unwrap_or(rest.len())]))
}

/// `link` (as written in an attribute) with its tracking parameters dropped; text that is
/// not an absolute URL as it is.
pub(crate) fn without_tracking(link: &str) -> String {
    let link = link.trim().replace("&amp;", "&");
    let Ok(mut url) = url::Url::parse(&link) else {
        return link;
    };
    if url.query().is_none() {
        return url.into();
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !is_tracking_parameter(name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.into()
}

/// What to do with one post's revisions when `new` more are added to those numbered
/// `stored` (ascending): the numbers the new ones get, and the stored numbers to delete
/// so that at most `keep` remain (the oldest go). With `keep` 0, nothing is added and
/// every stored revision goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Numbering {
    pub(crate) added: Vec<i64>,
    pub(crate) dropped: Vec<i64>,
}

pub(crate) fn number(stored: &[i64], new: usize, keep: u32) -> Numbering {
    let keep = usize::try_from(keep).unwrap_or(usize::MAX);
    let next = stored.iter().max().map_or(1, |n| n + 1);
    let all: Vec<i64> = stored
        .iter()
        .copied()
        .chain((0..new as i64).map(|i| next + i))
        .collect();
    let cut = all.len().saturating_sub(keep);
    let (dropped, kept) = all.split_at(cut);
    Numbering {
        added: kept.iter().copied().filter(|n| *n >= next).collect(),
        dropped: dropped.iter().copied().filter(|n| *n < next).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version<'a>(title: &'a str, text: &'a str, html: &'a str) -> Version<'a> {
        Version { title, text, html }
    }

    #[test]
    fn a_changed_title_text_or_link_target_is_a_revision() {
        let old = version(
            "Kelp forests",
            "Kelp grows fast.",
            r#"<p>Kelp <a href="https://a.example/kelp">grows</a> fast.</p>"#,
        );
        let rows = [
            (
                "title",
                version("Kelp forests, revised", old.text, old.html),
            ),
            ("text", version(old.title, "Kelp grows slowly.", old.html)),
            (
                "link target",
                version(
                    old.title,
                    old.text,
                    r#"<p>Kelp <a href="https://a.example/algae">grows</a> fast.</p>"#,
                ),
            ),
            (
                "image",
                version(
                    old.title,
                    old.text,
                    r#"<p><img src="https://a.example/k.png"></p>"#,
                ),
            ),
        ];
        for (what, new) in rows {
            assert!(is_revision(old, new), "{what}");
        }
    }

    #[test]
    fn whitespace_formatting_and_tracking_parameters_are_trivial_edits() {
        let old = version(
            "Kelp forests",
            "Kelp grows fast.\n\nIt is big.",
            r#"<p>Kelp <a href="https://a.example/kelp?id=3">grows</a> fast.</p><p>It is big.</p>"#,
        );
        let rows = [
            (
                "whitespace",
                version(
                    " Kelp  forests ",
                    "Kelp grows fast.\nIt is big.",
                    "<p>Kelp <a href=\"https://a.example/kelp?id=3\">grows</a>\n fast.</p>\n<p>It is big.</p>",
                ),
            ),
            (
                "formatting",
                version(
                    old.title,
                    old.text,
                    r#"<p>Kelp <a href="https://a.example/kelp?id=3"><em>grows</em></a> fast.</p><p>It is <b>big</b>.</p>"#,
                ),
            ),
            (
                "tracking parameters",
                version(
                    old.title,
                    old.text,
                    r#"<p>Kelp <a href="https://a.example/kelp?utm_source=rss&amp;id=3&amp;fbclid=x1">grows</a> fast.</p><p>It is big.</p>"#,
                ),
            ),
        ];
        for (what, new) in rows {
            assert!(!is_revision(old, new), "{what}");
        }
    }

    #[test]
    fn an_image_becoming_its_cached_copy_is_not_a_revision() {
        let cached = format!("/media/{}.png", "a".repeat(64));
        let old = version(
            "Kelp",
            "Kelp [k]",
            r#"<p><img src="https://a.example/k.png" alt="k"></p>"#,
        );
        let html = format!(r#"<p><img src="{cached}" alt="k"></p>"#);
        assert!(!is_revision(old, version(old.title, old.text, &html)));
        assert!(
            !is_revision(version(old.title, old.text, &html), old),
            "and back"
        );
        let more = format!(r#"<p><img src="{cached}" alt="k"><img src="{cached}"></p>"#);
        assert!(
            is_revision(old, version(old.title, old.text, &more)),
            "an image more"
        );
    }

    #[test]
    fn tracking_parameters_leave_the_link_and_other_parameters_stay() {
        assert_eq!(
            without_tracking("https://a.example/p?utm_source=x&UTM_Medium=y"),
            "https://a.example/p"
        );
        assert_eq!(
            without_tracking("https://a.example/p?id=3&amp;gclid=z"),
            "https://a.example/p?id=3"
        );
        assert_eq!(without_tracking("/relative?utm_x=1"), "/relative?utm_x=1");
    }

    #[test]
    fn the_oldest_revisions_go_beyond_the_bound() {
        assert_eq!(
            number(&[], 1, 20),
            Numbering {
                added: vec![1],
                dropped: vec![]
            }
        );
        assert_eq!(
            number(&[4, 5, 6], 1, 3),
            Numbering {
                added: vec![7],
                dropped: vec![4]
            }
        );
        // A lowered bound drops more than one.
        assert_eq!(
            number(&[1, 2, 3, 4], 2, 3),
            Numbering {
                added: vec![5, 6],
                dropped: vec![1, 2, 3]
            }
        );
        assert_eq!(
            number(&[2, 3], 1, 0),
            Numbering {
                added: vec![],
                dropped: vec![2, 3]
            }
        );
    }
}
