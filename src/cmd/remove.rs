//! `syndic remove URL`: stop following a source. Its stored posts stay.

use std::process::ExitCode;

use crate::cli::RemoveArgs;
use crate::config::Config;
use crate::config::edit::remove_source;

pub fn run(config: &Config, args: &RemoveArgs) -> anyhow::Result<ExitCode> {
    if remove_source(&config.path, &args.url)? {
        println!(
            "removed {} from {}; its stored posts are kept",
            args.url.trim(),
            config.path.display()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{} is not a source in {}; `syndic sources` lists them",
            args.url.trim(),
            config.path.display()
        );
        Ok(ExitCode::FAILURE)
    }
}
