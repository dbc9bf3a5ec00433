//! A compiled vocabulary that a running server can swap for a new one.

use std::sync::{Arc, RwLock};

use crate::Tagger;

/// The current [`Tagger`], replaceable while in use: `serve` reloads the vocabulary on change
/// or SIGHUP, and fetches already running finish with the tagger they started with.
#[derive(Debug)]
pub struct SharedTagger(RwLock<Arc<Tagger>>);

impl SharedTagger {
    pub fn new(tagger: Tagger) -> SharedTagger {
        SharedTagger(RwLock::new(Arc::new(tagger)))
    }

    /// The tagger in force now.
    pub fn current(&self) -> Arc<Tagger> {
        // A writer never panics while holding the lock (it only swaps an Arc), so a poisoned
        // lock still holds a valid tagger.
        Arc::clone(&self.0.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Puts `tagger` in force for everything that asks from now on.
    pub fn replace(&self, tagger: Tagger) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(tagger);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PostText, TagRule};

    #[test]
    fn a_replaced_tagger_is_what_later_callers_get() {
        let shared = SharedTagger::new(Tagger::new(&[TagRule::new("map", &[])]).expect("compiles"));
        let before = shared.current();
        shared.replace(Tagger::new(&[TagRule::new("rust", &[])]).expect("compiles"));
        let post = PostText {
            title: "map and rust",
            ..PostText::default()
        };
        assert_eq!(before.tag(&post)[0].tag, "map", "a holder keeps its tagger");
        assert_eq!(shared.current().tag(&post)[0].tag, "rust");
    }
}
