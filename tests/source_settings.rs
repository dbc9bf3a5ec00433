//! `[[source]]` settings through the real binary: a feed that wants a User-Agent, a header
//! and a password (secrets from the environment, never printed), paused sources (both
//! engines), frozen posts, attribution templates, credit to an aggregator's originals and
//! a source's own category policy.

mod common;

use std::path::Path;
use std::process::Output;

use common::origin::{Origin, Reply, Request};
use common::{Database, Engine, quoted, stderr, stdout, syndic, write_config, write_config_on};

const TOKEN: &str = "tok-5e1d";
const PASSWORD: &str = "pw-a17c";
/// `ada:pw-a17c` as HTTP basic sends it.
const CREDENTIALS: &str = "basic ywrhonb3lwexn2m=";

const PRIVATE_FEED: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Private</title>\
    <item><guid>p1</guid><title>Members only map</title><link>https://private.example/1</link>\
    <category>map</category><description>A map for members.</description></item></channel></rss>";

/// A server on 127.0.0.1 whose feed answers only a request with the agent, the token and
/// the password, for as long as the test runs.
fn demanding_server() -> String {
    Origin::start(|_| {
        |request: &Request| {
            let head = request.head.to_ascii_lowercase();
            let known_client = head.contains("user-agent: planetbot/2.0\r\n")
                && head.contains(&format!("x-token: {TOKEN}\r\n"));
            let reply = if !known_client {
                Reply::status("403 Forbidden", "")
            } else if !head.contains(&format!("authorization: {CREDENTIALS}\r\n")) {
                Reply::status("401 Unauthorized", "")
            } else {
                Reply::ok(PRIVATE_FEED)
            };
            reply.typed("application/rss+xml")
        }
    })
    .host
}

/// `syndic ARGS --config CONFIG` with the secrets in its environment (every command reads
/// the configuration, so every command needs them).
fn with_secrets(config: &Path, args: &[&str]) -> Output {
    syndic()
        .args(args)
        .arg("--config")
        .arg(config)
        .env("FEED_TOKEN", TOKEN)
        .env("FEED_PASSWORD", PASSWORD)
        .output()
        .expect("run syndic")
}

fn run(config: &Path, args: &[&str]) -> Output {
    common::run(config, args)
}

fn everything(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

#[test]
fn a_feed_wanting_an_agent_a_header_and_a_password_is_read_with_them_and_refused_without() {
    let address = demanding_server();
    let url = format!("http://{address}/feed.xml");
    let fetch = "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\n\n";
    let with = tempfile::tempdir().expect("tempdir");
    let config = write_config(
        with.path(),
        &format!(
            "{fetch}[[source]]\nurl = {}\nuser_agent = \"PlanetBot/2.0\"\n\
             headers = {{ \"X-Token\" = \"env:FEED_TOKEN\" }}\nusername = \"ada\"\n\
             password_env = \"FEED_PASSWORD\"\n\n[[tag]]\nname = \"map\"\n",
            quoted(&url)
        ),
    );
    let fetched = with_secrets(&config, &["fetch"]);
    let said = everything(&fetched);
    assert!(fetched.status.success(), "{said}");
    assert!(!said.contains(TOKEN) && !said.contains(PASSWORD), "{said}");
    let export = stdout(&with_secrets(&config, &["export", "--tag", "map"]));
    assert!(export.contains("Members only map"), "{export}");

    // Without the environment: the start stops, naming the key and the variable.
    let missing = run(&config, &["fetch"]);
    assert_eq!(missing.status.code(), Some(2), "{}", everything(&missing));
    let said = everything(&missing);
    assert!(
        said.contains("source[1].headers.X-Token") && said.contains("FEED_TOKEN"),
        "{said}"
    );

    // Without the keys: a failure that says what to set.
    let without = tempfile::tempdir().expect("tempdir");
    let config = write_config(
        without.path(),
        &format!("{fetch}[[source]]\nurl = {}\n", quoted(&url)),
    );
    let refused = with_secrets(&config, &["fetch"]);
    assert_eq!(refused.status.code(), Some(1), "{}", everything(&refused));
    let said = everything(&refused);
    assert!(
        said.contains("HTTP 403") && said.contains("user_agent"),
        "{said}"
    );
}

fn write_feed(dir: &Path, name: &str, items: &str) -> String {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name}</title>\
             {items}</channel></rss>"
        ),
    )
    .expect("write feed");
    path.display().to_string()
}

