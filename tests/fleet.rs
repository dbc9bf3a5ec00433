//! syndic as many cooperating processes: three `syndic worker --once` and one `syndic serve
//! --no-fetch` on one database, against a local feed server on four loopback hosts. Every
//! source is fetched once for its due time (a source fetched twice was held by the worker
//! that is killed with SIGKILL mid-sweep, and fetched again by another once that worker's
//! lease ran out); no source is fetched by two processes at once; `[fetch] per_host` and
//! `concurrency` hold across the workers; the web node shows what the workers stored
//! without a restart; and the store ends equal to what one `syndic fetch` makes of the
//! same feeds. On SQLite always, on PostgreSQL when `SYNDIC_TEST_POSTGRES_URL` is set.

mod common;
#[path = "fleet/feeds.rs"]
mod feeds;
#[path = "fleet/stopping.rs"]
mod stopping;

use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::{Database, Engine, Server, ok, quoted, run, stderr, stdout, syndic};
use feeds::FeedServer;

const HOSTS: usize = 4;
const SOURCES_PER_HOST: usize = 4;
const PER_HOST: usize = 2;
const CONCURRENCY: usize = 4;
/// Long enough that a worker on a loaded machine keeps renewing it (every third), short
/// enough that the killed worker's sources are claimed again soon.
const LEASE: &str = "5s";
/// Generous: the machine may be busy with other builds.
const PATIENCE: Duration = Duration::from_secs(120);

/// A configuration for one process of the fleet: its own `site.base_url` (the feed server
/// tells workers apart by it), the shared database, the fleet's limits, every source
/// tagged `fleet`, and a `harbor` tag from the vocabulary.
fn config(dir: &Path, name: &str, database: &str, server: &FeedServer) -> PathBuf {
    config_with(dir, name, database, server, CONCURRENCY)
}

