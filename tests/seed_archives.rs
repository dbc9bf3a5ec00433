//! The product's reason to exist: the reference "Tag Archives" pages in `../shared/seeds/`
//! are reproduced from the same posts as real feeds (`../shared/fixtures/seed-feeds/`).
//! Skipped, with a printed reason, where `../shared` is absent.

mod common;

use std::path::{Path, PathBuf};

use common::{run, shared_dir, sources, stderr, stdout, tag, write_config};

/// (title, attribution line) of every post on an archive page, in order.
fn headers(page: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = page.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter(|(i, line)| *i >= 2 && line.starts_with("Post Syndicated from "))
        .map(|(i, line)| (lines[i - 2].to_owned(), (*line).to_owned()))
        .collect()
}

/// The posts of a seed page with their whole text (title, attribution, body).
fn seed_posts(page: &str) -> Vec<((String, String), String)> {
    let lines: Vec<&str> = page.lines().collect();
    let starts: Vec<usize> = (2..lines.len())
        .filter(|&i| lines[i].starts_with("Post Syndicated from "))
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let end = starts.get(n + 1).map_or(lines.len(), |&next| next - 2);
            let text = lines[i - 2..end].join("\n");
            ((lines[i - 2].to_owned(), lines[i].to_owned()), text)
        })
        .collect()
}

fn contains_run(haystack: &[(String, String)], run: &[(String, String)]) -> bool {
    run.is_empty() || haystack.windows(run.len()).any(|window| window == run)
}

struct Seeds {
    dir: tempfile::TempDir,
    config: PathBuf,
    seeds: PathBuf,
}

fn setup(tags: &str) -> Option<Seeds> {
    let Some(shared) = shared_dir() else {
        println!("skipping: ../shared is not present (fresh clone); CI has it");
        return None;
    };
    let feeds = shared.join("fixtures/seed-feeds");
    let mut files: Vec<String> = std::fs::read_dir(&feeds)
        .expect("read seed feeds")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x != "json")
                || p.file_name().is_some_and(|n| n == "eevee.json")
        })
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert_eq!(files.len(), 12, "twelve seed feeds: {files:?}");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &format!("{}{tags}", sources(&files)));
    Some(Seeds {
        dir,
        config,
        seeds: shared.join("seeds"),
    })
}

fn fetch(config: &Path) {
    let out = run(config, &["fetch"]);
    assert!(
        out.status.success(),
        "fetch failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
}

fn export(config: &Path, tag: &str) -> String {
    let out = run(config, &["export", "--tag", tag, "--format", "text"]);
    assert!(out.status.success(), "export failed: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn substring_tags_reproduce_the_seed_archives() {
    let tags = format!(
        "{}{}",
        tag("map", &["map"], "substring"),
        tag("troubleshooting", &["troubleshoot"], "substring")
    );
    let Some(seeds) = setup(&tags) else { return };
    fetch(&seeds.config);

    let map_seed =
        std::fs::read_to_string(seeds.seeds.join("000_15e2dd67a81f5a0a.txt")).expect("seed");
    let map = export(&seeds.config, "map");
    assert!(
        map.starts_with("Tag Archives: map\n\n"),
        "{}",
        &map[..map.len().min(200)]
    );
    let expected = headers(&map_seed);
    assert_eq!(expected.len(), 17);
    assert!(
        contains_run(&headers(&map), &expected),
        "map archive:\n{:#?}",
        headers(&map)
    );

    let trouble_seed =
        std::fs::read_to_string(seeds.seeds.join("002_c221c8f49f34ad79.txt")).expect("seed");
    let expected: Vec<_> = seed_posts(&trouble_seed)
        .into_iter()
        .filter(|(_, text)| text.to_lowercase().contains("troubleshoot"))
        .map(|(header, _)| header)
        .collect();
    assert!(expected.len() >= 15, "{expected:#?}");
    let trouble = export(&seeds.config, "troubleshooting");
    assert!(
        contains_run(&headers(&trouble), &expected),
        "troubleshooting archive:\n{:#?}",
        headers(&trouble)
    );
    drop(seeds.dir);
}

#[test]
fn word_tags_drop_posts_that_only_contain_map_inside_other_words() {
    let Some(seeds) = setup(&tag("map", &["map"], "word")) else {
        return;
    };
    fetch(&seeds.config);
    let map = export(&seeds.config, "map");
    let titles: Vec<String> = headers(&map).into_iter().map(|(title, _)| title).collect();
    // Each of these contains "map" only inside another word: mapred, heatmaps, roadmap,
    // RequestMapping, imapd, mapSeries.
    for dropped in [
        "Predict Billboard Top 10 Hits Using RStudio, H2O and Amazon Athena",
        "timeShift(GrafanaBuzz, 1w) Issue 16",
        "Roku Is Building Its Own Anti-Piracy Team",
        "timeShift(GrafanaBuzz, 1w) Issue 14",
        "SecureLogin For Java Web Applications",
        "Security updates for Monday",
        "Grafana 4.5 Released",
    ] {
        assert!(
            !titles.iter().any(|t| t == dropped),
            "{dropped:?} should be dropped: {titles:#?}"
        );
    }
    for kept in [
        "Dynamic Users with systemd",
        "Apple’s FaceID",
        "Federate Database User Authentication Easily with IAM and Amazon Redshift",
    ] {
        assert!(
            titles.iter().any(|t| t == kept),
            "{kept:?} should be kept: {titles:#?}"
        );
    }
    // Every kept post really says map/maps/mapped/mapping as a word.
    for ((title, _), text) in seed_posts(&map) {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .map(str::to_lowercase)
            .collect();
        assert!(
            words.iter().any(|w| matches!(
                w.as_str(),
                "map" | "maps" | "mapped" | "mapping" | "mappings"
            )),
            "{title:?} kept without a real mention of map"
        );
    }
    assert!(
        titles.len() < 17,
        "word matching should drop some of the substring matches: {titles:#?}"
    );
}

#[test]
fn fetching_twice_changes_nothing() {
    let Some(seeds) = setup(&tag("map", &["map"], "substring")) else {
        return;
    };
    fetch(&seeds.config);
    let first = export(&seeds.config, "map");
    let out = run(&seeds.config, &["fetch"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("0 new, 0 updated, 31 unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(export(&seeds.config, "map"), first);
}
