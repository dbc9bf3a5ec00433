//! Tagging from the command line (issue 6): retag and its dry run, manual decisions that
//! survive retagging, explain, the tag list, and the tagging configuration's errors.

mod common;

use std::path::{Path, PathBuf};

use common::{Database, Engine, ok, quoted, run, sources, stderr, write_config, write_config_on};

/// An RSS feed; each item is (guid, title, body, categories). `language` is the channel's.
fn feed(language: Option<&str>, items: &[(&str, &str, &str, &[&str])]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title, body, categories)| {
            let categories: String = categories
                .iter()
                .map(|c| format!("<category>{c}</category>"))
                .collect();
            format!(
                "<item><guid>{guid}</guid><title>{title}</title>\
                 <link>https://blog.example/{guid}</link>\
                 <pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate>{categories}\
                 <description>{body}</description></item>"
            )
        })
        .collect();
    let language = language
        .map(|l| format!("<language>{l}</language>"))
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title>\
         <link>https://blog.example/</link>{language}{items}</channel></rss>"
    )
}

/// Three posts with plain signals: the tag's word in the title and again in the body.
const POSTS: &[(&str, &str, &str, &[&str])] = &[
    (
        "a",
        "Harbour maps",
        "We drew maps of the harbour. The maps show every pier.",
        &[],
    ),
    (
        "b",
        "Gardening in March",
        "Gardening notes: seeds, soil and more gardening.",
        &["Gardening"],
    ),
    (
        "c",
        "A roadmap for the year",
        "Plans for the year, month by month.",
        &[],
    ),
];

fn tag_entry(name: &str, terms: &[&str], extra: &str) -> String {
    let terms: Vec<String> = terms.iter().map(|t| quoted(t)).collect();
    format!(
        "[[tag]]\nname = {}\nterms = [{}]\n{extra}\n",
        quoted(name),
        terms.join(", ")
    )
}

/// A fetched store on `engine` with the vocabulary `tags` (any whole-word mention tags);
/// `None` (said why) when that engine is unavailable.
fn fetched_on(
    engine: Engine,
    test: &str,
    tags: &str,
) -> Option<(tempfile::TempDir, PathBuf, Database)> {
    let database = Database::on(engine, test)?;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("blog.rss"), feed(Some("en-GB"), POSTS)).expect("write");
    let config = write_config_on(dir.path(), &body(tags), &database);
    let out = run(&config, &["fetch"]);
    assert!(out.status.success(), "{}", stderr(&out));
    Some((dir, config, database))
}

fn body(tags: &str) -> String {
    format!(
        "[tagging]\nmin_score = 0\n\n{}{tags}",
        sources(&["blog.rss"])
    )
}

/// What a store holds, as far as a retag could change it: on SQLite the database and its
/// write-ahead log byte for byte; on PostgreSQL the tags and the map archive.
fn store_state(engine: Engine, dir: &Path, config: &Path) -> Vec<Vec<u8>> {
    match engine {
        Engine::Sqlite => ["test.db", "test.db-wal"]
            .iter()
            .map(|f| std::fs::read(dir.join(f)).unwrap_or_default())
            .collect(),
        Engine::Postgres => [
            run(config, &["tag", "list"]).stdout,
            run(config, &["export", "--tag", "map"]).stdout,
        ]
        .to_vec(),
    }
}

#[test]
fn a_dry_run_prints_gains_and_losses_and_changes_nothing() {
    dry_run(Engine::Sqlite);
}

#[test]
fn a_dry_run_prints_gains_and_losses_and_changes_nothing_on_postgres() {
    dry_run(Engine::Postgres);
}

