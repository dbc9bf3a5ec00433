//! Dates as feeds write them → UTC.
//!
//! [`parse_date`] reads the formats real feeds use, leniently:
//!
//! - **ISO 8601 / W3C-DTF / RFC 3339**: `2004-01-05T15:18:01Z`, with or without seconds,
//!   fractional seconds, `T`, `t` or a space between date and time, `Z`/`z`, `+hh:mm`,
//!   `+hhmm`, `+hh` or a named zone; the basic format `20040105T151801Z`; reduced precision
//!   (`2004-01-05`, `2004-01`, `2004`); ordinal (`2004-005`) and week (`2004-W02-1`) dates;
//!   month names in the month slot (`2004-július-13`).
//! - **RFC 822 / 1123 / 2822 / 850 and HTTP dates**: the weekday optional and never
//!   checked, day and month in either order, one- or two-digit days, two- or four-digit
//!   years, seconds optional, full or abbreviated month names in any case (`Sept`, `Jan.`),
//!   `-` or `/` between the parts (`06-Nov-94`), extra commas, comments in parentheses.
//! - **asctime and Unix `date` output**: `Sun Jan  4 16:29:06 PST 2004`.
//! - **Numeric dates**: `2004/01/05 15:18`, `05.01.2004` (day.month.year), `01/05/2004`
//!   (month/day/year unless the first number is above 12).
//! - **Localized names**: month names (full and abbreviated) in English, German, French,
//!   Spanish, Italian, Dutch, Portuguese, Polish, Hungarian and Greek; weekday names and
//!   filler words (`de`, `1st`, …) are skipped; the Korean and CJK `2004년 05월 28일` /
//!   `2004年5月28日` forms and `오전`/`오후` (AM/PM), which default to Korean time (+09:00).
//!
//! Zones: `UT`, `UTC`, `GMT`, `Z`, the North American names (`EST`, `EDT`, `CST`, …, and
//! the generic `ET`, `CT`, `MT`, `PT`, `AT`), common others (`CET`, `CEST`, `BST`, `IST` as
//! India, `JST`, `AEST`, …), the four military letters RFC 822 readers agree on (`A` −1,
//! `M` −12, `N` +1, `Y` +12; the other letters are unreliable and read as UTC), numeric
//! offsets with or without a colon, also after a name (`GMT+01:00`). A missing or unknown
//! zone is UTC.
//!
//! Rules that are choices:
//! - Two-digit years: `00`–`69` are 2000–2069, `70`–`99` are 1970–1999 (the POSIX pivot,
//!   shifted so that every two-digit year lands inside the plausible range below).
//! - Plausible range: a date before 1970 or after 2100 (in UTC) is `None`; the caller then
//!   falls back to the time it first saw the entry (HOSTILE-INPUTS.md B11). Future dates
//!   inside the range are returned as written; clamping them for ordering is the store's job.
//! - Impossible values are `None`: February 30, hour 25, minute 61, an offset of 24 hours
//!   or more. A leap second (`:60`) becomes `:59`; `24:00:00` is midnight of the next day.
//! - Ambiguity is never guessed at random: a string with two month names, two times or
//!   numbers left over after day, month and year are assigned is `None`.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Longest input looked at; dates are short, anything longer is not a date.
const MAX_LEN: usize = 200;
/// Earliest and latest plausible years (inclusive), in UTC.
const MIN_YEAR: i32 = 1970;
const MAX_YEAR: i32 = 2100;

/// Reads one date as written in a feed; `None` when it cannot be understood or is outside
/// the plausible range (see the module documentation).
pub(crate) fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_LEN {
        return None;
    }
    let parts = parse_iso(text).or_else(|| parse_loose(text))?;
    parts.finish()
}

/// A date as read, before validation.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Parts {
    year: i32,
    month: u32,
    day: u32,
    /// Day of the year (ordinal dates) instead of month/day.
    ordinal: Option<u32>,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i32,
}

