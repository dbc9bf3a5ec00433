//! `syndic build`: the static site matches the served one, equals a one-page-at-a-time
//! build, and rebuilds touch exactly what changed.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{
    Database, Server, run, sources, stderr, stdout, syndic, tag, write_config, write_config_on,
};

fn item(guid: &str, title: &str, day: u32) -> String {
    format!(
        "<item><guid>{guid}</guid><title>{title}</title><link>https://blog.example/{guid}</link>\
         <pubDate>Mon, {day:02} Mar 2026 10:00:00 +0000</pubDate><description>About {title}.</description></item>"
    )
}

fn feed(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .zip(1..)
        .map(|((guid, title), day)| item(guid, title, day))
        .collect();
    format!(
        "<rss version=\"2.0\"><channel><title>Blog</title><link>https://blog.example/</link>{items}</channel></rss>"
    )
}

fn build(config: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", out.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    let built = run(config, &args);
    assert!(built.status.success(), "{}", stderr(&built));
    built
}

/// One file of a build: which file on disk it is (a rewrite is a new inode), when it was
/// last written, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileState {
    inode: u64,
    modified: (i64, i64),
    bytes: Vec<u8>,
}

/// Every file under `dir`, by path relative to it.
fn snapshot(dir: &Path) -> BTreeMap<String, FileState> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, FileState>) {
        for entry in std::fs::read_dir(dir).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, files);
                continue;
            }
            let meta = std::fs::metadata(&path).expect("stat");
            let name = path
                .strip_prefix(root)
                .expect("inside")
                .display()
                .to_string();
            let state = FileState {
                inode: meta.ino(),
                modified: (meta.mtime(), meta.mtime_nsec()),
                bytes: std::fs::read(&path).expect("read"),
            };
            files.insert(name, state);
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Checks that between `before` and `after` exactly the pages whose bytes differ were
/// rewritten, pages that stayed the same were left alone, and files the site no longer
/// has are gone. Returns how many pages were left alone.
fn assert_only_changes_written(
    before: &BTreeMap<String, FileState>,
    after: &BTreeMap<String, FileState>,
) -> usize {
    let mut untouched = 0;
    for (file, old) in before {
        if file.starts_with(".syndic-build") {
            continue;
        }
        let Some(new) = after.get(file) else { continue };
        let rewritten = (new.inode, new.modified) != (old.inode, old.modified);
        assert_eq!(
            rewritten,
            new.bytes != old.bytes,
            "{file}: rewritten = {rewritten}, but its bytes {}",
            if new.bytes == old.bytes {
                "did not change"
            } else {
                "changed"
            }
        );
        untouched += usize::from(!rewritten);
    }
    untouched
}

#[test]
fn the_static_site_matches_the_served_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("blog.rss"), feed(&[("a", "First map")])).expect("write");
    let config = write_config(
        dir.path(),
        &format!("{}{}", sources(&["blog.rss"]), tag("map", &["map"], "word")),
    );
    assert!(run(&config, &["fetch"]).status.success());
    let out = dir.path().join("site");
    let built = build(&config, &out, &[]);
    for file in [
        "index.html",
        "tag/map/index.html",
        "tag/map/feed.atom",
        "feed.json",
        "sources.opml",
        "static/style.css",
        "404.html",
    ] {
        assert!(
            out.join(file).is_file(),
            "{file} missing: {}",
            stdout(&built)
        );
    }

    let mut command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config);
    let server = Server::start(command);
    for (url, file) in [
        ("/tag/map/", "tag/map/index.html"),
        ("/feed.atom", "feed.atom"),
        ("/no-such-page/", "404.html"),
    ] {
        let (_, served) = server.get(url);
        let written = std::fs::read_to_string(out.join(file)).expect("built file");
        assert_eq!(written, served, "the built {file} is what {url} serves");
    }
}

#[test]
fn a_second_build_with_nothing_changed_writes_nothing_and_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("blog.rss"),
        feed(&[("a", "First map"), ("b", "Second map")]),
    )
    .expect("write");
    let config = write_config(
        dir.path(),
        &format!("{}{}", sources(&["blog.rss"]), tag("map", &["map"], "word")),
    );
    assert!(run(&config, &["fetch"]).status.success());
    let out = dir.path().join("site");
    build(&config, &out, &[]);
    let before = snapshot(&out);

    let again = stdout(&build(&config, &out, &[]));
    assert!(
        again.contains("nothing changed since the last build") && again.contains(" 0 written"),
        "{again}"
    );
    assert_eq!(
        snapshot(&out),
        before,
        "no file was touched, the manifest included"
    );
}

#[test]
fn after_a_new_post_and_a_retag_exactly_the_affected_files_change_and_stale_ones_go() {
    common::on_both_engines(
        "after_a_new_post_and_a_retag_exactly_the_affected_files_change",
        new_post_and_retag,
    );
}

