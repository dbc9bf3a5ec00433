//! `syndic store copy` and `syndic store check` through the binary: a store moved to
//! PostgreSQL and back exports byte for byte the same, a backup taken while `serve` runs
//! is whole, a target that is not empty is refused, and a check says what is wrong.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Database, Server, run, sources, stderr, stdout, syndic, tag};

/// Two local feeds, a vocabulary with an alias, every post fetched, one tag added and one
/// removed by hand: a store with a row in most tables.
fn fetched_store(dir: &Path) -> PathBuf {
    let item = |guid: &str, title: &str, day: u32, text: &str| {
        format!(
            "<item><guid>{guid}</guid><title>{title}</title><link>https://blog.example/{guid}</link>\
             <pubDate>Tue, {day:02} Mar 2026 10:00:00 +0000</pubDate>\
             <description>{text}</description></item>"
        )
    };
    let blog = format!(
        "<rss version=\"2.0\"><channel><title>Blog</title>{}{}{}</channel></rss>",
        item("a", "Harbour maps", 2, "A map of the harbour, and kelp."),
        item(
            "b",
            "Kelp forests",
            3,
            "Kelp grows fast; a café by the sea."
        ),
        item("c", "Tide tables", 4, "Tides and maps of the coast."),
    );
    let notes = format!(
        "<rss version=\"2.0\"><channel><title>Notes</title>{}</channel></rss>",
        item("n", "Field notes", 5, "Kelp, tides and a map.")
    );
    std::fs::write(dir.join("blog.rss"), blog).expect("feed");
    std::fs::write(dir.join("notes.rss"), notes).expect("feed");
    let path = dir.join("syndic.toml");
    let text = format!(
        "[database]\nurl = \"sqlite://store.db\"\n\n{}{}{}aliases = [\"seaweed\"]\n\n",
        sources(&["blog.rss", "notes.rss"]),
        tag("map", &["map"], "word"),
        tag("kelp", &["kelp"], "word"),
    );
    std::fs::write(&path, text).expect("config");
    ok(&path, &["fetch"]);
    ok(&path, &["tag", "add", "3", "kelp"]);
    ok(&path, &["tag", "remove", "1", "map"]);
    path
}

