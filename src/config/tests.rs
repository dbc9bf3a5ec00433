use std::path::Path;

use super::*;
use syndic_fetch::Location;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(
        text,
        Path::new("/etc/syndic/syndic.toml"),
        &Overrides::default(),
    )
}

#[test]
fn the_starter_file_is_valid_and_gives_the_defaults() {
    let config = parse(EXAMPLE).expect("example config parses");
    assert_eq!(config.site.title, "syndic");
    assert_eq!(config.site.base_url.as_str(), "http://127.0.0.1:8080/");
    assert_eq!(config.site.posts_per_page, 10);
    assert_eq!(
        config.database,
        Database::File("/etc/syndic/syndic.db".into())
    );
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
}

#[test]
fn the_documented_keys_are_read() {
    let config = parse(
        r#"
        [site]
        title = "Noise"
        base_url = "https://planet.example.org/sub"
        posts_per_page = 5
        [database]
        url = "sqlite://data/noise.db"
        [server]
        listen = "0.0.0.0:9000"
        [[source]]
        url = "https://example.org/feed.xml"
        name = "Example"
        tags = ["example"]
        [[source]]
        url = "feeds/local.rss"
        [[tag]]
        name = "map"
        terms = ["map"]
        match = "substring"
        exclude = ["roadmap"]
        [[tag]]
        name = "Machine Learning"
        "#,
    )
    .expect("valid config");
    assert_eq!(
        config.site.base_url.as_str(),
        "https://planet.example.org/sub/"
    );
    assert_eq!(
        config.database,
        Database::File("/etc/syndic/data/noise.db".into())
    );
    assert_eq!(
        config.sources[1].location,
        Location::File("/etc/syndic/feeds/local.rss".into())
    );
    assert_eq!(config.sources[0].tags, ["example"]);
    assert_eq!(config.tags[0].mode, MatchMode::Substring);
    assert_eq!(config.tags[1].terms, ["Machine Learning"]);
    assert_eq!(config.tags[1].mode, MatchMode::Word);
}

fn error_of(text: &str) -> ConfigError {
    parse(text).expect_err("config should be refused")
}

#[test]
fn an_unknown_key_is_refused_with_its_line_and_name() {
    let err = error_of("[site]\ntitle = \"x\"\ncolour = \"red\"\n");
    assert_eq!(err.key, "line 3");
    assert!(err.problem.contains("colour"), "{err}");
    assert!(err.to_string().contains("/etc/syndic/syndic.toml"), "{err}");
}

#[test]
fn a_bad_source_url_is_refused() {
    let err = error_of("[[source]]\nurl = \"ftp://example.org/feed\"\n");
    assert_eq!(err.key, "source[1].url");
    assert!(err.problem.contains("ftp"), "{err}");
}

#[test]
fn a_duplicate_source_is_refused() {
    let err = error_of(
        "[[source]]\nurl = \"a.rss\"\n[[source]]\nurl = \"./a.rss\"\n[[source]]\nurl = \"a.rss\"\n",
    );
    assert_eq!(err.key, "source[2].url");
    assert!(err.problem.contains("source[1]"), "{err}");
}

#[test]
fn a_tag_without_a_name_is_refused() {
    let err = error_of("[[tag]]\nterms = [\"map\"]\n");
    assert_eq!(err.key, "tag[1].name");
    assert!(err.fix.contains("name"), "{err}");
}

#[test]
fn an_unknown_match_mode_is_refused() {
    let err = error_of("[[tag]]\nname = \"map\"\nmatch = \"fuzzy\"\n");
    assert!(err.problem.contains("fuzzy"), "{err}");
}

#[test]
fn bad_site_and_server_values_are_refused() {
    assert_eq!(
        error_of("[site]\nbase_url = \"not a url\"\n").key,
        "site.base_url"
    );
    assert_eq!(
        error_of("[site]\nposts_per_page = 0\n").key,
        "site.posts_per_page"
    );
    assert_eq!(
        error_of("[server]\nlisten = \"localhost\"\n").key,
        "server.listen"
    );
    assert_eq!(
        error_of("[database]\nurl = \"syndic.db\"\n").key,
        "database.url"
    );
}

#[test]
fn overrides_win_over_the_file() {
    let overrides = Overrides {
        database_url: Some("sqlite:///tmp/other.db".into()),
        listen: Some("127.0.0.1:9999".into()),
    };
    let config = Config::parse(
        "[server]\nlisten = \"127.0.0.1:1\"\n",
        Path::new("/x/syndic.toml"),
        &overrides,
    )
    .expect("valid");
    assert_eq!(config.database, Database::File("/tmp/other.db".into()));
    assert_eq!(config.listen.to_string(), "127.0.0.1:9999");
}

