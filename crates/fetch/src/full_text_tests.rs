use super::*;
use syndic_core::media::{FIRST_RETRY, LONGEST_RETRY};
use syndic_core::{PostId, SourceId};
use syndic_store::ContentOrigin;

fn words(count: usize) -> String {
    vec!["word"; count].join(" ")
}

fn candidate(feed_text: &str, origin: Option<ContentOrigin>) -> FullTextCandidate {
    FullTextCandidate {
        post: PostId(1),
        source: SourceId(1),
        link: Some("https://blog.example/a".into()),
        title: "A".into(),
        content_html: format!("<p>{feed_text}</p>"),
        content_text: feed_text.into(),
        categories: Vec::new(),
        language: None,
        origin,
    }
}

fn article(text: &str) -> Article {
    Article {
        html: format!("<p>{text}</p>"),
        text: text.into(),
    }
}

#[test]
fn a_page_clearly_longer_than_a_summary_replaces_it_and_remembers_the_summary() {
    let summary = candidate(&words(30), None);
    let verdict = judge(&summary, &article(&words(400)));
    assert_eq!(
        verdict,
        Verdict::UsePage {
            feed_digest: syndic_store::content_digest(&summary.content_html),
            feed_words: 30
        }
    );
}

#[test]
fn a_page_not_clearly_longer_keeps_the_feed_text_and_says_by_how_much() {
    let full = candidate(&words(300), None);
    let Verdict::Keep(reason) = judge(&full, &article(&words(380))) else {
        panic!("kept");
    };
    assert!(
        reason.contains("380 words") && reason.contains("300 words"),
        "{reason}"
    );
}

#[test]
fn a_post_already_from_its_page_is_judged_against_the_feed_text_it_replaced() {
    let origin = ContentOrigin {
        state: FullTextState::Page,
        page_url: Some("https://blog.example/a".into()),
        checked_at: None,
        reason: String::new(),
        failures: 0,
        retry_at: None,
        feed_digest: Some("abc".into()),
        feed_words: Some(20),
    };
    let stored_page = candidate(&words(400), Some(origin));
    assert_eq!(
        judge(&stored_page, &article(&words(410))),
        Verdict::UsePage {
            feed_digest: "abc".into(),
            feed_words: 20
        }
    );
}

#[test]
fn a_failed_page_waits_longer_after_each_failure_and_is_given_up_after_the_last_try() {
    let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).expect("time");
    assert_eq!(next_try(0, now), Some(now + FIRST_RETRY));
    assert_eq!(next_try(1, now), Some(now + FIRST_RETRY * 2));
    assert_eq!(next_try(6, now), Some(now + FIRST_RETRY * 64));
    assert_eq!(next_try(9, now), Some(now + LONGEST_RETRY), "at most a day");
    assert_eq!(next_try(MOST_TRIES - 1, now), None);
}
