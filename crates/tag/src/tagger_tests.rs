use super::*;

fn word(name: &str, terms: &[&str]) -> TagRule {
    TagRule::new(name, terms)
}

fn substring(name: &str, terms: &[&str]) -> TagRule {
    TagRule {
        mode: MatchMode::Substring,
        ..word(name, terms)
    }
}

fn excluding(rule: TagRule, exclude: &[&str]) -> TagRule {
    TagRule {
        exclude: exclude.iter().map(|t| (*t).to_owned()).collect(),
        ..rule
    }
}

fn post<'a>(title: &'a str, text: &'a str) -> PostText<'a> {
    PostText {
        title,
        text,
        ..PostText::default()
    }
}

fn tagger(rules: &[TagRule]) -> Tagger {
    Tagger::new(rules).expect("vocabulary compiles")
}

/// The tag names `rules` give a post.
fn tags(rules: &[TagRule], title: &str, text: &str) -> Vec<String> {
    tagger(rules)
        .tag(&post(title, text))
        .into_iter()
        .map(|a| a.tag)
        .collect()
}

/// The details of the assignments `rules` give a post.
fn details(rules: &[TagRule], title: &str, text: &str) -> Vec<String> {
    tagger(rules)
        .tag(&post(title, text))
        .into_iter()
        .map(|a| a.detail)
        .collect()
}

fn map_tags(text: &str) -> bool {
    !tags(&[word("map", &[])], "", text).is_empty()
}

#[test]
fn word_map_matches_inflections_and_case() {
    for text in ["map", "Maps", "mapped", "mapping", "a MAP of"] {
        assert!(map_tags(text), "{text:?} should be tagged map");
    }
}

#[test]
fn word_map_matches_next_to_punctuation() {
    for text in [
        "map.",
        "(map)",
        "map’s",
        "map's",
        "\"map\"",
        "map/territory",
        "—map—",
    ] {
        assert!(map_tags(text), "{text:?} should be tagged map");
    }
}

#[test]
fn map_archive_skips_roadmap_imapd_heatmaps() {
    for text in [
        "roadmap",
        "imapd",
        "heatmaps",
        "sitemap",
        "mapreduce",
        "mapred",
    ] {
        assert!(!map_tags(text), "{text:?} must not be tagged map");
    }
}

#[test]
fn code_identifiers_never_match() {
    for text in [
        "mapSeries",
        "map_reduce",
        "_map",
        "map2",
        "Array.prototype.mapFn",
    ] {
        assert!(!map_tags(text), "{text:?} must not be tagged map");
    }
}

#[test]
fn urls_never_match() {
    for text in [
        "https://example.com/map/x",
        "see http://maps.example.org",
        "(https://x.org/map)",
        "mirror:ftp://host/map",
    ] {
        assert!(!map_tags(text), "{text:?} must not be tagged map");
    }
}

#[test]
fn a_word_beside_a_url_still_matches() {
    assert!(map_tags("the map https://example.com/x"));
    assert!(map_tags("https://example.com/x has a map"));
}

#[test]
fn phrase_matches_consecutive_words_in_any_case() {
    let rules = [word("Machine Learning", &[])];
    assert_eq!(
        tags(&rules, "", "Intro to MACHINE LEARNING"),
        ["Machine Learning"]
    );
    assert!(tags(&rules, "", "learning machine").is_empty());
    assert!(tags(&rules, "", "machine for learning").is_empty());
}

#[test]
fn phrase_matches_across_a_hyphen() {
    let rules = [word("ml", &["machine learning"])];
    assert_eq!(tags(&rules, "", "machine-learning models"), ["ml"]);
    let hyphenated = [word("ml", &["machine-learning"])];
    assert_eq!(tags(&hyphenated, "", "Machine Learning"), ["ml"]);
}

#[test]
fn phrase_words_are_stemmed() {
    let rules = [word("fsm", &["state machine"])];
    assert_eq!(tags(&rules, "", "two state machines"), ["fsm"]);
    let plural = [word("fsm", &["state machines"])];
    assert_eq!(tags(&plural, "", "a State Machine"), ["fsm"]);
}

