//! Local media (issue 16, point 2): with `[media] cache = true`, the real `syndic fetch`
//! copies a post's raster images from a local server into the media folder (or, with
//! `keep = "store"`, into the store on either engine), rewrites their `src` to exactly
//! `/media/<hash>`, and `syndic serve` serves them with their type under a CSP of
//! `img-src 'self'`; an SVG, an HTML page and an image over `max_file` keep their
//! addresses; the static build names them `<hash>.<ext>`; `syndic media gc` removes an
//! unreferenced file and keeps a referenced one.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::origin::{self, Origin, Reply, Request, escaped};
use common::{
    Database, Server, on_both_engines, run, stderr, stdout, syndic, write_config, write_config_on,
};

/// The small PNG of the feed.
fn png() -> Vec<u8> {
    origin::png("tail-of-the-small-png")
}

fn big_png() -> Vec<u8> {
    let mut bytes = png();
    bytes.resize(4096, b'x');
    bytes
}

const SVG: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
const PAGE: &[u8] = b"<!doctype html><title>not an image</title>";

fn feed(host: &str) -> String {
    let html = format!(
        "<p>Photos</p><img src=\"http://{host}/a.png\" alt=\"a\"><img src=\"http://{host}/b.svg\">\
         <img src=\"http://{host}/page.html\"><img src=\"http://{host}/big.png\">\
         <img src=\"http://{host}/missing.png\">"
    );
    let escaped = escaped(&html);
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Photo blog</title>\
         <link>http://{host}/</link><item><guid>p1</guid><title>Photos</title>\
         <link>http://{host}/p1</link><pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate>\
         <description>{escaped}</description></item></channel></rss>"
    )
}

/// Serves the feed and the images on loopback until the test ends.
fn origin() -> String {
    let origin = Origin::start(|host| {
        let feed = feed(host);
        move |request: &Request| match request.path.as_str() {
            "/feed.xml" => Reply::ok(feed.clone()).typed("application/rss+xml"),
            // The server lies about the types: the bytes decide.
            "/a.png" => Reply::ok(png()).typed("application/octet-stream"),
            "/b.svg" => Reply::ok(SVG).typed("image/png"),
            "/page.html" => Reply::ok(PAGE).typed("image/jpeg"),
            "/big.png" => Reply::ok(big_png()).typed("image/png"),
            _ => Reply::not_found(),
        }
    });
    origin.host
}

/// Runs `syndic build` into `dir/site` and checks that the post page names the image
/// `hash` with its type's extension (for a static server) and that the build holds its
/// bytes under that name; returns the site's folder.
fn built_with_the_image(config: &Path, dir: &Path, hash: &str) -> PathBuf {
    let site = dir.join("site");
    let built = run(config, &["build", site.to_str().expect("utf-8 path")]);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = std::fs::read_to_string(site.join("post/1/photos/index.html")).expect("post page");
    assert!(
        page.contains(&format!("src=\"/media/{hash}.png\"")),
        "{page}"
    );
    assert_eq!(
        std::fs::read(site.join("media").join(format!("{hash}.png")))
            .expect("built media, typed by its extension"),
        png()
    );
    site
}

fn media_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|shard| shard.file_name() != "urls")
        .flat_map(|shard| {
            std::fs::read_dir(shard.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .filter_map(|file| file.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

#[test]
fn images_of_new_posts_are_cached_rewritten_served_and_collected() {
    let host = origin();
    let dir = tempfile::tempdir().expect("tempdir");
    let body = format!(
        "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\n\n[media]\ncache = true\nmax_file = \"1KiB\"\n\n\
         [[source]]\nurl = \"http://{host}/feed.xml\"\nname = \"Photo blog\"\n"
    );
    let config = write_config(dir.path(), &body);
    let fetched = run(&config, &["fetch"]);
    assert!(fetched.status.success(), "{}", stderr(&fetched));

    let media = dir.path().join("media");
    let files = media_files(&media);
    assert_eq!(files.len(), 1, "only the small PNG is kept: {files:?}");
    let hash = &files[0];
    assert_eq!(
        std::fs::read(media.join(&hash[..2]).join(hash)).expect("the cached file"),
        png(),
        "stored byte for byte"
    );
    let log = stderr(&fetched);
    for refused in ["b.svg", "page.html", "big.png", "missing.png"] {
        assert!(
            log.contains(refused),
            "{refused} is logged as not cached: {log}"
        );
    }

    let mut command: Command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config);
    let server = Server::start(command);
    let (status, head, page) = server.get_with_head("/post/1/photos/");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&format!("src=\"/media/{hash}\"")), "{page}");
    assert!(
        !page.contains(&format!("/media/{hash}.")),
        "exactly /media/<hash>: {page}"
    );
    for kept in ["b.svg", "page.html", "big.png", "missing.png"] {
        assert!(
            page.contains(&format!("src=\"http://{host}/{kept}\"")),
            "{kept}: {page}"
        );
    }
    assert!(head.contains("img-src 'self';"), "{head}");

    let (status, head, bytes) = server.get_with_head(&format!("/media/{hash}"));
    assert_eq!(status, 200, "{head}");
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-type: image/png"), "{head}");
    assert!(
        head.contains("cache-control: public, max-age=31536000, immutable"),
        "{head}"
    );
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    assert!(bytes.ends_with("tail-of-the-small-png"), "{bytes}");
    assert_eq!(
        server.get(&format!("/media/{hash}.png")).0,
        200,
        "the typed name too"
    );
    for bad in [
        format!("/media/{hash}.jpg"),
        format!("/media/{hash}.svg"),
        "/media/../syndic.toml".to_owned(),
        "/media/%2e%2e%2fsyndic.toml".to_owned(),
        format!("/media/{}", hash.to_uppercase()),
        format!("/media/{}", "0".repeat(64)),
    ] {
        assert_eq!(server.get(&bad).0, 404, "{bad}");
    }
    drop(server);

    // The static build carries the referenced image (and only it), its pages naming it
    // with its type's extension for a static server.
    let site = built_with_the_image(&config, dir.path(), hash);
    assert_eq!(
        std::fs::read_dir(site.join("media"))
            .expect("media")
            .count(),
        1
    );

    // An unreferenced file (old enough) goes; the referenced one stays.
    let orphan = "f".repeat(64);
    let orphan_path = media.join("ff").join(&orphan);
    std::fs::create_dir_all(orphan_path.parent().expect("shard")).expect("shard");
    std::fs::write(&orphan_path, png()).expect("orphan");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&orphan_path)
        .and_then(|file| file.set_modified(old))
        .expect("age the orphan");
    let referenced = media.join(&hash[..2]).join(hash);
    std::fs::File::options()
        .write(true)
        .open(&referenced)
        .and_then(|file| file.set_modified(old))
        .expect("age the referenced file");
    let gc = run(&config, &["media", "gc"]);
    assert!(gc.status.success(), "{}", stderr(&gc));
    let said = stdout(&gc);
    assert!(said.contains(&format!("removed {orphan}")), "{said}");
    assert!(
        said.contains("removed 1 file(s), freed 37 bytes; kept 1 file(s)"),
        "{said}"
    );
    assert!(!orphan_path.exists());
    assert!(referenced.exists());
}

