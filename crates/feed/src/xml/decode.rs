//! Bytes → text.
//!
//! Which encoding, in the order of RFC 7303 §3: a byte-order mark wins; then the HTTP
//! `charset`; then the XML declaration's `encoding`; then UTF-8. Before the HTTP charset
//! and the declaration are believed, the first bytes are looked at: `<\0?\0` and friends
//! are UTF-16 or UTF-32 whatever anyone says, and a document that claims UTF-16/32 but
//! starts with ASCII markup is not. Legacy encodings go through `encoding_rs`; UTF-32 is
//! decoded here (`encoding_rs` does not have it), and so are the DOS, old Mac and EBCDIC
//! code pages of `codepages.rs` (EBCDIC is recognised by `<?xm` in EBCDIC). Documents that lie:
//! - UTF-8 (declared, or nothing declared) that is not valid UTF-8: valid sequences are
//!   kept and every other byte is read as Windows-1252 (the usual culprit, a superset of
//!   Latin-1). A document with no valid multi-byte sequence is reported as `windows-1252`.
//! - a Latin-1/Windows-1252 label on bytes that are valid UTF-8 with non-ASCII text:
//!   read as UTF-8 (following the label would turn every accent into mojibake), and
//!   reported under the label, as feedparser reports it.
//! - UTF-8 (declared, or nothing declared, no BOM) that is not UTF-8 at all (more invalid
//!   bytes than valid non-ASCII characters): the encoding is guessed with `chardetng`
//!   (Shift_JIS, GBK, EUC-KR, windows-1251, …); a Windows-1252 guess keeps the byte-wise
//!   fallback above.
//! - UTF-7 is never decoded (its `+ADw-` would turn into markup): the bytes are read as
//!   UTF-8, so such sequences stay literal text.
//!
//! NUL and the other characters XML forbids are removed. Every such decision is a
//! warning.

use std::borrow::Cow;

use encoding_rs::Encoding;

use super::codepages::{self, CodePage};
use crate::FeedError;

/// A decoded document.
pub(crate) struct Decoded<'a> {
    pub(crate) text: Cow<'a, str>,
    /// Lower-case name of the encoding used.
    pub(crate) encoding: String,
    pub(crate) warnings: Vec<String>,
}