fn new_post_and_retag(database: &Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let feed_path = dir.path().join("blog.rss");
    let posts = [("a", "First map"), ("b", "A garden"), ("c", "Second map")];
    std::fs::write(&feed_path, feed(&posts)).expect("write");
    let vocabulary = format!("{}{}", sources(&["blog.rss"]), tag("map", &["map"], "word"));
    let config = write_config_on(dir.path(), &vocabulary, database);
    assert!(run(&config, &["fetch"]).status.success());
    let out = dir.path().join("site");
    build(&config, &out, &[]);
    let first = snapshot(&out);
    let old_post = first
        .keys()
        .find(|file| file.contains("first-map"))
        .expect("the first post's page")
        .clone();

    // A new post, and the first one renamed (its old address is no longer on the site).
    let posts = [
        ("a", "First map, revised"),
        ("b", "A garden"),
        ("c", "Second map"),
        ("d", "Third map"),
    ];
    std::fs::write(&feed_path, feed(&posts)).expect("write");
    assert!(run(&config, &["fetch"]).status.success());
    let report = stdout(&build(&config, &out, &[]));
    let second = snapshot(&out);
    assert!(
        !second.contains_key(&old_post),
        "{old_post} is stale: {report}"
    );
    assert!(report.contains("1 removed"), "{report}");
    assert!(second.keys().any(|file| file.contains("third-map")));
    let untouched = assert_only_changes_written(&first, &second);
    assert!(untouched > 0, "some pages did not change: {report}");

    // A retag: the garden post gains a tag, which gets an archive.
    let vocabulary = format!("{vocabulary}{}", tag("garden", &["garden"], "word"));
    write_config_on(dir.path(), &vocabulary, database);
    assert!(run(&config, &["retag"]).status.success());
    let report = stdout(&build(&config, &out, &[]));
    let third = snapshot(&out);
    assert!(third.contains_key("tag/garden/index.html"), "{report}");
    let garden = third
        .iter()
        .find(|(file, _)| file.contains("a-garden"))
        .expect("the garden post's page");
    assert_ne!(
        Some(garden.1),
        second.get(garden.0),
        "its page shows the tag"
    );
    assert!(assert_only_changes_written(&second, &third) > 0, "{report}");
}

#[test]
fn the_built_site_equals_a_one_page_at_a_time_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    let titles: Vec<(String, String)> = (1..=25)
        .map(|n| (format!("p{n}"), format!("Map number {n}")))
        .collect();
    let items: Vec<(&str, &str)> = titles
        .iter()
        .map(|(g, t)| (g.as_str(), t.as_str()))
        .collect();
    std::fs::write(dir.path().join("blog.rss"), feed(&items)).expect("write");
    let config = dir.path().join("syndic.toml");
    std::fs::write(
        &config,
        format!(
            "[site]\ntitle = \"Test\"\nposts_per_page = 2\n\n[database]\nurl = \"sqlite://test.db\"\n\n{}{}",
            sources(&["blog.rss"]),
            tag("map", &["map"], "word")
        ),
    )
    .expect("config");
    assert!(run(&config, &["fetch"]).status.success());

    let one: PathBuf = dir.path().join("one-at-a-time");
    let many: PathBuf = dir.path().join("many");
    build(&config, &one, &["--jobs", "1"]);
    build(&config, &many, &["--jobs", "16"]);
    let (one, many) = (snapshot(&one), snapshot(&many));
    assert!(one.contains_key("page/13/index.html"), "25 posts, 2 a page");
    let files = |tree: &BTreeMap<String, FileState>| tree.keys().cloned().collect::<Vec<_>>();
    assert_eq!(files(&one), files(&many));
    for (file, state) in &one {
        assert!(many[file].bytes == state.bytes, "{file} differs");
    }
}

#[test]
fn a_file_that_cannot_be_written_fails_the_build_by_name_and_the_next_build_repairs_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("blog.rss"), feed(&[("a", "First map")])).expect("write");
    let config = write_config(dir.path(), &sources(&["blog.rss"]));
    assert!(run(&config, &["fetch"]).status.success());
    let out = dir.path().join("site");
    build(&config, &out, &[]);
    let good = snapshot(&out);

    // A folder where a feed goes: the rename onto it fails, as a full disk would fail the write.
    std::fs::remove_file(out.join("feed.json")).expect("remove");
    std::fs::create_dir_all(out.join("feed.json/in-the-way")).expect("folder");
    let failed = run(&config, &["build", out.to_str().expect("utf-8 path")]);
    assert!(!failed.status.success());
    let message = stderr(&failed);
    assert!(
        message.contains("cannot write") && message.contains("feed.json"),
        "{message}"
    );
    let left = snapshot(&out);
    assert!(
        left.keys().all(|file| !file.ends_with(".tmp")),
        "no temporary file is left: {:?}",
        left.keys().collect::<Vec<_>>()
    );

    std::fs::remove_dir_all(out.join("feed.json")).expect("clear the way");
    build(&config, &out, &[]);
    let repaired = snapshot(&out);
    for (file, state) in &good {
        if !file.starts_with(".syndic-build") {
            assert!(repaired[file].bytes == state.bytes, "{file} differs");
        }
    }
}
