//! Hot reload of the tag vocabulary while `syndic serve` runs.
//!
//! The configuration file is checked every [`POLL`] (modification time and size) and read
//! again at once on SIGHUP. A valid file whose `[[tag]]` list changed is compiled, its tags
//! get their rows (so new archives answer at once), and the new tagger is put in force
//! through the [`SharedTagger`]: fetches already running finish with the old one. Stored
//! posts keep their tags until `syndic retag`. An invalid file is reported (file, key,
//! problem) and changes nothing: the server carries on with the vocabulary it had.
//!
//! What a `syndic retag` learned (corpus counts, tag profiles, trained models) is followed
//! the same way: the store's model version is read at every poll, and when another process
//! saved new models the tagger in force is rebuilt with them.
//!
//! Only the vocabulary reloads. Everything else (`[[source]]`, `[site]`, `[fetch]`,
//! `[database]`, `[server]`, `[websub]`) is read at start-up; a change there is reported as
//! needing a restart.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::Utc;
use syndic_core::slugify;
use syndic_store::Store;
use syndic_tag::{SharedTagger, TagRule};
use syndic_web::PageCache;
use tokio::sync::watch;

use crate::config::{Config, Overrides};

/// How often the configuration file's modification time and size are compared.
pub const POLL: Duration = Duration::from_secs(2);

/// What identifies a version of the file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &std::path::Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
    })
}

/// Watches the configuration `serve` was started with and keeps `tagger` in step with its
/// vocabulary.
pub struct Reloader {
    path: PathBuf,
    overrides: Overrides,
    store: Store,
    tagger: Arc<SharedTagger>,
    /// The configuration in force: its tags are the vocabulary `tagger` was compiled from.
    current: Config,
    seen: Option<Stamp>,
    /// The version of the store's saved tag models the tagger in force was built with.
    models: Option<i64>,
    /// Emptied by every reload that changed the vocabulary: tag descriptions and aliases
    /// show on pages.
    page_cache: PageCache,
}

/// What one reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The new vocabulary is in force: how many tags, how many added and removed (by slug).
    Reloaded {
        tags: usize,
        added: usize,
        removed: usize,
    },
    /// The file is valid and its vocabulary unchanged.
    Unchanged,
    /// The file (or its vocabulary) is invalid, or the store refused the tag rows; the
    /// previous vocabulary stays.
    Rejected,
}

impl Reloader {
    /// A reloader for `config` (as loaded with `overrides`), whose compiled vocabulary is
    /// `tagger`.
    pub fn new(
        config: &Config,
        overrides: Overrides,
        store: Store,
        tagger: Arc<SharedTagger>,
    ) -> Reloader {
        Reloader {
            path: config.path.clone(),
            overrides,
            store,
            tagger,
            seen: stamp(&config.path),
            models: None,
            current: config.clone(),
            page_cache: PageCache::new(0),
        }
    }

    /// This reloader, emptying `cache` whenever it puts a new vocabulary in force.
    pub fn with_page_cache(mut self, cache: PageCache) -> Reloader {
        self.page_cache = cache;
        self
    }