#[test]
fn the_theme_folder_resolves_against_the_config_folder_and_must_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("theme")).expect("theme folder");
    std::fs::write(dir.path().join("notes.txt"), "not a folder").expect("file");
    let config_path = dir.path().join("syndic.toml");
    let load = |text: &str| Config::parse(text, &config_path, &Overrides::default());

    let config = load("[site]\ntheme_dir = \"theme\"\n").expect("valid theme folder");
    assert_eq!(config.site.theme_dir, Some(dir.path().join("theme")));
    assert_eq!(load("").expect("no theme").site.theme_dir, None);

    for (value, problem) in [("missing", "cannot use"), ("notes.txt", "is not a folder")] {
        let err = load(&format!("[site]\ntheme_dir = \"{value}\"\n")).expect_err("refused");
        assert_eq!(err.key, "site.theme_dir", "{err}");
        assert!(err.problem.contains(problem), "{err}");
        assert!(err.problem.contains(value), "{err}");
    }
}

#[test]
fn the_fetch_section_has_defaults_and_reads_units() {
    let config = parse(EXAMPLE).expect("example config parses");
    assert_eq!(config.fetch, FetchConfig::default());
    let config = parse(
        "[fetch]\ntimeout = \"20s\"\nmax_body = \"2MiB\"\nallow_networks = [\"127.0.0.1/32\"]\nmin_interval = \"5m\"\nper_host = 4\n",
    )
    .expect("valid fetch section");
    assert_eq!(config.fetch.timeout, std::time::Duration::from_secs(20));
    assert_eq!(config.fetch.max_body, 2 * 1024 * 1024);
    assert_eq!(
        config.fetch.allow_networks,
        ["127.0.0.1/32".parse::<ipnet::IpNet>().expect("cidr")]
    );
    assert_eq!(
        config.fetch.min_interval,
        std::time::Duration::from_secs(300)
    );
    assert_eq!(config.fetch.per_host, 4);
    assert_eq!(config.fetch.lease, std::time::Duration::from_secs(600));
    let short = parse("[fetch]\nlease = \"1s\"\n").expect("a one-second lease");
    assert_eq!(short.fetch.lease, std::time::Duration::from_secs(1));
}

#[test]
fn bad_fetch_values_are_refused_with_their_key() {
    assert_eq!(
        error_of("[fetch]\ntimeout = \"abc\"\n").key,
        "fetch.timeout"
    );
    assert_eq!(
        error_of("[fetch]\nmax_body = \"0\"\n").key,
        "fetch.max_body"
    );
    assert_eq!(
        error_of("[fetch]\nmin_interval = \"2d\"\nmax_interval = \"1h\"\n").key,
        "fetch.min_interval"
    );
    assert_eq!(
        error_of("[fetch]\nallow_networks = [\"localhost\"]\n").key,
        "fetch.allow_networks[1]"
    );
    assert_eq!(
        error_of("[fetch]\nconcurrency = 0\n").key,
        "fetch.concurrency"
    );
    assert_eq!(error_of("[fetch]\nretries = 3\n").key, "line 2");
}

/// The commented `[tagging]` and `[[tag]]` examples of the starter file, uncommented.
pub(super) fn uncommented_section(header: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in EXAMPLE.lines() {
        let Some(code) = line.strip_prefix("# ") else {
            if inside && !line.starts_with('#') {
                break;
            }
            continue;
        };
        if code.trim() == header {
            inside = true;
        } else if inside && code.starts_with('[') {
            break;
        }
        let is_key = code.split('=').next().is_some_and(|k| {
            !k.trim().is_empty() && k.trim().chars().all(|c| c.is_alphanumeric() || c == '_')
        }) && code.contains('=');
        if inside && (code.trim() == header || is_key) {
            out.push_str(code);
            out.push('\n');
        }
    }
    out
}

#[test]
fn the_starter_files_tagging_examples_are_valid() {
    let tagging = uncommented_section("[tagging]");
    let tag = uncommented_section("[[tag]]");
    assert!(tagging.contains("categories"), "{tagging}");
    assert!(tag.contains("aliases"), "{tag}");
    let config = parse(&format!("{tagging}\n{tag}")).expect("the examples parse");
    // The starter file shows the defaults.
    assert_eq!(
        config.tagging.min_score,
        Some(syndic_tag::DEFAULT_MIN_SCORE)
    );
    assert_eq!(
        config.tags[0].min_score,
        Some(syndic_tag::DEFAULT_MIN_SCORE)
    );
    assert_eq!(config.tagging.language.as_deref(), Some("en"));
    assert_eq!(config.tags[0].name, "map");
    assert_eq!(config.tags[0].aliases, ["maps"]);
    assert_eq!(
        config.tags[0].description.as_deref(),
        Some("Maps and cartography")
    );
}

