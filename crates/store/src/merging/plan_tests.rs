use super::*;

const DAY: i64 = 24 * 3600;

fn entry(guid: &str, links: &[(i64, bool)], fingerprint: Option<u64>, published: i64) -> EntryKeys {
    EntryKeys {
        origin: None,
        guid: guid.to_owned(),
        links: links.to_vec(),
        fingerprint: fingerprint.map(Fingerprint),
        published,
    }
}

fn open_post(priority: i64) -> CandidatePost {
    CandidatePost {
        priority,
        ..CandidatePost::default()
    }
}

#[test]
fn an_entry_with_a_stored_link_merges_into_that_post() {
    let found = Candidates {
        links: vec![LinkRow {
            link_hash: 7,
            post: 1,
            original: false,
        }],
        posts: HashMap::from([(1, open_post(0))]),
        ..Candidates::default()
    };
    let merges = decide(&[&entry("a", &[(7, false)], None, 0)], &found, 0);
    assert_eq!(
        merges,
        vec![Merge::Into {
            post: 1,
            why: MergeReason::Link,
            credit: false
        }]
    );
    // Through an origLink, it is the original link that matched.
    let merges = decide(&[&entry("a", &[(9, false), (7, true)], None, 0)], &found, 0);
    assert!(matches!(
        merges[0],
        Merge::Into {
            why: MergeReason::OriginalLink,
            ..
        }
    ));
}

#[test]
fn a_post_this_source_already_carries_or_split_from_is_not_merged_into() {
    let links = vec![LinkRow {
        link_hash: 7,
        post: 1,
        original: false,
    }];
    for post in [
        CandidatePost {
            has_copy: true,
            ..CandidatePost::default()
        },
        CandidatePost {
            vetoed: true,
            ..CandidatePost::default()
        },
    ] {
        let found = Candidates {
            links: links.clone(),
            posts: HashMap::from([(1, post.clone())]),
            ..Candidates::default()
        };
        let merges = decide(&[&entry("a", &[(7, false)], None, 0)], &found, 0);
        assert_eq!(merges, vec![Merge::Insert], "{post:?}");
    }
}

#[test]
fn a_known_copy_stays_a_copy() {
    let found = Candidates {
        copies: HashMap::from([("a".to_owned(), 4)]),
        ..Candidates::default()
    };
    assert_eq!(
        decide(&[&entry("a", &[], None, 0)], &found, 0),
        vec![Merge::Copy { post: 4 }]
    );
}

#[test]
fn near_fingerprints_within_the_window_merge_with_the_nearest() {
    let found = Candidates {
        bands: vec![
            BandRow {
                post: 1,
                fingerprint: Fingerprint(0b1110),
                published: 0,
            },
            BandRow {
                post: 2,
                fingerprint: Fingerprint(0b0010),
                published: 3 * DAY,
            },
            BandRow {
                post: 3,
                fingerprint: Fingerprint(0),
                published: 30 * DAY,
            },
        ],
        posts: HashMap::from([(1, open_post(0)), (2, open_post(0)), (3, open_post(0))]),
        ..Candidates::default()
    };
    let merges = decide(&[&entry("a", &[], Some(0), DAY)], &found, 0);
    assert_eq!(
        merges,
        vec![Merge::Into {
            post: 2,
            why: MergeReason::Fingerprint { distance: 1 },
            credit: false
        }]
    );
    // Too far apart in bits, or in time: a new post.
    let far = entry("b", &[], Some(u64::MAX), DAY);
    let late = entry("c", &[], Some(0), 60 * DAY);
    assert_eq!(decide(&[&far, &late], &found, 0), vec![Merge::Insert; 2]);
}

#[test]
fn one_post_takes_one_entry_of_a_batch_and_priority_moves_the_credit() {
    let found = Candidates {
        links: vec![LinkRow {
            link_hash: 7,
            post: 1,
            original: false,
        }],
        posts: HashMap::from([(1, open_post(2))]),
        ..Candidates::default()
    };
    let (a, b) = (
        entry("a", &[(7, false)], None, 0),
        entry("b", &[(7, false)], None, 0),
    );
    let twice = [&a, &b];
    let merges = decide(&twice, &found, 5);
    assert_eq!(
        merges,
        vec![
            Merge::Into {
                post: 1,
                why: MergeReason::Link,
                credit: true
            },
            Merge::Insert
        ]
    );
    assert!(matches!(
        decide(&twice[..1], &found, 2)[0],
        Merge::Into { credit: false, .. }
    ));
}

#[test]
fn an_aggregated_entry_merges_into_the_post_its_source_element_names() {
    let found = Candidates {
        origins: HashMap::from([(("https://blog.example/feed".to_owned(), "g1".to_owned()), 4)]),
        posts: HashMap::from([(4, open_post(0))]),
        ..Candidates::default()
    };
    let aggregated = EntryKeys {
        origin: Some("https://blog.example/feed".to_owned()),
        ..entry("g1", &[(99, false)], None, 0)
    };
    assert_eq!(
        decide(&[&aggregated], &found, 0),
        vec![Merge::Into {
            post: 4,
            why: MergeReason::Origin,
            credit: false
        }]
    );
    // Another guid from the same feed, or the same guid without a <source>, is new.
    let other = EntryKeys {
        origin: Some("https://blog.example/feed".to_owned()),
        ..entry("g2", &[(99, false)], None, 0)
    };
    let plain = entry("g1", &[(99, false)], None, 0);
    assert_eq!(
        decide(&[&other, &plain], &found, 0),
        vec![Merge::Insert, Merge::Insert]
    );
}
