//! Double-encoded UTF-8 ("mojibake"): text that was UTF-8, was read as Latin-1 or
//! Windows-1252 somewhere upstream, and was encoded as UTF-8 again, so that `Café`
//! arrives as `CafÃ©` and `“` as `â€œ`. feedparser repairs such values (when they
//! re-encode as Latin-1); so do we, a little more widely (Windows-1252 too, so that the
//! curly quotes and Cyrillic it mangles come back) and conservatively: a text value is
//! repaired only when *every* character re-encodes to one byte, the bytes are valid UTF-8,
//! the result has fewer non-ASCII characters and holds only characters XML allows. A
//! value mixing correct accents with mojibake is left alone.

use super::decode::WINDOWS_1252_HIGH;
use super::reader::is_xml_char;

/// The repaired text, or `None` when `text` is not (wholly) double-encoded UTF-8.
pub(crate) fn repair(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let mut bytes = Vec::with_capacity(text.len());
    // Continuation bytes still expected: correct Latin text (`é` then a letter) is
    // given up on at its first accent, without building the rest.
    let mut need = 0u8;
    for c in text.chars() {
        let b = single_byte(c)?;
        need = match (need, b) {
            (0, 0x00..=0x7F) => 0,
            (0, 0xC2..=0xDF) => 1,
            (0, 0xE0..=0xEF) => 2,
            (0, 0xF0..=0xF4) => 3,
            (n, 0x80..=0xBF) if n > 0 => n - 1,
            _ => return None,
        };
        bytes.push(b);
    }
    let fixed = String::from_utf8(bytes).ok()?;
    let non_ascii = |s: &str| s.chars().filter(|c| !c.is_ascii()).count();
    let unusual = fixed.chars().filter(|&c| !common(c)).count();
    (fixed.chars().all(is_xml_char) && non_ascii(&fixed) < non_ascii(text) && unusual != 1)
        .then_some(fixed)
}

/// Whether `c` is a character that mojibake commonly stands for: ASCII, Latin, Greek,
/// Cyrillic, Hebrew, Arabic (two UTF-8 bytes), Vietnamese, or punctuation, currency and
/// symbols (U+2000–U+2BFF: curly quotes, dashes, `€`, `™`, `₹`). A lone character outside
/// these (one CJK ideograph in Latin text) is far more likely to be Latin-1 text that
/// happens to form a UTF-8 sequence (`é`, NBSP, `…` are the bytes of `項`) than a
/// repair; two or more are taken as text in that script.
fn common(c: char) -> bool {
    matches!(c, '\0'..='\u{07FF}' | '\u{1E00}'..='\u{1EFF}' | '\u{2000}'..='\u{2BFF}')
}

/// The Windows-1252 byte of `c`; the C1 controls U+0080–U+009F (which a Latin-1 reading
/// produces) stand for their own byte.
fn single_byte(c: char) -> Option<u8> {
    if let Ok(b) = u8::try_from(u32::from(c)) {
        return Some(b);
    }
    let at = WINDOWS_1252_HIGH.iter().position(|&h| h == c)?;
    u8::try_from(0x80 + at).ok()
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn latin1_mojibake_is_repaired() {
        assert_eq!(repair("CafÃ© crÃ¨me").as_deref(), Some("Café crème"));
        assert_eq!(repair("Â«BonjourÂ»").as_deref(), Some("«Bonjour»"));
    }

    #[test]
    fn windows_1252_mojibake_is_repaired() {
        // Curly quotes: E2 80 9C read as Windows-1252.
        assert_eq!(repair("â€œquotedâ€\u{9d}").as_deref(), Some("“quoted”"));
        // Cyrillic: D0 92 read as Windows-1252 is "Ð’".
        assert_eq!(repair("Ð’ ÐœÐ¾Ñ\u{81}ÐºÐ²Ðµ").as_deref(), Some("В Москве"));
    }

    #[test]
    fn correct_text_is_left_alone() {
        for text in [
            "plain ascii",
            "Café crème",
            "naïve façade",
            "В Москве",
            "日本語",
            "¿Qué?",
            // Mixed: one correct accent, one mojibake: not wholly double-encoded.
            "é and Ã©",
        ] {
            assert_eq!(repair(text), None, "{text}");
        }
    }

    #[test]
    fn a_lone_unusual_character_is_not_a_repair() {
        // "é", NBSP, "…" are the Windows-1252 bytes E9 A0 85, the UTF-8 of U+9805.
        assert_eq!(repair("caf\u{e9}\u{a0}\u{2026}"), None);
        // Two or more are text in that script: "日本" double-encoded.
        assert_eq!(repair("æ—¥æœ¬").as_deref(), Some("日本"));
    }

    #[test]
    fn repair_never_yields_characters_xml_forbids() {
        // EF BF BE is U+FFFE.
        assert_eq!(repair("ï¿¾"), None);
    }
}
