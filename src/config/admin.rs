//! The `[admin]` section: the password hash that turns the admin on, and the environment
//! variable holding the API's bearer token (read once, here, at load).

use serde::Deserialize;
use syndic_web::{AdminSettings, ApiToken, PasswordHash};

use super::{ConfigError, Validator};

/// `[admin]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdmin {
    password_hash: Option<String>,
    token_env: Option<String>,
}

impl Validator<'_> {
    /// `[admin]`: `None` (the admin is off) without `password_hash`. The API token is read
    /// through the validator's environment (the process's, but in tests).
    pub(super) fn admin(&self, raw: RawAdmin) -> Result<Option<AdminSettings>, ConfigError> {
        let Some(text) = raw.password_hash else {
            if raw.token_env.is_some() {
                return Err(self.error(
                    "admin.token_env",
                    "the API needs the admin, which is off without admin.password_hash",
                    "set admin.password_hash (made by `syndic admin hash-password`), or remove \
                     admin.token_env",
                ));
            }
            return Ok(None);
        };
        let password_hash = PasswordHash::parse(&text).map_err(|error| {
            self.error(
                "admin.password_hash",
                error.to_string(),
                "make one with `syndic admin hash-password` (it reads the password from \
                 standard input) and paste its output here",
            )
        })?;
        let api_token = match raw.token_env {
            None => None,
            Some(name) => Some(self.api_token(name.trim())?),
        };
        Ok(Some(AdminSettings {
            password_hash,
            api_token,
        }))
    }

    fn api_token(&self, name: &str) -> Result<ApiToken, ConfigError> {
        if name.is_empty() {
            return Err(self.error(
                "admin.token_env",
                "the variable name is empty",
                "name the environment variable that holds the API token, e.g. \
                 \"SYNDIC_ADMIN_TOKEN\", or remove the key to turn the API off",
            ));
        }
        (self.env)(name)
            .as_deref()
            .and_then(ApiToken::new)
            .ok_or_else(|| {
                self.error(
                    "admin.token_env",
                    format!("the environment variable {name} is not set or empty"),
                    format!(
                        "export {name} with a long random token (e.g. `openssl rand -hex 32`) \
                     before starting syndic, or remove admin.token_env to turn the API off"
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
                        8Bz9RS9vKqhfp/yRpYFkeVtjeZtQ6fMbWzs2Byb2+ms";

    fn admin(text: &str, env: &[(&str, &str)]) -> Result<Option<AdminSettings>, ConfigError> {
        #[derive(Deserialize)]
        struct File {
            admin: RawAdmin,
        }
        let raw: File = toml::from_str(text).expect("TOML");
        let read = |name: &str| {
            env.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        };
        let validator = Validator {
            file: Path::new("/etc/syndic/syndic.toml"),
            dir: Path::new("/etc/syndic"),
            env: &read,
        };
        validator.admin(raw.admin)
    }

    #[test]
    fn the_admin_is_off_without_a_password_hash() {
        assert!(admin("[admin]\n", &[]).expect("valid").is_none());
        let error = admin("[admin]\ntoken_env = \"T\"\n", &[("T", "x")]).expect_err("refused");
        assert_eq!(error.key, "admin.token_env");
    }

    #[test]
    fn a_password_hash_that_is_not_argon2id_is_a_load_error_at_its_key() {
        for hash in ["hunter2", "$2b$12$abcdefghijklmnopqrstuv", ""] {
            let error =
                admin(&format!("[admin]\npassword_hash = {hash:?}\n"), &[]).expect_err("refused");
            assert_eq!(error.key, "admin.password_hash", "{hash}");
            assert!(error.fix.contains("syndic admin hash-password"), "{error}");
        }
    }

    #[test]
    fn the_token_is_read_from_the_named_variable() {
        let text = format!("[admin]\npassword_hash = {HASH:?}\ntoken_env = \"SYNDIC_T\"\n");
        let settings = admin(&text, &[("SYNDIC_T", "s3cret")])
            .expect("valid")
            .expect("on");
        assert!(settings.api_token.is_some());
        assert!(!format!("{settings:?}").contains("s3cret"), "redacted");
        let no_token = admin(&format!("[admin]\npassword_hash = {HASH:?}\n"), &[])
            .expect("valid")
            .expect("on");
        assert!(no_token.api_token.is_none());
    }

    #[test]
    fn a_missing_or_empty_token_variable_is_a_load_error_naming_it() {
        let text = format!("[admin]\npassword_hash = {HASH:?}\ntoken_env = \"SYNDIC_T\"\n");
        for env in [&[][..], &[("SYNDIC_T", "  ")][..]] {
            let error = admin(&text, env).expect_err("refused");
            assert_eq!(error.key, "admin.token_env");
            assert!(error.problem.contains("SYNDIC_T"), "{error}");
        }
    }
}
