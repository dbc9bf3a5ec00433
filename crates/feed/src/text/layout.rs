//! The export layout: a writer fed with open/close/text events from an HTML walk.
//!
//! Output is built line by line. A line starts when its first visible character arrives,
//! so whitespace between blocks never produces empty lines; a line that turns out to hold
//! only whitespace (an `&nbsp;` spacer paragraph, an empty list item) is dropped. Between two
//! lines go the newlines that were asked for in between (one for `<br>`, list items and
//! table rows, two for blocks), never more than two.
//!
//! `<pre>` is the exception: its text is collected whole and written when it closes, line
//! for line as it is (trailing whitespace, whitespace-only lines and every blank line
//! included). Only blank lines at its very start and end are dropped: there the block's
//! own spacing stands in for them.

/// Elements whose contents never reach the text.
const SKIPPED: &[&str] = &[
    "script", "style", "template", "noscript", "head", "title", "svg", "math", "iframe", "object",
    "embed", "select", "textarea", "button", "video", "audio", "canvas",
];

/// Elements that stand as their own paragraph.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "legend",
    "main",
    "nav",
    "p",
    "section",
    "summary",
    "table",
];

/// One open `<ul>`/`<ol>`.
struct List {
    /// The next item number for an ordered list, `None` for bullets.
    next: Option<i64>,
}

#[derive(Default)]
pub(super) struct Layout {
    /// Finished lines.
    out: String,
    /// The line being written, prefix (list marker or indent) included.
    line: String,
    /// Whether `line` has started.
    line_open: bool,
    /// Byte length of the prefix at the start of `line`.
    prefix_len: usize,
    /// Newlines owed before `line`.
    line_breaks: usize,
    /// Newlines owed before the next line.
    breaks: usize,
    /// A collapsed run of whitespace is owed before the next character of this line.
    space: bool,
    /// A table-cell separator is owed before the next character of this line.
    separator: bool,
    /// Marker (`"  • "`, `"  3. "`) for the first line of the current list item.
    marker: Option<String>,
    lists: Vec<List>,
    /// Depth of open `<li>` elements.
    items: usize,
    /// Depth of open `<pre>` elements: text is verbatim while > 0.
    pre: usize,
    /// Text of the open `<pre>`, newlines included, written when it closes.
    pre_text: String,
    /// `breaks` is an exact count (between lines of a `<pre>`), not to be capped at two.
    exact: bool,
    /// The current line was started with an exact count of newlines before it.
    line_exact: bool,
    /// The current line is a line of a `<pre>`: kept as it is, whitespace included.
    line_verbatim: bool,
    /// Cell counters of the open table rows, innermost last.
    rows: Vec<usize>,
    /// Depth of open table cells: breaks turn into spaces while > 0.
    cells: usize,
}

impl Layout {
    /// An element opens; returns whether its children should be visited.
    pub(super) fn open(&mut self, name: &str, start: Option<&str>) -> bool {
        if SKIPPED.contains(&name) {
            return false;
        }
        if self.pre > 0 {
            match name {
                "br" => self.pre_text.push('\n'),
                "pre" => self.pre += 1,
                _ if breaks_line(name) => self.pre_line_break(),
                _ => {}
            }
            return true;
        }
        match name {
            "br" => self.line_break(),
            "hr" => self.block_break(),
            "pre" => {
                self.block_break();
                self.pre = 1;
            }
            "ul" | "ol" => {
                self.block_break();
                let next = (name == "ol").then(|| {
                    start
                        .and_then(|s| s.trim().parse::<i64>().ok())
                        .filter(|n| (-1_000_000..=1_000_000_000).contains(n))
                        .unwrap_or(1)
                });
                self.lists.push(List { next });
            }
            "li" => self.open_item(),
            "tr" => {
                self.row_break();
                self.rows.push(0);
            }
            "td" | "th" => {
                if let Some(count) = self.rows.last_mut() {
                    if *count > 0 {
                        self.separator = true;
                    }
                    *count += 1;
                }
                self.cells += 1;
            }
            _ if BLOCKS.contains(&name) => self.block_break(),
            _ => {}
        }
        true
    }

    /// An element closes (called for every opened element, skipped ones included).
    pub(super) fn close(&mut self, name: &str) {
        if SKIPPED.contains(&name) {
            return;
        }
        if self.pre > 0 {
            match name {
                "pre" => {
                    self.pre -= 1;
                    if self.pre == 0 {
                        self.write_pre();
                        self.block_break();
                    }
                }
                _ if breaks_line(name) => self.pre_line_break(),
                _ => {}
            }
            return;
        }
        match name {
            "ul" | "ol" => {
                self.lists.pop();
                self.marker = None;
                self.block_break();
            }
            "li" => {
                self.finish_line();
                self.marker = None;
                self.items = self.items.saturating_sub(1);
            }
            "tr" => {
                self.rows.pop();
                self.row_break();
            }
            "td" | "th" => self.cells = self.cells.saturating_sub(1),
            _ if BLOCKS.contains(&name) => self.block_break(),
            _ => {}
        }
    }

    /// A text node.
    pub(super) fn text(&mut self, text: &str) {
        if self.pre > 0 {
            self.pre_text.extend(
                text.chars()
                    .filter(|&c| c != '\r' && !super::is_invisible_control(c)),
            );
            return;
        }
        for c in text.chars() {
            if c.is_ascii_whitespace() {
                self.space = true;
            } else if !super::is_invisible_control(c) {
                self.put(c);
            }
        }
    }

