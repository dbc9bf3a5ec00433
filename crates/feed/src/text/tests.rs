use super::*;

/// Runs `html_to_text` over (name, html, expected) rows and reports every mismatch at once.
fn check_layout(rows: &[(&str, &str, &str)]) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(name, html, expected)| {
            let got = html_to_text(html);
            (got != *expected).then(|| {
                format!(
                    "{name}:\n  html:     {html:?}\n  expected: {expected:?}\n  got:      {got:?}"
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn paragraphs_and_headings() {
    check_layout(&[
        ("one paragraph", "<p>Hello world</p>", "Hello world"),
        ("two paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"),
        (
            "whitespace between blocks",
            "<p>One</p>\n\n  \n<p>Two</p>\n",
            "One\n\nTwo",
        ),
        (
            "heading is its own paragraph",
            "<p>Intro</p><h2>Part  two</h2><p>Body</p>",
            "Intro\n\nPart two\n\nBody",
        ),
        (
            "div and blockquote",
            "<div>a</div><blockquote><p>q</p></blockquote>b",
            "a\n\n> q\n\nb",
        ),
        (
            "bare text then block",
            "lead <p>para</p> tail",
            "lead\n\npara\n\ntail",
        ),
        (
            "nested blocks add no extra lines",
            "<div><div><p>x</p></div></div><div><p>y</p></div>",
            "x\n\ny",
        ),
        (
            "figure and caption",
            "<figure><img src=a.png><figcaption>Cap</figcaption></figure>",
            "Cap",
        ),
        ("hr is a paragraph break", "a<hr>b", "a\n\nb"),
        ("empty input", "", ""),
        ("only whitespace", " \n\t ", ""),
    ]);
}

#[test]
fn inline_whitespace() {
    check_layout(&[
        ("runs collapse", "<p>a  \t b\n c</p>", "a b c"),
        (
            "space between inline tags is kept",
            "<b>a</b> <i>b</i>",
            "a b",
        ),
        ("no space is invented", "foo<b>bar</b>baz", "foobarbaz"),
        (
            "space inside inline tag",
            "foo<b> bar </b>baz",
            "foo bar baz",
        ),
        (
            "nbsp is kept, not collapsed",
            "<p>a\u{a0}\u{a0}b &nbsp;c</p>",
            "a\u{a0}\u{a0}b \u{a0}c",
        ),
        (
            "entities decoded",
            "<p>&lt;tag&gt; &amp; &eacute;&#8217;</p>",
            "<tag> & é\u{2019}",
        ),
        (
            "links keep their text",
            "see <a href=\"https://x.test\">the docs</a>.",
            "see the docs.",
        ),
        ("images without alt are dropped", "a<img src=x.png>b", "ab"),
        (
            "nbsp-only paragraph is dropped",
            "<p>a</p><p>&nbsp;</p><p>b</p>",
            "a\n\nb",
        ),
        (
            "no trailing spaces",
            "<p>a </p><p>b\u{20}\u{20}</p>",
            "a\n\nb",
        ),
        (
            "scripts and styles are skipped",
            "a<script>x()</script><style>p{}</style>b",
            "ab",
        ),
        ("control characters removed", "a\u{0}b\u{7}c", "abc"),
    ]);
}

#[test]
fn line_breaks() {
    check_layout(&[
        ("br is a newline", "a<br>b", "a\nb"),
        ("two br make a blank line", "a<br><br>b", "a\n\nb"),
        (
            "many br never make 3 newlines",
            "a<br><br><br><br>b",
            "a\n\nb",
        ),
        (
            "br at the end of a paragraph",
            "<p>a<br></p><p>b</p>",
            "a\n\nb",
        ),
        ("br at the start", "<br><br>a", "a"),
        ("whitespace around br", "a <br> b", "a\nb"),
    ]);
}

#[test]
fn lists() {
    check_layout(&[
        (
            "bullets",
            "<ul><li>one</li><li>two</li></ul>",
            "  \u{2022} one\n  \u{2022} two",
        ),
        (
            "list between paragraphs",
            "<p>Before</p><ul><li>a</li><li>b</li></ul><p>After</p>",
            "Before\n\n  \u{2022} a\n  \u{2022} b\n\nAfter",
        ),
        ("numbers", "<ol><li>a</li><li>b</li></ol>", "  1. a\n  2. b"),
        (
            "start attribute",
            "<ol start=\"4\"><li>a</li><li>b</li></ol>",
            "  4. a\n  5. b",
        ),
        ("invalid start", "<ol start=\"x\"><li>a</li></ol>", "  1. a"),
        (
            "nested lists indent two more",
            "<ul><li>a<ul><li>a1</li><li>a2</li></ul></li><li>b<ol><li>b1</li></ol></li></ul>",
            "  \u{2022} a\n    \u{2022} a1\n    \u{2022} a2\n  \u{2022} b\n    1. b1",
        ),
        (
            "paragraphs inside items",
            "<ul><li><p>one</p><p>more</p></li><li><p>two</p></li></ul>",
            "  \u{2022} one\n    more\n  \u{2022} two",
        ),
        (
            "whitespace between items",
            "<ul>\n  <li> a </li>\n  <li>\n b\n</li>\n</ul>",
            "  \u{2022} a\n  \u{2022} b",
        ),
        (
            "empty items are dropped",
            "<ol><li><img src=x></li><li>b</li></ol>",
            "  2. b",
        ),
        (
            "br inside an item",
            "<ul><li>a<br>b</li></ul>",
            "  \u{2022} a\n    b",
        ),
        (
            "two lists in a row",
            "<ul><li>a</li></ul><ul><li>b</li></ul>",
            "  \u{2022} a\n\n  \u{2022} b",
        ),
    ]);
}

/// Guard: a nested `<ol>` numbers from 1 and is indented deeper, and the outer list goes
/// on counting after it. (The LDAPS seed posts differ because their feed has the nested
/// steps flattened into the outer `<ol>`.)
#[test]
fn nested_ordered_lists_restart_numbering() {
    check_layout(&[
        (
            "ol in ol",
            "<ol><li>one<ol><li>a</li><li>b</li></ol></li><li>two</li></ol>",
            "  1. one\n    1. a\n    2. b\n  2. two",
        ),
        (
            "text after the nested list stays in the item",
            "<ol start=\"5\"><li>one<ol><li>a</li></ol>more</li><li>two</li></ol>",
            "  5. one\n    1. a\n    more\n  6. two",
        ),
        (
            "three levels",
            "<ol><li>x<ol><li>y<ul><li>z</li></ul></li></ol></li></ol>",
            "  1. x\n    1. y\n      \u{2022} z",
        ),
    ]);
}

#[test]
fn preformatted() {
    check_layout(&[
        (
            "verbatim",
            "<p>Run:</p><pre><code>fn main() {\n    println!(\"&lt;hi&gt;\");\n}</code></pre><p>Done</p>",
            "Run:\n\nfn main() {\n    println!(\"<hi>\");\n}\n\nDone",
        ),
        ("leading newline dropped by HTML", "<pre>\n  x</pre>", "  x"),
        ("blank line inside is kept", "<pre>a\n\nb</pre>", "a\n\nb"),
        ("tabs kept", "<pre>a\tb</pre>", "a\tb"),
        ("br inside pre", "<pre>a<br>b</pre>", "a\nb"),
    ]);
}

/// `<pre>` lines used to lose their trailing whitespace, whitespace-only lines were dropped
/// and runs of blank lines were cut down to one.
#[test]
fn pre_keeps_trailing_whitespace_and_every_blank_line() {
    check_layout(&[
        (
            "trailing spaces and tabs kept",
            "<pre>a   \nb\t</pre>",
            "a   \nb\t",
        ),
        (
            "every blank line kept",
            "<pre>a\n\n\n\nb</pre>",
            "a\n\n\n\nb",
        ),
        (
            "whitespace-only line kept",
            "<pre>if x {\n    \n    y\n}</pre>",
            "if x {\n    \n    y\n}",
        ),
        (
            "blank lines at the edges give way to block spacing",
            "<p>x</p><pre>\n\n  \na\n\n \n</pre><p>y</p>",
            "x\n\na\n\ny",
        ),
        (
            "nested code and spans",
            "<pre><code><span>fn</span> <b>main</b>() {  \n    <i>x</i>\n}</code></pre>",
            "fn main() {  \n    x\n}",
        ),
        (
            "inside a list item, indented like the item's text",
            "<ul><li>Run:<pre><code>make  \n\n  test</code></pre></li><li>b</li></ul>",
            "  \u{2022} Run:\n    make  \n\n      test\n  \u{2022} b",
        ),
        (
            "blocks inside pre start lines",
            "<pre><div>a</div><div>b</div>c</pre>",
            "a\nb\nc",
        ),
        (
            "pre in a table cell stays on the row",
            "<table><tr><td><pre>a\n  b</pre></td><td>c</td></tr></table>",
            "a b | c",
        ),
        (
            "only blank lines",
            "<p>x</p><pre>\n \n\n</pre><p>y</p>",
            "x\n\ny",
        ),
    ]);
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 100_000;
    let html = format!(
        "{}deep{}",
        "<div><span>".repeat(depth),
        "</span></div>".repeat(depth)
    );
    assert_eq!(html_to_text(&html), "deep");
}

#[test]
fn plain_text_for_titles() {
    let rows: &[(&str, &str)] = &[
        ("Plain title", "Plain title"),
        ("  padded \n title\t", "padded title"),
        ("<b>Bold</b> move", "Bold move"),
        ("Tom &amp; Jerry &#8217;s", "Tom & Jerry \u{2019}s"),
        (
            "JavaScript got better while I wasn\u{2019}t\u{a0}looking",
            "JavaScript got better while I wasn\u{2019}t\u{a0}looking",
        ),
        ("a&nbsp;b", "a\u{a0}b"),
        ("line<br>break", "line break"),
        ("x<script>alert(1)</script>y", "xy"),
        ("a < b", "a < b"),
        ("AT&T", "AT&T"),
        ("\u{a0}kept\u{a0}", "\u{a0}kept\u{a0}"),
    ];
    for (input, expected) in rows {
        assert_eq!(plain_text(input), *expected, "input {input:?}");
    }
}

#[test]
fn collapse_whitespace_keeps_markup_literal() {
    assert_eq!(collapse_whitespace(" <b>x</b> \n &amp; "), "<b>x</b> &amp;");
}

#[test]
fn images_show_their_alt_text_in_brackets() {
    check_layout(&[
        (
            "alt in brackets",
            "<p>Look: <img src=x.png alt=\"A cat\"></p>",
            "Look: [A cat]",
        ),
        ("no alt, nothing", "<p>Look:<img src=x.png></p>", "Look:"),
        ("empty alt, nothing", "<p>a <img alt=\"\"> b</p>", "a b"),
        ("blank alt, nothing", "<p>a <img alt=\"  \"> b</p>", "a b"),
        (
            "alt whitespace collapsed",
            "<img alt=\" two \n words \">",
            "[two words]",
        ),
        (
            "inline, no space invented",
            "a<img alt=\"pic\">b",
            "a[pic]b",
        ),
        (
            "image link keeps the alt",
            "<a href=\"/x\"><img alt=\"Logo\"></a> home",
            "[Logo] home",
        ),
        (
            "figure with image and caption",
            "<figure><img src=a.png alt=\"Chart\"><figcaption>Sales</figcaption></figure>",
            "[Chart]\n\nSales",
        ),
        ("alt in pre", "<pre>a <img alt=\"b\"> c</pre>", "a [b] c"),
        (
            "alt in a table cell",
            "<table><tr><td><img alt=\"x\"></td><td>y</td></tr></table>",
            "[x] | y",
        ),
    ]);
}

#[test]
fn links_keep_their_text() {
    check_layout(&[
        (
            "plain link",
            "<p>see <a href=\"https://x.test\">docs</a></p>",
            "see docs",
        ),
        ("link glued to text", "<p>(<a href=\"/a\">a</a>)</p>", "(a)"),
        (
            "link without href",
            "<a name=\"x\">anchor</a> text",
            "anchor text",
        ),
        ("empty link adds nothing", "a <a href=\"/x\"></a> b", "a b"),
    ]);
}

#[test]
fn inline_elements_neither_lose_nor_glue_words() {
    check_layout(&[
        ("adjacent inline tags join", "<b>a</b><i>b</i>", "ab"),
        (
            "space between spans kept",
            "<span>a</span> <span>b</span>",
            "a b",
        ),
        (
            "newline between spans is a space",
            "<span>a</span>\n<span>b</span>",
            "a b",
        ),
        ("space at the end of an inline tag", "<em>a </em>b", "a b"),
        ("space at the start of an inline tag", "a<em> b</em>", "a b"),
        ("nested inline", "<b>x<i>y <u>z</u></i></b>w", "xy zw"),
        ("divs separate words", "<div>a</div><div>b</div>", "a\n\nb"),
        ("p directly after text", "a<p>b</p>c", "a\n\nb\n\nc"),
        (
            "list item after text",
            "a<ul><li>b</li></ul>",
            "a\n\n  \u{2022} b",
        ),
        (
            "cells separate words",
            "<table><tr><td>a</td><td>b</td></tr></table>",
            "a | b",
        ),
        (
            "blocks inside a cell separate words",
            "<table><tr><td><p>a</p><p>b</p></td></tr></table>",
            "a b",
        ),
        (
            "br inside a cell separates words",
            "<table><tr><td>a<br>b</td></tr></table>",
            "a b",
        ),
        (
            "heading glued to text",
            "<h2>Title</h2>Body",
            "Title\n\nBody",
        ),
        (
            "dt and dd separate words",
            "<dl><dt>a</dt><dd>b</dd></dl>",
            "a\n    b",
        ),
    ]);
}

#[test]
fn headings_are_their_own_paragraphs() {
    check_layout(&[
        ("h1 to h6", "<h1>A</h1><h3>B</h3><h6>C</h6>", "A\n\nB\n\nC"),
        (
            "heading inside text",
            "before<h4>Head</h4>after",
            "before\n\nHead\n\nafter",
        ),
        (
            "heading with inline markup",
            "<h2><a href=\"#x\">Part</a> <em>two</em></h2>",
            "Part two",
        ),
    ]);
}

#[test]
fn ordered_lists_keep_their_numbers() {
    check_layout(&[
        (
            "start",
            "<ol start=\"7\"><li>a</li><li>b</li></ol>",
            "  7. a\n  8. b",
        ),
        ("start zero", "<ol start=\"0\"><li>a</li></ol>", "  0. a"),
        (
            "negative start",
            "<ol start=\"-1\"><li>a</li><li>b</li></ol>",
            "  -1. a\n  0. b",
        ),
        (
            "start with spaces",
            "<ol start=\" 3 \"><li>a</li></ol>",
            "  3. a",
        ),
        (
            "huge start ignored",
            "<ol start=\"99999999999999\"><li>a</li></ol>",
            "  1. a",
        ),
        (
            "reversed counts down from the item count",
            "<ol reversed><li>a</li><li>b</li><li>c</li></ol>",
            "  3. a\n  2. b\n  1. c",
        ),
        (
            "reversed with start",
            "<ol reversed start=\"10\"><li>a</li><li>b</li></ol>",
            "  10. a\n  9. b",
        ),
        (
            "li value renumbers",
            "<ol><li>a</li><li value=\"5\">b</li><li>c</li></ol>",
            "  1. a\n  5. b\n  6. c",
        ),
        (
            "numbers continue past an empty item",
            "<ol><li>a</li><li> </li><li>c</li></ol>",
            "  1. a\n  3. c",
        ),
        (
            "bullets inside numbers inside bullets",
            "<ul><li>x<ol start=\"2\"><li>y<ul><li>z</li></ul></li><li>w</li></ol></li><li>v</li></ul>",
            "  \u{2022} x\n    2. y\n      \u{2022} z\n    3. w\n  \u{2022} v",
        ),
    ]);
}

#[test]
fn block_quotes_are_prefixed() {
    check_layout(&[
        ("one line", "<blockquote>quoted</blockquote>", "> quoted"),
        (
            "between paragraphs",
            "<p>He said:</p><blockquote><p>yes</p></blockquote><p>Then</p>",
            "He said:\n\n> yes\n\nThen",
        ),
        (
            "paragraphs inside keep the marks on the blank line",
            "<blockquote><p>one</p><p>two</p></blockquote>",
            "> one\n>\n> two",
        ),
        ("br inside", "<blockquote>a<br>b</blockquote>", "> a\n> b"),
        (
            "nested",
            "<blockquote><p>outer</p><blockquote><p>inner</p></blockquote><p>back</p></blockquote>",
            "> outer\n>\n> > inner\n>\n> back",
        ),
        (
            "list inside a quote",
            "<blockquote><ul><li>a</li><li>b</li></ul></blockquote>",
            ">   \u{2022} a\n>   \u{2022} b",
        ),
        (
            "quote inside a list item",
            "<ul><li>says<blockquote>hi</blockquote></li><li>next</li></ul>",
            "  \u{2022} says\n    > hi\n  \u{2022} next",
        ),
        (
            "pre inside a quote",
            "<blockquote><pre>a\n\n  b</pre></blockquote>",
            "> a\n>\n>   b",
        ),
        (
            "quote right after a quote",
            "<blockquote>a</blockquote><blockquote>b</blockquote>",
            "> a\n\n> b",
        ),
        (
            "empty quote",
            "<p>a</p><blockquote> </blockquote><p>b</p>",
            "a\n\nb",
        ),
    ]);
}

#[test]
fn definition_lists_indent_the_definition() {
    check_layout(&[
        (
            "term and definition",
            "<dl><dt>Term</dt><dd>Meaning</dd></dl>",
            "Term\n    Meaning",
        ),
        (
            "several terms",
            "<dl><dt>A</dt><dd>first</dd><dt>B</dt><dt>B2</dt><dd>second</dd><dd>more</dd></dl>",
            "A\n    first\nB\nB2\n    second\n    more",
        ),
        (
            "paragraphs inside a definition",
            "<dl><dt>T</dt><dd><p>one</p><p>two</p></dd></dl>",
            "T\n    one\n    two",
        ),
        (
            "between paragraphs",
            "<p>x</p><dl><dt>T</dt><dd>d</dd></dl><p>y</p>",
            "x\n\nT\n    d\n\ny",
        ),
        (
            "list inside a definition",
            "<dl><dt>T</dt><dd><ul><li>a</li></ul></dd></dl>",
            "T\n      \u{2022} a",
        ),
    ]);
}

#[test]
fn tables_are_aligned_columns() {
    check_layout(&[
        (
            "header row underlined, columns padded",
            "<table><tr><th>Name</th><th>Size</th></tr><tr><td>a</td><td>1</td></tr>\
             <tr><td>longer</td><td>22</td></tr></table>",
            "Name   | Size\n-------+-----\na      | 1\nlonger | 22",
        ),
        (
            "thead makes a header",
            "<table><thead><tr><td>H</td><td>I</td></tr></thead><tbody><tr><td>x</td><td>y</td></tr></tbody></table>",
            "H | I\n--+--\nx | y",
        ),
        (
            "no header, no rule",
            "<table><tr><td>a</td><td>bb</td></tr><tr><td>ccc</td><td>d</td></tr></table>",
            "a   | bb\nccc | d",
        ),
        (
            "only a header row, no rule",
            "<table><tr><th>a</th><th>b</th></tr></table>",
            "a | b",
        ),
        (
            "table is a block",
            "<p>x</p><table><tbody><tr><td>a</td><td><p>b</p></td></tr></tbody></table><p>y</p>",
            "x\n\na | b\n\ny",
        ),
        (
            "caption first",
            "<table><caption>Prices</caption><tr><td>a</td><td>1</td></tr></table>",
            "Prices\na | 1",
        ),
        (
            "colspan covers the columns and separators",
            "<table><tr><td colspan=\"2\">wide</td><td>c</td></tr>\
             <tr><td>a</td><td>b</td><td>c</td></tr></table>",
            "wide  | c\na | b | c",
        ),
        (
            "colspan wider than its columns widens the last",
            "<table><tr><td>a</td><td>b</td></tr><tr><td colspan=\"2\">very wide</td></tr>\
             <tr><td>c</td><td>d</td></tr></table>",
            "a | b\nvery wide\nc | d",
        ),
        (
            "huge colspan tolerated",
            "<table><tr><td colspan=\"100000\">x</td></tr><tr><td>a</td><td>b</td></tr></table>",
            "x\na | b",
        ),
        (
            "rowspan leaves its column blank below",
            "<table><tr><td rowspan=\"2\">tall</td><td>a</td></tr><tr><td>b</td></tr></table>",
            "tall | a\n     | b",
        ),
        (
            "ragged rows",
            "<table><tr><td>a</td></tr><tr><td>b</td><td>c</td><td>d</td></tr></table>",
            "a\nb | c | d",
        ),
        (
            "empty rows and columns dropped",
            "<table><tr><td></td><td>a</td></tr><tr><td> </td><td></td></tr><tr><td></td><td>b</td></tr></table>",
            "a\nb",
        ),
        (
            "nested table flattened into its cell",
            "<table><tr><td><table><tr><td>x</td><td>y</td></tr></table></td><td>z</td></tr></table>",
            "x y | z",
        ),
        (
            "table inside a list item",
            "<ul><li>Sizes:<table><tr><td>a</td><td>1</td></tr><tr><td>bb</td><td>2</td></tr></table></li></ul>",
            "  \u{2022} Sizes:\n    a  | 1\n    bb | 2",
        ),
        (
            "table inside a quote",
            "<blockquote><table><tr><td>a</td><td>1</td></tr></table></blockquote>",
            "> a | 1",
        ),
        (
            "row headers are not a header row",
            "<table><tr><th>k</th><td>v</td></tr><tr><th>key</th><td>w</td></tr></table>",
            "k   | v\nkey | w",
        ),
        (
            "unclosed table at the end",
            "<table><tr><td>a</td><td>b",
            "a | b",
        ),
    ]);
}

/// A column is padded to at most 40 characters: a longer cell is written whole (no word is
/// lost) and pushes the rest of its row to the right.
#[test]
fn wide_tables_stay_bounded() {
    let long = "word ".repeat(30);
    let html =
        format!("<table><tr><td>{long}</td><td>x</td></tr><tr><td>a</td><td>y</td></tr></table>");
    let text = html_to_text(&html);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0], format!("{} | x", long.trim_end()));
    assert_eq!(lines[1], format!("a{} | y", " ".repeat(39)));

    // Thousands of columns: every cell kept, the output linear in the input.
    let cells = "<td>c</td>".repeat(5000);
    let html = format!("<table><tr>{cells}</tr><tr>{cells}</tr></table>");
    let text = html_to_text(&html);
    assert_eq!(text.matches('c').count(), 10_000);
    assert!(text.len() < html.len(), "{} bytes", text.len());

    // A huge colspan on every cell cannot blow up the padding.
    let cells = "<td colspan=\"1000\">c</td>".repeat(2000);
    let html = format!("<table><tr>{cells}</tr><tr><td>x</td></tr></table>");
    let text = html_to_text(&html);
    assert_eq!(text.matches('c').count(), 2000);
    assert!(text.len() < html.len(), "{} bytes", text.len());
}

#[test]
fn deep_containers_keep_prefixes_bounded() {
    let depth = 200;
    let html = format!(
        "{}deep{}",
        "<blockquote>".repeat(depth),
        "</blockquote>".repeat(depth)
    );
    let text = html_to_text(&html);
    assert!(text.ends_with("deep"), "{text}");
    assert!(text.len() < 100, "{} bytes", text.len());

    let html = format!(
        "{}deep{}",
        "<ul><li>".repeat(depth),
        "</li></ul>".repeat(depth)
    );
    let text = html_to_text(&html);
    assert!(text.ends_with("\u{2022} deep"), "{text}");
    assert!(text.len() < 100, "{} bytes", text.len());

    // After the deep part, the layout is back at the top level.
    let html = format!(
        "{}x{}<p>top</p>",
        "<ol><li><blockquote>".repeat(depth),
        "</blockquote></li></ol>".repeat(depth)
    );
    assert!(html_to_text(&html).ends_with("\n\ntop"));
}

/// Inline tags inside a cell (`x<sup>2</sup>`) used to be separated by a space.
#[test]
fn inline_tags_in_table_cells_add_no_space() {
    check_layout(&[
        (
            "sup, sub, b",
            "<table><tr><td>R<sup>2</sup> <b>x</b>y</td><td>L<sub>p</sub></td></tr></table>",
            "R2 xy | Lp",
        ),
        (
            "block boundaries still separate",
            "<table><tr><td><div>a</div><div>b</div>c<br>d</td></tr></table>",
            "a b c d",
        ),
    ]);
}