/// [`config`] for a process that fetches at most `concurrency` sources at once. The
/// request timeouts are long: the held request must outlast any wait of the test.
fn config_with(
    dir: &Path,
    name: &str,
    database: &str,
    server: &FeedServer,
    concurrency: usize,
) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).expect("config folder");
    let mut text = format!(
        "[site]\ntitle = \"Fleet\"\nbase_url = \"https://{name}.example/\"\n\n\
         [database]\nurl = {}\n\n\
         [fetch]\nallow_networks = [\"127.0.0.0/8\"]\nper_host = {PER_HOST}\n\
         concurrency = {concurrency}\nlease = \"{LEASE}\"\nmin_interval = \"1h\"\n\
         timeout = \"300s\"\nidle_timeout = \"300s\"\n\n\
         [[tag]]\nname = \"harbor\"\nterms = [\"harbor\"]\n\n",
        quoted(database)
    );
    for host in &server.hosts {
        for n in 0..SOURCES_PER_HOST {
            text.push_str(&format!(
                "[[source]]\nurl = \"{host}/s{n}\"\ntags = [\"fleet\"]\n\n"
            ));
        }
    }
    let path = folder.join("syndic.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// Starts `syndic worker --once` on `config`, its output in files beside it.
fn worker(config: &Path) -> Child {
    let folder = config.parent().expect("folder");
    let out = std::fs::File::create(folder.join("stdout")).expect("stdout file");
    let err = std::fs::File::create(folder.join("stderr")).expect("stderr file");
    syndic()
        .args(["worker", "--once", "--config"])
        .arg(config)
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .expect("start a worker")
}

fn output_of(config: &Path) -> String {
    let folder = config.parent().expect("folder");
    let read = |name| std::fs::read_to_string(folder.join(name)).unwrap_or_default();
    format!("{}{}", read("stdout"), read("stderr"))
}

/// Waits for `child` to exit, at most [`PATIENCE`].
fn exited(child: &mut Child, config: &Path) -> ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().expect("wait for a worker") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("a worker did not finish:\n{}", output_of(config));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What is compared with a single-process run: both archives and the tag list.
fn store_contents(config: &Path) -> Vec<String> {
    let mut contents: Vec<String> = ["fleet", "harbor"]
        .iter()
        .map(|tag| ok(config, &["export", "--tag", tag]))
        .collect();
    contents.push(ok(config, &["tag", "list"]));
    contents
}

fn fleet_on(engine: Engine, test: &str) {
    let Some(database) = Database::on(engine, test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match engine {
        Engine::Sqlite => format!("sqlite://{}", dir.path().join("fleet.db").display()),
        Engine::Postgres => database.url.clone(),
    };
    let server = FeedServer::start(HOSTS, Some("w1.example"));
    let sources = HOSTS * SOURCES_PER_HOST;
    let web_config = config(dir.path(), "web", &url, &server);
    // w1 fetches two sources at a time: one of them is held until it is killed, so it
    // is mid-fetch then while the others sweep the rest.
    let workers: Vec<PathBuf> = [("w1", 2), ("w2", CONCURRENCY), ("w3", CONCURRENCY)]
        .iter()
        .map(|(name, concurrency)| config_with(dir.path(), name, &url, &server, *concurrency))
        .collect();

    let mut command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&web_config);
    let web = Server::start(command);
    let (status, before) = web.get("/");
    assert_eq!(status, 200, "{before}");
    assert_eq!(web.get("/tag/fleet/").0, 404, "no worker made the tag yet");

    // w1 starts first; its first request is held, so it is mid-fetch when it dies.
    let mut w1 = worker(&workers[0]);
    assert!(
        server.wait_for(PATIENCE, |seen| seen.held.is_some()),
        "w1 made no request:\n{}",
        output_of(&workers[0])
    );
    let mut others = [worker(&workers[1]), worker(&workers[2])];
    let by_others = |seen: &feeds::Seen| {
        let made = seen.requests.values().flatten();
        made.filter(|w| *w != "w1.example").count()
    };
    assert!(
        server.wait_for(PATIENCE, |seen| by_others(seen) >= 3),
        "w2 and w3 made no requests:\n{}{}",
        output_of(&workers[1]),
        output_of(&workers[2])
    );
    w1.kill().expect("SIGKILL w1");
    let _ = w1.wait();
    server.release();
    for (child, config) in others.iter_mut().zip(&workers[1..]) {
        let status = exited(child, config);
        assert!(status.success(), "{status}:\n{}", output_of(config));
    }

    let seen = server.seen();
    let held = seen.held.clone().expect("w1's held request");
    assert_eq!(seen.requests.len(), sources, "every source was fetched");
    for (feed, by) in &seen.requests {
        let survivors = by.iter().filter(|w| *w != "w1.example").count();
        assert!(survivors <= 1, "{feed:?} fetched by {by:?}");
        assert!(
            by.len() == 1 || by.iter().any(|w| w == "w1.example"),
            "{feed:?} fetched twice, never by the killed worker: {by:?}"
        );
    }
    assert_eq!(
        seen.requests[&held]
            .iter()
            .filter(|w| *w != "w1.example")
            .count(),
        1,
        "the killed worker's source was fetched by another once its lease ran out"
    );
    assert_eq!(seen.max_per_path, 1, "no source fetched by two at once");
    assert!(
        seen.max_per_host.values().all(|max| *max <= PER_HOST),
        "per_host held across workers: {:?}",
        seen.max_per_host
    );
    assert!(seen.max_in_all <= CONCURRENCY, "{}", seen.max_in_all);
    println!(
        "most in flight: per host {:?}, in all {}",
        seen.max_per_host, seen.max_in_all
    );
    drop(seen);

    // Nothing is leased any more, and every source was fetched once.
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&web_config, &["sources", "--format", "json"])).expect("JSON");
    let listed = listed.as_array().expect("an array");
    assert_eq!(listed.len(), sources);
    for source in listed {
        assert_eq!(source["status"], "ok", "{source}");
        assert!(source["last_success"].is_string(), "{source}");
        assert!(source["leased_until"].is_null(), "{source}");
        assert!(source["leased_by"].is_null(), "{source}");
    }

    // The web node shows the workers' posts and the tag they created, without a restart.
    let (status, archive) = web.get("/tag/fleet/");
    assert_eq!(status, 200, "{archive}");
    let (status, home) = web.get("/");
    assert_eq!(status, 200);
    assert_ne!(home, before, "the home page changed");
    assert!(home.contains("post 0") || home.contains("post 1"), "{home}");
    assert!(web.get("/tags/").1.contains("fleet"));

    // The same feeds through one `syndic fetch`, into a store of its own.
    let single_url = format!("sqlite://{}", dir.path().join("single.db").display());
    let single = config(dir.path(), "single", &single_url, &server);
    ok(&single, &["fetch"]);
    let fleet = store_contents(&web_config);
    assert!(fleet[0].contains("post 0"), "{}", fleet[0]);
    assert_eq!(
        fleet,
        store_contents(&single),
        "the fleet's store equals one fetch's"
    );
}

