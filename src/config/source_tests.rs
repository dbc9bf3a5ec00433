//! `[[source]]` keys: read, checked with their key path, secrets from the environment.

use std::path::Path;
use std::time::Duration;

use syndic_store::UpdatePolicy;
use syndic_tag::CategoryPolicy;

use super::super::tests::uncommented_section;
use crate::config::{Config, ConfigError, Overrides};

/// The environment these tests see: two variables, nothing else.
fn env(name: &str) -> Option<String> {
    match name {
        "FEED_TOKEN" => Some("token-7f3a".to_owned()),
        "FEED_PASSWORD" => Some("pw-91c2".to_owned()),
        _ => None,
    }
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse_with_env(
        text,
        Path::new("/etc/syndic/syndic.toml"),
        &Overrides::default(),
        &env,
    )
}

fn source(keys: &str) -> Result<Config, ConfigError> {
    parse(&format!(
        "[[source]]\nurl = \"https://feeds.example/blog.xml\"\n{keys}\n"
    ))
}

fn error_of(keys: &str) -> ConfigError {
    match source(keys) {
        Ok(_) => panic!("{keys:?} was accepted"),
        Err(e) => e,
    }
}

#[test]
fn the_starter_files_source_example_is_valid() {
    let example = uncommented_section("[[source]]");
    for key in [
        "user_agent",
        "headers",
        "password_env",
        "attribution",
        "updates",
        "honor_deletions",
        "priority",
    ] {
        assert!(example.contains(key), "{key} missing from {example}");
    }
    let config = parse(&example).expect("the example parses");
    let source = &config.sources[0];
    assert_eq!(
        source.request.user_agent.as_deref(),
        Some("Mozilla/5.0 (compatible; syndic)")
    );
    assert_eq!(source.request.headers.len(), 1);
    assert_eq!(source.request.headers[0].name(), "x-token");
    assert_eq!(
        source
            .request
            .basic_auth
            .as_ref()
            .map(|a| a.password.as_str()),
        Some("pw-91c2")
    );
    assert_eq!(source.request.timeout, Some(Duration::from_secs(30)));
    assert!(!source.settings.paused);
    assert_eq!(source.settings.updates, UpdatePolicy::Follow);
    assert_eq!(
        source.settings.attribution.as_deref(),
        Some(syndic_core::DEFAULT_ATTRIBUTION)
    );
    assert!(!source.settings.credit_original);
    assert!(!source.settings.honor_deletions);
    assert_eq!(source.settings.priority, 0);
    assert_eq!(source.categories, Some(CategoryPolicy::Vocabulary));
}

#[test]
fn settings_are_read_into_typed_values() {
    let config = source(
        "paused = true\nupdates = \"freeze\"\ncredit_original = true\ncategories = \"none\"\n\
         honor_deletions = true\npriority = -3\n\
         attribution = \"{title} via {source}: {link}\"\ntimeout = \"2m\"",
    )
    .expect("valid source");
    let source = &config.sources[0];
    assert!(source.settings.paused && source.settings.credit_original);
    assert!(source.settings.honor_deletions);
    assert_eq!(source.settings.priority, -3);
    assert_eq!(source.settings.updates, UpdatePolicy::Freeze);
    assert_eq!(source.categories, Some(CategoryPolicy::None));
    assert_eq!(source.request.timeout, Some(Duration::from_secs(120)));
    assert!(source.request.headers.is_empty() && source.request.basic_auth.is_none());
}

#[test]
fn secrets_come_from_the_environment_and_never_show() {
    let config = source(
        "headers = { \"X-Token\" = \"env:FEED_TOKEN\" }\nusername = \"ada\"\npassword_env = \"FEED_PASSWORD\"",
    )
    .expect("valid source");
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("token-7f3a") && !shown.contains("pw-91c2"),
        "{shown}"
    );
    assert!(shown.contains("x-token"), "{shown}");

    let missing = error_of("headers = { \"X-Token\" = \"env:NO_SUCH_TOKEN\" }");
    assert_eq!(missing.key, "source[1].headers.X-Token");
    assert!(missing.problem.contains("NO_SUCH_TOKEN"), "{missing}");
    let missing = error_of("username = \"ada\"\npassword_env = \"NO_SUCH_PASSWORD\"");
    assert_eq!(missing.key, "source[1].password_env");
    assert!(missing.problem.contains("NO_SUCH_PASSWORD"), "{missing}");
}

