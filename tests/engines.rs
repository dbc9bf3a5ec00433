//! One syndic, two engines: the same feeds give the same output on SQLite and PostgreSQL,
//! and the database comes from the flag, the environment or the file, in that order.
//! PostgreSQL cases skip, with a printed reason, when `SYNDIC_TEST_POSTGRES_URL` is unset.

mod common;

use std::path::{Path, PathBuf};

use common::{Database, Engine, quoted, run, stderr, stdout, syndic};

/// The demo's configuration and feeds in a folder of their own, storing posts in
/// `database`, its sources fetched one more at a time: posts get their ids in the order of
/// the sources on any engine (one fetch of several sources stores each as it finishes).
fn demo_fetched_on(dir: &Path, database: &Database) -> PathBuf {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    let feeds = dir.join("feeds");
    std::fs::create_dir_all(&feeds).expect("feeds folder");
    for file in std::fs::read_dir(demo.join("feeds")).expect("demo feeds") {
        let file = file.expect("demo feed").path();
        let name = file.file_name().expect("file name");
        std::fs::copy(&file, feeds.join(name)).expect("copy a demo feed");
    }
    let text = std::fs::read_to_string(demo.join("syndic.toml")).expect("demo config");
    let text = text.replace(
        "url = \"sqlite://syndic.db\"",
        &format!("url = {}", quoted(&database.url)),
    );
    assert!(text.contains(&database.url), "the demo names its database");
    let tags_start = text.find("\n[[tag]]\n").expect("a vocabulary");
    let (sources, tags) = text.split_at(tags_start);
    let mut tables = sources.split("\n[[source]]\n");
    let head = tables.next().unwrap_or_default();
    let tables: Vec<&str> = tables.collect();
    assert!(tables.len() >= 3, "{tables:?}");
    let config = dir.join("syndic.toml");
    for count in 1..=tables.len() {
        let listed: String = tables[..count]
            .iter()
            .map(|table| format!("\n[[source]]\n{table}"))
            .collect();
        std::fs::write(&config, format!("{head}{listed}{tags}")).expect("write config");
        ok(&config, &["fetch"]);
    }
    config
}

/// Every tag name of the demo vocabulary.
fn demo_tags(config: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(config).expect("config");
    text.split("\n[[tag]]\n")
        .skip(1)
        .filter_map(|table| {
            let line = table.lines().find(|l| l.starts_with("name = "))?;
            Some(
                line.trim_start_matches("name = ")
                    .trim_matches('"')
                    .to_owned(),
            )
        })
        .collect()
}

/// `output` with today's dates masked: an undated post is dated when it was first fetched,
/// which is a moment apart on the two stores.
fn undated_masked(output: Vec<u8>) -> String {
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let text = String::from_utf8(output).expect("UTF-8 output");
    let mut masked = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(&today) {
        masked.push_str(&rest[..at]);
        masked.push_str("TODAY");
        rest = &rest[at + today.len()..];
        // A time of day after the date ("T13:52:42Z").
        if rest.starts_with('T') && rest.len() >= 10 {
            rest = &rest[10..];
        }
    }
    masked.push_str(rest);
    masked
}

fn ok(config: &Path, args: &[&str]) -> Vec<u8> {
    let out = run(config, args);
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    out.stdout
}

#[test]
fn exports_and_tag_lists_are_byte_for_byte_the_same_on_both_engines() {
    let test = "exports_and_tag_lists_are_byte_for_byte_the_same_on_both_engines";
    let Some(postgres) = Database::on(Engine::Postgres, test) else {
        return;
    };
    let sqlite = Database::sqlite();
    let (a, b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let configs = [
        demo_fetched_on(a.path(), &sqlite),
        demo_fetched_on(b.path(), &postgres),
    ];
    let tags = demo_tags(&configs[0]);
    assert!(tags.len() >= 5, "{tags:?}");
    let mut compared = 0;
    for tag in &tags {
        for format in ["text", "html"] {
            let args = ["export", "--tag", tag, "--format", format];
            let on_sqlite = undated_masked(ok(&configs[0], &args));
            let on_postgres = undated_masked(ok(&configs[1], &args));
            assert!(
                on_sqlite == on_postgres,
                "export of {tag} as {format} differs:\n--- sqlite\n{on_sqlite}\n--- postgres\n{on_postgres}"
            );
            compared += usize::from(!on_sqlite.is_empty());
        }
    }
    assert!(compared > 0, "some archive has posts");
    let list = ["tag", "list"];
    assert_eq!(ok(&configs[0], &list), ok(&configs[1], &list));
}

#[test]
fn the_database_url_comes_from_the_flag_over_the_environment_over_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let config = common::write_config(dir.path(), "");
    let file = dir.path().join("test.db");
    let from_env = dir.path().join("env.db");
    let from_flag = dir.path().join("flag.db");
    let env_url = format!("sqlite://{}", from_env.display());
    let flag_url = format!("sqlite://{}", from_flag.display());
    let list = |env: Option<&str>, flag: Option<&str>| {
        let mut command = syndic();
        command.args(["tag", "list", "--config"]).arg(&config);
        if let Some(url) = env {
            command.env("SYNDIC_DATABASE_URL", url);
        }
        if let Some(url) = flag {
            command.args(["--database-url", url]);
        }
        let out = command.output().expect("run syndic");
        assert!(out.status.success(), "{}", stderr(&out));
    };
    list(None, None);
    assert!(file.exists() && !from_env.exists() && !from_flag.exists());
    std::fs::remove_file(&file).expect("remove");
    list(Some(&env_url), None);
    assert!(!file.exists() && from_env.exists() && !from_flag.exists());
    list(Some(&env_url), Some(&flag_url));
    assert!(!file.exists() && from_flag.exists());
}

#[test]
fn an_unreachable_postgres_server_is_named_without_its_password() {
    let dir = tempfile::tempdir().expect("dir");
    let config = common::write_config(dir.path(), "");
    // Nothing listens on port 1.
    let url = "postgres://syndic:s3cret@127.0.0.1:1/planet";
    let out = run(&config, &["tag", "list", "--database-url", url]);
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(said.contains("cannot open database"), "{said}");
    assert!(said.contains("127.0.0.1:1/planet"), "{said}");
    assert!(!said.contains("s3cret"), "{said}");
    // The cause, not a pool timeout after 30 s of retries.
    assert!(
        said.to_lowercase().contains("refused"),
        "the cause is shown: {said}"
    );
}
