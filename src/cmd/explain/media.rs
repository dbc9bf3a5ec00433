//! The part of `syndic explain` about a post's files and images: each enclosure with its
//! type, size, playing time and picture, and each image address with where it is shown
//! from (a cached copy, or its origin and why it is not cached yet).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;
use syndic_core::media::{MediaFailure, is_media_url};
use syndic_core::{Enclosure, Post};
use syndic_store::Store;

/// One image of the post (in its content, or an enclosure's picture).
#[derive(Serialize)]
pub(super) struct ImageLine {
    pub(super) url: String,
    /// `cached` (a `/media/` copy), `failed` (a recorded failure) or `remote`.
    pub(super) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) failures: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) next_try: Option<DateTime<Utc>>,
}

/// The post's image addresses (content first, then enclosure pictures, each once), with
/// the failures the store recorded for them.
pub(super) async fn image_lines(store: &Store, post: &Post) -> anyhow::Result<Vec<ImageLine>> {
    let mut urls: Vec<String> = Vec::new();
    let pictures = post.enclosures.iter().filter_map(|e| e.thumbnail.clone());
    for url in syndic_feed::image_sources(&post.content_html)
        .into_iter()
        .chain(pictures)
    {
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
    let remote: Vec<String> = urls.iter().filter(|u| !is_media_url(u)).cloned().collect();
    let failures = if remote.is_empty() {
        Vec::new()
    } else {
        store.media_failures_of(&remote).await?
    };
    Ok(urls.into_iter().map(|url| line(url, &failures)).collect())
}

fn line(url: String, failures: &[MediaFailure]) -> ImageLine {
    let failure = failures.iter().find(|f| f.url == url);
    let status = match (is_media_url(&url), failure) {
        (true, _) => "cached",
        (false, Some(_)) => "failed",
        (false, None) => "remote",
    };
    ImageLine {
        status,
        error: failure.map(|f| f.error.clone()),
        failures: failure.map(|f| f.failures),
        next_try: failure.map(|f| f.next_try_at),
        url,
    }
}

/// The `files:` and `images:` sections of the text report.
pub(super) fn write_text(out: &mut String, enclosures: &[Enclosure], images: &[ImageLine]) {
    let _ = writeln!(out, "\nfiles (enclosures):");
    if enclosures.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for file in enclosures {
        let mut details = vec![file.media_type().to_owned()];
        details.extend(file.length.map(|bytes| format!("{bytes} bytes")));
        details.extend(file.duration.map(|seconds| format!("{seconds} s")));
        let _ = writeln!(out, "  {} ({})", file.url, details.join(", "));
        if let Some(title) = &file.title {
            let _ = writeln!(out, "    title: {title}");
        }
        if let Some(picture) = &file.thumbnail {
            let _ = writeln!(out, "    picture: {picture}");
        }
    }
    let _ = writeln!(out, "\nimages:");
    if images.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for image in images {
        let _ = writeln!(out, "  {} {}", image.status, image.url);
        if let (Some(error), Some(failures), Some(next)) =
            (&image.error, image.failures, image.next_try)
        {
            let _ = writeln!(
                out,
                "    not cached: {error} (failed {failures} time(s); next try {})",
                next.format("%Y-%m-%d %H:%M UTC")
            );
        }
    }
}
