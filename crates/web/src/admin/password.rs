//! The admin's password: an Argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`)
//! checked once when the configuration is read, and verified at each login.

use std::fmt;

use argon2::password_hash::{PasswordHashString, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params};

use super::AdminError;

/// A valid Argon2id password hash (`[admin] password_hash`). `Debug` does not show it.
#[derive(Clone)]
pub struct PasswordHash {
    phc: PasswordHashString,
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

impl PasswordHash {
    /// Reads `text` as an Argon2id PHC string: the algorithm must be `argon2id`, its
    /// parameters valid for Argon2, and salt and hash present.
    pub fn parse(text: &str) -> Result<PasswordHash, AdminError> {
        let invalid = |why: &str| AdminError::InvalidPasswordHash(why.to_owned());
        let phc = PasswordHashString::new(text.trim())
            .map_err(|error| AdminError::InvalidPasswordHash(error.to_string()))?;
        let hash = phc.password_hash();
        if hash.algorithm != Algorithm::Argon2id.ident() {
            return Err(invalid(&format!(
                "the algorithm is {}, not argon2id",
                hash.algorithm
            )));
        }
        Params::try_from(&hash)
            .map_err(|error| AdminError::InvalidPasswordHash(error.to_string()))?;
        if hash.salt.is_none() || hash.hash.is_none() {
            return Err(invalid("the salt or the hash is missing"));
        }
        Ok(PasswordHash { phc })
    }

    /// Whether `password` is the one this hash was made from (Argon2id with the
    /// parameters written in the hash; slow on purpose: run it off the async threads).
    pub fn verify(&self, password: &str) -> bool {
        Argon2::default()
            .verify_password(password.as_bytes(), &self.phc.password_hash())
            .is_ok()
    }
}

/// The Argon2id PHC string of `password`, with the `argon2` crate's default parameters and
/// a random 128-bit salt from the operating system.
pub fn hash_password(password: &str) -> Result<String, AdminError> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(AdminError::Random)?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|error| AdminError::Hashing(error.to_string()))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| AdminError::Hashing(error.to_string()))?;
    Ok(hash.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_another_does_not() {
        let phc = hash_password("correct horse").expect("hashed");
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        let hash = PasswordHash::parse(&phc).expect("valid");
        assert!(hash.verify("correct horse"));
        assert!(!hash.verify("correct horse "));
        assert!(!hash.verify(""));
    }

    #[test]
    fn strings_that_are_not_argon2id_hashes_are_refused() {
        let argon2i = "$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$W5Y3BvQ0m6gWqPRlbXy/Ig";
        for text in [
            "",
            "hunter2",
            "$2b$12$KIXQ1b0WZ0HgdF2bKpd3JuQ3HmHjyGgdtv6G6c1mQ9bJrH7q7eZ2S",
            argon2i,
            "$argon2id$v=19$m=16,t=2,p=1$c2FsdHNhbHQ",
            "$argon2id$v=19$m=1,t=2,p=1$c2FsdHNhbHQ$W5Y3BvQ0m6gWqPRlbXy/Ig",
        ] {
            assert!(PasswordHash::parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn debug_output_hides_the_hash() {
        let hash = PasswordHash::parse(&hash_password("x").expect("hashed")).expect("valid");
        assert_eq!(format!("{hash:?}"), "PasswordHash(<redacted>)");
    }
}
