//! WebSub push: where content a hub pushes to `/websub/<source id>` goes, and how its
//! `X-Hub-Signature` is checked.
//!
//! The web crate does not know the fetch pipeline ("web and fetch don't know each
//! other"): it hands a signed body to a [`PushSink`], which the binary wires to
//! `syndic_fetch::Pipeline::ingest_pushed`.

use hmac::{Hmac, Mac};
use syndic_core::SourceId;

/// The largest pushed body accepted (1 MiB); larger ones are refused with `413`.
pub const MAX_PUSH_BYTES: usize = 1024 * 1024;

/// Receives the content hubs push for a source, after its signature was verified.
pub trait PushSink: Send + Sync {
    /// Takes `body` (the feed document as pushed) for `source`. Must not block: queue it
    /// (a channel) and return; the request is answered right after.
    fn accept(&self, source: SourceId, body: Vec<u8>);
}

/// Whether `header` (`X-Hub-Signature: sha1=…`, `sha256=…`, `sha384=…` or `sha512=…`, hex)
/// is the HMAC of `body` under `secret`. The comparison is constant-time; an unknown
/// algorithm or bad hex is a mismatch.
pub fn signature_matches(header: &str, secret: &[u8], body: &[u8]) -> bool {
    let Some((algorithm, hex)) = header.trim().split_once('=') else {
        return false;
    };
    let Some(expected) = decode_hex(hex) else {
        return false;
    };
    match algorithm.to_ascii_lowercase().as_str() {
        "sha1" => verify::<Hmac<sha1::Sha1>>(secret, body, &expected),
        "sha256" => verify::<Hmac<sha2::Sha256>>(secret, body, &expected),
        "sha384" => verify::<Hmac<sha2::Sha384>>(secret, body, &expected),
        "sha512" => verify::<Hmac<sha2::Sha512>>(secret, body, &expected),
        _ => false,
    }
}

fn verify<M: Mac + hmac::digest::KeyInit>(secret: &[u8], body: &[u8], expected: &[u8]) -> bool {
    let Ok(mut mac) = <M as hmac::digest::KeyInit>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(expected).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.as_bytes()
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect()
}

#[cfg(test)]
pub(crate) fn sign(algorithm: &str, secret: &[u8], body: &[u8]) -> String {
    fn hex<M: Mac + hmac::digest::KeyInit>(secret: &[u8], body: &[u8]) -> String {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(secret).expect("any key length");
        mac.update(body);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
    let digest = match algorithm {
        "sha1" => hex::<Hmac<sha1::Sha1>>(secret, body),
        "sha256" => hex::<Hmac<sha2::Sha256>>(secret, body),
        "sha384" => hex::<Hmac<sha2::Sha384>>(secret, body),
        _ => hex::<Hmac<sha2::Sha512>>(secret, body),
    };
    format!("{algorithm}={digest}")
}

#[cfg(test)]
mod tests {
    use super::{sign, signature_matches};

    #[test]
    fn every_algorithm_verifies_its_own_signature_and_nothing_else() {
        let body = b"<feed/>";
        for algorithm in ["sha1", "sha256", "sha384", "sha512"] {
            let header = sign(algorithm, b"secret", body);
            assert!(signature_matches(&header, b"secret", body), "{algorithm}");
            assert!(
                !signature_matches(&header, b"other", body),
                "{algorithm} key"
            );
            assert!(
                !signature_matches(&header, b"secret", b"<feed />"),
                "{algorithm} body"
            );
        }
    }

    #[test]
    fn malformed_headers_do_not_match() {
        for header in [
            "",
            "sha256",
            "sha256=",
            "sha256=zz",
            "sha256=abc",
            "md5=00",
            "=00",
        ] {
            assert!(!signature_matches(header, b"secret", b"body"), "{header:?}");
        }
    }
}
