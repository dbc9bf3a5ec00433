//! The real server, started as the real binary: `syndic serve` and `syndic demo`.

mod common;

use common::{Database, Engine, Server, run, sources, syndic, tag, write_config_on};

fn rss_item(guid: &str, title: &str, date: &str) -> String {
    format!(
        "<item><guid>{guid}</guid><title>{title}</title><link>https://blog.example/{guid}</link>\
         <pubDate>{date}</pubDate><description>A post about a map.</description></item>"
    )
}

#[test]
fn serve_answers_tag_archives_newest_first() {
    archives_newest_first(Engine::Sqlite);
}

#[test]
fn serve_answers_tag_archives_newest_first_on_postgres() {
    archives_newest_first(Engine::Postgres);
}

fn archives_newest_first(engine: Engine) {
    let Some(database) = Database::on(engine, "serve_answers_tag_archives_newest_first") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let items = [
        rss_item("old", "Older map", "Mon, 02 Mar 2026 10:00:00 +0000"),
        rss_item("new", "Newer map", "Tue, 03 Mar 2026 10:00:00 +0000"),
    ]
    .concat();
    let feed = format!("<rss version=\"2.0\"><channel><title>Blog</title>{items}</channel></rss>");
    std::fs::write(dir.path().join("blog.rss"), feed).expect("write");
    let config = write_config_on(
        dir.path(),
        &format!("{}{}", sources(&["blog.rss"]), tag("map", &["map"], "word")),
        &database,
    );
    assert!(run(&config, &["fetch"]).status.success());

    let mut command = syndic();
    command
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .args(["--listen", "127.0.0.1:0"]);
    let server = Server::start(command);
    let (status, page) = server.get("/tag/map/");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Tag Archives: map"), "{page}");
    let newer = page.find("Newer map").expect("newer post listed");
    let older = page.find("Older map").expect("older post listed");
    assert!(newer < older, "newest first");
    assert_eq!(server.get("/tag/no-such-tag/").0, 404);
    assert_eq!(server.get("/").0, 200);
    let (status, found) = server.get("/search?q=older+map");
    assert_eq!(status, 200);
    assert!(found.contains("Older map"), "{found}");
    assert_eq!(server.get("/post/1/older-map/").0, 200);
    assert_eq!(server.get("/sources/").0, 200);
}

#[test]
fn the_demo_runs_with_nothing_set_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = syndic();
    command
        .current_dir(dir.path())
        .args(["demo", "--listen", "127.0.0.1:0"]);
    let server = Server::start(command);
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("Post Syndicated from"), "{home}");
    let (status, archive) = server.get("/tag/map/");
    assert_eq!(status, 200);
    assert!(archive.contains("Tag Archives: map"), "{archive}");
    assert!(
        std::fs::read_dir(dir.path())
            .expect("read")
            .next()
            .is_none(),
        "the demo writes nothing to the working folder"
    );
}