    /// Polls the file and listens for SIGHUP until `stop` turns true.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let stopped = async move {
            let _ = stop.wait_for(|stop| *stop).await;
        };
        tokio::pin!(stopped);
        let mut hangups = hangups();
        let mut poll = tokio::time::interval(POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        poll.tick().await;
        loop {
            tokio::select! {
                () = &mut stopped => break,
                _ = poll.tick() => {
                    self.follow_models().await;
                    let now = stamp(&self.path);
                    // A file briefly missing (replaced by rename) is looked at next time.
                    if now.is_some() && now != self.seen {
                        self.seen = now;
                        self.reload("the configuration file changed").await;
                    }
                }
                Some(()) = next_hangup(&mut hangups) => {
                    self.seen = stamp(&self.path);
                    self.reload("SIGHUP").await;
                }
            }
        }
    }

    /// Reads the file again and, when it is valid and its vocabulary changed, puts the new
    /// vocabulary in force. Never fails: problems are logged and the old vocabulary stays.
    pub async fn reload(&mut self, why: &str) -> Outcome {
        tracing::info!("reading {} again ({why})", self.path.display());
        let config = match Config::load(&self.path, &self.overrides) {
            Ok(config) => config,
            Err(error) => {
                tracing::error!(
                    "configuration not reloaded, the previous vocabulary stays in force: {error}"
                );
                return Outcome::Rejected;
            }
        };
        let restart = needs_restart(&self.current, &config);
        if !restart.is_empty() {
            tracing::warn!(
                "changes to {} take effect after a restart of `syndic serve`; only the tag \
                 vocabulary reloads",
                restart.join(", ")
            );
        }
        if config.tags == self.current.tags && config.tagging == self.current.tagging {
            tracing::info!("the tag vocabulary is unchanged");
            self.current = config;
            return Outcome::Unchanged;
        }
        let tagger = match crate::cmd::learned_tagger(&config, &self.store).await {
            Ok(tagger) => tagger,
            Err(error) => {
                tracing::error!(
                    "configuration not reloaded, the previous vocabulary stays in force: \
                     {error:#} ({})",
                    self.path.display()
                );
                return Outcome::Rejected;
            }
        };
        let vocabulary = crate::cmd::vocabulary(&config);
        if self.store.is_read_only() {
            tracing::info!(
                "the store is read-only here: the new tags' rows and descriptions are recorded \
                 by the next command that writes (`syndic fetch`, `syndic serve`)"
            );
        } else if let Err(error) = self.store.sync_vocabulary(&vocabulary, Utc::now()).await {
            tracing::error!(
                "vocabulary not reloaded, the previous one stays in force: cannot record its \
                 tags: {}; save the file again or send SIGHUP to retry",
                error_chain(&error)
            );
            return Outcome::Rejected;
        }
        self.tagger.replace(tagger);
        self.page_cache.clear();
        let (added, removed) = difference(&self.current.tags, &config.tags);
        let tags = config.tags.len();
        tracing::info!(
            "vocabulary reloaded: {tags} tags (+{added} -{removed}); new fetches use it, \
             run `syndic retag` to apply it to stored posts"
        );
        self.current = config;
        Outcome::Reloaded {
            tags,
            added,
            removed,
        }
    }
}

impl Reloader {
    /// Rebuilds the tagger in force when a retag saved new models since it was built (the
    /// first call only notes the version).
    pub async fn follow_models(&mut self) {
        let version = match self.store.tag_model_version().await {
            Ok(version) => version,
            Err(error) => {
                tracing::warn!("cannot read the tag model version: {}", error_chain(&error));
                return;
            }
        };
        let seen = self.models.replace(version);
        if seen.is_none() || seen == Some(version) {
            return;
        }
        match crate::cmd::learned_tagger(&self.current, &self.store).await {
            Ok(tagger) => {
                self.tagger.replace(tagger);
                tracing::info!("tagging models reloaded (a retag saved version {version})");
            }
            Err(error) => tracing::warn!("tagging models not reloaded: {error:#}"),
        }
    }
}

/// How many tags `new` has that `old` has not, and the other way round (by slug, as the
/// store and archive addresses tell tags apart).
fn difference(old: &[TagRule], new: &[TagRule]) -> (usize, usize) {
    let slugs = |rules: &[TagRule]| -> BTreeSet<String> {
        rules.iter().map(|rule| slugify(&rule.name)).collect()
    };
    let (old, new) = (slugs(old), slugs(new));
    (new.difference(&old).count(), old.difference(&new).count())
}

/// The parts of the configuration that differ and are only read at start-up.
fn needs_restart(old: &Config, new: &Config) -> Vec<&'static str> {
    // The parts are compared by their `Debug` form: not every config type is `PartialEq`,
    // and what is printed is exactly what was read.
    let same =
        |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| format!("{a:?}") == format!("{b:?}");
    let mut parts = Vec::new();
    if !same(&old.sources, &new.sources) {
        parts.push("[[source]]");
    }
    if !same(&old.site, &new.site) {
        parts.push("[site]/[websub]");
    }
    if !same(&old.fetch, &new.fetch) {
        parts.push("[fetch]");
    }
    if old.database != new.database {
        parts.push("[database]");
    }
    if old.listen != new.listen || old.server != new.server {
        parts.push("[server]");
    }
    parts
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(unix)]
type Hangups = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangups = ();

#[cfg(unix)]
fn hangups() -> Hangups {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::hangup()) {
        Ok(signal) => Some(signal),
        Err(error) => {
            tracing::warn!("cannot listen for SIGHUP ({error}); the file is still watched");
            None
        }
    }
}

#[cfg(not(unix))]
fn hangups() -> Hangups {}

