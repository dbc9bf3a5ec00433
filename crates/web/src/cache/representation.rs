//! Which representation of a page a request gets: identity, gzip or brotli.
//!
//! The choice follows the compression layer's own (tower-http): the accepted coding with
//! the highest q-value, brotli before gzip before identity when they tie, `q=0` never,
//! identity when nothing usable is named. The cache keys on it and hands it down as the
//! only coding accepted, so the compression layer makes exactly this one.

use axum::http::header::ACCEPT_ENCODING;
use axum::http::{HeaderMap, HeaderValue};

/// A representation of a page, in the order of preference on a tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Representation {
    Identity,
    Gzip,
    Brotli,
}

impl Representation {
    /// The representation a request with `headers` is answered with.
    pub(crate) fn negotiate(headers: &HeaderMap) -> Representation {
        headers
            .get_all(ACCEPT_ENCODING)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|list| list.split(','))
            .filter_map(coding)
            .filter(|(_, q)| *q > 0)
            .max_by_key(|&(representation, q)| (q, representation))
            .map_or(Representation::Identity, |(representation, _)| {
                representation
            })
    }

    /// The `Accept-Encoding` that makes the compression layer produce this representation.
    pub(crate) fn accept_encoding(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Representation::Identity => "identity",
            Representation::Gzip => "gzip",
            Representation::Brotli => "br",
        })
    }

    /// The cache key of this representation of `target` (path and query).
    pub(crate) fn key(self, target: &str) -> String {
        let mark = match self {
            Representation::Identity => 'i',
            Representation::Gzip => 'g',
            Representation::Brotli => 'b',
        };
        let mut key = String::with_capacity(target.len() + 1);
        key.push(mark);
        key.push_str(target);
        key
    }
}

/// One `coding;q=…` item: the representation it names and its q-value in thousandths;
/// `None` for a coding we do not make or an invalid q-value.
fn coding(item: &str) -> Option<(Representation, u16)> {
    let mut parts = item.splitn(2, ';');
    let name = parts.next()?.trim();
    let representation = if name.eq_ignore_ascii_case("br") {
        Representation::Brotli
    } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
        Representation::Gzip
    } else if name.eq_ignore_ascii_case("identity") {
        Representation::Identity
    } else {
        return None;
    };
    let q = match parts.next() {
        None => 1000,
        Some(q) => q_value(q.trim())?,
    };
    Some((representation, q))
}

/// `q=0.5` → 500; `None` unless a valid q-value (0 to 1, at most three decimals).
fn q_value(text: &str) -> Option<u16> {
    let value = text
        .strip_prefix("q=")
        .or_else(|| text.strip_prefix("Q="))?;
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut thousandths = 0u16;
    for (i, digit) in fraction.bytes().enumerate() {
        thousandths += u16::from(digit - b'0') * [100, 10, 1][i];
    }
    let q = whole + thousandths;
    (q <= 1000).then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(accept: &[&str]) -> Representation {
        let mut headers = HeaderMap::new();
        for value in accept {
            headers.append(
                ACCEPT_ENCODING,
                HeaderValue::from_str(value).expect("value"),
            );
        }
        Representation::negotiate(&headers)
    }

    #[test]
    fn the_best_accepted_coding_wins_and_brotli_breaks_ties() {
        use Representation::*;
        let rows: &[(&[&str], Representation)] = &[
            (&[], Identity),
            (&["gzip"], Gzip),
            (&["gzip, deflate, br"], Brotli),
            (&["br;q=0.5, gzip"], Gzip),
            (&["br;q=0, gzip;q=0"], Identity),
            (&["x-gzip"], Gzip),
            (&["zstd, deflate"], Identity),
            (&["gzip;q=0.8", "br;q=0.9"], Brotli),
            (&["br;q=2"], Identity),
            (&["br;q=0.0001, gzip;q=0.001"], Gzip),
            (&["identity, gzip;q=0.5"], Identity),
            (&["*"], Identity),
        ];
        for (accept, expected) in rows {
            assert_eq!(chosen(accept), *expected, "{accept:?}");
        }
    }

    #[test]
    fn keys_tell_representations_apart() {
        let target = "/tag/map/?page=2";
        let keys: Vec<String> = [
            Representation::Identity,
            Representation::Gzip,
            Representation::Brotli,
        ]
        .iter()
        .map(|r| r.key(target))
        .collect();
        assert_eq!(
            keys,
            [
                "i/tag/map/?page=2",
                "g/tag/map/?page=2",
                "b/tag/map/?page=2"
            ]
        );
    }
}
