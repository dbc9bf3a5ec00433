//! The operator decides what is republished, through the real binary on both engines: a
//! takedown survives re-fetches, a second source carrying the same link and a static
//! rebuild; review holds a source's new posts; every decision is in the audit log.

mod common;

use std::path::Path;

use common::{Database, ok, on_both_engines, quoted, run, stderr, stdout, write_config_on};

fn item(guid: &str, title: &str, link: &str, day: u32) -> String {
    format!(
        "<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>\
         <pubDate>Mon, {day:02} Mar 2026 10:00:00 +0000</pubDate>\
         <description>About {title}.</description></item>"
    )
}

fn feed(title: &str, items: &[String]) -> String {
    format!(
        "<rss version=\"2.0\"><channel><title>{title}</title><link>https://blog.example/</link>{}</channel></rss>",
        items.concat()
    )
}

fn built_files(out: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut folders = vec![out.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read the site") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path
                    .strip_prefix(out)
                    .expect("inside")
                    .display()
                    .to_string();
                files.push(relative);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn a_taken_down_post_stays_down_across_refetches_other_sources_and_rebuilds() {
    on_both_engines("a_taken_down_post_stays_down", taken_down_stays_down);
}

fn taken_down_stays_down(database: &Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let kelp = "https://blog.example/kelp";
    let blog = vec![
        item("kelp", "Kelp forests", kelp, 2),
        item("tide", "Tide pools", "https://blog.example/tide", 3),
    ];
    std::fs::write(dir.path().join("blog.rss"), feed("Blog", &blog)).expect("write");
    let config = write_config_on(
        dir.path(),
        "[[source]]\nurl = \"blog.rss\"\nname = \"Blog\"\n\n",
        database,
    );
    ok(&config, &["fetch"]);
    let out = dir.path().join("site");
    let out_arg = out.to_str().expect("utf-8");
    ok(&config, &["build", out_arg]);
    assert!(built_files(&out).iter().any(|f| f.contains("kelp-forests")));

    let removed = ok(
        &config,
        &["post", "remove", kelp, "--reason", "the author asked"],
    );
    assert!(removed.contains("removed post 1"), "{removed}");
    ok(&config, &["build", out_arg]);
    let files = built_files(&out);
    assert!(
        !files.iter().any(|f| f.contains("kelp-forests")),
        "{files:?}"
    );
    let home = std::fs::read_to_string(out.join("index.html")).expect("home");
    assert!(!home.contains("Kelp forests") && home.contains("Tide pools"));

    // The feed still carries it (changed), and a planet republishes its link.
    let blog = vec![
        item("kelp", "Kelp forests again", kelp, 2),
        item("tide", "Tide pools", "https://blog.example/tide", 3),
    ];
    std::fs::write(dir.path().join("blog.rss"), feed("Blog", &blog)).expect("write");
    let planet = vec![
        item("p1", "Kelp forests", "http://www.blog.example/kelp/", 2),
        item("p2", "Planet news", "https://planet.example/news", 4),
    ];
    std::fs::write(dir.path().join("planet.rss"), feed("Planet", &planet)).expect("write");
    write_config_on(
        dir.path(),
        "[[source]]\nurl = \"blog.rss\"\nname = \"Blog\"\n\n\
         [[source]]\nurl = \"planet.rss\"\nname = \"Planet\"\n\n",
        database,
    );
    ok(&config, &["fetch"]);
    ok(&config, &["build", out_arg]);
    let home = std::fs::read_to_string(out.join("index.html")).expect("home");
    assert!(!home.contains("Kelp forests"), "the post came back");
    assert!(home.contains("Planet news"));
    let export = ok(&config, &["review", "--removed"]);
    assert!(export.contains("reason: the author asked"), "{export}");

    ok(&config, &["post", "restore", "1"]);
    ok(&config, &["build", out_arg]);
    let home = std::fs::read_to_string(out.join("index.html")).expect("home");
    assert!(home.contains("Kelp forests"), "restored");
    let audit = ok(&config, &["audit"]);
    let actions: Vec<&str> = audit
        .lines()
        .map(|l| l.split_whitespace().nth(2).unwrap_or_default())
        .collect();
    assert_eq!(actions, ["remove", "restore"], "{audit}");
    assert!(
        audit.contains("cli    remove      post 1  (the author asked)"),
        "{audit}"
    );
}

#[test]
fn review_holds_a_sources_new_posts_until_approved_or_rejected() {
    on_both_engines("review_holds_new_posts", review_holds_new_posts);
}

fn review_holds_new_posts(database: &Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let items = vec![
        item("a", "Kelp forests", "https://held.example/a", 2),
        item("b", "Buy cheap pills", "https://held.example/b", 3),
    ];
    std::fs::write(dir.path().join("held.rss"), feed("Held", &items)).expect("write");
    let body = format!(
        "[[source]]\nurl = {}\nname = \"Held\"\nreview = true\n\n",
        quoted("held.rss")
    );
    let config = write_config_on(dir.path(), &body, database);
    ok(&config, &["fetch"]);
    let queue = ok(&config, &["review"]);
    assert!(
        queue.contains("Kelp forests") && queue.contains("Buy cheap pills"),
        "{queue}"
    );
    assert!(queue.contains("2 post(s) waiting for review"), "{queue}");
    let export = run(&config, &["export", "--tag", "nothing"]);
    assert!(!stdout(&export).contains("Kelp"));

    ok(&config, &["post", "approve", "https://held.example/a"]);
    let rejected = ok(&config, &["post", "reject", "2", "--reason", "spam"]);
    assert!(rejected.contains("rejected 1 of 1"), "{rejected}");
    assert!(ok(&config, &["review"]).contains("no posts waiting for review"));
    let out = dir.path().join("site");
    ok(&config, &["build", out.to_str().expect("utf-8")]);
    let home = std::fs::read_to_string(out.join("index.html")).expect("home");
    assert!(home.contains("Kelp forests") && !home.contains("Buy cheap pills"));

    // Fetched again: the rejected post stays out, the approved one stays published.
    ok(&config, &["fetch"]);
    assert!(ok(&config, &["review"]).contains("no posts waiting for review"));
    let audit = ok(&config, &["audit", "--since", "2000-01-01"]);
    assert!(audit.contains("approve") && audit.contains("reject") && audit.contains("(spam)"));
    let since_tomorrow = ok(&config, &["audit", "--since", "2999-01-01"]);
    assert!(since_tomorrow.is_empty(), "{since_tomorrow}");
    let refused = run(&config, &["audit", "--since", "someday"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("is not a date"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn remove_purge_stops_following_a_source_and_takes_down_every_post_it_gave() {
    on_both_engines("remove_purge", remove_purge);
}

fn remove_purge(database: &Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let items = vec![
        item("a", "Kelp forests", "https://gone.example/a", 2),
        item("b", "Tide pools", "https://gone.example/b", 3),
    ];
    std::fs::write(dir.path().join("gone.rss"), feed("Gone", &items)).expect("write");
    let config = write_config_on(dir.path(), "[[source]]\nurl = \"gone.rss\"\n\n", database);
    ok(&config, &["fetch"]);
    let purged = ok(
        &config,
        &["remove", "gone.rss", "--purge", "--reason", "blog closed"],
    );
    assert!(purged.contains("took down 2 post(s)"), "{purged}");
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(!text.contains("gone.rss"), "{text}");
    let removed = ok(&config, &["review", "--removed"]);
    assert!(removed.contains("2 post(s) taken down"), "{removed}");
    assert!(ok(&config, &["audit"]).contains("purge"));
}
