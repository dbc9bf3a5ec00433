//! Command-line interface: what each subcommand takes.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// syndic follows many blogs' feeds, republishes every post in full with its attribution,
/// tags every post, and serves tag archives.
///
/// Start with `syndic demo` to see it on bundled sample feeds, or `syndic init` to write a
/// configuration of your own, then `syndic fetch` and `syndic serve`.
#[derive(Debug, Parser)]
#[command(
    name = "syndic",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Configuration file to read.
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "SYNDIC_CONFIG",
        default_value = "syndic.toml"
    )]
    pub config: PathBuf,

    /// Database URL, overriding `database.url` in the configuration: sqlite://PATH or
    /// postgres://USER@HOST/DATABASE.
    #[arg(long, global = true, env = "SYNDIC_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,

    /// More log output (-v: info, -vv: debug). RUST_LOG overrides it.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only errors.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter configuration file.
    Init(InitArgs),
    /// Read every configured source once and store new and changed posts.
    ///
    /// Exits 0 when every source was read, 1 when some failed (the others are still
    /// stored), 2 when the configuration is invalid.
    Fetch(FetchArgs),
    /// Re-apply the tag vocabulary to every stored post (after the vocabulary changed).
    ///
    /// Prints, per tag, how many posts it gains and loses, with examples. Manual decisions
    /// (`syndic tag add` / `tag remove`) are kept. With --dry-run nothing is written.
    Retag(RetagArgs),
    /// Show why a post carries its tags, and which tags it nearly got.
    ///
    /// POST is a post's number (as in its URL, /post/N/) or its original URL.
    Explain(ExplainArgs),
    /// Tag posts by hand, list the tags, or find terms that would make good tags.
    #[command(subcommand)]
    Tag(TagCommand),
    /// Decide what is republished: take a post down, restore it, approve or reject what
    /// review holds. POST is a post's number (as in /post/N/) or its original URL.
    ///
    /// Every decision is recorded in the audit log (`syndic audit`).
    #[command(subcommand)]
    Post(PostCommand),
    /// List the posts held for review (sources with `review = true`, or `[moderation]
    /// review = true`), newest first; `syndic post approve|reject` decides.
    Review(ReviewArgs),
    /// Re-apply the keep/block rules (`[[rule]]`, `only_tagged`) to stored posts.
    ///
    /// Reads every published or filtered post (pending and removed ones are people's
    /// decisions and stay as they are), prints per rule how many posts it would hide and
    /// publish, with examples, and moves them between published and filtered (a post a
    /// rule no longer hides, from a source under review, is held for review). Each move is
    /// in the audit log. With --dry-run nothing is written.
    Refilter(RefilterArgs),
    /// Read the web pages of stored posts again, for sources with `full_content`.
    ///
    /// Every post of each such source (or of the one --source names) has its page read
    /// as a fetch reads a new post's (robots.txt honoured, one request at a time per host,
    /// a second apart) and takes the page's article when it is clearly longer than the
    /// feed's text; the replaced text is kept as a revision, and search and tags follow.
    /// Prints a line per source and a summary; `syndic explain POST` says where a post's
    /// text came from.
    RefetchContent(RefetchContentArgs),
    /// Print the audit log: every takedown, restore, approval, rejection, rule that
    /// filtered a post, and manual tag, oldest first, with time, actor, action, target and
    /// reason.
    Audit(AuditArgs),
    /// List every source with its health: status, last success, last error, failures,
    /// next fetch and post count.
    Sources(SourcesArgs),
    /// Print a tag archive, newest post first, as text or a standalone HTML page.
    Export(ExportArgs),
    /// Serve the site from the store, and keep the sources fresh as they fall due.
    ///
    /// With --no-fetch it only serves the site (a web node): pages show what any process
    /// stored, as soon as it is committed. Any number of `serve`, `serve --no-fetch` and
    /// `worker` processes can share one database.
    Serve(ServeArgs),
    /// Fetch and tag sources as they fall due, without serving the site (a fetch worker).
    ///
    /// Each source is claimed with a lease in the database (`[fetch] lease`, renewed while
    /// the fetch runs), so any number of workers (and `serve` processes) share the sources
    /// without fetching one twice at once, and `[fetch] concurrency` and `per_host` hold
    /// for all of them together. A worker that dies leaves its sources to the others once
    /// its leases run out. Runs until Ctrl-C or SIGTERM; with --once it fetches what is due
    /// now and exits 0, or 1 when some source failed.
    Worker(WorkerArgs),
    /// Write the whole site as static files (pages, archives, feeds, OPML, stylesheet).
    ///
    /// The files have the same URLs as `syndic serve` (`/tag/map/` is `tag/map/index.html`),
    /// so any static web server can host them. Pages render on every core. Running it
    /// again rewrites only the files that changed and removes those the site no longer
    /// has; when nothing changed since the last build (same store, settings, theme and
    /// binary) it renders nothing at all. What the last build wrote is recorded in
    /// OUTDIR/.syndic-build.
    Build(BuildArgs),
    /// Run the whole thing on bundled sample feeds with a temporary database.
    Demo(DemoArgs),
    /// Follow a feed: give its URL, or a web page's, whose feed is then discovered.
    ///
    /// The feed is appended to the configuration file as a `[[source]]`, keeping the
    /// file's comments. When a page leads to several feeds they are listed and nothing is
    /// added (exit 1) unless `--yes` takes the first.
    Add(AddArgs),
    /// Stop following a source: remove its `[[source]]` (its stored posts are kept, unless
    /// --purge takes them all down too).
    Remove(RemoveArgs),
    /// Follow every feed of an OPML subscription list (addresses already there are skipped).
    Import(ImportArgs),
    /// Move the store between databases, back it up, check it.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Manage the local copies of posts' images (`[media] cache = true`).
    #[command(subcommand)]
    Media(MediaCommand),
    /// Set up the admin (/admin/): make its password hash.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Show what syndic understands of one feed, without storing anything.
    ///
    /// Reads a file, standard input (`-`) or an http(s) URL, and prints the format,
    /// encoding, feed fields, every entry and the warnings: what was repaired or guessed
    /// on the way. Exits 0 when a feed was read (even with warnings), 1 when nothing
    /// usable was found. Needs no configuration file.
    Parse(ParseArgs),
}

