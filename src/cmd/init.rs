//! `syndic init`: write the commented starter configuration.

use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::cli::{GlobalArgs, InitArgs};
use crate::config::EXAMPLE;

pub fn run(global: &GlobalArgs, args: &InitArgs) -> anyhow::Result<ExitCode> {
    if args.print {
        print!("{EXAMPLE}");
        return Ok(ExitCode::SUCCESS);
    }
    let path = &global.config;
    if path.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to overwrite it, or --config to write elsewhere",
            path.display()
        );
    }
    std::fs::write(path, EXAMPLE).with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "wrote {}: add [[source]] and [[tag]] entries, then run `syndic fetch` and `syndic serve`",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
