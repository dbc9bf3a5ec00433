//! `syndic explain POST`: why a post carries its tags, and which tags it nearly got; where
//! it came from, and how many versions of it upstream edits left; the files it carries
//! and where its images are shown from.

mod media;

mod origin;

use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use syndic_core::{Admission, Enclosure, MergeReason, PostCopy, PostId, PostState};
use syndic_store::{PostStanding, Store, TagReason};
use syndic_tag::{Explanation, PostText};

use crate::cli::{ExplainArgs, ParseFormat};
use crate::cmd::{learned_tagger, open_store_read_only, refilter, resolve_post};
use crate::config::Config;

/// Everything `--format json` prints.
#[derive(Serialize)]
struct Report<'a> {
    post: PostSummary<'a>,
    /// Every source that carries the post, the one it is credited to first: each feed's
    /// URL as configured, and the item's own link there.
    sources: Vec<SourceLink<'a>>,
    /// Versions kept, the current one included: 1 for a post never edited upstream.
    revisions: u32,
    /// Where its text came from: the feed, or its web page (`full_content`).
    content_origin: origin::ContentOriginReport,
    /// The tags the post carries now, one row per reason.
    stored: Vec<StoredTag<'a>>,
    /// Tags people removed by hand, which automatic tagging may not give back.
    vetoed: Vec<&'a str>,
    /// What the current vocabulary concludes, applied tags and near misses alike.
    analysis: &'a [Explanation],
    /// Where the post stands (`published`, `pending`, `filtered`, `removed`).
    state: &'a str,
    /// What the keep/block rules did or do with it: the `filter:` line.
    filter: &'a str,
    /// The files it carries, in the feed's order.
    enclosures: &'a [Enclosure],
    /// Its images (content, then enclosure pictures): cached, failed (why, next try) or
    /// remote.
    images: Vec<media::ImageLine>,
}

#[derive(Serialize)]
struct PostSummary<'a> {
    id: i64,
    title: &'a str,
    link: Option<&'a str>,
    source: &'a str,
    language: Option<&'a str>,
    categories: &'a [String],
}

#[derive(Serialize)]
struct SourceLink<'a> {
    url: &'a str,
    name: &'a str,
    link: Option<&'a str>,
    guid: &'a str,
    /// Whether the post is credited to this source.
    credited: bool,
    /// Why this source's copy is this post: `own`, `link`, `original link`, `fingerprint`.
    why: &'static str,
    /// For `fingerprint`: how many bits the copies' fingerprints differ in.
    #[serde(skip_serializing_if = "Option::is_none")]
    distance: Option<u32>,
    /// The same, for people: "same link", "fingerprint distance 2 of at most 3".
    reason: String,
    seen_at: chrono::DateTime<chrono::Utc>,
}

fn source_link(copy: &PostCopy) -> SourceLink<'_> {
    SourceLink {
        url: &copy.source_url,
        name: &copy.source_name,
        link: copy.link.as_deref(),
        guid: &copy.guid,
        credited: copy.credited,
        why: copy.why.as_str(),
        distance: match copy.why {
            MergeReason::Fingerprint { distance } => Some(distance),
            _ => None,
        },
        reason: copy.why.describe(),
        seen_at: copy.seen_at,
    }
}

#[derive(Serialize)]
struct StoredTag<'a> {
    tag: &'a str,
    origin: &'static str,
    detail: &'a str,
}

