//! The scan and the parser must agree wherever the scan answers: on hand-picked markup, on
//! what the sanitizer makes of it, and on random tag soup.

use url::Url;

use super::layout;
use crate::sanitize_html;
use crate::text::parsed_to_text;

/// Markup of every kind the layout handles, ordinary and hostile.
const SAMPLES: &[&str] = &[
    "plain words, no markup",
    "a &amp; b &lt;c&gt; d&nbsp;e &quot;f&quot;",
    "<p>One</p><p>Two <b>bold</b> <i>it</i> <a href=\"https://x.example/\">link</a></p>",
    "<h1>T</h1><h2>Sub <em>x</em></h2><p>body</p><hr><p>after</p>",
    "<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul><ol start=\"3\"><li>x</li><li value=\"9\">y</li></ol>",
    "<ol reversed><li>a</li><li>b</li></ol>",
    "<ol reversed start=\"5\"><li>a</li><li>b</li></ol>",
    "<blockquote><p>q1</p><blockquote><p>q2</p></blockquote></blockquote>",
    "<dl><dt>term</dt><dd>def <b>b</b></dd><dt>t2</dt><dd>d2</dd></dl>",
    "<pre>\n\nline one\n  indented  \n\n</pre><p>x</p>",
    "<pre>\nfirst</pre>",
    "<pre><code>fn main() {\n    x &lt; y;\n}</code></pre>",
    "<table><caption>Cap</caption><thead><tr><th>h1</th><th>h2</th></tr></thead><tbody><tr><td colspan=\"2\">wide</td></tr><tr><td rowspan=\"2\">a</td><td>b</td></tr><tr><td>c</td></tr></tbody></table>",
    "<table>\n<tbody>\n<tr>\n<td>a <table><tbody><tr><td>nested</td></tr></tbody></table></td>\n</tr>\n</tbody>\n</table>",
    "<table><tr><td>no tbody</td></tr></table>",
    "<table>stray text<tr><td>x</td></tr></table>",
    "<table><div>foster</div></table>",
    "<p>unclosed <p>second",
    "<li>a<li>b",
    "<ul><li>a<section><li>nested</li></section></li></ul>",
    "<dl><dt>a<dd>b<dt>c</dl>",
    "<a href=\"x\">one <a href=\"y\">two</a></a>",
    "<b><i>misnested</b></i>",
    "<p><div>block in p</div></p>",
    "<h1>a<h2>b</h2></h1>",
    "<div><span>x</span><br><img alt=\"pic\" src=\"https://x.example/a.png\"><img src=\"y\"></div>",
    "<figure><img alt=\"a &amp; b\"><figcaption>cap</figcaption></figure>",
    "<details><summary>more</summary><p>hidden</p></details>",
    "<script>alert(1)</script><style>p{}</style><p>after</p>",
    "<!-- comment --><p>x</p>",
    "<svg><text>x</text></svg><math><mi>y</mi></math>",
    "<iframe src=\"https://evil.example/\"></iframe><object><p>o</p></object>",
    "<form><input value=\"x\"><button>b</button><select><option>o</option></select></form>",
    "<P CLASS=\"x\">upper</P>",
    "<p title='single'>quoted</p>",
    "<p title=\"a\" title=\"b\">dup</p>",
    "<br/>self-closing<hr/>",
    "\u{feff}bom first",
    "cr\r\nlf",
    "nul\0char",
    "&copy; &#169; &#x41; &amp &unknown;",
    "<p>a\u{a0}b \t\x0c c</p>",
    "<div><div><div><p>deep</p></div></div></div>",
    "<td>cell outside table</td><tr>row</tr><caption>c</caption>",
    "<ul>\n  <li>one</li>\n  <li>two</li>\n</ul>",
    "<p>x</p>\n<pre>\n</pre>\n<p>y</p>",
    "<q>quote</q> <s>s</s> <u>u</u> <small>sm</small> <sub>1</sub><sup>2</sup> <code>c</code> <kbd>k</kbd>",
    "<blockquote><ul><li><pre>code\n in list</pre></li></ul></blockquote>",
    "<table><tbody><tr><td><p>para</p><ul><li>i</li></ul></td><th scope=\"row\">h</th></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>",
    "<b>x</b><b>x</b><b><b><b><b>noah</b></b></b></b>",
    "</p>stray end<p>x</p></div>",
    "<p>text</p>trailing < not a tag > and 1 < 2",
    "<a>",
    "<",
    "</",
    "",
];