#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Remove the cached images (files, or rows with `[media] keep = "store"`) that no
    /// post (in any state) or stored revision shows, printing each one removed and the
    /// bytes freed. Images kept in the last hour are spared (a fetch may not have stored
    /// their post yet).
    Gc,
    /// Show where cached images are kept (the media folder or the store: files, bytes,
    /// budget) and the images that could not be cached: how many, and the latest with
    /// why and when each is tried again.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Read a password from standard input and print its Argon2id hash (a PHC string) on
    /// one line, for `[admin] password_hash`.
    ///
    /// Only the first line is read, without its line ending; nothing else is printed on
    /// standard output. Example: `syndic admin hash-password < password.txt`, or type the
    /// password and press Enter. Needs no configuration file.
    HashPassword,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy a whole store into an empty database: from SQLite to PostgreSQL or back, or
    /// into a new SQLite file (a backup, consistent while `syndic serve` runs).
    ///
    /// Everything is copied (sources and their fetch state, posts, tags and why posts
    /// carry them, manual tags and vetoes, aliases, WebSub subscriptions, the change
    /// clock) from one moment of the source, in batches, and every table's rows are
    /// counted on both sides at the end. The search index is rebuilt on the target. A
    /// target that is not empty is refused; a copy that was interrupted can be run again
    /// (the target is emptied and copied anew). Exits 0 when the copy is complete and
    /// verified, 1 otherwise.
    Copy(StoreCopyArgs),
    /// Check a store: schema version, rows per table, the change clock, rows naming rows
    /// that are gone, the search index, the database file. Says what is wrong and what to
    /// do.
    ///
    /// Checks the configured store, or the one --database-url names (no configuration
    /// file needed then). Changes nothing. Exits 0 when the store is healthy, 1 otherwise.
    Check,
    /// Rebuild the search index and the listings' post counts from the posts (what
    /// `syndic store check` asks for when either is out of step).
    Reindex,
}

