use super::*;

const BASE: &str = "https://blog.example/posts/one/";
/// What ammonia puts on every kept link.
const A: &str = r#"referrerpolicy="no-referrer" rel="nofollow noopener noreferrer""#;
const IMG: &str = r#"referrerpolicy="no-referrer""#;

/// Runs (name, input, expected) rows through `sanitize_html` with `base` and reports every
/// mismatch at once; also checks that sanitizing is idempotent.
fn check(base: Option<&str>, rows: &[(&str, &str, String)]) {
    let base = base.map(|b| Url::parse(b).expect("test base"));
    let mut failures = Vec::new();
    for (name, input, expected) in rows {
        let got = sanitize_html(input, base.as_ref());
        if got != *expected {
            failures.push(format!(
                "{name}:\n  in:       {input}\n  expected: {expected}\n  got:      {got}"
            ));
        }
        let again = sanitize_html(&got, base.as_ref());
        if again != got {
            failures.push(format!(
                "{name}: not idempotent:\n  once:  {got}\n  twice: {again}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn row(
    name: &'static str,
    input: &'static str,
    expected: &str,
) -> (&'static str, &'static str, String) {
    (
        name,
        input,
        expected.replace("{A}", A).replace("{IMG}", IMG),
    )
}

#[test]
fn keeps_content_markup() {
    check(
        Some(BASE),
        &[
            row(
                "plain markup",
                "<p>Hello <b>world</b></p>",
                "<p>Hello <b>world</b></p>",
            ),
            row(
                "image attributes",
                r#"<img src="https://img.example/a.png" alt="A" title="T" width="10" height="20">"#,
                r#"<img src="https://img.example/a.png" alt="A" title="T" width="10" height="20" {IMG}>"#,
            ),
            row(
                "absolute link",
                r#"<a href="https://ok.example/?a=1&amp;b=2">q</a>"#,
                r#"<a href="https://ok.example/?a=1&amp;b=2" {A}>q</a>"#,
            ),
            row(
                "mailto link",
                r#"<a href="mailto:me@x.example">m</a>"#,
                r#"<a href="mailto:me@x.example" {A}>m</a>"#,
            ),
            row(
                "table cells keep spans",
                r#"<table><tr><td colspan="2">c</td></tr></table>"#,
                r#"<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>"#,
            ),
            row(
                "ordered list start",
                r#"<ol start="3"><li>x</li></ol>"#,
                r#"<ol start="3"><li>x</li></ol>"#,
            ),
            row(
                "code blocks lose classes",
                r#"<pre><code class="language-rust">fn f() {}</code></pre>"#,
                "<pre><code>fn f() {}</code></pre>",
            ),
            row(
                "details",
                "<details open><summary>S</summary>D</details>",
                r#"<details open=""><summary>S</summary>D</details>"#,
            ),
            row("comments are removed", "<!-- note --><p>x</p>", "<p>x</p>"),
            row(
                "unknown tags keep their text",
                "<font color=red>red</font> <section>s</section>",
                "red s",
            ),
        ],
    );
}

#[test]
fn removes_scripts_handlers_and_styles() {
    check(
        Some(BASE),
        &[
            row(
                "script with contents",
                "<script>alert(1)</script><p>after</p>",
                "<p>after</p>",
            ),
            row(
                "onerror",
                r#"<img src="https://i.example/x.png" onerror="alert(1)">"#,
                r#"<img src="https://i.example/x.png" {IMG}>"#,
            ),
            row("onclick on a cell", r#"<td onclick="x">c</td>"#, "c"),
            row(
                "style attribute and element",
                r#"<p style="position:fixed">s</p><style>body{}</style>"#,
                "<p>s</p>",
            ),
            row(
                "class, id and name",
                r#"<p class="c" id="location" name="n">p</p>"#,
                "<p>p</p>",
            ),
            row(
                "iframe with fallback",
                r#"<iframe src="https://evil.example">fallback</iframe><p>ok</p>"#,
                "<p>ok</p>",
            ),
            row(
                "iframe srcdoc",
                r#"<iframe srcdoc="<script>alert(1)</script>"></iframe>"#,
                "",
            ),
            row(
                "object and embed",
                r#"<object data="x.swf"><embed src="x.swf"></object>"#,
                "",
            ),
            row(
                "form controls",
                r#"<form action="https://evil.example"><input name=q><button>Go</button>text</form>"#,
                "text",
            ),
            row(
                "meta, base and link",
                r#"<meta http-equiv=refresh content=0><base href="https://evil.example/"><link rel=stylesheet href=x>"#,
                "",
            ),
            row(
                "svg with a link inside",
                r#"<svg onload=alert(1)><a href="javascript:x">s</a></svg>"#,
                "",
            ),
            row(
                "video with poster",
                r#"<video src="https://v.example/a.mp4" poster="javascript:x">old browser</video>"#,
                "",
            ),
            row(
                "math/style mXSS",
                r#"<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;">"#,
                "",
            ),
            row(
                "noscript mXSS stays inert",
                r#"<noscript><a alt="</noscript><img src=x onerror=alert(1)>"></noscript>"#,
                r#"&lt;a alt="<img src="https://blog.example/posts/one/x" {IMG}>"&gt;"#,
            ),
            row(
                "nested malicious markup",
                r#"<div><p onmouseover="x">a<script>b</script><b style="x">c<iframe>d</iframe></b></p></div>"#,
                "<div><p>a<b>c</b></p></div>",
            ),
        ],
    );
}

#[test]
fn only_http_https_and_mailto_urls_survive() {
    check(
        Some(BASE),
        &[
            row(
                "javascript href",
                r#"<a href="javascript:alert(1)">x</a>"#,
                "<a {A}>x</a>",
            ),
            row(
                "mixed-case scheme",
                r#"<a href="JaVaScRiPt:alert(1)">x</a>"#,
                "<a {A}>x</a>",
            ),
            row(
                "entity-encoded scheme",
                r#"<a href="&#106;avascript:alert(1)">x</a>"#,
                "<a {A}>x</a>",
            ),
            row(
                "tab entity before scheme",
                r#"<a href="&#x09;javascript:alert(1)">x</a>"#,
                "<a {A}>x</a>",
            ),
            row(
                "whitespace inside scheme",
                "<a href=\" java\tscript:alert(1)\">x</a>",
                "<a {A}>x</a>",
            ),
            row(
                "vbscript",
                r#"<a href="vbscript:msgbox(1)">x</a>"#,
                "<a {A}>x</a>",
            ),
            row(
                "data image",
                r#"<img src="data:image/png;base64,AAAA">"#,
                "<img {IMG}>",
            ),
            row(
                "rel and target are replaced",
                r#"<a href="https://x.example" target="_blank" rel="opener">t</a>"#,
                r#"<a href="https://x.example" {A}>t</a>"#,
            ),
        ],
    );
}

#[test]
fn relative_urls_resolve_against_the_base() {
    check(
        Some(BASE),
        &[
            row(
                "relative href and root-relative src",
                r#"<a href="../two/">rel</a> <img src="/i.png">"#,
                r#"<a href="https://blog.example/posts/two/" {A}>rel</a> <img src="https://blog.example/i.png" {IMG}>"#,
            ),
            row(
                "fragment link",
                r##"<a href="#fn1">fn</a>"##,
                r##"<a href="https://blog.example/posts/one/#fn1" {A}>fn</a>"##,
            ),
        ],
    );
}

#[test]
fn relative_urls_are_dropped_without_a_base() {
    let rows = [
        row(
            "relative href",
            r#"<a href="../two/">rel</a>"#,
            "<a {A}>rel</a>",
        ),
        row(
            "relative src",
            r#"<img src="/i.png" alt="i">"#,
            r#"<img alt="i" {IMG}>"#,
        ),
        row(
            "absolute stays",
            r#"<a href="https://x.example/">x</a>"#,
            r#"<a href="https://x.example/" {A}>x</a>"#,
        ),
    ];
    check(None, &rows);
    // A base that is not http(s) counts as no base.
    check(Some("javascript:alert(1)"), &rows);
}

/// A `<pre>` whose text starts with a blank line was written as `<pre>\n…`, which a parser
/// reads without that newline: the blank line was lost, and sanitizing again changed the
/// result.
#[test]
fn pre_keeps_its_leading_blank_line() {
    check(
        None,
        &[
            row("leading blank line", "<pre>\n\nx</pre>", "<pre>\n\nx</pre>"),
            row(
                "with an attribute holding > and <pre",
                "<pre title='a>b <pre>'>\n\n\nx</pre>",
                "<pre title=\"a&gt;b &lt;pre&gt;\">\n\n\nx</pre>",
            ),
            row(
                "no blank line: unchanged",
                "<pre>\nx\n</pre>",
                "<pre>x\n</pre>",
            ),
            row(
                "escaped text and code are left alone",
                "<p>&lt;pre>\n</p><pre><code>\nx</code></pre>",
                "<p>&lt;pre&gt;\n</p><pre><code>\nx</code></pre>",
            ),
            row(
                "inside a list, with spans",
                "<ul><li><pre class=k>\n\n<span>a  </span>\n\n\n  b</pre></li></ul>",
                "<ul><li><pre>\n\n<span>a  </span>\n\n\n  b</pre></li></ul>",
            ),
        ],
    );
}

#[test]
fn inert_text_skips_ammonia_and_comes_out_as_ammonia_would_write_it() {
    let base = Url::parse(BASE).ok();
    for text in [
        "plain words",
        "",
        "   \n\t spaced \x0c out \n",
        "quotes \" and ' and = and / and ; stay",
        "unicode: é ü 日本語 🎉 \u{feff} \u{fffe} \u{200b}",
        "controls \x01\x7f\u{85} and a tab\t",
        "javascript:alert(1) is only text here",
    ] {
        assert!(is_inert_text(text), "{text:?} should be inert");
        for base in [base.as_ref(), None] {
            assert_eq!(sanitize_html(text, base), clean(text, base), "{text:?}");
            assert_eq!(sanitize_html(text, base), text);
        }
    }
    for text in [
        "a < b",
        "a > b",
        "a &amp; b",
        "cr\r\n",
        "nul\0",
        "nbsp\u{a0}",
        "\u{feff}bom",
        "<p>x</p>",
    ] {
        assert!(!is_inert_text(text), "{text:?} is not inert");
    }
}

#[test]
fn one_builder_per_thread_still_resolves_against_each_call_base() {
    let first = Url::parse("https://one.example/a/").expect("url");
    let second = Url::parse("https://two.example/b/").expect("url");
    let html = r#"<a href="x">x</a>"#;
    assert!(sanitize_html(html, Some(&first)).contains("https://one.example/a/x"));
    assert!(sanitize_html(html, Some(&second)).contains("https://two.example/b/x"));
    assert!(!sanitize_html(html, None).contains("href"));
    assert!(sanitize_html(html, Some(&first)).contains("https://one.example/a/x"));
}