impl Parts {
    fn finish(self) -> Option<DateTime<Utc>> {
        let date = match self.ordinal {
            Some(ordinal) => NaiveDate::from_yo_opt(self.year, ordinal)?,
            None => NaiveDate::from_ymd_opt(self.year, self.month, self.day)?,
        };
        let (hour, extra_day) = if self.hour == 24 {
            if self.minute != 0 || self.second != 0 || self.nanos != 0 {
                return None;
            }
            (0, 1)
        } else {
            (self.hour, 0)
        };
        let second = if self.second == 60 { 59 } else { self.second };
        let time = NaiveTime::from_hms_nano_opt(hour, self.minute, second, self.nanos)?;
        if self.offset.abs() >= 24 * 3600 {
            return None;
        }
        let local = NaiveDateTime::new(date, time) + Duration::days(extra_day);
        let utc = local - Duration::seconds(i64::from(self.offset));
        let utc = Utc.from_utc_datetime(&utc);
        use chrono::Datelike;
        (MIN_YEAR..=MAX_YEAR).contains(&utc.year()).then_some(utc)
    }
}

// ---------------------------------------------------------------------------------------
// ISO 8601 / W3C-DTF: a strict cursor parser. Anything it does not fully consume goes to
// the loose reader.

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A run of ASCII digits: (value, count). Values beyond u32 saturate (and are then
    /// rejected by range checks).
    fn digits(&mut self) -> (u32, usize) {
        let start = self.pos;
        let mut value: u32 = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            value = value.saturating_mul(10).saturating_add(u32::from(b - b'0'));
            self.pos += 1;
        }
        (value, self.pos - start)
    }

    /// Exactly `n` digits.
    fn fixed(&mut self, n: usize) -> Option<u32> {
        let mut value = 0;
        for _ in 0..n {
            let b = self.peek().filter(u8::is_ascii_digit)?;
            value = value * 10 + u32::from(b - b'0');
            self.pos += 1;
        }
        Some(value)
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos.min(self.bytes.len())..]
    }
}

/// Digits after a decimal point → nanoseconds (extra digits ignored).
fn fraction(cursor: &mut Cursor<'_>) -> Option<u32> {
    let mut nanos = 0u32;
    let mut scale = 100_000_000u32;
    let mut count = 0;
    while let Some(b) = cursor.peek().filter(u8::is_ascii_digit) {
        nanos += u32::from(b - b'0') * scale;
        scale /= 10;
        count += 1;
        cursor.pos += 1;
    }
    (count > 0).then_some(nanos)
}

