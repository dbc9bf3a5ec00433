//! Text → `sanitize_html` (without and with a base URL) → `html_to_text`, and the raw text
//! through `html_to_text` and `plain_text` too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|html: &str| {
    let base = url::Url::parse("https://base.example/posts/1.html").ok();
    let clean = syndic_feed::sanitize_html(html, None);
    let _ = syndic_feed::html_to_text(&clean);
    let clean = syndic_feed::sanitize_html(html, base.as_ref());
    let _ = syndic_feed::html_to_text(&clean);
    let _ = syndic_feed::html_to_text(html);
    let _ = syndic_feed::plain_text(html);
});
