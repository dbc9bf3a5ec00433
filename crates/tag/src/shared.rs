//! A compiled vocabulary that a running server can swap for a new one, and that a fetch
//! may leave without its corpus until a post needs tagging.
//!
//! Why deferred: the corpus model (the store's document frequencies and the models the
//! last retag saved) is the biggest read a `syndic fetch` makes at start-up, about 0.1 s
//! of a 0.5 s re-fetch of 300 unchanged sources, which tag nothing. A deferred tagger
//! reads it through the caller's [`ReadLearning`] the first time it is asked for, once
//! however many ask at the same time, so the tags of the first changed body are the ones
//! an eager read would have given (nothing in between changes the corpus).

use std::sync::{Arc, Mutex, RwLock};

use crate::{CorpusStats, SavedTagModel, Tagger};

/// Reads what tagging learned (the corpus's counts, the saved tag models) for a deferred
/// tagger. It runs on the thread that first asks for the tagger, which may block (the
/// binary blocks on its async store): never call [`SharedTagger::current`] of a deferred
/// tagger on an async runtime's threads.
pub type ReadLearning =
    dyn Fn() -> Result<(CorpusStats, Vec<SavedTagModel>), LearningUnreadable> + Send + Sync;

/// The store could not say what tagging learned: nothing was tagged, and the next
/// [`SharedTagger::current`] tries again.
#[derive(Debug, thiserror::Error)]
#[error("cannot read what tagging learned (corpus counts, tag models): {0}")]
pub struct LearningUnreadable(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// The current [`Tagger`], replaceable while in use: `serve` reloads the vocabulary on change
/// or SIGHUP, and fetches already running finish with the tagger they started with.
pub struct SharedTagger {
    current: RwLock<Current>,
    /// Held while a deferred tagger's learning is read, so it is read once.
    reading: Mutex<()>,
}

enum Current {
    Ready(Arc<Tagger>),
    /// The vocabulary, compiled; the corpus model is added on first use.
    Deferred {
        vocabulary: Arc<Tagger>,
        read: Arc<ReadLearning>,
    },
}

impl std::fmt::Debug for SharedTagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ready = matches!(*self.read_current(), Current::Ready(_));
        f.debug_struct("SharedTagger")
            .field("ready", &ready)
            .finish()
    }
}

impl SharedTagger {
    pub fn new(tagger: Tagger) -> SharedTagger {
        SharedTagger::with(Current::Ready(Arc::new(tagger)))
    }

    /// `vocabulary` (compiled without a corpus) with what `read` gives added the first time
    /// the tagger is asked for ([`Tagger::with_corpus`]): the tags are those of
    /// `SharedTagger::new(vocabulary.with_corpus(..))` made at that moment.
    pub fn deferred(
        vocabulary: Tagger,
        read: impl Fn() -> Result<(CorpusStats, Vec<SavedTagModel>), LearningUnreadable>
        + Send
        + Sync
        + 'static,
    ) -> SharedTagger {
        SharedTagger::with(Current::Deferred {
            vocabulary: Arc::new(vocabulary),
            read: Arc::new(read),
        })
    }

    fn with(current: Current) -> SharedTagger {
        SharedTagger {
            current: RwLock::new(current),
            reading: Mutex::new(()),
        }
    }

    /// Whether the tagger is built (not waiting for its first use to read its corpus).
    pub fn is_ready(&self) -> bool {
        matches!(*self.read_current(), Current::Ready(_))
    }

    /// The tagger in force now. A deferred one reads its learning first (blocking this
    /// thread; see [`ReadLearning`]), once: others asking meanwhile wait for that read.
    pub fn current(&self) -> Result<Arc<Tagger>, LearningUnreadable> {
        if let Current::Ready(tagger) = &*self.read_current() {
            return Ok(Arc::clone(tagger));
        }
        // A reader never panics while holding the lock, so a poisoned one is still usable.
        let _reading = self.reading.lock().unwrap_or_else(|e| e.into_inner());
        let (vocabulary, read) = match &*self.read_current() {
            Current::Ready(tagger) => return Ok(Arc::clone(tagger)),
            Current::Deferred { vocabulary, read } => (Arc::clone(vocabulary), Arc::clone(read)),
        };
        let (stats, saved) = read()?;
        let tagger = Arc::new(vocabulary.with_corpus(&stats, &saved));
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        match &*current {
            // Replaced while the learning was read: the replacement is in force.
            Current::Ready(replacement) => Ok(Arc::clone(replacement)),
            Current::Deferred { .. } => {
                *current = Current::Ready(Arc::clone(&tagger));
                Ok(tagger)
            }
        }
    }