#[test]
fn tagging_settings_and_tag_keys_are_read() {
    let config = parse(
        r#"
        [tagging]
        min_score = 0
        categories = "all"
        [[tag]]
        name = "go"
        match = "exact"
        fields = "title"
        min_score = 2.5
        "#,
    )
    .expect("parses");
    assert_eq!(config.tagging.min_score, Some(0.0));
    assert_eq!(config.tagging.categories, syndic_tag::CategoryPolicy::All);
    let rule = &config.tags[0];
    assert_eq!(rule.mode, MatchMode::Exact);
    assert_eq!(rule.fields, syndic_tag::FieldSet::TITLE);
    assert_eq!(rule.min_score, Some(2.5));
    let tagger = config.tagger().expect("compiles");
    assert_eq!(
        tagger.settings().categories,
        syndic_tag::CategoryPolicy::All
    );
}

#[test]
fn bad_tag_thresholds_name_their_key() {
    let err = error_of("[[tag]]\nname = \"a\"\n[[tag]]\nname = \"b\"\nmin_score = -1\n");
    assert_eq!(err.key, "tag[2].min_score");
    assert!(err.fix.contains("0 tags on any mention"), "{err}");
    let default = format!("{} is the default", syndic_tag::DEFAULT_MIN_SCORE);
    assert!(err.fix.contains(&default), "{err}");
}

#[test]
fn an_overlong_term_is_refused_with_its_tag_and_without_echoing_it() {
    let long = "abc|".repeat(10_000);
    let err = error_of(&format!(
        "[[tag]]\nname = \"a\"\nmatch = \"regex\"\nterms = [\"{long}\"]\n"
    ));
    assert_eq!(err.key, "tag[1].terms");
    assert!(err.problem.contains("40000 characters long"), "{err}");
    assert!(err.to_string().len() < 500, "{err}");
}

#[test]
fn tag_names_without_letters_or_digits_are_refused() {
    let err = error_of("[[tag]]\nname = \"!!!\"\nmatch = \"substring\"\n");
    assert_eq!(err.key, "tag[1].name");
    assert!(err.problem.contains("no letters or digits"), "{err}");
    let err = error_of("[[source]]\nurl = \"feed.xml\"\ntags = [\"ok\", \"../..\"]\n");
    assert_eq!(err.key, "source[1].tags");
    assert!(err.problem.contains("no letters or digits"), "{err}");
}

#[test]
fn an_empty_file_is_refused_at_load_and_a_file_of_comments_is_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("syndic.toml");
    for empty in ["", "\n\n", "  \t\n"] {
        std::fs::write(&path, empty).expect("write");
        let err = Config::load(&path, &Overrides::default()).expect_err("refused");
        assert_eq!(err.file, path);
        assert!(err.problem.contains("empty"), "{err}");
        assert!(err.fix.contains("syndic init"), "{err}");
    }
    std::fs::write(&path, "# every default\n").expect("write");
    assert!(Config::load(&path, &Overrides::default()).is_ok());
}

#[test]
fn a_zero_duration_is_refused_with_the_minimum_for_every_duration_key() {
    for key in [
        "timeout",
        "connect_timeout",
        "idle_timeout",
        "min_interval",
        "max_interval",
        "lease",
    ] {
        for zero in ["0", "0s", "0ms", "500ms"] {
            let err = error_of(&format!("[fetch]\n{key} = \"{zero}\"\n"));
            assert_eq!(err.key, format!("fetch.{key}"));
            assert!(
                err.problem.contains("minimum is 1s"),
                "{key} = {zero}: {err}"
            );
            assert!(err.fix.contains("\"1s\" or longer"), "{err}");
        }
        let shortest = if key == "max_interval" {
            "[fetch]\nmin_interval = \"1s\"\nmax_interval = \"1s\"\n".to_owned()
        } else {
            format!("[fetch]\n{key} = \"1s\"\n")
        };
        assert!(parse(&shortest).is_ok(), "{shortest}");
    }
}

#[test]
fn a_source_that_is_neither_a_path_nor_http_is_refused_with_its_key() {
    for url in [
        "ftp://example.org/feed",
        "gopher:example.org/feed",
        "mailto:a@b.example",
    ] {
        let err = error_of(&format!(
            "[[source]]\nurl = \"https://ok.example/\"\n[[source]]\nurl = \"{url}\"\n"
        ));
        assert_eq!(err.key, "source[2].url", "{url}");
        assert!(
            err.problem.contains("only http://, https://, file://"),
            "{err}"
        );
    }
}

#[test]
fn a_postgres_url_is_handed_to_the_store_and_never_printed_with_its_password() {
    let url = "postgres://syndic:s3cret@db.example:5432/planet";
    let config = Config::parse(
        &format!("[database]\nurl = \"{url}\"\n"),
        Path::new("/x/syndic.toml"),
        &Overrides::default(),
    )
    .expect("valid");
    assert_eq!(config.database, Database::Url(url.into()));
    let shown = format!("{config:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("db.example"), "{shown}");
}

#[test]
fn a_database_syndic_cannot_use_is_refused_naming_both_engines() {
    let error = error_of("[database]\nurl = \"mysql://db.example/planet\"\n");
    assert_eq!(error.key, "database.url");
    assert!(error.problem.contains("\"mysql\""), "{error}");
    assert!(error.fix.contains("postgres://"), "{error}");
}
