//! Renders under way, shared: requests that miss the same key under the same change stamp
//! wait for one render instead of each making its own (after a change, a busy page is
//! rendered once, not once per connection).
//!
//! Sharing is as safe as a cache hit: a request joins only a render for the stamp it read
//! itself, after it arrived, so nothing committed before it arrived is missing from that
//! render.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use syndic_store::ChangeStamp;
use tokio::sync::watch;

use super::entries::Entry;

type Outcome = Option<Option<Arc<Entry>>>;

/// The renders under way, by cache key.
#[derive(Debug, Default)]
pub(crate) struct Renders {
    under_way: Mutex<HashMap<String, (ChangeStamp, watch::Receiver<Outcome>)>>,
}

/// What a request that missed does: render (and tell the others), or wait for a render.
pub(crate) enum Turn {
    Render(Rendering),
    Wait(watch::Receiver<Outcome>),
}

/// The right and duty to render `key`: [`Rendering::finish`] tells the waiting requests; if
/// it is dropped unfinished (the request gave up), they render for themselves.
pub(crate) struct Rendering {
    renders: Arc<Renders>,
    key: String,
    done: watch::Sender<Outcome>,
}

impl Renders {
    /// Joins the render of `key` under `stamp`, or starts one.
    pub(crate) fn turn(self: &Arc<Self>, key: &str, stamp: ChangeStamp) -> Turn {
        let mut under_way = self
            .under_way
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((rendering, done)) = under_way.get(key)
            && *rendering == stamp
        {
            return Turn::Wait(done.clone());
        }
        let (done, waiting) = watch::channel(None);
        under_way.insert(key.to_owned(), (stamp, waiting));
        Turn::Render(Rendering {
            renders: Arc::clone(self),
            key: key.to_owned(),
            done,
        })
    }
}

impl Rendering {
    /// Hands the rendered entry (`None`: nothing to share) to the waiting requests.
    pub(crate) fn finish(self, entry: Option<Arc<Entry>>) {
        let _ = self.done.send(Some(entry));
    }
}

impl Drop for Rendering {
    fn drop(&mut self) {
        let mut under_way = self
            .renders
            .under_way
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Only our own render: a newer stamp's may have taken the key meanwhile.
        if under_way
            .get(&self.key)
            .is_some_and(|(_, done)| done.same_channel(&self.done.subscribe()))
        {
            under_way.remove(&self.key);
        }
    }
}

/// What a waiting request gets: the shared entry, or `None` when it must render for
/// itself (the render gave up, or had nothing to share).
pub(crate) async fn wait(mut done: watch::Receiver<Outcome>) -> Option<Arc<Entry>> {
    let outcome = done.wait_for(Option::is_some).await.ok()?;
    outcome.clone().flatten()
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;
    use axum::http::HeaderMap;

    use super::*;

    fn stamp(version: i64) -> ChangeStamp {
        ChangeStamp {
            version,
            changed_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("time"),
        }
    }

    fn entry(version: i64) -> Arc<Entry> {
        Arc::new(Entry {
            stamp: stamp(version),
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"page"),
            base_etag: None,
            dated: true,
        })
    }

    #[tokio::test]
    async fn requests_under_the_same_stamp_share_one_render() {
        let renders = Arc::new(Renders::default());
        let Turn::Render(rendering) = renders.turn("/a", stamp(1)) else {
            panic!("the first request renders");
        };
        let Turn::Wait(waiting) = renders.turn("/a", stamp(1)) else {
            panic!("the second waits");
        };
        assert!(
            matches!(renders.turn("/a", stamp(2)), Turn::Render(_)),
            "another stamp renders for itself"
        );
        assert!(matches!(renders.turn("/b", stamp(1)), Turn::Render(_)));
        rendering.finish(Some(entry(1)));
        let shared = wait(waiting).await.expect("the shared entry");
        assert_eq!(shared.body, Bytes::from_static(b"page"));
    }

    #[tokio::test]
    async fn a_render_given_up_lets_the_waiting_requests_render_themselves() {
        let renders = Arc::new(Renders::default());
        let Turn::Render(rendering) = renders.turn("/a", stamp(1)) else {
            panic!("the first request renders");
        };
        let Turn::Wait(waiting) = renders.turn("/a", stamp(1)) else {
            panic!("the second waits");
        };
        drop(rendering);
        assert!(wait(waiting).await.is_none());
        assert!(
            matches!(renders.turn("/a", stamp(1)), Turn::Render(_)),
            "the key is free again"
        );
    }
}
