//! Provenance through the real binary: an upstream edit keeps the earlier version, shown
//! on the post's revisions page (served and built) and counted by `syndic explain`; an
//! Atom tombstone takes the post down only from a source with `honor_deletions`.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Server, quoted, run, stderr, stdout, syndic, write_config};

const KELP: &str = "tag:tidepool.example,2026:kelp";
const KRILL: &str = "tag:driftwood.example,2026:krill";

/// An Atom feed titled `title` with one entry (`id`, `entry_title`, `text`, updated on
/// `day`) and tombstones for `deleted`.
fn atom(title: &str, entry: Option<(&str, &str, &str, u32)>, deleted: &[&str]) -> String {
    let entry = entry.map_or(String::new(), |(id, entry_title, text, day)| {
        format!(
            "<entry><id>{id}</id><title>{entry_title}</title>\
             <link href=\"https://{title}.example/{day}\"/>\
             <published>2026-03-02T10:00:00Z</published>\
             <updated>2026-03-{day:02}T10:00:00Z</updated>\
             <content type=\"html\">&lt;p&gt;{text}&lt;/p&gt;</content></entry>"
        )
    });
    let tombstones: String = deleted
        .iter()
        .map(|id| format!("<at:deleted-entry ref=\"{id}\" when=\"2026-03-06T10:00:00Z\"/>"))
        .collect();
    format!(
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" \
         xmlns:at=\"http://purl.org/atompub/tombstones/1.0\"><title>{title}</title>\
         <id>urn:{title}</id><updated>2026-03-06T10:00:00Z</updated>{entry}{tombstones}</feed>"
    )
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write feed");
}

fn fetch(config: &Path) {
    let fetched = run(config, &["fetch"]);
    assert!(fetched.status.success(), "{}", stderr(&fetched));
}

fn serve(config: &Path) -> Server {
    let mut command: Command = syndic();
    command
        .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
        .arg(config);
    Server::start(command)
}

#[test]
fn an_edited_post_shows_its_versions_and_what_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let feed = dir.path().join("tidepool.atom");
    write(
        &feed,
        &atom(
            "tidepool",
            Some((KELP, "Kelp forests", "Kelp grows fast in cold water.", 3)),
            &[],
        ),
    );
    let body = format!(
        "[[source]]\nurl = {}\nname = \"Tidepool\"\n",
        quoted(&feed.display().to_string())
    );
    let config = write_config(dir.path(), &body);
    fetch(&config);
    // A trivial edit (white space) makes no revision.
    write(
        &feed,
        &atom(
            "tidepool",
            Some((KELP, "Kelp forests", "Kelp  grows fast in cold water. ", 4)),
            &[],
        ),
    );
    fetch(&config);
    let text = stdout(&run(&config, &["explain", "1"]));
    assert!(
        text.contains("versions: 1 (never edited upstream)"),
        "{text}"
    );
    write(
        &feed,
        &atom(
            "tidepool",
            Some((
                KELP,
                "Kelp forests, revised",
                "Kelp grows very fast in warm water.",
                5,
            )),
            &[],
        ),
    );
    fetch(&config);

    let json = stdout(&run(&config, &["explain", "1", "--format", "json"]));
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(report["revisions"], 2);
    assert_eq!(report["sources"][0]["url"], feed.display().to_string());
    assert_eq!(report["sources"][0]["link"], "https://tidepool.example/5");
    // When the source's copy was first seen is the time of the first fetch.
    let seen = report["sources"][0]["seen_at"].as_str().unwrap_or("(none)");
    insta::assert_snapshot!(
        "explain_revised_post_json",
        json.replace(&feed.display().to_string(), "[feed]")
            .replace(seen, "[first fetch]")
    );
    let text = stdout(&run(&config, &["explain", "1"]));
    assert!(
        text.contains("versions: 2 (1 earlier version kept)"),
        "{text}"
    );

    let server = serve(&config);
    let (status, post) = server.get("/post/1/kelp-forests-revised/");
    assert_eq!(status, 200, "{post}");
    assert!(
        post.contains("href=\"/post/1/kelp-forests-revised/revisions/\""),
        "{post}"
    );
    let (status, page) = server.get("/post/1/kelp-forests-revised/revisions/");
    assert_eq!(status, 200, "{page}");
    assert_eq!(page.matches("<li id=\"v").count(), 2, "{page}");
    assert!(page.contains("<del>cold</del><ins>warm</ins>"), "{page}");
    insta::assert_snapshot!("revisions_page", page);
    let (status, _) = server.get("/post/1/kelp-forests/revisions/");
    assert_eq!(status, 301);
    let (status, chosen) = server.get("/post/1/kelp-forests-revised/revisions/?from=2&to=1");
    assert_eq!(status, 200);
    assert!(
        chosen.contains("<del>warm</del><ins>cold</ins>"),
        "{chosen}"
    );
    for bad in ["?from=0&to=2", "?from=1&to=9", "?from=x&to=2", "?from=1"] {
        let (status, _) = server.get(&format!("/post/1/kelp-forests-revised/revisions/{bad}"));
        assert_eq!(status, 400, "{bad}");
    }
    drop(server);

    let out = dir.path().join("site");
    let built = run(&config, &["build", out.to_str().expect("utf-8 path")]);
    assert!(built.status.success(), "{}", stderr(&built));
    let file = out.join("post/1/kelp-forests-revised/revisions/index.html");
    let written = std::fs::read_to_string(&file).expect("the build writes the revisions page");
    assert_eq!(written, page);
}