fn ok(config: &Path, args: &[&str]) -> Vec<u8> {
    let out = run(config, args);
    assert!(
        out.status.success(),
        "{args:?}:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    out.stdout
}

/// `syndic ARGS --database-url URL` with `config` (whose own database is overridden).
fn on(config: &Path, url: &str, args: &[&str]) -> Output {
    syndic()
        .args(args)
        .arg("--config")
        .arg(config)
        .args(["--database-url", url])
        .output()
        .expect("run syndic")
}

/// What a reader sees of a store: every tag's archive as text and HTML, the tag list,
/// and the rows per table `store check` counts.
fn seen(config: &Path, url: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for args in [
        &["export", "--tag", "map"][..],
        &["export", "--tag", "kelp", "--format", "html"],
        &["tag", "list"],
        &["store", "check"],
    ] {
        let out = on(config, url, args);
        assert!(out.status.success(), "{args:?} on {url}: {}", stderr(&out));
        let text = stdout(&out);
        // The check's first line names the store; its counts must agree.
        seen.push(
            text.lines()
                .filter(|l| !l.starts_with("store "))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    seen
}

#[test]
fn a_store_moved_to_postgresql_and_back_exports_byte_for_byte_the_same() {
    let test = "a_store_moved_to_postgresql_and_back_exports_byte_for_byte_the_same";
    let Some(postgres) = Database::postgres(test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let config = fetched_store(dir.path());
    let original = format!("sqlite://{}", dir.path().join("store.db").display());
    let back = format!("sqlite://{}", dir.path().join("back.db").display());
    let there = run(&config, &["store", "copy", "--to", &postgres.url]);
    assert!(there.status.success(), "{}", stderr(&there));
    assert!(
        stdout(&there).contains("counts verified"),
        "{}",
        stdout(&there)
    );
    assert!(
        stderr(&there).contains("rows of posts"),
        "progress lines: {}",
        stderr(&there)
    );
    let again = syndic()
        .args(["store", "copy", "--from", &postgres.url, "--to", &back])
        .output()
        .expect("run syndic");
    assert!(again.status.success(), "{}", stderr(&again));
    let expected = seen(&config, &original);
    assert!(expected[0].contains("Harbour maps") || expected[0].contains("Tide tables"));
    assert!(
        expected[3].contains("ok: the store is healthy"),
        "{}",
        expected[3]
    );
    assert_eq!(seen(&config, &postgres.url), expected, "on PostgreSQL");
    assert_eq!(seen(&config, &back), expected, "back on SQLite");
}

#[test]
fn bodies_made_with_a_dictionary_read_the_same_in_other_processes_and_copies() {
    let dir = tempfile::tempdir().expect("dir");
    let config = fetched_store(dir.path());
    let original = format!("sqlite://{}", dir.path().join("store.db").display());
    let mut expected = seen(&config, &original);
    // The check counts the dictionary's row; the rest reads the same.
    expected[3] = expected[3].replace("body_dictionaries 0", "body_dictionaries 1");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let formats = runtime.block_on(async {
        let store = syndic_store::Store::open(&original).await.expect("open");
        let phrases = "A map of the harbour, and kelp. Kelp grows fast; a café by the sea. \
            Tides and maps of the coast. Kelp, tides and a map. <p>";
        syndic_store::testing::use_dictionary(&store, phrases.repeat(4).as_bytes())
            .await
            .expect("dictionary");
        let formats = syndic_store::testing::body_formats(&store)
            .await
            .expect("formats");
        store.close().await;
        formats
    });
    assert!(formats.iter().any(|(f, _)| *f == 2), "{formats:?}");
    // `syndic` processes read the dictionary from the store; a copy carries it.
    assert_eq!(seen(&config, &original), expected);
    let copy = format!("sqlite://{}", dir.path().join("copy.db").display());
    let copied = run(&config, &["store", "copy", "--to", &copy]);
    assert!(copied.status.success(), "{}", stderr(&copied));
    assert_eq!(seen(&config, &copy), expected, "the copy");
}

#[test]
fn a_target_that_is_not_empty_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("dir");
    let config = fetched_store(dir.path());
    let target = dir.path().join("other.db");
    let target_url = format!("sqlite://{}", target.display());
    let first = run(&config, &["store", "copy", "--to", &target_url]);
    assert!(first.status.success(), "{}", stderr(&first));
    let second = run(&config, &["store", "copy", "--to", &target_url]);
    assert_eq!(second.status.code(), Some(1));
    let said = stderr(&second);
    assert!(
        said.contains("is not empty") && said.contains("new, empty database"),
        "{said}"
    );
}

#[test]
fn check_says_what_is_wrong_and_exits_1() {
    let dir = tempfile::tempdir().expect("dir");
    let config = fetched_store(dir.path());
    let healthy = run(&config, &["store", "check"]);
    assert_eq!(healthy.status.code(), Some(0), "{}", stderr(&healthy));
    assert!(stdout(&healthy).contains("ok: the store is healthy"));
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = syndic_store::Store::open(&url).await.expect("store");
        syndic_store::testing::execute(&store, "DELETE FROM site_state")
            .await
            .expect("a lost clock row");
        store.close().await;
    });
    // A URL on the command line needs no configuration file.
    let broken = syndic()
        .args(["store", "check", "--database-url", &url])
        .current_dir(dir.path())
        .env("SYNDIC_CONFIG", dir.path().join("none.toml"))
        .output()
        .expect("run syndic");
    assert_eq!(broken.status.code(), Some(1), "{}", stderr(&broken));
    let said = stdout(&broken);
    assert!(said.contains("problem: the change clock"), "{said}");
    assert!(said.contains("to fix: "), "{said}");
}

#[test]
fn a_backup_taken_while_serve_fetches_is_a_whole_healthy_store() {
    let dir = tempfile::tempdir().expect("dir");
    let config = fetched_store(dir.path());
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        text.replace(
            "[database]",
            "[fetch]\nmin_interval = \"1s\"\nmax_interval = \"1s\"\n\n[database]",
        ),
    )
    .expect("config");
    let mut command = syndic();
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config);
    let server = Server::start(command);
    let backup = dir.path().join("backup.db");
    let backup_url = format!("sqlite://{}", backup.display());
    let copied = run(&config, &["store", "copy", "--to", &backup_url]);
    assert!(copied.status.success(), "{}", stderr(&copied));
    let (status, _) = server.get("/");
    assert_eq!(status, 200, "serve carries on");
    let checked = on(&config, &backup_url, &["store", "check"]);
    assert!(checked.status.success(), "{}", stdout(&checked));
    let export = on(&config, &backup_url, &["export", "--tag", "kelp"]);
    assert!(
        stdout(&export).contains("Kelp forests"),
        "{}",
        stdout(&export)
    );
}