fn parse_iso(text: &str) -> Option<Parts> {
    let mut c = Cursor::new(text);
    let year = c.fixed(4)? as i32;
    let mut parts = Parts {
        year,
        month: 1,
        day: 1,
        ordinal: None,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        offset: 0,
    };
    if c.eat(b'-') {
        if c.eat(b'W') || c.eat(b'w') {
            let week = c.fixed(2)?;
            let weekday = if c.eat(b'-') { c.fixed(1)? } else { 1 };
            set_week(&mut parts, week, weekday)?;
        } else if c.peek().is_some_and(|b| b.is_ascii_digit()) {
            let (value, count) = c.digits();
            match count {
                3 if c.peek() != Some(b'-') => parts.ordinal = Some(value),
                // `2003-012-31`: a month with one zero too many (seen from Google).
                1..=3 => {
                    parts.month = value;
                    if c.eat(b'-') {
                        let (day, n) = c.digits();
                        if !(1..=2).contains(&n) {
                            return None;
                        }
                        parts.day = day;
                    }
                }
                _ => return None,
            }
        } else {
            // A month name in the month slot (`2004-július-13T9:15+02:00`).
            let start = c.pos;
            let rest = &text[start..];
            let end = rest.find(|ch: char| !ch.is_alphabetic())?;
            parts.month = month_number(&normalize(&rest[..end]))?;
            c.pos = start + end;
            if !c.eat(b'-') {
                return None;
            }
            let (day, n) = c.digits();
            if !(1..=2).contains(&n) {
                return None;
            }
            parts.day = day;
        }
    } else if c.peek().is_some_and(|b| b.is_ascii_digit()) {
        // Basic format: YYYYMMDD or YYYYDDD.
        let (value, count) = c.digits();
        match count {
            4 => {
                parts.month = value / 100;
                parts.day = value % 100;
            }
            3 => parts.ordinal = Some(value),
            _ => return None,
        }
    } else if c.eat(b'W') || c.eat(b'w') {
        let week = c.fixed(2)?;
        let weekday = c.fixed(1).unwrap_or(1);
        set_week(&mut parts, week, weekday)?;
    }
    if c.at_end() {
        return Some(parts);
    }
    // Time: `T`, `t` or spaces, then hh[:mm[:ss[.frac]]] or hhmm[ss[.frac]].
    if !(c.eat(b'T') || c.eat(b't')) {
        let before = c.pos;
        c.skip_spaces();
        if c.pos == before {
            return None;
        }
    }
    let (first, n) = c.digits();
    match n {
        1 | 2 => {
            parts.hour = first;
            if c.eat(b':') {
                parts.minute = c.fixed(2)?;
                if c.eat(b':') {
                    parts.second = c.fixed(2)?;
                    if c.eat(b'.') || c.eat(b',') {
                        parts.nanos = fraction(&mut c)?;
                    }
                }
            }
        }
        4 => {
            parts.hour = first / 100;
            parts.minute = first % 100;
        }
        6 => {
            parts.hour = first / 10_000;
            parts.minute = first / 100 % 100;
            parts.second = first % 100;
            if c.eat(b'.') || c.eat(b',') {
                parts.nanos = fraction(&mut c)?;
            }
        }
        _ => return None,
    }
    // Zone.
    c.skip_spaces();
    if c.at_end() {
        return Some(parts);
    }
    if c.eat(b'Z') || c.eat(b'z') {
        return c.at_end().then_some(parts);
    }
    if matches!(c.peek(), Some(b'+' | b'-')) {
        parts.offset = iso_offset(&mut c)?;
        return c.at_end().then_some(parts);
    }
    // A named zone (`2004-01-05 15:18:01 GMT`), letters only.
    let rest = std::str::from_utf8(c.rest()).ok()?;
    if rest.chars().all(|ch| ch.is_ascii_alphabetic()) {
        parts.offset = zone_offset(&rest.to_ascii_lowercase())?;
        return Some(parts);
    }
    None
}

/// `+hh:mm`, `+hhmm`, `+hh`, `-…`.
fn iso_offset(c: &mut Cursor<'_>) -> Option<i32> {
    let sign = if c.eat(b'-') {
        -1
    } else {
        c.eat(b'+');
        1
    };
    let (value, n) = c.digits();
    let (hours, minutes) = match n {
        1 | 2 => {
            let minutes = if c.eat(b':') { c.fixed(2)? } else { 0 };
            (value, minutes)
        }
        4 => (value / 100, value % 100),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours as i32 * 3600 + minutes as i32 * 60))
}

/// ISO week date → ordinal day of the year.
fn set_week(parts: &mut Parts, week: u32, weekday: u32) -> Option<()> {
    let date = NaiveDate::from_isoywd_opt(
        parts.year,
        week,
        chrono::Weekday::try_from(u8::try_from(weekday.checked_sub(1)?).ok()?).ok()?,
    )?;
    use chrono::Datelike;
    parts.year = date.year();
    parts.month = date.month();
    parts.day = date.day();
    Some(())
}

// ---------------------------------------------------------------------------------------
// Everything else: a tokenizer and a tolerant interpretation.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A run of digits: value and how many digits were written.
    Num(u32, usize),
    /// Two or more numbers joined by one separator (`2004/01/05`, `05.01.2004`).
    Group(Vec<(u32, usize)>, u8),
    Time {
        hour: u32,
        minute: u32,
        second: u32,
        nanos: u32,
    },
    /// Seconds east of UTC.
    Offset(i32),
    /// Letters, lower-cased, accents removed.
    Word(String),
}