#[derive(Debug, Args)]
pub struct StoreCopyArgs {
    /// The store to copy: sqlite://PATH, a path, or postgres://USER@HOST/DATABASE
    /// (default: the configured store).
    #[arg(long, value_name = "URL")]
    pub from: Option<String>,
    /// The empty database to copy into: sqlite://PATH (created) or
    /// postgres://USER@HOST/DATABASE (an existing, empty database).
    #[arg(long, value_name = "URL")]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct RetagArgs {
    /// Only show what would change; write nothing.
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Example posts to show per tag gained and lost.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub examples: usize,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The post: its number, or its original URL.
    #[arg(value_name = "POST")]
    pub post: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ParseFormat::Text)]
    pub format: ParseFormat,
}

#[derive(Debug, Subcommand)]
pub enum TagCommand {
    /// Give POST the tag TAG by hand; retagging never takes it away.
    ///
    /// TAG is a tag's name or alias; a name no tag has yet makes a new tag.
    Add(ManualTagArgs),
    /// Take the tag TAG from POST by hand; no automatic tagging gives it back.
    Remove(ManualTagArgs),
    /// Every tag with its number of posts, aliases and description.
    List(TagListArgs),
    /// Propose terms that would make good tags: frequent, distinctive words and phrases
    /// of the stored posts that the vocabulary lacks, with how many posts each would tag.
    Suggest(SuggestArgs),
    /// Label posts in bulk from FILE, a JSON object mapping each post (its number or
    /// original URL) to the complete list of tags it should carry.
    ///
    /// Listed tags are given by hand, every other tag the post carries is taken away, and the
    /// post is marked reviewed: the next `syndic retag` learns from it.
    Label(LabelArgs),
    /// Precision, recall and F1, per tag and overall, of the tags the current settings give
    /// the posts of a labels file (same format as `tag label`).
    Eval(EvalArgs),
}

#[derive(Debug, Args)]
pub struct LabelArgs {
    /// The labels file: a JSON object from post (number or original URL) to its tags.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The labels file: a JSON object from post (number or original URL) to its tags.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Cross-validate the learning step: cut the labeled posts into K folds and tag each
    /// with models trained on the other folds' labels.
    #[arg(long, value_name = "K")]
    pub folds: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ManualTagArgs {
    /// The post: its number, or its original URL.
    #[arg(value_name = "POST")]
    pub post: String,
    /// The tag: its name or an alias (any case).
    #[arg(value_name = "TAG")]
    pub tag: String,
}

#[derive(Debug, Args)]
pub struct TagListArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// How many suggestions to print.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Only terms found in at least this many posts.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_posts: u32,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// A summary for people: feed fields, warnings, one line per entry.
    Text,
    /// Everything understood, as one JSON object (a stable shape for programs).
    Json,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// A feed file, `-` for standard input, or an http(s) URL.
    #[arg(value_name = "PATH|URL")]
    pub input: String,
    /// The URL relative links resolve against (default: the URL read, none for files).
    #[arg(long, value_name = "URL")]
    pub base: Option<url::Url>,
    /// The Content-Type the document was served with, for its charset (default: the
    /// server's, none for files).
    #[arg(long, value_name = "TYPE")]
    pub content_type: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ParseFormat::Text)]
    pub format: ParseFormat,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The feed's URL, or a page that advertises it.
    #[arg(value_name = "URL")]
    pub url: String,
    /// The name to show for the source (default: the feed's own title).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// A tag every post of the source gets (repeatable).
    #[arg(long = "tag", short = 't', value_name = "TAG")]
    pub tags: Vec<String>,
    /// When several feeds are found, take the first instead of asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The source's URL, as configured.
    #[arg(value_name = "URL")]
    pub url: String,
    /// Also take down every post the source gave, at once: they leave every page, feed
    /// and search, and tombstones keep them from coming back (`syndic post restore`
    /// undoes one; `syndic review --removed` lists them).
    #[arg(long)]
    pub purge: bool,
    /// Why the posts were taken down (kept with them and in the audit log).
    #[arg(long, value_name = "TEXT", requires = "purge")]
    pub reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PostCommand {
    /// Take POST down everywhere at once (pages, feeds, search, the static build on its
    /// next run); its page answers 410 Gone. A tombstone keeps it from coming back on any
    /// later fetch, from its source or any other carrying the same link.
    Remove(PostRemoveArgs),
    /// Undo a takedown: POST is published again and may be fetched again.
    Restore(PostArgs),
    /// Publish posts held for review (or hidden by a rule).
    Approve(PostsArgs),
    /// Reject posts held for review: a takedown of each, with a tombstone.
    Reject(PostsRejectArgs),
    /// Undo a wrong merge: SOURCE's copy leaves POST and never merges into it again. The
    /// source's next fetch reads its feed whole and stores the copy as a post of its own
    /// (while the feed still carries the item). `syndic explain POST` lists its sources.
    Split(PostSplitArgs),
}