/// An encoding as named by a BOM, a label or the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// `utf-16` without a byte order.
    Utf16,
    Utf32Le,
    Utf32Be,
    Utf32,
    Utf7,
    Legacy(&'static Encoding),
    /// A DOS, old Mac or EBCDIC code page (not in `encoding_rs`).
    Table(&'static CodePage),
    /// A label nobody knows (or one that `encoding_rs` only maps to "replacement").
    Unknown,
}

impl Enc {
    fn is_wide(self) -> bool {
        matches!(
            self,
            Enc::Utf16Le | Enc::Utf16Be | Enc::Utf16 | Enc::Utf32Le | Enc::Utf32Be | Enc::Utf32
        )
    }

    /// Whether two names mean the same decoder (for warnings about disagreement).
    fn same(self, other: Enc) -> bool {
        let norm = |e: Enc| match e {
            Enc::Legacy(enc) if enc == encoding_rs::UTF_8 => Enc::Utf8,
            Enc::Legacy(enc) if enc == encoding_rs::UTF_16LE => Enc::Utf16Le,
            Enc::Legacy(enc) if enc == encoding_rs::UTF_16BE => Enc::Utf16Be,
            e => e,
        };
        let (a, b) = (norm(self), norm(other));
        a == b
            || (a == Enc::Utf16 && matches!(b, Enc::Utf16Le | Enc::Utf16Be))
            || (b == Enc::Utf16 && matches!(a, Enc::Utf16Le | Enc::Utf16Be))
            || (a == Enc::Utf32 && matches!(b, Enc::Utf32Le | Enc::Utf32Be))
            || (b == Enc::Utf32 && matches!(a, Enc::Utf32Le | Enc::Utf32Be))
    }
}

/// Labels `encoding_rs` does not know under these names (Python codec aliases that
/// feeds use), mapped to one it knows.
fn alias(l: &str) -> &str {
    match l {
        "ms-ansi" => "windows-1252",
        "ms-ee" => "windows-1250",
        "ms-cyrl" => "windows-1251",
        "ms-greek" => "windows-1253",
        "ms-turk" => "windows-1254",
        "ms-hebr" => "windows-1255",
        "ms-arab" => "windows-1256",
        "winbaltrim" => "windows-1257",
        "cp874" | "ms874" => "windows-874",
        "macroman" | "mac-roman" => "macintosh",
        "maccyrillic" | "mac-cyrillic" => "x-mac-cyrillic",
        "cp936" | "ms936" => "gbk",
        "cp932" | "ms932" | "sjis" | "shift-jis" => "shift_jis",
        "cp949" | "ms949" | "uhc" => "euc-kr",
        "cp950" | "ms950" | "big5hkscs" | "big5-hkscs" => "big5",
        // feedparser decodes GB2312 as its superset GB18030 (and reports that name).
        "gb2312" | "gb_2312-80" | "csgb2312" | "gb_2312" | "euc-cn" | "euccn" => "gb18030",
        _ => l,
    }
}

/// What a label names.
fn resolve(label: &str) -> Enc {
    let mut l = label.trim().to_ascii_lowercase();
    if Encoding::for_label(l.as_bytes()).is_none() {
        l = l.replace(['_', ' '], "-");
    }
    let l = alias(&l).to_owned();
    match l.as_str() {
        "utf-8" | "utf8" => Enc::Utf8,
        "utf-16" | "utf16" | "u16" | "ucs-2" | "ucs2" | "iso-10646-ucs-2" | "unicode"
        | "csunicode" => Enc::Utf16,
        "utf-16le" | "utf16le" => Enc::Utf16Le,
        "utf-16be" | "utf16be" => Enc::Utf16Be,
        "utf-32" | "utf32" | "u32" | "ucs-4" | "ucs4" | "iso-10646-ucs-4" | "csucs4" => Enc::Utf32,
        "utf-32le" | "utf32le" => Enc::Utf32Le,
        "utf-32be" | "utf32be" => Enc::Utf32Be,
        "utf-7" | "utf7" | "unicode-1-1-utf-7" | "csunicode11utf7" | "x-utf-7" => Enc::Utf7,
        _ => match Encoding::for_label(l.as_bytes()) {
            Some(enc) if enc == encoding_rs::REPLACEMENT => Enc::Unknown,
            Some(enc) if enc == encoding_rs::UTF_8 => Enc::Utf8,
            Some(enc) if enc == encoding_rs::UTF_16LE => Enc::Utf16Le,
            Some(enc) if enc == encoding_rs::UTF_16BE => Enc::Utf16Be,
            Some(enc) => Enc::Legacy(enc),
            None => codepages::for_label(&l)
                .or_else(|| codepages::for_label(&label.trim().to_ascii_lowercase()))
                .map_or(Enc::Unknown, Enc::Table),
        },
    }
}

/// The name reported for a legacy encoding: what the document said when `encoding_rs`
/// merges it into a superset decoder (`iso-8859-1` and `us-ascii` into windows-1252,
/// `gb2312` into GBK, …), else the decoder's name.
fn legacy_name(label: &str, enc: &'static Encoding) -> String {
    let l = label.trim().to_ascii_lowercase();
    let said = match l.as_str() {
        "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "iso88591" | "latin1" | "latin-1" | "l1"
        | "iso-ir-100" | "cp819" | "ibm819" | "csisolatin1" | "iso_8859-1:1987" => "iso-8859-1",
        "us-ascii" | "ascii" | "ansi_x3.4-1968" | "iso646-us" | "cp367" | "ibm367" | "csascii"
        | "us" => "us-ascii",
        "iso-8859-9" | "iso8859-9" | "latin5" | "l5" | "iso_8859-9" => "iso-8859-9",
        "iso-8859-11" | "iso8859-11" | "tis-620" => l.as_str(),
        _ => "",
    };
    if !said.is_empty() && Encoding::for_label(l.as_bytes()) == Some(enc) {
        said.to_owned()
    } else {
        enc.name().to_ascii_lowercase()
    }
}

/// The `charset` parameter of a `Content-Type`.
fn http_charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).trim())
            .filter(|v| !v.is_empty())
    })
}