fn tokenize(text: &str) -> Option<Vec<Token>> {
    let bytes = text.as_bytes();
    let mut tokens: Vec<Token> = Vec::new();
    let mut i = 0;
    let mut space_before = true;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() || b == b',' {
            space_before = true;
            i += 1;
            continue;
        }
        if b == b'(' {
            // A comment: `+0000 (UTC)`, `(Pacific Standard Time)`.
            let mut depth = 0usize;
            while i < bytes.len() {
                match bytes[i] {
                    b'(' => depth += 1,
                    b')' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                i += 1;
                if depth == 0 {
                    break;
                }
            }
            space_before = true;
            continue;
        }
        if b.is_ascii_digit() {
            let mut c = Cursor { bytes, pos: i };
            let (value, n) = c.digits();
            let next = c.peek();
            if next == Some(b':') && c.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
                c.pos += 1;
                let (minute, mn) = c.digits();
                let mut second = 0;
                let mut nanos = 0;
                if !(1..=2).contains(&mn) || n > 2 {
                    return None;
                }
                if c.eat(b':') {
                    let (s, sn) = c.digits();
                    if !(1..=2).contains(&sn) {
                        return None;
                    }
                    second = s;
                    if c.peek() == Some(b'.') && c.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
                        c.pos += 1;
                        nanos = fraction(&mut c)?;
                    }
                }
                if c.peek() == Some(b':') {
                    return None; // `1:2:3:4`
                }
                tokens.push(Token::Time {
                    hour: value,
                    minute,
                    second,
                    nanos,
                });
            } else if let Some(sep @ (b'/' | b'-' | b'.')) = next
                && c.peek_at(1).is_some_and(|d| d.is_ascii_digit())
            {
                let mut parts = vec![(value, n)];
                while c.peek() == Some(sep) && c.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
                    c.pos += 1;
                    parts.push(c.digits());
                    if parts.len() > 3 {
                        return None;
                    }
                }
                tokens.push(Token::Group(parts, sep));
            } else {
                tokens.push(Token::Num(value, n));
            }
            i = c.pos;
            space_before = false;
            continue;
        }
        if b == b'+' || b == b'-' {
            let digit_follows = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            let is_offset = b == b'+'
                || (digit_follows
                    && (space_before
                        || matches!(tokens.last(), Some(Token::Time { .. }))
                        || matches!(tokens.last(), Some(Token::Word(w)) if zone_offset(w).is_some())));
            if is_offset {
                let mut c = Cursor { bytes, pos: i };
                tokens.push(Token::Offset(iso_offset(&mut c)?));
                i = c.pos;
                space_before = false;
                continue;
            }
            // A separator (`06-Nov-94`).
            i += 1;
            space_before = true;
            continue;
        }
        // Letters (any script).
        let rest = &text[i..];
        let Some(first) = rest.chars().next() else {
            break;
        };
        if first.is_alphabetic() {
            let end = rest
                .find(|ch: char| !ch.is_alphabetic())
                .unwrap_or(rest.len());
            tokens.push(Token::Word(normalize(&rest[..end])));
            i += end;
            if bytes.get(i) == Some(&b'.') {
                i += 1; // `Jan.`
            }
            space_before = false;
            continue;
        }
        // Any other character separates.
        i += first.len_utf8();
        space_before = true;
    }
    Some(tokens)
}

fn two_digit_year(value: u32, digits: usize) -> Option<i32> {
    match digits {
        4 => Some(value as i32),
        1 | 2 => Some(if value < 70 { 2000 } else { 1900 } + value as i32),
        _ => None,
    }
}

