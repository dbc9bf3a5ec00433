//! The store's edges through the real binary: many processes starting on a new database,
//! and commands that only read working on a store syndic may not write. PostgreSQL cases
//! skip, with a printed reason, when `SYNDIC_TEST_POSTGRES_URL` is unset.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Database, Engine, quoted, run, stderr, stdout, syndic};

/// The demo's configuration and feeds in `dir`, storing posts at `database_url`.
fn demo_config(dir: &Path, database_url: &str) -> PathBuf {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    let feeds = dir.join("feeds");
    std::fs::create_dir_all(&feeds).expect("feeds folder");
    for file in std::fs::read_dir(demo.join("feeds")).expect("demo feeds") {
        let file = file.expect("demo feed").path();
        std::fs::copy(&file, feeds.join(file.file_name().expect("name"))).expect("copy");
    }
    let text = std::fs::read_to_string(demo.join("syndic.toml")).expect("demo config");
    let text = text.replace(
        "url = \"sqlite://syndic.db\"",
        &format!("url = {}", quoted(database_url)),
    );
    let config = dir.join("syndic.toml");
    std::fs::write(&config, text).expect("write config");
    config
}

fn ok(config: &Path, args: &[&str]) -> Output {
    let out = run(config, args);
    assert!(
        out.status.success(),
        "syndic {args:?} failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

fn processes_started_together_on_a_new_database_all_succeed(engine: Engine) {
    let Some(database) = Database::on(engine, "processes on a new database") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    // The vocabulary only: every process records it, none fetches.
    let config = demo_config(dir.path(), &database.url);
    let text = std::fs::read_to_string(&config).expect("config");
    let tags = text.find("\n[[tag]]\n").expect("a vocabulary");
    let head = text[..tags]
        .split("\n[[source]]\n")
        .next()
        .unwrap_or_default();
    std::fs::write(&config, format!("{head}{}", &text[tags..])).expect("write config");

    let commands: [&[&str]; 6] = [
        &["tag", "list"],
        &["retag"],
        &["sources"],
        &["retag"],
        &["tag", "list"],
        &["retag", "--dry-run"],
    ];
    let children: Vec<_> = commands
        .iter()
        .map(|args| {
            syndic()
                .arg("-v")
                .args(*args)
                .arg("--config")
                .arg(&config)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start syndic")
        })
        .collect();
    let mut applied = 0;
    for (child, args) in children.into_iter().zip(commands) {
        let out = child.wait_with_output().expect("wait");
        let log = stderr(&out);
        assert!(out.status.success(), "syndic {args:?} failed: {log}");
        applied += log.matches("applied migration tag_archive_order").count();
    }
    assert_eq!(applied, 1, "the schema is applied once, by one process");
    let listed = ok(&config, &["tag", "list", "--format", "json"]);
    let tags: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).expect("json");
    assert!(tags.len() >= 3, "{tags:?}");
}

#[test]
fn processes_started_together_on_a_new_sqlite_file_all_succeed() {
    processes_started_together_on_a_new_database_all_succeed(Engine::Sqlite);
}

#[test]
fn processes_started_together_on_a_new_postgres_database_all_succeed() {
    processes_started_together_on_a_new_database_all_succeed(Engine::Postgres);
}

/// What each command that only reads prints.
fn readings(config: &Path, database_url: Option<&str>) -> Vec<(String, String)> {
    let commands: [&[&str]; 7] = [
        &["export", "--tag", "rust"],
        &["export", "--tag", "rust", "--format", "html"],
        &["sources", "--format", "json"],
        &["tag", "list", "--format", "json"],
        &["explain", "3"],
        &["retag", "--dry-run"],
        &["tag", "suggest"],
    ];
    commands
        .iter()
        .map(|args| {
            let mut command = syndic();
            command.args(*args).arg("--config").arg(config);
            if let Some(url) = database_url {
                command.args(["--database-url", url]);
            }
            let out = command.output().expect("run syndic");
            assert!(
                out.status.success(),
                "syndic {args:?} failed on a read-only store: {}",
                stderr(&out)
            );
            // Timings differ from run to run.
            let text = stdout(&out)
                .lines()
                .filter(|line| !line.contains(" in ") || !line.contains('s'))
                .collect::<Vec<_>>()
                .join("\n");
            (args.join(" "), text)
        })
        .collect()
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Whether this user can write to `folder` despite its mode (root can).
fn writes_anyway(folder: &Path) -> bool {
    let probe = folder.join(".probe");
    let wrote = std::fs::write(&probe, "x").is_ok();
    let _ = std::fs::remove_file(&probe);
    wrote
}

#[test]
fn commands_that_only_read_work_on_a_read_only_store_as_on_a_writable_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data folder");
    let url = format!("sqlite://{}", data.join("syndic.db").display());
    let config = demo_config(dir.path(), &url);
    ok(&config, &["fetch"]);
    let writable = readings(&config, None);

    // The file and its folder read-only: no -wal or -shm can be made beside it.
    let db = data.join("syndic.db");
    set_mode(&db, 0o444);
    set_mode(&data, 0o555);
    let root = writes_anyway(&data);
    // Root writes read-only files anyway; force what a read-only folder leaves: a file
    // read as immutable.
    let forced = format!("sqlite://{}?immutable=1", db.display());
    let url = root.then_some(forced.as_str());
    if root {
        println!(
            "running as root: file modes do not stop root, so the store is forced read-only with ?immutable=1"
        );
    }
    let read_only = readings(&config, url);
    let refused = match url {
        Some(url) => syndic()
            .args(["fetch", "--config"])
            .arg(&config)
            .args(["--database-url", url])
            .output()
            .expect("run syndic"),
        None => run(&config, &["fetch"]),
    };
    set_mode(&data, 0o755);
    set_mode(&db, 0o644);
    for ((command, before), (_, after)) in writable.iter().zip(&read_only) {
        assert_eq!(
            before, after,
            "syndic {command} differs on a read-only store"
        );
    }
    // A command that writes says why it cannot.
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(message.contains("read-only"), "{message}");
}

#[test]
fn serve_without_fetching_serves_a_read_only_store_and_says_it_skips_its_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = demo_config(dir.path(), &Database::sqlite().url);
    ok(&config, &["fetch"]);
    let db = dir.path().join("test.db");
    let mut command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .args([
            "--database-url",
            &format!("sqlite://{}?mode=ro", db.display()),
        ]);
    let server = common::Server::start_logged(command);
    let (status, body) = server.get("/tag/rust/");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<article"), "{body}");
    let log = server.log();
    assert!(log.contains("serving the store read-only"), "{log}");
    assert!(log.contains("read-only"), "{log}");
}
