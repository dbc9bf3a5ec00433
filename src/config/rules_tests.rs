use std::path::Path;

use syndic_tag::{MatchMode, RuleAction, RuleFields};

use crate::config::{Config, ConfigError, Overrides};

const SOURCES: &str = "[[source]]\nurl = \"https://a.example/feed\"\n\
                       [[source]]\nurl = \"https://b.example/feed\"\nonly_tagged = false\n";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(
        &format!("{SOURCES}{text}"),
        Path::new("/srv/syndic.toml"),
        &Overrides::default(),
    )
}

fn key_of(text: &str) -> String {
    parse(text).expect_err("refused").key
}

#[test]
fn rules_read_with_their_defaults_and_sources() {
    let config = parse(
        "[[rule]]\naction = \"block\"\nterms = [\"sponsored\"]\n\
         [[rule]]\nname = \"sympy only\"\naction = \"keep\"\nmatch = \"exact\"\n\
         terms = [\"sympy\"]\nsources = [\"https://b.example/feed\"]\n\
         fields = [\"title\", \"categories\"]\n",
    )
    .expect("valid");
    let [block, keep] = config.rules.as_slice() else {
        panic!("two rules: {:?}", config.rules);
    };
    assert_eq!(block.name, "rule 1");
    assert_eq!(block.action, RuleAction::Block);
    assert_eq!(block.mode, MatchMode::Word);
    assert_eq!(block.fields, RuleFields::default());
    assert!(block.sources.is_empty());
    assert_eq!(keep.name, "sympy only");
    assert_eq!(keep.sources, ["https://b.example/feed"]);
    assert!(keep.fields.title && keep.fields.categories && !keep.fields.content);
    assert!(config.rule_set().is_ok());
}

#[test]
fn only_tagged_is_global_unless_a_source_says_otherwise() {
    let plain = parse("").expect("valid");
    let flags: Vec<bool> = plain.sources.iter().map(|s| s.only_tagged).collect();
    assert_eq!(flags, [false, false]);
    let on = parse("[moderation]\nonly_tagged = true\n").expect("valid");
    let flags: Vec<bool> = on.sources.iter().map(|s| s.only_tagged).collect();
    assert_eq!(flags, [true, false]);
}

#[test]
fn a_bad_rule_names_its_key() {
    let good = "[[rule]]\naction = \"block\"\nterms = [\"x\"]\n";
    assert_eq!(
        key_of(&format!(
            "{good}[[rule]]\naction = \"block\"\nterms = [\"x\"]\nmatch = \"glob\"\n"
        )),
        "rule[2].match"
    );
    assert_eq!(key_of("[[rule]]\nterms = [\"x\"]\n"), "rule[1].action");
    assert_eq!(
        key_of("[[rule]]\naction = \"hide\"\nterms = [\"x\"]\n"),
        "rule[1].action"
    );
    assert_eq!(key_of("[[rule]]\naction = \"keep\"\n"), "rule[1].terms");
    assert_eq!(
        key_of("[[rule]]\naction = \"keep\"\nterms = [\"(\"]\nmatch = \"regex\"\n"),
        "rule[1].terms"
    );
    assert_eq!(
        key_of(&format!(
            "{good}[[rule]]\naction = \"block\"\nterms = [\"x\"]\nfields = [\"summary\"]\n"
        )),
        "rule[2].fields"
    );
    assert_eq!(
        key_of(
            "[[rule]]\naction = \"block\"\nterms = [\"x\"]\nsources = [\"https://c.example/feed\"]\n"
        ),
        "rule[1].sources"
    );
    assert_eq!(
        key_of(&format!(
            "[[rule]]\nname = \"rule 2\"\naction = \"block\"\nterms = [\"y\"]\n{good}"
        )),
        "rule[2].name"
    );
    assert_eq!(
        key_of("[moderation]\nonly_tagged = \"yes\"\n"),
        "moderation.only_tagged"
    );
    let error = Config::parse(
        "[[source]]\nurl = \"https://a.example/feed\"\nonly_tagged = 1\n",
        Path::new("/srv/syndic.toml"),
        &Overrides::default(),
    )
    .expect_err("refused");
    assert_eq!(error.key, "source[1].only_tagged");
}

#[test]
fn the_starter_files_rule_example_parses() {
    let rule = crate::config::tests::uncommented_section("[[rule]]");
    assert!(rule.contains("action = \"block\""), "{rule}");
    let text = format!("[[source]]\nurl = \"https://blog.example.org/feed.xml\"\n{rule}");
    let config = Config::parse(&text, Path::new("/srv/syndic.toml"), &Overrides::default())
        .expect("the example rule parses");
    assert_eq!(config.rules[0].name, "no sponsored posts");
    assert_eq!(
        config.rules[0].sources,
        ["https://blog.example.org/feed.xml"]
    );
}