fn parse_loose(text: &str) -> Option<Parts> {
    let tokens = tokenize(text)?;
    let mut year: Option<i32> = None;
    let mut month: Option<u32> = None;
    let mut day: Option<u32> = None;
    let mut time: Option<(u32, u32, u32, u32)> = None;
    let mut offset: Option<i32> = None;
    let mut zone_word: Option<i32> = None;
    let mut pm: Option<bool> = None;
    let mut korean = false;
    // Month words: (token index, month, could also be a weekday).
    let mut month_words: Vec<(usize, u32, bool)> = Vec::new();
    // Plain numbers left for day/year: (token index, value, digits).
    let mut numbers: Vec<(usize, u32, usize)> = Vec::new();
    let mut consumed = vec![false; tokens.len()];

    for (index, token) in tokens.iter().enumerate() {
        match token {
            Token::Word(word) => {
                let previous = index
                    .checked_sub(1)
                    .and_then(|p| match (&tokens[p], consumed[p]) {
                        (Token::Num(v, n), false) => Some((p, *v, *n)),
                        _ => None,
                    });
                match word.as_str() {
                    "년" | "年" | "월" | "月" | "일" | "日" => {
                        let (p, value, n) = previous?;
                        consumed[p] = true;
                        korean = true;
                        match word.as_str() {
                            "년" | "年" => set_once(&mut year, two_digit_year(value, n)?)?,
                            "월" | "月" => set_once(&mut month, value)?,
                            _ => set_once(&mut day, value)?,
                        }
                        numbers.retain(|&(i, _, _)| i != p);
                        continue;
                    }
                    "오전" | "am" => {
                        pm = Some(false);
                        korean |= word == "오전";
                        continue;
                    }
                    "오후" | "pm" => {
                        pm = Some(true);
                        korean |= word == "오후";
                        continue;
                    }
                    "t" => continue,
                    _ => {}
                }
                // Cheap checks first: English months, zones, English weekdays.
                if let Some(m) = english_month(word) {
                    month_words.push((index, m, is_weekday(word)));
                } else if let Some(z) = zone_offset(word) {
                    if zone_word.is_none() {
                        zone_word = Some(z);
                    }
                } else if is_english_weekday(word) {
                } else if let Some(m) = month_number(word) {
                    month_words.push((index, m, is_weekday(word)));
                }
                // Weekdays, filler words and unknown zones are skipped.
            }
            Token::Num(value, n) => numbers.push((index, *value, *n)),
            Token::Group(parts, sep) => {
                if year.is_some() || month.is_some() || day.is_some() {
                    return None;
                }
                let (y, m, d) = group_date(parts, *sep)?;
                year = Some(y);
                month = Some(m);
                day = d;
            }
            Token::Time {
                hour,
                minute,
                second,
                nanos,
            } => set_once(&mut time, (*hour, *minute, *second, *nanos))?,
            Token::Offset(o) => {
                if offset.is_none() {
                    offset = Some(*o);
                }
            }
        }
    }

    // Month words: a leading French/Spanish `mar` (Tuesday) before the real month is a
    // weekday.
    if month_words.len() > 1 {
        month_words.retain(|&(index, _, weekday)| !(weekday && index == 0));
    }
    match month_words.as_slice() {
        [] => {}
        [(_, m, _)] => set_once(&mut month, *m)?,
        _ => return None,
    }

    // Numbers: an eight-digit one is YYYYMMDD; a four-digit one is the year; then the day,
    // then a two-digit year.
    let mut rest: Vec<(u32, usize)> = Vec::new();
    for &(_, value, n) in &numbers {
        if n == 8 && year.is_none() && month.is_none() && day.is_none() {
            year = Some((value / 10_000) as i32);
            month = Some(value / 100 % 100);
            day = Some(value % 100);
        } else if n == 4 && year.is_none() {
            year = Some(value as i32);
        } else {
            rest.push((value, n));
        }
    }
    for (value, n) in rest {
        if n > 2 {
            return None;
        }
        if day.is_none() && month.is_some() {
            day = Some(value);
        } else if year.is_none() {
            year = Some(two_digit_year(value, n)?);
        } else {
            return None;
        }
    }
    let year = year?;
    let month = month?;
    let day = match day {
        Some(day) => day,
        // `January 2004`: a month, no day and no time.
        None if time.is_none() => 1,
        None => return None,
    };
    let (mut hour, minute, second, nanos) = time.unwrap_or((0, 0, 0, 0));
    match pm {
        Some(true) if (1..12).contains(&hour) => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        Some(_) if hour > 12 || hour == 0 => return None,
        _ => {}
    }
    let offset = offset
        .or(zone_word)
        .unwrap_or(if korean { 9 * 3600 } else { 0 });
    Some(Parts {
        year,
        month,
        day,
        ordinal: None,
        hour,
        minute,
        second,
        nanos,
        offset,
    })
}

