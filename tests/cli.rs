//! The binary's contract: help, exit codes, configuration errors, broken sources,
//! updates in place.

mod common;

use common::{quoted, run, sources, stderr, stdout, syndic, tag, write_config};

#[test]
fn every_subcommand_explains_itself() {
    let out = syndic().arg("--help").output().expect("run");
    assert!(out.status.success());
    let help = stdout(&out);
    for command in ["init", "fetch", "retag", "export", "serve", "demo"] {
        assert!(help.contains(command), "--help lists {command}:\n{help}");
        let sub = syndic().args([command, "--help"]).output().expect("run");
        assert!(sub.status.success(), "{command} --help");
        assert!(
            stdout(&sub).contains("Usage: syndic"),
            "{command} --help:\n{}",
            stdout(&sub)
        );
    }
}

#[test]
fn init_writes_a_starter_file_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("syndic.toml");
    let out = run(&config, &["init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&config).expect("written");
    assert!(
        text.contains("[site]") && text.contains("base_url"),
        "{text}"
    );
    let again = run(&config, &["init"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    // The starter file is a working configuration with no sources.
    let fetch = run(&config, &["fetch"]);
    assert!(fetch.status.success(), "{}", stderr(&fetch));
}

/// Runs `syndic fetch` on a configuration of `body` and checks that it is refused with
/// exit code 2, the file, `key` and a fix; returns the message.
fn refused(body: &str, key: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), body);
    refused_file(&config, key)
}

fn refused_file(config: &std::path::Path, key: &str) -> String {
    let out = run(config, &["fetch"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code for {key}: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&config.display().to_string()),
        "names the file: {err}"
    );
    assert!(err.contains(key), "names {key}: {err}");
    assert!(err.contains("to fix:"), "says what to do: {err}");
    err
}

#[test]
fn an_empty_configuration_file_is_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("syndic.toml");
    for empty in ["", "\n  \n"] {
        std::fs::write(&config, empty).expect("write");
        let err = refused_file(&config, "the file is empty");
        assert!(err.contains("syndic init"), "{err}");
    }
}

#[test]
fn a_source_that_is_neither_a_path_nor_http_is_refused_with_exit_code_2() {
    for url in [
        "ftp://example.org/feed.xml",
        "gopher:example.org/feed",
        "mailto:someone@example.org",
    ] {
        let err = refused(&sources(&[url]), "source[1].url");
        assert!(err.contains("only http://, https://, file://"), "{err}");
    }
}

#[test]
fn a_zero_duration_is_refused_with_its_minimum_for_every_duration_key() {
    for key in [
        "timeout",
        "connect_timeout",
        "idle_timeout",
        "min_interval",
        "max_interval",
    ] {
        let err = refused(
            &format!("[fetch]\n{key} = \"0s\"\n"),
            &format!("fetch.{key}"),
        );
        assert!(err.contains("the minimum is 1s"), "{err}");
    }
}

#[test]
fn invalid_configuration_is_refused_with_exit_code_2() {
    refused("[server]\nlisten = \"127.0.0.1:8080\"\nport = 3\n", "port");
    refused(
        "[[source]]\nurl = \"gopher://example.org/feed\"\n",
        "source[1].url",
    );
    refused(
        "[[source]]\nurl = \"a.xml\"\n[[source]]\nurl = \"a.xml\"\n",
        "source[2].url",
    );
    refused("[[tag]]\nterms = [\"map\"]\n", "tag[1].name");
}

