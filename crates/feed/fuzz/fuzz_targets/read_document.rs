//! Bytes → `syndic_feed::read_document`, with default options and with a base URL and an
//! HTTP content type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use syndic_feed::{ReadOptions, read_document};

fuzz_target!(|data: &[u8]| {
    let _ = read_document(data, &ReadOptions::default());
    let options = ReadOptions {
        base_url: url::Url::parse("https://base.example/feeds/main.xml").ok(),
        content_type: Some("application/xml; charset=iso-8859-1".to_owned()),
        ..ReadOptions::default()
    };
    let _ = read_document(data, &options);
});