fn dry_run(engine: Engine) {
    let test = "a_dry_run_prints_gains_and_losses_and_changes_nothing";
    let Some((dir, config, database)) = fetched_on(engine, test, &tag_entry("map", &["map"], ""))
    else {
        return;
    };
    assert!(ok(&config, &["export", "--tag", "map"]).contains("Harbour maps"));
    // A new vocabulary: map by substring (catches the roadmap), plus a new tag.
    let new_vocabulary = format!(
        "{}{}",
        tag_entry("map", &["map"], "match = \"substring\""),
        tag_entry("year", &["year"], "")
    );
    write_config_on(dir.path(), &body(&new_vocabulary), &database);
    let before = store_state(engine, dir.path(), &config);
    let report = ok(&config, &["retag", "--dry-run", "--examples", "1"]);
    assert_eq!(
        store_state(engine, dir.path(), &config),
        before,
        "a dry run writes nothing"
    );
    assert!(report.contains("dry run"), "{report}");
    assert!(report.contains("nothing was written"), "{report}");
    let map_line = report
        .lines()
        .find(|l| l.starts_with("map "))
        .expect("a line for map");
    assert!(
        map_line.contains("+1") && map_line.contains("-0"),
        "{report}"
    );
    let year_line = report
        .lines()
        .find(|l| l.starts_with("year "))
        .expect("a line for year");
    assert!(year_line.contains("+1"), "{report}");
    assert!(
        report.contains("+ post 3: A roadmap for the year"),
        "{report}"
    );

    // The real thing applies what the dry run announced.
    let applied = ok(&config, &["retag"]);
    assert!(applied.contains("2 tags added, 0 removed"), "{applied}");
    assert!(ok(&config, &["export", "--tag", "map"]).contains("A roadmap for the year"));
    let again = ok(&config, &["retag", "--dry-run"]);
    assert!(again.contains("no post gains or loses a tag"), "{again}");
}

#[test]
fn manual_decisions_survive_retag() {
    manual_decisions(Engine::Sqlite);
}

#[test]
fn manual_decisions_survive_retag_on_postgres() {
    manual_decisions(Engine::Postgres);
}

