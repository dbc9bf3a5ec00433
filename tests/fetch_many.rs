//! `syndic fetch` of more sources than one claim reads at a time, with room for one fetch
//! at a time: every source is fetched once, through the real binary (local files).

mod common;

use common::{run, sources, stdout, write_config};

#[test]
fn fetch_with_room_for_one_at_a_time_fetches_every_one_of_many_sources() {
    let dir = tempfile::tempdir().expect("temp dir");
    let count = 150;
    let urls: Vec<String> = (0..count)
        .map(|n| {
            let path = dir.path().join(format!("feed-{n}.xml"));
            let feed = format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {n}</title>\
                 <item><guid>post-{n}</guid><title>Post {n}</title>\
                 <link>https://feeds.example/{n}</link></item></channel></rss>"
            );
            std::fs::write(&path, feed).expect("write a feed");
            format!("file://{}", path.display())
        })
        .collect();
    let config = write_config(
        dir.path(),
        &format!(
            "[fetch]\nconcurrency = 1\nper_host = 1\n\n{}",
            sources(&urls)
        ),
    );
    let output = run(&config, &["fetch"]);
    let said = stdout(&output);
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains(&format!("fetched {count} sources"))
            && said.contains(&format!("{count} new")),
        "{said}"
    );
}
