//! Word families through the whole tagger: what another form of a term gives, what it does
//! not, and how `explain` names it.

use crate::{Explanation, PostText, TagRule, Tagger};

fn security() -> TagRule {
    TagRule::new("security", &["security", "hacker"])
}

fn explain(rules: &[TagRule], title: &str, text: &str) -> Vec<Explanation> {
    let post = PostText {
        title,
        text,
        ..PostText::default()
    };
    Tagger::new(rules).expect("compiles").explain(&post)
}

fn tags(rules: &[TagRule], title: &str, text: &str) -> Vec<String> {
    let post = PostText {
        title,
        text,
        ..PostText::default()
    };
    let tagger = Tagger::new(rules).expect("compiles");
    tagger.tag(&post).into_iter().map(|a| a.tag).collect()
}

const HACKED: &str = "Our shop was hacked last week. We restored a backup and found how they \
                      hacked in: an old plugin nobody had updated in years.";

#[test]
fn another_form_of_a_term_gives_the_tag_and_says_which() {
    let post = PostText {
        title: "Hacked",
        text: HACKED,
        ..PostText::default()
    };
    let tagger = Tagger::new(&[security()]).expect("compiles");
    let given = tagger.tag(&post);
    assert_eq!(given.len(), 1);
    assert!(
        given[0]
            .detail
            .contains(r#""hacker" as "Hacked" x3 in title"#),
        "{}",
        given[0].detail
    );
    let why = tagger.explain(&post);
    assert_eq!(why[0].matches[0].form.as_deref(), Some("Hacked"));
}

#[test]
fn another_form_counts_less_than_the_term_itself() {
    let form = explain(&[security()], "", HACKED);
    let own = explain(&[security()], "", &HACKED.replace("hacked", "hacker"));
    assert!(form[0].score > 0.0 && form[0].score < own[0].score);
    assert_eq!(own[0].matches[0].form, None);
}

#[test]
fn a_word_a_term_of_the_tag_matches_is_not_counted_again_as_a_form() {
    let rule = TagRule::new("security", &["hack", "hacker"]);
    let why = explain(&[rule], "Hacked", HACKED);
    assert_eq!(why[0].matches.len(), 1, "{:?}", why[0].matches);
    assert_eq!(why[0].matches[0].term, "hack");
}

#[test]
fn a_phrase_matches_its_words_written_together() {
    let rule = TagRule::new("open source", &["open source"]);
    assert_eq!(
        tags(&[rule], "Opensource at last", "The code is opensource now."),
        ["open source"]
    );
}

#[test]
fn acronyms_and_excludes_stay_literal() {
    let games = TagRule::new("games", &["game"]);
    assert!(tags(&[games], "GAM models", "We fit a GAM, then another GAM.").is_empty());
    let mut vetoed = security();
    vetoed.terms = vec!["security".into()];
    vetoed.exclude = vec!["hacker".into()];
    let why = explain(
        &[vetoed],
        "Security",
        &format!("Security matters. {HACKED}"),
    );
    assert!(why[0].applied && why[0].excluded_by.is_none());
}

#[test]
fn other_languages_keep_exact_stems() {
    let post = PostText {
        title: "Hacked",
        text: HACKED,
        language: Some("de"),
        ..PostText::default()
    };
    let tagger = Tagger::new(&[security()]).expect("compiles");
    let why = tagger.explain(&post);
    assert!(
        why.iter()
            .flat_map(|e| &e.matches)
            .all(|m| m.form.is_none())
    );
}
