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

/// The fingerprint as first written (a string per word, each shingle hashed word by word):
/// stored fingerprints must keep their bits however the computation is sped up.
fn fingerprint_as_first_written(title: &str, text: &str) -> Option<Fingerprint> {
    let words: Vec<String> = [title, text]
        .iter()
        .flat_map(|part| part.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.len() < MIN_WORDS {
        return None;
    }
    let mut votes = [0_i32; 64];
    for shingle in words.windows(SHINGLE) {
        let mut hash = FNV_OFFSET;
        for word in shingle {
            hash = fnv1a_from(hash, word.as_bytes());
            hash = fnv1a_from(hash, b" ");
        }
        let hash = mix(hash);
        for (bit, vote) in votes.iter_mut().enumerate() {
            *vote += if hash >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    let bits = (0..64)
        .filter(|bit| votes[*bit] > 0)
        .fold(0, |b, bit| b | 1 << bit);
    Some(Fingerprint(bits))
}

#[test]
fn fingerprints_keep_the_bits_they_were_stored_with() {
    let rows = [
        (
            "Kelp",
            "Kelp forests grow along cold coasts where the water is rich in nutrients.",
        ),
        (
            "ΟΔΥΣΣΕΥΣ",
            "ΤΑ ΝΗΣΙΆ ΤΟΥ ΑΙΓΑΊΟΥ ΚΑΙ ΟΙ ΘΆΛΑΣΣΕΣ ΤΟΥΣ, ΟΙ ΔΡΌΜΟΙ ΤΩΝ ΠΛΟΊΩΝ ΚΑΙ ΤΑ ΛΙΜΆΝΙΑ ΤΟΥΣ",
        ),
        (
            "Straße",
            "Die STRASSE führt über 12 Brücken; İstanbul'da ÇAY içtik, 4.5 km weiter gab es Kaffee.",
        ),
        (
            "",
            "one two three four five six seven eight nine ten eleven",
        ),
        (
            "",
            "one two three four five six seven eight nine ten eleven twelve",
        ),
        (
            "Mixed",
            "ÆGIR and ǅemal wrote 日本語のテキスト with a few more English words after it",
        ),
    ];
    for (title, text) in rows {
        assert_eq!(
            Fingerprint::of(title, text),
            fingerprint_as_first_written(title, text),
            "{title}: {text}"
        );
    }
    assert!(Fingerprint::of(rows[0].0, rows[0].1).is_some());
}

#[test]
fn long_texts_keep_their_bits_past_the_counters_flush() {
    // Thousands of shingles (counters flushed every 255), few distinct words (many ties
    // and repeated hashes) and varied lengths.
    let words = [
        "kelp", "tide", "reef", "sea", "Ørsted", "coast", "42", "wave",
    ];
    for length in [12, 254, 255, 256, 257, 511, 600, 2_000, 5_000] {
        let text: Vec<&str> = (0..length)
            .map(|n: usize| words[(n * 7 + n / 3) % words.len()])
            .collect();
        let text = text.join(" ");
        assert_eq!(
            Fingerprint::of("Title", &text),
            fingerprint_as_first_written("Title", &text),
            "{length} words"
        );
    }
}
