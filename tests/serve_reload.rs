//! `syndic serve` reloads the tag vocabulary while it runs: on a change of the configuration
//! file and on SIGHUP; an invalid file changes nothing and the server carries on.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Server, syndic, tag, write_config};

/// Long enough for a 2 s poll on a busy 2-core machine.
const WAIT: Duration = Duration::from_secs(40);

fn serve(config: &Path) -> Server {
    let mut command = syndic();
    command
        .arg("serve")
        .arg("--no-fetch")
        .arg("--config")
        .arg(config)
        .args(["--listen", "127.0.0.1:0"]);
    Server::start_logged(command)
}

/// Waits until `done` holds, failing with `what` (and the server's log) after [`WAIT`].
fn wait_until(server: &Server, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < WAIT,
            "timed out waiting for {what}; log:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn an_edited_vocabulary_is_served_without_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &tag("map", &["map"], "word"));
    let server = serve(&config);
    assert_eq!(server.get("/tag/map/").0, 200);
    assert_eq!(server.get("/tag/kelp/").0, 404);

    write_config(
        dir.path(),
        &[
            tag("map", &["map"], "word"),
            tag("kelp", &["kelp", "kelp forest"], "word"),
        ]
        .concat(),
    );
    // The new tag serves a moment before the reload's log line is written: wait for both.
    wait_until(&server, "the new tag's archive", || {
        server.get("/tag/kelp/").0 == 200
            && server.log().contains("vocabulary reloaded: 2 tags (+1 -0)")
    });
    let (_, page) = server.get("/tag/kelp/");
    assert!(page.contains("Tag Archives: kelp"), "{page}");
    let log = server.log();
    assert!(log.contains("vocabulary reloaded: 2 tags (+1 -0)"), "{log}");
    assert!(log.contains("run `syndic retag`"), "{log}");
}

#[test]
fn an_invalid_edit_is_logged_and_the_old_vocabulary_stays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &tag("map", &["map"], "word"));
    let server = serve(&config);
    write_config(
        dir.path(),
        &[tag("map", &["map"], "word"), tag("kelp", &[""], "word")].concat(),
    );
    wait_until(&server, "the error in the log", || {
        server.log().contains("configuration not reloaded")
    });
    let log = server.log();
    assert!(log.contains("at tag[2]"), "the key path is named: {log}");
    assert!(log.contains("previous vocabulary stays in force"), "{log}");
    assert!(!log.contains("vocabulary reloaded"), "{log}");
    // Still serving, with the old vocabulary.
    assert_eq!(server.get("/tag/map/").0, 200);
    assert_eq!(server.get("/tag/kelp/").0, 404);
    assert_eq!(server.get("/").0, 200);

    // Fixed again, it reloads.
    write_config(
        dir.path(),
        &[tag("map", &["map"], "word"), tag("kelp", &["kelp"], "word")].concat(),
    );
    wait_until(&server, "the fixed file to reload", || {
        server.get("/tag/kelp/").0 == 200
    });
}

#[cfg(unix)]
#[test]
fn sighup_reloads_a_change_the_poll_cannot_see() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &tag("kelp", &["kelp"], "word"));
    let server = serve(&config);
    assert_eq!(server.get("/tag/kelp/").0, 200);
    // Same length, same modification time: only SIGHUP tells the server.
    let before = std::fs::metadata(&config).expect("metadata");
    write_config(dir.path(), &tag("reef", &["reef"], "word"));
    let file = std::fs::File::options()
        .write(true)
        .open(&config)
        .expect("open");
    file.set_modified(before.modified().expect("mtime"))
        .expect("set mtime");
    drop(file);
    assert_eq!(
        std::fs::metadata(&config).expect("metadata").len(),
        before.len()
    );
    // Two polls pass unnoticed.
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(server.get("/tag/reef/").0, 404, "{}", server.log());

    let status = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    // The new vocabulary serves before its log line is written: wait for both.
    wait_until(&server, "the reload on SIGHUP", || {
        server.get("/tag/reef/").0 == 200
            && server.log().contains("vocabulary reloaded: 1 tags (+1 -1)")
    });
    let log = server.log();
    assert!(log.contains("(SIGHUP)"), "{log}");
    assert!(log.contains("vocabulary reloaded: 1 tags (+1 -1)"), "{log}");
    // Still alive: SIGHUP no longer ends the process.
    assert_eq!(server.get("/").0, 200);
}

#[test]
fn a_reloaded_tag_shows_its_description_and_its_alias_leads_to_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &tag("map", &["map"], "word"));
    let server = serve(&config);
    write_config(
        dir.path(),
        &format!(
            "{}[[tag]]\nname = \"kelp\"\ndescription = \"Kelp forests & <tide pools>\"\n\
             aliases = [\"seaweed\"]\n\n",
            tag("map", &["map"], "word")
        ),
    );
    wait_until(&server, "the new tag's archive", || {
        server.get("/tag/kelp/").0 == 200
    });
    let (_, page) = server.get("/tag/kelp/");
    assert!(
        page.contains("<p class=\"description\">Kelp forests &amp; &lt;tide pools&gt;</p>"),
        "{page}"
    );
    assert_eq!(server.get("/tag/seaweed/").0, 301);
}

#[test]
fn a_cached_archive_shows_a_reloaded_description_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let with_description =
        |text: &str| format!("[[tag]]\nname = \"map\"\ndescription = \"{text}\"\n\n");
    let config = write_config(dir.path(), &with_description("Old charts"));
    let server = serve(&config);
    for _ in 0..2 {
        let (_, page) = server.get("/tag/map/");
        assert!(page.contains("Old charts"), "{page}");
    }
    write_config(dir.path(), &with_description("New charts"));
    wait_until(&server, "the new description", || {
        server.get("/tag/map/").1.contains("New charts")
    });
    assert!(!server.get("/tag/map/").1.contains("Old charts"));
}