#[test]
fn phrase_does_not_run_from_title_into_text() {
    let rules = [word("fsm", &["state machine"])];
    assert!(tags(&rules, "All about state", "Machine rooms").is_empty());
    assert_eq!(tags(&rules, "A state machine", ""), ["fsm"]);
}

#[test]
fn detail_names_term_and_field() {
    let rules = [word("map", &[])];
    assert_eq!(details(&rules, "Maps", "map"), ["\"map\" in title"]);
    assert_eq!(details(&rules, "Other", "a map"), ["\"map\" in content"]);
}

#[test]
fn detail_is_the_first_match_in_reading_order() {
    let rules = [word("maps", &["cartography", "map"])];
    assert_eq!(
        details(&rules, "", "a map, then cartography"),
        ["\"map\" in content"]
    );
    assert_eq!(
        details(&rules, "Cartography", "map"),
        ["\"cartography\" in title"]
    );
}

#[test]
fn assignments_are_term_assignments() {
    let assignments = tagger(&[word("map", &[])]).tag(&post("map", ""));
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0].origin, TagOrigin::Term);
    assert_eq!(assignments[0].tag, "map");
}

#[test]
fn substring_reproduces_raw_matching() {
    assert_eq!(tags(&[substring("map", &[])], "", "our roadmap"), ["map"]);
    let rules = [substring("troubleshooting", &["troubleshoot"])];
    assert_eq!(
        tags(&rules, "", "TROUBLESHOOTING GUIDE"),
        ["troubleshooting"]
    );
    assert!(tags(&[substring("map", &[])], "", "mop").is_empty());
}

#[test]
fn substring_detail_names_term_and_field() {
    let rules = [substring("map", &[])];
    assert_eq!(details(&rules, "imapd", "map"), ["\"map\" in title"]);
}

#[test]
fn substring_accepts_symbols() {
    let rules = [substring("cpp", &["C++"])];
    assert_eq!(tags(&rules, "", "modern c++ code"), ["cpp"]);
}

#[test]
fn exclude_vetoes_word_tags() {
    let rules = [excluding(word("rust", &[]), &["rust belt"])];
    assert_eq!(tags(&rules, "Rust 1.90", ""), ["rust"]);
    assert!(tags(&rules, "Rust in the Rust Belt", "").is_empty());
}

#[test]
fn exclude_in_title_vetoes_match_in_text() {
    let rules = [excluding(word("rust", &[]), &["corrosion"])];
    assert!(tags(&rules, "Corrosion", "rust everywhere").is_empty());
    assert!(tags(&rules, "Rust", "and corroding").len() == 1);
}

#[test]
fn exclude_vetoes_substring_tags() {
    let rules = [excluding(substring("map", &[]), &["roadmap"])];
    assert_eq!(tags(&rules, "", "a map"), ["map"]);
    assert!(tags(&rules, "", "the ROADMAP").is_empty());
    assert!(tags(&rules, "", "a map and a roadmap").is_empty());
}

#[test]
fn exclude_of_one_tag_leaves_others() {
    let rules = [
        excluding(word("rust", &[]), &["belt"]),
        word("belts", &["belt"]),
    ];
    assert_eq!(tags(&rules, "", "rust belt"), ["belts"]);
}

#[test]
fn several_tags_come_sorted_by_name() {
    let rules = [word("zeta", &[]), word("alpha", &[]), word("mid", &[])];
    assert_eq!(tags(&rules, "mid zeta", "alpha"), ["alpha", "mid", "zeta"]);
}

#[test]
fn each_tag_is_given_once() {
    let rules = [word("map", &["map", "maps", "cartography"])];
    assert_eq!(tags(&rules, "Maps", "map map cartography maps"), ["map"]);
}

#[test]
fn word_and_substring_rules_mix() {
    let rules = [word("map", &[]), substring("imap", &[]), word("mail", &[])];
    assert_eq!(tags(&rules, "imapd maps", ""), ["imap", "map"]);
}

