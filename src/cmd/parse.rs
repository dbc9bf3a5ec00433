//! `syndic parse PATH|URL`: what syndic understands of one feed, stored nowhere.
//!
//! The reader is `syndic_feed::read_document`, the same one ingest uses. Files and
//! standard input are read as they are (`--base` gives relative links something to
//! resolve against); URLs go through the guarded fetcher with the default limits. The
//! operator typed the address, so its own host may be on this machine or a private
//! network (the guard lets exactly those addresses through); every redirect elsewhere is
//! still checked as in `syndic fetch`.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use chrono::SecondsFormat;
use ipnet::IpNet;
use serde_json::Value;
use syndic_feed::{Document, ReadOptions};
use syndic_fetch::{Body, Fetcher, FetcherOptions, Location, Validators};
use url::Url;

use crate::cli::{ParseArgs, ParseFormat};

/// Largest file or standard input read (a fetched body is capped by the fetcher).
const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

pub async fn run(args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let (bytes, options) = read_input(args).await?;
    let document = match syndic_feed::read_document(&bytes, &options) {
        Ok(document) => document,
        Err(error) => {
            eprintln!("error: no feed found in {}: {error}", args.input);
            return Ok(ExitCode::FAILURE);
        }
    };
    let out = match args.format {
        ParseFormat::Json => {
            let mut text = serde_json::to_string_pretty(&to_json(&document)?)
                .context("cannot write the JSON")?;
            text.push('\n');
            text
        }
        ParseFormat::Text => to_text(&document),
    };
    crate::cmd::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The document's bytes and how to read them.
async fn read_input(args: &ParseArgs) -> anyhow::Result<(Vec<u8>, ReadOptions)> {
    let mut options = ReadOptions {
        base_url: args.base.clone(),
        content_type: args.content_type.clone(),
        raw_html: false,
        max_entries: None,
    };
    if args.input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        check_size(bytes.len(), "standard input")?;
        return Ok((bytes, options));
    }
    let url = Url::parse(&args.input)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let Some(url) = url else {
        let path = match Url::parse(&args.input) {
            Ok(u) if u.scheme() == "file" => u
                .to_file_path()
                .map_err(|()| anyhow::anyhow!("{:?} is not a usable file URL", args.input))?,
            _ => args.input.clone().into(),
        };
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let mut bytes = Vec::new();
        file.take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        check_size(bytes.len(), &path.display().to_string())?;
        return Ok((bytes, options));
    };
    let fetcher = Fetcher::new(FetcherOptions {
        allow_networks: typed_host_networks(&url).await,
        ..FetcherOptions::default()
    })
    .context("cannot set up the HTTP client")?;
    let fetched = fetcher
        .fetch(&Location::Http(url.clone()), &Validators::default())
        .await
        .with_context(|| format!("cannot read {url}"))?;
    let Body::Changed {
        bytes,
        content_type,
    } = fetched.body
    else {
        anyhow::bail!("{url} answered 304 Not Modified to a request without validators");
    };
    if options.base_url.is_none() {
        options.base_url = fetched.base_url.or(Some(url));
    }
    if options.content_type.is_none() {
        options.content_type = content_type;
    }
    Ok((bytes, options))
}

fn check_size(len: usize, what: &str) -> anyhow::Result<()> {
    if len as u64 > MAX_INPUT_BYTES {
        anyhow::bail!(
            "{what} is larger than {} MiB; no feed is that big",
            MAX_INPUT_BYTES >> 20
        );
    }
    Ok(())
}

/// The addresses of the host the operator typed, one network each, so that a feed served
/// on this machine or the local network can be inspected. Nothing when the name does not
/// resolve (the fetch then reports that).
async fn typed_host_networks(url: &Url) -> Vec<IpNet> {
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return Vec::new();
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match tokio::net::lookup_host((host, port)).await {
        Ok(addresses) => addresses.map(|a| IpNet::from(a.ip())).collect(),
        Err(_) => Vec::new(),
    }
}

/// The fixed JSON shape: the document's own serialization (dates in RFC 3339 UTC), with
/// `format` as its family name (`rss2.0`, `atom1.0`, …) and `version` beside it.
fn to_json(document: &Document) -> anyhow::Result<Value> {
    let mut value = serde_json::to_value(document).context("cannot write the JSON")?;
    if let Value::Object(fields) = &mut value {
        fields.insert("format".into(), document.format.family().into());
        fields.insert("version".into(), document.format.version().into());
    }
    Ok(value)
}

/// A summary for people.
fn to_text(document: &Document) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_owned());
    let _ = writeln!(
        out,
        "format:      {} {}",
        document.format.family(),
        document.format.version()
    );
    let _ = writeln!(out, "encoding:    {}", document.encoding);
    let _ = writeln!(out, "title:       {}", shown(&document.title));
    let _ = writeln!(out, "link:        {}", shown(&document.link));
    let _ = writeln!(out, "description: {}", shown(&document.description));
    let _ = writeln!(out, "language:    {}", shown(&document.language));
    let updated = document
        .updated
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true));
    let _ = writeln!(out, "updated:     {}", shown(&updated));
    let _ = writeln!(out, "entries:     {}", document.entries.len());
    if document.warnings.is_empty() {
        let _ = writeln!(out, "warnings:    none");
    } else {
        let _ = writeln!(out, "warnings:");
        for warning in &document.warnings {
            let _ = writeln!(out, "  - {warning}");
        }
    }
    for (i, entry) in document.entries.iter().enumerate() {
        let when = entry.published.or(entry.updated).map_or_else(
            || "(no date)".to_owned(),
            |d| d.format("%Y-%m-%d").to_string(),
        );
        let _ = writeln!(
            out,
            "\n{:>4}. {}  {}\n      {}\n      id: {}",
            i + 1,
            when,
            entry.title.as_deref().unwrap_or("(untitled)"),
            entry.link.as_deref().unwrap_or("(no link)"),
            entry.id
        );
    }
    out
}
