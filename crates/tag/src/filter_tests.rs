use super::*;

fn rule(name: &str, action: RuleAction, terms: &[&str]) -> FilterRule {
    FilterRule {
        name: name.into(),
        action,
        sources: Vec::new(),
        mode: MatchMode::Word,
        terms: terms.iter().map(|t| (*t).to_owned()).collect(),
        fields: RuleFields::default(),
    }
}

fn for_source(mut rule: FilterRule, source: &str) -> FilterRule {
    rule.sources = vec![source.into()];
    rule
}

fn filtered(rule: &str) -> Admission {
    Admission::Filter { rule: rule.into() }
}

const A: &str = "https://a.example/feed";
const B: &str = "https://b.example/feed";

#[test]
fn the_decision_follows_block_then_keep_then_only_tagged() {
    let block = rule("no-ads", RuleAction::Block, &["sponsored"]);
    let keep = rule("sympy only", RuleAction::Keep, &["sympy"]);
    let keep_a = for_source(rule("rust on a", RuleAction::Keep, &["rust"]), A);
    let block_b = for_source(rule("b quiet", RuleAction::Block, &["noise"]), B);
    // (rules, matched, source, only_tagged, tagged) → admission
    #[allow(clippy::type_complexity)]
    let cases: Vec<(Vec<FilterRule>, Vec<bool>, &str, bool, bool, Admission)> = vec![
        (vec![], vec![], A, false, false, Admission::Publish),
        (
            vec![block.clone()],
            vec![false],
            A,
            false,
            false,
            Admission::Publish,
        ),
        (
            vec![block.clone()],
            vec![true],
            A,
            false,
            false,
            filtered("no-ads"),
        ),
        // A block rule wins over a keep rule the post matches.
        (
            vec![keep.clone(), block.clone()],
            vec![true, true],
            A,
            false,
            true,
            filtered("no-ads"),
        ),
        (
            vec![keep.clone()],
            vec![false],
            A,
            false,
            true,
            filtered("sympy only"),
        ),
        (
            vec![keep.clone()],
            vec![true],
            A,
            false,
            false,
            Admission::Publish,
        ),
        // Any keep rule of the source will do; the first is named when none matched.
        (
            vec![keep.clone(), keep_a.clone()],
            vec![false, true],
            A,
            false,
            false,
            Admission::Publish,
        ),
        (
            vec![keep_a.clone(), keep.clone()],
            vec![false, false],
            A,
            false,
            false,
            filtered("rust on a"),
        ),
        // A rule limited to other sources neither hides nor keeps.
        (
            vec![keep_a.clone()],
            vec![false],
            B,
            false,
            false,
            Admission::Publish,
        ),
        (
            vec![block_b.clone()],
            vec![true],
            A,
            false,
            false,
            Admission::Publish,
        ),
        (
            vec![block_b.clone()],
            vec![true],
            B,
            false,
            false,
            filtered("b quiet"),
        ),
        // only_tagged comes last.
        (vec![], vec![], A, true, false, filtered(ONLY_TAGGED)),
        (vec![], vec![], A, true, true, Admission::Publish),
        (
            vec![keep.clone()],
            vec![false],
            A,
            true,
            false,
            filtered("sympy only"),
        ),
        (
            vec![block],
            vec![false],
            A,
            true,
            false,
            filtered(ONLY_TAGGED),
        ),
    ];
    for (i, (rules, matched, url, only_tagged, tagged, expected)) in cases.into_iter().enumerate() {
        let source = FilterSource { url, only_tagged };
        assert_eq!(
            decide(&rules, &matched, source, tagged),
            expected,
            "case {i}"
        );
    }
}

#[test]
fn rules_match_with_the_tag_matchers_on_any_mention() {
    let mut link = rule("tracker", RuleAction::Block, &["utm_source="]);
    link.mode = MatchMode::Substring;
    link.fields = RuleFields::from_names(["link"]).expect("fields");
    let mut author = rule("bot", RuleAction::Block, &["newsbot"]);
    author.mode = MatchMode::Exact;
    author.fields = RuleFields::from_names(["author"]).expect("fields");
    let mut category = rule("sponsored", RuleAction::Block, &["sponsored"]);
    category.fields = RuleFields::from_names(["categories"]).expect("fields");
    let mut title = rule("title map", RuleAction::Block, &["map"]);
    title.fields = RuleFields::from_names(["title"]).expect("fields");
    let filter = RuleSet::compile(vec![link, author, category, title], None).expect("compiles");
    let categories = ["Sponsored".to_owned()];
    let post = FilterPost {
        title: "Roadmap",
        text: "Maps of the world.",
        author: Some("NewsBot"),
        categories: &categories,
        link: Some("https://a.example/p?utm_source=x"),
        language: None,
    };
    // Word matching finds neither "map" in "Roadmap" nor the content's "Maps" (title only).
    assert_eq!(filter.matches(&post), [true, true, true, false]);
    let quiet = FilterPost {
        title: "Maps",
        ..FilterPost::default()
    };
    assert_eq!(filter.matches(&quiet), [false, false, false, true]);
}

#[test]
fn a_compiled_filter_names_the_first_rule_that_decided() {
    let rules = vec![
        rule("ads", RuleAction::Block, &["sponsored"]),
        rule("spam", RuleAction::Block, &["casino"]),
    ];
    let filter = RuleSet::compile(rules, None).expect("compiles");
    let post = FilterPost {
        title: "Casino night, sponsored",
        ..FilterPost::default()
    };
    let source = FilterSource::default();
    assert_eq!(filter.decide(&post, source, false), filtered("ads"));
    let (checks, verdict) = filter.explain(&post, source, false);
    assert_eq!(verdict, filtered("ads"));
    assert!(checks.iter().all(|c| c.applies && c.matched), "{checks:?}");
}

#[test]
fn bad_rules_name_the_rule_and_key() {
    let twin = vec![
        rule("ads", RuleAction::Block, &["x"]),
        rule("Ads", RuleAction::Block, &["y"]),
    ];
    let e = RuleSet::compile(twin, None).expect_err("refused");
    assert_eq!((e.rule, e.key), (Some(1), VocabularyKey::Name));
    let mut regex = rule("bad", RuleAction::Block, &["(unclosed"]);
    regex.mode = MatchMode::Regex;
    regex.fields = RuleFields::from_names(["link"]).expect("fields");
    let good = rule("good", RuleAction::Keep, &["fine"]);
    let e = RuleSet::compile(vec![good, regex], None).expect_err("refused");
    assert_eq!((e.rule, e.key), (Some(1), VocabularyKey::Terms));
}

#[test]
fn fields_are_named_from_the_five() {
    assert_eq!(
        RuleFields::from_names(["title", "content"]),
        Ok(RuleFields::default())
    );
    assert!(RuleFields::from_names(["summary"]).is_err());
    assert!(RuleFields::from_names([]).is_err());
}

#[test]
fn only_vocabulary_tags_not_source_tags_count_as_earned() {
    let vocabulary = Tagger::new(&[TagRule::new("sympy", &[])]).expect("compiles");
    assert!(earns_vocabulary_tag(
        &vocabulary,
        [("SymPy", TagOrigin::Term)]
    ));
    assert!(earns_vocabulary_tag(
        &vocabulary,
        [("sympy", TagOrigin::Manual)]
    ));
    assert!(!earns_vocabulary_tag(
        &vocabulary,
        [("sympy", TagOrigin::Source)]
    ));
    assert!(!earns_vocabulary_tag(
        &vocabulary,
        [("python", TagOrigin::Category)]
    ));
}
