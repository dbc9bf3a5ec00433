//! One module per subcommand; each returns the exit code it wants.

/// `println!` for command output: a reader that stops early (`syndic tag list | head`)
/// ends the command quietly instead of panicking; see [`print_line`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cmd::print_line(format_args!($($arg)*))
    };
}

mod add;
mod admin;
mod audit;
mod build;
mod demo;
mod explain;
mod export;
mod fetch;
mod import;
mod init;
mod labels;
pub(crate) mod media;
mod parse;
mod post;
mod progress;
mod refetch_content;
mod refilter;
mod remove;
pub(crate) mod retag;
mod review;
mod serve;
mod sources;
mod startup;
mod store;
mod tag;
mod worker;

use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use syndic_store::{SourceSettings, SourceSpec, Store, VocabularyTag};

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::{Config, Database, Overrides};

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let global = &cli.global;
    match cli.command {
        Command::Init(args) => init::run(global, &args),
        Command::Fetch(args) => fetch::run(&load(global, None)?, &args).await,
        Command::Sources(args) => sources::run(&load(global, None)?, &args).await,
        Command::Retag(args) => retag::run(&load(global, None)?, &args).await,
        Command::Explain(args) => explain::run(&load(global, None)?, &args).await,
        Command::Tag(args) => tag::run(&load(global, None)?, &args).await,
        Command::Export(args) => export::run(&load(global, None)?, &args).await,
        Command::Build(args) => build::run(&load(global, None)?, &args).await,
        Command::Serve(args) => {
            // Kept for the reloader, which reads the file again with the same overrides.
            let overrides = overrides(global, args.listen.clone());
            let config = Config::load(&global.config, &overrides)?;
            serve::run(&config, &args, overrides).await
        }
        Command::Worker(args) => worker::run(&load(global, None)?, &args).await,
        Command::Demo(args) => demo::run(&args).await,
        Command::Add(args) => add::run(&load(global, None)?, &args).await,
        Command::Remove(args) => remove::run(&load(global, None)?, &args).await,
        Command::Post(command) => post::run(&load(global, None)?, &command).await,
        Command::Review(args) => review::run(&load(global, None)?, &args).await,
        Command::Refilter(args) => refilter::run(&load(global, None)?, &args).await,
        Command::RefetchContent(args) => refetch_content::run(&load(global, None)?, &args).await,
        Command::Audit(args) => audit::run(&load(global, None)?, &args).await,
        Command::Import(args) => import::run(&load(global, None)?, &args),
        Command::Parse(args) => parse::run(&args).await,
        Command::Store(command) => store::run(global, &command).await,
        Command::Media(command) => media::run(&load(global, None)?, &command).await,
        Command::Admin(command) => admin::run(&command),
    }
}

pub(crate) fn load(global: &GlobalArgs, listen: Option<String>) -> anyhow::Result<Config> {
    Ok(Config::load(&global.config, &overrides(global, listen))?)
}

fn overrides(global: &GlobalArgs, listen: Option<String>) -> Overrides {
    Overrides {
        database_url: global.database_url.clone(),
        listen,
    }
}

/// Opens the configured store and brings its tags and sources in line with the config.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = open(config, Access::ReadWrite).await?;
    sync_vocabulary(&store, config).await?;
    Ok(store)
}

/// Opens the configured store read-only, for commands that only read: they work the same
/// on a store syndic may not write (a read-only file or folder, a read-only database
/// user). A store that does not exist yet, or was left by an older syndic, is created or
/// upgraded first where it can be.
pub async fn open_store_read_only(config: &Config) -> anyhow::Result<Store> {
    open(config, Access::ReadOnly).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadWrite,
    ReadOnly,
}

/// Opens the configured store without writing to it (beyond bringing its schema up to
/// date): what `store reindex` uses.
pub async fn open_store_as_is(config: &Config) -> anyhow::Result<Store> {
    open(config, Access::ReadWrite).await
}

async fn open(config: &Config, access: Access) -> anyhow::Result<Store> {
    let options = &config.store_options;
    let store = match &config.database {
        Database::File(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
                && !dir.exists()
            {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create the folder {}", dir.display()))?;
            }
            match access {
                Access::ReadWrite => Store::open_sqlite_path_with(path, options).await,
                Access::ReadOnly => Store::open_sqlite_path_read_only_with(path, options).await,
            }
        }
        Database::Url(url) => match access {
            Access::ReadWrite => Store::open_with(url, options).await,
            Access::ReadOnly => Store::open_read_only_with(url, options).await,
        },
    };
    let store = store.with_context(|| {
        format!(
            "cannot open the store (configuration {})",
            config.path.display()
        )
    })?;
    tracing::debug!(
        store.engine = store.engine_name(),
        store.read_only = store.is_read_only(),
        "opened the store"
    );
    Ok(store)
}

/// The configured vocabulary with what the store's corpus says (document frequencies) and
/// what the last `syndic retag` learned (tag profiles, models trained on people's
/// decisions): how ingest, `explain` and `tag eval` tag, so they agree with a retag.
pub async fn learned_tagger(config: &Config, store: &Store) -> anyhow::Result<syndic_tag::Tagger> {
    let tagger = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
    let (stats, saved) = read_learning(store).await?;
    Ok(tagger.with_corpus(&stats, &saved))
}

