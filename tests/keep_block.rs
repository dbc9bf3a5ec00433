//! Keep/block rules through the real binary on both engines: a block rule filters a new
//! post (kept out of the site, listed by `review --filtered` with its rule, named by
//! `explain`), `only_tagged` and a rule limited to one source, `refilter --dry-run` and
//! `refilter` both ways (never touching a post a person took down), and a bad rule
//! refused with its key.

mod common;

use std::path::Path;

use common::{Database, Engine, ok, on_both_engines, run, stderr, write_config_on};

fn item(guid: &str, title: &str, day: u32) -> String {
    format!(
        "<item><guid>{guid}</guid><title>{title}</title><link>https://blog.example/{guid}</link>\
         <pubDate>Mon, {day:02} Mar 2026 10:00:00 +0000</pubDate>\
         <description>About {title}.</description></item>"
    )
}

fn write_feed(dir: &Path, file: &str, items: &[String]) {
    let feed = format!(
        "<rss version=\"2.0\"><channel><title>{file}</title><link>https://blog.example/</link>{}</channel></rss>",
        items.concat()
    );
    std::fs::write(dir.join(file), feed).expect("write feed");
}

/// The home page of a fresh static build.
fn home(dir: &Path, config: &Path) -> String {
    let out = dir.join("site");
    ok(config, &["build", out.to_str().expect("utf-8")]);
    std::fs::read_to_string(out.join("index.html")).expect("home")
}

#[test]
fn a_block_rule_stores_a_new_post_as_filtered_with_its_rule() {
    on_both_engines("block_rule_filters", block_rule_filters);
}

fn block_rule_filters(database: &Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let items = [
        item("kelp", "Kelp forests", 2),
        item("ad", "Sponsored: buy a boat", 3),
    ];
    write_feed(dir.path(), "blog.rss", &items);
    let body = "[[source]]\nurl = \"blog.rss\"\n\n\
                [[rule]]\nname = \"no ads\"\naction = \"block\"\nterms = [\"sponsored\"]\n";
    let config = write_config_on(dir.path(), body, database);
    ok(&config, &["fetch"]);
    let page = home(dir.path(), &config);
    assert!(
        page.contains("Kelp forests") && !page.contains("buy a boat"),
        "{page}"
    );
    let filtered = ok(&config, &["review", "--filtered"]);
    assert!(filtered.contains("Sponsored: buy a boat"), "{filtered}");
    assert!(filtered.contains("rule: no ads"), "{filtered}");
    assert!(!filtered.contains("Kelp"), "{filtered}");
    let explained = ok(&config, &["explain", "https://blog.example/ad"]);
    assert!(explained.contains("state:    filtered"), "{explained}");
    assert!(
        explained.contains("filter: hidden by rule \"no ads\""),
        "{explained}"
    );
    let kept = ok(&config, &["explain", "https://blog.example/kelp"]);
    assert!(
        kept.contains("filter: checked \"no ads\" (block, no match); none hides it"),
        "{kept}"
    );
    let audit = ok(&config, &["audit"]);
    assert!(
        audit.contains("filter") && audit.contains("(no ads)"),
        "{audit}"
    );
}

#[test]
fn only_tagged_and_a_rule_for_one_source_hide_only_what_they_should() {
    on_both_engines("only_tagged_and_per_source", only_tagged_and_per_source);
}

fn only_tagged_and_per_source(database: &Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_feed(
        dir.path(),
        "a.rss",
        &[
            item("a1", "Kelp forests", 2),
            item("a2", "Our new office", 3),
        ],
    );
    write_feed(
        dir.path(),
        "b.rss",
        &[item("b1", "Tide pools", 2), item("b2", "Sunset photos", 3)],
    );
    write_feed(dir.path(), "c.rss", &[item("c1", "Lunch menu", 2)]);
    let body = "[[source]]\nurl = \"a.rss\"\nonly_tagged = true\n\n\
                [[source]]\nurl = \"b.rss\"\n\n\
                [[source]]\nurl = \"c.rss\"\n\n\
                [[tag]]\nname = \"kelp\"\n\n\
                [[rule]]\naction = \"keep\"\nterms = [\"tide\"]\nsources = [\"b.rss\"]\n";
    let config = write_config_on(dir.path(), body, database);
    ok(&config, &["fetch"]);
    let page = home(dir.path(), &config);
    for shown in ["Kelp forests", "Tide pools", "Lunch menu"] {
        assert!(page.contains(shown), "{shown} missing: {page}");
    }
    let filtered = ok(&config, &["review", "--filtered"]);
    assert!(filtered.contains("Our new office"), "{filtered}");
    assert!(filtered.contains("rule: only_tagged"), "{filtered}");
    assert!(filtered.contains("Sunset photos"), "{filtered}");
    assert!(filtered.contains("rule: rule 1"), "{filtered}");
    assert!(filtered.contains("2 post(s) filtered"), "{filtered}");
}