#[derive(Debug, Args)]
pub struct PostSplitArgs {
    /// The post: its number, or its original URL.
    #[arg(value_name = "POST")]
    pub post: String,
    /// The source whose copy leaves the post: its URL as configured, or its name.
    #[arg(value_name = "SOURCE")]
    pub source: String,
}

#[derive(Debug, Args)]
pub struct PostArgs {
    /// The post: its number, or its original URL.
    #[arg(value_name = "POST")]
    pub post: String,
}

#[derive(Debug, Args)]
pub struct PostRemoveArgs {
    /// The post: its number, or its original URL.
    #[arg(value_name = "POST")]
    pub post: String,
    /// Why it is taken down (kept with it and in the audit log; never shown to readers).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct PostsArgs {
    /// The posts: numbers or original URLs.
    #[arg(value_name = "POST", required = true)]
    pub posts: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PostsRejectArgs {
    /// The posts: numbers or original URLs.
    #[arg(value_name = "POST", required = true)]
    pub posts: Vec<String>,
    /// Why they are rejected (kept with them and in the audit log).
    #[arg(long, value_name = "TEXT", default_value = "rejected in review")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct RefilterArgs {
    /// Only show what would change; write nothing.
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Example posts to show per rule.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub examples: usize,
}

#[derive(Debug, Args)]
pub struct RefetchContentArgs {
    /// Only this source: its URL as written in the configuration, or its name.
    #[arg(long, value_name = "URL")]
    pub source: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// List the posts keep/block rules filtered instead, each with its rule.
    #[arg(long)]
    pub filtered: bool,
    /// List the posts taken down instead, each with its reason.
    #[arg(long, conflicts_with = "filtered")]
    pub removed: bool,
    /// At most this many posts.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 100)]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only decisions from this day (YYYY-MM-DD, UTC) or time (RFC 3339) on.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// At most this many decisions (the newest).
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1000)]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The OPML file (at most 2 MiB and 5000 outlines).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print the starter file instead of writing it.
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// How many sources to read at the same time (default: `[fetch] concurrency`).
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Also read sources a server told to wait (429/503) or marked gone (410).
    #[arg(long)]
    pub force: bool,
    /// Only the sources whose next fetch has come (for running from cron).
    #[arg(long)]
    pub due: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Plain text: title, attribution line, body, per post.
    Text,
    /// One standalone HTML page.
    Html,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The tag whose archive to export, by name (any case) or slug.
    #[arg(long, short = 't', value_name = "NAME")]
    pub tag: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ExportFormat::Text)]
    pub format: ExportFormat,
    /// Only the newest N posts.
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<u32>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for people.
    Table,
    /// A JSON array of objects for programs.
    Json,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The folder to write the site into (created if missing).
    #[arg(value_name = "OUTDIR")]
    pub outdir: PathBuf,
    /// How many pages to render at once [default: two per core].
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<NonZeroUsize>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on, overriding `server.listen`.
    #[arg(long, short = 'l', env = "SYNDIC_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Only serve the site: do not fetch sources as they fall due (leave that to
    /// `syndic worker` processes on the same database).
    #[arg(long)]
    pub no_fetch: bool,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Fetch every source due now (sources never fetched included), wait for those other
    /// processes are fetching, then exit: 0, or 1 when some source failed.
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(
        long,
        short = 'l',
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub listen: String,
}