#[test]
fn unicode_words_match_case_insensitively() {
    let rules = [
        word("Straße", &[]),
        word("café", &[]),
        word("Überwachung", &[]),
    ];
    assert_eq!(tags(&rules, "STRASSE", ""), ["Straße"]);
    assert_eq!(tags(&rules, "Die straße", ""), ["Straße"]);
    assert_eq!(tags(&rules, "Un CAFÉ", ""), ["café"]);
    assert_eq!(tags(&rules, "", "ÜBERWACHUNG überall"), ["Überwachung"]);
}

#[test]
fn unicode_word_boundaries_hold() {
    let rules = [word("café", &[])];
    assert!(tags(&rules, "cafétéria", "").is_empty());
    assert!(tags(&[word("οδός", &[])], "ΟΔΌΣ", "").len() == 1);
}

#[test]
fn typographic_apostrophes_match_plain_ones() {
    assert_eq!(tags(&[word("dont", &["don't"])], "", "I don’t"), ["dont"]);
}

#[test]
fn terms_with_digits_match_whole() {
    let rules = [word("ipv6", &["IPv6"])];
    assert_eq!(tags(&rules, "", "Enable ipv6 now"), ["ipv6"]);
    assert!(tags(&rules, "", "ipv64").is_empty());
}

#[test]
fn odd_text_does_not_panic() {
    let rules = [word("map", &[]), substring("Σ", &[])];
    let text = "\u{0}\u{202E}ΣΑΣ ﬁ İ 🦀 ’’ ' https:// :// \u{301}map\u{301} 日本語";
    let _ = tagger(&rules).tag(&post(text, text));
    let _ = tagger(&rules).tag(&post("", ""));
}

#[test]
fn empty_vocabulary_gives_no_tags() {
    assert!(tags(&[], "map", "map").is_empty());
}

#[test]
fn empty_name_is_rejected() {
    assert!(matches!(
        Tagger::new(&[word(" ", &["map"])]),
        Err(TagError::EmptyName)
    ));
}

#[test]
fn names_sharing_a_slug_are_rejected() {
    let result = Tagger::new(&[word("Machine Learning", &[]), word("machine-learning", &[])]);
    match result {
        Err(TagError::DuplicateTag {
            first,
            second,
            slug,
        }) => {
            assert_eq!(
                (first.as_str(), second.as_str()),
                ("Machine Learning", "machine-learning")
            );
            assert_eq!(slug, "machine-learning");
        }
        other => panic!("expected DuplicateTag, got {other:?}"),
    }
}

#[test]
fn empty_term_names_its_tag() {
    let result = Tagger::new(&[word("map", &["maps", ""])]);
    assert!(matches!(result, Err(TagError::EmptyTerm { tag }) if tag == "map"));
    let result = Tagger::new(&[excluding(substring("map", &[]), &[" "])]);
    assert!(matches!(result, Err(TagError::EmptyTerm { tag }) if tag == "map"));
}

#[test]
fn word_term_without_words_names_tag_and_term() {
    let result = Tagger::new(&[word("dashes", &["--"])]);
    assert!(matches!(
        result,
        Err(TagError::TermWithoutWords { tag, term }) if tag == "dashes" && term == "--"
    ));
}

#[test]
fn word_term_with_symbols_is_rejected() {
    let result = Tagger::new(&[word("C++", &[])]);
    assert!(matches!(
        result,
        Err(TagError::TermWithSymbols { symbol: '+', .. })
    ));
}

#[test]
fn rules_are_kept_as_given() {
    let rules = [word("zeta", &[]), substring("alpha", &["a"])];
    assert_eq!(tagger(&rules).rules(), rules);
}

#[test]
fn tagger_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Tagger>();
}

#[test]
fn errors_read_on_their_own() {
    let error = Tagger::new(&[word("cpp", &["C++"])]).expect_err("symbols rejected");
    assert_eq!(
        error.to_string(),
        "term \"C++\" of tag \"cpp\" contains '+', which word matching treats as a space; \
         write the term as words or give the tag match = \"substring\" or \"regex\""
    );
}
