//! The export layout: a writer fed with open/close/text events from an HTML walk.
//!
//! Output is built line by line. A line starts when its first visible character arrives,
//! so whitespace between blocks never produces empty lines; a line that turns out to hold
//! only whitespace (an `&nbsp;` spacer paragraph, an empty list item) is dropped. Between two
//! lines go the newlines that were asked for in between (one for `<br>`, list items and
//! table rows, two for blocks), never more than two.
//!
//! Every line starts with the prefix of the containers it is in (list indentation and
//! markers, `> ` for each block quote, the indentation of a definition), computed from a
//! stack of [`Frame`]s that is at most [`MAX_FRAMES`] deep, so prefixes stay short however
//! deep the markup nests.
//!
//! `<pre>` is the exception: its text is collected whole and written when it closes, line
//! for line as it is (trailing whitespace, whitespace-only lines and every blank line
//! included). Only blank lines at its very start and end are dropped: there the block's
//! own spacing stands in for them.
//!
//! Tables are collected whole too (each cell as one line of text) and written, when the
//! table closes, as aligned columns: see [`Table::render`].

use std::borrow::Cow;

use scraper::node::Element;

use super::collapse_whitespace;

/// What the layout needs to know of an element: its (lowercase) name and attributes.
pub(super) trait Tag {
    fn name(&self) -> &str;
    fn attr(&self, name: &str) -> Option<Cow<'_, str>>;
}

impl Tag for Element {
    fn name(&self) -> &str {
        Element::name(self)
    }

    fn attr(&self, name: &str) -> Option<Cow<'_, str>> {
        Element::attr(self, name).map(Cow::Borrowed)
    }
}

/// Deepest stack of containers (lists, items, quotes, definitions) that shapes prefixes;
/// containers nested deeper are counted, not stacked, and add no prefix.
const MAX_FRAMES: usize = 32;
/// Columns are padded to the width of their widest cell, but to no more than this many
/// characters: a longer cell is written whole and pushes the rest of its row to the right.
const MAX_CELL_WIDTH: usize = 40;
/// Columns that are aligned; cells further right are appended to their row unpadded.
const MAX_COLUMNS: usize = 64;
/// Largest `rowspan` honoured.
const MAX_ROWSPAN: usize = 1000;
/// Separator between the cells of a row.
const CELL_SEPARATOR: &str = " | ";
/// Indentation of a definition (`<dd>`) under its term.
const DEFINITION_INDENT: &str = "    ";

/// Elements whose contents never reach the text.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "template"
            | "noscript"
            | "head"
            | "title"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "select"
            | "textarea"
            | "button"
            | "video"
            | "audio"
            | "canvas"
    )
}

/// Elements that stand as their own paragraph.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "legend"
            | "main"
            | "nav"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "table"
    )
}

/// Elements that start a new line inside a `<pre>`.
fn breaks_line(name: &str) -> bool {
    is_block(name) || matches!(name, "ul" | "ol" | "menu" | "li" | "tr" | "hr")
}

/// An open container that shapes the prefix of the lines inside it.
enum Frame {
    /// `<ul>`/`<ol>`: the next item number (`None` for bullets) and the step to the one
    /// after (-1 for `reversed`).
    List { next: Option<i64>, step: i64 },
    /// `<li>`.
    Item,
    /// `<blockquote>`, numbered in the order they opened.
    Quote(u32),
    /// `<dl>`.
    Terms,
    /// `<dd>`.
    Definition,
}

/// One table cell: its text on one line, and the columns and rows it spans.
struct Cell {
    text: String,
    colspan: usize,
    rowspan: usize,
    header: bool,
}

impl Cell {
    fn width(&self) -> usize {
        self.text.chars().count().min(MAX_CELL_WIDTH)
    }
}

#[derive(Default)]
struct Row {
    cells: Vec<Cell>,
    /// In a `<thead>`.
    head: bool,
}

impl Row {
    fn is_header(&self) -> bool {
        self.head || self.cells.iter().all(|c| c.header)
    }
}

