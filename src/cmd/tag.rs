//! `syndic tag add|remove|list|suggest` (`label` and `eval` are in `labels.rs`): manual decisions and the vocabulary at a glance.

use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use syndic_core::{Actor, PostId, slugify};
use syndic_store::Store;
use syndic_tag::suggest::{Coverage, SuggestOptions, Suggester};
use syndic_tag::{PostText, Tagger};

use crate::cli::{ListFormat, ManualTagArgs, SuggestArgs, TagCommand};
use crate::cmd::{open_store, open_store_read_only, resolve_post};
use crate::config::Config;

mod list;

pub async fn run(config: &Config, command: &TagCommand) -> anyhow::Result<ExitCode> {
    match command {
        TagCommand::Add(args) => add(config, args).await,
        TagCommand::Remove(args) => remove(config, args).await,
        TagCommand::List(args) => list::run(config, args).await,
        TagCommand::Suggest(args) => suggest(config, args).await,
        TagCommand::Label(args) => crate::cmd::labels::label(config, args).await,
        TagCommand::Eval(args) => crate::cmd::labels::eval(config, args).await,
    }
}

/// The tag name `given` means: a vocabulary name or alias, else a stored tag by slug or
/// alias; `None` when neither knows it.
async fn known_tag(tagger: &Tagger, store: &Store, given: &str) -> anyhow::Result<Option<String>> {
    if let Some(rule) = tagger.resolve(given) {
        return Ok(Some(rule.name.clone()));
    }
    let stored = store
        .tag_by_slug_or_alias(&slugify(given))
        .await
        .context("cannot look the tag up")?;
    Ok(stored.map(|t| t.name))
}

fn tag_argument(given: &str) -> anyhow::Result<&str> {
    let given = given.trim();
    if !given.chars().any(char::is_alphanumeric) {
        anyhow::bail!("{given:?} is not a tag name: give it at least one letter or digit");
    }
    Ok(given)
}

async fn add(config: &Config, args: &ManualTagArgs) -> anyhow::Result<ExitCode> {
    let given = tag_argument(&args.tag)?;
    let tagger = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
    let store = open_store(config).await?;
    let post = resolve_post(&store, &args.post).await?;
    let name = match known_tag(&tagger, &store, given).await? {
        Some(name) => name,
        None => new_tag_name(given)?,
    };
    let added = store
        .add_manual_tag(post, &name, Utc::now())
        .await
        .context("cannot tag the post")?;
    if !added.already_manual {
        record(&store, "tag add", post, &name).await?;
    }
    store.close().await;
    if added.created_tag {
        outln!("created the tag {name:?} (/tag/{}/)", slugify(&name));
    }
    if added.already_manual {
        outln!("post {post} already carries {name:?} by hand; nothing changed");
    } else {
        outln!("post {post} now carries {name:?} by hand; `syndic retag` keeps it");
    }
    if added.lifted_veto {
        outln!("(the earlier `syndic tag remove` of {name:?} from post {post} is undone)");
    }
    Ok(ExitCode::SUCCESS)
}

async fn remove(config: &Config, args: &ManualTagArgs) -> anyhow::Result<ExitCode> {
    let given = tag_argument(&args.tag)?;
    let tagger = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
    let store = open_store(config).await?;
    let post = resolve_post(&store, &args.post).await?;
    let Some(name) = known_tag(&tagger, &store, given).await? else {
        let known: Vec<String> = store
            .tags()
            .await
            .context("cannot list the tags")?
            .into_iter()
            .map(|t| t.name)
            .collect();
        anyhow::bail!(
            "there is no tag {given:?}; known tags: {}",
            some_names(&known)
        );
    };
    let tag = store
        .tag_by_slug(&slugify(&name))
        .await
        .context("cannot look the tag up")?
        .with_context(|| format!("the tag {name:?} has no row in the store"))?;
    let removed = store
        .remove_tag(post, tag.id, Utc::now())
        .await
        .context("cannot untag the post")?;
    if !removed.already_vetoed {
        record(&store, "tag remove", post, &name).await?;
    }
    store.close().await;
    if removed.links_removed > 0 {
        outln!(
            "removed {name:?} from post {post}; no automatic tagging gives it back \
             (undo with `syndic tag add {post} {}`)",
            shell_word(&name)
        );
    } else if removed.already_vetoed {
        outln!("post {post} does not carry {name:?}, and was already kept from it");
    } else {
        outln!("post {post} did not carry {name:?}; automatic tagging will now never give it");
    }
    Ok(ExitCode::SUCCESS)
}

/// Records a manual tag decision in the audit log (the tag's name as its reason).
async fn record(store: &Store, action: &str, post: PostId, tag: &str) -> anyhow::Result<()> {
    store
        .record_audit(Actor::Cli, action, &format!("post {post}"), tag, Utc::now())
        .await
        .context("cannot record the decision in the audit log")
}

/// Longest archive slug (in characters) `tag add` creates a tag with, as for feed categories.
const MAX_NEW_SLUG_CHARS: usize = 64;