/// [`learned_tagger`] for a fetch: the vocabulary is compiled now (a bad one fails here),
/// what tagging learned is read when the first changed body is tagged, on the thread that
/// tags it. A fetch whose sources are all unchanged reads none of it.
pub fn deferred_tagger(config: &Config, store: &Store) -> anyhow::Result<syndic_tag::SharedTagger> {
    let vocabulary = config
        .tagger()
        .context("cannot compile the tag vocabulary")?;
    let (store, runtime) = (store.clone(), tokio::runtime::Handle::current());
    Ok(syndic_tag::SharedTagger::deferred(vocabulary, move || {
        // Called on a parsing thread (never the runtime's own): it may block on the store.
        runtime
            .block_on(read_learning(&store))
            .map_err(|error| syndic_tag::LearningUnreadable(error.into()))
    }))
}

/// What tagging learned, as the store keeps it: the corpus's document frequencies and the
/// models the last retag saved.
async fn read_learning(
    store: &Store,
) -> anyhow::Result<(syndic_core::CorpusStats, Vec<syndic_tag::SavedTagModel>)> {
    let stats = store
        .corpus_stats(syndic_tag::corpus::MAX_MODEL_STEMS)
        .await
        .context("cannot read the corpus's word counts")?;
    let saved: Vec<syndic_tag::SavedTagModel> = store
        .tag_models()
        .await
        .context("cannot read what tagging learned")?
        .iter()
        .filter_map(|(_, json)| syndic_tag::SavedTagModel::from_json(json))
        .collect();
    Ok((stats, saved))
}

/// Brings the store's tags (names, descriptions, aliases) in line with the vocabulary.
async fn sync_vocabulary(store: &Store, config: &Config) -> anyhow::Result<()> {
    store
        .sync_vocabulary(&vocabulary(config), Utc::now())
        .await
        .context("cannot record the tag vocabulary")
}

/// The vocabulary as the store keeps it: names, descriptions, aliases.
pub fn vocabulary(config: &Config) -> Vec<VocabularyTag> {
    config
        .tags
        .iter()
        .map(|t| VocabularyTag {
            name: t.name.clone(),
            description: t.description.clone().unwrap_or_default(),
            aliases: t.aliases.clone(),
        })
        .collect()
}

/// The store ids of the configured sources, created on first sight, in config order; each
/// source's settings (pause, updates, attribution, credit) stored with it. Sources stored
/// as configured (nearly always all) cost one read for many; the others are written one
/// by one.
pub async fn sync_sources(
    store: &Store,
    config: &Config,
) -> anyhow::Result<Vec<syndic_fetch::SourceJob>> {
    let now = Utc::now();
    let rules = match config.rules.is_empty() {
        true => None,
        false => Some(std::sync::Arc::new(
            config
                .rule_set()
                .context("cannot compile the [[rule]] entries")?,
        )),
    };
    let configured: Vec<(SourceSpec, SourceSettings)> = (config.sources.iter())
        .map(|source| {
            let spec = SourceSpec {
                url: source.url.clone(),
                name: source.name.clone(),
            };
            (spec, source.settings.clone())
        })
        .collect();
    // One read for many sources; only those that differ take the per-source path.
    let stored = store
        .sources_as_configured(&configured)
        .await
        .context("cannot read the configured sources")?;
    let mut jobs = Vec::with_capacity(config.sources.len());
    for ((source, (spec, settings)), stored) in config.sources.iter().zip(&configured).zip(stored) {
        let id = match stored {
            Some(id) => id,
            None => {
                let id = store
                    .upsert_source(spec, now)
                    .await
                    .with_context(|| format!("cannot record source {}", source.url))?;
                store
                    .sync_source_settings(id, settings)
                    .await
                    .with_context(|| {
                        format!("cannot record the settings of source {}", source.url)
                    })?;
                id
            }
        };
        jobs.push(syndic_fetch::SourceJob {
            id,
            location: source.location.clone(),
            tags: source.tags.clone(),
            review: source.review,
            options: syndic_fetch::SourceOptions {
                request: source.request.clone(),
                categories: source.categories,
                filter: syndic_fetch::SourceFilter {
                    rules: rules.clone(),
                    url: source.url.clone(),
                    only_tagged: source.only_tagged,
                },
                full_content: source.full_content.clone(),
            },
        });
    }
    Ok(jobs)
}

/// The post a command names: its number, or its original URL (an error naming the posts
/// when several share it, so that a manual decision never lands on a guess).
pub async fn resolve_post(store: &Store, post: &str) -> anyhow::Result<syndic_core::PostId> {
    let post = post.trim();
    if let Ok(number) = post.parse::<i64>() {
        let id = syndic_core::PostId(number);
        return match store
            .post_standing(id)
            .await
            .context("cannot read the post")?
        {
            Some(_) => Ok(id),
            None => anyhow::bail!(
                "there is no post {number}; a post's number is the N of its page /post/N/"
            ),
        };
    }
    let found = store
        .posts_by_link(post)
        .await
        .context("cannot look the post up")?;
    match found.as_slice() {
        [id] => Ok(*id),
        [_, _, ..] => {
            let numbers: Vec<String> = found.iter().take(10).map(|id| id.to_string()).collect();
            anyhow::bail!(
                "{} posts link to {post}: posts {}{}; give the number of the one you mean",
                found.len(),
                numbers.join(", "),
                if found.len() > numbers.len() {
                    ", …"
                } else {
                    ""
                }
            )
        }
        [] => anyhow::bail!(
            "no stored post has the original URL {post:?}; give the post's number or its \
             exact original URL"
        ),
    }
}

/// Writes a command's output to standard output. A reader that stopped early (`| head`) is
/// not an error: the rest is simply not written.
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => written.context("cannot write to standard output"),
    }
}

/// Writes one line of a command's output. When standard output is a pipe whose reader has
/// gone, the command has nothing left to say: it exits at once with success, as Unix tools
/// do (everything it changed was committed before it printed). Any other write error ends
/// it with a message and exit code 1.
pub fn print_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{args}") {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            std::process::exit(1);
        }
    }
}
