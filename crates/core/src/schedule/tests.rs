use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
        .single()
        .expect("valid date")
}

fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

/// `count` publications `gap` apart, the newest `since` before [`now`].
fn every(gap: Duration, count: i32, since: Duration) -> Vec<DateTime<Utc>> {
    (0..count).map(|i| now() - since - gap * i).collect()
}

fn success_interval(dates: &[DateTime<Utc>], hints: &ServerHints, seed: u64) -> Duration {
    next_after_success(now(), dates, hints, &ScheduleSettings::default(), seed) - now()
}

/// Whether `interval` is within ±10 % of `expected` (and so within the jitter).
fn near(interval: Duration, expected: Duration) -> bool {
    let slack = expected / 10;
    (expected - slack..=expected + slack).contains(&interval)
}

#[test]
fn status_round_trips_through_its_stored_form() {
    for status in [
        SourceStatus::Ok,
        SourceStatus::Failing,
        SourceStatus::Waiting,
        SourceStatus::Gone,
    ] {
        assert_eq!(status.as_str().parse::<SourceStatus>(), Ok(status));
        assert_eq!(status.to_string(), status.as_str());
        assert_eq!(status.is_polled(), status != SourceStatus::Gone);
    }
    assert!("OK".parse::<SourceStatus>().is_err());
    assert!("".parse::<SourceStatus>().is_err());
}

#[test]
fn default_settings_are_a_quarter_hour_to_a_day() {
    let settings = ScheduleSettings::default();
    assert_eq!(settings.min_interval, minutes(15));
    assert_eq!(settings.max_interval, hours(24));
}

#[test]
fn splitmix64_matches_the_reference_sequence() {
    // The first outputs of the reference generator seeded with 0 (state += γ, then mix).
    assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    assert_eq!(splitmix64(0x9E37_79B9_7F4A_7C15), 0x6E78_9E6A_A1B9_65F4);
}

#[test]
fn the_interval_is_half_the_typical_gap_between_posts() {
    let cases = [
        // (gap between posts, time since the newest, expected interval before jitter)
        (hours(8), hours(1), hours(4)),
        (hours(2), minutes(30), hours(1)),
        (hours(1), minutes(10), minutes(30)),
        // A source that went quiet: the open gap is longer than the usual one.
        (hours(2), hours(10), hours(5)),
    ];
    for (gap, since, expected) in cases {
        for seed in 0..50 {
            let interval = success_interval(&every(gap, 10, since), &ServerHints::default(), seed);
            assert!(near(interval, expected), "{gap} {since} {seed}: {interval}");
        }
    }
}

#[test]
fn the_median_gap_ignores_one_burst_or_one_long_silence() {
    let mut dates = every(hours(6), 9, hours(1));
    // One post a minute after another: an outlier, not the rhythm.
    dates.push(dates[3] - minutes(1));
    let interval = success_interval(&dates, &ServerHints::default(), 7);
    assert!(near(interval, hours(3)), "{interval}");
}

#[test]
fn only_the_newest_posts_and_none_from_the_future_count() {
    // Ten recent posts an hour apart, then years of daily posts: only the ten count.
    let mut dates = every(hours(1), 10, minutes(5));
    dates.extend(every(hours(24), 200, hours(20)));
    dates.push(now() + hours(48));
    // Shuffled order does not matter.
    dates.reverse();
    let interval = success_interval(&dates, &ServerHints::default(), 3);
    assert!(near(interval, minutes(30)), "{interval}");
}

#[test]
fn intervals_stay_within_the_settings() {
    let settings = ScheduleSettings {
        min_interval: minutes(30),
        max_interval: hours(6),
    };
    let cases = [
        // Posts every minute: never faster than the minimum.
        every(minutes(1), 10, Duration::seconds(30)),
        // Posts a week apart: never slower than the maximum.
        every(hours(24 * 7), 10, hours(1)),
        // No posts, one post, all posts in one second: the maximum, the maximum, the minimum.
        Vec::new(),
        every(hours(1), 1, hours(1)),
        vec![now(); 5],
    ];
    for dates in &cases {
        for seed in 0..200 {
            let next = next_after_success(now(), dates, &ServerHints::default(), &settings, seed);
            let interval = next - now();
            assert!(
                (minutes(30)..=hours(6)).contains(&interval),
                "{interval} for {} dates, seed {seed}",
                dates.len()
            );
        }
    }
}

#[test]
fn without_publication_history_the_source_is_read_at_the_maximum() {
    for dates in [Vec::new(), every(hours(1), 1, hours(1))] {
        let interval = success_interval(&dates, &ServerHints::default(), 11);
        assert!(
            near(interval, hours(24)) && interval <= hours(24),
            "{interval}"
        );
    }
}

#[test]
fn server_hints_are_a_floor_up_to_the_maximum() {
    let fast = every(minutes(20), 10, minutes(1));
    let cases = [
        // (hints, smallest allowed interval, largest)
        (ServerHints::default(), minutes(15), minutes(15) * 11 / 10),
        (
            ServerHints {
                max_age: Some(hours(2)),
                ..ServerHints::default()
            },
            hours(2),
            hours(2) * 11 / 10,
        ),
        (
            ServerHints {
                max_age: Some(minutes(10)),
                ttl: Some(hours(1)),
                update_period: Some(hours(3)),
            },
            hours(3),
            hours(3) * 11 / 10,
        ),
        // A hint beyond the maximum gives the maximum, not more.
        (
            ServerHints {
                ttl: Some(hours(24 * 30)),
                ..ServerHints::default()
            },
            hours(24),
            hours(24),
        ),
        // Negative and zero hints are ignored.
        (
            ServerHints {
                max_age: Some(-hours(5)),
                ttl: Some(Duration::zero()),
                update_period: None,
            },
            minutes(15),
            minutes(15) * 11 / 10,
        ),
    ];
    for (hints, low, high) in cases {
        for seed in 0..100 {
            let interval = success_interval(&fast, &hints, seed);
            assert!(
                (low..=high).contains(&interval),
                "{hints:?} {seed}: {interval}"
            );
        }
    }
}