fn check(html: &str, failures: &mut Vec<String>) -> bool {
    let Some(fast) = layout(html) else {
        return false;
    };
    let parsed = parsed_to_text(html);
    if fast != parsed {
        failures.push(format!(
            "input:  {html:?}\n  scan:   {fast:?}\n  parser: {parsed:?}"
        ));
    }
    true
}

fn bases() -> [Option<Url>; 2] {
    [Url::parse("https://blog.example/post/").ok(), None]
}

#[test]
fn the_scan_agrees_with_the_parser_on_samples_and_their_sanitized_form() {
    let mut failures = Vec::new();
    let mut sanitized_taken = 0;
    for html in SAMPLES {
        check(html, &mut failures);
        for base in bases() {
            let clean = sanitize_html(html, base.as_ref());
            if check(&clean, &mut failures) {
                sanitized_taken += 1;
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    // The scan must actually serve sanitized markup, or it is no faster.
    assert!(
        sanitized_taken * 10 >= SAMPLES.len() * 2 * 8,
        "the scan took only {sanitized_taken} of {} sanitized samples",
        SAMPLES.len() * 2
    );
}

#[test]
fn the_scan_declines_what_only_the_parser_can_tell() {
    for html in [
        "<p>a<p>b",
        "<li>a<li>b",
        "<table><tr><td>x</td></tr></table>",
        "<table>text<tbody></tbody></table>",
        "<a href=\"x\"><a href=\"y\">b</a></a>",
        "<b><i>x</b></i>",
        "<!--c-->",
        "<script>x</script>",
        "a &copy; b",
        "<P>x</P>",
        "<br/>",
        "cr\r\n",
        "\u{feff}x",
        "<ol reversed><li>a</li></ol>",
    ] {
        assert_eq!(layout(html), None, "{html:?}");
    }
    let deep = format!("{}x{}", "<div>".repeat(300), "</div>".repeat(300));
    assert_eq!(layout(&deep), None);
}

/// Tag soup from a fixed pseudo-random sequence: raw and sanitized, the scan must agree
/// with the parser whenever it answers.
#[test]
fn the_scan_agrees_with_the_parser_on_random_tag_soup() {
    const PIECES: &[&str] = &[
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<ul>",
        "</ul>",
        "<ol>",
        "</ol>",
        "<li>",
        "</li>",
        "<dl>",
        "<dt>",
        "<dd>",
        "</dl>",
        "<table>",
        "</table>",
        "<tbody>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<th>",
        "<caption>",
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<a href=\"/x\">",
        "</a>",
        "<pre>",
        "</pre>",
        "\n",
        "  ",
        "word",
        "two words",
        "&amp;",
        "&nbsp;",
        "&lt;",
        "<br>",
        "<hr>",
        "<img alt=\"pic\">",
        "<h2>",
        "</h2>",
        "<blockquote>",
        "</blockquote>",
        "<section>",
        "</section>",
        "<span>",
        "</span>",
        "<script>x</script>",
        "<!--c-->",
        "<font>",
        "</font>",
        "<code>",
        "</code>",
        "<form>",
        "</form>",
        "<tfoot>",
        "<thead>",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % n as u64).expect("below n")
    };
    let base = Url::parse("https://blog.example/post/").expect("base");
    let mut failures = Vec::new();
    let mut taken = 0;
    for _ in 0..3000 {
        let len = 1 + next(30);
        let html: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
        check(&html, &mut failures);
        if check(&sanitize_html(&html, Some(&base)), &mut failures) {
            taken += 1;
        }
    }
    failures.truncate(5);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(
        taken > 300,
        "the scan took only {taken} of 3000 sanitized soups"
    );
}
