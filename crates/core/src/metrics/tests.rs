use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::*;

/// One sample line: metric name, labels, value.
#[derive(Debug, PartialEq)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn parse_value(text: &str) -> f64 {
    match text {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        other => other
            .parse()
            .unwrap_or_else(|_| panic!("not a value: {other:?}")),
    }
}

/// Parses `{k="v",...}` (escapes undone) and returns the labels and the rest of the line.
fn parse_labels(text: &str) -> (Vec<(String, String)>, &str) {
    let mut labels = Vec::new();
    let mut rest = text.strip_prefix('{').expect("labels open with {");
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return (labels, after);
        }
        let eq = rest.find('=').expect("label has =");
        let key = &rest[..eq];
        assert!(is_name(key), "label name {key:?}");
        rest = rest[eq + 1..]
            .strip_prefix('"')
            .expect("label value quoted");
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next().expect("label value closed") {
                (i, '"') => break i,
                (_, '\\') => match chars.next().expect("escape finished").1 {
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    'n' => value.push('\n'),
                    other => panic!("bad escape \\{other}"),
                },
                (_, c) => {
                    assert_ne!(c, '\n', "raw line feed in a label value");
                    value.push(c);
                }
            }
        };
        labels.push((key.to_owned(), value));
        rest = &rest[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

/// A tiny checker of the text format: every line is a HELP, a TYPE (before any of its
/// samples, once per family) or a sample of a declared family; returns the samples.
fn check(text: &str) -> Vec<Sample> {
    assert!(text.ends_with('\n'), "the text ends with a line feed");
    let mut types: HashMap<String, String> = HashMap::new();
    let mut helped = Vec::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, _) = rest.split_once(' ').expect("HELP has a text");
            assert!(is_name(name), "{line}");
            assert!(!helped.contains(&name.to_owned()), "HELP twice: {line}");
            helped.push(name.to_owned());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE has a kind");
            assert!(is_name(name), "{line}");
            assert!(matches!(kind, "counter" | "gauge" | "histogram"), "{line}");
            assert!(
                types.insert(name.to_owned(), kind.to_owned()).is_none(),
                "TYPE twice: {line}"
            );
        } else {
            assert!(!line.starts_with('#'), "unknown comment: {line}");
            let name_end = line.find(['{', ' ']).expect("a sample has a value");
            let name = &line[..name_end];
            assert!(is_name(name), "{line}");
            assert!(name.starts_with("syndic_"), "{line}");
            let (labels, rest) = if line[name_end..].starts_with('{') {
                parse_labels(&line[name_end..])
            } else {
                (Vec::new(), &line[name_end..])
            };
            let value = rest.strip_prefix(' ').expect("one space before the value");
            let value = parse_value(value);
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| {
                    name.strip_suffix(suffix)
                        .filter(|base| types.get(*base).is_some_and(|k| k == "histogram"))
                })
                .unwrap_or(name);
            assert!(types.contains_key(family), "sample before its TYPE: {line}");
            samples.push(Sample {
                name: name.to_owned(),
                labels,
                value,
            });
        }
    }
    samples
}

fn value(samples: &[Sample], name: &str, label: Option<(&str, &str)>) -> f64 {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && match label {
                    Some((k, v)) => s.labels.iter().any(|(key, val)| key == k && val == v),
                    None => s.labels.is_empty(),
                }
        })
        .unwrap_or_else(|| panic!("no sample {name} {label:?}"))
        .value
}

#[test]
fn an_empty_registry_renders_every_family_at_zero() {
    let text = FetchMetrics::new().render(&[]);
    let samples = check(&text);
    for outcome in FetchOutcome::ALL {
        assert_eq!(
            value(
                &samples,
                "syndic_fetches_total",
                Some(("outcome", outcome.as_str()))
            ),
            0.0
        );
    }
    for name in [
        "syndic_fetch_duration_seconds_sum",
        "syndic_fetch_duration_seconds_count",
        "syndic_fetch_bytes_total",
        "syndic_posts_new_total",
        "syndic_posts_updated_total",
        "syndic_scheduler_lag_seconds",
    ] {
        assert_eq!(value(&samples, name, None), 0.0, "{name}");
    }
    assert!(text.contains("# TYPE syndic_fetch_duration_seconds histogram\n"));
    assert!(text.contains("# TYPE syndic_sources gauge\n"));
}