    /// Puts `tagger` in force for everything that asks from now on.
    pub fn replace(&self, tagger: Tagger) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Current::Ready(Arc::new(tagger));
    }

    fn read_current(&self) -> std::sync::RwLockReadGuard<'_, Current> {
        // A writer never panics while holding the lock (it only swaps an Arc), so a poisoned
        // lock still holds a valid tagger.
        self.current.read().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::{PostText, TagRule};

    fn post(title: &str) -> PostText<'_> {
        PostText {
            title,
            ..PostText::default()
        }
    }

    #[test]
    fn a_replaced_tagger_is_what_later_callers_get() {
        let shared = SharedTagger::new(Tagger::new(&[TagRule::new("map", &[])]).expect("compiles"));
        let before = shared.current().expect("ready");
        shared.replace(Tagger::new(&[TagRule::new("rust", &[])]).expect("compiles"));
        let post = post("map and rust");
        assert_eq!(before.tag(&post)[0].tag, "map", "a holder keeps its tagger");
        assert_eq!(shared.current().expect("ready").tag(&post)[0].tag, "rust");
    }

    #[test]
    fn a_deferred_tagger_reads_its_learning_once_on_first_use() {
        let reads = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&reads);
        let vocabulary = Tagger::new(&[TagRule::new("map", &[])]).expect("compiles");
        let shared = Arc::new(SharedTagger::deferred(vocabulary, move || {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok((CorpusStats::default(), Vec::new()))
        }));
        assert!(!shared.is_ready());
        assert_eq!(reads.load(Ordering::SeqCst), 0, "nothing read before use");
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || {
                    shared.current().expect("read").tag(&post("maps"))[0]
                        .tag
                        .clone()
                })
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().expect("no panic"), "map");
        }
        assert_eq!(
            reads.load(Ordering::SeqCst),
            1,
            "read once for every caller"
        );
        assert!(shared.is_ready());
    }

    #[test]
    fn a_deferred_tagger_tags_as_the_same_vocabulary_with_the_corpus_would() {
        let rules = [TagRule::new("map", &["atlas"])];
        let stats = CorpusStats {
            posts: 100,
            stems: vec![("map".to_owned(), 90), ("atla".to_owned(), 2)],
        };
        let read_stats = stats.clone();
        let shared = SharedTagger::deferred(Tagger::new(&rules).expect("compiles"), move || {
            Ok((read_stats.clone(), Vec::new()))
        });
        let eager = Tagger::new(&rules)
            .expect("compiles")
            .with_corpus(&stats, &[]);
        let text = post("an atlas of maps");
        assert_eq!(shared.current().expect("read").tag(&text), eager.tag(&text));
    }

    #[test]
    fn a_failed_read_is_tried_again_by_the_next_caller() {
        let tries = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&tries);
        let shared = SharedTagger::deferred(Tagger::new(&[]).expect("compiles"), move || {
            match counted.fetch_add(1, Ordering::SeqCst) {
                0 => Err(LearningUnreadable("the store is away".into())),
                _ => Ok((CorpusStats::default(), Vec::new())),
            }
        });
        let error = shared.current().expect_err("the first read fails");
        assert!(
            error
                .to_string()
                .contains("cannot read what tagging learned")
        );
        assert!(shared.current().is_ok());
        assert_eq!(tries.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_replacement_made_before_first_use_wins_over_the_deferred_read() {
        let shared = SharedTagger::deferred(Tagger::new(&[]).expect("compiles"), || {
            panic!("the replaced tagger is never read")
        });
        shared.replace(Tagger::new(&[TagRule::new("rust", &[])]).expect("compiles"));
        assert_eq!(
            shared.current().expect("ready").tag(&post("rust"))[0].tag,
            "rust"
        );
    }
}
