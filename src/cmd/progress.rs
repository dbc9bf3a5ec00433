//! Progress bars for long work, shown only when standard error is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `len` items ("fetching [====>   ] 3/12 sources"), or `None` when output
/// goes to a file or a pipe, where a plain line per item reads better.
pub fn progress_bar(len: usize, verb: &str, items: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(len as u64);
    let template = format!("{{spinner}} {verb} [{{bar:30}}] {{pos}}/{{len}} {items} ({{elapsed}})");
    let style = ProgressStyle::with_template(&template)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
