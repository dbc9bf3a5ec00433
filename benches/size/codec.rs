//! Levers on the bodies, measured on the corpus's own posts in the same run: today's layout
//! (text then HTML, one zstd frame at level 3) beside a trained dictionary, other levels and
//! the HTML alone. The dictionary is trained on the first posts and measured on the others.

use std::time::Instant;

use syndic_core::FeedEntry;

/// Posts the dictionary is trained on (at most; the others are measured).
const TRAINING_POSTS: usize = 2_000;
/// zstd's default dictionary size.
const DICTIONARY_BYTES: usize = 112_640;

/// A body as the store lays it out: the text's length (LEB128), the text, the HTML.
fn payload(entry: &FeedEntry, with_text: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if with_text {
        let mut len = entry.content_text.len() as u64;
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.extend_from_slice(entry.content_text.as_bytes());
    }
    out.extend_from_slice(entry.content_html.as_bytes());
    out
}

/// Prints, for each way, the bytes of the measured posts' bodies against their raw HTML and
/// the compression rate.
pub fn compare(entries: &[(&FeedEntry, u64)]) -> Result<(), Box<dyn std::error::Error>> {
    if entries.len() < 2 * TRAINING_POSTS.min(entries.len() / 2).max(1) {
        println!("body levers skipped: too few posts");
        return Ok(());
    }
    let training = TRAINING_POSTS.min(entries.len() / 2);
    let (train, measured) = entries.split_at(training);
    let raw: u64 = measured.iter().map(|(_, raw)| raw).sum();
    println!(
        "body levers: trained on {} posts, measured on {} ({:.1} MB raw HTML)",
        train.len(),
        measured.len(),
        raw as f64 / 1e6
    );
    for with_text in [true, false] {
        let samples: Vec<Vec<u8>> = train.iter().map(|(e, _)| payload(e, with_text)).collect();
        let started = Instant::now();
        let dictionary = zstd::dict::from_samples(&samples, DICTIONARY_BYTES)?;
        let trained = started.elapsed().as_secs_f64();
        let bodies: Vec<Vec<u8>> = measured
            .iter()
            .map(|(e, _)| payload(e, with_text))
            .collect();
        let what = if with_text { "text+HTML" } else { "HTML alone" };
        println!(
            "  {what}: dictionary of {} bytes trained in {trained:.1} s",
            dictionary.len()
        );
        for level in [3, 6, 9, 19] {
            for with_dictionary in [false, true] {
                let mut compressor = if with_dictionary {
                    zstd::bulk::Compressor::with_dictionary(level, &dictionary)?
                } else {
                    zstd::bulk::Compressor::new(level)?
                };
                let started = Instant::now();
                let mut bytes = 0u64;
                for body in &bodies {
                    bytes += 1 + compressor.compress(body)?.len() as u64;
                }
                let seconds = started.elapsed().as_secs_f64();
                let input: usize = bodies.iter().map(Vec::len).sum();
                println!(
                    "    level {level:>2} {:<15} {:>7.0} B/post {:.3}x raw HTML, {:>5.0} MB/s",
                    if with_dictionary {
                        "with dictionary"
                    } else {
                        ""
                    },
                    bytes as f64 / bodies.len() as f64,
                    bytes as f64 / raw.max(1) as f64,
                    input as f64 / 1e6 / seconds
                );
            }
        }
    }
    Ok(())
}
