use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
        .single()
        .expect("valid date")
}

fn date(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid date")
}

#[test]
fn retry_after_reads_seconds_and_every_date_form() {
    let cases = [
        ("0", Some(now())),
        ("120", Some(now() + Duration::seconds(120))),
        ("  3600 ", Some(now() + Duration::hours(1))),
        // IMF-fixdate, RFC 850 and asctime, an hour from now.
        (
            "Tue, 10 Mar 2026 13:00:00 GMT",
            Some(now() + Duration::hours(1)),
        ),
        (
            "Tuesday, 10-Mar-26 13:00:00 GMT",
            Some(now() + Duration::hours(1)),
        ),
        ("Tue Mar 10 13:00:00 2026", Some(now() + Duration::hours(1))),
        ("Tue Mar  3 13:00:00 2026", Some(now())),
        // A wrong weekday does not matter; a numeric zone is read.
        (
            "Fri, 10 Mar 2026 13:00:00 GMT",
            Some(now() + Duration::hours(1)),
        ),
        (
            "Tue, 10 Mar 2026 14:00:00 +0100",
            Some(now() + Duration::hours(1)),
        ),
        ("10 Mar 2026 13:00:00 GMT", Some(now() + Duration::hours(1))),
    ];
    for (value, expected) in cases {
        assert_eq!(parse_retry_after(value, now()), expected, "{value:?}");
    }
}

#[test]
fn retry_after_is_clamped_to_a_day_and_never_in_the_past() {
    let day = Some(now() + Duration::hours(24));
    let cases = [
        ("86400", day),
        ("86401", day),
        ("999999999999999999999999999999", day),
        ("Wed, 01 Jan 2031 00:00:00 GMT", day),
        ("Fri, 31 Dec 9999 23:59:59 GMT", day),
        // Already past: ask again now.
        ("Sun, 06 Nov 1994 08:49:37 GMT", Some(now())),
        ("Sunday, 06-Nov-94 08:49:37 GMT", Some(now())),
        ("Sun Nov  6 08:49:37 1994", Some(now())),
    ];
    for (value, expected) in cases {
        assert_eq!(parse_retry_after(value, now()), expected, "{value:?}");
    }
}

#[test]
fn retry_after_garbage_is_ignored() {
    for value in [
        "",
        "   ",
        "-5",
        "+5",
        "1.5",
        "1e3",
        "soon",
        "120 seconds",
        "0x10",
        "١٢٠",
        "Tue, 32 Mar 2026 13:00:00 GMT",
        "Tue, 10 Foo 2026 13:00:00 GMT",
        "Tue, 10 Mar 2026 25:00:00 GMT",
        "Tue, 10 Mar 2026 13:00:00",
        "1, 10 Mar 2026 13:00:00 GMT",
        "Tue Mar 10 13:00:00",
        "Tue Mar 10 2026",
        "\u{0}",
    ] {
        assert_eq!(parse_retry_after(value, now()), None, "{value:?}");
    }
}

#[test]
fn http_dates_in_all_three_forms_agree() {
    let expected = Some(date(1994, 11, 6, 8, 49, 37));
    for value in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Sun Nov 06 08:49:37 1994",
        "sun, 06 nov 1994 08:49:37 GMT",
    ] {
        assert_eq!(parse_http_date(value), expected, "{value:?}");
    }
    assert_eq!(
        parse_http_date("Monday, 01-Jan-24 00:00:00 GMT"),
        Some(date(2024, 1, 1, 0, 0, 0))
    );
}

#[test]
fn freshness_comes_from_max_age_else_expires() {
    let in_an_hour = "Tue, 10 Mar 2026 13:00:00 GMT";
    let cases = [
        (Some("max-age=600"), None, Some(Duration::minutes(10))),
        (
            Some("public, MAX-AGE=\"900\""),
            None,
            Some(Duration::minutes(15)),
        ),
        // max-age wins over Expires, even when shorter.
        (
            Some("max-age=60"),
            Some(in_an_hour),
            Some(Duration::minutes(1)),
        ),
        (None, Some(in_an_hour), Some(Duration::hours(1))),
        (Some("public"), Some(in_an_hour), Some(Duration::hours(1))),
        // A bad max-age is ignored, so Expires decides.
        (
            Some("max-age=soon"),
            Some(in_an_hour),
            Some(Duration::hours(1)),
        ),
        (
            Some("max-age=99999999999999999999"),
            None,
            Some(Duration::days(366)),
        ),
        // Nothing positive, or an explicit refusal.
        (Some("max-age=0"), Some(in_an_hour), None),
        (Some("no-cache"), Some(in_an_hour), None),
        (Some("max-age=600, no-store"), None, None),
        (None, Some("0"), None),
        (None, Some("Sun, 06 Nov 1994 08:49:37 GMT"), None),
        (None, None, None),
        (Some(""), None, None),
    ];
    for (cache_control, expires, expected) in cases {
        assert_eq!(
            freshness_hint(cache_control, expires, now()),
            expected,
            "{cache_control:?} {expires:?}"
        );
    }
}

#[test]
fn update_period_is_divided_by_the_frequency() {
    let cases = [
        ("hourly", None, Some(Duration::hours(1))),
        ("daily", None, Some(Duration::days(1))),
        ("daily", Some("2"), Some(Duration::hours(12))),
        (" Weekly ", Some(" 7 "), Some(Duration::days(1))),
        ("monthly", Some(""), Some(Duration::days(30))),
        ("yearly", Some("1"), Some(Duration::days(365))),
        ("daily", Some("0"), None),
        ("daily", Some("-2"), None),
        ("daily", Some("often"), None),
        ("fortnightly", None, None),
        ("", None, None),
    ];
    for (period, frequency, expected) in cases {
        assert_eq!(
            update_period_hint(period, frequency),
            expected,
            "{period:?} {frequency:?}"
        );
    }
}
