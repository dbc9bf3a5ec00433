use super::*;
use crate::{CategoryPolicy, FieldSet, Zone};
use syndic_core::TagOrigin;

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
fn detail_names_terms_zones_and_score() {
    let rules = [word("map", &[])];
    assert_eq!(
        details(&rules, "Maps", "map"),
        ["score 3.8 (min 1.5): \"map\" x2 in title, lead"]
    );
    assert_eq!(
        details(&rules, "Other", "a map"),
        ["score 1.8 (min 1.5): \"map\" in lead"]
    );
}

#[test]
fn detail_lists_the_weightiest_term_first() {
    let rules = [word("maps", &["cartography", "map"])];
    let text = "Intro.\n\nA map, a map, a map, then cartography.";
    let details = details(&rules, "", text);
    assert_eq!(details.len(), 1);
    assert!(
        details[0].ends_with(": \"map\" x3 in body; \"cartography\" in body"),
        "{details:?}"
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
    assert_eq!(
        details(&rules, "imapd", "map"),
        ["score 3.8 (min 0.0): \"map\" x2 in title, lead"]
    );
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
fn overlong_terms_are_refused_in_every_mode_and_the_limit_compiles_fast() {
    let long = "a".repeat(MAX_TERM_CHARS + 1);
    for mode in [
        MatchMode::Word,
        MatchMode::Exact,
        MatchMode::Substring,
        MatchMode::Regex,
    ] {
        let rule = TagRule {
            mode,
            ..word("long", &[&long])
        };
        match Tagger::new(&[rule]) {
            Err(TagError::TermTooLong { tag, start, chars }) => {
                assert_eq!((tag.as_str(), chars), ("long", MAX_TERM_CHARS + 1));
                assert_eq!(start.len(), 40);
            }
            other => panic!("{mode:?}: expected TermTooLong, got {other:?}"),
        }
        let rule = TagRule {
            mode,
            ..excluding(word("long", &["x"]), &[&long])
        };
        assert!(matches!(
            Tagger::new(&[rule]),
            Err(TagError::TermTooLong { .. })
        ));
    }
    // At the limit, a repetitive substring term (worst case for the automaton) still builds
    // quickly.
    let started = std::time::Instant::now();
    let at_limit = "a".repeat(MAX_TERM_CHARS);
    assert!(Tagger::new(&[substring("long", &[&at_limit])]).is_ok());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
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

fn with_mode(rule: TagRule, mode: MatchMode) -> TagRule {
    TagRule { mode, ..rule }
}

fn min_score(rule: TagRule, min: f32) -> TagRule {
    TagRule {
        min_score: Some(min),
        ..rule
    }
}

/// About 400 words of prose about nothing in particular, in four paragraphs.
fn filler() -> String {
    let sentence =
        "The team met on Tuesday to talk about the plan for the spring and what to do next. ";
    (0..4)
        .map(|_| sentence.repeat(6))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[test]
fn a_passing_mention_in_a_long_post_does_not_tag() {
    let text = format!(
        "{}\n\nWe also looked at a map once.\n\n{}",
        filler(),
        filler()
    );
    assert!(tags(&[word("map", &[])], "Spring planning", &text).is_empty());
    // min_score 0 keeps the mention-tagging of the spine.
    assert_eq!(
        tags(
            &[min_score(word("map", &[]), 0.0)],
            "Spring planning",
            &text
        ),
        ["map"]
    );
}

#[test]
fn a_post_about_the_term_tags() {
    let text = format!(
        "Our new map of the city is out.\n\n{}\n\nThe map shows every park, and the map \
         legend explains the colours.",
        filler()
    );
    assert_eq!(tags(&[word("map", &[])], "Spring news", &text), ["map"]);
    assert_eq!(tags(&[word("map", &[])], "A new map", &filler()), ["map"]);
}

#[test]
fn mentions_in_link_lists_and_boilerplate_count_little() {
    let text = format!(
        "{}\n\n  • A map\n  • Some news\n  • Other news\n\nSubscribe to our newsletter for \
         more maps, map news and map tips!",
        filler()
    );
    let rules = [word("map", &[])];
    assert!(tags(&rules, "Links", &text).is_empty());
    let explained = tagger(&rules).explain(&post("Links", &text));
    assert_eq!(explained.len(), 1);
    assert!(!explained[0].applied);
    assert_eq!(
        explained[0].matches[0].zones,
        [(Zone::List, 1), (Zone::Boilerplate, 3)]
    );
}

#[test]
fn a_global_min_score_applies_to_rules_without_their_own() {
    let settings = TaggingSettings {
        min_score: Some(10.0),
        ..TaggingSettings::default()
    };
    let rules = [word("map", &[]), min_score(word("rust", &[]), 0.5)];
    let tagger = Tagger::with_settings(&rules, &settings).expect("compiles");
    let tags: Vec<String> = tagger
        .tag(&post("map and rust", ""))
        .into_iter()
        .map(|a| a.tag)
        .collect();
    assert_eq!(tags, ["rust"]);
}

#[test]
fn negative_min_score_is_rejected() {
    let result = Tagger::new(&[min_score(word("map", &[]), -1.0)]);
    assert!(matches!(result, Err(TagError::BadMinScore { tag, .. }) if tag == "map"));
}

#[test]
fn exact_matches_whole_words_without_stemming() {
    let rules = [with_mode(word("go", &["Go"]), MatchMode::Exact)];
    assert_eq!(tags(&rules, "Go 1.23 is out", ""), ["go"]);
    assert!(tags(&rules, "Going places", "").is_empty());
    assert!(tags(&rules, "goes", "").is_empty());
    let phrase = [with_mode(
        word("ml", &["machine learning"]),
        MatchMode::Exact,
    )];
    assert_eq!(tags(&phrase, "Machine-Learning", ""), ["ml"]);
    assert!(tags(&phrase, "machines learning", "").is_empty());
}

#[test]
fn regex_terms_match_case_insensitively_and_count() {
    let rules = [with_mode(
        word("k8s", &[r"\bk(ubernete|8)s\b"]),
        MatchMode::Regex,
    )];
    assert_eq!(tags(&rules, "K8S upgrade", ""), ["k8s"]);
    let explained = tagger(&rules).explain(&post("", "kubernetes, k8s and Kubernetes"));
    assert_eq!(explained[0].matches[0].zones, [(Zone::Lead, 3)]);
    assert!(tags(&rules, "kubernetesy", "").is_empty());
}

#[test]
fn bad_regex_names_tag_and_term() {
    let result = Tagger::new(&[with_mode(word("x", &["(open"]), MatchMode::Regex)]);
    assert!(
        matches!(result, Err(TagError::BadRegex { tag, term, .. }) if tag == "x" && term == "(open")
    );
}

#[test]
fn fields_limit_where_terms_count() {
    let title_only = TagRule {
        fields: FieldSet::TITLE,
        ..word("map", &[])
    };
    assert_eq!(tags(std::slice::from_ref(&title_only), "Maps", ""), ["map"]);
    assert!(tags(&[title_only], "News", "map map map").is_empty());
    let content_only = TagRule {
        fields: FieldSet::CONTENT,
        ..word("map", &[])
    };
    assert!(tags(std::slice::from_ref(&content_only), "Maps", "").is_empty());
    assert_eq!(tags(&[content_only], "News", "map map map"), ["map"]);
}

#[test]
fn posts_are_stemmed_in_their_language() {
    // German stemming takes "Karten" to "kart"; English would leave "karten".
    let rules = [word("karte", &["Karte"])];
    let tagger = tagger(&rules);
    let german = PostText {
        title: "Neue Karten",
        language: Some("de-AT"),
        ..PostText::default()
    };
    assert_eq!(tagger.tag(&german).len(), 1);
    let english = PostText {
        language: Some("en"),
        ..german
    };
    assert!(tagger.tag(&english).is_empty());
}

#[test]
fn undeclared_languages_are_detected() {
    let rules = [word("karte", &["Karte"])];
    let text = "Wir haben die Karten für die Stadt neu gezeichnet, und sie sind nicht mehr \
                so alt wie die von der Stadt. Die Karten sind jetzt auch im Netz.";
    let found = tagger(&rules).tag(&post("Neue Karten", text));
    assert_eq!(found.len(), 1);
}

#[test]
fn the_configured_language_is_the_fallback() {
    let settings = TaggingSettings {
        language: Some("de".into()),
        ..TaggingSettings::default()
    };
    let tagger = Tagger::with_settings(&[word("karte", &["Karte"])], &settings).expect("ok");
    assert_eq!(tagger.tag(&post("Karten", "")).len(), 1);
    let bad = TaggingSettings {
        language: Some("klingon".into()),
        ..TaggingSettings::default()
    };
    assert!(matches!(
        Tagger::with_settings(&[], &bad),
        Err(TagError::UnknownLanguage { .. })
    ));
}

fn category_post<'a>(categories: &'a [String]) -> PostText<'a> {
    PostText {
        title: "Something else",
        categories,
        ..PostText::default()
    }
}

fn category_tags(rules: &[TagRule], policy: CategoryPolicy, categories: &[&str]) -> Vec<String> {
    let settings = TaggingSettings {
        categories: policy,
        ..TaggingSettings::default()
    };
    let categories: Vec<String> = categories.iter().map(|c| (*c).to_owned()).collect();
    Tagger::with_settings(rules, &settings)
        .expect("compiles")
        .tag(&category_post(&categories))
        .into_iter()
        .map(|a| a.tag)
        .collect()
}

#[test]
fn categories_naming_the_vocabulary_give_its_tags() {
    let rules = [
        TagRule {
            aliases: vec!["k8s".into()],
            ..word("Kubernetes", &["kubernetes", "kube"])
        },
        word("map", &["cartography"]),
    ];
    let policy = CategoryPolicy::Vocabulary;
    assert_eq!(
        category_tags(&rules, policy, &["kubernetes!"]),
        ["Kubernetes"]
    );
    assert_eq!(category_tags(&rules, policy, &["K8S"]), ["Kubernetes"]);
    assert_eq!(category_tags(&rules, policy, &["Maps"]), ["map"]);
    assert_eq!(category_tags(&rules, policy, &["Cartography"]), ["map"]);
    assert!(category_tags(&rules, policy, &["Gardening"]).is_empty());
    let explained = tagger(&rules).tag(&category_post(&["Maps".to_owned()]));
    assert_eq!(explained[0].detail, "feed category \"Maps\"");
    assert_eq!(explained[0].origin, TagOrigin::Category);
}

#[test]
fn category_policy_all_and_none() {
    let rules = [word("map", &[])];
    assert_eq!(
        category_tags(
            &rules,
            CategoryPolicy::All,
            &["  Home   Lab ", "MAPS", "home lab"]
        ),
        ["Home Lab", "map"]
    );
    assert!(category_tags(&rules, CategoryPolicy::None, &["map"]).is_empty());
}

#[test]
fn policy_all_skips_categories_without_words_or_with_overlong_slugs() {
    let rules = [word("map", &[])];
    let long = "x".repeat(MAX_CATEGORY_SLUG_CHARS + 1);
    let at_limit = "y".repeat(MAX_CATEGORY_SLUG_CHARS);
    assert_eq!(
        category_tags(
            &rules,
            CategoryPolicy::All,
            &["../..", "!!!", "%", "", &long, &at_limit, "%2f", "a/b"]
        ),
        ["%2f", "a/b", at_limit.as_str()]
    );
}

#[test]
fn policy_all_gives_a_bounded_number_of_tags() {
    let rules = [word("map", &[])];
    let many: Vec<String> = (0..1000).map(|i| format!("cat{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let tags = category_tags(&rules, CategoryPolicy::All, &many);
    assert_eq!(tags.len(), MAX_CATEGORY_TAGS);
    // A vocabulary category still counts towards the bound but is not crowded out when first.
    let mut with_map = vec!["maps"];
    with_map.extend(&many);
    assert!(category_tags(&rules, CategoryPolicy::All, &with_map).contains(&"map".to_owned()));
}

#[test]
fn a_term_finding_and_a_category_give_one_assignment() {
    let categories = vec!["Maps".to_owned()];
    let post = PostText {
        title: "Maps",
        categories: &categories,
        ..PostText::default()
    };
    let found = tagger(&[word("map", &[])]).tag(&post);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].origin, TagOrigin::Term);
}

#[test]
fn explain_reports_candidates_not_applied_with_snippets() {
    let rules = [
        excluding(word("rust", &[]), &["rust belt"]),
        word("map", &[]),
    ];
    let text = format!(
        "{}\n\nHe drove through the Rust Belt with a paper map on the seat beside him.",
        filler()
    );
    let explained = tagger(&rules).explain(&post("Road trip", &text));
    let names: Vec<&str> = explained.iter().map(|e| e.tag.as_str()).collect();
    assert_eq!(names, ["map", "rust"]);
    let map = &explained[0];
    assert!(!map.applied && map.score > 0.0 && map.score < map.min_score);
    assert_eq!(map.matches[0].term, "map");
    assert_eq!(map.matches[0].field, "content");
    assert!(
        map.matches[0].snippet.contains("paper map on the seat"),
        "{map:?}"
    );
    assert!(map.matches[0].snippet.chars().count() <= 84, "{map:?}");
    let rust = &explained[1];
    assert!(!rust.applied);
    assert_eq!(rust.excluded_by.as_deref(), Some("rust belt"));
}

#[test]
fn one_scratch_serves_many_posts_and_taggers() {
    let maps = tagger(&[word("map", &[])]);
    let rust = tagger(&[word("rust", &[])]);
    let mut scratch = Scratch::new();
    for _ in 0..3 {
        assert_eq!(maps.tag_with(&post("maps", ""), &mut scratch).len(), 1);
        assert_eq!(rust.tag_with(&post("maps", ""), &mut scratch).len(), 0);
        assert_eq!(rust.tag_with(&post("rust", ""), &mut scratch).len(), 1);
    }
}