    /// The finished text.
    pub(super) fn finish(mut self) -> String {
        if self.pre > 0 {
            self.pre = 0;
            self.write_pre();
        }
        self.finish_line();
        self.out
    }

    /// A block boundary inside a `<pre>` (a `<div>` in it, say) starts a new line.
    fn pre_line_break(&mut self) {
        if !self.pre_text.is_empty() && !self.pre_text.ends_with('\n') {
            self.pre_text.push('\n');
        }
    }

    /// Writes the collected `<pre>` text: every line as it is, blank ones included, except
    /// the blank lines at its start and end. In a table cell, where a row is one line, its
    /// lines are joined with spaces instead.
    fn write_pre(&mut self) {
        let text = std::mem::take(&mut self.pre_text);
        let lines: Vec<&str> = text.split('\n').collect();
        let blank = |line: &&str| line.chars().all(char::is_whitespace);
        let (Some(first), Some(last)) = (
            lines.iter().position(|l| !blank(l)),
            lines.iter().rposition(|l| !blank(l)),
        ) else {
            return;
        };
        let lines = &lines[first..=last];
        if self.cells > 0 {
            for line in lines {
                self.text(line);
                self.space = true;
            }
            return;
        }
        let mut newlines = 0;
        for (i, line) in lines.iter().enumerate() {
            newlines += 1;
            if line.is_empty() {
                continue;
            }
            if i > 0 {
                self.breaks = newlines;
                self.exact = true;
            }
            newlines = 0;
            self.start_line();
            self.line_verbatim = true;
            self.line.push_str(line);
            self.finish_line();
        }
    }

    fn put(&mut self, c: char) {
        if !self.line_open {
            self.start_line();
        } else if self.separator {
            self.line.push_str(" | ");
        } else if self.space {
            self.line.push(' ');
        }
        self.space = false;
        self.separator = false;
        self.line.push(c);
    }

    fn start_line(&mut self) {
        self.line_open = true;
        self.line_breaks = self.breaks;
        self.line_exact = std::mem::take(&mut self.exact);
        self.line_verbatim = false;
        self.breaks = 0;
        self.space = false;
        self.separator = false;
        self.line.clear();
        match self.marker.take() {
            Some(marker) => self.line.push_str(&marker),
            None if self.items > 0 => {
                // Continuation of a list item: align with the item's text.
                let width = 2 * self.lists.len().max(1) + 2;
                self.line.extend(std::iter::repeat_n(' ', width));
            }
            None => {}
        }
        self.prefix_len = self.line.len();
    }

    /// Ends the current line: kept if it shows anything, dropped if it is only whitespace,
    /// trailing whitespace trimmed; a `<pre>` line is kept as it is. Returns whether a line
    /// was kept.
    fn finish_line(&mut self) -> bool {
        self.space = false;
        self.separator = false;
        if !self.line_open {
            return false;
        }
        self.line_open = false;
        let content = &self.line[self.prefix_len..];
        if content.is_empty() || (!self.line_verbatim && content.chars().all(char::is_whitespace)) {
            self.breaks = self.breaks.max(self.line_breaks);
            return false;
        }
        if !self.out.is_empty() {
            let newlines = if self.line_exact {
                self.line_breaks.max(1)
            } else {
                self.line_breaks.clamp(1, 2)
            };
            self.out.extend(std::iter::repeat_n('\n', newlines));
        }
        if self.line_verbatim {
            self.out.push_str(&self.line);
        } else {
            self.out.push_str(
                self.line
                    .trim_end_matches(|c: char| c.is_ascii_whitespace()),
            );
        }
        true
    }

    /// `<br>`: the next text goes on a new line.
    fn line_break(&mut self) {
        if self.cells > 0 {
            self.space = true;
            return;
        }
        // A `<br>` that ends a line asks for one newline; each further one adds one.
        self.breaks = if self.finish_line() {
            1
        } else {
            (self.breaks + 1).min(2)
        };
    }

    /// Block or list boundary: a blank line, or a plain newline inside a list item.
    fn block_break(&mut self) {
        if self.cells > 0 {
            self.space = true;
            return;
        }
        self.finish_line();
        let wanted = if self.items > 0 { 1 } else { 2 };
        self.breaks = self.breaks.max(wanted);
    }

    fn row_break(&mut self) {
        self.finish_line();
        self.breaks = self.breaks.max(1);
    }

    fn open_item(&mut self) {
        if self.cells > 0 {
            self.space = true;
            self.items += 1;
            return;
        }
        self.finish_line();
        self.breaks = self.breaks.max(1);
        let depth = self.lists.len().max(1);
        let indent = "  ".repeat(depth);
        let marker = match self.lists.last_mut() {
            Some(List { next: Some(n) }) => {
                let marker = format!("{indent}{n}. ");
                *n = n.saturating_add(1);
                marker
            }
            _ => format!("{indent}\u{2022} "),
        };
        self.marker = Some(marker);
        self.items += 1;
    }
}

/// Elements that start a new line inside a `<pre>`.
fn breaks_line(name: &str) -> bool {
    BLOCKS.contains(&name) || matches!(name, "ul" | "ol" | "li" | "tr" | "hr")
}
