//! `syndic admin hash-password`: the Argon2id PHC string of a password read from standard
//! input, for `[admin] password_hash`.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::cli::AdminCommand;

pub fn run(command: &AdminCommand) -> anyhow::Result<ExitCode> {
    match command {
        AdminCommand::HashPassword => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            let password = without_line_ending(&line);
            if password.is_empty() {
                bail!(
                    "no password on standard input: type it and press Enter, or pipe it in \
                     (`syndic admin hash-password < password.txt`)"
                );
            }
            let hash = syndic_web::hash_password(password).context("cannot hash the password")?;
            outln!("{hash}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `line` without its final `\n` or `\r\n` (spaces are part of a password).
fn without_line_ending(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::without_line_ending;

    #[test]
    fn only_the_line_ending_is_taken_off_the_password() {
        assert_eq!(without_line_ending("secret\n"), "secret");
        assert_eq!(without_line_ending("secret\r\n"), "secret");
        assert_eq!(without_line_ending(" secret \n"), " secret ");
        assert_eq!(without_line_ending("secret"), "secret");
    }
}