#[test]
fn a_hint_shorter_than_the_post_rhythm_does_not_speed_polling_up() {
    let hints = ServerHints {
        ttl: Some(minutes(30)),
        ..ServerHints::default()
    };
    let interval = success_interval(&every(hours(8), 10, hours(1)), &hints, 5);
    assert!(near(interval, hours(4)), "{interval}");
}

#[test]
fn jitter_is_deterministic_within_ten_percent_and_spreads_sources() {
    let base = hours(10);
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..1000 {
        let jittered = jitter(base, seed, now());
        assert!(near(jittered, base), "{seed}: {jittered}");
        assert_eq!(
            jittered,
            jitter(base, seed, now()),
            "same inputs, same answer"
        );
        seen.insert(jittered);
    }
    assert!(seen.len() > 150, "only {} distinct intervals", seen.len());
    assert!(seen.first() < Some(&(base - hours(1) + minutes(6))));
    assert!(seen.last() > Some(&(base + hours(1) - minutes(6))));
    // The same source gets another jitter at another time.
    let later_on: Vec<_> = (0..20)
        .map(|s| jitter(base, 42, now() + Duration::seconds(s)))
        .collect();
    assert!(later_on.iter().any(|j| *j != later_on[0]));
}

#[test]
fn backoff_doubles_from_the_minimum_up_to_a_day() {
    let settings = ScheduleSettings::default();
    let cases = [
        (0, minutes(15)),
        (1, minutes(15)),
        (2, minutes(30)),
        (3, hours(1)),
        (4, hours(2)),
        (5, hours(4)),
        (6, hours(8)),
        (7, hours(16)),
        (8, hours(24)),
        (9, hours(24)),
        (40, hours(24)),
        (u32::MAX, hours(24)),
    ];
    for (failures, expected) in cases {
        for seed in 0..50 {
            let next = next_after_failure(now(), failures, now() - hours(1), &settings, seed);
            let wait = next - now();
            assert!(
                near(wait, expected),
                "{failures} failures, seed {seed}: {wait}"
            );
            assert!((minutes(15)..=hours(24)).contains(&wait), "{wait}");
        }
    }
}

#[test]
fn backoff_grows_monotonically_before_jitter() {
    let settings = ScheduleSettings {
        min_interval: minutes(1),
        max_interval: hours(1),
    };
    let waits: Vec<_> = (1..20)
        .map(|n| next_after_failure(now(), n, now(), &settings, 0) - now())
        .collect();
    // The same seed and time give the same jitter factor, so the order is kept.
    assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
    assert!(*waits.last().expect("waits") <= MAX_BACKOFF);
    assert!(near(*waits.last().expect("waits"), MAX_BACKOFF));
}

#[test]
fn a_source_failing_for_thirty_days_is_checked_weekly() {
    let settings = ScheduleSettings::default();
    let cases = [
        (Duration::days(29) + hours(23), false),
        (Duration::days(30), true),
        (Duration::days(400), true),
        // A failing_since in the future (clock skew) is not dormancy.
        (-Duration::days(40), false),
    ];
    for (failing_for, dormant) in cases {
        for seed in 0..50 {
            let since = now() - failing_for;
            let wait = next_after_failure(now(), 3, since, &settings, seed) - now();
            if dormant {
                assert!(near(wait, Duration::days(7)), "{failing_for}: {wait}");
            } else {
                assert!(near(wait, hours(1)), "{failing_for}: {wait}");
            }
        }
    }
}

#[test]
fn nonsense_settings_do_not_panic_or_spin() {
    let settings = ScheduleSettings {
        min_interval: -hours(1),
        max_interval: -hours(2),
    };
    let next = next_after_success(now(), &[], &ServerHints::default(), &settings, 1);
    assert!(next > now());
    let next = next_after_failure(now(), 1, now(), &settings, 1);
    assert!(next > now());
    let far = DateTime::<Utc>::MAX_UTC - Duration::seconds(5);
    assert_eq!(
        next_after_failure(far, 8, far, &ScheduleSettings::default(), 1),
        DateTime::<Utc>::MAX_UTC
    );
}

#[test]
fn first_fetches_spread_deterministically_over_the_window() {
    let spread = hours(1);
    let offsets: Vec<_> = (0..500).map(|id| first_fetch_offset(id, spread)).collect();
    assert!(
        offsets
            .iter()
            .all(|o| (Duration::zero()..spread).contains(o))
    );
    assert_eq!(
        offsets,
        (0..500)
            .map(|id| first_fetch_offset(id, spread))
            .collect::<Vec<_>>()
    );
    // Every quarter of the window gets some of the sources.
    for quarter in 0..4 {
        let start = minutes(15) * quarter;
        let count = offsets
            .iter()
            .filter(|o| (start..start + minutes(15)).contains(*o))
            .count();
        assert!(count > 80, "quarter {quarter}: {count}");
    }
    assert_eq!(first_fetch_offset(7, Duration::zero()), Duration::zero());
    assert_eq!(first_fetch_offset(7, -hours(1)), Duration::zero());
    assert_eq!(
        first_fetch_offset(7, Duration::microseconds(10)),
        Duration::zero()
    );
}