fn manual_decisions(engine: Engine) {
    let tags = format!(
        "{}{}",
        tag_entry("map", &["map"], ""),
        tag_entry("harbour", &["harbour"], "aliases = [\"port\"]")
    );
    let Some((_dir, config, _database)) =
        fetched_on(engine, "manual_decisions_survive_retag", &tags)
    else {
        return;
    };
    // Post 1 ("Harbour maps") carries map and harbour; a person disagrees about harbour
    // (named by its alias) and adds travel.
    let removed = ok(&config, &["tag", "remove", "1", "port"]);
    assert!(
        removed.contains("removed \"harbour\" from post 1"),
        "{removed}"
    );
    let added = ok(&config, &["tag", "add", "https://blog.example/a", "Travel"]);
    assert!(added.contains("created the tag \"Travel\""), "{added}");
    assert!(
        added.contains("post 1 now carries \"Travel\" by hand"),
        "{added}"
    );

    let retag = ok(&config, &["retag"]);
    assert!(retag.contains("0 tags added, 0 removed"), "{retag}");
    let explain = ok(&config, &["explain", "1"]);
    assert!(explain.contains("Travel"), "{explain}");
    assert!(explain.contains("manual"), "{explain}");
    assert!(
        explain.contains("removed by hand (never given back automatically): harbour"),
        "{explain}"
    );
    let harbour = ok(&config, &["export", "--tag", "harbour"]);
    assert!(!harbour.contains("Harbour maps"), "{harbour}");
    let travel = ok(&config, &["export", "--tag", "travel"]);
    assert!(travel.contains("Harbour maps"), "{travel}");

    // Adding it back by hand lifts the veto.
    let back = ok(&config, &["tag", "add", "1", "harbour"]);
    assert!(back.contains("undone"), "{back}");
    assert!(ok(&config, &["export", "--tag", "harbour"]).contains("Harbour maps"));

    let unknown = run(&config, &["tag", "remove", "1", "nonesuch"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("there is no tag \"nonesuch\""),
        "{}",
        stderr(&unknown)
    );
    let no_post = run(&config, &["tag", "add", "99", "map"]);
    assert_eq!(no_post.status.code(), Some(1));
    assert!(stderr(&no_post).contains("there is no post 99"));
}

#[test]
fn a_url_two_posts_share_is_refused_naming_both() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Two items of one feed share a link (the same link in two feeds would be one post,
    // merged).
    let items = [
        POSTS[0],
        (
            "a2",
            "Harbour maps, the sequel",
            "More maps of the harbour.",
            &[][..],
        ),
    ];
    let one = feed(None, &items).replace("https://blog.example/a2", "https://blog.example/a");
    std::fs::write(dir.path().join("one.rss"), one).expect("write");
    let config = write_config(
        dir.path(),
        &format!(
            "{}{}",
            sources(&["one.rss"]),
            tag_entry("map", &["map"], "")
        ),
    );
    ok(&config, &["fetch"]);
    for args in [
        &["tag", "add", "https://blog.example/a", "travel"][..],
        &["tag", "remove", "https://blog.example/a", "map"],
        &["explain", "https://blog.example/a"],
    ] {
        let out = run(&config, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("2 posts link to https://blog.example/a: posts 1, 2"),
            "{args:?}: {err}"
        );
    }
    // Nothing was decided on a guess.
    assert!(!ok(&config, &["tag", "list"]).contains("travel"));
    assert!(ok(&config, &["explain", "1"]).contains("map"));
}

#[test]
fn explain_names_the_matching_term_and_the_near_misses() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("blog.rss"), feed(Some("en-GB"), POSTS)).expect("write");
    let vocabulary = tag_entry("cartography", &["map"], "");
    let config = write_config(
        dir.path(),
        &format!("{}{vocabulary}", sources(&["blog.rss"])),
    );
    ok(&config, &["fetch"]);
    let text = ok(&config, &["explain", "1"]);
    assert!(text.contains("post 1: Harbour maps"), "{text}");
    assert!(text.contains("https://blog.example/a"), "{text}");
    assert!(text.contains("language: en-GB"), "{text}");
    assert!(text.contains("term \"map\" in title"), "{text}");

    let json = ok(
        &config,
        &["explain", "https://blog.example/a", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(report["post"]["id"], 1);
    assert_eq!(report["post"]["language"], "en-GB");
    let analysis = report["analysis"].as_array().expect("analysis");
    let cartography = analysis
        .iter()
        .find(|e| e["tag"] == "cartography")
        .expect("cartography explained");
    assert_eq!(cartography["applied"], true);
    assert_eq!(cartography["matches"][0]["term"], "map");
    let stored = report["stored"].as_array().expect("stored");
    assert!(
        stored
            .iter()
            .any(|s| s["tag"] == "cartography" && s["origin"] == "term"),
        "{json}"
    );
}

#[test]
fn explain_names_the_form_of_a_term_it_matched() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("blog.rss"), feed(Some("en-GB"), POSTS)).expect("write");
    let vocabulary = tag_entry("cartography", &["mapper"], "");
    let config = write_config(
        dir.path(),
        &format!("{}{vocabulary}", sources(&["blog.rss"])),
    );
    ok(&config, &["fetch"]);
    let text = ok(&config, &["explain", "1"]);
    assert!(
        text.contains(r#"term "mapper" (matched "maps" as a form of "mapper") in title"#),
        "{text}"
    );
    assert!(text.contains(r#""mapper" as "maps" x3 in title"#), "{text}");
}

#[test]
fn explain_lists_near_misses_below_their_threshold() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("blog.rss"), feed(Some("en-GB"), POSTS)).expect("write");
    let vocabulary = format!(
        "{}{}",
        tag_entry("cartography", &["map"], ""),
        tag_entry("ports", &["pier"], "min_score = 50")
    );
    let config = write_config(
        dir.path(),
        &format!("{}{vocabulary}", sources(&["blog.rss"])),
    );
    ok(&config, &["fetch"]);
    let text = ok(&config, &["explain", "1"]);
    let near = text
        .split("near misses")
        .nth(1)
        .expect("near misses section");
    assert!(near.contains("ports"), "{text}");
    assert!(near.contains("below the threshold"), "{text}");
    assert!(near.contains("term \"pier\""), "{text}");
    let given = text.split("near misses").next().unwrap_or_default();
    assert!(!given.contains("ports (term): score"), "{text}");
}

#[test]
fn feed_categories_become_tags_under_categories_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("blog.rss"), feed(None, POSTS)).expect("write");
    let config = write_config(
        dir.path(),
        &format!(
            "[tagging]\ncategories = \"all\"\n\n{}[[tag]]\nname = \"map\"\n\
             description = \"Maps and charts\"\naliases = [\"charts\"]\n",
            sources(&["blog.rss"])
        ),
    );
    ok(&config, &["fetch"]);
    let list = ok(&config, &["tag", "list"]);
    let gardening = list
        .lines()
        .find(|l| l.starts_with("Gardening"))
        .expect("a Gardening line");
    assert!(gardening.contains('*'), "not in the vocabulary: {list}");
    let map = list.lines().find(|l| l.starts_with("map")).expect("map");
    assert!(
        map.contains("charts") && map.contains("Maps and charts"),
        "{list}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&config, &["tag", "list", "--format", "json"])).expect("JSON");
    let gardening = json
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["name"] == "Gardening")
        .expect("Gardening");
    assert_eq!(gardening["posts"], 1);
    assert_eq!(gardening["configured"], false);
}

