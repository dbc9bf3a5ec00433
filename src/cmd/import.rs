//! `syndic import FILE.opml`: follow every feed of a subscription list, in one edit of the
//! configuration.
//!
//! No network: each address is only checked for its form (http or https) and, when its host
//! is an IP literal, against the SSRF guard's address rules (`[fetch] allow_networks`
//! admits more). Addresses already configured are skipped.

use std::io::Read;
use std::net::IpAddr;
use std::process::ExitCode;

use anyhow::{Context, bail};
use syndic_fetch::AddressPolicy;
use url::{Host, Url};

use crate::cli::ImportArgs;
use crate::config::Config;
use crate::config::edit::{NewSource, append_sources};

pub fn run(config: &Config, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let text = read_bounded(&args.file)?;
    let subscriptions = syndic_feed::read_opml(&text)
        .with_context(|| format!("cannot import {}", args.file.display()))?;
    let policy = AddressPolicy::new(config.fetch.allow_networks.clone());
    let (mut sources, mut refused) = (Vec::with_capacity(subscriptions.len()), 0usize);
    for subscription in subscriptions {
        match check(&policy, &subscription.url) {
            Ok(()) => sources.push(NewSource {
                url: subscription.url,
                name: subscription.name,
                tags: subscription.tags,
            }),
            Err(reason) => {
                refused += 1;
                eprintln!("skipped {}: {reason}", subscription.url);
            }
        }
    }
    let appended = append_sources(&config.path, &sources)?;
    println!(
        "imported {} new sources into {} ({} already there, {} refused)",
        appended.added.len(),
        config.path.display(),
        appended.duplicates.len(),
        refused
    );
    Ok(if refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The file's text, refusing one larger than an OPML list has any reason to be.
fn read_bounded(path: &std::path::Path) -> anyhow::Result<String> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let limit = syndic_feed::MAX_OPML_BYTES as u64;
    let mut text = String::new();
    file.take(limit + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
    if text.len() as u64 > limit {
        bail!("{} is larger than the {limit}-byte limit", path.display());
    }
    Ok(text)
}

/// Why `address` cannot be a source, if it cannot.
fn check(policy: &AddressPolicy, address: &str) -> Result<(), String> {
    let url = Url::parse(address.trim()).map_err(|_| "not a URL".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{}:// is not http or https", url.scheme()));
    }
    let ip = match url.host() {
        None => return Err("the URL has no host".into()),
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
    };
    policy
        .check(ip)
        .map_err(|rule| format!("{ip} is a {rule}; [fetch] allow_networks can admit it"))
}