pub async fn run(config: &Config, args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let store = open_store_read_only(config).await?;
    let id = resolve_post(&store, &args.post).await?;
    let post = store
        .post_in_any_state(id)
        .await
        .context("cannot read the post")?
        .with_context(|| format!("post {id} vanished"))?;
    let for_tagging = store
        .post_for_tagging(id)
        .await
        .context("cannot read the post")?
        .with_context(|| format!("post {id} vanished"))?;
    let links = store
        .tag_reasons(id)
        .await
        .context("cannot read the post's tags")?;
    let vetoes = store
        .post_vetoes(id)
        .await
        .context("cannot read the post's tags")?;
    let copies = store
        .post_sources(id)
        .await
        .context("cannot read the post's sources")?;
    let revisions = store
        .version_count(id)
        .await
        .context("cannot count the post's versions")?;
    let content_origin = store
        .content_origin(id)
        .await
        .context("cannot read where the post's text came from")?;
    let tagger = learned_tagger(config, &store).await?;
    let standing = store
        .post_standing(id)
        .await
        .context("cannot read the post's state")?
        .with_context(|| format!("post {id} vanished"))?;
    let filter = filter_line(config, &store, id, &standing).await?;
    let images = media::image_lines(&store, &post)
        .await
        .context("cannot read the post's image failures")?;
    store.close().await;
    let analysis = tagger.explain(&PostText::from(&for_tagging));
    let report = Report {
        post: PostSummary {
            id: id.0,
            title: &post.title,
            link: post.link.as_deref(),
            source: &post.source_name,
            language: for_tagging.language.as_deref(),
            categories: &post.categories,
        },
        sources: copies.iter().map(source_link).collect(),
        revisions,
        content_origin: origin::ContentOriginReport::of(content_origin),
        stored: links.iter().map(stored).collect(),
        vetoed: vetoes.iter().map(|t| t.name.as_str()).collect(),
        analysis: &analysis,
        state: standing.state.as_str(),
        filter: &filter,
        enclosures: &post.enclosures,
        images,
    };
    match args.format {
        ParseFormat::Json => {
            let json = serde_json::to_string_pretty(&report).context("cannot write JSON")?;
            outln!("{json}");
        }
        ParseFormat::Text => print!("{}", text(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

/// What the keep/block rules say of post `id`: the rule that filtered it, or every rule
/// checked against it now and their verdict.
async fn filter_line(
    config: &Config,
    store: &Store,
    id: PostId,
    standing: &PostStanding,
) -> anyhow::Result<String> {
    match standing.state {
        PostState::Filtered => return Ok(format!("hidden by rule {:?}", standing.detail)),
        PostState::Removed => return Ok("not checked: taken down by a person".to_owned()),
        PostState::Published | PostState::Pending => {}
    }
    let rules = config
        .rule_set()
        .context("cannot compile the [[rule]] entries")?;
    let vocabulary = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
    let sources = refilter::source_rules(store, config).await?;
    // The page of published or filtered posts after id - 1 starts with this one, if it is
    // one of them (a pending post is read as tagging reads it, without its tags).
    let post = store
        .posts_for_filter(PostId(id.0 - 1), 1)
        .await
        .context("cannot read the post")?
        .into_iter()
        .find(|p| p.id == id);
    let Some(post) = post else {
        return Ok("not checked: held for review".to_owned());
    };
    let source = sources.get(&post.source_id);
    let (checks, verdict) = refilter::explain(&rules, &vocabulary, &post, source);
    let mut line = if checks.is_empty() {
        "no [[rule]] entries".to_owned()
    } else {
        let checked: Vec<String> = checks
            .iter()
            .map(|c| {
                let result = match (c.applies, c.matched) {
                    (false, _) => "not for this source",
                    (true, true) => "matches",
                    (true, false) => "no match",
                };
                format!("{:?} ({}, {result})", c.rule, c.action.as_str())
            })
            .collect();
        format!("checked {}", checked.join(", "))
    };
    match verdict {
        Admission::Filter { rule } => {
            line.push_str(&format!("; now it would be hidden by {rule:?}"))
        }
        _ => line.push_str("; none hides it"),
    }
    Ok(line)
}

fn stored(link: &TagReason) -> StoredTag<'_> {
    StoredTag {
        tag: &link.tag.name,
        origin: link.origin.as_str(),
        detail: &link.detail,
    }
}

/// The report for people.
fn text(report: &Report<'_>) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let post = &report.post;
    let title = if post.title.is_empty() {
        "(untitled)"
    } else {
        post.title
    };
    let _ = writeln!(out, "post {}: {title}", post.id);
    let _ = writeln!(out, "  original: {}", post.link.unwrap_or("(none)"));
    let _ = writeln!(out, "  source:   {}", post.source);
    let _ = writeln!(out, "  state:    {}", report.state);
    let _ = writeln!(out, "  filter: {}", report.filter);
    let _ = writeln!(
        out,
        "  language: {}",
        post.language.unwrap_or("(not declared)")
    );
    if !post.categories.is_empty() {
        let _ = writeln!(out, "  feed categories: {}", post.categories.join(", "));
    }
    let earlier = report.revisions.saturating_sub(1);
    let _ = writeln!(
        out,
        "  versions: {} ({})",
        report.revisions,
        match earlier {
            0 => "never edited upstream".to_owned(),
            1 => "1 earlier version kept".to_owned(),
            n => format!("{n} earlier versions kept"),
        }
    );
    let _ = writeln!(out, "  text:     {}", report.content_origin.line());
    let _ = writeln!(
        out,
        "
sources carrying it:"
    );
    for source in &report.sources {
        let _ = writeln!(
            out,
            "  {} ({}): item {}",
            source.name,
            source.url,
            source.link.unwrap_or("(no link)")
        );
        let credit = if source.credited { "credited; " } else { "" };
        let _ = writeln!(out, "    {credit}{}", source.reason);
    }
    media::write_text(&mut out, report.enclosures, &report.images);

    let _ = writeln!(out, "\ntags it carries:");
    if report.stored.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    let width = report
        .stored
        .iter()
        .map(|s| s.tag.chars().count())
        .max()
        .unwrap_or(0);
    for tag in &report.stored {
        let detail = match (tag.origin, tag.detail) {
            ("manual", "") => "decided by hand",
            (_, detail) => detail,
        };
        let _ = writeln!(out, "  {:width$}  {:<8}  {detail}", tag.tag, tag.origin);
    }
    if !report.vetoed.is_empty() {
        let _ = writeln!(
            out,
            "removed by hand (never given back automatically): {}",
            report.vetoed.join(", ")
        );
    }

    let (applied, missed): (Vec<&Explanation>, Vec<&Explanation>) =
        report.analysis.iter().partition(|e| e.applied);
    let _ = writeln!(out, "\nwhat the current vocabulary gives:");
    if applied.is_empty() {
        let _ = writeln!(out, "  (no tag)");
    }
    for explanation in applied {
        explain_one(&mut out, explanation);
    }
    let _ = writeln!(out, "\nnear misses (tags considered, not given):");
    if missed.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for explanation in missed {
        explain_one(&mut out, explanation);
    }
    out
}

fn explain_one(out: &mut String, e: &Explanation) {
    use std::fmt::Write as _;
    let verdict = if let Some(category) = &e.category {
        format!("from the feed category {category:?}")
    } else if let Some(term) = &e.excluded_by {
        format!(
            "excluded: the exclude term {term:?} matched (score {:.2})",
            e.score
        )
    } else if e.applied {
        format!("score {:.2} >= min_score {:.2}", e.score, e.min_score)
    } else {
        format!(
            "below the threshold: score {:.2} < min_score {:.2}",
            e.score, e.min_score
        )
    };
    let _ = writeln!(out, "  {} ({}): {verdict}", e.tag, e.origin);
    if e.category.is_none() {
        let _ = writeln!(out, "    {}", score_parts(e));
    }
    for m in &e.matches {
        let zones: Vec<String> = m
            .zones
            .iter()
            .map(|(zone, n)| format!("{} x{n}", zone.as_str()))
            .collect();
        let frequency = m.frequency.map_or(String::new(), |f| {
            format!(
                "; in {} of {} posts, each occurrence weighs {:.2}",
                f.posts, f.of, f.weight
            )
        });
        let form = m.form.as_ref().map_or(String::new(), |f| {
            format!(" (matched {f:?} as a form of {:?})", m.term)
        });
        let _ = writeln!(
            out,
            "    term {:?}{form} in {}: {} (+{:.2}{frequency})",
            m.term,
            m.field,
            zones.join(", "),
            m.weight
        );
        if !m.snippet.is_empty() {
            let _ = writeln!(out, "      \"{}\"", m.snippet.replace('\n', " "));
        }
    }
}

/// How a score is made: the terms' own score, the profile's part and the learned model's.
fn score_parts(e: &Explanation) -> String {
    let mut parts = vec![format!("terms {:.2}", e.literal)];
    match e.profile {
        Some(p) => parts.push(format!(
            "profile {:+.2} (similarity {:.2} to {} posts about it)",
            p.contribution, p.similarity, p.members
        )),
        None => parts.push("no profile yet (built by `syndic retag`)".to_owned()),
    }
    match e.learned {
        Some(learned) => parts.push(format!("learned from decisions {learned:+.2}")),
        None => parts.push("nothing learned from decisions".to_owned()),
    }
    parts.join(", ")
}