/// A byte-order mark: the encoding and its length.
fn bom(bytes: &[u8]) -> Option<(Enc, usize)> {
    if bytes.starts_with(b"\xFF\xFE\0\0") {
        Some((Enc::Utf32Le, 4))
    } else if bytes.starts_with(b"\0\0\xFE\xFF") {
        Some((Enc::Utf32Be, 4))
    } else if bytes.starts_with(b"\xEF\xBB\xBF") {
        Some((Enc::Utf8, 3))
    } else if bytes.starts_with(b"\xFF\xFE") {
        Some((Enc::Utf16Le, 2))
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some((Enc::Utf16Be, 2))
    } else {
        None
    }
}

/// UTF-16/32 without a BOM, recognised by ASCII characters interleaved with NULs
/// (`<\0?\0`, `\0<\0?`, `<\0\0\0`, …).
fn sniff_wide(bytes: &[u8]) -> Option<Enc> {
    let [a, b, c, d, ..] = *bytes else {
        return None;
    };
    let ascii = |x: u8| x != 0 && x < 0x80;
    match (a, b, c, d) {
        (0, 0, 0, x) if ascii(x) => Some(Enc::Utf32Be),
        (x, 0, 0, 0) if ascii(x) => Some(Enc::Utf32Le),
        (0, x, 0, y) if ascii(x) && ascii(y) => Some(Enc::Utf16Be),
        (x, 0, y, 0) if ascii(x) && ascii(y) => Some(Enc::Utf16Le),
        _ => None,
    }
}

/// The ASCII characters of the start of a document in `enc` (every 2nd or 4th byte of a
/// wide encoding), enough to read the XML declaration.
fn ascii_head(bytes: &[u8], enc: Enc) -> Vec<u8> {
    let head = &bytes[..bytes.len().min(2048)];
    let (step, at) = match enc {
        Enc::Utf16Le | Enc::Utf16 => (2, 0),
        Enc::Utf16Be => (2, 1),
        Enc::Utf32Le | Enc::Utf32 => (4, 0),
        Enc::Utf32Be => (4, 3),
        _ => (1, 0),
    };
    head.iter().skip(at).step_by(step).copied().collect()
}

/// The `encoding` of the XML declaration, looked for near the start (whitespace or a
/// little garbage before it is tolerated).
fn declared(head: &[u8]) -> Option<String> {
    let window = &head[..head.len().min(1024)];
    let start = memchr::memmem::find(window, b"<?xml")?;
    let rest = &window[start + 5..];
    let end = memchr::memmem::find(rest, b"?>").unwrap_or(rest.len());
    let decl = std::str::from_utf8(&rest[..end]).ok()?;
    crate::sniff::attribute(decl, "encoding").filter(|e| !e.trim().is_empty())
}