#[test]
fn recorded_fetches_render_in_the_expected_shape() {
    let metrics = FetchMetrics::new();
    metrics.record_fetch(FetchOutcome::Ok, Duration::from_millis(30), 1000);
    metrics.record_fetch(FetchOutcome::Ok, Duration::from_millis(300), 500);
    metrics.record_fetch(FetchOutcome::NotModified, Duration::from_millis(100), 0);
    metrics.record_fetch(FetchOutcome::Timeout, Duration::from_secs(45), 0);
    metrics.record_posts(7, 2);
    metrics.record_posts(1, 0);
    metrics.set_scheduler_lag(1.5);
    let text = metrics.render(&[("ok", 3), ("gone", 1), ("we\"ird\\\n", 2)]);
    let samples = check(&text);

    let fetches = |outcome| value(&samples, "syndic_fetches_total", Some(("outcome", outcome)));
    assert_eq!(fetches("ok"), 2.0);
    assert_eq!(fetches("not_modified"), 1.0);
    assert_eq!(fetches("timeout"), 1.0);
    assert_eq!(fetches("failed"), 0.0);
    assert_eq!(value(&samples, "syndic_fetch_bytes_total", None), 1500.0);
    assert_eq!(value(&samples, "syndic_posts_new_total", None), 8.0);
    assert_eq!(value(&samples, "syndic_posts_updated_total", None), 2.0);
    assert_eq!(value(&samples, "syndic_scheduler_lag_seconds", None), 1.5);
    assert_eq!(
        value(&samples, "syndic_fetch_duration_seconds_count", None),
        4.0
    );
    let sum = value(&samples, "syndic_fetch_duration_seconds_sum", None);
    assert!((sum - 45.43).abs() < 1e-9, "{sum}");

    let bucket = |le| {
        value(
            &samples,
            "syndic_fetch_duration_seconds_bucket",
            Some(("le", le)),
        )
    };
    assert_eq!(bucket("0.05"), 1.0);
    // 0.1 s is inside the 0.1 bucket: bounds are inclusive.
    assert_eq!(bucket("0.1"), 2.0);
    assert_eq!(bucket("0.25"), 2.0);
    assert_eq!(bucket("0.5"), 3.0);
    assert_eq!(bucket("30"), 3.0);
    assert_eq!(bucket("+Inf"), 4.0);

    let sources = |status| value(&samples, "syndic_sources", Some(("status", status)));
    assert_eq!(sources("ok"), 3.0);
    assert_eq!(sources("gone"), 1.0);
    assert_eq!(sources("we\"ird\\\n"), 2.0);
    assert!(
        text.contains(r#"syndic_sources{status="we\"ird\\\n"} 2"#),
        "{text}"
    );
}

#[test]
fn histogram_buckets_are_cumulative_and_end_at_the_count() {
    let metrics = FetchMetrics::new();
    for millis in [
        1, 60, 120, 260, 700, 2000, 3000, 7000, 20_000, 60_000, 60_000,
    ] {
        metrics.record_fetch(FetchOutcome::Ok, Duration::from_millis(millis), 0);
    }
    let samples = check(&metrics.render(&[]));
    let buckets: Vec<(f64, f64)> = samples
        .iter()
        .filter(|s| s.name == "syndic_fetch_duration_seconds_bucket")
        .map(|s| {
            let le = &s.labels.iter().find(|(k, _)| k == "le").expect("le").1;
            (parse_value(le), s.value)
        })
        .collect();
    let bounds: Vec<f64> = buckets.iter().map(|(le, _)| *le).collect();
    let mut expected = DURATION_BUCKETS.to_vec();
    expected.push(f64::INFINITY);
    assert_eq!(bounds, expected);
    assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{buckets:?}");
    let counts: Vec<f64> = buckets.iter().map(|(_, c)| *c).collect();
    assert_eq!(counts, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 11.0]);
    assert_eq!(
        value(&samples, "syndic_fetch_duration_seconds_count", None),
        11.0
    );
}

#[test]
fn counters_add_up_under_concurrent_increments() {
    let metrics = Arc::new(FetchMetrics::new());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let metrics = Arc::clone(&metrics);
            std::thread::spawn(move || {
                for i in 0..1000u64 {
                    let outcome = FetchOutcome::ALL[(t + i as usize) % FetchOutcome::ALL.len()];
                    metrics.record_fetch(outcome, Duration::from_millis(i % 200), 3);
                    metrics.record_posts(2, 1);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a recording thread panicked");
    }
    let samples = check(&metrics.render(&[]));
    let total: f64 = FetchOutcome::ALL
        .iter()
        .map(|o| {
            value(
                &samples,
                "syndic_fetches_total",
                Some(("outcome", o.as_str())),
            )
        })
        .sum();
    assert_eq!(total, 8000.0);
    for outcome in FetchOutcome::ALL {
        assert_eq!(metrics.fetches(outcome), 1000);
    }
    assert_eq!(
        value(&samples, "syndic_fetch_duration_seconds_count", None),
        8000.0
    );
    assert_eq!(value(&samples, "syndic_fetch_bytes_total", None), 24_000.0);
    assert_eq!(value(&samples, "syndic_posts_new_total", None), 16_000.0);
    assert_eq!(value(&samples, "syndic_posts_updated_total", None), 8000.0);
}

#[test]
fn the_scheduler_lag_is_a_float_gauge() {
    let metrics = FetchMetrics::new();
    metrics.set_scheduler_lag(0.25);
    assert_eq!(metrics.scheduler_lag(), 0.25);
    assert!(
        metrics
            .render(&[])
            .contains("\nsyndic_scheduler_lag_seconds 0.25\n")
    );
    metrics.set_scheduler_lag(f64::INFINITY);
    assert!(
        metrics
            .render(&[])
            .contains("\nsyndic_scheduler_lag_seconds +Inf\n")
    );
}

#[test]
fn tag_counts_name_each_tag_escaped_and_count_untagged_posts() {
    let text = render_tagging(&[("map", 3), ("say \"hi\"", 1)], 7);
    assert!(text.contains("# TYPE syndic_tag_posts gauge\n"), "{text}");
    assert!(
        text.contains("\nsyndic_tag_posts{tag=\"map\"} 3\n"),
        "{text}"
    );
    assert!(
        text.contains("\nsyndic_tag_posts{tag=\"say \\\"hi\\\"\"} 1\n"),
        "{text}"
    );
    assert!(text.ends_with("\nsyndic_untagged_posts 7\n"), "{text}");
}
