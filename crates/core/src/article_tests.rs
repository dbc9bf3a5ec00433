use super::*;

#[test]
fn links_to_the_same_page_share_a_key() {
    let key = link_key("https://blog.example/2024/kelp/");
    for same in [
        "http://blog.example/2024/kelp",
        "https://www.Blog.Example/2024/kelp/#comments",
        "https://blog.example:443/2024/kelp",
        "  https://blog.example/2024/kelp/  ",
        "https://blog.example/2024/kelp/?utm_source=rss&utm_medium=feed",
        "https://blog.example/2024/kelp?fbclid=x1&GCLID=2&mc_cid=3&mc_eid=4",
    ] {
        assert_eq!(link_key(same), key, "{same}");
    }
}

#[test]
fn the_remaining_query_is_sorted() {
    assert_eq!(
        link_key("https://a.example/p?b=2&utm_campaign=x&a=1"),
        link_key("https://a.example/p?a=1&b=2")
    );
    assert_eq!(
        link_key("https://a.example/p?b=2&a=1").as_deref(),
        Some("a.example/p?a=1&b=2")
    );
}

#[test]
fn links_to_other_pages_keep_apart() {
    let key = link_key("https://blog.example/2024/kelp");
    for other in [
        "https://blog.example/2024/kelp-2",
        "https://blog.example/2024/kelp?page=2",
        "https://other.example/2024/kelp",
        "https://blog.example:8443/2024/kelp",
    ] {
        assert_ne!(link_key(other), key, "{other}");
    }
    assert_eq!(link_key("   "), None);
    assert_eq!(link_key("not a url").as_deref(), Some("not a url"));
}

#[test]
fn link_hashes_are_stable() {
    // Stored in the database: these values must never change.
    assert_eq!(link_hash(""), link_hash(""));
    assert_ne!(link_hash("a.example/p"), link_hash("a.example/q"));
    assert_eq!(link_hash("a.example/p"), -5_529_359_736_105_477_897);
}

const TEXT: &str = "Kelp forests grow along cold coasts, where the water is rich in \
    nutrients. A single frond can add half a metre in a day, and the canopy shelters \
    fish, urchins and sea otters. Warming seas have thinned many forests since the 1970s.";

#[test]
fn a_copy_with_a_footer_is_a_few_bits_away() {
    let original = Fingerprint::of("Kelp forests", TEXT).expect("enough words");
    let copy = Fingerprint::of(
        "Kelp forests",
        &format!("{TEXT} The post Kelp forests appeared first on Sea Notes."),
    )
    .expect("enough words");
    assert!(original.distance(copy) <= 10, "{}", original.distance(copy));
    assert_eq!(original.distance(original), 0);
}

#[test]
fn different_posts_with_one_title_are_far_apart() {
    let one = Fingerprint::of("Weekly links", TEXT).expect("enough words");
    let other = Fingerprint::of(
        "Weekly links",
        "This week: a new compiler release, a talk on database indexes, three essays \
         about writing tests, and a long thread on keyboard layouts for programmers.",
    )
    .expect("enough words");
    assert!(one.distance(other) > 16, "{}", one.distance(other));
}

#[test]
fn short_posts_have_no_fingerprint() {
    assert_eq!(Fingerprint::of("Hi", "Just a photo today."), None);
}

#[test]
fn fingerprints_within_the_banded_distance_share_a_band() {
    let one = Fingerprint(0x0123_4567_89ab_cdef);
    for flipped in [
        0b111_u64,
        1 | 1 << 17 | 1 << 40,
        1 << 15 | 1 << 31 | 1 << 47,
    ] {
        let other = Fingerprint(one.0 ^ flipped);
        assert!(one.distance(other) <= MAX_BANDED_DISTANCE);
        let shared = one
            .bands()
            .iter()
            .filter(|b| other.bands().contains(b))
            .count();
        assert!(shared >= 1, "{flipped:#x}");
    }
    assert_eq!(Fingerprint::from_stored(one.as_stored()), one);
    assert_eq!(Fingerprint::from_stored(-1).0, u64::MAX);
}