/// A table being collected.
#[derive(Default)]
struct Table {
    /// `<caption>` text, and any text found outside the cells.
    caption: String,
    rows: Vec<Row>,
    /// Inside a cell of this table (not of a nested one).
    in_cell: bool,
    /// Depth of open `<thead>`.
    head: usize,
    /// Depth of tables open inside this one: their cells are flattened into this one's.
    nested: usize,
}

impl Table {
    /// Where text goes now.
    fn buffer(&mut self) -> &mut String {
        if self.in_cell
            && let Some(cell) = self.rows.last_mut().and_then(|r| r.cells.last_mut())
        {
            return &mut cell.text;
        }
        &mut self.caption
    }

    fn open_cell(&mut self, element: &(impl Tag + ?Sized)) {
        let span = |name: &str, max: usize| {
            element
                .attr(name)
                .and_then(|v| v.trim().parse::<usize>().ok())
                .map_or(1, |n| n.clamp(1, max))
        };
        let head = self.head > 0;
        if self.rows.is_empty() {
            self.rows.push(Row {
                cells: Vec::new(),
                head,
            });
        }
        if let Some(row) = self.rows.last_mut() {
            row.cells.push(Cell {
                text: String::new(),
                colspan: span("colspan", MAX_COLUMNS),
                rowspan: span("rowspan", MAX_ROWSPAN),
                header: element.name() == "th",
            });
        }
        self.in_cell = true;
    }

    /// The table as lines of aligned columns:
    ///
    /// - the caption (and any stray text) first, on its own line;
    /// - each row a line, its cells joined by `" | "` and padded to the width of their
    ///   column (at most [`MAX_CELL_WIDTH`]); a cell spanning columns covers their widths
    ///   and the separators between them; rows under a `rowspan` leave its columns blank;
    /// - the header rows at the top (all `<th>`, or in `<thead>`) underlined with a rule
    ///   of `-` and `-+-`, when body rows follow;
    /// - empty rows and columns left out; trailing spaces are trimmed by the writer.
    fn render(self) -> Vec<String> {
        let mut lines = Vec::new();
        let caption = collapse_whitespace(&self.caption);
        if !caption.is_empty() {
            lines.push(caption);
        }
        let rows: Vec<(bool, Vec<(usize, Cell)>)> = place_cells(self.rows);
        let columns = rows
            .iter()
            .flat_map(|(_, cells)| cells.iter().map(|(col, cell)| col + cell.colspan))
            .max()
            .unwrap_or(0)
            .min(MAX_COLUMNS);
        let mut widths = vec![0usize; columns];
        for (_, cells) in &rows {
            for (col, cell) in cells {
                if cell.colspan == 1 && *col < columns {
                    widths[*col] = widths[*col].max(cell.width());
                }
            }
        }
        for (_, cells) in &rows {
            for (col, cell) in cells {
                let end = (col + cell.colspan).min(columns);
                if cell.colspan > 1 && *col < end {
                    let available = spanned_width(&widths[*col..end]);
                    if cell.width() > available {
                        widths[end - 1] += cell.width() - available;
                    }
                }
            }
        }
        let header_rows = rows.iter().take_while(|(header, _)| *header).count();
        for (index, (_, cells)) in rows.iter().enumerate() {
            lines.push(render_row(cells, &widths));
            if index + 1 == header_rows && header_rows < rows.len() {
                let rule: Vec<String> = widths
                    .iter()
                    .filter(|w| **w > 0)
                    .map(|w| "-".repeat(*w))
                    .collect();
                lines.push(rule.join("-+-"));
            }
        }
        lines
    }
}