fn item(guid: &str, title: &str, extra: &str) -> String {
    format!(
        "<item><guid>{guid}</guid><title>{title}</title><link>https://blog.example/{guid}</link>\
         <pubDate>Mon, 02 Mar 2026 12:00:00 GMT</pubDate><description>About a map.</description>\
         {extra}</item>"
    )
}

fn paused_sources_are_skipped_and_shown_as_paused(engine: Engine) {
    let Some(database) = Database::on(engine, "paused_sources_are_skipped") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let feed = write_feed(dir.path(), "quiet.rss", &item("q1", "A quiet map", ""));
    let body = format!(
        "[[source]]\nurl = {}\nname = \"Quiet\"\npaused = true\n\n[[tag]]\nname = \"map\"\n",
        quoted(&feed)
    );
    let config = write_config_on(dir.path(), &body, &database);
    let fetched = run(&config, &["fetch"]);
    let said = everything(&fetched);
    assert!(fetched.status.success(), "{said}");
    assert!(said.contains("paused"), "{said}");
    let sources = stdout(&run(&config, &["sources"]));
    assert!(
        sources.contains("paused") && sources.contains("Quiet"),
        "{sources}"
    );
    let json = stdout(&run(&config, &["sources", "--format", "json"]));
    assert!(
        json.contains("\"paused\": true") && json.contains("\"posts\": 0"),
        "{json}"
    );
}

#[test]
fn paused_sources_are_skipped_and_shown_as_paused_on_sqlite() {
    paused_sources_are_skipped_and_shown_as_paused(Engine::Sqlite);
}

#[test]
fn paused_sources_are_skipped_and_shown_as_paused_on_postgres() {
    paused_sources_are_skipped_and_shown_as_paused(Engine::Postgres);
}

#[test]
fn posts_follow_freeze_credit_and_attribute_as_each_source_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let frozen = write_feed(dir.path(), "frozen.rss", &item("f1", "Frozen map v1", ""));
    let origin = "<source url=\"https://original.example/feed\">Original Maps</source>";
    let aggregator = write_feed(dir.path(), "planet.rss", &item("a1", "Carried map", origin));
    let body = format!(
        "[tagging]\ncategories = \"none\"\n\n\
         [[source]]\nurl = {}\nname = \"Frosty\"\nupdates = \"freeze\"\n\
         attribution = \"{{title}} by {{author}} via {{source}}: {{link}}\"\n\n\
         [[source]]\nurl = {}\nname = \"Planet\"\ncredit_original = true\ncategories = \"all\"\n\n\
         [[tag]]\nname = \"map\"\n",
        quoted(&frozen),
        quoted(&aggregator)
    );
    let config = write_config(dir.path(), &body);
    let first = run(&config, &["fetch"]);
    assert!(first.status.success(), "{}", everything(&first));
    write_feed(dir.path(), "frozen.rss", &item("f1", "Frozen map v2", ""));
    let aggregator_v2 = item(
        "a1",
        "Carried map",
        &format!("{origin}<category>Cartography</category>"),
    );
    write_feed(dir.path(), "planet.rss", &aggregator_v2);
    let second = run(&config, &["fetch"]);
    assert!(second.status.success(), "{}", everything(&second));

    let export = stdout(&run(&config, &["export", "--tag", "map"]));
    assert!(
        export.contains(
            "Frozen map v1\n\nFrozen map v1 by Frosty via Frosty: https://blog.example/f1\n"
        ),
        "{export}"
    );
    assert!(!export.contains("v2"), "{export}");
    assert!(
        export.contains("Post Syndicated from Original Maps original https://blog.example/a1\n"),
        "{export}"
    );
    // The aggregator's own category policy ("all") makes its category a tag; the global
    // "none" keeps the other source's categories out.
    let tags = stdout(&run(&config, &["tag", "list"]));
    assert!(tags.to_lowercase().contains("cartography"), "{tags}");
}