#[test]
fn a_missing_config_file_says_how_to_make_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(&dir.path().join("nope.toml"), &["fetch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("syndic init"), "{}", stderr(&out));
}

fn rss(items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title, body)| {
            format!(
                "<item><guid>{guid}</guid><title>{title}</title><link>https://blog.example/{guid}</link>\
                 <pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate><description>{body}</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title><link>https://blog.example/</link>{items}</channel></rss>"
    )
}

#[test]
fn a_feed_longer_than_the_cap_stores_its_newest_posts_even_written_oldest_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 520 items, oldest first: a minute apart.
    let items: String = (0..520)
        .map(|i| {
            format!(
                "<item><guid>p{i}</guid><title>Post {i}</title><link>https://blog.example/p{i}</link>\
                 <pubDate>Mon, 02 Mar 2026 {:02}:{:02}:00 +0000</pubDate><description>x</description></item>",
                i / 60,
                i % 60
            )
        })
        .collect();
    std::fs::write(
        dir.path().join("long.rss"),
        format!("<rss version=\"2.0\"><channel><title>Blog</title><link>https://blog.example/</link>{items}</channel></rss>"),
    )
    .expect("write");
    let config = write_config(dir.path(), &sources(&["long.rss"]));
    let out = run(&config, &["fetch"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("500 new"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("the newest 500 were read and 20 older were skipped"),
        "{}",
        stderr(&out)
    );
    let newest = run(&config, &["explain", "https://blog.example/p519"]);
    assert!(newest.status.success(), "{}", stderr(&newest));
    let oldest = run(&config, &["explain", "https://blog.example/p19"]);
    assert!(!oldest.status.success(), "{}", stdout(&oldest));
}

#[test]
fn broken_sources_are_reported_and_the_rest_ingest() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("good.rss"),
        rss(&[("a", "A map of the harbour", "Charts and maps.")]),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("page.html"),
        "<!doctype html><html><body>Hello</body></html>",
    )
    .expect("write");
    let body = format!(
        "{}{}",
        sources(&["good.rss", "missing.rss", "page.html"]),
        tag("map", &["map"], "word")
    );
    let config = write_config(dir.path(), &body);
    let out = run(&config, &["fetch"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report = stdout(&out);
    assert!(report.contains("missing.rss"), "{report}");
    assert!(report.contains("page.html"), "{report}");
    assert!(
        report.contains("1 ok (0 not modified), 2 failed"),
        "{report}"
    );
    let export = run(&config, &["export", "--tag", "map"]);
    assert!(
        stdout(&export).contains("A map of the harbour"),
        "{}",
        stdout(&export)
    );
}

#[test]
fn a_changed_item_updates_in_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let feed = dir.path().join("blog.rss");
    std::fs::write(
        &feed,
        rss(&[
            ("a", "Maps, first draft", "Old text."),
            ("b", "Other map", "More."),
        ]),
    )
    .expect("write");
    let config = write_config(
        dir.path(),
        &format!("{}{}", sources(&["blog.rss"]), tag("map", &["map"], "word")),
    );
    assert!(run(&config, &["fetch"]).status.success());
    std::fs::write(
        &feed,
        rss(&[
            ("a", "Maps, final", "New text."),
            ("b", "Other map", "More."),
        ]),
    )
    .expect("write");
    let out = run(&config, &["fetch"]);
    assert!(
        stdout(&out).contains("0 new, 1 updated, 1 unchanged"),
        "{}",
        stdout(&out)
    );
    let export = stdout(&run(&config, &["export", "--tag", "map"]));
    assert!(
        export.contains("Maps, final") && !export.contains("first draft"),
        "{export}"
    );
    assert_eq!(
        export.matches("Post Syndicated from").count(),
        2,
        "{export}"
    );
}

#[test]
fn export_limits_and_renders_html() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("blog.rss"),
        rss(&[("a", "Map one", "x"), ("b", "Map two", "y")]),
    )
    .expect("write");
    let config = write_config(
        dir.path(),
        &format!("{}{}", sources(&["blog.rss"]), tag("map", &["map"], "word")),
    );
    assert!(run(&config, &["fetch"]).status.success());
    let text = stdout(&run(&config, &["export", "--tag", "map", "--limit", "1"]));
    assert_eq!(text.matches("Post Syndicated from").count(), 1, "{text}");
    let html = stdout(&run(
        &config,
        &["export", "--tag", "map", "--format", "html"],
    ));
    assert!(
        html.contains("<html") && html.contains("Tag Archives: map"),
        "{html}"
    );
    let unknown = run(&config, &["export", "--tag", "nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("known tags: map"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn retag_applies_a_changed_vocabulary_to_stored_posts() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("blog.rss"),
        rss(&[("a", "A roadmap for the year", "Plans.")]),
    )
    .expect("write");
    let feeds = sources(&["blog.rss"]);
    let config = write_config(
        dir.path(),
        &format!("{feeds}{}", tag("map", &["map"], "word")),
    );
    assert!(run(&config, &["fetch"]).status.success());
    let before = stdout(&run(&config, &["export", "--tag", "map"]));
    assert!(!before.contains("roadmap"), "{before}");
    write_config(
        dir.path(),
        &format!("{feeds}{}", tag("map", &["map"], "substring")),
    );
    let out = run(&config, &["retag"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 tags added"), "{}", stdout(&out));
    let after = stdout(&run(&config, &["export", "--tag", "map"]));
    assert!(after.contains("A roadmap for the year"), "{after}");
}

#[test]
fn source_names_and_source_tags_apply() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("blog.rss"),
        rss(&[("a", "Untitled thoughts", "Nothing to match.")]),
    )
    .expect("write");
    let body = format!(
        "[[source]]\nurl = \"blog.rss\"\nname = {}\ntags = [\"friends\"]\n\n",
        quoted("Our Friend's Blog")
    );
    let config = write_config(dir.path(), &body);
    assert!(run(&config, &["fetch"]).status.success());
    let export = stdout(&run(&config, &["export", "--tag", "friends"]));
    assert!(
        export.contains("Post Syndicated from Our Friend's Blog original https://blog.example/a"),
        "{export}"
    );
}

#[test]
fn a_source_that_breaks_later_keeps_its_posts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let feed = dir.path().join("blog.rss");
    std::fs::write(&feed, rss(&[("a", "A map worth keeping", "Text.")])).expect("write");
    let config = write_config(
        dir.path(),
        &format!("{}{}", sources(&["blog.rss"]), tag("map", &["map"], "word")),
    );
    assert!(run(&config, &["fetch"]).status.success());
    std::fs::write(&feed, "<rss><channel><item><title>cut off").expect("write");
    let out = run(&config, &["fetch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("failed  "), "{}", stdout(&out));
    let export = stdout(&run(&config, &["export", "--tag", "map"]));
    assert!(export.contains("A map worth keeping"), "{export}");
}
