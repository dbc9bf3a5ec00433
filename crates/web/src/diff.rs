//! What changed between two versions of a post, word by word, as HTML: `<del>` around
//! the words the newer version dropped, `<ins>` around those it added, everything else
//! as it was. Every word is escaped, so the output carries no markup of the post's own.
//!
//! The comparison is `similar`'s word diff (whitespace runs are tokens too, so line
//! breaks survive for a `white-space: pre-wrap` block), bounded in time so that a huge
//! rewrite gives a coarser diff, never a slow page.

use std::time::Duration;

use similar::{ChangeTag, TextDiff};

use crate::render::escape_html;

/// The longest a diff may take before it settles for a coarser answer.
const DIFF_TIMEOUT: Duration = Duration::from_millis(200);

/// `old` to `new` as escaped HTML with `<del>`/`<ins>` around what changed.
pub(crate) fn word_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_words(old, new);
    let changes: Vec<(ChangeTag, &str)> = diff
        .iter_all_changes()
        .map(|change| (change.tag(), change.value()))
        .collect();
    let mut html = String::with_capacity(new.len() + new.len() / 4);
    let mut at = 0;
    while at < changes.len() {
        if changes[at].0 == ChangeTag::Equal {
            // Writing into a String cannot fail.
            let _ = escape_html(&mut html, changes[at].1);
            at += 1;
            continue;
        }
        let end = changed_run_end(&changes, at);
        mark(&mut html, "del", &changes[at..end], ChangeTag::Delete);
        mark(&mut html, "ins", &changes[at..end], ChangeTag::Insert);
        at = end;
    }
    html
}

/// Where the run of changes starting at `start` ends: a space between two changed words
/// belongs to the run, so that a replaced phrase reads as one deletion and one insertion.
fn changed_run_end(changes: &[(ChangeTag, &str)], start: usize) -> usize {
    let mut end = start;
    loop {
        while end < changes.len() && changes[end].0 != ChangeTag::Equal {
            end += 1;
        }
        let gap = end < changes.len() && changes[end].1.trim().is_empty();
        let changed_after = changes
            .get(end + 1)
            .is_some_and(|(tag, _)| *tag != ChangeTag::Equal);
        if !(gap && changed_after) {
            return end;
        }
        end += 1;
    }
}

/// The run's words of one side (`side`, and the spaces inside the run) in `<tag>`.
fn mark(html: &mut String, tag: &str, run: &[(ChangeTag, &str)], side: ChangeTag) {
    let text: String = run
        .iter()
        .filter(|(t, _)| *t == side || *t == ChangeTag::Equal)
        .map(|(_, value)| *value)
        .collect();
    if text.trim().is_empty() {
        return;
    }
    html.push('<');
    html.push_str(tag);
    html.push('>');
    // Writing into a String cannot fail.
    let _ = escape_html(html, &text);
    html.push_str("</");
    html.push_str(tag);
    html.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks_change(html: &str) -> bool {
        html.contains("<ins>") || html.contains("<del>")
    }

    #[test]
    fn changed_words_are_marked_and_the_rest_kept() {
        assert_eq!(
            word_diff(
                "Kelp grows fast in cold water.",
                "Kelp grows very fast in warm water."
            ),
            "Kelp grows <ins>very </ins>fast in <del>cold</del><ins>warm</ins> water."
        );
    }

    #[test]
    fn a_replaced_phrase_is_one_deletion_and_one_insertion() {
        assert_eq!(
            word_diff("the quick brown fox", "the slow grey fox"),
            "the <del>quick brown</del><ins>slow grey</ins> fox"
        );
    }

    #[test]
    fn markup_in_either_version_is_escaped_never_passed_on() {
        let html = word_diff("a <b>x</b> & y", "a <script>alert(1)</script> & y");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("&amp; y"), "{html}");
        assert!(marks_change(&html));
    }

    #[test]
    fn equal_versions_mark_nothing_and_line_breaks_stay() {
        let text = "First line.\n\nSecond line.";
        assert_eq!(word_diff(text, text), text);
        assert!(!marks_change(&word_diff(text, text)));
        assert_eq!(word_diff("", "new"), "<ins>new</ins>");
        assert_eq!(word_diff("old", ""), "<del>old</del>");
    }
}