#[test]
fn refilter_moves_posts_both_ways_and_never_touches_a_removed_post() {
    on_both_engines("refilter_both_ways", refilter_both_ways);
}

fn refilter_both_ways(database: &Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let items = [
        item("kelp", "Kelp forests", 2),
        item("ad", "Sponsored: buy a boat", 3),
        item("ad2", "Sponsored: sell a boat", 4),
    ];
    write_feed(dir.path(), "blog.rss", &items);
    let source = "[[source]]\nurl = \"blog.rss\"\n\n";
    let config = write_config_on(dir.path(), source, database);
    ok(&config, &["fetch"]);
    ok(
        &config,
        &[
            "post",
            "remove",
            "https://blog.example/ad2",
            "--reason",
            "asked",
        ],
    );

    let rule = "[[rule]]\nname = \"no ads\"\naction = \"block\"\nterms = [\"sponsored\"]\n";
    write_config_on(dir.path(), &format!("{source}{rule}"), database);
    let dry = ok(&config, &["refilter", "--dry-run"]);
    assert!(dry.contains("no ads"), "{dry}");
    assert!(
        dry.lines()
            .any(|l| l.contains("- post") && l.ends_with(": Sponsored: buy a boat")),
        "{dry}"
    );
    assert!(dry.contains("would hide 1 and publish 0"), "{dry}");
    assert!(
        !dry.contains("sell a boat"),
        "a removed post is not read: {dry}"
    );
    let still = ok(&config, &["review", "--filtered"]);
    assert!(
        still.contains("no posts filtered"),
        "the dry run wrote: {still}"
    );
    assert!(home(dir.path(), &config).contains("buy a boat"));

    let applied = ok(&config, &["refilter"]);
    assert!(applied.contains("hid or published 1 of 1"), "{applied}");
    let filtered = ok(&config, &["review", "--filtered"]);
    assert!(
        filtered.contains("buy a boat") && filtered.contains("rule: no ads"),
        "{filtered}"
    );
    assert!(!home(dir.path(), &config).contains("buy a boat"));
    let removed = ok(&config, &["review", "--removed"]);
    assert!(removed.contains("sell a boat"), "{removed}");

    // The rule goes: the filtered post comes back, the removed one stays down.
    write_config_on(dir.path(), source, database);
    let back = ok(&config, &["refilter"]);
    assert!(
        back.lines()
            .any(|l| l.contains("+ post") && l.ends_with(": Sponsored: buy a boat")),
        "{back}"
    );
    let page = home(dir.path(), &config);
    assert!(
        page.contains("buy a boat") && !page.contains("sell a boat"),
        "{page}"
    );
    assert!(ok(&config, &["review", "--removed"]).contains("sell a boat"));
    let audit = ok(&config, &["audit"]);
    assert!(
        audit.contains("unfilter") && audit.contains("(no ads)"),
        "{audit}"
    );
}

#[test]
fn a_bad_rule_is_refused_with_its_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = Database::on(Engine::Sqlite, "bad_rule").expect("sqlite is always there");
    let body = "[[rule]]\naction = \"block\"\nterms = [\"x\"]\n\n\
                [[rule]]\naction = \"block\"\nterms = [\"y\"]\nmatch = \"glob\"\n";
    let config = write_config_on(dir.path(), body, &database);
    let output = run(&config, &["refilter", "--dry-run"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("rule[2].match"),
        "{}",
        stderr(&output)
    );
}