/// Decodes `bytes`, served with the HTTP `content_type` when known.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
) -> Result<Decoded<'a>, FeedError> {
    let mut warnings = Vec::new();
    if let Some(ct) = content_type {
        let mime = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let xmlish = mime.contains("xml")
            || mime.starts_with("application/rss")
            || mime.starts_with("application/atom")
            || mime.starts_with("application/rdf");
        if !mime.is_empty() && !xmlish {
            warnings.push(format!(
                "the document was served as {mime:?}, which is not an XML media type"
            ));
        }
    }
    let http_label = content_type.and_then(http_charset);
    let http = http_label.map(resolve);
    let bom = bom(bytes);
    let body = &bytes[bom.map_or(0, |(_, len)| len)..];
    let ebcdic = bom.is_none() && body.starts_with(b"\x4C\x6F\xA7\x94");
    let sniffed = if bom.is_none() {
        sniff_wide(body)
    } else {
        None
    };
    let shape = bom.map(|(enc, _)| enc).or(sniffed);
    let decl_label = if ebcdic {
        let table = codepages::ebcdic_default();
        let head: Vec<u8> = body
            .iter()
            .take(1024)
            .map(|&b| u8::try_from(u32::from(table.char(b))).unwrap_or(b'?'))
            .collect();
        declared(&head)
    } else {
        declared(&ascii_head(body, shape.unwrap_or(Enc::Utf8)))
    };
    let decl = decl_label.as_deref().map(resolve);

    // (encoding, the label it came from)
    let (enc, label): (Enc, Option<&str>) = if let Some((enc, _)) = bom {
        for (other, what) in [(http, "the HTTP charset"), (decl, "the XML declaration")] {
            if let Some(other) = other
                && !other.same(enc)
            {
                warnings.push(format!(
                    "{what} names another encoding than the byte-order mark; the byte-order \
                     mark ({}) was followed",
                    wide_name(enc)
                ));
            }
        }
        (enc, None)
    } else if ebcdic {
        match decl {
            Some(Enc::Table(table)) if table.ebcdic => (Enc::Table(table), None),
            _ => (Enc::Table(codepages::ebcdic_default()), None),
        }
    } else if let Some(enc) = sniffed {
        if let Some(other) = http.or(decl)
            && !other.same(enc)
        {
            warnings.push(format!(
                "the document is {} (by its first bytes) although it is labelled otherwise",
                wide_name(enc)
            ));
        }
        (enc, None)
    } else {
        let mut chosen = None;
        if let (Some(h), Some(label)) = (http, http_label) {
            if h.is_wide() {
                warnings.push(format!(
                    "the HTTP charset says {label:?} but the document is not UTF-16/32; ignored"
                ));
            } else {
                if let (Some(d), Some(dl)) = (decl, decl_label.as_deref())
                    && !d.same(h)
                {
                    warnings.push(format!(
                        "the HTTP charset {label:?} and the XML declaration {dl:?} disagree; \
                         the HTTP charset was followed"
                    ));
                }
                chosen = Some((h, Some(label)));
            }
        }
        if chosen.is_none()
            && let (Some(d), Some(label)) = (decl, decl_label.as_deref())
        {
            if d.is_wide() {
                warnings.push(format!(
                    "the document declares {label:?} but is not UTF-16/32; read as UTF-8"
                ));
            } else {
                chosen = Some((d, Some(label)));
            }
        }
        chosen.unwrap_or((Enc::Utf8, None))
    };

    let (text, encoding) = match enc {
        Enc::Utf8 if bom.is_none() => match guess_legacy(body) {
            Some(guess) => {
                let said = match label {
                    Some(l) => format!("is labelled {l:?} but is not valid UTF-8"),
                    None => "declares no encoding and is not valid UTF-8".to_owned(),
                };
                warnings.push(format!(
                    "the document {said}; its bytes look like {}, which was used (a guess)",
                    guess.name()
                ));
                let (text, errors) = guess.decode_without_bom_handling(body);
                if errors {
                    warnings.push(format!(
                        "some bytes are not valid {}; they were replaced",
                        guess.name()
                    ));
                }
                (text, guess.name().to_ascii_lowercase())
            }
            None => utf8(body, &mut warnings),
        },
        Enc::Utf8 => utf8(body, &mut warnings),
        Enc::Utf16Le | Enc::Utf16 => wide16(body, encoding_rs::UTF_16LE, &mut warnings),
        Enc::Utf16Be => wide16(body, encoding_rs::UTF_16BE, &mut warnings),
        Enc::Utf32Le | Enc::Utf32 => utf32(body, false, &mut warnings),
        Enc::Utf32Be => utf32(body, true, &mut warnings),
        Enc::Utf7 => {
            warnings.push(
                "the document declares UTF-7, which is not decoded (it can hide markup); its \
                 bytes were read as UTF-8"
                    .to_owned(),
            );
            utf8(body, &mut warnings)
        }
        Enc::Unknown => {
            warnings.push(format!(
                "unknown or unsupported encoding {:?}; read as UTF-8",
                label.unwrap_or_default()
            ));
            utf8(body, &mut warnings)
        }
        Enc::Table(table) => {
            let text: String = body.iter().map(|&b| table.char(b)).collect();
            if text.contains('\u{FFFD}') {
                warnings.push(format!(
                    "some bytes are not defined in {}; they were replaced",
                    table.name
                ));
            }
            (Cow::Owned(text), table.name.to_owned())
        }
        Enc::Legacy(legacy) => {
            let label = label.unwrap_or_default();
            let latin = legacy == encoding_rs::WINDOWS_1252;
            match std::str::from_utf8(body) {
                Ok(text) if latin && !text.is_ascii() => {
                    warnings.push(format!(
                        "the document is labelled {label:?} but is valid UTF-8; read as UTF-8"
                    ));
                    // Reported under its label, as feedparser does.
                    (Cow::Borrowed(text), legacy_name(label, legacy))
                }
                _ => {
                    let (text, errors) = legacy.decode_without_bom_handling(body);
                    if errors {
                        warnings.push(format!(
                            "some bytes are not valid {}; they were replaced",
                            legacy.name()
                        ));
                    }
                    (text, legacy_name(label, legacy))
                }
            }
        }
    };
    let text = clean(text, &mut warnings);
    Ok(Decoded {
        text,
        encoding,
        warnings,
    })
}

