//! Teaching the tagger from the command line (issue 15): `tag label`, what `retag` learns and
//! reports, and `tag eval` with and without cross-validation.

mod common;

use common::{ok, run, sources, stderr, write_config};

/// A blog of 40 posts about security, 40 that mention it in passing and 80 about other
/// things; each (guid, title, body).
fn blog() -> String {
    let filler = |n: usize| -> String {
        let words = [
            "soil", "river", "bread", "stone", "paper", "window", "coffee", "lake",
        ];
        (0..n)
            .map(|i| words[(i * 7 + n) % words.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut items = Vec::new();
    for i in 0..40 {
        items.push((
            format!("s{i}"),
            format!("Hardening the login service, part {i}"),
            format!(
                "Security review of the login service. {}. The security audit found weak \
                 passwords; security patches followed. {}",
                filler(30 + i % 3),
                filler(20)
            ),
        ));
        items.push((
            format!("g{i}"),
            format!("Garden diary {i}"),
            format!(
                "{}. The security of the shed matters a little, security lights too. {}",
                filler(20 + i % 3),
                filler(40)
            ),
        ));
    }
    for i in 0..80 {
        items.push((format!("f{i}"), format!("Notes {i}"), filler(60 + i % 5)));
    }
    let items: String = items
        .iter()
        .map(|(guid, title, body)| {
            format!(
                "<item><guid>{guid}</guid><title>{title}</title>\
                 <link>https://blog.example/{guid}</link>\
                 <pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate>\
                 <description>{body}</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title>\
         <link>https://blog.example/</link>{items}</channel></rss>"
    )
}

/// The line of a `tag eval` table that starts with `label`.
fn eval_line<'a>(report: &'a str, label: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no {label} line in\n{report}"))
}

#[test]
fn labels_become_decisions_that_retag_learns_from_and_eval_measures() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("blog.rss"), blog()).expect("write");
    let tags = "[[tag]]\nname = \"security\"\nterms = [\"security\"]\n";
    let config = write_config(dir.path(), &format!("{}{tags}", sources(&["blog.rss"])));
    ok(&config, &["fetch"]);
    let first = ok(&config, &["retag"]);
    assert!(
        first.contains("learned from 160 posts: 1 tags have a profile"),
        "{first}"
    );
    assert!(first.contains("no decisions to learn from yet"), "{first}");

    // Ten posts plainly about security keep it; ten passing mentions lose it; one URL
    // and one number name posts.
    let mut labels: Vec<String> = (0..10)
        .map(|i| format!("\"https://blog.example/s{i}\": [\"Security\"]"))
        .collect();
    labels.extend((1..10).map(|i| format!("\"https://blog.example/g{i}\": []")));
    labels.push("\"2\": []".to_owned());
    let file = dir.path().join("labels.json");
    std::fs::write(&file, format!("{{{}}}", labels.join(", "))).expect("write labels");
    let file = file.to_str().expect("utf-8 path");

    let before = ok(&config, &["tag", "eval", file]);
    assert!(
        eval_line(&before, "overall (micro)").contains("0.500  1.000  0.667"),
        "every passing mention is a false alarm before labeling:\n{before}"
    );
    let labeled = ok(&config, &["tag", "label", file]);
    assert!(labeled.contains("labeled 20 posts"), "{labeled}");
    assert!(labeled.contains("10 taken away"), "{labeled}");

    let dry = ok(&config, &["retag", "--dry-run"]);
    assert!(dry.contains("decisions: 20 explicit"), "{dry}");
    assert!(dry.contains("cross-validated F1"), "{dry}");
    assert!(dry.contains("folds' standard error"), "{dry}");
    let retag = ok(&config, &["retag"]);
    assert!(retag.contains("decisions: 20 explicit"), "{retag}");
    // People's decisions win for their own posts.
    let after = ok(&config, &["tag", "eval", file]);
    assert!(
        eval_line(&after, "overall (micro)").contains("1.000  1.000  1.000"),
        "{after}"
    );
    let folds = ok(&config, &["tag", "eval", file, "--folds", "5"]);
    assert!(folds.contains("5-fold cross-validation"), "{folds}");
    // Every labeled security post is found when its fold is held out (the passing
    // mentions given it by the other folds' models are the `security` line's false alarms).
    assert!(
        eval_line(&folds, "Security").contains("1.000  1.000  1.000     10"),
        "{folds}"
    );

    let explain = ok(&config, &["explain", "https://blog.example/g30"]);
    assert!(explain.contains("each occurrence weighs"), "{explain}");
    assert!(explain.contains("to 70 posts about it"), "{explain}");
}

#[test]
fn a_labels_file_that_is_not_an_object_of_lists_is_refused_with_the_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("blog.rss"), blog()).expect("write");
    let config = write_config(dir.path(), &sources(&["blog.rss"]));
    ok(&config, &["fetch"]);
    let file = dir.path().join("labels.json");
    std::fs::write(&file, "[\"security\"]").expect("write labels");
    let out = run(&config, &["tag", "label", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a labels file: write a JSON object"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&file, "{\"https://nowhere.example/\": []}").expect("write labels");
    let out = run(&config, &["tag", "eval", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no stored post has the original URL"));
}
