//! Helpers shared by the end-to-end tests: run the real binary against temporary configs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod browser;
pub mod origin;
pub mod private_postgres;
pub mod real_labels;
mod shared_folder;
#[allow(unused_imports)] // only some of the tests read ../shared
pub use shared_folder::{shared_dir, skip_reason};

/// The `syndic` binary built for this test run.
pub fn syndic() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_syndic"));
    command
        .env_remove("SYNDIC_CONFIG")
        .env_remove("SYNDIC_DATABASE_URL")
        .env_remove("RUST_LOG");
    command
}

/// Runs `syndic ARGS --config CONFIG` and returns its output.
pub fn run(config: &Path, args: &[&str]) -> Output {
    syndic()
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .expect("run syndic")
}

/// Runs `syndic ARGS --config CONFIG`, asserts it succeeded and returns its standard output.
pub fn ok(config: &Path, args: &[&str]) -> String {
    let out = run(config, args);
    assert!(
        out.status.success(),
        "syndic {args:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A TOML string literal.
pub fn quoted(text: &str) -> String {
    toml_string(text)
}

fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `body` as `syndic.toml` in `dir` (with the database beside it) and returns its path.
pub fn write_config(dir: &Path, body: &str) -> PathBuf {
    write_config_on(dir, body, &Database::sqlite())
}

/// Writes `body` as `syndic.toml` in `dir`, storing posts in `database`.
pub fn write_config_on(dir: &Path, body: &str, database: &Database) -> PathBuf {
    let path = dir.join("syndic.toml");
    let text = format!(
        "[site]\ntitle = \"Test\"\n\n[database]\nurl = {}\n\n{body}",
        quoted(&database.url)
    );
    std::fs::write(&path, text).expect("write config");
    path
}

/// Where an end-to-end test keeps its store: a SQLite file beside the configuration, or a
/// fresh PostgreSQL schema (removed when dropped) in the server `SYNDIC_TEST_POSTGRES_URL`
/// names.
pub struct Database {
    pub url: String,
    _postgres: Option<syndic_store::testing::TestDatabase>,
}

/// The engines an end-to-end test can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Database {
    /// `test.db` beside the configuration file.
    pub fn sqlite() -> Database {
        Database {
            url: "sqlite://test.db".into(),
            _postgres: None,
        }
    }

    /// A fresh PostgreSQL schema, or `None` (after printing why `test` is skipped) when
    /// `SYNDIC_TEST_POSTGRES_URL` is not set.
    pub fn postgres(test: &str) -> Option<Database> {
        let db = syndic_store::testing::TestDatabase::postgres(test)?;
        Some(Database {
            url: db.url().to_owned(),
            _postgres: Some(db),
        })
    }

    /// A database on `engine`, `None` when that engine is unavailable (said why).
    pub fn on(engine: Engine, test: &str) -> Option<Database> {
        match engine {
            Engine::Sqlite => Some(Database::sqlite()),
            Engine::Postgres => Database::postgres(test),
        }
    }
}

/// Runs `body` on SQLite, then on PostgreSQL when a server is configured (skipped with a
/// printed reason otherwise).
pub fn on_both_engines(test: &str, body: fn(&Database)) {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        if let Some(database) = Database::on(engine, test) {
            body(&database);
        }
    }
}

/// `[[source]]` entries for these paths or URLs.
pub fn sources(urls: &[impl AsRef<str>]) -> String {
    urls.iter()
        .map(|u| format!("[[source]]\nurl = {}\n\n", quoted(u.as_ref())))
        .collect()
}

/// A `[[tag]]` entry.
pub fn tag(name: &str, terms: &[&str], mode: &str) -> String {
    let terms: Vec<String> = terms.iter().map(|t| quoted(t)).collect();
    format!(
        "[[tag]]\nname = {}\nterms = [{}]\nmatch = {}\n\n",
        quoted(name),
        terms.join(", "),
        quoted(mode)
    )
}

/// A running `syndic serve` or `syndic demo`, killed when dropped.
pub struct Server {
    child: std::process::Child,
    pub address: String,
    /// Standard error so far, when started with [`Server::start_logged`].
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// Starts `syndic ARGS` and waits (up to a minute) for its "serving … at http://ADDR/" line.
    pub fn start(command: Command) -> Server {
        Server::spawn(command, false)
    }

    /// Like [`Server::start`], but keeps standard error (the log) for [`Server::log`].
    pub fn start_logged(command: Command) -> Server {
        Server::spawn(command, true)
    }

    /// Everything the server logged so far (empty unless started with `start_logged`).
    pub fn log(&self) -> String {
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }

    /// The server's process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn spawn(mut command: Command, logged: bool) -> Server {
        use std::io::BufRead;
        let stderr = if logged {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::inherit()
        };
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start server");
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        if let Some(stderr) = child.stderr.take() {
            let log = std::sync::Arc::clone(&log);
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stderr)
                    .lines()
                    .map_while(Result::ok)
                {
                    eprintln!("{line}");
                    if let Ok(mut log) = log.lock() {
                        log.push_str(&line);
                        log.push('\n');
                    }
                }
            });
        }
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(rest) = line.split("at http://").nth(1) {
                    let _ = tx.send(rest.split('/').next().unwrap_or_default().to_owned());
                }
            }
        });
        let address = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("server printed its address");
        Server {
            child,
            address,
            log,
        }
    }

    /// GET `path`; returns the status code and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let (status, _, body) = self.get_with_head(path);
        (status, body)
    }

    /// GET `path`; returns the status code, the head (status line and header fields, as
    /// sent) and the body.
    pub fn get_with_head(&self, path: &str) -> (u16, String, String) {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&self.address).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        let response = String::from_utf8_lossy(&response).into_owned();
        let status = response
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let (head, body) = response
            .split_once("\r\n\r\n")
            .map(|(h, b)| (h.to_owned(), b.to_owned()))
            .unwrap_or_default();
        (status, head, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