/// Gives every cell its first column, leaving room for cells spanning down from rows
/// above; drops rows without text. Returns (is a header row, cells with their column).
fn place_cells(rows: Vec<Row>) -> Vec<(bool, Vec<(usize, Cell)>)> {
    // Rows each column is still covered for by a rowspan from above.
    let mut covered: Vec<usize> = Vec::new();
    let mut placed = Vec::with_capacity(rows.len());
    for row in rows {
        let header = row.is_header();
        let mut cells = Vec::with_capacity(row.cells.len());
        let mut spans = Vec::new();
        let mut col = 0;
        for cell in row.cells {
            while covered.get(col).is_some_and(|&c| c > 0) {
                col += 1;
            }
            if cell.rowspan > 1 && col < MAX_COLUMNS {
                spans.push((col, (col + cell.colspan).min(MAX_COLUMNS), cell.rowspan));
            }
            let next = col + cell.colspan;
            cells.push((col, cell));
            col = next;
        }
        for c in &mut covered {
            *c = c.saturating_sub(1);
        }
        for (start, end, rowspan) in spans {
            if covered.len() < end {
                covered.resize(end, 0);
            }
            for c in &mut covered[start..end] {
                *c = (*c).max(rowspan - 1);
            }
        }
        if cells.iter().any(|(_, cell)| !cell.text.is_empty()) {
            placed.push((header, cells));
        }
    }
    placed
}

/// Width of a cell spanning these columns: theirs and the separators between the visible
/// (non-empty) ones.
fn spanned_width(widths: &[usize]) -> usize {
    let visible = widths.iter().filter(|w| **w > 0).count();
    widths.iter().sum::<usize>() + CELL_SEPARATOR.len() * visible.saturating_sub(1)
}

fn render_row(cells: &[(usize, Cell)], widths: &[usize]) -> String {
    let mut line = String::new();
    let mut first = true;
    let mut separate = |line: &mut String| {
        if !first {
            line.push_str(CELL_SEPARATOR);
        }
        first = false;
    };
    let mut cursor = 0;
    for (col, cell) in cells {
        let (start, end) = (
            (*col).min(widths.len()),
            (col + cell.colspan).min(widths.len()),
        );
        // Columns covered from rows above stay blank.
        for width in widths.get(cursor..start).unwrap_or_default() {
            if *width > 0 {
                separate(&mut line);
                line.extend(std::iter::repeat_n(' ', *width));
            }
        }
        cursor = end.max(cursor);
        let spanned = &widths[start..end];
        if spanned.iter().all(|w| *w == 0) {
            // An empty column, or one past the aligned ones.
            if !cell.text.is_empty() {
                separate(&mut line);
                line.push_str(&cell.text);
            }
            continue;
        }
        separate(&mut line);
        line.push_str(&cell.text);
        let pad = spanned_width(spanned).saturating_sub(cell.text.chars().count());
        line.extend(std::iter::repeat_n(' ', pad));
    }
    line
}

#[derive(Default)]
pub(super) struct Layout {
    /// Finished lines.
    out: String,
    /// The line being written, prefix (list marker, quote marks, indent) included.
    line: String,
    /// Whether `line` has started.
    line_open: bool,
    /// Byte length of the prefix at the start of `line`.
    prefix_len: usize,
    /// The prefix of `line` as a blank line shows it (markers turned into spaces).
    line_blank: String,
    /// The quotes `line` is in: their numbers, and how much of `line_blank` a blank line
    /// in each shows.
    line_quotes: Vec<(u32, usize)>,
    /// `line_quotes` of the last written line.
    last_quotes: Vec<(u32, usize)>,
    /// Block quotes opened so far.
    quotes: u32,
    /// Newlines owed before `line`.
    line_breaks: usize,
    /// Newlines owed before the next line.
    breaks: usize,
    /// A collapsed run of whitespace is owed before the next character of this line.
    space: bool,
    /// Marker (`"• "`, `"3. "`) for the first line of the innermost list item.
    marker: Option<String>,
    /// Open containers, outermost first.
    frames: Vec<Frame>,
    /// Containers open beyond [`MAX_FRAMES`].
    overflow: usize,
    /// Open `<li>`, `<dl>` frames: blocks inside them are separated by one newline.
    tight: usize,
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
    /// The table being collected, when inside one.
    table: Option<Table>,
}