#[test]
fn without_media_cache_images_stay_remote_and_the_csp_allows_them() {
    let host = origin();
    let dir = tempfile::tempdir().expect("tempdir");
    let body = format!(
        "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\n\n\
         [[source]]\nurl = \"http://{host}/feed.xml\"\nname = \"Photo blog\"\n"
    );
    let config = write_config(dir.path(), &body);
    let fetched = run(&config, &["fetch"]);
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    assert!(media_files(&dir.path().join("media")).is_empty());
    let mut command: Command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config);
    let server = Server::start(command);
    let (status, head, page) = server.get_with_head("/post/1/photos/");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(&format!("src=\"http://{host}/a.png\"")),
        "{page}"
    );
    assert!(head.contains("img-src http: https:;"), "{head}");
    assert_eq!(server.get(&format!("/media/{}", "0".repeat(64))).0, 404);
}

#[test]
fn images_kept_in_the_store_are_served_built_and_collected_with_no_file_on_disk() {
    on_both_engines(
        "images_kept_in_the_store_are_served_built_and_collected_with_no_file_on_disk",
        kept_in_the_store,
    );
}

fn kept_in_the_store(database: &Database) {
    let host = origin();
    let dir = tempfile::tempdir().expect("tempdir");
    let body = format!(
        "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\n\n\
         [media]\ncache = true\nkeep = \"store\"\nmax_file = \"1KiB\"\n\n\
         [[source]]\nurl = \"http://{host}/feed.xml\"\nname = \"Photo blog\"\n"
    );
    let config = write_config_on(dir.path(), &body, database);
    let fetched = run(&config, &["fetch"]);
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    let media = dir.path().join("media");
    assert!(
        !media.exists(),
        "no media folder: {:?}",
        media_files(&media)
    );
    let status = run(&config, &["media", "status"]);
    let said = stdout(&status);
    assert!(said.contains("kept in: the store"), "{said}");
    assert!(
        said.contains("files: 1, 37 bytes"),
        "only the small PNG: {said}"
    );

    let mut command: Command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config);
    let server = Server::start(command);
    let (status, _, page) = server.get_with_head("/post/1/photos/");
    assert_eq!(status, 200, "{page}");
    let at = page.find("src=\"/media/").expect("a cached image") + "src=\"/media/".len();
    let hash = page[at..at + 64].to_owned();
    assert_eq!(
        &page[at + 64..at + 65],
        "\"",
        "exactly /media/<hash>: {page}"
    );
    let (status, head, bytes) = server.get_with_head(&format!("/media/{hash}"));
    assert_eq!(status, 200, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: image/png"),
        "{head}"
    );
    assert_eq!(bytes, String::from_utf8_lossy(&png()), "byte for byte");
    drop(server);

    built_with_the_image(&config, dir.path(), &hash);

    // An unreferenced image, stored two hours ago, goes; the one the post shows stays.
    let orphan = store_orphan(dir.path(), database);
    let gc = run(&config, &["media", "gc"]);
    assert!(gc.status.success(), "{}", stderr(&gc));
    let said = stdout(&gc);
    assert!(said.contains(&format!("removed {orphan}")), "{said}");
    assert!(
        said.contains(
            "removed 1 file(s), freed 4096 bytes; kept 1 file(s) (37 bytes) in the store"
        ),
        "{said}"
    );
    let status = stdout(&run(&config, &["media", "status"]));
    assert!(status.contains("files: 1, 37 bytes"), "{status}");
    assert!(!media.exists(), "still no media folder");
}

/// Keeps an image no post shows in the store, as if stored two hours ago; its hash.
fn store_orphan(dir: &Path, database: &Database) -> String {
    let url = match database.url.strip_prefix("sqlite://") {
        Some(file) => format!("sqlite://{}", dir.join(file).display()),
        None => database.url.clone(),
    };
    let orphan = "e".repeat(64);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = syndic_store::Store::open(&url).await.expect("store");
        let stored_at = chrono::Utc::now() - chrono::Duration::hours(2);
        store
            .keep_media_file(&orphan, "image/png", &big_png(), stored_at)
            .await
            .expect("keep");
        store.close().await;
    });
    orphan
}