/// The next SIGHUP; never, where there is none.
#[cfg(unix)]
async fn next_hangup(hangups: &mut Hangups) -> Option<()> {
    match hangups {
        Some(signal) => signal.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangups) -> Option<()> {
    std::future::pending().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &std::path::Path, tags: &str) -> PathBuf {
        let path = dir.join("syndic.toml");
        let text = format!(
            "[site]\ntitle = \"Reload\"\n\n[database]\nurl = \"sqlite://reload.db\"\n\n{tags}"
        );
        std::fs::write(&path, text).expect("write config");
        path
    }

    async fn reloader(dir: &std::path::Path, tags: &str) -> (Reloader, Arc<SharedTagger>) {
        let path = write(dir, tags);
        let config = Config::load(&path, &Overrides::default()).expect("valid config");
        let store = Store::open_sqlite_path(&dir.join("reload.db"))
            .await
            .expect("store");
        let shared = Arc::new(SharedTagger::new(config.tagger().expect("tagger")));
        let reloader = Reloader::new(&config, Overrides::default(), store, Arc::clone(&shared));
        (reloader, shared)
    }

    fn tags_of(shared: &SharedTagger, title: &str) -> Vec<String> {
        let post = syndic_tag::PostText {
            title,
            ..syndic_tag::PostText::default()
        };
        shared
            .current()
            .expect("a ready tagger")
            .tag(&post)
            .into_iter()
            .map(|a| a.tag)
            .collect()
    }

    #[tokio::test]
    async fn a_changed_vocabulary_is_put_in_force_and_its_tags_get_rows() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut reloader, shared) = reloader(dir.path(), "[[tag]]\nname = \"map\"\n").await;
        assert_eq!(tags_of(&shared, "A map of rust"), ["map"]);
        write(
            dir.path(),
            "[[tag]]\nname = \"rust\"\n\n[[tag]]\nname = \"ocean\"\n",
        );
        assert_eq!(
            reloader.reload("test").await,
            Outcome::Reloaded {
                tags: 2,
                added: 2,
                removed: 1
            }
        );
        assert_eq!(tags_of(&shared, "A map of rust"), ["rust"]);
        let ocean = reloader.store.tag_by_slug("ocean").await.expect("lookup");
        assert!(ocean.is_some(), "a new tag's archive exists at once");
        assert_eq!(reloader.reload("again").await, Outcome::Unchanged);
    }

    #[tokio::test]
    async fn an_invalid_file_keeps_the_vocabulary_in_force() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut reloader, shared) = reloader(dir.path(), "[[tag]]\nname = \"map\"\n").await;
        write(dir.path(), "[[tag]]\nname = \"rust\"\nterms = [\"\"]\n");
        assert_eq!(reloader.reload("test").await, Outcome::Rejected);
        write(dir.path(), "[[tag]]\nname = \"rust\"\nbogus = 1\n");
        assert_eq!(reloader.reload("test").await, Outcome::Rejected);
        assert_eq!(tags_of(&shared, "map and rust"), ["map"]);
        assert_eq!(reloader.current.tags[0].name, "map");
    }

    /// GET `path` from a server at `address`.
    fn get(address: std::net::SocketAddr, path: &str) -> String {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        let request = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).expect("send");
        let mut reply = String::new();
        stream.read_to_string(&mut reply).expect("reply");
        reply
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reload_that_changes_the_vocabulary_empties_the_page_cache() {
        let dir = tempfile::tempdir().expect("dir");
        let (reloader, _) = reloader(dir.path(), "[[tag]]\nname = \"map\"\n").await;
        let cache = PageCache::new(1 << 20);
        let mut reloader = reloader.with_page_cache(cache.clone());
        let config = Config::load(&reloader.path, &Overrides::default()).expect("config");
        let state = syndic_web::AppState::new(reloader.store.clone(), config.site)
            .expect("state")
            .with_page_cache(cache.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let limits = syndic_web::ConnectionLimits::default();
        tokio::spawn(syndic_web::serve(
            listener,
            state,
            limits,
            std::future::pending(),
        ));
        let page = tokio::task::spawn_blocking(move || get(address, "/tags/"))
            .await
            .expect("client");
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert_eq!(cache.usage().0, 1);
        assert_eq!(reloader.reload("unchanged").await, Outcome::Unchanged);
        assert_eq!(
            cache.usage().0,
            1,
            "an unchanged vocabulary keeps the pages"
        );
        write(
            dir.path(),
            "[[tag]]\nname = \"map\"\ndescription = \"Charts\"\n",
        );
        assert!(matches!(
            reloader.reload("test").await,
            Outcome::Reloaded { .. }
        ));
        assert_eq!(cache.usage(), (0, 0), "a new vocabulary empties the cache");
    }

    #[test]
    fn added_and_removed_count_tags_by_slug() {
        let old = [TagRule::new("Map", &[]), TagRule::new("rust", &[])];
        let new = [TagRule::new("map", &[]), TagRule::new("ocean", &[])];
        assert_eq!(difference(&old, &new), (1, 1));
    }
}