impl Layout {
    /// An element opens; returns whether its children should be visited. `items` counts
    /// the `<li>` children (asked for a reversed `<ol>` only).
    pub(super) fn open(
        &mut self,
        element: &(impl Tag + ?Sized),
        items: impl FnOnce() -> usize,
    ) -> bool {
        let name = element.name();
        if is_skipped(name) {
            return false;
        }
        if name == "img" {
            self.image(element.attr("alt").as_deref());
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
        if let Some(table) = &mut self.table {
            match name {
                "table" => table.nested += 1,
                "td" | "th" if table.nested == 0 => {
                    table.open_cell(element);
                    self.space = false;
                    return true;
                }
                "tr" if table.nested == 0 => {
                    let head = table.head > 0;
                    table.rows.push(Row {
                        cells: Vec::new(),
                        head,
                    });
                    table.in_cell = false;
                }
                "thead" if table.nested == 0 => table.head += 1,
                "pre" => self.pre = 1,
                _ => {}
            }
            // Block boundaries inside a table separate words; inline tags do not.
            if breaks_line(name) || matches!(name, "br" | "table" | "tr" | "td" | "th") {
                self.space = true;
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
            "table" => {
                self.block_break();
                self.table = Some(Table::default());
            }
            "ul" | "ol" | "menu" => {
                self.block_break();
                let reversed = name == "ol" && element.attr("reversed").is_some();
                let next = (name == "ol").then(|| {
                    element
                        .attr("start")
                        .as_deref()
                        .and_then(parse_number)
                        .unwrap_or_else(|| {
                            if reversed {
                                i64::try_from(items()).unwrap_or(i64::MAX)
                            } else {
                                1
                            }
                        })
                });
                let step = if reversed { -1 } else { 1 };
                self.push(Frame::List { next, step });
            }
            "li" => self.open_item(element.attr("value").as_deref().and_then(parse_number)),
            "blockquote" => {
                self.block_break();
                self.quotes = self.quotes.wrapping_add(1);
                self.push(Frame::Quote(self.quotes));
            }
            "dl" => {
                self.block_break();
                self.push(Frame::Terms);
            }
            "dd" => {
                self.block_break();
                self.push(Frame::Definition);
            }
            _ if is_block(name) => self.block_break(),
            _ => {}
        }
        true
    }

    /// An element closes (called for every opened element, skipped ones included).
    pub(super) fn close(&mut self, name: &str) {
        if is_skipped(name) || name == "img" {
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
        if let Some(table) = &mut self.table {
            match name {
                "table" if table.nested > 0 => table.nested -= 1,
                "table" => {
                    if let Some(table) = self.table.take() {
                        for line in table.render() {
                            self.write_line(&line);
                        }
                    }
                    self.block_break();
                    return;
                }
                "td" | "th" if table.nested == 0 => table.in_cell = false,
                "thead" if table.nested == 0 => table.head = table.head.saturating_sub(1),
                _ => {}
            }
            if breaks_line(name) || matches!(name, "td" | "th") {
                self.space = true;
            }
            return;
        }
        match name {
            "ul" | "ol" | "menu" | "dl" => {
                self.pop();
                self.marker = None;
                self.block_break();
            }
            "li" => {
                self.finish_line();
                self.marker = None;
                self.pop();
            }
            "blockquote" | "dd" => {
                self.block_break();
                self.pop();
            }
            _ if is_block(name) => self.block_break(),
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
        // Runs of visible characters go in whole: the same as one `put` per character.
        let mut rest = text;
        while !rest.is_empty() {
            let end = visible_run(rest);
            let (run, after) = rest.split_at(end);
            let mut chars = run.chars();
            if let Some(first) = chars.next() {
                self.put(first);
                self.put_rest(chars.as_str());
            }
            let mut after = after.chars();
            if after.next().is_some_and(|c| c.is_ascii_whitespace()) {
                self.space = true;
            }
            rest = after.as_str();
        }
    }

    /// The finished text.
    pub(super) fn finish(mut self) -> String {
        if self.pre > 0 {
            self.pre = 0;
            self.write_pre();
        }
        if let Some(table) = self.table.take() {
            for line in table.render() {
                self.write_line(&line);
            }
        }
        self.finish_line();
        self.out
    }

    /// `<img>`: its alt text in brackets, nothing without one.
    fn image(&mut self, alt: Option<&str>) {
        let alt = collapse_whitespace(alt.unwrap_or_default());
        if alt.is_empty() {
            return;
        }
        if self.pre > 0 {
            self.pre_text.push('[');
            self.pre_text.push_str(&alt);
            self.pre_text.push(']');
        } else {
            self.put('[');
            self.text(&alt);
            self.put(']');
        }
    }

    fn push(&mut self, frame: Frame) {
        if self.frames.len() >= MAX_FRAMES {
            self.overflow += 1;
            return;
        }
        if matches!(frame, Frame::Item | Frame::Terms) {
            self.tight += 1;
        }
        self.frames.push(frame);
    }

    /// Closes the innermost container (containers close in the order they opened, so
    /// the overflow count goes first).
    fn pop(&mut self) {
        if self.overflow > 0 {
            self.overflow -= 1;
            return;
        }
        if let Some(Frame::Item | Frame::Terms) = self.frames.pop() {
            self.tight = self.tight.saturating_sub(1);
        }
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
        if self.table.is_some() {
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

    /// Writes one prepared line (of a table); the next follows after one newline.
    fn write_line(&mut self, text: &str) {
        self.start_line();
        self.line.push_str(text);
        if self.finish_line() {
            self.breaks = 1;
        }
    }

    fn put(&mut self, c: char) {
        if let Some(table) = &mut self.table {
            let buffer = table.buffer();
            if self.space && !buffer.is_empty() {
                buffer.push(' ');
            }
            self.space = false;
            buffer.push(c);
            return;
        }
        if !self.line_open {
            self.start_line();
        } else if self.space {
            self.line.push(' ');
        }
        self.space = false;
        self.line.push(c);
    }

    /// More visible characters right after a [`Layout::put`] (no space owed, line open).
    fn put_rest(&mut self, rest: &str) {
        match &mut self.table {
            Some(table) => table.buffer().push_str(rest),
            None => self.line.push_str(rest),
        }
    }

    fn start_line(&mut self) {
        self.line_open = true;
        self.line_breaks = self.breaks;
        self.line_exact = std::mem::take(&mut self.exact);
        self.line_verbatim = false;
        self.breaks = 0;
        self.space = false;
        self.line.clear();
        self.line_blank.clear();
        self.line_quotes.clear();
        let marker = self.marker.take();
        let innermost_item = self.frames.iter().rposition(|f| matches!(f, Frame::Item));
        let mut marked = false;
        for (i, frame) in self.frames.iter().enumerate() {
            let next_is_list = matches!(self.frames.get(i + 1), Some(Frame::List { .. }));
            let part = match frame {
                Frame::List { .. } if i + 1 < self.frames.len() => "  ",
                Frame::Item => {
                    if i == 0 || !matches!(self.frames[i - 1], Frame::List { .. }) {
                        // An item outside any list is indented as in one.
                        self.line.push_str("  ");
                        self.line_blank.push_str("  ");
                    }
                    match &marker {
                        Some(marker) if Some(i) == innermost_item => {
                            self.line.push_str(marker);
                            let width = marker.chars().count();
                            self.line_blank.extend(std::iter::repeat_n(' ', width));
                            marked = true;
                            ""
                        }
                        _ if next_is_list => "",
                        _ => "  ",
                    }
                }
                Frame::Quote(_) => "> ",
                Frame::Definition => DEFINITION_INDENT,
                Frame::List { .. } | Frame::Terms => "",
            };
            self.line.push_str(part);
            self.line_blank.push_str(part);
            if let Frame::Quote(number) = frame {
                let marks = self.line_blank.trim_end().len();
                self.line_quotes.push((*number, marks));
            }
        }
        if !marked && let Some(marker) = marker {
            // An item whose frame overflowed: its marker still shows.
            self.line.push_str(&marker);
        }
        self.prefix_len = self.line.len();
    }

    /// Ends the current line: kept if it shows anything, dropped if it is only whitespace,
    /// trailing whitespace trimmed; a `<pre>` line is kept as it is. Returns whether a line
    /// was kept.
    fn finish_line(&mut self) -> bool {
        self.space = false;
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
            // Blank lines inside a quote keep its marks when the line before was in it.
            let shared = self
                .line_quotes
                .iter()
                .zip(&self.last_quotes)
                .take_while(|(a, b)| a.0 == b.0)
                .last()
                .map_or(0, |(a, _)| a.1);
            let blank = &self.line_blank[..shared];
            self.out.push('\n');
            for _ in 1..newlines {
                self.out.push_str(blank);
                self.out.push('\n');
            }
        }
        if self.line_verbatim {
            self.out.push_str(&self.line);
        } else {
            self.out.push_str(
                self.line
                    .trim_end_matches(|c: char| c.is_ascii_whitespace()),
            );
        }
        std::mem::swap(&mut self.last_quotes, &mut self.line_quotes);
        true
    }

    /// `<br>`: the next text goes on a new line.
    fn line_break(&mut self) {
        // A `<br>` that ends a line asks for one newline; each further one adds one.
        self.breaks = if self.finish_line() {
            1
        } else {
            (self.breaks + 1).min(2)
        };
    }

    /// Block or list boundary: a blank line, or a plain newline inside a list item or a
    /// definition list.
    fn block_break(&mut self) {
        self.finish_line();
        let wanted = if self.tight > 0 { 1 } else { 2 };
        self.breaks = self.breaks.max(wanted);
    }

    fn open_item(&mut self, value: Option<i64>) {
        self.finish_line();
        self.breaks = self.breaks.max(1);
        let list = self.frames.iter_mut().rev().find_map(|f| match f {
            Frame::List { next, step } => Some((next, *step)),
            _ => None,
        });
        let marker = match list {
            Some((Some(n), step)) => {
                if let Some(value) = value {
                    *n = value;
                }
                let marker = format!("{n}. ");
                *n = n.saturating_add(step);
                marker
            }
            _ => "\u{2022} ".to_owned(),
        };
        self.marker = Some(marker);
        self.push(Frame::Item);
    }
}

/// An item number from `start=` or `value=`, within sane bounds.
/// Length of the run of visible characters (neither ASCII whitespace nor
/// [invisible controls](super::is_invisible_control)) at the start of `text`.
fn visible_run(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        let stop = match b {
            // ASCII whitespace and controls (space included), DEL.
            0..=0x20 | 0x7f => true,
            // U+0080..U+009F (C1 controls).
            0xc2 => matches!(bytes.get(at + 1), Some(0x80..=0x9f)),
            // U+FFFE, U+FFFF.
            0xef => {
                bytes.get(at + 1) == Some(&0xbf) && matches!(bytes.get(at + 2), Some(0xbe | 0xbf))
            }
            _ => false,
        };
        if stop {
            return at;
        }
        at += 1;
    }
    at
}

fn parse_number(value: &str) -> Option<i64> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (-1_000_000..=1_000_000_000).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_runs_stop_where_the_char_test_does() {
        let by_chars = |text: &str| {
            text.char_indices()
                .find(|&(_, c)| c.is_ascii_whitespace() || super::super::is_invisible_control(c))
                .map_or(text.len(), |(at, _)| at)
        };
        for text in [
            "",
            "word",
            "two words",
            "é日本🎉 x",
            "a\u{85}b",
            "a\u{9f}b",
            "a\u{a0}b\u{a1}",
            "ab\u{fffe}c",
            "ab\u{ffff}",
            "ab\u{fffd}\u{fefe}c\u{efbf}",
            "x\x0by",
            "x\x7fy",
            "x\x0cy",
            "\tlead",
        ] {
            let mut rest = text;
            while !rest.is_empty() {
                assert_eq!(visible_run(rest), by_chars(rest), "{rest:?}");
                let skip = rest.chars().next().map_or(0, char::len_utf8);
                rest = &rest[skip..];
            }
        }
    }
}