#[test]
fn a_tombstone_takes_a_post_down_only_where_deletions_are_honoured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let honouring = dir.path().join("tidepool.atom");
    let ignoring = dir.path().join("driftwood.atom");
    write(
        &honouring,
        &atom("tidepool", Some((KELP, "Kelp", "Kelp grows.", 3)), &[]),
    );
    write(
        &ignoring,
        &atom("driftwood", Some((KRILL, "Krill", "Krill swarm.", 3)), &[]),
    );
    let body = format!(
        "[[source]]\nurl = {}\nname = \"Tidepool\"\nhonor_deletions = true\n\n\
         [[source]]\nurl = {}\nname = \"Driftwood\"\n",
        quoted(&honouring.display().to_string()),
        quoted(&ignoring.display().to_string())
    );
    let config = write_config(dir.path(), &body);
    fetch(&config);
    // The sources are fetched side by side: find each post's number by its original.
    let number = |link: &str| {
        let json = stdout(&run(&config, &["explain", link, "--format", "json"]));
        let report: serde_json::Value = serde_json::from_str(&json).expect("json");
        report["post"]["id"].as_i64().expect("an id")
    };
    let (kelp_id, krill_id) = (
        number("https://tidepool.example/3"),
        number("https://driftwood.example/3"),
    );
    // Both feeds drop their entry and say it was deleted.
    write(&honouring, &atom("tidepool", None, &[KELP]));
    write(&ignoring, &atom("driftwood", None, &[KRILL]));
    fetch(&config);

    let server = serve(&config);
    let (kelp, _) = server.get(&format!("/post/{kelp_id}/kelp/"));
    let (krill, _) = server.get(&format!("/post/{krill_id}/krill/"));
    assert_eq!((kelp, krill), (410, 200));
    // A post taken down has no revisions page either.
    let (revisions, _) = server.get(&format!("/post/{kelp_id}/kelp/revisions/"));
    assert_eq!(revisions, 410);
    drop(server);
    let audit = stdout(&run(&config, &["audit"]));
    assert!(
        audit.contains("deleted upstream") && audit.contains(&format!("post {kelp_id}")),
        "{audit}"
    );
    assert!(!audit.contains(&format!("post {krill_id}")), "{audit}");
}