fn wide_name(enc: Enc) -> &'static str {
    match enc {
        Enc::Utf8 => "UTF-8",
        Enc::Utf16Le => "UTF-16LE",
        Enc::Utf16Be => "UTF-16BE",
        Enc::Utf32Le => "UTF-32LE",
        Enc::Utf32Be => "UTF-32BE",
        _ => "a Unicode encoding",
    }
}

/// Windows-1252 characters for the bytes 0x80–0x9F (the rest are Latin-1 code points).
pub(super) const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
];

/// For bytes read as UTF-8 (no BOM; UTF-8 declared or nothing declared) that are not
/// UTF-8 at all: the legacy encoding `chardetng` guesses, when that is not Windows-1252
/// (which [`utf8`] already falls back to byte by byte). `None` for valid UTF-8, and for
/// UTF-8 with a few stray bytes (no more invalid bytes than valid non-ASCII characters),
/// which is what a mis-pasted Latin-1 character in a UTF-8 feed looks like.
fn guess_legacy(body: &[u8]) -> Option<&'static Encoding> {
    if std::str::from_utf8(body).is_ok() {
        return None;
    }
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in body.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += chunk.invalid().len();
    }
    if invalid <= multibyte {
        return None;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(body, true);
    let guess = detector.guess(None, false);
    // Telling one single-byte code page from another takes text: with a few accented
    // bytes (`\xA3` is `£` in Windows-1252 and `Ł` in Windows-1250) Windows-1252, by far
    // the most common, stays the better bet.
    let evidence = body.iter().filter(|b| !b.is_ascii()).count();
    let enough = !guess.is_single_byte() || evidence >= MIN_SINGLE_BYTE_EVIDENCE;
    // ISO-2022-JP turns escape sequences into text; never decode a guess of it.
    (enough
        && guess != encoding_rs::WINDOWS_1252
        && guess != encoding_rs::UTF_8
        && guess != encoding_rs::ISO_2022_JP
        && guess != encoding_rs::REPLACEMENT)
        .then_some(guess)
}

/// Non-ASCII bytes needed before a single-byte code page other than Windows-1252 is
/// believed from a guess.
const MIN_SINGLE_BYTE_EVIDENCE: usize = 32;

