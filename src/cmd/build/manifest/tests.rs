use chrono::{TimeZone, Utc};

use super::*;

fn stamp(version: i64) -> ChangeStamp {
    ChangeStamp {
        version,
        changed_at: Utc
            .timestamp_opt(1_770_000_000, 0)
            .single()
            .expect("a time"),
    }
}

fn manifest(files: &[(&str, &[u8])]) -> Manifest {
    Manifest {
        fingerprint: "abc-123".into(),
        stamp: stamp(7),
        files: files
            .iter()
            .map(|(file, body)| ((*file).to_owned(), digest(body)))
            .collect(),
    }
}

#[test]
fn a_written_manifest_reads_back_with_its_digests_stamp_and_fingerprint() {
    let dir = tempfile::tempdir().expect("temp dir");
    manifest(&[("index.html", b"home"), ("post/1/a b/index.html", b"post")])
        .write(dir.path())
        .expect("write");
    let previous = Previous::read(dir.path()).expect("read");
    assert!(previous.has("index.html", &digest(b"home")));
    assert!(previous.has("post/1/a b/index.html", &digest(b"post")));
    assert!(!previous.has("index.html", &digest(b"home, changed")));
    assert!(previous.is_current("abc-123", stamp(7)));
    assert!(!previous.is_current("abc-123", stamp(8)), "another stamp");
    assert!(
        !previous.is_current("abc-999", stamp(7)),
        "another fingerprint"
    );
}

#[test]
fn an_older_builds_list_of_files_is_read_without_digests() {
    let previous = Previous::parse("index.html\ntag/map/index.html\n");
    assert_eq!(previous.files.len(), 2);
    assert_eq!(previous.files.get("tag/map/index.html"), Some(&None));
    assert!(!previous.is_current("", stamp(0)));
}

#[test]
fn files_named_in_the_journal_of_an_interrupted_build_are_not_trusted() {
    let dir = tempfile::tempdir().expect("temp dir");
    manifest(&[("index.html", b"home"), ("tags/index.html", b"tags")])
        .write(dir.path())
        .expect("write");
    let journal = Journal::open(dir.path()).expect("journal");
    journal.record("index.html").expect("record");
    journal.record("post/9/new/index.html").expect("record");
    drop(journal);

    let previous = Previous::read(dir.path()).expect("read");
    assert!(!previous.has("index.html", &digest(b"home")));
    assert!(previous.has("tags/index.html", &digest(b"tags")));
    assert!(
        previous.files.contains_key("post/9/new/index.html"),
        "a file the interrupted build added is known, so it can be removed"
    );
    assert!(!previous.is_current("abc-123", stamp(7)));
}

#[test]
fn writing_the_manifest_ends_the_journal() {
    let dir = tempfile::tempdir().expect("temp dir");
    Journal::open(dir.path())
        .expect("journal")
        .record("index.html")
        .expect("record");
    manifest(&[("index.html", b"home")])
        .write(dir.path())
        .expect("write");
    assert!(!dir.path().join(JOURNAL).exists());
    assert!(
        Previous::read(dir.path())
            .expect("read")
            .is_current("abc-123", stamp(7))
    );
}

#[test]
fn a_garbled_digest_is_not_trusted() {
    let text = format!("{HEADER}\nfingerprint f\nstamp 1 2\nzz index.html\n");
    let previous = Previous::parse(&text);
    assert_eq!(previous.files.get("index.html"), Some(&None));
}