#[test]
fn bad_values_are_refused_with_their_key_path() {
    let cases = [
        ("user_agent = 5", "source[1].user_agent"),
        ("user_agent = \"\"", "source[1].user_agent"),
        ("headers = \"X-Token: 1\"", "source[1].headers"),
        (
            "headers = { Host = \"evil.example\" }",
            "source[1].headers.Host",
        ),
        (
            "headers = { Connection = \"close\" }",
            "source[1].headers.Connection",
        ),
        (
            "headers = { Transfer-Encoding = \"chunked\" }",
            "source[1].headers.Transfer-Encoding",
        ),
        (
            "headers = { \"Bad Name\" = \"x\" }",
            "source[1].headers.Bad Name",
        ),
        ("headers = { X-Token = 5 }", "source[1].headers.X-Token"),
        (
            "headers = { X-Token = \"a\\nb\" }",
            "source[1].headers.X-Token",
        ),
        (
            "headers = { X-Token = \"env:\" }",
            "source[1].headers.X-Token",
        ),
        ("username = \"ada\"", "source[1].password_env"),
        ("password_env = \"FEED_PASSWORD\"", "source[1].username"),
        (
            "username = \"a:b\"\npassword_env = \"FEED_PASSWORD\"",
            "source[1].username",
        ),
        (
            "username = \"ada\"\npassword_env = \"FEED_PASSWORD\"\nheaders = { Authorization = \"Bearer x\" }",
            "source[1].headers",
        ),
        ("timeout = \"soon\"", "source[1].timeout"),
        ("timeout = \"0s\"", "source[1].timeout"),
        ("timeout = 30", "source[1].timeout"),
        ("paused = \"yes\"", "source[1].paused"),
        ("credit_original = 1", "source[1].credit_original"),
        ("honor_deletions = \"yes\"", "source[1].honor_deletions"),
        ("priority = \"high\"", "source[1].priority"),
        ("priority = 1.5", "source[1].priority"),
        ("updates = \"sometimes\"", "source[1].updates"),
        ("attribution = \"By {writer}\"", "source[1].attribution"),
        ("attribution = \"By {author\"", "source[1].attribution"),
        ("categories = \"some\"", "source[1].categories"),
    ];
    for (keys, key) in cases {
        let error = error_of(keys);
        assert_eq!(error.key, key, "{keys}: {error}");
        assert!(!error.fix.is_empty(), "{keys}: {error}");
        assert!(!error.to_string().contains("token-7f3a"));
    }
}

#[test]
fn basic_auth_needs_https_or_this_machine() {
    let over_http = parse(
        "[[source]]\nurl = \"http://feeds.example/blog.xml\"\nusername = \"ada\"\npassword_env = \"FEED_PASSWORD\"\n",
    )
    .expect_err("basic auth over plain http is refused");
    assert_eq!(over_http.key, "source[1].username");
    assert!(over_http.problem.contains("unencrypted"), "{over_http}");
    for url in [
        "http://127.0.0.1:8080/feed.xml",
        "http://localhost/feed.xml",
    ] {
        let config = parse(&format!(
            "[[source]]\nurl = \"{url}\"\nusername = \"ada\"\npassword_env = \"FEED_PASSWORD\"\n"
        ))
        .expect("basic auth to this machine");
        assert!(config.sources[0].request.basic_auth.is_some());
    }
}

#[test]
fn a_sources_own_settings_default_to_nothing() {
    let config = source("").expect("valid source");
    let source = &config.sources[0];
    assert_eq!(source.settings, syndic_store::SourceSettings::default());
    assert!(source.request.user_agent.is_none() && source.request.timeout.is_none());
    assert_eq!(source.categories, None);
}