/// UTF-8, with the Windows-1252 fallback for bytes that are not.
fn utf8<'a>(body: &'a [u8], warnings: &mut Vec<String>) -> (Cow<'a, str>, String) {
    if let Ok(text) = std::str::from_utf8(body) {
        return (Cow::Borrowed(text), "utf-8".to_owned());
    }
    let mut text = String::with_capacity(body.len() + body.len() / 8);
    let mut multibyte = false;
    for chunk in body.utf8_chunks() {
        let valid = chunk.valid();
        multibyte |= !valid.is_ascii();
        text.push_str(valid);
        for &byte in chunk.invalid() {
            text.push(match byte {
                0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(byte - 0x80)],
                _ => char::from(byte),
            });
        }
    }
    if multibyte {
        warnings.push(
            "the document is UTF-8 with some bytes that are not; those were read as \
             Windows-1252"
                .to_owned(),
        );
        (Cow::Owned(text), "utf-8".to_owned())
    } else {
        warnings.push(
            "the document is not valid UTF-8 and declares no other encoding (or wrongly \
             declares UTF-8); it was read as Windows-1252"
                .to_owned(),
        );
        (Cow::Owned(text), "windows-1252".to_owned())
    }
}

fn wide16<'a>(
    body: &'a [u8],
    enc: &'static Encoding,
    warnings: &mut Vec<String>,
) -> (Cow<'a, str>, String) {
    let (text, errors) = enc.decode_without_bom_handling(body);
    if errors {
        warnings.push(format!(
            "the document is not valid {}; the broken parts were replaced",
            enc.name()
        ));
    }
    (text, enc.name().to_ascii_lowercase())
}

fn utf32(body: &[u8], big_endian: bool, warnings: &mut Vec<String>) -> (Cow<'static, str>, String) {
    let mut text = String::with_capacity(body.len() / 4);
    let mut bad = 0usize;
    let chunks = body.chunks_exact(4);
    if !chunks.remainder().is_empty() {
        bad += 1;
    }
    for chunk in chunks {
        let quad = [chunk[0], chunk[1], chunk[2], chunk[3]];
        let n = if big_endian {
            u32::from_be_bytes(quad)
        } else {
            u32::from_le_bytes(quad)
        };
        match char::from_u32(n) {
            Some(c) => text.push(c),
            None => bad += 1,
        }
    }
    if bad > 0 {
        warnings.push(format!(
            "{} not valid UTF-32 and {} dropped",
            super::count(bad, "code unit is", "code units are"),
            super::were(bad)
        ));
    }
    let name = if big_endian { "utf-32be" } else { "utf-32le" };
    (Cow::Owned(text), name.to_owned())
}

/// Whether the byte at `i` starts a character XML does not allow (C0 controls other than
/// tab/newline/return, U+FFFE, U+FFFF).
fn bad_at(b: &[u8], i: usize) -> bool {
    let c = b[i];
    (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r'))
        || (c == 0xEF && b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)))
}

/// Whether the text holds a character XML forbids. Chunks are first screened without
/// branches (the compiler vectorizes that), and only suspicious ones looked at closely.
fn has_forbidden(b: &[u8]) -> bool {
    const CHUNK: usize = 64;
    let mut from = 0;
    for chunk in b.chunks(CHUNK) {
        let mut suspect = false;
        for &c in chunk {
            suspect |= (c < 0x20) & (c != b'\t') & (c != b'\n') & (c != b'\r') | (c == 0xEF);
        }
        if suspect && (from..from + chunk.len()).any(|i| bad_at(b, i)) {
            return true;
        }
        from += chunk.len();
    }
    false
}

/// The text without a leading U+FEFF and without characters XML forbids.
fn clean<'a>(text: Cow<'a, str>, warnings: &mut Vec<String>) -> Cow<'a, str> {
    let text = match text {
        Cow::Borrowed(t) => Cow::Borrowed(t.strip_prefix('\u{FEFF}').unwrap_or(t)),
        Cow::Owned(mut t) => {
            if t.starts_with('\u{FEFF}') {
                t.drain(..3);
            }
            Cow::Owned(t)
        }
    };
    if !has_forbidden(text.as_bytes()) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut dropped = 0usize;
    for c in text.chars() {
        if super::reader::is_xml_char(c) {
            out.push(c);
        } else {
            dropped += 1;
        }
    }
    warnings.push(format!(
        "{} that XML does not allow (NUL, control characters) {} removed",
        super::count(dropped, "character", "characters"),
        super::were(dropped)
    ));
    Cow::Owned(out)
}
