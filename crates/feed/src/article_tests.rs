use super::*;

fn page() -> Url {
    Url::parse("https://blog.example/2026/a-post/").expect("url")
}

fn paragraphs(count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                "<p>Paragraph {i} of the article says something about gardens, soil and the \
                 patience that growing vegetables asks of anyone who tries it seriously.</p>"
            )
        })
        .collect()
}

#[test]
fn a_page_counts_as_clearly_longer_only_with_half_again_the_words_and_a_hundred_more() {
    assert!(is_clearly_longer(40, 150));
    assert!(!is_clearly_longer(40, 139), "fewer than 100 words more");
    assert!(
        !is_clearly_longer(300, 420),
        "more than 100 more, but not 1.5 times"
    );
    assert!(is_clearly_longer(300, 450));
    assert!(is_clearly_longer(0, 100));
    assert!(!is_clearly_longer(0, 99));
}

#[test]
fn word_counts_skip_punctuation_standing_alone() {
    assert_eq!(word_count("Hello, world — again … 3 times"), 5);
    assert_eq!(word_count("  "), 0);
}

#[test]
fn readability_finds_the_article_and_drops_its_scripts_and_navigation() {
    let html = format!(
        "<html><head><title>A post</title><script>alert(1)</script></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/about\">About</a></nav>\
         <article><h1>A post</h1>{}<script>steal()</script>\
         <p><img src=\"/img/a.png\" alt=\"a picture\" onerror=\"steal()\"></p></article>\
         <footer>Copyright</footer></body></html>",
        paragraphs(12)
    );
    let article = extract_article(&html, &page(), &ArticleRule::Readability).expect("article");
    assert!(article.text.contains("Paragraph 11 of the article"));
    assert!(!article.html.contains("<script"), "{}", article.html);
    assert!(!article.html.contains("steal"), "{}", article.html);
    assert!(!article.text.contains("About"), "{}", article.text);
    assert!(
        article.html.contains("https://blog.example/img/a.png"),
        "relative links resolve against the page: {}",
        article.html
    );
}

#[test]
fn a_selector_takes_every_element_it_matches_sanitized() {
    let rule = ArticleRule::parse("div.entry-content").expect("selector");
    let html = "<html><body><div class=\"sidebar\">Links</div>\
                <div class=\"entry-content\"><p onclick=\"x()\">First <a href=\"../b\">part</a>.</p></div>\
                <div class=\"entry-content\"><p>Second part.</p><script>x()</script></div></body></html>";
    let article = extract_article(html, &page(), &rule).expect("article");
    assert_eq!(article.text, "First part.\n\nSecond part.");
    assert!(
        article
            .html
            .contains("href=\"https://blog.example/2026/b\"")
    );
    assert!(!article.html.contains("onclick") && !article.html.contains("script"));
}

#[test]
fn a_selector_that_matches_nothing_is_an_error_naming_it() {
    let rule = ArticleRule::parse("main .post").expect("selector");
    let error = extract_article("<p>nothing here</p>", &page(), &rule).expect_err("no match");
    assert_eq!(
        error,
        ArticleError::NoMatch {
            selector: "main .post".into()
        }
    );
}

#[test]
fn a_rule_is_readability_or_a_selector_that_parses() {
    assert_eq!(
        ArticleRule::parse(" Readability ").expect("rule"),
        ArticleRule::Readability
    );
    assert_eq!(
        ArticleRule::parse("article > .body")
            .expect("rule")
            .to_string(),
        "article > .body"
    );
    let bad = ArticleRule::parse("div[").expect_err("bad selector");
    assert!(bad.to_string().contains("div["), "{bad}");
    assert!(ArticleRule::parse("  ").is_err());
}

#[test]
fn a_page_of_too_many_elements_is_refused_by_readability() {
    let html = format!(
        "<html><body>{}</body></html>",
        "<span>x</span>".repeat(MAX_ELEMENTS + 10)
    );
    let error = extract_article(&html, &page(), &ArticleRule::Readability).expect_err("too big");
    assert!(matches!(error, ArticleError::Readability(_)), "{error:?}");
}

#[test]
fn deeply_nested_markup_is_flattened_before_extraction() {
    let html = format!(
        "<html><body><article>{}{}{}</article></body></html>",
        "<div>".repeat(50_000),
        paragraphs(10),
        "</div>".repeat(50_000)
    );
    let article = extract_article(&html, &page(), &ArticleRule::Readability).expect("article");
    assert!(article.text.contains("Paragraph 9"), "{}", article.text);
}