#[test]
fn bad_tagging_keys_are_refused_with_their_key_and_a_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: &[(&str, &str)] = &[
        ("[tagging]\ncategories = \"some\"\n", "tagging.categories"),
        ("[tagging]\nmin_score = -1\n", "tagging.min_score"),
        ("[tagging]\nmin_score = \"high\"\n", "tagging.min_score"),
        (
            "[[tag]]\nname = \"map\"\n\n[[tag]]\nname = \"go\"\nmin_score = -2\n",
            "tag[2].min_score",
        ),
        (
            "[[tag]]\nname = \"map\"\nmatch = \"fuzzy\"\n",
            "tag[1].match",
        ),
        (
            "[[tag]]\nname = \"map\"\nfields = \"summary\"\n",
            "tag[1].fields",
        ),
        (
            "[[tag]]\nname = \"map\"\naliases = [\" \"]\n",
            "tag[1].aliases",
        ),
        (
            "[[tag]]\nname = \"map\"\naliases = [\"go\"]\n\n[[tag]]\nname = \"go\"\n",
            "tag[1].aliases",
        ),
        (
            "[[tag]]\nname = \"map\"\nmatch = \"regex\"\nterms = [\"(unclosed\"]\n",
            "tag[1]",
        ),
        ("[tagging]\nthreshold = 2\n", "line 8"),
    ];
    for (body, key) in cases {
        let config = write_config(dir.path(), body);
        let out = run(&config, &["retag", "--dry-run"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{body}: {err}");
        assert!(err.contains(&format!("at {key}")), "{body}: {err}");
        assert!(err.contains("to fix:"), "{body}: {err}");
    }
}

#[test]
fn tag_suggest_proposes_frequent_terms_outside_the_vocabulary() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Sourdough recurs in 4 posts of 50 (a tenth at most is distinctive); map is a tag.
    let mut items: Vec<(String, String, String)> = Vec::new();
    for n in 0..50 {
        let (title, body) = if n % 13 == 0 {
            (
                format!("Sourdough loaf {n}"),
                "Sourdough needs a starter. Our sourdough starter is old. More sourdough.",
            )
        } else {
            (
                format!("Harbour map {n}"),
                "A map of the harbour and a map of the town, with notes on tides.",
            )
        };
        items.push((format!("p{n}"), title, body.to_owned()));
    }
    let items: Vec<(&str, &str, &str, &[&str])> = items
        .iter()
        .map(|(g, t, b)| (g.as_str(), t.as_str(), b.as_str(), &[][..]))
        .collect();
    std::fs::write(dir.path().join("blog.rss"), feed(None, &items)).expect("write");
    let config = write_config(
        dir.path(),
        &format!(
            "{}{}",
            sources(&["blog.rss"]),
            tag_entry("map", &["map"], "")
        ),
    );
    ok(&config, &["fetch"]);
    let out = ok(&config, &["tag", "suggest", "--format", "json"]);
    let suggestions: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let terms: Vec<&str> = suggestions
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["term"].as_str())
        .collect();
    assert!(terms.contains(&"sourdough"), "{out}");
    assert!(!terms.contains(&"map"), "already a tag: {out}");
    let sourdough = suggestions
        .as_array()
        .expect("array")
        .iter()
        .find(|s| s["term"] == "sourdough")
        .expect("sourdough");
    assert_eq!(sourdough["posts"], 4);
    let table = ok(&config, &["tag", "suggest", "--limit", "3"]);
    assert!(table.contains("would tag"), "{table}");
}

#[test]
fn tag_suggest_on_an_empty_store_says_to_fetch_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &tag_entry("map", &["map"], ""));
    let out = ok(&config, &["tag", "suggest"]);
    assert!(out.contains("run `syndic fetch` first"), "{out}");
}

#[test]
fn a_reader_that_stops_early_ends_tag_list_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &tag_entry("map", &["map"], ""));
    ok(&config, &["retag"]);
    let mut child = common::syndic()
        .args(["tag", "list", "--config"])
        .arg(&config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run syndic");
    // Close the read end before syndic writes, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for syndic");
    assert!(out.status.success(), "exit {:?}", out.status);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
