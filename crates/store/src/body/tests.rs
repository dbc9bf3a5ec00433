//! The body layout: round trips, formats, damaged blobs.

use super::*;

#[test]
fn text_and_html_come_back_as_they_went_in() {
    let long_text = "Kelp grows up to half a metre a day. ".repeat(200);
    let long_html = format!("<p>{long_text}</p>");
    let rows: &[(&str, &str)] = &[
        ("", ""),
        ("a", "<p>a</p>"),
        ("café 東京 \u{1f980}", "<p>café 東京 \u{1f980}</p>"),
        (&long_text, &long_html),
        (&long_text, ""),
    ];
    for (text, html) in rows {
        let blob = encode(text, html);
        assert_eq!(
            decode(&blob, 1).expect("decode"),
            (text.to_string(), html.to_string())
        );
        assert_eq!(decode_text(&blob, 1).expect("text"), *text);
    }
}

#[test]
fn long_bodies_are_compressed_and_tiny_ones_stored_plain() {
    let text = "Kelp grows up to half a metre a day. ".repeat(200);
    let blob = encode(&text, &format!("<p>{text}</p>"));
    assert_eq!(blob[0], ZSTD);
    assert!(blob.len() * 10 < text.len(), "{} bytes", blob.len());
    let tiny = encode("hi", "<p>hi</p>");
    assert_eq!(tiny[0], PLAIN);
    assert_eq!(tiny.len(), 1 + 1 + 2 + 9);
}

#[test]
fn the_column_default_is_an_empty_post() {
    assert_eq!(
        decode(&[0, 0], 7).expect("empty"),
        (String::new(), String::new())
    );
    assert_eq!(encode("", ""), [0, 0]);
}

#[test]
fn damaged_bodies_are_corrupt_errors_naming_the_post() {
    let good = encode(&"word ".repeat(100), "<p>html</p>");
    // The text can still be read from the first half of a frame; the whole body not.
    let half = &good[..good.len() / 2];
    let frame_head = &good[..6];
    let mut unknown = good.clone();
    unknown[0] = 9;
    let long_length = [PLAIN, 0x80 | 5, 1, b'a'];
    let bad_utf8 = [PLAIN, 2, 0xff, 0xfe];
    for blob in [&[][..], frame_head, &unknown, &long_length, &bad_utf8] {
        let err = decode(blob, 42).expect_err("corrupt");
        assert!(err.to_string().contains("post 42"), "{err}");
        let err = decode_text(blob, 42).expect_err("corrupt");
        assert!(err.to_string().contains("post 42"), "{err}");
    }
    assert!(decode(half, 42).is_err());
}

#[test]
fn bodies_made_with_a_dictionary_come_back_and_name_it() {
    let text = "Kelp grows up to half a metre a day, in cold water. ".repeat(20);
    let html = format!("<p>{text}</p>");
    let dictionary = dictionary::register(
        format!("<p>Kelp grows up to half a metre a day, in cold water.</p> {text}").as_bytes(),
    );
    let blob = encode_with(&text, &html, Some(dictionary));
    assert_eq!(blob[0], ZSTD_DICTIONARY);
    assert_eq!(dictionary_id(&blob), Some(dictionary.id));
    assert!(blob.len() < encode(&text, &html).len());
    assert_eq!(
        decode(&blob, 1).expect("decode"),
        (text.clone(), html.clone())
    );
    assert_eq!(decode_text(&blob, 1).expect("text"), text);
    // Tiny posts stay plain, dictionary or not.
    assert_eq!(encode_with("hi", "<p>hi</p>", Some(dictionary))[0], PLAIN);
    assert_eq!(dictionary_id(&encode(&text, &html)), None);
}

#[test]
fn a_body_naming_an_unknown_dictionary_is_a_corrupt_error() {
    let mut blob = vec![ZSTD_DICTIONARY];
    blob.extend_from_slice(&0x5eed_i64.to_le_bytes());
    blob.extend_from_slice(&[0x28, 0xb5, 0x2f, 0xfd]);
    for err in [
        decode(&blob, 42).expect_err("unknown"),
        decode_text(&blob, 42).expect_err("unknown"),
    ] {
        assert!(err.to_string().contains("post 42"), "{err}");
        assert!(err.to_string().contains("dictionary"), "{err}");
    }
    assert!(
        decode(&[ZSTD_DICTIONARY, 1, 2], 42).is_err(),
        "no room for an id"
    );
}

#[test]
fn lengths_round_trip_through_leb128() {
    for value in [
        0,
        1,
        127,
        128,
        300,
        16_383,
        16_384,
        u64::from(u32::MAX),
        u64::MAX,
    ] {
        let mut bytes = Vec::new();
        push_length(&mut bytes, value);
        bytes.push(0xaa);
        assert_eq!(read_length(&bytes), Some((value, bytes.len() - 1)));
    }
    assert_eq!(read_length(&[0x80]), None);
}

#[test]
fn texts_read_one_after_another_share_nothing() {
    // One thread's decompression context serves every text: a read that stopped before
    // its frame's end (the HTML left undecoded) or at a damaged frame leaves nothing
    // behind for the next one.
    let bodies: Vec<(String, Vec<u8>)> = ["kelp ", "otter ", "urchin "]
        .iter()
        .map(|word| {
            let text = word.repeat(300);
            let blob = encode(&text, &format!("<p>{}</p>", word.repeat(900)));
            (text, blob)
        })
        .collect();
    for (text, blob) in bodies.iter().chain(bodies.iter().rev()) {
        assert_eq!(blob[0], ZSTD);
        assert!(decode_text(&blob[..6], 3).is_err());
        assert_eq!(decode_text(blob, 3).expect("text"), *text);
    }
}

#[test]
fn bodies_with_and_without_dictionaries_read_in_turn_on_one_thread() {
    // The thread's one decompression context serves every read, whole bodies and texts:
    // each takes the dictionary its body names, or none, whatever the read before left.
    let text = |word: &str| format!("{word} grows up to half a metre a day. ").repeat(40);
    let kelp = dictionary::register(text("kelp").as_bytes());
    let otter = dictionary::register(text("otter").as_bytes());
    let bodies = [
        (
            text("kelp"),
            encode_with(&text("kelp"), "<p>kelp</p>", Some(kelp)),
        ),
        (text("otter"), encode(&text("otter"), "<p>otter</p>")),
        (
            text("otter"),
            encode_with(&text("otter"), "<p>otter</p>", Some(otter)),
        ),
        (
            text("kelp"),
            encode_with(&text("kelp"), "<p>kelp</p>", Some(otter)),
        ),
    ];
    for (expected, blob) in bodies.iter().chain(bodies.iter().rev()) {
        assert!(
            decode_text(&blob[..blob.len() - 4], 5).is_err(),
            "a damaged frame"
        );
        assert_eq!(decode_text(blob, 5).expect("text"), *expected);
        assert_eq!(decode(blob, 5).expect("body").0, *expected);
        assert!(
            decode(&blob[..blob.len() - 4], 5).is_err(),
            "a damaged frame"
        );
    }
}
