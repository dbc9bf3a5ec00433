//! Bytes → `syndic_feed::parse`, without and with a base URL. Any panic is a crash (the
//! libFuzzer panic hook aborts even when the panic would be caught inside `parse`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = syndic_feed::parse(data, None);
    if let Ok(base) = url::Url::parse("https://base.example/feeds/main.xml") {
        let _ = syndic_feed::parse(data, Some(&base));
    }
});
