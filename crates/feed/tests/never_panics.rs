//! `parse` and the HTML helpers never panic: every fixture is cut short at many points and
//! has bytes overwritten (deterministically), and each variant goes through them.

use std::path::{Path, PathBuf};

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for path in std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
    {
        if path.is_dir() {
            fixture_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// A small deterministic pseudo-random sequence (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn exercise(bytes: &[u8]) {
    let base = url::Url::parse("https://base.example/feed/").expect("base");
    let _ = syndic_feed::parse(bytes, Some(&base));
    let _ = syndic_feed::parse(bytes, None);
    let text = String::from_utf8_lossy(bytes);
    let html = syndic_feed::sanitize_html(&text, Some(&base));
    let _ = syndic_feed::html_to_text(&html);
    let _ = syndic_feed::html_to_text(&text);
    let _ = syndic_feed::plain_text(&text);
}

#[test]
fn truncated_and_corrupted_fixtures_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    fixture_files(&root, &mut files);
    files.sort();
    let mut rng = Lcg(0x5eed);
    let mut variants = 0;
    for path in files {
        let bytes = std::fs::read(&path).expect("fixture");
        let step = (bytes.len() / 24).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            exercise(&bytes[..cut]);
            variants += 1;
        }
        for _ in 0..12 {
            let mut corrupted = bytes.clone();
            for _ in 0..4 {
                if corrupted.is_empty() {
                    break;
                }
                let at = (rng.next() as usize) % corrupted.len();
                let pick = [b'<', b'>', b'&', b'"', b'/', 0xC3, 0xFF, 0x00, b';', b'#'];
                corrupted[at] = pick[(rng.next() as usize) % pick.len()];
            }
            exercise(&corrupted);
            variants += 1;
        }
    }
    assert!(variants > 100, "{variants} variants");
}

#[test]
fn odd_inputs_never_panic() {
    let long_name = format!("<{}", "a".repeat(5000));
    let inputs: Vec<&[u8]> = vec![
        b"",
        b"\xEF\xBB\xBF",
        b"\xFF\xFE<\x00r\x00s\x00s\x00>\x00",
        b"<",
        b"<!",
        b"<!DOCTYPE",
        b"<?xml",
        b"{",
        b"{}",
        b"{\"version\":\"https://jsonfeed.org/version/1\",\"title\":1,\"items\":{}}",
        b"<rss",
        b"<rss version='2.0'><channel><item><author>\xC2\xABa@b.example\xC2\xBB</author></item></channel></rss>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><content type='image/png'/></entry></feed>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title type='TEXT'>x</title></entry></feed>",
        b"<rss version='2.0'><channel><item><link>http://[::1</link><guid> </guid></item></channel></rss>",
        b"<rss version='2.0' xml:base='javascript:alert(1)//'><channel><item><link>x</link></item></channel></rss>",
        long_name.as_bytes(),
    ];
    for input in inputs {
        exercise(input);
    }
}