#[test]
fn three_workers_and_a_web_node_share_one_sqlite_store() {
    fleet_on(
        Engine::Sqlite,
        "three_workers_and_a_web_node_share_one_sqlite_store",
    );
}

#[test]
fn three_workers_and_a_web_node_share_one_postgres_store() {
    fleet_on(
        Engine::Postgres,
        "three_workers_and_a_web_node_share_one_postgres_store",
    );
}

#[test]
fn a_fetch_skips_a_source_a_worker_holds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("fleet.db").display());
    let server = FeedServer::start(1, Some("w1.example"));
    let w1_config = config(dir.path(), "w1", &url, &server);
    let mut w1 = worker(&w1_config);
    assert!(
        server.wait_for(PATIENCE, |seen| seen.held.is_some()),
        "w1 made no request:\n{}",
        output_of(&w1_config)
    );
    let cli = config(dir.path(), "cli", &url, &server);
    let out = run(&cli, &["fetch"]);
    let said = stdout(&out);
    assert!(out.status.success(), "{said}{}", stderr(&out));
    let held = server.seen().held.clone().expect("held");
    assert!(
        said.contains(&format!("skipped {}{}: ", server.hosts[held.0], held.1))
            && said.contains("is fetching it (lease until"),
        "{said}"
    );
    assert_eq!(
        server.seen().requests[&held],
        vec!["w1.example".to_owned()],
        "fetch left it to the worker"
    );
    w1.kill().expect("kill w1");
    let _ = w1.wait();
    server.release();
}

#[test]
fn a_worker_shows_its_lease_and_gives_it_back_when_stopped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("fleet.db").display());
    let server = FeedServer::start(1, Some("w1.example"));
    let config = config(dir.path(), "w1", &url, &server);
    // First fetches are spread over min(min_interval, 5 min): make that a second.
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        text.replace("min_interval = \"1h\"", "min_interval = \"1s\""),
    )
    .expect("write config");
    let folder = config.parent().expect("folder");
    let mut command = syndic();
    command
        .args(["worker", "--config"])
        .arg(&config)
        .stdout(Stdio::from(
            std::fs::File::create(folder.join("stdout")).expect("stdout file"),
        ))
        .stderr(Stdio::from(
            std::fs::File::create(folder.join("stderr")).expect("stderr file"),
        ));
    let mut worker = command.spawn().expect("start a worker");
    assert!(
        server.wait_for(PATIENCE, |seen| seen.held.is_some()),
        "the worker made no request:\n{}",
        output_of(&config)
    );
    let (host, path) = server.seen().held.clone().expect("held");
    let held_url = format!("{}{path}", server.hosts[host]);
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&config, &["sources", "--format", "json"])).expect("JSON");
    let held = listed
        .as_array()
        .expect("an array")
        .iter()
        .find(|source| source["url"] == held_url.as_str())
        .expect("the held source is listed")
        .clone();
    let holder = held["leased_by"].as_str().unwrap_or_default();
    assert!(
        holder.contains(&format!(":{}:", worker.id())),
        "the worker's pid names its lease: {held}"
    );
    assert!(held["leased_until"].is_string(), "{held}");

    let status = std::process::Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let status = exited(&mut worker, &config);
    server.release();
    assert!(status.success(), "{status}:\n{}", output_of(&config));
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&config, &["sources", "--format", "json"])).expect("JSON");
    for source in listed.as_array().expect("an array") {
        assert!(source["leased_by"].is_null(), "given back: {source}");
        assert!(source["leased_until"].is_null(), "given back: {source}");
    }
}
