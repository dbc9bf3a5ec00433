use super::*;

/// `[` and `]` stand for the markers, so rows read as the pages show them.
fn shown(snippet: &str) -> String {
    snippet.replace(MATCH_START, "[").replace(MATCH_END, "]")
}

fn words_of(query: &[&str]) -> Vec<Vec<String>> {
    query
        .iter()
        .map(|phrase| phrase.split(' ').map(str::to_owned).collect())
        .collect()
}

fn numbered(count: usize) -> String {
    (1..=count)
        .map(|n| format!("w{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn matched_words_are_marked_in_a_window_of_twenty_four_words() {
    let long = format!("{} kelp {}", numbered(40), numbered(40));
    let rows: &[(&str, &[&str], &str)] = &[
        (
            "Kelp grows up to half a metre a day along the cluster of rocks.",
            &["half", "metre"],
            "Kelp grows up to [half] a [metre] a day along the cluster of rocks.",
        ),
        // Stems, case and diacritics: "clusters" finds "cluster", "cafe" finds "Café".
        (
            "A cluster by the Café.",
            &["clusters", "cafe"],
            "A [cluster] by the [Café].",
        ),
        // Only the title matched: the text's start, unmarked.
        (
            "The survey is done; the café by the pier serves tea.",
            &["harbor"],
            "The survey is done; the café by the pier serves tea.",
        ),
        // A phrase is one marked run, punctuation inside it included.
        (
            "<script>alert(1)</script> kelp & tide",
            &["script alert 1 script kelp"],
            "<[script>alert(1)</script> kelp] & tide",
        ),
        // Words of a phrase apart are not the phrase.
        ("tide and pools", &["tide pools"], "tide and pools"),
        // Markers in the text itself are dropped: only ours remain, paired.
        (
            "kelp \u{1}stray\u{2} <mark>",
            &["kelp"],
            "[kelp] stray <mark>",
        ),
        // Words, not substrings: "map" is not in "roadmap".
        ("a roadmap and a map", &["map"], "a roadmap and a [map]"),
        ("", &["kelp"], ""),
    ];
    for (text, query, expected) in rows {
        assert_eq!(
            shown(&snippet(text, &words_of(query))),
            *expected,
            "{text:?} {query:?}"
        );
    }
    // A match deep in a long text: the window is centred on it and cut on both sides.
    let centred = shown(&snippet(&long, &words_of(&["kelp"])));
    assert!(centred.starts_with("…w30 "), "{centred}");
    assert!(centred.contains(" w40 [kelp] w1 "), "{centred}");
    assert!(centred.ends_with(" w12…"), "{centred}");
    assert_eq!(centred.split_whitespace().count(), WINDOW);
}

#[test]
fn a_window_starts_at_the_sentence_of_its_match_when_that_scores_as_well() {
    let text = format!("{}. Kelp forests grow fast. {}", numbered(30), numbered(30));
    let shown = shown(&snippet(&text, &words_of(&["forests"])));
    assert!(
        shown.starts_with("…[Kelp]") || shown.starts_with("…Kelp [forests]"),
        "{shown}"
    );
}

#[test]
fn the_window_with_the_most_distinct_words_wins() {
    let text = format!("kelp {} kelp tide {}", numbered(40), numbered(40));
    let shown = shown(&snippet(&text, &words_of(&["kelp", "tide"])));
    assert!(shown.contains("[kelp] [tide]"), "{shown}");
    assert!(shown.starts_with('…'), "{shown}");
}

#[test]
fn markers_always_pair_up_whatever_the_text() {
    let texts = [
        "\u{1}\u{1}\u{2}",
        "kelp\u{2}kelp\u{1}",
        "KELP kelp kelps kelp.",
        "x \u{301}kelp\u{301} y",
    ];
    for text in texts {
        let out = snippet(text, &words_of(&["kelp"]));
        let mut open = false;
        for c in out.chars() {
            match c {
                MATCH_START => {
                    assert!(!open, "{out:?}");
                    open = true;
                }
                MATCH_END => {
                    assert!(open, "{out:?}");
                    open = false;
                }
                _ => {}
            }
        }
        assert!(!open, "{out:?}");
    }
}