fn set_once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// `2004/01/05`, `2004-01`, `05.01.2004`, `01/05/2004`, `03-12-31` → (year, month, day).
fn group_date(parts: &[(u32, usize)], sep: u8) -> Option<(i32, u32, Option<u32>)> {
    match *parts {
        [(y, 4), (m, 1..=2), (d, 1..=2)] => Some((y as i32, m, Some(d))),
        [(y, 4), (m, 1..=2)] => Some((y as i32, m, None)),
        [(a, 1..=2), (b, 1..=2), (y, yn @ (2 | 4))] => {
            let year = two_digit_year(y, yn)?;
            if sep == b'-' && yn == 2 {
                // `03-12-31`: ISO order with a two-digit year.
                return Some((two_digit_year(a, 2)?, b, Some(y)));
            }
            if sep == b'.' || a > 12 {
                Some((year, b, Some(a)))
            } else {
                Some((year, a, Some(b)))
            }
        }
        _ => None,
    }
}

/// Lower case, Latin and Greek accents removed.
fn normalize(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|ch| match ch {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ą' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'ę' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ő' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'ű' => 'u',
            'ç' | 'ć' => 'c',
            'ñ' | 'ń' => 'n',
            'ś' => 's',
            'ź' | 'ż' => 'z',
            'ł' => 'l',
            'ά' => 'α',
            'έ' => 'ε',
            'ή' => 'η',
            'ί' | 'ϊ' | 'ΐ' => 'ι',
            'ό' => 'ο',
            'ύ' | 'ϋ' | 'ΰ' => 'υ',
            'ώ' => 'ω',
            other => other,
        })
        .collect()
}