/// The name of a tag `tag add` is about to create: its words joined by single spaces, with
/// an archive slug of at most [`MAX_NEW_SLUG_CHARS`].
fn new_tag_name(given: &str) -> anyhow::Result<String> {
    let name = given.split_whitespace().collect::<Vec<_>>().join(" ");
    let slug = slugify(&name).chars().count();
    if slug > MAX_NEW_SLUG_CHARS {
        anyhow::bail!(
            "a new tag's name makes an archive URL of {slug} characters; use a shorter name \
             (at most {MAX_NEW_SLUG_CHARS} letters, digits and dashes in /tag/…/)"
        );
    }
    Ok(name)
}

/// At most [`NAMES_SHOWN`] of `names`, comma-separated, saying how many more there are.
fn some_names(names: &[String]) -> String {
    if names.is_empty() {
        return "(none)".to_owned();
    }
    let mut out = names
        .iter()
        .take(NAMES_SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > NAMES_SHOWN {
        out.push_str(&format!(
            " and {} more (`syndic tag list`)",
            names.len() - NAMES_SHOWN
        ));
    }
    out
}

/// How many tag names an error lists.
const NAMES_SHOWN: usize = 20;

/// `name` quoted for a shell when it needs it.
fn shell_word(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_alphanumeric() || "-_.".contains(c))
    {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', "'\\''"))
    }
}

/// Two passes over every stored post: count candidate terms, then see how many posts the
/// best ones would tag at the vocabulary's threshold.
async fn suggest(config: &Config, args: &SuggestArgs) -> anyhow::Result<ExitCode> {
    let tagger = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
    let store = open_store_read_only(config).await?;
    let options = SuggestOptions {
        min_posts: args.min_posts.max(1),
        ..SuggestOptions::default()
    };
    let mut suggester = Suggester::new(&tagger, options);
    for_each_post(&store, |post| suggester.add(post)).await?;
    let posts = suggester.posts();
    let mut coverage = Coverage::new(&tagger, suggester.top(args.limit))
        .context("cannot compile the suggested terms")?;
    for_each_post(&store, |post| coverage.add(post)).await?;
    store.close().await;
    let suggestions = coverage.finish();
    match args.format {
        ListFormat::Json => {
            let json = serde_json::to_string_pretty(&suggestions).context("cannot write JSON")?;
            outln!("{json}");
        }
        ListFormat::Table => {
            if posts == 0 {
                outln!("no posts stored yet: run `syndic fetch` first, then ask again");
                return Ok(ExitCode::SUCCESS);
            }
            if suggestions.is_empty() {
                outln!(
                    "no suggestions from {posts} posts: no term outside the vocabulary is in \
                     at least {} posts and at most a tenth of them",
                    options.min_posts
                );
                return Ok(ExitCode::SUCCESS);
            }
            let width = suggestions
                .iter()
                .map(|s| s.term.chars().count())
                .max()
                .unwrap_or(0)
                .max(4);
            outln!(
                "{:width$}  {:>6}  {:>9}  {:>6}",
                "term",
                "posts",
                "would tag",
                "score"
            );
            for s in &suggestions {
                outln!(
                    "{:width$}  {:>6}  {:>9}  {:>6.2}",
                    s.term,
                    s.posts,
                    s.would_tag,
                    s.score
                );
            }
            outln!(
                "from {posts} posts; \"posts\" mention the term, \"would tag\" pass the \
                 threshold. Add the good ones as [[tag]] entries, then `syndic retag --dry-run`."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Calls `each` with every stored post, in batches.
async fn for_each_post(store: &Store, mut each: impl FnMut(&PostText<'_>)) -> anyhow::Result<()> {
    let mut after = PostId(0);
    loop {
        let batch = store
            .posts_for_tagging(after, 5000)
            .await
            .context("cannot read stored posts")?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after = last.id;
        for post in &batch {
            each(&PostText {
                title: &post.title,
                text: &post.content_text,
                language: post.language.as_deref(),
                categories: &post.categories,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_tag_has_a_bounded_slug_and_single_spaces() {
        assert_eq!(
            new_tag_name("Home \n  Lab").ok().as_deref(),
            Some("Home Lab")
        );
        assert!(new_tag_name(&"y".repeat(64)).is_ok());
        let err = new_tag_name(&"y".repeat(5000))
            .expect_err("too long")
            .to_string();
        assert!(err.contains("5000 characters"), "{err}");
    }

    #[test]
    fn an_error_lists_a_bounded_number_of_tag_names() {
        assert_eq!(some_names(&[]), "(none)");
        let few: Vec<String> = ["a", "b"].map(String::from).to_vec();
        assert_eq!(some_names(&few), "a, b");
        let many: Vec<String> = (0..5000).map(|i| format!("tag{i}")).collect();
        let listed = some_names(&many);
        assert!(
            listed.ends_with(" and 4980 more (`syndic tag list`)"),
            "{listed}"
        );
        assert!(
            listed.contains("tag19") && !listed.contains("tag20,"),
            "{listed}"
        );
    }
}