/// Full month names (normalized) in the languages feeds are written in. A word of three
/// or more letters that starts one of these names is that month (`sept`, `janv`, `febr`).
const MONTH_NAMES: &[(&str, u32)] = &[
    // English
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    // German
    ("januar", 1),
    ("janner", 1),
    ("februar", 2),
    ("marz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    // French
    ("janvier", 1),
    ("fevrier", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("decembre", 12),
    // Spanish
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    // Italian
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    // Dutch
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
    // Portuguese
    ("janeiro", 1),
    ("fevereiro", 2),
    ("marco", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    // Polish (nominative and genitive)
    ("styczen", 1),
    ("stycznia", 1),
    ("luty", 2),
    ("lutego", 2),
    ("marzec", 3),
    ("marca", 3),
    ("kwiecien", 4),
    ("kwietnia", 4),
    ("maj", 5),
    ("maja", 5),
    ("czerwiec", 6),
    ("czerwca", 6),
    ("lipiec", 7),
    ("lipca", 7),
    ("sierpien", 8),
    ("sierpnia", 8),
    ("wrzesien", 9),
    ("wrzesnia", 9),
    ("pazdziernik", 10),
    ("pazdziernika", 10),
    ("listopad", 11),
    ("listopada", 11),
    ("grudzien", 12),
    ("grudnia", 12),
    // Hungarian
    ("marcius", 3),
    ("aprilis", 4),
    ("majus", 5),
    ("maujus", 5),
    ("junius", 6),
    ("julius", 7),
    ("augusztus", 8),
    ("szeptember", 9),
    // Greek (genitive full names; the abbreviations are their prefixes)
    ("ιανουαριου", 1),
    ("ιανουαριος", 1),
    ("φεβρουαριου", 2),
    ("φεβρουαριος", 2),
    ("μαρτιου", 3),
    ("μαρτιος", 3),
    ("απριλιου", 4),
    ("απριλιος", 4),
    ("μαιου", 5),
    ("μαιος", 5),
    ("ιουνιου", 6),
    ("ιουνιος", 6),
    ("ιουλιου", 7),
    ("ιουλιος", 7),
    ("αυγουστου", 8),
    ("αυγουστος", 8),
    ("σεπτεμβριου", 9),
    ("σεπτεμβριος", 9),
    ("οκτωβριου", 10),
    ("οκτωβριος", 10),
    ("νοεμβριου", 11),
    ("νοεμβριος", 11),
    ("δεκεμβριου", 12),
    ("δεκεμβριος", 12),
];

/// Abbreviations that are not a prefix of a full name above.
const MONTH_ABBREVIATIONS: &[(&str, u32)] = &[
    ("mrz", 3),
    ("mrt", 3),
    ("ene", 1),
    ("dic", 12),
    ("gen", 1),
    ("giu", 6),
    ("lug", 7),
    ("ott", 10),
    ("set", 9),
    ("sty", 1),
    ("lut", 2),
    ("kwi", 4),
    ("cze", 6),
    ("lip", 7),
    ("sie", 8),
    ("wrz", 9),
    ("paz", 10),
    ("lis", 11),
    ("gru", 12),
    ("fev", 2),
    ("out", 10),
    ("dez", 12),
    ("jan", 1),
];

/// English month names and their usual abbreviations, without a table scan.
fn english_month(word: &str) -> Option<u32> {
    Some(match word {
        "jan" | "january" => 1,
        "feb" | "february" => 2,
        "mar" | "march" => 3,
        "apr" | "april" => 4,
        "may" => 5,
        "jun" | "june" => 6,
        "jul" | "july" => 7,
        "aug" | "august" => 8,
        "sep" | "sept" | "september" => 9,
        "oct" | "october" => 10,
        "nov" | "november" => 11,
        "dec" | "december" => 12,
        _ => return None,
    })
}

fn is_english_weekday(word: &str) -> bool {
    matches!(
        word,
        "mon"
            | "monday"
            | "tue"
            | "tues"
            | "tuesday"
            | "wed"
            | "wednesday"
            | "thu"
            | "thur"
            | "thurs"
            | "thursday"
            | "fri"
            | "friday"
            | "sat"
            | "saturday"
            | "sun"
            | "sunday"
    )
}

fn month_number(word: &str) -> Option<u32> {
    if word.chars().count() < 3 {
        return None;
    }
    MONTH_ABBREVIATIONS
        .iter()
        .find(|(name, _)| *name == word)
        .or_else(|| MONTH_NAMES.iter().find(|(name, _)| name.starts_with(word)))
        .map(|&(_, month)| month)
}

/// Weekday abbreviations that are also month abbreviations somewhere (`mar`: Tuesday in
/// French and Spanish).
fn is_weekday(word: &str) -> bool {
    matches!(word, "mar" | "mardi" | "martes")
}

/// A zone name (normalized, lower case) → seconds east of UTC.
fn zone_offset(word: &str) -> Option<i32> {
    let hours_minutes: (i32, i32) = match word {
        "ut" | "utc" | "gmt" | "z" | "zulu" | "wet" | "gmtz" => (0, 0),
        "a" => (-1, 0),
        "m" => (-12, 0),
        "n" => (1, 0),
        "y" => (12, 0),
        "adt" => (-3, 0),
        "ast" | "at" | "edt" => (-4, 0),
        "est" | "et" | "cdt" => (-5, 0),
        "cst" | "ct" | "mdt" => (-6, 0),
        "mst" | "mt" | "pdt" => (-7, 0),
        "pst" | "pt" | "akdt" => (-8, 0),
        "akst" | "hdt" => (-9, 0),
        "hst" => (-10, 0),
        "nst" => (-3, -30),
        "ndt" => (-2, -30),
        "brt" | "art" => (-3, 0),
        "clt" => (-4, 0),
        "bst" | "cet" | "met" | "mez" | "west" | "wat" => (1, 0),
        "cest" | "mest" | "mesz" | "eet" | "cat" | "sast" => (2, 0),
        "ist" => (5, 30),
        "eest" | "msk" | "eat" => (3, 0),
        "pkt" => (5, 0),
        "ict" | "wib" => (7, 0),
        "hkt" | "sgt" | "awst" | "pht" | "myt" => (8, 0),
        "jst" | "kst" => (9, 0),
        "acst" => (9, 30),
        "acdt" => (10, 30),
        "aest" => (10, 0),
        "aedt" => (11, 0),
        "nzst" => (12, 0),
        "nzdt" => (13, 0),
        _ => return None,
    };
    Some(hours_minutes.0 * 3600 + hours_minutes.1 * 60)
}

#[cfg(test)]
mod tests;
